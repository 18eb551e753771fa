// Status and Result<T>: the error type inside libpager.
//
// Invariants:
//   S1. A Status is either ok (code kOk, empty message) or an error with a code from pager.h
//       and a message that names what failed (path, page, offset, expected vs found).
//   S2. errno becomes a Status only in impl/io (see io/posix_env.cc); a Status becomes an int
//       only in capi/ (see capi/fence.h). Nothing else converts.
//   S3. A kCorrupt Status may carry the byte offset of the damaged structure in the file being
//       read (CorruptionAt); its message then says "at byte offset N" itself, so the offset is
//       never only in the field. pager_*_check reports it as damage_offset. WithContext keeps
//       it; a Status built anew from another's message does not.
#pragma once

#include <cstdint>
#include <new>
#include <string>
#include <utility>

#include "pager.h"

namespace pager {

enum class Code : int {
  kOk = PAGER_OK,
  kInvalid = PAGER_ERR_INVALID,
  kIo = PAGER_ERR_IO,
  kNoMem = PAGER_ERR_NOMEM,
  kNoSpace = PAGER_ERR_NOSPC,
  kCorrupt = PAGER_ERR_CORRUPT,
  kVersion = PAGER_ERR_VERSION,
  kPageSize = PAGER_ERR_PAGE_SIZE,
  kBusy = PAGER_ERR_BUSY,
  kReadOnly = PAGER_ERR_READONLY,
  kRange = PAGER_ERR_RANGE,
  kOverlap = PAGER_ERR_OVERLAP,
  kDoubleFree = PAGER_ERR_DOUBLE_FREE,
  kReserved = PAGER_ERR_RESERVED,
  kFull = PAGER_ERR_FULL,
  kPoisoned = PAGER_ERR_POISONED,
  kMismatch = PAGER_ERR_MISMATCH,
  kNotFound = PAGER_ERR_NOT_FOUND,
  kExists = PAGER_ERR_EXISTS,
  kCancelled = PAGER_ERR_CANCELLED,
  kCallback = PAGER_ERR_CALLBACK,
  kInternal = PAGER_ERR_INTERNAL,
  kDuplicate = PAGER_ERR_DUPLICATE,
  kTooLarge = PAGER_ERR_TOO_LARGE,
};

// The stable symbolic name of a code ("PAGER_ERR_IO"); "PAGER_ERR_UNKNOWN" for any other
// value. pager_errstr() is this function at the C boundary.
const char* CodeName(int code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(Code code, std::string message, uint64_t offset_bytes)
      : code_(code), message_(std::move(message)), offset_bytes_(offset_bytes) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // S3: the damaged structure's byte offset, or kNoOffset.
  static constexpr uint64_t kNoOffset = UINT64_MAX;
  uint64_t offset_bytes() const { return offset_bytes_; }
  // This Status located at the structure `where` at offset_bytes ("... (where at byte offset
  // N)") unless it already names an offset (the innermost, most precise one wins). No-op on
  // ok and on codes other than kCorrupt.
  Status OrAt(uint64_t offset_bytes, const std::string& where) const;

  // "PAGER_ERR_IO: write /tmp/x at offset 4096: Input/output error"
  std::string ToString() const;

  // Prefixes the message with context ("open /a/b: " + message). No-op on ok.
  Status WithContext(const std::string& context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  uint64_t offset_bytes_ = kNoOffset;
};

inline Status InvalidArgument(std::string m) { return Status(Code::kInvalid, std::move(m)); }
inline Status Corruption(std::string m) { return Status(Code::kCorrupt, std::move(m)); }
// S3: "<what> at byte offset N" with the offset kept for the check report.
inline Status CorruptionAt(uint64_t offset_bytes, const std::string& what) {
  return Status(Code::kCorrupt, what + " at byte offset " + std::to_string(offset_bytes),
                offset_bytes);
}
inline Status IoError(std::string m) { return Status(Code::kIo, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Result<T>: a value or a Status. T must be default-constructible and movable.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {
    if (status_.ok()) status_ = Internal("Result constructed from an ok Status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T&& take() { return std::move(value_); }

 private:
  Status status_;
  T value_{};
};

}  // namespace pager

// Returns early from the enclosing function with the Status if it is an error.
#define PAGER_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::pager::Status _pager_st = (expr);        \
    if (!_pager_st.ok()) return _pager_st;     \
  } while (0)

#define PAGER_CONCAT_INNER(a, b) a##b
#define PAGER_CONCAT(a, b) PAGER_CONCAT_INNER(a, b)

// PAGER_ASSIGN_OR_RETURN(auto x, ComputeResult()); evaluates to the value or returns.
#define PAGER_ASSIGN_OR_RETURN(lhs, expr) \
  PAGER_ASSIGN_OR_RETURN_IMPL(PAGER_CONCAT(_pager_res_, __LINE__), lhs, expr)
#define PAGER_ASSIGN_OR_RETURN_IMPL(res, lhs, expr) \
  auto res = (expr);                                \
  if (!res.ok()) return res.status();               \
  lhs = res.take()
