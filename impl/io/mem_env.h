// MemEnv: the file seam in memory (no paths on disk), and FaultEnv: a MemEnv that tracks
// durability, simulates power loss and injects errors.
//
// Model (FaultEnv):
//   M1. Each file has `current` bytes (what reads and mappings see) and `durable` bytes (what
//       survives a power loss), plus the ordered list of writes made since its last sync.
//       Writes through a writable Mapping change `current` directly, like dirty page-cache
//       pages: the kernel may write them back at any time, so a crash may or may not keep them.
//   M2. Sync/DataSync make all of a file durable (including its size); SyncRange and
//       Mapping::Sync make only their range durable.
//   M3. Namespace changes (create, rename, remove) are pending until SyncDir of their
//       directory; a crash applies or drops each pending change, in order. (Directories
//       themselves are durable as soon as they are created.)
//   M4. CrashImage(seed) builds the files a power loss could leave: starting from `durable`,
//       each pending write is independently applied whole, dropped, or torn (a random subset
//       of its 512-byte sectors applied); sectors changed only through a mapping are kept or
//       dropped per sector; the size is the durable or the current one. The choice is a pure
//       function of the seed, so a failing seed replays exactly.
//   M5. Injected faults count operations across all files of the env: the Nth matching
//       operation fails once or, if persistent, from then on. A "lossy" sync failure reports an
//       error AND forgets the pending writes: they stay visible to reads, but their pages are
//       "clean", so no later sync (nor a crash) ever writes them -- until they are written
//       again. That is Linux's behaviour after a failed fsync, and why nobody may retry one.
//   M6. CrashAtSync(k): the k-th sync-family call (Sync, DataSync, SyncRange, Mapping::Sync,
//       SyncDir) and every mutating call after it fail with kIo "simulated crash"; the state
//       is frozen just before that sync, ready for CrashImage.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "impl/io/env.h"

namespace pager {
namespace io {

struct MemFileState;  // defined in mem_file_state.h (internal to impl/io)

class MemEnv : public Env {
 public:
  MemEnv();
  ~MemEnv() override;

  Status Open(const std::string& path, const OpenOptions& options,
              std::unique_ptr<File>* out) override;
  Status CreateUniqueFile(const std::string& dir, const std::string& prefix, std::string* path,
                          std::unique_ptr<File>* out) override;
  Status Exists(const std::string& path, bool* exists) override;
  Status Remove(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status CreateDir(const std::string& path, uint32_t mode) override;
  Status RemoveDir(const std::string& path) override;
  Status ListDir(const std::string& path, std::vector<std::string>* names) override;
  Status SyncDir(const std::string& dir) override;
  uint64_t NowMicros() override;

  // Test helpers: the current bytes of a file (what a read sees), and replacing them.
  Status GetFileBytes(const std::string& path, std::vector<uint8_t>* bytes);
  Status SetFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);
  // Paths of all files, sorted.
  std::vector<std::string> FilePaths();

  // Hooks FaultEnv overrides. Each returns a non-ok Status to make the operation fail.
  enum class Op {
    kRead, kWrite, kSync, kTruncate, kAllocate, kPunch, kOpen, kNamespace, kMap, kWriteback
  };
  virtual Status BeforeOp(Op op, const std::string& path);
  // Called by a sync-family operation before it makes anything durable. If it returns
  // non-ok, and *drop_pending is set, the file's pending writes are forgotten (M5).
  virtual Status BeforeSync(const std::string& path, bool* drop_pending);

 protected:
  friend class MemFile;
  friend class MemMapping;
  struct Node;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<MemFileState>> files_;
  std::map<std::string, bool> dirs_;
  uint64_t clock_us_ = 1700000000000000ull;

  // Durability bookkeeping, used only when tracking is on (FaultEnv).
  bool track_durability_ = false;
  struct NamespaceOp {
    enum Kind { kCreate, kRename, kRemove } kind;
    std::string from, to;  // kCreate/kRemove: path in `from`
    std::shared_ptr<MemFileState> file;
  };
  std::vector<NamespaceOp> pending_namespace_;
  std::map<std::string, std::shared_ptr<MemFileState>> durable_files_;
  void RecordNamespace(NamespaceOp op);
};

enum class FaultKind { kEio, kEnospc, kEnomem };

class FaultEnv : public MemEnv {
 public:
  FaultEnv();

  // --- error injection (M5) ---
  // The nth (1-based, counted from now) operation of `op` (any file) fails with `kind`;
  // once, or for every later matching operation if persistent.
  void FailNth(Op op, uint64_t nth, FaultKind kind, bool persistent);
  // Any operation at all (reads, writes, syncs, namespace) counts toward nth.
  void FailNthAny(uint64_t nth, FaultKind kind, bool persistent);
  // The nth sync-family call reports EIO after forgetting the file's pending writes.
  void FailSyncLosingData(uint64_t nth);
  void ClearFaults();
  uint64_t OpCount() const { return op_count_; }

  // --- crash simulation (M4, M6) ---
  uint64_t SyncCount() const { return sync_count_; }
  void CrashAtSync(uint64_t k);  // 1-based, counted from the env's creation
  bool crashed() const { return crashed_; }
  // The files a power loss at this moment could leave, chosen by seed.
  std::map<std::string, std::vector<uint8_t>> CrashImage(uint64_t seed);
  // A fresh MemEnv (without pending state) holding the given files; directories are
  // created for every parent path.
  static std::unique_ptr<FaultEnv> FromImage(const std::map<std::string, std::vector<uint8_t>>&);

  Status BeforeOp(Op op, const std::string& path) override;
  Status BeforeSync(const std::string& path, bool* drop_pending) override;

 private:
  struct Fault {
    bool any_op;
    Op op;
    uint64_t remaining;  // matching operations left before it fires
    FaultKind kind;
    bool persistent;
    bool fired;
  };
  Status Fire(const Fault& f, const std::string& path, const char* what);
  void FreezeAllLocked();  // records every file's current bytes at the crash (M6); mu_ held
  std::vector<Fault> faults_;
  uint64_t op_count_ = 0;
  uint64_t sync_count_ = 0;
  uint64_t crash_at_sync_ = 0;
  uint64_t lossy_sync_at_ = 0;
  bool crashed_ = false;
};

}  // namespace io
}  // namespace pager
