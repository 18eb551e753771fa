// ScratchStore: one process's private scratch directory for the cold pager's file backend,
// the lock that marks it as owned by a live process, and the few shared scratch files whose
// extents hold paged-out bytes. Layout and the stale-directory protocol are described in
// doc/cold-pager.md ("Scratch layout").
//
// Invariants:
//   D1. <root>/libpager-cold-<random> is the owner lock file; its directory is the same name
//       plus ".d" (mode 0700). The owner holds an exclusive flock on the lock file from before
//       the directory exists until after it is removed, for the whole life of the store.
//   D2. A directory is stale exactly when its lock file can be locked exclusively: flock is
//       released by the kernel when its owner dies, whatever its PID became. A live owner is
//       never removed, and the lock file is removed last, so a cleanup interrupted half-way is
//       finished by the next one.
//   D3. Inside the directory there are only data-<k> files, k < file_count, created on first
//       use; each has its own mutex and ExtentAllocator, and every allocation, punch and
//       truncate of that file happens under its mutex (a hole is never punched into an extent
//       that was handed out again).
//   D4. Reads and writes of an allocated extent happen without the mutex: the extent belongs
//       to exactly one handle until it is released.
//   D5. Warm pool: a released extent whose blocks fit in the file's retain budget is kept
//       allocated (not punched, not truncated) in a pool keyed by its aligned length, and the
//       next allocation of exactly that length takes it back (pwrite over blocks the
//       filesystem already has, instead of allocating and freeing blocks each time). The pool
//       never holds more than retain_bytes per file; everything beyond is released at once.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "impl/cold/extent_allocator.h"
#include "impl/common/status.h"
#include "impl/io/env.h"

namespace pager {
namespace cold {

struct StaleScan {
  uint64_t removed = 0;  // stale directories removed
  uint64_t live = 0;     // directories of live owners left alone
  uint64_t failed = 0;   // stale directories that could not be removed (tried again next time)
  uint64_t stale = 0;    // stale directories seen and left in place (a scan without removal)
};

// What a scan found for one lock file (pager_cold_reap hands it to its caller).
enum class ScratchState { kLive, kStale, kRemoved, kFailed, kGone };
using ScratchVisitor = std::function<Status(const std::string& lock_path, ScratchState)>;

class ScratchStore {
 public:
  static constexpr const char* kPrefix = "libpager-cold-";
  static constexpr const char* kDirSuffix = ".d";
  static constexpr const char* kDataPrefix = "data-";

  // Creates the private directory under root (root itself is created, mode 0755, if missing
  // and its parent exists). On failure nothing is left behind and the call may be retried.
  static Result<std::unique_ptr<ScratchStore>> Create(io::Env* env, const std::string& root,
                                                      uint32_t file_count, uint64_t align,
                                                      uint64_t retain_bytes);

  // Removes stale directories under root (D2) other than own_lock_name. Best effort: a
  // directory that cannot be removed is counted, never an error.
  static void RemoveStale(io::Env* env, const std::string& root,
                          const std::string& own_lock_name, StaleScan* scan);

  // Scans root as RemoveStale does, removing stale directories only when `remove`; a scan
  // without removal takes each unowned lock for an instant and releases it (D2). visit (may
  // be empty) sees every lock file with what was found or done; its error stops the scan and
  // is returned. An unreadable root is an error here (RemoveStale ignores it).
  static Status Scan(io::Env* env, const std::string& root, const std::string& own_lock_name,
                     bool remove, const ScratchVisitor& visit, StaleScan* scan);

  ~ScratchStore();
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  const std::string& root() const { return root_; }
  const std::string& dir() const { return dir_; }
  const std::string& lock_path() const { return lock_path_; }
  std::string lock_name() const { return lock_path_.substr(lock_path_.rfind('/') + 1); }
  uint32_t file_count() const { return static_cast<uint32_t>(files_.size()); }

  struct Extent {
    uint32_t file_index = 0;
    io::File* file = nullptr;
    uint64_t offset = 0;
    uint64_t data_len = 0;  // bytes the caller stores (the extent is its aligned length)
  };

  // Allocates an extent for len > 0 bytes in scratch file file_index % file_count, creating
  // the file on first use.
  Result<Extent> Allocate(uint64_t len, uint32_t file_index);

  struct ReleaseCounts {
    uint64_t punches = 0;
    uint64_t truncates = 0;
    uint64_t retained = 0;  // kept in the warm pool (D5)
  };
  // Returns the extent's space: punches its blocks, or truncates the file when the free space
  // reaches the end (X3). The extent is free again even if the punch or truncate fails.
  Status Release(const Extent& extent, ReleaseCounts* counts);

  struct Usage {
    uint64_t allocated_bytes = 0;  // bytes of extents in use by handles
    uint64_t retained_bytes = 0;   // bytes in the warm pools (D5)
    uint64_t file_bytes = 0;       // sum of scratch file lengths (holes included)
    uint64_t files_open = 0;
  };
  Usage GetUsage() const;

  // Checks D3/X1-X3 for every file (tests, fuzzing).
  Status CheckInvariants() const;

 private:
  friend class ScratchStoreTestPeer;  // tests/cold_invariants_test.cc breaks D5 on purpose
  // One lock file of a scan (kGone: it vanished before it could be opened).
  static ScratchState ScanOne(io::Env* env, const std::string& lock_path, bool remove,
                              StaleScan* scan);
  struct DataFile {
    explicit DataFile(uint64_t align) : extents(align) {}
    mutable std::mutex mu;
    std::unique_ptr<io::File> file;
    std::string path;
    ExtentAllocator extents;                 // warm extents count as allocated here
    std::multimap<uint64_t, uint64_t> warm;  // D5: aligned length -> offset
    uint64_t warm_bytes = 0;
  };
  ScratchStore(io::Env* env, std::string root, std::string lock_path,
               std::unique_ptr<io::File> lock_file, uint32_t file_count, uint64_t align,
               uint64_t retain_bytes);
  Status OpenDataFile(DataFile* f, uint32_t index);

  io::Env* env_;
  std::string root_;
  std::string lock_path_;
  std::string dir_;
  std::unique_ptr<io::File> lock_file_;  // holds the D1 flock
  uint64_t retain_bytes_;                 // D5 budget per file
  std::vector<std::unique_ptr<DataFile>> files_;
};

}  // namespace cold
}  // namespace pager
