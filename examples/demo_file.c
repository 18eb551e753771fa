/* demo_file: the mapped page file at work. Usage: demo_file <directory> */
#include <stdio.h>
#include <string.h>

#include "pager.h"

#define CHECK(call)                                                                  \
  do {                                                                               \
    int rc_ = (call);                                                                \
    if (rc_ != PAGER_OK) {                                                           \
      fprintf(stderr, "%s failed: %s: %s\n", #call, pager_errstr(rc_), pager_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

int main(int argc, char **argv) {
  char path[512];
  pager_file_options opts;
  pager_file *f = NULL;
  uint64_t ids[1000], pids[2], pid = 0, count = 0, free_count = 0, id = 0;
  uint32_t found = 0;
  void *page = NULL;
  pager_file_txn *txn = NULL;
  pager_file_iter *it = NULL;
  char buf[4096];
  int rc, n = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: %s <directory>\n", argv[0]);
    return 2;
  }
  snprintf(path, sizeof path, "%s/demo.pages", argv[1]);
  pager_file_options_init(&opts); /* page_size 0: 4096 on create, the file's on open */
  CHECK(pager_file_create(path, &opts, &f));
  printf("created %s with 4 KiB pages\n", path);

  CHECK(pager_file_alloc_bulk(f, ids, 1000));
  CHECK(pager_file_page(f, ids[0], &page));
  strcpy((char *)page, "first page");
  CHECK(pager_file_sync_pages(f, ids, 1));
  CHECK(pager_file_page_count(f, &count));
  CHECK(pager_file_free_page_count(f, &free_count));
  printf("allocated 1000 pages in one commit (ids %llu..%llu); page space %llu, free %llu\n",
         (unsigned long long)ids[0], (unsigned long long)ids[999], (unsigned long long)count,
         (unsigned long long)free_count);

  rc = pager_file_free_bulk(f, ids, 2);
  CHECK(rc);
  rc = pager_file_free(f, ids[0]);
  printf("freeing page %llu again: %s (%s)\n", (unsigned long long)ids[0], pager_errstr(rc),
         pager_last_error());

  CHECK(pager_file_protected_alloc_bulk(f, pids, 2));
  pid = pids[0];
  CHECK(pager_file_txn_begin(f, &txn));
  CHECK(pager_file_txn_add(txn, pids[0], &page)); /* a copy of the committed page to change */
  strcpy((char *)page, "root record v1");
  memset(buf, 0, sizeof buf);
  strcpy(buf, "index root v1");
  CHECK(pager_file_txn_write(txn, pids[1], buf, sizeof buf)); /* a whole page, nothing read */
  CHECK(pager_file_txn_commit(txn));
  pager_file_txn_free(txn);
  printf("protected pages %llu and %llu committed together (all old or all new after any "
         "crash)\n", (unsigned long long)pids[0], (unsigned long long)pids[1]);
  pager_file_close(f);

  opts.read_only = 1;
  CHECK(pager_file_open(path, &opts, &f));
  CHECK(pager_file_protected_read(f, pid, buf, sizeof buf));
  CHECK(pager_file_iter_pages(f, &it));
  while (pager_file_iter_next(it, &id, &found) == PAGER_OK && found) n++;
  pager_file_iter_free(it);
  printf("reopened read-only: %d pages allocated, protected page reads \"%s\"\n", n, buf);
  rc = pager_file_alloc(f, &id);
  printf("alloc on the read-only handle: %s\n", pager_errstr(rc));
  pager_file_close(f);
  return 0;
}
