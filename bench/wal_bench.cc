// WAL pager benchmark, next to the raw limits of the same disk measured in the same run.
//
//   1-page commits/s (FULL), random pages, checkpoints counted
//                                vs  4 KiB pwrite + fdatasync over already-written blocks
//   256-page commits MB/s (FULL) vs  1 MiB pwrite + fdatasync over already-written blocks:
//     256 random pages of a 4,096-page working set, checkpoints counted (library defaults,
//     final checkpoint timed); the same with checkpoints deferred; and pages 1..256 rewritten
//     every time (sequential, deferred), labelled as such
//   read_page cached / uncached  vs  4 KiB pread (page cache) and memcpy
//   random-order reads of a 16 MiB set, inside and larger than the page cache, main-file
//   pages (mapped) and WAL frames (page cache)  vs  memcpy of the same pages in the same order
//   pinned views (pager_wal_read_txn_view_page's core)  vs  one mutex lock/unlock
//   checkpoint MB/s              vs  sequential write + fdatasync of the same bytes
//   issue 12, read transactions: begin + end on the writer's handle and on a read-only handle
//   beside it vs two mutex pairs; cached reads with 1 and 2 reader threads (sharing the
//   writer's handle, or each on its own read-only handle) vs memcpy of the same pages with 1
//   and 2 threads, with each thread's CPU time per read; 1-page FULL commits with 2 readers
//   (own handles, writer's handle) vs none and vs 2 threads that only spin, interleaved in
//   blocks inside one run
//
// Every figure is the median of kReps repetitions. Usage: wal_bench [DIR] (default $TMPDIR or
// /tmp; use a directory on the disk you care about). WAL_BENCH_ONLY=<section>[,<section>...]
// runs only those sections: commits, readers-commit, readers, reads, checkpoint (Selected()).
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "impl/wal/wal_pager.h"
#include "pager.h"

namespace {

using pager::wal::AccessMode;
using pager::wal::Options;
using pager::wal::WalPager;
using Clock = std::chrono::steady_clock;

constexpr int kReps = 5;
constexpr uint32_t kPage = 4096;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Print(const char* what, const char* unit, const std::vector<double>& r) {
  std::printf("  %-46s %12.1f %s  (min %.1f, max %.1f)\n", what, Median(r), unit,
              *std::min_element(r.begin(), r.end()), *std::max_element(r.begin(), r.end()));
}

// Runs the raw limit and the pager alternately kReps times (so both see the same disk
// weather), prints both medians and the median of the per-run ratios pager / raw.
void Pair(const char* raw_what, const char* pager_what, const char* unit,
          const std::function<double()>& raw, const std::function<double()>& lib,
          const char* ratio_what) {
  std::vector<double> a, b, ratio;
  for (int i = 0; i < kReps; i++) {
    a.push_back(raw());
    b.push_back(lib());
    ratio.push_back(b.back() / a.back());
  }
  Print(raw_what, unit, a);
  Print(pager_what, unit, b);
  std::printf("  -> %s: %.2fx (median of per-run ratios)\n", ratio_what, Median(ratio));
}

void Die(const pager::Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

int MustOpenFd(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  return fd;
}

void PwriteAll(int fd, const void* buf, size_t len, off_t off) {
  if (pwrite(fd, buf, len, off) != static_cast<ssize_t>(len)) {
    std::perror("pwrite");
    std::exit(1);
  }
}

// Raw: n writes of `len` bytes, each followed by fdatasync, cycling over a prewritten region
// (overwrite = true) or appending (overwrite = false). Returns writes per second.
double RawSyncedWrites(const std::string& path, size_t len, int n, bool overwrite) {
  int fd = MustOpenFd(path);
  std::vector<uint8_t> buf(len, 0x5A);
  if (overwrite) {
    for (int i = 0; i < n; i++) PwriteAll(fd, buf.data(), len, static_cast<off_t>(i) * len);
    fdatasync(fd);
  }
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) {
    PwriteAll(fd, buf.data(), len, static_cast<off_t>(i) * len);
    fdatasync(fd);
  }
  double s = Seconds(t0, Clock::now());
  close(fd);
  unlink(path.c_str());
  return n / s;
}

std::unique_ptr<WalPager> Fresh(const std::string& path, const Options& o) {
  unlink(path.c_str());
  unlink((path + "-wal").c_str());
  unlink((path + "-shm").c_str());
  std::unique_ptr<WalPager> p;
  Die(WalPager::Create(pager::io::DefaultEnv(), path, o, &p), "create");
  return p;
}

// A read-only handle on path beside its writer (through the shared index, W19-W21).
std::unique_ptr<WalPager> OpenReader(const std::string& path) {
  Options o;
  std::unique_ptr<WalPager> r;
  Die(WalPager::Open(pager::io::DefaultEnv(), path, AccessMode::kReadOnly, o, &r),
      "open reader");
  return r;
}

// The pages a commit writes: `Sequential` rewrites pages 1..pages every time (the old
// flattering case); `Random` picks `pages` distinct random pages of a kWorkingSet-page working
// set (filled first), as a real workload does.
enum class Pattern { kSequential, kRandom };
constexpr uint32_t kWorkingSet = 4096;

struct CommitRun {
  double commits_per_s = 0;
  uint64_t checkpoints = 0;  // inside the timed run (the final one included when counted)
  uint64_t syncs = 0;
};

// n commits of `pages` pages each (content changes every commit). The WAL is warmed first
// (one round of commits written and checkpointed), so commits overwrite already-written
// blocks, as they do in steady state. count_checkpoints: the library's default
// auto-checkpoint runs and a final checkpoint is inside the timed run; otherwise automatic
// checkpoints are off and the WAL is kept (checkpoint deferred, not counted).
// reader_threads threads run read transactions (begin, read page 1, end) during the timed
// commits: on the writer's handle (Readers::kWriterHandle) or each on its own read-only
// handle opened beside the writer, as another process would (Readers::kOwnHandles); or the
// threads only spin on the CPU without calling the pager (Readers::kSpinOnly: the raw cost of
// two busy threads on the writer's cores).
enum class Readers { kWriterHandle, kOwnHandles, kSpinOnly };

CommitRun Commits(const std::string& path, uint32_t pages, int n, Pattern pattern,
                  bool count_checkpoints,
                  pager::wal::Durability durability = pager::wal::Durability::kFull,
                  int reader_threads = 0, Readers readers_on = Readers::kWriterHandle) {
  Options o;
  o.durability = durability;
  if (!count_checkpoints) {
    o.auto_checkpoint_frames = 0;
    o.wal_keep_bytes = 1ull << 30;
  }
  auto p = Fresh(path, o);
  std::vector<uint8_t> buf(kPage);
  uint64_t rng = 0x1234567;
  std::vector<uint32_t> perm(kWorkingSet);
  for (uint32_t i = 0; i < kWorkingSet; i++) perm[i] = i + 1;
  auto commit = [&](const std::vector<uint32_t>& list, int round) {
    for (uint32_t page : list) {
      std::memset(buf.data(), round & 0xFF, kPage);
      std::memcpy(buf.data(), &page, sizeof page);
      std::memcpy(buf.data() + 8, &round, sizeof round);
      Die(p->StagePage(page, buf.data(), buf.size()), "stage");
    }
    auto r = p->Commit();
    Die(r.ok() ? pager::Status::Ok() : r.status(), "commit");
  };
  auto page_list = [&]() {
    std::vector<uint32_t> list(pages);
    for (uint32_t i = 0; i < pages; i++) {
      if (pattern == Pattern::kSequential) {
        list[i] = 1 + i;
        continue;
      }
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;  // xorshift64
      uint32_t pick = i + static_cast<uint32_t>(rng % (kWorkingSet - i));
      std::swap(perm[i], perm[pick]);
      list[i] = perm[i];
    }
    return list;
  };
  auto checkpoint = [&] {
    auto r = p->Checkpoint();
    Die(r.ok() ? pager::Status::Ok() : r.status(), "checkpoint");
  };
  if (pattern == Pattern::kRandom) {  // fill the working set
    for (uint32_t first = 1; first <= kWorkingSet; first += 256) {
      std::vector<uint32_t> list(256);
      for (uint32_t i = 0; i < 256; i++) list[i] = first + i;
      commit(list, 1);
    }
  }
  for (int i = 0; i < n; i++) commit(page_list(), i);  // warm: write the WAL's blocks once
  checkpoint();
  pager::wal::Stats before = p->stats();
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<WalPager>> own(reader_threads);
  if (readers_on == Readers::kOwnHandles) {
    for (auto& h : own) h = OpenReader(path);
  }
  std::vector<std::thread> readers;
  for (int t = 0; t < reader_threads; t++) {
    WalPager* r = readers_on == Readers::kOwnHandles ? own[t].get() : p.get();
    const bool spin_only = readers_on == Readers::kSpinOnly;
    readers.emplace_back([&stop, r, spin_only] {
      std::vector<uint8_t> b(kPage);
      uint64_t spins = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (spin_only) {
          spins++;
          asm volatile("" : : "r"(spins) : "memory");
          continue;
        }
        pager::wal::ReadSnapshot snap;
        Die(r->BeginRead(&snap), "begin read");
        Die(r->ReadPageAt(snap, 1, b.data(), kPage), "read");
        r->EndRead(&snap);
      }
    });
  }
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) commit(page_list(), i + 1000);
  if (count_checkpoints) checkpoint();
  double s = Seconds(t0, Clock::now());
  stop = true;
  for (auto& t : readers) t.join();
  pager::wal::Stats after = p->stats();
  return CommitRun{n / s, after.checkpoints - before.checkpoints, after.syncs - before.syncs};
}

// ns per read_page of pages already read once (cache_pages large) or always missing the
// cache (cache_pages 0: each read is a pread of the main file from the OS page cache).
double ReadNs(const std::string& path, uint32_t cache_pages) {
  const uint32_t kPages = 1024;
  Options o;
  o.auto_checkpoint_frames = 0;
  {
    auto p = Fresh(path, o);
    std::vector<uint8_t> buf(kPage, 7);
    for (uint32_t i = 1; i <= kPages; i++) Die(p->StagePage(i, buf.data(), kPage), "stage");
    Die(p->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
    Die(p->Checkpoint().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "cp"),
        "checkpoint");
  }
  o.page_size = 0;
  o.cache_pages = cache_pages;
  std::unique_ptr<WalPager> p;
  Die(WalPager::Open(pager::io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p), "open");
  std::vector<uint8_t> buf(kPage);
  for (uint32_t i = 1; i <= kPages; i++) Die(p->ReadPage(i, buf.data(), kPage), "read");
  const int kRounds = 20;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i = 1; i <= kPages; i++) Die(p->ReadPage(i, buf.data(), kPage), "read");
  }
  return Seconds(t0, Clock::now()) * 1e9 / (kRounds * kPages);
}

double RawPreadNs(const std::string& path) {
  const uint32_t kPages = 1024;
  int fd = MustOpenFd(path);
  std::vector<uint8_t> buf(kPage, 3);
  for (uint32_t i = 0; i < kPages; i++) PwriteAll(fd, buf.data(), kPage, off_t{i} * kPage);
  const int kRounds = 20;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i = 0; i < kPages; i++) {
      if (pread(fd, buf.data(), kPage, off_t{i} * kPage) != kPage) std::exit(1);
    }
  }
  double ns = Seconds(t0, Clock::now()) * 1e9 / (kRounds * kPages);
  close(fd);
  unlink(path.c_str());
  return ns;
}

double MemcpyNs() {
  std::vector<uint8_t> a(kPage * 1024, 1), b(kPage);
  const int kRounds = 20;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (size_t i = 0; i < 1024; i++) std::memcpy(b.data(), a.data() + i * kPage, kPage);
    asm volatile("" : : "r"(b.data()) : "memory");
  }
  return Seconds(t0, Clock::now()) * 1e9 / (kRounds * 1024);
}

// Random-order cached reads (issue 13): kRandomPages pages, read in one fixed random
// permutation, after one warm-up pass. in_wal: the pages stay WAL frames (served by the page
// cache); else they are checkpointed into the main file (served by its mapping, W18).
constexpr uint32_t kRandomPages = 4096;  // 16 MiB working set

std::vector<uint32_t> RandomOrder() {
  std::vector<uint32_t> order(kRandomPages);
  for (uint32_t i = 0; i < kRandomPages; i++) order[i] = i;
  uint64_t x = 88172645463325252ull;
  for (uint32_t i = kRandomPages - 1; i > 0; i--) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    std::swap(order[i], order[x % (i + 1)]);
  }
  return order;
}

std::unique_ptr<WalPager> RandomReadPager(const std::string& path, uint32_t cache_pages,
                                          bool in_wal) {
  Options o;
  o.auto_checkpoint_frames = 0;
  {
    auto p = Fresh(path, o);
    std::vector<uint8_t> buf(kPage, 7);
    for (uint32_t i = 1; i <= kRandomPages; i++) {
      buf[0] = static_cast<uint8_t>(i);
      Die(p->StagePage(i, buf.data(), kPage), "stage");
    }
    Die(p->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
    if (!in_wal) {
      Die(p->Checkpoint().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "cp"),
          "checkpoint");
    }
  }
  o.page_size = 0;
  o.cache_pages = cache_pages;
  std::unique_ptr<WalPager> p;
  Die(WalPager::Open(pager::io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p), "open");
  return p;
}

double RandomReadNs(const std::string& path, uint32_t cache_pages, bool in_wal) {
  auto p = RandomReadPager(path, cache_pages, in_wal);
  const std::vector<uint32_t> order = RandomOrder();
  std::vector<uint8_t> buf(kPage);
  for (uint32_t i : order) Die(p->ReadPage(i + 1, buf.data(), kPage), "read");
  const int kRounds = 10;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i : order) Die(p->ReadPage(i + 1, buf.data(), kPage), "read");
  }
  return Seconds(t0, Clock::now()) * 1e9 / (kRounds * kRandomPages);
}

// The floor: memcpy of the same 4 KiB pages out of a 16 MiB buffer in the same order.
double RandomMemcpyNs() {
  std::vector<uint8_t> a(size_t{kPage} * kRandomPages, 1), b(kPage);
  const std::vector<uint32_t> order = RandomOrder();
  const int kRounds = 10;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i : order) {
      std::memcpy(b.data(), a.data() + size_t{i} * kPage, kPage);
      asm volatile("" : : "r"(b.data()) : "memory");
    }
  }
  return Seconds(t0, Clock::now()) * 1e9 / (kRounds * kRandomPages);
}

// ns per pinned view (W19) of a random page inside one read transaction (no byte touched).
double ViewNs(const std::string& path, bool in_wal) {
  auto p = RandomReadPager(path, kRandomPages, in_wal);
  const std::vector<uint32_t> order = RandomOrder();
  pager::wal::ReadSnapshot s;
  Die(p->BeginRead(&s), "begin read");
  const uint8_t* data = nullptr;
  uintptr_t sum = 0;
  for (uint32_t i : order) Die(p->ViewPageAt(&s, i + 1, &data), "view");
  const int kRounds = 20;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i : order) {
      Die(p->ViewPageAt(&s, i + 1, &data), "view");
      sum += reinterpret_cast<uintptr_t>(data);
    }
  }
  double ns = Seconds(t0, Clock::now()) * 1e9 / (kRounds * kRandomPages);
  asm volatile("" : : "r"(sum) : "memory");
  p->EndRead(&s);
  return ns;
}

// The same through the C API (pager_wal_read_txn_view_page: the exception fence, the
// argument checks and pager_last_error's reset included), as a binding calls it.
double CapiViewNs(const std::string& path, bool in_wal) {
  RandomReadPager(path, kRandomPages, in_wal).reset();  // builds the file, then closes it
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = 1;
  pager_wal* h = nullptr;
  pager_wal_read_txn* t = nullptr;
  if (pager_wal_open(path.c_str(), &o, &h) != PAGER_OK ||
      pager_wal_read_txn_begin(h, &t) != PAGER_OK) {
    std::fprintf(stderr, "view: %s\n", pager_last_error());
    std::exit(1);
  }
  const std::vector<uint32_t> order = RandomOrder();
  const uint8_t* data = nullptr;
  uintptr_t sum = 0;
  const int kRounds = 20;
  auto t0 = Clock::now();
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i : order) {
      if (pager_wal_read_txn_view_page(t, i + 1, &data) != PAGER_OK) std::exit(1);
      sum += reinterpret_cast<uintptr_t>(data);
    }
  }
  double ns = Seconds(t0, Clock::now()) * 1e9 / (kRounds * kRandomPages);
  asm volatile("" : : "r"(sum) : "memory");
  pager_wal_read_txn_free(t);
  pager_wal_close(h);
  return ns;
}

// One uncontended mutex lock/unlock pair (a view takes the handle mutex once).
double OneMutexPairNs() {
  std::mutex mu;
  const int kN = 400000;
  auto t0 = Clock::now();
  for (int i = 0; i < kN; i++) {
    std::lock_guard<std::mutex> g(mu);
    asm volatile("" : : : "memory");
  }
  return Seconds(t0, Clock::now()) * 1e9 / kN;
}

// Checkpoint of `pages` distinct pages (fresh main file: the copy extends it). MB/s.
double CheckpointMBps(const std::string& path, uint32_t pages) {
  Options o;
  o.auto_checkpoint_frames = 0;
  auto p = Fresh(path, o);
  std::vector<uint8_t> buf(kPage, 9);
  for (uint32_t i = 1; i <= pages; i++) Die(p->StagePage(i, buf.data(), kPage), "stage");
  Die(p->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
  auto t0 = Clock::now();
  auto r = p->Checkpoint();
  double s = Seconds(t0, Clock::now());
  Die(r.ok() ? pager::Status::Ok() : r.status(), "checkpoint");
  return pages * double(kPage) / s / 1e6;
}

double RawSequentialMBps(const std::string& path, uint32_t pages) {
  int fd = MustOpenFd(path);
  std::vector<uint8_t> buf(kPage * 64, 9);
  auto t0 = Clock::now();
  for (uint32_t i = 0; i < pages; i += 64) {
    PwriteAll(fd, buf.data(), buf.size(), off_t{i} * kPage);
  }
  fdatasync(fd);
  double s = Seconds(t0, Clock::now());
  close(fd);
  unlink(path.c_str());
  return pages * double(kPage) / s / 1e6;
}

}  // namespace

// ns per read transaction begin + end (uncontended): on the writer's handle, or on a
// read-only handle beside the writer (its begin pins a read mark in the shared index, W19).
double ReadTxnBeginEndNs(const std::string& path, Readers on) {
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
double MutexPairNs() {
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

double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// Runs body(t) on `threads` threads at once, each doing `reads` reads.
ReadRate RunThreads(int threads, int reads, const std::function<void(int)>& body) {
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
ReadRate ReadTxnReadsPerSec(const std::string& path, int threads, Readers on) {
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
ReadRate RawMemcpyPerSec(int threads) {
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

void CommitSections(const std::string& raw, const std::string& db) {
  std::printf("durable commits\n");
  std::vector<double> append;
  for (int i = 0; i < kReps; i++) append.push_back(RawSyncedWrites(raw, 4096, 200, false));
  Print("raw 4 KiB append + fdatasync (reference)", "ops/s", append);
  std::vector<uint64_t> cps;
  auto commits = [&](uint32_t pages, int n, Pattern pattern, bool counted) {
    CommitRun r = Commits(db, pages, n, pattern, counted);
    cps.push_back(r.checkpoints);
    return r.commits_per_s * (pages == 1 ? 1 : pages * kPage / 1e6);
  };
  auto note_checkpoints = [&] {
    std::sort(cps.begin(), cps.end());
    std::printf("     checkpoints inside each timed run: %llu-%llu\n",
                static_cast<unsigned long long>(cps.front()),
                static_cast<unsigned long long>(cps.back()));
    cps.clear();
  };
  auto raw_1page = [&] { return RawSyncedWrites(raw, 4096, 1000, true); };
  auto raw_1mib = [&] { return RawSyncedWrites(raw, 1 << 20, 160, true) * 1.048576; };
  Pair("raw 4 KiB overwrite + fdatasync", "pager 1-page commit, random, ckpt counted", "ops/s",
       raw_1page, [&] { return commits(1, 1000, Pattern::kRandom, true); },
       "1-page commits (checkpoints counted) / overwrite floor");
  note_checkpoints();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 random pages of 4096, ckpt counted",
       "MB/s", raw_1mib, [&] { return commits(256, 160, Pattern::kRandom, true); },
       "256 random pages (checkpoints counted) / 1 MiB floor");
  note_checkpoints();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 random pages, ckpt deferred", "MB/s",
       raw_1mib, [&] { return commits(256, 160, Pattern::kRandom, false); },
       "256 random pages (checkpoint deferred) / 1 MiB floor");
  cps.clear();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 sequential pages 1..256, deferred", "MB/s",
       raw_1mib, [&] { return commits(256, 160, Pattern::kSequential, false); },
       "256 sequential pages (checkpoint deferred) / 1 MiB floor");
  cps.clear();

  // The commit path without the device flush (NORMAL: no fdatasync per commit), where the
  // CPU and system-call cost of random pages shows (doc/performance.md: the random-vs-
  // sequential gap).
  std::printf("commit path without the flush (NORMAL durability, checkpoint deferred)\n");
  const auto kNormal = pager::wal::Durability::kNormal;
  Pair("pager 256 sequential pages 1..256, NORMAL", "pager 256 random pages of 4096, NORMAL",
       "MB/s",
       [&] { return Commits(db, 256, 160, Pattern::kSequential, false, kNormal).commits_per_s *
                    256 * kPage / 1e6; },
       [&] { return Commits(db, 256, 160, Pattern::kRandom, false, kNormal).commits_per_s *
                    256 * kPage / 1e6; },
       "random / sequential (commit path only)");

}

// Per repetition: the raw limit with 1 and 2 threads, then the pager with 1 and 2 threads.
// Prints the medians (with min and max) of the rates, each model's 2-thread / 1-thread ratio
// (wall clock: the issue-12 figure) and of the CPU time per read (2 threads / 1 thread: 1.0
// = the threads do not slow each other down).
void Scaling(const char* what, const std::function<ReadRate(int)>& raw,
             const std::function<ReadRate(int)>& lib) {
  std::vector<double> r1, r2, l1, l2, raw_x, lib_x, raw_cpu1, raw_cpu2, lib_cpu1, lib_cpu2,
      raw_cpu_x, lib_cpu_x, raw_cores, lib_cores;
  for (int i = 0; i < kReps; i++) {
    const ReadRate a = raw(1), b = raw(2), c = lib(1), d = lib(2);
    r1.push_back(a.per_s);
    r2.push_back(b.per_s);
    l1.push_back(c.per_s);
    l2.push_back(d.per_s);
    raw_x.push_back(b.per_s / a.per_s);
    lib_x.push_back(d.per_s / c.per_s);
    raw_cpu1.push_back(a.cpu_ns);
    raw_cpu2.push_back(b.cpu_ns);
    lib_cpu1.push_back(c.cpu_ns);
    lib_cpu2.push_back(d.cpu_ns);
    raw_cpu_x.push_back(b.cpu_ns / a.cpu_ns);
    lib_cpu_x.push_back(d.cpu_ns / c.cpu_ns);
    raw_cores.push_back(b.cores);
    lib_cores.push_back(d.cores);
  }
  auto ratio = [](const char* label, const std::vector<double>& v) {
    std::printf("  -> %s: %.2fx (min %.2f, max %.2f)\n", label, Median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
  };
  std::printf("  %s\n", what);
  Print("raw memcpy of the same pages, 1 thread", "reads/s", r1);
  Print("raw memcpy of the same pages, 2 threads", "reads/s", r2);
  Print("pager, 1 thread", "reads/s", l1);
  Print("pager, 2 threads (total)", "reads/s", l2);
  Print("raw CPU per read, 1 thread", "ns", raw_cpu1);
  Print("raw CPU per read, each of 2 threads", "ns", raw_cpu2);
  Print("pager CPU per read, 1 thread", "ns", lib_cpu1);
  Print("pager CPU per read, each of 2 threads", "ns", lib_cpu2);
  Print("cores the raw 2-thread runs got (CPU s / wall s)", "", raw_cores);
  Print("cores the pager 2-thread runs got", "", lib_cores);
  ratio("raw 2 threads / 1 thread (what this box gave the run)", raw_x);
  ratio("pager 2 threads / 1 thread (issue 12 goal >= 1.8x)", lib_x);
  ratio("raw CPU per read, 2 threads / 1 thread", raw_cpu_x);
  ratio("pager CPU per read, 2 threads / 1 thread (1.0: nothing shared slows a read)",
        lib_cpu_x);
}

// Issue 12's goals: begin + end < 1 us, cached reads scale with reader threads (>= 1.8x at
// N = 2), commits with 2 active readers >= 0.9x the rate with none. Each on the writer's
// own handle and on read-only handles beside it (one per reader thread).
void ReaderSections(const std::string& db) {
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
std::vector<double> InterleavedCommitRates(const std::string& db) {
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

void CommitWithReaders(const std::string& raw, const std::string& db) {
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

// WAL_BENCH_ONLY=<section>[,<section>...] runs only those sections: commits, reads, readers
// (read transactions: no disk flushes), readers-commit (commits beside readers), checkpoint.
// Unset: all of them.
bool Selected(const char* section) {
  const char* only = getenv("WAL_BENCH_ONLY");
  if (only == nullptr || *only == '\0') return true;
  std::string list = std::string(",") + only + ",";
  return list.find(std::string(",") + section + ",") != std::string::npos;
}

void ReadSections(const std::string& raw, const std::string& db) {
  std::printf("reads (4 KiB; lower is better, ratio = pager time / raw time)\n");
  Pair("raw memcpy", "pager read_page, cached", "ns", [&] { return MemcpyNs(); },
       [&] { return ReadNs(db, 4096); }, "cached read_page / memcpy");
  std::printf("random-order reads of a 16 MiB working set (4096 pages; issue 13 goal <= 1.2x)\n");
  Pair("raw memcpy, same pages and order", "pager, main-file pages, cache 1/4 of set", "ns",
       [&] { return RandomMemcpyNs(); }, [&] { return RandomReadNs(db, 1024, false); },
       "random read, set > cache, main file (mapped) / memcpy");
  Pair("raw memcpy, same pages and order", "pager, main-file pages, cache 2x set", "ns",
       [&] { return RandomMemcpyNs(); }, [&] { return RandomReadNs(db, 8192, false); },
       "random read, set inside cache, main file (mapped) / memcpy");
  Pair("raw memcpy, same pages and order", "pager, WAL-frame pages, cache 2x set", "ns",
       [&] { return RandomMemcpyNs(); }, [&] { return RandomReadNs(db, 8192, true); },
       "random read, set inside cache, WAL frames (mapped) / memcpy");
  Pair("raw memcpy, same pages and order", "pager, WAL-frame pages, cache 1/4 of set", "ns",
       [&] { return RandomMemcpyNs(); }, [&] { return RandomReadNs(db, 1024, true); },
       "random read, set > cache, WAL frames (mapped) / memcpy");
  std::printf("pinned views (issue 13 goal <= 25 ns)\n");
  Pair("raw uncontended mutex lock/unlock", "pager view, main-file page", "ns",
       [&] { return OneMutexPairNs(); }, [&] { return ViewNs(db, false); },
       "view of a main-file page / mutex pair");
  Pair("raw uncontended mutex lock/unlock", "pager view, WAL frame", "ns",
       [&] { return OneMutexPairNs(); }, [&] { return ViewNs(db, true); },
       "view of a WAL frame / mutex pair");
  Pair("pager view, main-file page (C++ core)", "same through the C API", "ns",
       [&] { return ViewNs(db, false); }, [&] { return CapiViewNs(db, false); },
       "C API / core (the C call's fixed cost)");
  Pair("pager view, WAL frame (C++ core)", "same through the C API", "ns",
       [&] { return ViewNs(db, true); }, [&] { return CapiViewNs(db, true); },
       "C API / core (the C call's fixed cost)");
  Pair("raw pread (OS page cache)", "pager read_page, cache off (mapped, W18)", "ns",
       [&] { return RawPreadNs(raw); }, [&] { return ReadNs(db, 0); },
       "read_page with the cache off (mapped main file) / pread");
}

int main(int argc, char** argv) {
  const char* base = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  std::string templ = std::string(base) + "/wal_bench.XXXXXX";
  std::vector<char> dir(templ.begin(), templ.end());
  dir.push_back('\0');
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string d = dir.data();
  std::string raw = d + "/raw", db = d + "/db";
  std::printf("wal_bench in %s, page 4096 B, median of %d runs\n", d.c_str(), kReps);

  if (Selected("commits")) CommitSections(raw, db);
  if (Selected("readers-commit")) CommitWithReaders(raw, db);
  if (Selected("readers")) ReaderSections(db);
  if (Selected("reads")) ReadSections(raw, db);
  if (Selected("checkpoint")) {
    std::printf("checkpoint (16 MiB of distinct pages)\n");
    Pair("raw sequential write + fdatasync", "pager checkpoint", "MB/s",
         [&] { return RawSequentialMBps(raw, 4096); }, [&] { return CheckpointMBps(db, 4096); },
         "checkpoint / sequential write");
  }
  unlink(db.c_str());
  unlink((db + "-wal").c_str());
  unlink((db + "-shm").c_str());
  rmdir(d.c_str());
  return 0;
}
