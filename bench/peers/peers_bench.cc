// make bench-peers: the same workloads through libpager (pager.h), SQLite (WAL,
// synchronous=FULL), LMDB (default sync) and RocksDB (sync writes, WAL on), next to the raw
// floor, interleaved: each repetition runs the floor and then every engine once, and each
// engine's figure is divided by the floor of its own repetition. Reported: medians of the
// repetitions with their spread (min-max), the ratio to the floor and to the best peer.
//
// Workloads (working set: PEERS_KEYS keys/pages of 4 KiB, default 4,096 = 16 MiB, filled first):
//   write-rand-1    1 random key per durable transaction
//   write-seq-1     1 key per transaction, keys in order
//   write-rand-256  256 distinct random keys (1 MiB) per durable transaction
//   write-seq-256   256 consecutive keys per transaction, walking the working set
//   read-cached     random 4 KiB reads, everything read once before timing
//   read-uncached   random 4 KiB reads right after posix_fadvise(DONTNEED) of every file
//   read-rand       (instead of read-cached when PEERS_MEMORY_MIB is set: the working set is
//                   larger than the page cache the run may use) random 4 KiB reads in whatever
//                   state the writes left the cache; floor: random 4 KiB preads of the floor
//                   file in the same state
// Writes are "steady state, checkpoints counted": the engines were warmed (filled, then one
// untimed round), at least 10 libpager checkpoint cycles fall inside each timed run (the
// bench lowers libpager's auto_checkpoint_frames when the run is too short for 10 cycles at
// the library default, and says so), and the final drain (checkpoint / memtable flush) is
// inside the timed run. Floors: one pwrite of the transaction's bytes + fdatasync over
// already-written blocks (writes); memcpy of 4 KiB from a 16 MiB buffer (cached reads); one
// 4 KiB pread of a dropped 16 MiB file (uncached reads).
//
// Usage: peers_bench [--csv FILE] [DIR]   (DIR: where the databases go; default $TMPDIR or /tmp)
// Environment: PEERS_SCALE (default 1) multiplies every transaction and read count;
// PEERS_SCALE_1 (default PEERS_SCALE) overrides it for the 1-key workloads (one device flush
// per transaction: on a slow, shared disk they dominate the run time); PEERS_REPS (default 5)
// the repetitions; PEERS_KEYS (default 4096, a multiple of 256) the working set in keys;
// PEERS_MEMORY_MIB the memory limit the run is under (set by `make bench-peers-large`, which
// runs this program in a memory cgroup with tools/memlimit.sh): printed, and it turns
// read-cached into read-rand.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/peers/engines.h"
#include "pager.h"

namespace peers {
namespace {

using Clock = std::chrono::steady_clock;
uint32_t g_keys = 4096;  // PEERS_KEYS: the working set, in keys
uint64_t WorkingSetBytes() { return uint64_t{g_keys} * kValueBytes; }

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// Incompressible values: slices of a random pool, stamped with the transaction number.
class Values {
 public:
  Values() : pool_(2u << 20) {
    Rng r{42};
    for (size_t i = 0; i + 8 <= pool_.size(); i += 8) {
      uint64_t x = r.Next();
      std::memcpy(&pool_[i], &x, 8);
    }
    bufs_.assign(256, std::vector<uint8_t>(kValueBytes));
  }
  // values for transaction txn, count of them.
  std::vector<const uint8_t*> For(uint64_t txn, uint32_t count) {
    std::vector<const uint8_t*> v(count);
    for (uint32_t i = 0; i < count; i++) {
      size_t off = static_cast<size_t>((txn * 7919 + i * 4099) % (1u << 20));
      std::memcpy(bufs_[i].data(), &pool_[off], kValueBytes);
      std::memcpy(bufs_[i].data(), &txn, sizeof txn);
      v[i] = bufs_[i].data();
    }
    return v;
  }

 private:
  std::vector<uint8_t> pool_;
  std::vector<std::vector<uint8_t>> bufs_;
};

struct Workload {
  std::string name;
  bool write;
  bool random;
  uint32_t per_txn;  // keys per transaction (writes)
  uint32_t count;    // transactions (writes) or reads per repetition
};

// The keys of transaction i of a repetition (distinct inside the transaction).
std::vector<uint32_t> Keys(const Workload& w, Rng* rng, uint64_t i) {
  std::vector<uint32_t> k(w.per_txn);
  if (!w.random) {
    for (uint32_t j = 0; j < w.per_txn; j++) {
      k[j] = static_cast<uint32_t>((i * w.per_txn + j) % g_keys);
    }
    return k;
  }
  static std::vector<uint32_t> perm;
  if (perm.empty()) {
    for (uint32_t j = 0; j < g_keys; j++) perm.push_back(j);
  }
  for (uint32_t j = 0; j < w.per_txn; j++) {  // partial Fisher-Yates: distinct keys
    uint32_t pick = j + static_cast<uint32_t>(rng->Next() % (g_keys - j));
    std::swap(perm[j], perm[pick]);
    k[j] = perm[j];
  }
  return k;
}

// ---- floors ------------------------------------------------------------------------------

class Floor {
 public:
  // memcpy_floor: keep a working-set-sized buffer for the cached-read floor (not under a
  // memory limit, where the buffer itself would take the page cache's room).
  Floor(const std::string& dir, bool memcpy_floor) : path_(dir + "/floor") {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd_ < 0) Fail("open " + path_);
    std::vector<uint8_t> buf(1u << 20, 0x5A);
    for (uint64_t off = 0; off < WorkingSetBytes(); off += buf.size()) {
      Pwrite(buf.data(), buf.size(), off);
    }
    if (fdatasync(fd_) != 0) Fail("fdatasync floor");
    if (memcpy_floor) mem_.assign(WorkingSetBytes(), 0x33);
  }
  ~Floor() {
    close(fd_);
    unlink(path_.c_str());
  }
  // Seconds for `txns` transactions of bytes each: one pwrite + fdatasync, over written blocks.
  double Writes(uint32_t txns, uint64_t bytes, Values* values) {
    std::vector<uint8_t> buf(bytes);
    auto t0 = Clock::now();
    for (uint32_t i = 0; i < txns; i++) {
      std::memcpy(buf.data(), values->For(i, 1)[0], kValueBytes);  // fresh bytes, as engines
      Pwrite(buf.data(), bytes, (uint64_t{i} * bytes) % WorkingSetBytes());
      if (fdatasync(fd_) != 0) Fail("fdatasync floor");
    }
    return Seconds(t0, Clock::now());
  }
  double CachedReads(const std::vector<uint32_t>& keys) {
    std::vector<uint8_t> dst(kValueBytes);
    auto t0 = Clock::now();
    for (uint32_t k : keys) {
      std::memcpy(dst.data(), &mem_[uint64_t{k} * kValueBytes], kValueBytes);
      asm volatile("" : : "r"(dst.data()) : "memory");
    }
    return Seconds(t0, Clock::now());
  }
  // drop: posix_fadvise(DONTNEED) first (read-uncached); else the cache as the run left it.
  double FileReads(const std::vector<uint32_t>& keys, bool drop) {
    if (drop) posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
    std::vector<uint8_t> dst(kValueBytes);
    auto t0 = Clock::now();
    for (uint32_t k : keys) {
      if (pread(fd_, dst.data(), kValueBytes, static_cast<off_t>(uint64_t{k} * kValueBytes)) !=
          static_cast<ssize_t>(kValueBytes)) {
        Fail("pread floor");
      }
    }
    return Seconds(t0, Clock::now());
  }

 private:
  void Pwrite(const void* p, size_t len, uint64_t off) {
    if (pwrite(fd_, p, len, static_cast<off_t>(off)) != static_cast<ssize_t>(len)) Fail("pwrite");
  }
  std::string path_;
  int fd_ = -1;
  std::vector<uint8_t> mem_;
};

// ---- running ------------------------------------------------------------------------------

struct Sample {
  double seconds = 0;
  double ratio = 0;  // writes: floor seconds / seconds (>1 faster than the floor);
                     // reads: seconds / floor seconds (>1 slower than the floor)
  Counters delta;
};

double RunWrites(Engine* e, const Workload& w, uint64_t seed, Values* values, Counters* delta) {
  Rng rng{seed};
  Counters before = e->counters;
  e->counters.max_log_bytes = 0;
  auto t0 = Clock::now();
  for (uint32_t i = 0; i < w.count; i++) {
    std::vector<uint32_t> keys = Keys(w, &rng, i);
    std::vector<const uint8_t*> v = values->For(seed * 1000003 + i, w.per_txn);
    e->Commit(keys.data(), v.data(), w.per_txn);
  }
  e->Drain();
  double s = Seconds(t0, Clock::now());
  delta->checkpoints = e->counters.checkpoints - before.checkpoints;
  delta->compactions = e->counters.compactions - before.compactions;
  delta->max_log_bytes = e->counters.max_log_bytes;
  return s;
}

std::vector<uint32_t> ReadKeys(uint32_t n, uint64_t seed) {
  Rng rng{seed};
  std::vector<uint32_t> k(n);
  for (auto& x : k) x = static_cast<uint32_t>(rng.Next() % g_keys);
  return k;
}

// How a read workload finds the cache: dropped (read-uncached), every key read once first
// (read-cached), or as the writes left it (read-rand, under a memory limit).
enum class CacheState { kDropped, kWarmed, kAsLeft };

double RunReads(Engine* e, const std::vector<uint32_t>& keys, CacheState state) {
  std::vector<uint8_t> dst(kValueBytes);
  if (state == CacheState::kDropped) {
    e->ReopenCold();
  } else if (state == CacheState::kWarmed) {
    for (uint32_t k = 0; k < g_keys; k++) e->Read(k, dst.data());
  }
  auto t0 = Clock::now();
  for (uint32_t k : keys) e->Read(k, dst.data());
  return Seconds(t0, Clock::now());
}

void Fill(Engine* e, Values* values) {
  for (uint32_t first = 0; first < g_keys; first += 256) {
    std::vector<uint32_t> keys(256);
    for (uint32_t j = 0; j < 256; j++) keys[j] = first + j;
    std::vector<const uint8_t*> v = values->For(first, 256);
    e->Commit(keys.data(), v.data(), 256);
  }
  e->Drain();
}

struct Row {
  std::string workload, engine;
  std::vector<Sample> samples;
  uint32_t checkpoint_frames = 0;
  uint32_t count = 0;    // transactions or reads per repetition
  uint32_t per_txn = 0;  // keys per transaction (0: reads)
};

uint32_t DefaultCheckpointFrames() {
  pager_wal_options o;
  pager_wal_options_init(&o);
  return o.auto_checkpoint_frames;
}

std::string Dir(const std::string& base, const char* name) {
  std::string d = base + "/" + name;
  if (mkdir(d.c_str(), 0755) != 0) Fail("mkdir " + d);
  return d;
}

}  // namespace
}  // namespace peers

namespace peers {
namespace {

double EnvDouble(const char* name, double dflt) {
  const char* v = getenv(name);
  return (v && *v) ? std::atof(v) : dflt;
}

void PrintAndCsv(const std::vector<Row>& rows, FILE* csv);

CacheState ReadState(const std::string& workload) {
  if (workload == "read-uncached") return CacheState::kDropped;
  return workload == "read-cached" ? CacheState::kWarmed : CacheState::kAsLeft;
}

int Main(int argc, char** argv) {
  std::string csv_path, base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
      csv_path = argv[++i];
    } else {
      base = argv[i];
    }
  }
  const double scale = EnvDouble("PEERS_SCALE", 1.0);
  const int reps = std::max(1, static_cast<int>(EnvDouble("PEERS_REPS", 5)));
  const double scale_1 = EnvDouble("PEERS_SCALE_1", scale);
  const double keys = EnvDouble("PEERS_KEYS", 4096);
  if (keys < 256 || keys > 16777216 || static_cast<uint32_t>(keys) % 256 != 0) {
    Fail("PEERS_KEYS must be a multiple of 256 in [256, 16777216]");
  }
  g_keys = static_cast<uint32_t>(keys);
  const double memory_mib = EnvDouble("PEERS_MEMORY_MIB", 0);
  const bool limited = memory_mib > 0;
  auto n = [&](double x) { return std::max<uint32_t>(10, static_cast<uint32_t>(x * scale)); };
  auto n1 = [&](double x) { return std::max<uint32_t>(10, static_cast<uint32_t>(x * scale_1)); };
  std::vector<Workload> workloads = {
      {"write-rand-1", true, true, 1, n1(1000)},  {"write-seq-1", true, false, 1, n1(1000)},
      // 320 x 256 frames: 10 cycles at the default threshold (8192 frames), not lowered.
      {"write-rand-256", true, true, 256, n(320)}, {"write-seq-256", true, false, 256, n(320)},
      {limited ? "read-rand" : "read-cached", false, true, 0, n(20000)},
      {"read-uncached", false, true, 0, n(200)}};
  std::string templ = base + "/peers_bench.XXXXXX";
  std::vector<char> dirbuf(templ.begin(), templ.end());
  dirbuf.push_back('\0');
  if (mkdtemp(dirbuf.data()) == nullptr) Fail("mkdtemp " + templ);
  const std::string dir = dirbuf.data();
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::printf("peers_bench %s in %s: %d repetitions, PEERS_SCALE %.2f, PEERS_SCALE_1 %.2f, "
              "libpager %s\n", date, dir.c_str(), reps, scale, scale_1, pager_version_string());
  std::printf("working set %u keys of 4 KiB (%.0f MiB)", g_keys,
              static_cast<double>(WorkingSetBytes()) / (1 << 20));
  if (limited) {
    std::printf(", run under a memory limit of %.0f MiB (page cache included)", memory_mib);
  }
  std::printf("\n");

  Values values;
  Floor floor(dir, !limited);
  std::vector<std::unique_ptr<Engine>> engines;
  engines.push_back(MakeLibpager());
  engines.push_back(MakeLibpagerBackground());
  engines.push_back(MakeSqlite());
  engines.push_back(MakeLmdb());
  engines.push_back(MakeRocksdb());
  for (auto& e : engines) {
    e->working_set_bytes = WorkingSetBytes();
    e->cache_smaller_than_working_set =
        limited && memory_mib * (1 << 20) < static_cast<double>(WorkingSetBytes());
    e->Create(Dir(dir, e->name()));
    Fill(e.get(), &values);
  }
  const uint32_t dflt_frames = DefaultCheckpointFrames();
  std::vector<Row> rows;
  auto bench_start = Clock::now();
  for (size_t wi = 0; wi < workloads.size(); wi++) {
    const Workload& w = workloads[wi];
    Row floor_row{w.name, "floor", {}, 0, w.count, w.per_txn};
    std::vector<Row> erows;
    for (auto& e : engines) erows.push_back(Row{w.name, e->name(), {}, 0, w.count, w.per_txn});
    if (w.write) {
      // >= 10 libpager checkpoint cycles inside each timed run.
      uint64_t frames = uint64_t{w.count} * w.per_txn / 10;
      uint32_t cp =
          static_cast<uint32_t>(std::min<uint64_t>(dflt_frames, std::max<uint64_t>(frames, 1)));
      for (size_t li = 0; li < 2; li++) {  // libpager and libpager-bg
        engines[li]->checkpoint_frames = (cp == dflt_frames) ? 0 : cp;
        erows[li].checkpoint_frames = cp;
        engines[li]->ReopenCold();
      }
      Workload warm = w;
      warm.count = std::max<uint32_t>(1, w.count / 5);
      for (auto& e : engines) {
        Counters ignored;
        RunWrites(e.get(), warm, 7777 + wi, &values, &ignored);
      }
    }
    for (int r = 0; r < reps; r++) {
      const uint64_t seed = 1000 * (wi + 1) + r;
      Sample fs;
      std::vector<uint32_t> rkeys = w.write ? std::vector<uint32_t>() : ReadKeys(w.count, seed);
      if (w.write) {
        fs.seconds = floor.Writes(w.count, uint64_t{w.per_txn} * kValueBytes, &values);
      } else {
        fs.seconds = (w.name == "read-cached")
                         ? floor.CachedReads(rkeys)
                         : floor.FileReads(rkeys, w.name == "read-uncached");
      }
      fs.ratio = 1;
      floor_row.samples.push_back(fs);
      for (size_t ei = 0; ei < engines.size(); ei++) {
        Engine* e = engines[ei].get();
        Sample s;
        if (w.write) {
          s.seconds = RunWrites(e, w, seed, &values, &s.delta);
          s.ratio = fs.seconds / s.seconds;
        } else {
          s.seconds = RunReads(e, rkeys, ReadState(w.name));
          s.ratio = s.seconds / fs.seconds;
        }
        erows[ei].samples.push_back(s);
      }
    }
    rows.push_back(floor_row);
    for (auto& r : erows) rows.push_back(r);
    std::fprintf(stderr, "  %s done (%.0f s so far)\n", w.name.c_str(),
                 Seconds(bench_start, Clock::now()));
  }
  for (auto& e : engines) e->Close();
  FILE* csv = nullptr;
  if (!csv_path.empty()) {
    csv = std::fopen(csv_path.c_str(), "w");
    if (csv == nullptr) Fail("open " + csv_path);
  }
  PrintAndCsv(rows, csv);
  if (csv != nullptr) std::fclose(csv);
  std::printf("total %.0f s\n", Seconds(bench_start, Clock::now()));
  std::string rm = "rm -rf '" + dir + "'";
  if (std::system(rm.c_str()) != 0) Fail(rm);
  return 0;
}

struct Summary {
  double med, lo, hi;
};
Summary Summarize(const std::vector<double>& v) {
  return Summary{Median(v), *std::min_element(v.begin(), v.end()),
                 *std::max_element(v.begin(), v.end())};
}

void PrintAndCsv(const std::vector<Row>& rows, FILE* csv) {
  if (csv != nullptr) {
    std::fprintf(csv,
                 "workload,engine,reps,unit,median,min,max,ratio_floor_median,ratio_floor_min,"
                 "ratio_floor_max,vs_best_peer,checkpoints_per_rep,compactions_per_rep,"
                 "max_wal_mib,libpager_checkpoint_frames\n");
  }
  std::string current;
  for (size_t i = 0; i < rows.size(); i++) {
    const Row& row = rows[i];
    const bool read = row.per_txn == 0;
    if (row.workload != current) {
      current = row.workload;
      const Row& lp = rows[i + 1];
      std::printf("\n%s%s\n", current.c_str(),
                  read ? " (ns per 4 KiB read; ratio = time / floor time, lower is better)"
                       : " (durable transactions/s; ratio = floor time / time, higher is better)");
      if (!read) {
        std::printf("  %u transactions of %u key(s) of 4 KiB per repetition; libpager "
                    "auto_checkpoint_frames %u\n", row.count, row.per_txn, lp.checkpoint_frames);
      } else {
        std::printf("  %u reads per repetition\n", row.count);
      }
      std::printf("  %-9s %12s %23s %8s %17s %9s %6s %6s %8s\n", "engine", "median", "min-max",
                  "x floor", "x floor min-max", "vs best", "ckpt", "compct", "WAL MiB");
    }
    // Best peer: the best median ratio among sqlite, lmdb, rocksdb of this workload.
    double best = read ? 1e300 : 0;
    for (const Row& o : rows) {
      if (o.workload != row.workload || o.engine == "floor" ||
          o.engine.compare(0, 8, "libpager") == 0) {
        continue;
      }
      std::vector<double> r;
      for (const Sample& s : o.samples) r.push_back(s.ratio);
      double m = Median(r);
      best = read ? std::min(best, m) : std::max(best, m);
    }
    std::vector<double> val, ratio, ckpt, comp, wal;
    for (const Sample& s : row.samples) {
      ratio.push_back(s.ratio);
      ckpt.push_back(static_cast<double>(s.delta.checkpoints));
      comp.push_back(static_cast<double>(s.delta.compactions));
      wal.push_back(static_cast<double>(s.delta.max_log_bytes) / (1 << 20));
      val.push_back(read ? s.seconds * 1e9 / row.count : row.count / s.seconds);
    }
    Summary t = Summarize(val), r = Summarize(ratio);
    Summary c = Summarize(ckpt), k = Summarize(comp), wm = Summarize(wal);
    // vs best peer: > 1 means this engine is ahead of the best peer.
    double vs = row.engine == "floor" ? 0 : (read ? best / r.med : r.med / best);
    std::printf("  %-9s %12.5g %11.5g-%-11.5g %8.3f %8.3f-%-8.3f %9.2f %6.0f %6.0f %8.1f\n",
                row.engine.c_str(), t.med, t.lo, t.hi, r.med, r.lo, r.hi, vs, c.med, k.med,
                wm.hi);
    if (csv != nullptr) {
      std::fprintf(csv, "%s,%s,%zu,%s,%.6g,%.6g,%.6g,%.4f,%.4f,%.4f,%.4f,%.0f,%.0f,%.1f,%u\n",
                   row.workload.c_str(), row.engine.c_str(), row.samples.size(),
                   read ? "ns/read" : "txn/s",
                   t.med, t.lo, t.hi, r.med, r.lo, r.hi, vs, c.med, k.med, wm.hi,
                   row.checkpoint_frames);
    }
  }
}

}  // namespace
}  // namespace peers

int main(int argc, char** argv) { return peers::Main(argc, argv); }
