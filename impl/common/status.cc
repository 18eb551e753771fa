#include "impl/common/status.h"

namespace pager {

const char* CodeName(int code) noexcept {
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

std::string Status::ToString() const {
  if (ok()) return "PAGER_OK";
  std::string s = CodeName(static_cast<int>(code_));
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_, offset_bytes_);
}

Status Status::OrAt(uint64_t offset_bytes, const std::string& where) const {
  if (code_ != Code::kCorrupt || offset_bytes_ != kNoOffset) return *this;
  return Status(code_, message_ + " (" + where + " at byte offset " +
                           std::to_string(offset_bytes) + ")",
                offset_bytes);
}

}  // namespace pager
