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

#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "impl/common/status.h"
#include "pager.h"

namespace capi {

// Sets the calling thread's detail message (F2).
void SetLastError(const std::string& message) noexcept;
void ClearLastError() noexcept;

// The one Status -> int conversion.
int ToCode(const pager::Status& status) noexcept;

template <typename Fn>
int Fence(Fn&& fn) noexcept {
  ClearLastError();
  try {
    return ToCode(fn());
  } catch (const std::bad_alloc&) {
    SetLastError("out of memory");
    return PAGER_ERR_NOMEM;
  } catch (const std::exception& e) {
    SetLastError(std::string("internal error: ") + e.what());
    return PAGER_ERR_INTERNAL;
  } catch (...) {
    SetLastError("internal error: unknown exception");
    return PAGER_ERR_INTERNAL;
  }
}

// Fails with PAGER_ERR_INVALID naming the argument if p is NULL.
inline pager::Status RequireNonNull(const void* p, const char* what) {
  if (p == nullptr) return pager::InvalidArgument(std::string(what) + " must not be NULL");
  return pager::Status::Ok();
}

// Copies a caller's options struct into `out` (already holding the defaults) following the
// growth convention in pager.h: read min(struct_size, sizeof(T)) bytes; bytes beyond
// sizeof(T) must be zero; struct_size must cover at least the struct_size field.
template <typename T>
pager::Status ReadOptions(const T* in, T* out, const char* type_name) {
  if (in == nullptr) return pager::Status::Ok();
  uint32_t given = in->struct_size;
  if (given < sizeof(uint32_t)) {
    return pager::InvalidArgument(std::string(type_name) + ".struct_size is " +
                                  std::to_string(given) + "; call " + type_name +
                                  "_init() first");
  }
  if (given > sizeof(T)) {
    const unsigned char* extra = reinterpret_cast<const unsigned char*>(in) + sizeof(T);
    for (uint32_t i = 0; i < given - sizeof(T); i++) {
      if (extra[i] != 0) {
        return pager::InvalidArgument(std::string(type_name) + " has a non-zero byte at offset " +
                                      std::to_string(sizeof(T) + i) +
                                      " that this library version does not understand");
      }
    }
    given = sizeof(T);
  }
  std::memcpy(static_cast<void*>(out), in, given);
  out->struct_size = sizeof(T);
  return pager::Status::Ok();
}

}  // namespace capi
