// Issue 12's rows of the WAL pager benchmark (WAL_BENCH_ONLY=readers, readers-commit): read
// transaction begin + end, cached reads with 1 and 2 reader threads (on the writer's handle
// and on one read-only handle per thread) next to memcpy with 1 and 2 threads, and 1-page
// FULL commits beside 2 readers, interleaved in blocks with the no-reader and spinning-thread
// references. Included by bench/wal_bench.cc (one program).
#pragma once

#include <time.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "bench/wal_bench_util.h"

namespace wal_bench {

// Where reader threads read: all on the writer's handle, or each on its own read-only handle
// opened beside the writer, as another process would.
enum class Readers { kWriterHandle, kOwnHandles };

// ns per read transaction begin + end (uncontended): on the writer's handle, or on a
// read-only handle beside the writer (its begin pins a read mark in the shared index, W19).
inline double ReadTxnBeginEndNs(const std::string& path, Readers on) {
  Options o;
  o.auto_checkpoint_frames = 0;
  auto w = Fresh(path, o);
  std::vector<uint8_t> buf(kPage, 5);
  Die(w->StagePage(1, buf.data(), kPage), "stage");
  Die(w->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
  std::unique_ptr<WalPager> own = on == Readers::kOwnHandles ? OpenReader(path) : nullptr;
  WalPager* p = own ? own.get() : w.get();
  pager::wal::ReadSnapshot warm;
  Die(p->BeginRead(&warm), "begin read");  // claims the slot (once per handle, W19)
  p->EndRead(&warm);
  const int kN = 200000;
  auto t0 = Clock::now();
  for (int i = 0; i < kN; i++) {
    pager::wal::ReadSnapshot s;
    Die(p->BeginRead(&s), "begin read");
    p->EndRead(&s);
  }
  return Seconds(t0, Clock::now()) * 1e9 / kN;
}

// The raw floor of a begin/end pair: two uncontended mutex lock/unlock pairs.
inline double MutexPairNs() {
  std::mutex mu;
  const int kN = 200000;
  auto t0 = Clock::now();
  for (int i = 0; i < kN; i++) {
    { std::lock_guard<std::mutex> g(mu); asm volatile("" : : : "memory"); }
    { std::lock_guard<std::mutex> g(mu); asm volatile("" : : : "memory"); }
  }
  return Seconds(t0, Clock::now()) * 1e9 / kN;
}

constexpr uint32_t kTxnPages = 256;       // 1 MiB read set
constexpr int kReadsPerThread = 1000000;
constexpr int kReadsPerTxn = 64;

// What a multi-threaded read run measured: reads per second summed over the threads (wall
// clock), and the median over threads of each thread's own CPU time per read
// (CLOCK_THREAD_CPUTIME_ID). The CPU cost is what a read costs its core: if it does not grow
// with the thread count, the threads share nothing that slows them down, and N cores give N
// times the throughput; the wall-clock rate also depends on which cores the shared machine
// gives the run.
struct ReadRate {
  double per_s = 0;
  double cpu_ns = 0;
  double cores = 0;  // CPU seconds of all threads / wall seconds: the cores the run got
};

inline double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// Runs body(t) on `threads` threads at once, each doing `reads` reads.
inline ReadRate RunThreads(int threads, int reads, const std::function<void(int)>& body) {
  std::vector<double> cpu(threads), cpu_s(threads);
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; t++) {
    ts.emplace_back([&, t] {
      const double c0 = ThreadCpuNs();
      body(t);
      cpu_s[t] = (ThreadCpuNs() - c0) / 1e9;
      cpu[t] = cpu_s[t] * 1e9 / reads;
    });
  }
  for (auto& t : ts) t.join();
  const double wall = Seconds(t0, Clock::now());
  double total_cpu = 0;
  for (double c : cpu_s) total_cpu += c;
  return ReadRate{threads * double(reads) / wall, Median(cpu), total_cpu / wall};
}

// Cached 4 KiB reads per second through read transactions, summed over `threads` threads
// (each thread: one transaction per kReadsPerTxn reads of the kTxnPages committed pages, WAL
// frames, read through the mapping W22). on: all threads share the writer's handle (calls
// on one handle serialize on its mutex), or each thread holds its own read-only handle
// opened beside the writer (the model that scales: SQLite connections, LMDB read txns).
inline ReadRate ReadTxnReadsPerSec(const std::string& path, int threads, Readers on) {
  Options o;
  o.auto_checkpoint_frames = 0;
  o.cache_pages = 4096;
  auto w = Fresh(path, o);
  std::vector<uint8_t> buf(kPage, 5);
  for (uint32_t i = 1; i <= kTxnPages; i++) Die(w->StagePage(i, buf.data(), kPage), "stage");
  Die(w->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
  std::vector<std::unique_ptr<WalPager>> own(threads);
  if (on == Readers::kOwnHandles) {
    for (auto& h : own) h = OpenReader(path);
  }
  auto body = [&](int t) {
    WalPager* p = on == Readers::kOwnHandles ? own[t].get() : w.get();
    std::vector<uint8_t> b(kPage);
    for (int i = 0; i < kReadsPerThread; i += kReadsPerTxn) {
      pager::wal::ReadSnapshot s;
      Die(p->BeginRead(&s), "begin read");
      for (int j = 0; j < kReadsPerTxn; j++) {
        Die(p->ReadPageAt(s, 1 + static_cast<uint32_t>((i + j) % kTxnPages), b.data(), kPage),
            "read");
      }
      p->EndRead(&s);
    }
  };
  for (int t = 0; t < (on == Readers::kOwnHandles ? threads : 1); t++) {
    WalPager* p = on == Readers::kOwnHandles ? own[t].get() : w.get();
    pager::wal::ReadSnapshot s;  // warm: maps the pages of every handle
    Die(p->BeginRead(&s), "begin read");
    for (uint32_t i = 1; i <= kTxnPages; i++) Die(p->ReadPageAt(s, i, buf.data(), kPage), "read");
    p->EndRead(&s);
  }
  return RunThreads(threads, kReadsPerThread, body);
}

// The raw limit of the same: memcpy of the same 4 KiB pages in the same order out of a
// 1 MiB buffer the threads share, per second summed over `threads` threads.
inline ReadRate RawMemcpyPerSec(int threads) {
  std::vector<uint8_t> a(size_t{kPage} * kTxnPages, 1);
  auto body = [&](int) {
    std::vector<uint8_t> b(kPage);
    for (int i = 0; i < kReadsPerThread; i++) {
      std::memcpy(b.data(), a.data() + size_t{kPage} * (i % kTxnPages), kPage);
      asm volatile("" : : "r"(b.data()) : "memory");
    }
  };
  return RunThreads(threads, kReadsPerThread, body);
}

// Per repetition: the raw limit with 1 and 2 threads, then the pager with 1 and 2 threads.
// Prints the medians (with min and max) of the rates, each model's 2-thread / 1-thread ratio
// (wall clock: the issue-12 figure) and of the CPU time per read (2 threads / 1 thread: 1.0
// = the threads do not slow each other down).
inline void Scaling(const char* what, const std::function<ReadRate(int)>& raw,
                    const std::function<ReadRate(int)>& lib) {
  enum { kRaw1, kRaw2, kLib1, kLib2 };
  std::vector<std::array<ReadRate, 4>> runs;  // a braced list runs them in this order
  for (int i = 0; i < kReps; i++) runs.push_back({raw(1), raw(2), lib(1), lib(2)});
  // One figure of every repetition: f(run) for each.
  auto each = [&](const std::function<double(const std::array<ReadRate, 4>&)>& f) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(f(r));
    return v;
  };
  auto rate = [&](int k) { return each([k](const auto& r) { return r[k].per_s; }); };
  auto cpu = [&](int k) { return each([k](const auto& r) { return r[k].cpu_ns; }); };
  auto cores = [&](int k) { return each([k](const auto& r) { return r[k].cores; }); };
  auto ratio = [&](const char* label, int two, int one, bool cpu_ns) {
    const std::vector<double> v = each([&](const auto& r) {
      return cpu_ns ? r[two].cpu_ns / r[one].cpu_ns : r[two].per_s / r[one].per_s;
    });
    std::printf("  -> %s: %.2fx (min %.2f, max %.2f)\n", label, Median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
  };
  std::printf("  %s\n", what);
  Print("raw memcpy of the same pages, 1 thread", "reads/s", rate(kRaw1));
  Print("raw memcpy of the same pages, 2 threads", "reads/s", rate(kRaw2));
  Print("pager, 1 thread", "reads/s", rate(kLib1));
  Print("pager, 2 threads (total)", "reads/s", rate(kLib2));
  Print("raw CPU per read, 1 thread", "ns", cpu(kRaw1));
  Print("raw CPU per read, each of 2 threads", "ns", cpu(kRaw2));
  Print("pager CPU per read, 1 thread", "ns", cpu(kLib1));
  Print("pager CPU per read, each of 2 threads", "ns", cpu(kLib2));
  Print("cores the raw 2-thread runs got (CPU s / wall s)", "", cores(kRaw2));
  Print("cores the pager 2-thread runs got", "", cores(kLib2));
  ratio("raw 2 threads / 1 thread (what this box gave the run)", kRaw2, kRaw1, false);
  ratio("pager 2 threads / 1 thread (issue 12 goal >= 1.8x)", kLib2, kLib1, false);
  ratio("raw CPU per read, 2 threads / 1 thread", kRaw2, kRaw1, true);
  ratio("pager CPU per read, 2 threads / 1 thread (1.0: nothing shared slows a read)", kLib2,
        kLib1, true);
}

// Issue 12's goals: begin + end < 1 us, cached reads scale with reader threads (>= 1.8x at
// N = 2), commits with 2 active readers >= 0.9x the rate with none. Each on the writer's
// own handle and on read-only handles beside it (one per reader thread).
inline void ReaderSections(const std::string& db) {
  std::printf("read transactions (issue 12; lower is better for ns)\n");
  Pair("raw 2x uncontended mutex lock/unlock", "pager begin + end, writer's handle", "ns",
       [&] { return MutexPairNs(); }, [&] { return ReadTxnBeginEndNs(db, Readers::kWriterHandle); },
       "begin+end on the writer's handle / 2 mutex pairs");
  Pair("raw 2x uncontended mutex lock/unlock", "pager begin + end, read-only handle", "ns",
       [&] { return MutexPairNs(); }, [&] { return ReadTxnBeginEndNs(db, Readers::kOwnHandles); },
       "begin+end on a read-only handle beside the writer / 2 mutex pairs");
  std::printf("cached reads in read txns (1 MiB of WAL frames, %d reads per txn, %d reads per "
              "thread)\n", kReadsPerTxn, kReadsPerThread);
  Scaling("every thread on the writer's one handle (one handle mutex: reads serialize)",
          [&](int t) { return RawMemcpyPerSec(t); },
          [&](int t) { return ReadTxnReadsPerSec(db, t, Readers::kWriterHandle); });
  Scaling("each thread on its own read-only handle beside the writer",
          [&](int t) { return RawMemcpyPerSec(t); },
          [&](int t) { return ReadTxnReadsPerSec(db, t, Readers::kOwnHandles); });
}

// Issue 12: 1-page FULL commits while 2 threads run read transactions continuously. The disk
// of a shared machine changes speed by 30x from one second to the next (other builds
// flushing), so separate runs per mode cannot be compared. One writer instead commits in
// blocks of kBlockCommits, cycling through the modes block by block -- no other thread
// running, 2 threads spinning without pager calls (the raw cost of two busy threads on the
// writer's cores), 2 readers each on its own read-only handle (as other processes read), 2
// readers on the writer's handle -- so every mode sees the same disk weather; a mode's rate
// is its commits over the time of its blocks. Random pages of a 4,096-page working set; the
// library's auto-checkpoint runs where it falls (PASSIVE: it copies nothing while a reader
// needs the main file).
class ReaderCrew {
 public:
  enum Mode { kIdle = 0, kSpin = 1, kOwnHandles = 2, kWriterHandle = 3, kModes = 4 };
  ReaderCrew(WalPager* writer, const std::string& path) : writer_(writer) {
    for (int t = 0; t < 2; t++) own_.push_back(OpenReader(path));
    for (int t = 0; t < 2; t++) threads_.emplace_back([this, t] { Run(t); });
  }
  ~ReaderCrew() {
    Set(-1);
    for (auto& t : threads_) t.join();
  }
  void Set(int mode) {
    {
      std::lock_guard<std::mutex> g(mu_);
      mode_.store(mode);
    }
    cv_.notify_all();
  }
  uint64_t reads(int mode) const { return reads_[mode].load(); }

 private:
  void Run(int t) {
    std::vector<uint8_t> b(kPage);
    uint64_t spins = 0;
    for (;;) {
      const int m = mode_.load(std::memory_order_relaxed);
      if (m < 0) return;
      if (m == kIdle) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return mode_.load() != kIdle; });
        continue;
      }
      if (m == kSpin) {
        spins++;
        asm volatile("" : : "r"(spins) : "memory");
        continue;
      }
      WalPager* p = m == kOwnHandles ? own_[t].get() : writer_;
      pager::wal::ReadSnapshot snap;
      Die(p->BeginRead(&snap), "begin read");
      Die(p->ReadPageAt(snap, 1, b.data(), kPage), "read");
      p->EndRead(&snap);
      reads_[m].fetch_add(1, std::memory_order_relaxed);
    }
  }

  WalPager* writer_;
  std::vector<std::unique_ptr<WalPager>> own_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> mode_{kIdle};
  std::atomic<uint64_t> reads_[kModes] = {};
};

// Commits per second of each ReaderCrew mode in one interleaved run.
inline std::vector<double> InterleavedCommitRates(const std::string& db) {
  const int kBlockCommits = 25, kCycles = 40;
  auto w = Fresh(db, Options());
  std::vector<uint8_t> buf(kPage);
  for (uint32_t first = 1; first <= kWorkingSet; first += 256) {  // fill the working set
    for (uint32_t i = 0; i < 256; i++) Die(w->StagePage(first + i, buf.data(), kPage), "stage");
    Die(w->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
  }
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  int round = 0;
  auto commit = [&] {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    const uint32_t page = 1 + static_cast<uint32_t>(rng % kWorkingSet);
    std::memset(buf.data(), ++round & 0xFF, kPage);
    Die(w->StagePage(page, buf.data(), kPage), "stage");
    auto r = w->Commit();
    Die(r.ok() ? pager::Status::Ok() : r.status(), "commit");
  };
  std::vector<double> seconds(ReaderCrew::kModes, 0);
  ReaderCrew crew(w.get(), db);
  for (int c = 0; c < kCycles; c++) {
    for (int m = 0; m < ReaderCrew::kModes; m++) {
      crew.Set(m);
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // the crew wakes up
      auto t0 = Clock::now();
      for (int i = 0; i < kBlockCommits; i++) commit();
      seconds[m] += Seconds(t0, Clock::now());
    }
  }
  crew.Set(ReaderCrew::kIdle);
  if (crew.reads(ReaderCrew::kOwnHandles) == 0 || crew.reads(ReaderCrew::kWriterHandle) == 0) {
    std::fprintf(stderr, "readers never read\n");
    std::exit(1);
  }
  std::vector<double> rates;
  for (double s : seconds) rates.push_back(kCycles * kBlockCommits / s);
  return rates;
}

inline void CommitWithReaders(const std::string& raw, const std::string& db) {
  std::printf("1-page FULL commits while 2 threads run read txns continuously (issue 12 >= 0.9x;\n"
              "  modes interleaved in blocks of 25 commits inside each run)\n");
  std::vector<double> floor, none, spin, own, shared, spin_x, own_x, shared_x, own_spin_x;
  for (int i = 0; i < kReps; i++) {
    floor.push_back(RawSyncedWrites(raw, 4096, 1000, true));
    const std::vector<double> r = InterleavedCommitRates(db);
    none.push_back(r[ReaderCrew::kIdle]);
    spin.push_back(r[ReaderCrew::kSpin]);
    own.push_back(r[ReaderCrew::kOwnHandles]);
    shared.push_back(r[ReaderCrew::kWriterHandle]);
    spin_x.push_back(spin.back() / none.back());
    own_x.push_back(own.back() / none.back());
    shared_x.push_back(shared.back() / none.back());
    own_spin_x.push_back(own.back() / spin.back());
  }
  Print("raw 4 KiB overwrite + fdatasync (disk weather)", "ops/s", floor);
  Print("pager 1-page commit (FULL), no other thread", "ops/s", none);
  Print("same, 2 threads spinning (no pager calls)", "ops/s", spin);
  Print("same, 2 readers on their own read-only handles", "ops/s", own);
  Print("same, 2 readers on the writer's handle", "ops/s", shared);
  auto ratio = [](const char* label, const std::vector<double>& v) {
    std::printf("  -> %s: %.2fx (min %.2f, max %.2f)\n", label, Median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
  };
  ratio("2 spinning threads / none (the cores they take)", spin_x);
  ratio("2 readers on their own handles / none (issue 12 goal >= 0.9x)", own_x);
  ratio("2 readers on the writer's handle / none", shared_x);
  ratio("2 readers on their own handles / 2 spinning threads", own_spin_x);
}

}  // namespace wal_bench
