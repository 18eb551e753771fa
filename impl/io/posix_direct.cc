// DirectWriter (D1-D3 in posix_direct.h): O_DIRECT + Linux native AIO (io_submit), through
// raw system calls -- glibc has no wrapper and libaio would be a dependency for four calls.
#include "impl/io/posix_direct.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "impl/io/posix_env.h"

namespace pager {
namespace io {

namespace {

constexpr uint32_t kDefaultAlign = 4096;  // D1, when statx does not say

bool SameInode(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

void DioAlign(int fd, uint32_t* mem_align, uint32_t* offset_align) {
  *mem_align = kDefaultAlign;
  *offset_align = kDefaultAlign;
#ifdef STATX_DIOALIGN
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) &&
      sx.stx_dio_mem_align > 0 && sx.stx_dio_offset_align > 0) {
    *mem_align = sx.stx_dio_mem_align;
    *offset_align = sx.stx_dio_offset_align;
  }
#endif
}

// D4. Leaked on purpose: a writer may close during static destruction. No system call runs
// under the lock, and fork holds it (pthread_atfork), so a child never inherits it held.
class ContextPool {
 public:
  ContextPool() { idle_.reserve(DirectWriter::kIdleContexts); }  // Release never allocates

  static ContextPool* Get() {
    static ContextPool* pool = [] {
      auto* p = new ContextPool;
      // The child's idle contexts are forgotten by the pid check, at its first use.
      pthread_atfork([] { Get()->mu_.lock(); }, [] { Get()->mu_.unlock(); },
                     [] { Get()->mu_.unlock(); });
      return p;
    }();
    return pool;
  }

  // An idle context of this process, or a new one; false when the kernel refuses one.
  bool Acquire(aio_context_t* ctx, int* pid) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ForgetOtherProcessContextsLocked();
      *pid = pid_;
      if (!idle_.empty()) {
        *ctx = idle_.back();
        idle_.pop_back();
        return true;
      }
    }
    *ctx = 0;
    if (syscall(SYS_io_setup, DirectWriter::kMaxInFlight, ctx) != 0) return false;
    std::lock_guard<std::mutex> lock(mu_);
    created_++;
    return true;
  }

  // pid is the process that acquired ctx; reusable: no completion of it is left to reap.
  void Release(aio_context_t ctx, int pid, bool reusable) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ForgetOtherProcessContextsLocked();
      if (pid != pid_) return;  // the parent's, in a forked child: not ours to pool or destroy
      if (reusable && idle_.size() < DirectWriter::kIdleContexts) {
        idle_.push_back(ctx);
        return;
      }
    }
    syscall(SYS_io_destroy, ctx);
  }

  uint64_t created() {
    std::lock_guard<std::mutex> lock(mu_);
    ForgetOtherProcessContextsLocked();
    return created_;
  }

 private:
  // The child of a fork (or of a raw clone) holds its parent's context numbers, but its
  // memory has none of the contexts: drop them unused.
  void ForgetOtherProcessContextsLocked() {
    const int pid = static_cast<int>(getpid());
    if (pid == pid_) return;
    pid_ = pid;
    idle_.clear();
    created_ = 0;
  }

  std::mutex mu_;
  int pid_ = 0;
  std::vector<aio_context_t> idle_;
  uint64_t created_ = 0;
};

}  // namespace

uint64_t DirectWriter::ContextsCreated() { return ContextPool::Get()->created(); }

std::unique_ptr<DirectWriter> DirectWriter::Open(const std::string& path, int buffered_fd) {
  int fd;
  do {
    fd = open(path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return nullptr;  // no O_DIRECT on this file system (tmpfs of old kernels, ...)
  if (!SameInode(fd, buffered_fd)) {  // the path was replaced between the two opens
    close(fd);
    return nullptr;
  }
  aio_context_t ctx = 0;
  int ctx_pid = 0;
  if (!ContextPool::Get()->Acquire(&ctx, &ctx_pid)) {  // aio-max-nr reached, no AIO
    close(fd);
    return nullptr;
  }
  uint32_t mem_align = 0, offset_align = 0;
  DioAlign(fd, &mem_align, &offset_align);
  return std::unique_ptr<DirectWriter>(new DirectWriter(
      path, fd, static_cast<uint64_t>(ctx), mem_align, offset_align, ctx_pid));
}

DirectWriter::~DirectWriter() {
  (void)Finish();
  ContextPool::Get()->Release(static_cast<aio_context_t>(ctx_), ctx_pid_, ctx_clean_);  // D4
  close(fd_);
}

bool DirectWriter::Aligned(uint64_t offset, const void* src, size_t len) const {
  return len > 0 && offset % offset_align_ == 0 && len % offset_align_ == 0 &&
         reinterpret_cast<uintptr_t>(src) % mem_align_ == 0;
}

Status DirectWriter::WriteNow(uint64_t offset, const void* src, size_t len) {
  size_t done = 0;
  const auto* p = static_cast<const uint8_t*>(src);
  while (done < len) {
    ssize_t n = pwrite(fd_, p + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("direct write " + path_ + " at offset " + std::to_string(offset + done),
                        errno);
    }
    if (n == 0) {
      return Status(Code::kIo, "direct write " + path_ + " at offset " +
                                   std::to_string(offset + done) + " wrote nothing");
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status DirectWriter::Start(uint64_t offset, const void* src, size_t len) {
  if (in_flight_ == kMaxInFlight) {  // D2
    Status st = Finish();
    if (!st.ok()) first_failure_ = st;
  }
  struct iocb cb;
  std::memset(&cb, 0, sizeof cb);
  cb.aio_fildes = static_cast<uint32_t>(fd_);
  cb.aio_lio_opcode = IOCB_CMD_PWRITE;
  cb.aio_buf = reinterpret_cast<uint64_t>(src);
  cb.aio_nbytes = len;
  cb.aio_offset = static_cast<int64_t>(offset);
  cb.aio_data = len;  // comes back in the event: the length the write must reach
  struct iocb* list[1] = {&cb};
  long n;
  do {
    n = syscall(SYS_io_submit, static_cast<aio_context_t>(ctx_), 1, list);
  } while (n < 0 && errno == EINTR);
  if (n == 1) {
    in_flight_++;
    return Status::Ok();
  }
  return WriteNow(offset, src, len);  // D3
}

Status DirectWriter::Finish() {
  Status first = first_failure_;
  first_failure_ = Status::Ok();
  while (in_flight_ > 0) {
    struct io_event events[kMaxInFlight];
    long n = syscall(SYS_io_getevents, static_cast<aio_context_t>(ctx_), 1, in_flight_, events,
                     nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Cannot happen for a live context; the writes' fate is unknown, so report it.
      Status st = PosixError("reap direct writes of " + path_, errno);
      in_flight_ = 0;
      ctx_clean_ = false;  // D4: completions may still arrive; never hand this context on
      return first.ok() ? st : first;
    }
    for (long i = 0; i < n; i++) {
      in_flight_--;
      const int64_t res = events[i].res;
      if (!first.ok()) continue;
      if (res < 0) {
        first = PosixError("direct write " + path_, static_cast<int>(-res));
      } else if (static_cast<uint64_t>(res) != events[i].data) {
        first = Status(Code::kIo, "direct write " + path_ + " was short");
      }
    }
  }
  return first;
}

}  // namespace io
}  // namespace pager
