// DirectWriter: the asynchronous O_DIRECT writes of a PosixFile opened with
// OpenOptions::direct_writes (E8 in env.h). A write goes from the caller's buffer to the
// device by DMA: no copy into the page cache, no writeback to start, and the caller's thread
// is free while the device works; the File's DataSync then only flushes the device's cache.
// For a file that is written far more than it is read (the page file's journal).
//
// Invariants:
//   D1. Only a write whose offset, length and address meet the file's direct-I/O alignment
//       (statx STATX_DIOALIGN; 4096 where the kernel does not say) is started here; the
//       PosixFile writes anything else through its buffered descriptor. Both descriptors are
//       of one inode (checked at open), and the kernel keeps their bytes coherent.
//   D2. At most kMaxInFlight writes are in flight; Finish reaps every one of them and reports
//       the first failure (an error or a short write) exactly once (E5's rule for syncs).
//   D3. A kernel that refuses the I/O context or a submission (EAGAIN, or EINVAL in a forked
//       child, whose memory has no context) gets a synchronous write through the O_DIRECT
//       descriptor: never an error for that alone.
//   D4. I/O contexts are reused, not destroyed: a closing writer whose writes were all reaped
//       hands its context to a process-wide pool of at most kIdleContexts, and Open takes one
//       from there before it creates one. (io_destroy waits for an RCU grace period: 30-40 ms
//       on every close of a journaled page file before the pool.) The pool belongs to the
//       process whose contexts it holds: a forked child starts from an empty one, and a writer
//       inherited across fork neither pools nor destroys its parent's context. Pooled contexts
//       live until the process exits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "impl/common/status.h"

namespace pager {
namespace io {

class DirectWriter {
 public:
  static constexpr unsigned kMaxInFlight = 8;  // D2
  static constexpr size_t kIdleContexts = 8;    // D4

  // D4: how many I/O contexts this process has created (io_setup) since it started or forked.
  static uint64_t ContextsCreated();

  // A writer for the file open as buffered_fd, or null when the file system or the kernel
  // cannot take asynchronous direct writes (then the PosixFile writes as without the hint).
  static std::unique_ptr<DirectWriter> Open(const std::string& path, int buffered_fd);
  ~DirectWriter();  // reaps in-flight writes (their buffers are the caller's), then closes
  DirectWriter(const DirectWriter&) = delete;
  DirectWriter& operator=(const DirectWriter&) = delete;

  // D1.
  bool Aligned(uint64_t offset, const void* src, size_t len) const;
  // Starts writing [src, src+len) at offset (Aligned, len > 0); src must stay unchanged until
  // Finish returns.
  Status Start(uint64_t offset, const void* src, size_t len);
  // D2: waits for every started write.
  Status Finish();
  bool idle() const { return in_flight_ == 0; }

 private:
  DirectWriter(std::string path, int fd, uint64_t ctx, uint32_t mem_align, uint32_t offset_align,
               int ctx_pid)
      : path_(std::move(path)), fd_(fd), ctx_(ctx), mem_align_(mem_align),
        offset_align_(offset_align), ctx_pid_(ctx_pid) {}
  Status WriteNow(uint64_t offset, const void* src, size_t len);  // D3

  std::string path_;
  int fd_;            // O_DIRECT descriptor of the same inode
  uint64_t ctx_;      // aio_context_t
  uint32_t mem_align_;
  uint32_t offset_align_;
  int ctx_pid_;       // D4: the process whose memory holds ctx_
  bool ctx_clean_ = true;  // D4: no completion of ctx_ is left unreaped
  unsigned in_flight_ = 0;
  Status first_failure_ = Status::Ok();  // of a write reaped while starting another
};

}  // namespace io
}  // namespace pager
