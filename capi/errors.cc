// pager_errstr, pager_last_error, pager_version: the functions every component shares.
#include "capi/fence.h"

namespace capi {
namespace {
thread_local std::string t_last_error;
}  // namespace

void SetLastError(const std::string& message) noexcept {
  try {
    t_last_error = message;
  } catch (...) {
    t_last_error.clear();  // out of memory while reporting: an empty message beats none
  }
}

void ClearLastError() noexcept { t_last_error.clear(); }

int ToCode(const pager::Status& status) noexcept {
  if (status.ok()) return PAGER_OK;
  SetLastError(status.message());
  return static_cast<int>(status.code());
}

}  // namespace capi

extern "C" {

PAGER_API const char* pager_errstr(int code) PAGER_NOEXCEPT {
  static const char* const kNames[PAGER_ERR_COUNT] = {
      "PAGER_OK",           "PAGER_ERR_INVALID",  "PAGER_ERR_IO",
      "PAGER_ERR_NOMEM",    "PAGER_ERR_NOSPC",    "PAGER_ERR_CORRUPT",
      "PAGER_ERR_VERSION",  "PAGER_ERR_PAGE_SIZE", "PAGER_ERR_BUSY",
      "PAGER_ERR_READONLY", "PAGER_ERR_RANGE",    "PAGER_ERR_OVERLAP",
      "PAGER_ERR_DOUBLE_FREE", "PAGER_ERR_RESERVED", "PAGER_ERR_FULL",
      "PAGER_ERR_POISONED", "PAGER_ERR_MISMATCH", "PAGER_ERR_NOT_FOUND",
      "PAGER_ERR_EXISTS",   "PAGER_ERR_CANCELLED", "PAGER_ERR_CALLBACK",
      "PAGER_ERR_INTERNAL", "PAGER_ERR_DUPLICATE", "PAGER_ERR_TOO_LARGE",
  };
  if (code < 0 || code >= PAGER_ERR_COUNT) return "PAGER_ERR_UNKNOWN";
  return kNames[code];
}

PAGER_API const char* pager_last_error(void) PAGER_NOEXCEPT { return capi::t_last_error.c_str(); }

PAGER_API uint32_t pager_version(void) PAGER_NOEXCEPT { return PAGER_VERSION_NUMBER; }

#define PAGER_STR_INNER(x) #x
#define PAGER_STR(x) PAGER_STR_INNER(x)

PAGER_API const char* pager_version_string(void) PAGER_NOEXCEPT {
  return PAGER_STR(PAGER_VERSION_MAJOR) "." PAGER_STR(PAGER_VERSION_MINOR) "." PAGER_STR(
      PAGER_VERSION_PATCH);
}

}  // extern "C"
