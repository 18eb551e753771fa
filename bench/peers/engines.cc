// The four engines of the peers benchmark (see engines.h). Each is used as its documentation
// tells a user to: default options except the ones named here.
#include "bench/peers/engines.h"

#include <dirent.h>
#include <fcntl.h>
#include <lmdb.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>

#include "pager.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"
#include "rocksdb/write_batch.h"

namespace peers {

void Fail(const std::string& what) {
  std::fprintf(stderr, "peers_bench: %s\n", what.c_str());
  std::exit(1);
}

void DropFileCache(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

void DropDirCache(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') DropFileCache(dir + "/" + e->d_name);
  }
  closedir(d);
}

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

namespace {

// ---- libpager: the WAL pager through pager.h -----------------------------------------------
// Page number = key + 1 (page 0 is the library's header). Defaults, FULL durability.
// background: pager_wal_options.background_checkpoint (W26), the row "libpager-bg".
class Libpager final : public Engine {
 public:
  explicit Libpager(bool background) : background_(background) {}
  const char* name() const override { return background_ ? "libpager-bg" : "libpager"; }
  ~Libpager() override { Close(); }
  void Create(const std::string& dir) override {
    path_ = dir + "/db";
    pager_wal_options o = Options();
    Check(pager_wal_create(path_.c_str(), &o, &h_), "pager_wal_create");
  }
  void Commit(const uint32_t* keys, const uint8_t* const* values, uint32_t count) override {
    for (uint32_t i = 0; i < count; i++) {
      Check(pager_wal_stage_page(h_, keys[i] + 1, values[i], kValueBytes), "stage_page");
    }
    Check(pager_wal_commit(h_, nullptr), "commit");
    UpdateCheckpoints();
    uint64_t wal = FileBytes(path_ + "-wal");
    if (wal > counters.max_log_bytes) counters.max_log_bytes = wal;
  }
  void Drain() override {
    Check(pager_wal_checkpoint(h_, nullptr, nullptr), "checkpoint");
    UpdateCheckpoints();
  }
  void Read(uint32_t key, uint8_t* dst) override {
    Check(pager_wal_read_page(h_, key + 1, dst, kValueBytes), "read_page");
  }
  void ReopenCold() override {
    pager_wal_close(h_);
    h_ = nullptr;
    base_checkpoints_ = counters.checkpoints;
    DropFileCache(path_);
    DropFileCache(path_ + "-wal");
    pager_wal_options o = Options();
    Check(pager_wal_open(path_.c_str(), &o, &h_), "pager_wal_open");
  }
  void Close() override {
    pager_wal_close(h_);
    h_ = nullptr;
  }
  // Checkpoints so far, across reopens (the bench takes differences around a timed run).
  void UpdateCheckpoints() {
    pager_wal_stats s;
    pager_wal_stats_init(&s);
    Check(pager_wal_get_stats(h_, &s), "get_stats");
    counters.checkpoints = base_checkpoints_ + s.checkpoints;
  }

 private:
  pager_wal_options Options() const {
    pager_wal_options o;
    pager_wal_options_init(&o);
    if (checkpoint_frames != 0) o.auto_checkpoint_frames = checkpoint_frames;
    o.background_checkpoint = background_ ? 1 : 0;
    return o;
  }
  static void Check(int rc, const char* what) {
    if (rc != PAGER_OK) Fail(std::string("libpager ") + what + ": " + pager_last_error());
  }
  bool background_;
  std::string path_;
  pager_wal* h_ = nullptr;
  uint64_t base_checkpoints_ = 0;
};

// ---- SQLite: WAL mode, synchronous=FULL ---------------------------------------------------
// Table kv(k INTEGER PRIMARY KEY, v BLOB); a transaction is BEGIN; UPDATE x n; COMMIT. The
// automatic checkpoint is SQLite's own policy (at 1000 WAL pages, PASSIVE, run by the
// committing connection), reproduced by a wal_hook so that it can be counted.
class Sqlite final : public Engine {
 public:
  const char* name() const override { return "sqlite"; }
  ~Sqlite() override { Close(); }
  void Create(const std::string& dir) override {
    path_ = dir + "/db.sqlite";
    OpenDb();
  }
  void Commit(const uint32_t* keys, const uint8_t* const* values, uint32_t count) override {
    Exec("BEGIN");
    for (uint32_t i = 0; i < count; i++) {
      sqlite3_bind_int64(put_, 1, keys[i]);
      sqlite3_bind_blob(put_, 2, values[i], kValueBytes, SQLITE_STATIC);
      if (sqlite3_step(put_) != SQLITE_DONE) {
        Fail(std::string("sqlite put: ") + sqlite3_errmsg(db_));
      }
      sqlite3_reset(put_);
    }
    Exec("COMMIT");
    uint64_t wal = FileBytes(path_ + "-wal");
    if (wal > counters.max_log_bytes) counters.max_log_bytes = wal;
  }
  void Drain() override {
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) !=
        SQLITE_OK) {
      Fail(std::string("sqlite checkpoint: ") + sqlite3_errmsg(db_));
    }
    counters.checkpoints++;
  }
  void Read(uint32_t key, uint8_t* dst) override {
    sqlite3_bind_int64(get_, 1, key);
    if (sqlite3_step(get_) != SQLITE_ROW) Fail("sqlite get: no row");
    if (sqlite3_column_bytes(get_, 0) != static_cast<int>(kValueBytes)) Fail("sqlite get size");
    std::memcpy(dst, sqlite3_column_blob(get_, 0), kValueBytes);
    sqlite3_reset(get_);
  }
  void ReopenCold() override {
    Close();
    DropFileCache(path_);
    DropFileCache(path_ + "-wal");
    OpenDb();
  }
  void Close() override {
    if (db_ == nullptr) return;
    sqlite3_finalize(put_);
    sqlite3_finalize(get_);
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  static int OnWal(void* self, sqlite3* db, const char* name, int pages) {
    if (pages < 1000) return SQLITE_OK;  // SQLite's default wal_autocheckpoint
    static_cast<Sqlite*>(self)->counters.checkpoints++;
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  void OpenDb() {
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) Fail("sqlite open " + path_);
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
    sqlite3_wal_hook(db_, &Sqlite::OnWal, this);
    Exec("CREATE TABLE IF NOT EXISTS kv(k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
    Prepare("INSERT OR REPLACE INTO kv(k, v) VALUES(?, ?)", &put_);
    Prepare("SELECT v FROM kv WHERE k = ?", &get_);
  }
  void Prepare(const char* sql, sqlite3_stmt** out) {
    if (sqlite3_prepare_v2(db_, sql, -1, out, nullptr) != SQLITE_OK) {
      Fail(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
    }
  }
  void Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      Fail(std::string("sqlite ") + sql + ": " + (err ? err : "?"));
    }
  }
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
};

// ---- LMDB: default flags (each commit syncs the data, then the meta page) -------------------
// Keys are 4-byte big-endian; one write transaction per durable transaction. Reads use one
// read-only transaction per timed read loop (renewed, as its documentation recommends).
class Lmdb final : public Engine {
 public:
  const char* name() const override { return "lmdb"; }
  ~Lmdb() override { Close(); }
  void Create(const std::string& dir) override {
    dir_ = dir;
    OpenEnv();
  }
  void Commit(const uint32_t* keys, const uint8_t* const* values, uint32_t count) override {
    EndRead();
    MDB_txn* txn = nullptr;
    Check(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin");
    for (uint32_t i = 0; i < count; i++) {
      uint8_t k[4];
      Key(keys[i], k);
      MDB_val key{sizeof k, k};
      MDB_val val{kValueBytes, const_cast<uint8_t*>(values[i])};
      Check(mdb_put(txn, dbi_, &key, &val, 0), "put");
    }
    Check(mdb_txn_commit(txn), "commit");
  }
  void Drain() override {}
  void Read(uint32_t key, uint8_t* dst) override {
    if (read_ == nullptr) Check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_), "read txn");
    uint8_t k[4];
    Key(key, k);
    MDB_val mk{sizeof k, k}, val;
    Check(mdb_get(read_, dbi_, &mk, &val), "get");
    if (val.mv_size != kValueBytes) Fail("lmdb get size");
    std::memcpy(dst, val.mv_data, kValueBytes);
  }
  void ReopenCold() override {
    Close();
    DropDirCache(dir_);
    OpenEnv();
  }
  void Close() override {
    if (env_ == nullptr) return;
    EndRead();
    mdb_env_close(env_);
    env_ = nullptr;
  }

 private:
  static void Key(uint32_t key, uint8_t* k) {
    k[0] = uint8_t(key >> 24), k[1] = uint8_t(key >> 16), k[2] = uint8_t(key >> 8);
    k[3] = uint8_t(key);
  }
  static void Check(int rc, const char* what) {
    if (rc != MDB_SUCCESS) Fail(std::string("lmdb ") + what + ": " + mdb_strerror(rc));
  }
  void EndRead() {
    if (read_ != nullptr) mdb_txn_abort(read_);
    read_ = nullptr;
  }
  void OpenEnv() {
    Check(mdb_env_create(&env_), "env_create");
    // 4x the values: overflow pages, branch pages and the copy-on-write free space.
    const uint64_t map_bytes = std::max<uint64_t>(uint64_t{1} << 30, 4 * working_set_bytes);
    Check(mdb_env_set_mapsize(env_, static_cast<size_t>(map_bytes)), "set_mapsize");
    // MDB_NORDAHEAD when the working set exceeds the page cache, as LMDB's documentation
    // advises for that case (with the device's read-ahead, each fault read a whole window).
    const unsigned flags = cache_smaller_than_working_set ? MDB_NORDAHEAD : 0;
    Check(mdb_env_open(env_, dir_.c_str(), flags, 0644), "env_open");
    MDB_txn* txn = nullptr;
    Check(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin");
    Check(mdb_dbi_open(txn, nullptr, 0, &dbi_), "dbi_open");
    Check(mdb_txn_commit(txn), "commit");
  }
  std::string dir_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_txn* read_ = nullptr;
};

// ---- RocksDB: WriteOptions::sync = true, WAL on, default options otherwise ------------------
// One WriteBatch per durable transaction. Memtable flushes and compactions run in RocksDB's
// background threads; a listener counts them. Drain = a blocking memtable flush.
class FlushCounter final : public rocksdb::EventListener {
 public:
  void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo&) override { flushes++; }
  void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo&) override {
    compactions++;
  }
  std::atomic<uint64_t> flushes{0}, compactions{0};
};

class Rocksdb final : public Engine {
 public:
  const char* name() const override { return "rocksdb"; }
  ~Rocksdb() override { Close(); }
  void Create(const std::string& dir) override {
    dir_ = dir + "/rocks";
    listener_ = std::make_shared<FlushCounter>();
    OpenDb();
  }
  void Commit(const uint32_t* keys, const uint8_t* const* values, uint32_t count) override {
    rocksdb::WriteBatch batch;
    for (uint32_t i = 0; i < count; i++) {
      uint8_t k[4];
      Key(keys[i], k);
      batch.Put(rocksdb::Slice(reinterpret_cast<char*>(k), 4),
                rocksdb::Slice(reinterpret_cast<const char*>(values[i]), kValueBytes));
    }
    rocksdb::WriteOptions w;
    w.sync = true;
    Check(db_->Write(w, &batch), "write");
    Sync();
  }
  void Drain() override {
    Check(db_->Flush(rocksdb::FlushOptions()), "flush");
    Sync();
  }
  void Read(uint32_t key, uint8_t* dst) override {
    uint8_t k[4];
    Key(key, k);
    rocksdb::PinnableSlice v;
    Check(db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(),
                   rocksdb::Slice(reinterpret_cast<char*>(k), 4), &v),
          "get");
    if (v.size() != kValueBytes) Fail("rocksdb get size");
    std::memcpy(dst, v.data(), kValueBytes);
  }
  void ReopenCold() override {
    Close();
    DropDirCache(dir_);
    OpenDb();
  }
  void Close() override { db_.reset(); }

 private:
  static void Key(uint32_t key, uint8_t* k) {
    k[0] = uint8_t(key >> 24), k[1] = uint8_t(key >> 16), k[2] = uint8_t(key >> 8);
    k[3] = uint8_t(key);
  }
  static void Check(const rocksdb::Status& s, const char* what) {
    if (!s.ok()) Fail(std::string("rocksdb ") + what + ": " + s.ToString());
  }
  void Sync() {
    counters.checkpoints = listener_->flushes.load();
    counters.compactions = listener_->compactions.load();
  }
  void OpenDb() {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.listeners.push_back(listener_);
    rocksdb::DB* db = nullptr;
    Check(rocksdb::DB::Open(o, dir_, &db), "open");
    db_.reset(db);
  }
  std::string dir_;
  std::shared_ptr<FlushCounter> listener_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::unique_ptr<Engine> MakeLibpager() { return std::make_unique<Libpager>(false); }
std::unique_ptr<Engine> MakeLibpagerBackground() { return std::make_unique<Libpager>(true); }
std::unique_ptr<Engine> MakeSqlite() { return std::make_unique<Sqlite>(); }
std::unique_ptr<Engine> MakeLmdb() { return std::make_unique<Lmdb>(); }
std::unique_ptr<Engine> MakeRocksdb() { return std::make_unique<Rocksdb>(); }

}  // namespace peers
