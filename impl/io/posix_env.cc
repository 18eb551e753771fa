// PosixEnv: the real file seam. errno becomes a Status here and nowhere else (S2).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "impl/io/env.h"
#include "impl/io/posix_env.h"
#include "impl/io/posix_direct.h"

namespace pager {
namespace io {

Status PosixError(const std::string& context, int err) {
  std::string msg = context + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status(Code::kNotFound, msg);
    case EEXIST:
      return Status(Code::kExists, msg);
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Status(Code::kNoSpace, msg);
    case ENOMEM:
      return Status(Code::kNoMem, msg);
    case EWOULDBLOCK:
      return Status(Code::kBusy, msg);
    case EROFS:
    case EACCES:
    case EPERM:
      return Status(Code::kReadOnly, msg);
    case EINVAL:
    case EOPNOTSUPP:
      return Status(Code::kInvalid, msg);
    default:
      return Status(Code::kIo, msg);
  }
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status CheckRange(uint64_t offset, uint64_t len, const char* what) {
  if (len > UINT64_MAX - offset || offset + len > static_cast<uint64_t>(INT64_MAX)) {
    return InvalidArgument(std::string(what) + ": offset " + std::to_string(offset) +
                           " + length " + std::to_string(len) + " overflows");
  }
  return Status::Ok();
}

Status File::ReadExactAt(uint64_t offset, void* dst, size_t len, bool short_is_corrupt) {
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(ReadAt(offset, dst, len, &got));
  if (got == len) return Status::Ok();
  std::string msg = "short read of " + path_ + " at offset " + std::to_string(offset) + ": " +
                    std::to_string(got) + " of " + std::to_string(len) + " bytes";
  return Status(short_is_corrupt ? Code::kCorrupt : Code::kIo, msg);
}

Status File::ReadVAt(uint64_t offset, const IoSliceMut* slices, size_t count,
                     size_t* read_len) {
  size_t total = 0;
  for (size_t i = 0; i < count; i++) {
    size_t got = 0;
    PAGER_RETURN_IF_ERROR(ReadAt(offset + total, slices[i].data, slices[i].len, &got));
    total += got;
    if (got < slices[i].len) break;
  }
  *read_len = total;
  return Status::Ok();
}

namespace {

// A range lock must name at least one byte and fit in off_t (E2, E6).
Status CheckLockRange(uint64_t offset, uint64_t len) {
  constexpr uint64_t kMaxOff = static_cast<uint64_t>(INT64_MAX);
  if (len == 0 || offset > kMaxOff || len > kMaxOff - offset) {
    return InvalidArgument("lock range [" + std::to_string(offset) + ", +" +
                           std::to_string(len) + ") is empty or past the largest offset");
  }
  return Status::Ok();
}

// An open-file-description lock request: l_pid must be 0 for F_OFD_* (E6).
struct flock RangeFlock(uint64_t offset, uint64_t len, short type) {
  struct flock fl;
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(offset);
  fl.l_len = static_cast<off_t>(len);
  fl.l_pid = 0;
  return fl;
}


size_t SystemPageSize() {
  static const size_t kSize = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return kSize;
}

int ToMadvise(Advice a) {
  switch (a) {
    case Advice::kNormal:
      return MADV_NORMAL;
    case Advice::kSequential:
      return MADV_SEQUENTIAL;
    case Advice::kRandom:
      return MADV_RANDOM;
    case Advice::kWillNeed:
      return MADV_WILLNEED;
    case Advice::kDontNeed:
      return MADV_DONTNEED;
    case Advice::kPopulateRead:
#ifdef MADV_POPULATE_READ
      return MADV_POPULATE_READ;
#else
      return -1;  // refused below
#endif
    case Advice::kCold:
#ifdef MADV_COLD
      return MADV_COLD;
#else
      return MADV_NORMAL;
#endif
  }
  return MADV_NORMAL;
}

int ToFadvise(Advice a) {
  switch (a) {
    case Advice::kSequential:
      return POSIX_FADV_SEQUENTIAL;
    case Advice::kRandom:
      return POSIX_FADV_RANDOM;
    case Advice::kWillNeed:
    case Advice::kPopulateRead:
      return POSIX_FADV_WILLNEED;
    case Advice::kDontNeed:
    case Advice::kCold:
      return POSIX_FADV_DONTNEED;
    case Advice::kNormal:
      return POSIX_FADV_NORMAL;
  }
  return POSIX_FADV_NORMAL;
}

// Skips the first `done` bytes of iov[*first..]: whole entries advance *first, a partial one
// is trimmed in place. Used after a short readv/writev.
void AdvanceIov(std::vector<iovec>* iov, size_t* first, size_t done) {
  while (*first < iov->size() && done >= (*iov)[*first].iov_len) {
    done -= (*iov)[*first].iov_len;
    (*first)++;
  }
  if (done > 0) {
    (*iov)[*first].iov_base = static_cast<uint8_t*>((*iov)[*first].iov_base) + done;
    (*iov)[*first].iov_len -= done;
  }
}

class PosixMapping final : public Mapping {
 public:
  PosixMapping(int fd, const std::string& path, uint8_t* base, size_t reserved, size_t mapped,
               bool writable)
      : Mapping(base, reserved, mapped, writable), fd_(fd), path_(path) {}

  ~PosixMapping() override { munmap(data_, reserved_len_); }

  Status Remap(size_t new_len) override {
    if (new_len > reserved_len_) {
      return InvalidArgument("remap of " + path_ + " to " + std::to_string(new_len) +
                             " bytes exceeds the reservation of " +
                             std::to_string(reserved_len_));
    }
    size_t page = SystemPageSize();
    size_t old_pages = (mapped_len_ + page - 1) / page * page;
    size_t new_pages = (new_len + page - 1) / page * page;
    if (new_pages > old_pages) {
      int prot = PROT_READ | (writable_ ? PROT_WRITE : 0);
      void* p = mmap(data_ + old_pages, new_pages - old_pages, prot, MAP_SHARED | MAP_FIXED, fd_,
                     static_cast<off_t>(old_pages));
      if (p == MAP_FAILED) return PosixError("mmap " + path_, errno);
      // E4a: a hint; a refusal leaves the new bytes with the kernel's default, the growth stands.
      if (whole_advice_ != Advice::kNormal) {
        (void)madvise(data_ + old_pages, new_pages - old_pages, ToMadvise(whole_advice_));
      }
    } else if (new_pages < old_pages) {
      void* p = mmap(data_ + new_pages, old_pages - new_pages, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
      if (p == MAP_FAILED) return PosixError("unmap tail of " + path_, errno);
    }
    mapped_len_ = new_len;
    return Status::Ok();
  }

  // E4b: anonymous private pages over the range, holding src.
  Status Overlay(size_t offset, const void* src, size_t len) override {
    PAGER_RETURN_IF_ERROR(CheckOverlay(offset, len, "overlay of " + path_));
    if (len == 0) return Status::Ok();
    void* p = mmap(data_ + offset, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) return PosixError("overlay of " + path_, errno);
    if (src != nullptr) std::memcpy(data_ + offset, src, len);
    if (mprotect(data_ + offset, len, PROT_READ) != 0) {
      return PosixError("overlay of " + path_ + ": mprotect", errno);
    }
    mapped_len_ = std::max(mapped_len_, offset + len);
    return Status::Ok();
  }
  size_t overlay_granularity() const override { return SystemPageSize(); }

  Status Sync(size_t offset, size_t len) override {
    if (len == 0) return Status::Ok();
    if (offset > mapped_len_ || len > mapped_len_ - offset) {
      return InvalidArgument("msync of " + path_ + " range [" + std::to_string(offset) + ", +" +
                             std::to_string(len) + ") is outside the mapped " +
                             std::to_string(mapped_len_) + " bytes");
    }
    size_t page = SystemPageSize();
    size_t start = offset / page * page;
    if (msync(data_ + start, offset + len - start, MS_SYNC) != 0) {
      return PosixError("msync " + path_, errno);
    }
    return Status::Ok();
  }

  Status Advise(size_t offset, size_t len, Advice advice) override {
    if (len == 0) return Status::Ok();
    size_t page = SystemPageSize();
    size_t start = offset / page * page;
    int how = ToMadvise(advice);
    if (how < 0) return InvalidArgument("madvise " + path_ + ": advice not supported here");
    if (madvise(data_ + start, offset + len - start, how) != 0) {
      return PosixError("madvise " + path_, errno);
    }
    const bool pattern =
        advice == Advice::kNormal || advice == Advice::kSequential || advice == Advice::kRandom;
    if (pattern && offset == 0 && len >= mapped_len_) whole_advice_ = advice;  // E4a
    return Status::Ok();
  }

  Status Resident(size_t offset, size_t len, bool* all_resident) override {
    if (len == 0 || offset > mapped_len_ || len > mapped_len_ - offset) {
      return InvalidArgument("mincore " + path_ + ": range outside the mapping");
    }
    const size_t page = SystemPageSize();
    const size_t start = offset / page * page;
    std::vector<unsigned char> in_core((offset + len - start + page - 1) / page);
    if (mincore(data_ + start, offset + len - start, in_core.data()) != 0) {
      return PosixError("mincore " + path_, errno);
    }
    *all_resident = std::all_of(in_core.begin(), in_core.end(),
                                [](unsigned char c) { return (c & 1) != 0; });
    return Status::Ok();
  }

 private:
  int fd_;  // borrowed from the File, which outlives the mapping by contract
  std::string path_;
  Advice whole_advice_ = Advice::kNormal;  // E4a
};

class PosixFile final : public File {
 public:
  PosixFile(std::string path, int fd, bool writable, bool owns_fd, bool stream = false)
      : File(std::move(path)), fd_(fd), writable_(writable), owns_fd_(owns_fd), stream_(stream) {}
  ~PosixFile() override {
    direct_.reset();  // E8: started writes land before the descriptor closes
    if (owns_fd_) close(fd_);
  }

  // OpenOptions::direct_writes: StartWriteAt goes through a DirectWriter where it can.
  void EnableDirectWrites() { direct_ = DirectWriter::Open(path_, fd_); }

  Status ReadAt(uint64_t offset, void* dst, size_t len, size_t* read_len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "read"));
    size_t done = 0;
    auto* p = static_cast<uint8_t*>(dst);
    while (done < len) {
      ssize_t n = pread(fd_, p + done, std::min<size_t>(len - done, SSIZE_MAX),
                        static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("read " + path_ + " at offset " + std::to_string(offset + done), errno);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    *read_len = done;
    return Status::Ok();
  }

  Status ReadVAt(uint64_t offset, const IoSliceMut* slices, size_t count,
                 size_t* read_len) override {
    std::vector<iovec> iov;
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
      if (slices[i].len == 0) continue;
      iov.push_back(iovec{slices[i].data, slices[i].len});
      total += slices[i].len;
    }
    PAGER_RETURN_IF_ERROR(CheckRange(offset, total, "read"));
    size_t first = 0;
    uint64_t done = 0;
    while (first < iov.size()) {
      int n_iov = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
      ssize_t n = preadv(fd_, &iov[first], n_iov, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("read " + path_ + " at offset " + std::to_string(offset + done), errno);
      }
      if (n == 0) break;
      done += static_cast<uint64_t>(n);
      AdvanceIov(&iov, &first, static_cast<size_t>(n));
    }
    *read_len = static_cast<size_t>(done);
    return Status::Ok();
  }

  Status WriteAt(uint64_t offset, const void* src, size_t len) override {
    IoSlice s{src, len};
    return WriteVAt(offset, &s, 1);
  }

  // E8, D1: an aligned write starts on the O_DIRECT descriptor; any other is written now.
  Status StartWriteAt(uint64_t offset, const void* src, size_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "write"));
    PAGER_RETURN_IF_ERROR(RequireWritable("write"));
    if (direct_ != nullptr && direct_->Aligned(offset, src, len)) {
      return direct_->Start(offset, src, len);
    }
    return WriteAt(offset, src, len);
  }

  Status FinishWrites() override { return direct_ != nullptr ? direct_->Finish() : Status::Ok(); }

  Status WriteVAt(uint64_t offset, const IoSlice* slices, size_t count) override {
    // A buffered write never overtakes a started one (their ranges may overlap).
    if (direct_ != nullptr && !direct_->idle()) PAGER_RETURN_IF_ERROR(direct_->Finish());
    std::vector<iovec> iov;
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
      if (slices[i].len == 0) continue;
      iov.push_back(iovec{const_cast<void*>(slices[i].data), slices[i].len});
      total += slices[i].len;
    }
    PAGER_RETURN_IF_ERROR(CheckRange(offset, total, "write"));
    PAGER_RETURN_IF_ERROR(RequireWritable("write"));
    if (stream_) return StreamWrite(offset, &iov, total);
    size_t first = 0;
    uint64_t pos = offset;
    while (first < iov.size()) {
      int n_iov = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
      ssize_t n = pwritev(fd_, &iov[first], n_iov, static_cast<off_t>(pos));
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write " + path_ + " at offset " + std::to_string(pos), errno);
      }
      pos += static_cast<uint64_t>(n);
      AdvanceIov(&iov, &first, static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  Status RequireWritable(const char* what) const {
    if (writable_) return Status::Ok();
    return Status(Code::kReadOnly, std::string(what) + " on read-only " + path_);
  }

  // A pipe or socket: writes must be sequential (offset == bytes written so far).
  Status StreamWrite(uint64_t offset, std::vector<iovec>* iov, uint64_t total) {
    if (offset != stream_pos_) {
      return InvalidArgument("write at offset " + std::to_string(offset) + " to stream " + path_ +
                             " which is at offset " + std::to_string(stream_pos_));
    }
    size_t first = 0;
    while (first < iov->size()) {
      int n_iov = static_cast<int>(std::min<size_t>(iov->size() - first, IOV_MAX));
      ssize_t n = writev(fd_, &(*iov)[first], n_iov);
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write to stream " + path_, errno);
      }
      AdvanceIov(iov, &first, static_cast<size_t>(n));
    }
    stream_pos_ += total;
    return Status::Ok();
  }

  Status Sync() override {
    PAGER_RETURN_IF_ERROR(FinishWrites());  // E8
    if (stream_) return Status::Ok();  // nothing durable to flush on a pipe or socket
    if (fsync(fd_) != 0) return PosixError("fsync " + path_, errno);
    return Status::Ok();
  }

  Status DataSync() override {
    PAGER_RETURN_IF_ERROR(FinishWrites());  // E8
    if (stream_) return Status::Ok();
    if (fdatasync(fd_) != 0) return PosixError("fdatasync " + path_, errno);
    return Status::Ok();
  }

  Status SyncRange(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "sync range"));
    // sync_file_range does not flush the device cache or metadata: fdatasync is the only
    // portable durable primitive, and on a single file it costs the same.
    return DataSync();
  }

  Status StartWriteback(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "start writeback"));
    if (stream_ || len == 0) return Status::Ok();
    if (sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(len),
                        SYNC_FILE_RANGE_WRITE) == 0) {
      return Status::Ok();
    }
    const int err = errno;
    // E7: a file system without the call (or a file it does not apply to) takes no hint.
    if (err == ENOSYS || err == EINVAL || err == ESPIPE || err == EOPNOTSUPP) return Status::Ok();
    return PosixError("start writeback of " + path_, err);
  }

  Status Size(uint64_t* size) override {
    struct stat st;
    if (fstat(fd_, &st) != 0) return PosixError("stat " + path_, errno);
    *size = static_cast<uint64_t>(st.st_size);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    PAGER_RETURN_IF_ERROR(CheckRange(size, 0, "truncate"));
    PAGER_RETURN_IF_ERROR(RequireWritable("truncate"));
    if (ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return PosixError("truncate " + path_ + " to " + std::to_string(size), errno);
    }
    return Status::Ok();
  }

  Status Allocate(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "allocate"));
    PAGER_RETURN_IF_ERROR(RequireWritable("allocate"));
    if (len == 0) return Status::Ok();
    int rc = posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(len));
    if (rc != 0) {
      return PosixError("fallocate " + path_ + " [" + std::to_string(offset) + ", +" +
                            std::to_string(len) + ")",
                        rc);
    }
    return Status::Ok();
  }

  Status PunchHole(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "punch hole"));
    PAGER_RETURN_IF_ERROR(RequireWritable("punch hole"));
    if (len == 0) return Status::Ok();
    if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(len)) != 0) {
      return PosixError("punch hole in " + path_, errno);
    }
    return Status::Ok();
  }

  Status Lock(LockMode mode, int64_t wait_ms) override {
    int op = (mode == LockMode::kShared) ? LOCK_SH : LOCK_EX;
    if (wait_ms == kLockWaitForever) {
      while (flock(fd_, op) != 0) {
        if (errno != EINTR) return PosixError("lock " + path_, errno);
      }
      return Status::Ok();
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    int64_t sleep_us = 100;
    for (;;) {
      if (flock(fd_, op | LOCK_NB) == 0) return Status::Ok();
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) return PosixError("lock " + path_, errno);
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status(Code::kBusy, path_ + " is locked by another opener" +
                                       (wait_ms > 0 ? " (waited " + std::to_string(wait_ms) +
                                                          " ms)"
                                                    : std::string()));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
      sleep_us = std::min<int64_t>(sleep_us * 2, 10000);
    }
  }

  Status Unlock() override {
    if (flock(fd_, LOCK_UN) != 0) return PosixError("unlock " + path_, errno);
    return Status::Ok();
  }

  Status LockRange(uint64_t offset, uint64_t len, LockMode mode, int64_t wait_ms) override {
    PAGER_RETURN_IF_ERROR(CheckLockRange(offset, len));
    struct flock fl = RangeFlock(offset, len, mode == LockMode::kShared ? F_RDLCK : F_WRLCK);
    if (wait_ms == kLockWaitForever) {
      while (fcntl(fd_, F_OFD_SETLKW, &fl) != 0) {
        if (errno != EINTR) return PosixError("lock range of " + path_, errno);
      }
      return Status::Ok();
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    int64_t sleep_us = 20;
    for (;;) {
      if (fcntl(fd_, F_OFD_SETLK, &fl) == 0) return Status::Ok();
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EACCES) return PosixError("lock range of " + path_, errno);
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status(Code::kBusy, path_ + ": bytes [" + std::to_string(offset) + ", +" +
                                       std::to_string(len) + ") are locked by another opener" +
                                       (wait_ms > 0 ? " (waited " + std::to_string(wait_ms) +
                                                          " ms)"
                                                    : std::string()));
      }
      std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
      sleep_us = std::min<int64_t>(sleep_us * 2, 5000);
    }
  }

  Status UnlockRange(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckLockRange(offset, len));
    struct flock fl = RangeFlock(offset, len, F_UNLCK);
    if (fcntl(fd_, F_OFD_SETLK, &fl) != 0) return PosixError("unlock range of " + path_, errno);
    return Status::Ok();
  }

  Status AdviseFile(uint64_t offset, uint64_t len, Advice advice) override {
    int rc = posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(len),
                           ToFadvise(advice));
    if (rc != 0) return PosixError("fadvise " + path_, rc);
    return Status::Ok();
  }

  Status Map(size_t reserve_len, size_t map_len, bool writable,
             std::unique_ptr<Mapping>* out) override {
    if (map_len > reserve_len) {
      return InvalidArgument("map of " + path_ + ": length " + std::to_string(map_len) +
                             " exceeds the reservation " + std::to_string(reserve_len));
    }
    if (writable && !writable_) {
      return Status(Code::kReadOnly, "writable map of read-only " + path_);
    }
    if (reserve_len == 0) reserve_len = SystemPageSize();
    size_t page = SystemPageSize();
    reserve_len = (reserve_len + page - 1) / page * page;
    void* base = mmap(nullptr, reserve_len, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return PosixError("reserve address space for " + path_, errno);
    auto m = std::make_unique<PosixMapping>(fd_, path_, static_cast<uint8_t*>(base), reserve_len,
                                            0, writable);
    PAGER_RETURN_IF_ERROR(m->Remap(map_len));
    *out = std::move(m);
    return Status::Ok();
  }

 private:
  int fd_;
  bool writable_;
  bool owns_fd_;
  bool stream_;
  uint64_t stream_pos_ = 0;
  std::unique_ptr<DirectWriter> direct_;  // E8: null without OpenOptions::direct_writes
};

class PosixEnv final : public Env {
 public:
  Status Open(const std::string& path, const OpenOptions& o,
              std::unique_ptr<File>* out) override {
    int flags = (o.write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    if (o.create) flags |= O_CREAT;
    if (o.create && o.exclusive) flags |= O_EXCL;
    if (o.truncate) flags |= O_TRUNC;
    int fd;
    do {
      fd = open(path.c_str(), flags, static_cast<mode_t>(o.mode));
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return PosixError("open " + path, errno);
    auto file = std::make_unique<PosixFile>(path, fd, o.write, true);
    if (o.write && o.direct_writes) file->EnableDirectWrites();
    *out = std::move(file);
    return Status::Ok();
  }

  Status CreateUniqueFile(const std::string& dir, const std::string& prefix, std::string* path,
                          std::unique_ptr<File>* out) override {
    std::string templ = dir + "/" + prefix + std::string(6, 'X');  // mkostemp's template
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    int fd = mkostemp(buf.data(), O_CLOEXEC);
    if (fd < 0) return PosixError("create unique file in " + dir, errno);
    *path = buf.data();
    *out = std::make_unique<PosixFile>(*path, fd, true, true);
    return Status::Ok();
  }

  Status Exists(const std::string& path, bool* exists) override {
    struct stat st;
    if (stat(path.c_str(), &st) == 0) {
      *exists = true;
      return Status::Ok();
    }
    if (errno == ENOENT) {
      *exists = false;
      return Status::Ok();
    }
    return PosixError("stat " + path, errno);
  }

  Status Remove(const std::string& path) override {
    if (unlink(path.c_str()) != 0) return PosixError("remove " + path, errno);
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("rename " + from + " to " + to, errno);
    }
    return Status::Ok();
  }

  Status CreateDir(const std::string& path, uint32_t mode) override {
    if (mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0) {
      return PosixError("mkdir " + path, errno);
    }
    return Status::Ok();
  }

  Status RemoveDir(const std::string& path) override {
    if (rmdir(path.c_str()) != 0) return PosixError("rmdir " + path, errno);
    return Status::Ok();
  }

  Status ListDir(const std::string& path, std::vector<std::string>* names) override {
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return PosixError("list " + path, errno);
    names->clear();
    while (struct dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names->push_back(n);
    }
    closedir(d);
    std::sort(names->begin(), names->end());
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("open directory " + dir, errno);
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0) return PosixError("fsync directory " + dir, err);
    return Status::Ok();
  }

  uint64_t NowMicros() override {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    return static_cast<uint64_t>(tv.tv_sec) * 1000000u + static_cast<uint64_t>(tv.tv_usec);
  }
};

}  // namespace

Status AdviseMemory(void* addr, size_t len, Advice advice) {
  uintptr_t page = SystemPageSize();
  uintptr_t begin = reinterpret_cast<uintptr_t>(addr);
  if (len > UINTPTR_MAX - begin) return InvalidArgument("advise memory: range overflows");
  uintptr_t first = (begin + page - 1) / page * page;
  uintptr_t last = (begin + len) / page * page;
  if (first >= last) return Status::Ok();
  int how = ToMadvise(advice);
  if (how < 0) return InvalidArgument("advise memory: advice not supported here");
  if (madvise(reinterpret_cast<void*>(first), last - first, how) != 0) {
    return PosixError("madvise process memory", errno);
  }
  return Status::Ok();
}

std::unique_ptr<File> WrapFd(int fd, const std::string& name, bool writable, bool owns_fd) {
  bool stream = lseek(fd, 0, SEEK_CUR) < 0 && errno == ESPIPE;
  return std::make_unique<PosixFile>(name, fd, writable, owns_fd, stream);
}

namespace {
std::atomic<Env*> g_test_env{nullptr};
}  // namespace

Env* DefaultEnv() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: usable from atexit handlers
  Env* test_env = g_test_env.load(std::memory_order_acquire);
  return test_env != nullptr ? test_env : env;
}

void SetDefaultEnvForTesting(Env* env) { g_test_env.store(env, std::memory_order_release); }

}  // namespace io
}  // namespace pager
