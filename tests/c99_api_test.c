/* Compiled as strict C99 (-std=c99 -pedantic -Werror) against pager.h and linked with the
 * shared library: proves the header is C and the exports work. Prints "#result P F".
 * Each component adds its own tests/c99_<component>_test.c in the same style. */
#include <stdio.h>
#include <string.h>

#include "pager.h"

static int g_passed, g_failed;

static void check(int ok, const char *what) {
  if (ok) {
    g_passed++;
  } else {
    g_failed++;
    printf("FAILED: %s\n", what);
  }
}

static void test_core(void) {
  check(strcmp(pager_errstr(PAGER_OK), "PAGER_OK") == 0, "errstr(OK)");
  check(strcmp(pager_errstr(PAGER_ERR_CORRUPT), "PAGER_ERR_CORRUPT") == 0, "errstr(CORRUPT)");
  check(strcmp(pager_errstr(9999), "PAGER_ERR_UNKNOWN") == 0, "errstr(unknown)");
  check(pager_version() == PAGER_VERSION_NUMBER, "version number matches header");
  check(strlen(pager_version_string()) >= 5, "version string");
  check(pager_last_error() != NULL && pager_last_error()[0] == '\0', "no error yet");
}

int main(void) {
  test_core();
  printf("#result %d %d\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
