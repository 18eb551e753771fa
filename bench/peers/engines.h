// The engines bench/peers/peers_bench.cc drives with the same workloads: libpager's WAL pager
// through pager.h (as a user links it), SQLite in WAL mode with synchronous=FULL, LMDB with
// its default (synced) commits, RocksDB with sync=true writes and its WAL on. Keys are
// 0..key_count-1; every value is exactly kValueBytes (one 4 KiB page for libpager).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace peers {

constexpr uint32_t kValueBytes = 4096;

// What an engine did in the background or outside the commit call during a timed run.
struct Counters {
  uint64_t checkpoints = 0;  // libpager/SQLite checkpoints, RocksDB memtable flushes
  uint64_t compactions = 0;  // RocksDB compactions finished (in its background threads)
  uint64_t max_log_bytes = 0;  // largest WAL file seen after a commit (libpager, SQLite)
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const char* name() const = 0;
  // Creates a fresh database in dir (which exists and is empty).
  virtual void Create(const std::string& dir) = 0;
  // One durable transaction writing values[i] (kValueBytes each) under keys[i].
  virtual void Commit(const uint32_t* keys, const uint8_t* const* values, uint32_t count) = 0;
  // Moves everything logged into the main store (checkpoint / memtable flush); the timed
  // runs end with it ("final drain included").
  virtual void Drain() = 0;
  // Copies the value of key into dst (kValueBytes).
  virtual void Read(uint32_t key, uint8_t* dst) = 0;
  // Closes, drops the files from the OS page cache (posix_fadvise DONTNEED), reopens.
  virtual void ReopenCold() = 0;
  virtual void Close() = 0;
  Counters counters;
  // libpager only: the auto-checkpoint threshold (frames) the bench sets, 0 = default.
  uint32_t checkpoint_frames = 0;
  // Bytes of values the bench will store (keys x kValueBytes), set before Create (LMDB sizes
  // its map from it).
  uint64_t working_set_bytes = 0;
  // The run's memory limit leaves less page cache than the working set (bench-peers-large):
  // LMDB then opens with MDB_NORDAHEAD, as its documentation advises.
  bool cache_smaller_than_working_set = false;
};

std::unique_ptr<Engine> MakeLibpager();
// The same with the background checkpointer (pager_wal_options.background_checkpoint).
std::unique_ptr<Engine> MakeLibpagerBackground();
std::unique_ptr<Engine> MakeSqlite();
std::unique_ptr<Engine> MakeLmdb();
std::unique_ptr<Engine> MakeRocksdb();

// Helpers shared by the engines.
[[noreturn]] void Fail(const std::string& what);
void DropFileCache(const std::string& path);     // fsync-free posix_fadvise DONTNEED
void DropDirCache(const std::string& dir);       // every regular file in dir
uint64_t FileBytes(const std::string& path);     // 0 when missing

}  // namespace peers
