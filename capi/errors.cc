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

std::string* LastErrorSlot() noexcept { return &t_last_error; }

void ClearLastError() noexcept { t_last_error.clear(); }

int FailureCode(const pager::Status& status) noexcept {
  SetLastError(status.message());
  return static_cast<int>(status.code());
}

int ExceptionCode(std::exception_ptr e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::bad_alloc&) {
    SetLastError("out of memory");
    return PAGER_ERR_NOMEM;
  } catch (const std::exception& ex) {
    try {
      SetLastError(std::string("internal error: ") + ex.what());
    } catch (...) {  // out of memory while building the message
      SetLastError("internal error");
    }
    return PAGER_ERR_INTERNAL;
  } catch (...) {
    SetLastError("internal error: unknown exception");
    return PAGER_ERR_INTERNAL;
  }
}

pager::Status NullArgument(const char* what) {
  return pager::InvalidArgument(std::string(what) + " must not be NULL");
}

}  // namespace capi

extern "C" {

PAGER_API const char* pager_errstr(int code) PAGER_NOEXCEPT { return pager::CodeName(code); }

PAGER_API const char* pager_last_error(void) PAGER_NOEXCEPT { return capi::t_last_error.c_str(); }

PAGER_API uint32_t pager_version(void) PAGER_NOEXCEPT { return PAGER_VERSION_NUMBER; }

#define PAGER_STR_INNER(x) #x
#define PAGER_STR(x) PAGER_STR_INNER(x)

PAGER_API const char* pager_version_string(void) PAGER_NOEXCEPT {
  return PAGER_STR(PAGER_VERSION_MAJOR) "." PAGER_STR(PAGER_VERSION_MINOR) "." PAGER_STR(
      PAGER_VERSION_PATCH);
}

}  // extern "C"

namespace capi {

pager::Status CheckUnknownBytesZero(const void* in, uint32_t given, uint64_t sizeof_known,
                                    const char* type_name) {
  if (given <= sizeof_known) return pager::Status::Ok();
  const unsigned char* bytes = static_cast<const unsigned char*>(in);
  for (uint64_t i = sizeof_known; i < given; i++) {
    if (bytes[i] != 0) {
      return pager::InvalidArgument(std::string(type_name) + " has a non-zero byte at offset " +
                                    std::to_string(i) +
                                    " that this library version does not understand");
    }
  }
  return pager::Status::Ok();
}

pager::Status CheckStringOut(const char* buf, uint64_t buf_len) {
  if (buf == nullptr && buf_len > 0) {
    return pager::InvalidArgument("buf must not be NULL when buf_len > 0 (buf_len is " +
                                  std::to_string(buf_len) + ")");
  }
  return pager::Status::Ok();
}

void CopyStringOut(const std::string& text, char* buf, uint64_t buf_len,
                   uint64_t* len_out) noexcept {
  if (buf_len > 0) {
    uint64_t n = text.size() < buf_len - 1 ? text.size() : buf_len - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
  }
  if (len_out != nullptr) *len_out = text.size();
}

pager::Status RequireExactLength(uint64_t given, uint64_t expected, const char* what) {
  if (given == expected) return pager::Status::Ok();
  return pager::InvalidArgument(std::string(what) + " is " + std::to_string(given) +
                                " bytes; it must be exactly " + std::to_string(expected));
}

pager::Status RequireAtLeastLength(uint64_t given, uint64_t needed, const char* what) {
  if (given >= needed) return pager::Status::Ok();
  return pager::InvalidArgument(std::string(what) + " is " + std::to_string(given) +
                                " bytes; it must hold at least " + std::to_string(needed));
}

pager::Status CheckList(const void* list, uint64_t count, uint64_t elem_bytes, const char* what) {
  if (count > 0 && list == nullptr) {
    return pager::InvalidArgument(std::string(what) + " must not be NULL when count > 0");
  }
  // No address space holds more than 2^56 bytes (x86-64 and arm64 with 5-level / 52-bit
  // tables included): a longer list cannot exist, whatever the caller claims (C3).
  if (elem_bytes > 0 && count > (uint64_t{1} << 56) / elem_bytes) {
    return pager::InvalidArgument(std::string(what) + " count " + std::to_string(count) +
                                  " is larger than any list that fits in memory");
  }
  return pager::Status::Ok();
}

}  // namespace capi
