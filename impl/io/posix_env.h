// POSIX-only parts of the seam that have no meaning for MemEnv/FaultEnv.
#pragma once

#include <memory>
#include <string>

#include "impl/io/env.h"

namespace pager {
namespace io {

// The one errno -> Status conversion (S2). context names the operation and path.
Status PosixError(const std::string& context, int err);

// Fails with kInvalid if offset + len overflows or passes INT64_MAX (E2).
Status CheckRange(uint64_t offset, uint64_t len, const char* what);

// Advises the kernel about the whole pages inside [addr, addr+len) of this process's memory
// (madvise; kCold = MADV_COLD where the kernel has it). Partial pages at either end are left
// alone; a range holding no whole page is a no-op. A hint: callers may ignore the Status.
Status AdviseMemory(void* addr, size_t len, Advice advice);

// Wraps an already-open descriptor (a pipe, a socket, a caller's file) as a File.
// name is used in messages. If owns_fd, the File closes it. A descriptor that cannot seek (a
// pipe or socket) becomes a stream: writes must come in order (offset == bytes written so
// far) and Sync/DataSync succeed without doing anything.
std::unique_ptr<File> WrapFd(int fd, const std::string& name, bool writable, bool owns_fd);

}  // namespace io
}  // namespace pager
