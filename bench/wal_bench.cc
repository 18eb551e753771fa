// WAL pager benchmark, next to the raw limits of the same disk measured in the same run.
//
//   1-page commits/s (FULL)      vs  4 KiB pwrite + fdatasync over already-written blocks
//   256-page commits MB/s (FULL) vs  1 MiB pwrite + fdatasync over already-written blocks
//   read_page cached / uncached  vs  4 KiB pread (page cache) and memcpy
//   checkpoint MB/s              vs  sequential write + fdatasync of the same bytes
//
// Every figure is the median of kReps repetitions. Usage: wal_bench [DIR] (default $TMPDIR or
// /tmp; use a directory on the disk you care about).
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "impl/wal/wal_pager.h"

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
  std::unique_ptr<WalPager> p;
  Die(WalPager::Create(pager::io::DefaultEnv(), path, o, &p), "create");
  return p;
}

// n commits of `pages` pages each (content changes every commit); returns commits per second.
// The WAL is warmed first (one generation written and checkpointed), so commits overwrite
// already-written blocks, as they do in steady state.
// reader_threads threads run read transactions (begin, read page 1, end) during the timed
// commits, on the same handle.
double Commits(const std::string& path, uint32_t pages, int n, int reader_threads = 0) {
  Options o;
  o.auto_checkpoint_frames = 0;
  o.wal_keep_bytes = 1ull << 30;
  auto p = Fresh(path, o);
  std::vector<uint8_t> buf(kPage);
  auto commit_round = [&](int round) {
    for (uint32_t i = 0; i < pages; i++) {
      std::memset(buf.data(), round & 0xFF, kPage);
      std::memcpy(buf.data(), &i, sizeof i);
      Die(p->StagePage(1 + i, buf.data(), buf.size()), "stage");
    }
    auto r = p->Commit();
    Die(r.ok() ? pager::Status::Ok() : r.status(), "commit");
  };
  for (int i = 0; i < n; i++) commit_round(i);  // warm: write the WAL's blocks once
  Die(p->Checkpoint().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "cp"),
      "checkpoint");
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < reader_threads; t++) {
    readers.emplace_back([&] {
      std::vector<uint8_t> b(kPage);
      while (!stop.load(std::memory_order_relaxed)) {
        pager::wal::ReadSnapshot s;
        Die(p->BeginRead(&s), "begin read");
        Die(p->ReadPageAt(s, 1, b.data(), kPage), "read");
        p->EndRead(&s);
      }
    });
  }
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) commit_round(i + 1000);
  double rate = n / Seconds(t0, Clock::now());
  stop = true;
  for (auto& t : readers) t.join();
  return rate;
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

// ns per read transaction begin + end on a handle with a committed page (uncontended).
double ReadTxnBeginEndNs(const std::string& path) {
  Options o;
  o.auto_checkpoint_frames = 0;
  auto p = Fresh(path, o);
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

// Cached 4 KiB reads per second through read transactions, summed over `threads` threads
// sharing one handle (each thread: one transaction per 64 reads).
double ReadTxnReadsPerSec(const std::string& path, int threads) {
  const uint32_t kPages = 256;
  Options o;
  o.auto_checkpoint_frames = 0;
  o.cache_pages = 4096;
  auto p = Fresh(path, o);
  std::vector<uint8_t> buf(kPage, 5);
  for (uint32_t i = 1; i <= kPages; i++) Die(p->StagePage(i, buf.data(), kPage), "stage");
  Die(p->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
  const int kReadsPerThread = 200000;
  auto body = [&] {
    std::vector<uint8_t> b(kPage);
    for (int i = 0; i < kReadsPerThread; i += 64) {
      pager::wal::ReadSnapshot s;
      Die(p->BeginRead(&s), "begin read");
      for (int j = 0; j < 64; j++) {
        Die(p->ReadPageAt(s, 1 + static_cast<uint32_t>((i + j) % kPages), b.data(), kPage),
            "read");
      }
      p->EndRead(&s);
    }
  };
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; t++) ts.emplace_back(body);
  for (auto& t : ts) t.join();
  return threads * double(kReadsPerThread) / Seconds(t0, Clock::now());
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

  std::printf("durable commits\n");
  std::vector<double> append;
  for (int i = 0; i < kReps; i++) append.push_back(RawSyncedWrites(raw, 4096, 200, false));
  Print("raw 4 KiB append + fdatasync (reference)", "ops/s", append);
  Pair("raw 4 KiB overwrite + fdatasync", "pager 1-page commit (FULL)", "ops/s",
       [&] { return RawSyncedWrites(raw, 4096, 200, true); }, [&] { return Commits(db, 1, 200); },
       "1-page commits / overwrite floor");
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256-page commit (FULL)", "MB/s",
       [&] { return RawSyncedWrites(raw, 1 << 20, 20, true) * 1.048576; },
       [&] { return Commits(db, 256, 20) * 256 * kPage / 1e6; },
       "256-page commits / 1 MiB overwrite floor");

  Pair("pager 1-page commit (FULL), no readers", "same, 2 reader threads in read txns", "ops/s",
       [&] { return Commits(db, 1, 200); }, [&] { return Commits(db, 1, 200, 2); },
       "commits with 2 active readers / with none");

  std::printf("reads (4 KiB; lower is better, ratio = pager time / raw time)\n");
  Pair("raw memcpy", "pager read_page, cached", "ns", [&] { return MemcpyNs(); },
       [&] { return ReadNs(db, 4096); }, "cached read_page / memcpy");
  Pair("raw pread (OS page cache)", "pager read_page, cache off", "ns",
       [&] { return RawPreadNs(raw); }, [&] { return ReadNs(db, 0); },
       "uncached read_page / pread");

  std::printf("read transactions (one handle; lower is better for ns)\n");
  Pair("raw 2x uncontended mutex lock/unlock", "pager read txn begin + end", "ns",
       [&] { return MutexPairNs(); }, [&] { return ReadTxnBeginEndNs(db); },
       "begin+end / 2 mutex pairs");
  Pair("cached reads in read txns, 1 thread", "same, 2 threads (total)", "reads/s",
       [&] { return ReadTxnReadsPerSec(db, 1); }, [&] { return ReadTxnReadsPerSec(db, 2); },
       "2 threads / 1 thread (one handle mutex: reads serialize)");

  std::printf("checkpoint (16 MiB of distinct pages)\n");
  Pair("raw sequential write + fdatasync", "pager checkpoint", "MB/s",
       [&] { return RawSequentialMBps(raw, 4096); }, [&] { return CheckpointMBps(db, 4096); },
       "checkpoint / sequential write");

  unlink(db.c_str());
  unlink((db + "-wal").c_str());
  rmdir(d.c_str());
  return 0;
}
