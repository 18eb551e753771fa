// The file seam: every byte libpager reads or writes, every sync, mapping and lock goes
// through an Env and the File objects it opens. Three implementations:
//
//   PosixEnv  (posix_env.cc)  the real one; errno becomes a Status here and nowhere else.
//   MemEnv    (mem_env.cc)    files in memory, no paths on disk; for fuzzing and fast tests.
//   FaultEnv  (fault_env.cc)  a MemEnv that knows which bytes are durable, produces the file
//                             images a power loss could leave, and injects errors.
//
// Invariants:
//   E1. A File is one open file description. Lock/Unlock are flock() locks of that
//       description; the library never opens a second descriptor of a flock-locked file.
//   E6. LockRange/UnlockRange are open-file-description byte-range locks (F_OFD_SETLK): they
//       belong to the File (not to the process, not to a thread), conflict between two Files
//       even inside one process, are released when the File is destroyed (or its process
//       dies), and never interact with flock(). Classic fcntl(F_SETLK) locks are never used:
//       they belong to the process and vanish when any descriptor of the file is closed.
//   E2. Offsets and lengths are uint64_t/size_t; every call checks offset + length for
//       overflow before doing anything.
//   E3. A short read is reported through *read_len, never as garbage: ReadAt returns ok
//       with read_len < len only at end of file.
//   E4. Mapping pointers stay valid until the Mapping is destroyed, however the mapped
//       length changes (the address range is reserved up front).
//   E5. Sync, DataSync, SyncRange and Mapping::Sync report failure exactly once per failure;
//       callers must not retry them (the data may already be gone) -- they poison instead.
//   E7. StartWriteback is a hint, not a sync: it asks the kernel to begin writing
//       [offset, offset+len) back (sync_file_range with SYNC_FILE_RANGE_WRITE alone, which
//       neither waits nor consumes a writeback error, so the Sync/DataSync that follows still
//       reports it) and makes nothing durable; a crash model ignores it. A file system that
//       cannot take the hint is ok; an I/O error starting writeback is reported, and the
//       caller treats it as it treats a failed write.
//   E8. StartWriteAt may return before its bytes reach the file (PosixFile with
//       OpenOptions::direct_writes: an asynchronous O_DIRECT write, no page-cache copy);
//       FinishWrites waits for every write this File started and reports the first failure
//       among them once. The caller keeps [src, src+len) valid and unchanged until
//       FinishWrites (or the File's destruction) returns. Sync and DataSync finish started
//       writes first and fail if one of them failed. Like WriteAt, a started write makes
//       nothing durable before a later Sync/DataSync returns. A File without asynchronous
//       writes (the default, MemEnv's) writes at once; FaultEnv defers them to FinishWrites
//       so that a caller who reuses the bytes too early is caught.
//   E4a. An access-pattern advice (kNormal, kSequential, kRandom) accepted for the whole mapped
//       range [0, mapped_len) belongs to the Mapping: Remap gives it to the bytes a growth
//       adds (the kernel would map them with no advice), so the whole mapping keeps it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "impl/common/status.h"

namespace pager {
namespace io {

struct IoSlice {
  const void* data;
  size_t len;
};

// A destination piece for a scatter read (ReadVAt).
struct IoSliceMut {
  void* data;
  size_t len;
};

enum class LockMode { kShared, kExclusive };

// How Lock waits: 0 = fail at once with kBusy; > 0 = retry until that many milliseconds have
// passed, then kBusy; kLockWaitForever = block.
constexpr int64_t kLockWaitForever = -1;

// kPopulateRead is for a Mapping only: fill the range's page tables now from the page cache
// (MADV_POPULATE_READ, Linux 5.14+; reading from the file what is not cached), so later reads
// of the range take no page faults. It costs the whole range's page-table setup (and RSS) up
// front; refused (kInvalid) where the kernel lacks it. As a file advice it is kWillNeed.
enum class Advice { kNormal, kSequential, kRandom, kWillNeed, kDontNeed, kCold, kPopulateRead };

// A reserved address range with a file mapped over its prefix (E4).
class Mapping {
 public:
  virtual ~Mapping() = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  uint8_t* data() const { return data_; }
  size_t reserved_len() const { return reserved_len_; }
  size_t mapped_len() const { return mapped_len_; }
  bool writable() const { return writable_; }

  // Maps the file over [0, new_len) of the reservation. new_len <= reserved_len. The file
  // must already be at least new_len long (callers extend it with Allocate first).
  virtual Status Remap(size_t new_len) = 0;

  // Makes [offset, offset+len) of the mapping durable (msync MS_SYNC). See E5.
  virtual Status Sync(size_t offset, size_t len) = 0;

  // Advises the kernel about [offset, offset+len). Returns kInvalid if the advice was refused
  // (callers that only hint may ignore the Status). E4a: an access-pattern advice for the
  // whole mapped range is kept across Remap.
  virtual Status Advise(size_t offset, size_t len, Advice advice) = 0;

  // E4b: replaces [offset, offset+len) of a read-only mapping by a private copy of src -- the
  // file is not written, later reads of the range see src, the range may reach past
  // mapped_len (which grows to cover it) up to reserved_len; src null: zeros (which take no
  // memory until read, on POSIX). offset and len are multiples of
  // overlay_granularity() (the system page). Only before data() is handed out: an
  // implementation may move data(). kInvalid for a writable mapping, a misaligned range or
  // one past the reservation.
  virtual Status Overlay(size_t offset, const void* src, size_t len) = 0;
  virtual size_t overlay_granularity() const = 0;

  // Sets *all_resident to whether every page of [offset, offset+len) is in memory now
  // (mincore: a hint, stale at once). kInvalid where the Env cannot tell (the default), so a
  // caller that only saves work on resident ranges does that work.
  virtual Status Resident(size_t offset, size_t len, bool* all_resident) {
    (void)offset;
    (void)len;
    (void)all_resident;
    return Status(Code::kInvalid, "residency of this mapping is not known");
  }

 protected:
  Mapping(uint8_t* data, size_t reserved_len, size_t mapped_len, bool writable)
      : data_(data), reserved_len_(reserved_len), mapped_len_(mapped_len), writable_(writable) {}
  // E4b's preconditions, for the implementations.
  Status CheckOverlay(size_t offset, size_t len, const std::string& what) const {
    size_t g = overlay_granularity();
    if (writable_) return Status(Code::kInvalid, what + ": the mapping is writable");
    if (offset % g != 0 || len % g != 0) {
      return Status(Code::kInvalid, what + ": range not aligned to " + std::to_string(g));
    }
    if (offset > reserved_len_ || len > reserved_len_ - offset) {
      return Status(Code::kInvalid, what + ": past the reservation");
    }
    return Status::Ok();
  }
  uint8_t* data_;
  size_t reserved_len_;
  size_t mapped_len_;
  bool writable_;
};

class File {
 public:
  virtual ~File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }

  // Reads up to len bytes at offset; *read_len < len only at end of file (E3).
  virtual Status ReadAt(uint64_t offset, void* dst, size_t len, size_t* read_len) = 0;
  // Reads exactly len bytes or fails (kIo naming the short read, or kCorrupt if
  // short_is_corrupt, for callers reading structures whose length the file promised).
  Status ReadExactAt(uint64_t offset, void* dst, size_t len, bool short_is_corrupt = false);

  // Scatter read: fills the slices in order from consecutive file bytes starting at offset;
  // *read_len is the total read, < the slices' total only at end of file (E3). The default
  // loops over ReadAt (MemEnv/FaultEnv inherit it, so read faults apply per slice); PosixFile
  // issues one preadv per IOV_MAX slices.
  virtual Status ReadVAt(uint64_t offset, const IoSliceMut* slices, size_t count,
                         size_t* read_len);

  virtual Status WriteAt(uint64_t offset, const void* src, size_t len) = 0;
  virtual Status WriteVAt(uint64_t offset, const IoSlice* slices, size_t count) = 0;
  // E8: starts writing [src, src+len) at offset; src stays untouched until FinishWrites.
  virtual Status StartWriteAt(uint64_t offset, const void* src, size_t len) {
    return WriteAt(offset, src, len);
  }
  // E8: waits for the writes StartWriteAt started; the first failure among them.
  virtual Status FinishWrites() { return Status::Ok(); }

  virtual Status Sync() = 0;      // fsync
  virtual Status DataSync() = 0;  // fdatasync
  // Makes [offset, offset+len) durable (sync_file_range with WAIT_BEFORE|WRITE|WAIT_AFTER on
  // POSIX, followed by fdatasync when the range grows the file).
  virtual Status SyncRange(uint64_t offset, uint64_t len) = 0;
  // Starts writeback of [offset, offset+len) without waiting (E7): a sync that follows then
  // finds the bytes already on their way to the device.
  virtual Status StartWriteback(uint64_t offset, uint64_t len) = 0;

  virtual Status Size(uint64_t* size) = 0;
  virtual Status Truncate(uint64_t size) = 0;
  // Reserves blocks for [offset, offset+len) (fallocate mode 0): the file grows if needed and
  // later writes there cannot fail for lack of space. kNoSpace when the disk is full.
  virtual Status Allocate(uint64_t offset, uint64_t len) = 0;
  // Deallocates [offset, offset+len) keeping the size; reads there return zeros.
  virtual Status PunchHole(uint64_t offset, uint64_t len) = 0;

  virtual Status Lock(LockMode mode, int64_t wait_ms) = 0;
  virtual Status Unlock() = 0;

  // Byte-range lock of [offset, offset+len) held by this File (E6); len > 0. Taking a range
  // this File already holds converts it (shared <-> exclusive), as fcntl does. wait_ms as for
  // Lock: 0 = kBusy at once, > 0 = retry until then, kLockWaitForever = block. The bytes need
  // not exist in the file.
  virtual Status LockRange(uint64_t offset, uint64_t len, LockMode mode, int64_t wait_ms) = 0;
  // Releases whatever part of [offset, offset+len) this File holds (none held: ok).
  virtual Status UnlockRange(uint64_t offset, uint64_t len) = 0;

  // Advises the kernel about the file's cached pages (posix_fadvise). Hints only.
  virtual Status AdviseFile(uint64_t offset, uint64_t len, Advice advice) = 0;

  // Reserves reserve_len bytes of address space and maps [0, map_len) of the file over it
  // (map_len <= reserve_len, map_len <= file size). writable requires a read-write File.
  virtual Status Map(size_t reserve_len, size_t map_len, bool writable,
                     std::unique_ptr<Mapping>* out) = 0;

 protected:
  explicit File(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct OpenOptions {
  bool write = false;       // open read-write (else read-only)
  bool create = false;      // create if missing
  bool exclusive = false;   // with create: fail with kExists if it exists
  bool truncate = false;    // truncate to zero length
  uint32_t mode = 0644;     // permission bits for a created file
  // With write: StartWriteAt may bypass the page cache (E8) where the file system and kernel
  // allow (O_DIRECT and asynchronous I/O); a hint for files written far more than read.
  bool direct_writes = false;
};

class Env {
 public:
  virtual ~Env() = default;

  virtual Status Open(const std::string& path, const OpenOptions& options,
                      std::unique_ptr<File>* out) = 0;
  // Creates a new file with a unique name (<dir>/<prefix> plus six random characters),
  // opened read-write.
  virtual Status CreateUniqueFile(const std::string& dir, const std::string& prefix,
                                  std::string* path, std::unique_ptr<File>* out) = 0;
  virtual Status Exists(const std::string& path, bool* exists) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status CreateDir(const std::string& path, uint32_t mode) = 0;  // kExists if present
  virtual Status RemoveDir(const std::string& path) = 0;                 // must be empty
  virtual Status ListDir(const std::string& path, std::vector<std::string>* names) = 0;
  // Makes creations, renames and removals of entries in dir durable (fsync of the directory).
  virtual Status SyncDir(const std::string& dir) = 0;
  // Wall clock in microseconds since the epoch (snapshot timestamps).
  virtual uint64_t NowMicros() = 0;
};

// The environment the C API uses: the process's POSIX environment (never destroyed), unless
// a test replaced it with SetDefaultEnvForTesting.
Env* DefaultEnv();

// Tests only (not in pager.h): makes DefaultEnv() return env (a MemEnv or FaultEnv), so a test
// can drive pager_* calls through the fault seam; nullptr restores the POSIX environment.
// The caller keeps env alive until it is replaced. Not thread-safe against concurrent
// pager_* calls that open files.
void SetDefaultEnvForTesting(Env* env);

// The directory part of a path ("a/b/c" -> "a/b", "c" -> ".", "/c" -> "/").
std::string DirName(const std::string& path);

}  // namespace io
}  // namespace pager
