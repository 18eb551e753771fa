// The C boundary: the exception fence and the one place where a Status becomes an int.
//
// Every extern "C" function in capi/ is written as
//
//   int pager_x_do(pager_x *h, ...) PAGER_NOEXCEPT {
//     return capi::Fence([&]() -> pager::Status { ...checks...; return h->impl.Do(...); });
//   }
//
// Invariants:
//   F1. No exception escapes a capi function: std::bad_alloc -> PAGER_ERR_NOMEM, any other
//       exception -> PAGER_ERR_INTERNAL with its what() in the detail message.
//   F2. The thread's detail message is cleared on entry and set from the Status on failure,
//       so pager_last_error() always describes the calling thread's last call.
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "impl/common/status.h"
#include "pager.h"

namespace capi {

// The calling thread's detail message (F2). Fence looks it up once per call: a thread-local
// access costs a function call in a shared library.
std::string* LastErrorSlot() noexcept;
// Sets the calling thread's detail message (F2).
void SetLastError(const std::string& message) noexcept;
void ClearLastError() noexcept;

// The one Status -> int conversion of a failure: the detail message set, the code returned.
// Out of line, as is the exception mapping (F1), so every call's success path stays small.
int FailureCode(const pager::Status& status) noexcept;
int ExceptionCode(std::exception_ptr e) noexcept;

template <typename Fn>
int Fence(Fn&& fn) noexcept {
  std::string* last_error = LastErrorSlot();
  last_error->clear();
  try {
    const pager::Status st = fn();
    if (__builtin_expect(!st.ok(), 0)) return FailureCode(st);
    // C2: "" after success, even when an adapter callback or progress function made a
    // failing libpager call of its own during this one (found by fuzz/capi_fuzz.cc).
    last_error->clear();
    return PAGER_OK;
  } catch (...) {
    return ExceptionCode(std::current_exception());
  }
}

// PAGER_ERR_INVALID naming the NULL argument (out of line: RequireNonNull's cold path).
pager::Status NullArgument(const char* what);

// Fails with PAGER_ERR_INVALID naming the argument if p is NULL.
inline pager::Status RequireNonNull(const void* p, const char* what) {
  if (__builtin_expect(p == nullptr, 0)) return NullArgument(what);
  return pager::Status::Ok();
}

// C8: bytes of a caller's struct past what this library knows (sizeof_known) must be zero.
pager::Status CheckUnknownBytesZero(const void* in, uint32_t given, uint64_t sizeof_known,
                                    const char* type_name);

// Copies a caller's options struct into `out` (already holding the defaults) following
// convention C8 in pager.h: struct_size must be at least `first_size` (the struct's size in
// the first version that had it: a constant the shim pins with a static_assert); read
// min(struct_size, sizeof(T)) bytes; bytes beyond sizeof(T) must be zero.
template <typename T>
pager::Status ReadOptions(const T* in, T* out, const char* type_name, uint32_t first_size) {
  if (in == nullptr) return pager::Status::Ok();
  uint32_t given = in->struct_size;
  if (given < first_size) {
    return pager::InvalidArgument(std::string(type_name) + ".struct_size is " +
                                  std::to_string(given) + ", below its first version's " +
                                  std::to_string(first_size) + "; call " + type_name +
                                  "_init() first");
  }
  PAGER_RETURN_IF_ERROR(CheckUnknownBytesZero(in, given, sizeof(T), type_name));
  if (given > sizeof(T)) given = sizeof(T);
  std::memcpy(static_cast<void*>(out), in, given);
  out->struct_size = sizeof(T);
  return pager::Status::Ok();
}

// Writes a result struct (stats, info) into the caller's `out` following C8: out->struct_size
// must be at least `first_size`; min(struct_size, sizeof(T)) bytes are written and
// struct_size is set to that number. `full` is the complete result; its struct_size is
// ignored. Nested growable structs are the caller's business (WriteNested).
template <typename T>
pager::Status CheckResultStruct(const T* out, const char* type_name, uint32_t first_size) {
  PAGER_RETURN_IF_ERROR(RequireNonNull(out, type_name));
  if (out->struct_size < first_size) {
    return pager::InvalidArgument(std::string(type_name) + ".struct_size is " +
                                  std::to_string(out->struct_size) +
                                  ", below its first version's " + std::to_string(first_size) +
                                  "; call " + type_name + "_init() first");
  }
  return pager::Status::Ok();
}
template <typename T>
void WriteResultStruct(T full, T* out) noexcept {
  uint32_t n = out->struct_size < sizeof(T) ? out->struct_size : static_cast<uint32_t>(sizeof(T));
  full.struct_size = n;
  std::memcpy(static_cast<void*>(out), &full, n);
}

// C7: copies text NUL-terminated into (buf, buf_len), truncated to fit, and reports its full
// length. Check arguments with CheckStringOut first (inside the fence).
pager::Status CheckStringOut(const char* buf, uint64_t buf_len);
void CopyStringOut(const std::string& text, char* buf, uint64_t buf_len,
                   uint64_t* len_out) noexcept;

// C6: a buffer whose length the call fixes must be exactly `expected`; a buffer receiving a
// variable amount must hold at least `needed`. Both fail with PAGER_ERR_INVALID naming the
// buffer and both lengths.
pager::Status RequireExactLength(uint64_t given, uint64_t expected, const char* what);
pager::Status RequireAtLeastLength(uint64_t given, uint64_t needed, const char* what);

// C3: a list of `count` elements of `elem_bytes` each must not be NULL when count > 0, and
// count * elem_bytes must fit in memory (else PAGER_ERR_INVALID naming the list): checked
// before any work, so a huge count fails at once.
pager::Status CheckList(const void* list, uint64_t count, uint64_t elem_bytes, const char* what);

// C2 for functions that return void or a value: clear the detail message, run fn, never
// throw.
template <typename Fn>
void VoidFence(Fn&& fn) noexcept {
  ClearLastError();
  try {
    fn();
  } catch (...) {
  }
}

}  // namespace capi
