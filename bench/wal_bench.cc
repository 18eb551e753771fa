// WAL pager benchmark, next to the raw limits of the same disk measured in the same run.
//
//   1-page commits/s (FULL), random pages, checkpoints counted
//                                vs  4 KiB pwrite + fdatasync over already-written blocks
//   1-page commits/s, checkpoint deferred  vs  the same 4 KiB floor and the raw write of a
//     frame's shape (32 + 4,096 bytes, two partly written blocks) + fdatasync
//   256-page commits MB/s (FULL) vs  1 MiB pwrite + fdatasync over already-written blocks:
//     256 random pages of a 4,096-page working set, checkpoints counted (library defaults,
//     final checkpoint timed); the same with checkpoints deferred; and pages 1..256 rewritten
//     every time (sequential, deferred), labelled as such
//   read_page cached / uncached  vs  4 KiB pread (page cache) and memcpy
//   random-order reads of a 16 MiB set, main-file pages and WAL frames (both mapped), on a
//   read-only handle (plain and inside a read transaction) and on the writer's handle  vs
//   memcpy of the same mapped bytes in the same order (interleaved pass by pass on one file)
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
// runs only those sections: commits, frame-shape, commit-path, readers-commit, readers,
// reads, checkpoint, bg-sizes (Selected(); bg-sizes only when named).
// WAL_BENCH_1PAGE_CYCLES (default 10): checkpoint cycles of the 1-page commit rows.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "bench/wal_bench_readers.h"
#include "bench/wal_bench_util.h"
#include "impl/wal/wal_pager.h"
#include "pager.h"

namespace {

using namespace wal_bench;  // NOLINT

// The pages a commit writes: `Sequential` rewrites pages 1..pages every time (the old
// flattering case); `Random` picks `pages` distinct random pages of a kWorkingSet-page working
// set (filled first), as a real workload does.
enum class Pattern { kSequential, kRandom };

struct CommitRun {
  double commits_per_s = 0;
  uint64_t checkpoints = 0;  // inside the timed run (the final one included when counted)
  uint64_t syncs = 0;
  uint64_t restarts = 0;         // WAL restarts inside the timed run (checkpoint cycles)
  uint64_t max_wal_frames = 0;   // the WAL's largest frame count after a timed commit
  uint64_t waits = 0;            // commits that waited for the background checkpointer
};

// n commits of `pages` pages each (content changes every commit). The WAL is warmed first
// (one round of commits written and checkpointed), so commits overwrite already-written
// blocks, as they do in steady state. count_checkpoints: the library's default
// auto-checkpoint runs and a final checkpoint is inside the timed run; otherwise automatic
// checkpoints are off and the WAL is kept (checkpoint deferred, not counted).
// Sizing (the bg-sizes section): threshold frames and limit factor instead of the
// library's defaults (0: default); the kept WAL then holds the limit plus one transaction.
struct Sizing {
  uint32_t frames = 0;
  uint32_t limit_factor = 0;
};

// stage_only: the timed transactions stage their pages and roll back (ClearStaged) instead of
// committing (the staging layer's share of a commit).
CommitRun Commits(const std::string& path, uint32_t pages, int n, Pattern pattern,
                  bool count_checkpoints,
                  pager::wal::Durability durability = pager::wal::Durability::kFull,
                  bool background = false, Sizing sizing = Sizing{}, bool stage_only = false) {
  Options o;
  o.durability = durability;
  o.background_checkpoint = background;
  if (sizing.frames > 0) {
    o.auto_checkpoint_frames = sizing.frames;
    o.wal_limit_factor = sizing.limit_factor;
    const uint64_t limit = uint64_t{sizing.frames} * sizing.limit_factor + pages;
    o.wal_keep_bytes = std::max<uint64_t>(o.wal_keep_bytes, limit * (kPage + 32) + 64);
  }
  if (!count_checkpoints) {
    o.auto_checkpoint_frames = 0;
    o.wal_keep_bytes = 1ull << 30;
  }
  auto p = Fresh(path, o);
  std::vector<uint8_t> buf(kPage);
  uint64_t rng = 0x1234567;
  std::vector<uint32_t> perm(kWorkingSet);
  for (uint32_t i = 0; i < kWorkingSet; i++) perm[i] = i + 1;
  bool rollback = false;  // stage_only, in the timed loop
  auto commit = [&](const std::vector<uint32_t>& list, int round) {
    for (uint32_t page : list) {
      std::memset(buf.data(), round & 0xFF, kPage);
      std::memcpy(buf.data(), &page, sizeof page);
      std::memcpy(buf.data() + 8, &round, sizeof round);
      Die(p->StagePage(page, buf.data(), buf.size()), "stage");
    }
    if (rollback) {
      Die(p->ClearStaged(), "clear staged");
      return;
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
  // Warm: write the WAL's blocks once (one threshold's worth when checkpoints run).
  const uint64_t warm_frames = count_checkpoints && o.auto_checkpoint_frames > 0
                                   ? uint64_t{o.auto_checkpoint_frames} * 2
                                   : uint64_t{pages} * n;
  const int warm = static_cast<int>(std::min<uint64_t>(n, warm_frames / pages + 1));
  for (int i = 0; i < warm; i++) commit(page_list(), i);
  checkpoint();
  pager::wal::Stats before = p->stats();
  uint64_t max_frames = 0;
  rollback = stage_only;
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) {
    commit(page_list(), i + 1000);
    max_frames = std::max(max_frames, p->stats().wal_frames);
  }
  if (count_checkpoints) checkpoint();  // the final drain, inside the time
  double s = Seconds(t0, Clock::now());
  pager::wal::Stats after = p->stats();
  return CommitRun{n / s,
                   after.checkpoints - before.checkpoints,
                   after.syncs - before.syncs,
                   after.wal_restarts - before.wal_restarts,
                   max_frames,
                   after.checkpoint_waits - before.checkpoint_waits};
}

constexpr uint32_t kSeqPages = 1024;  // the sequential cached-read rows

// kSeqPages pages committed and checkpointed into the main file; a read-only handle on it.
std::unique_ptr<WalPager> SeqReadPager(const std::string& path, uint32_t cache_pages) {
  Options o;
  o.auto_checkpoint_frames = 0;
  {
    auto p = Fresh(path, o);
    std::vector<uint8_t> buf(kPage, 7);
    for (uint32_t i = 1; i <= kSeqPages; i++) {
      std::memcpy(buf.data(), &i, sizeof i);  // MappedPages finds each page by its number
      Die(p->StagePage(i, buf.data(), kPage), "stage");
    }
    Die(p->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
    Die(p->Checkpoint().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "cp"),
        "checkpoint");
  }
  o.page_size = 0;
  o.cache_pages = cache_pages;
  std::unique_ptr<WalPager> p;
  Die(WalPager::Open(pager::io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p), "open");
  return p;
}

// ns per read_page of pages already read once (cache_pages large) or always missing the
// cache (cache_pages 0: each read is a pread of the main file from the OS page cache).
double ReadNs(const std::string& path, uint32_t cache_pages) {
  auto p = SeqReadPager(path, cache_pages);
  std::vector<uint8_t> buf(kPage);
  for (uint32_t i = 1; i <= kSeqPages; i++) Die(p->ReadPage(i, buf.data(), kPage), "read");
  const int kRounds = 20;
  const double t0 = ThreadCpuNs();  // CPU time: preemption on a shared box excluded
  for (int r = 0; r < kRounds; r++) {
    for (uint32_t i = 1; i <= kSeqPages; i++) Die(p->ReadPage(i, buf.data(), kPage), "read");
  }
  return (ThreadCpuNs() - t0) / (kRounds * kSeqPages);
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

// The bytes a cached read copies, where they live: a read-only shared mapping of the file
// that holds them -- the main file, or the WAL (a frame's body) for pages not checkpointed --
// so the raw floor copies the same OS page-cache pages the pager's own mapping does (W22),
// not a private buffer (other pages, other TLB and cache behaviour). Each page is found by the
// page number its first 4 bytes carry and checked against what `reader` returns for it.
class MappedPages {
 public:
  MappedPages(const std::string& path, uint32_t pages, bool in_wal, WalPager* reader)
      : page_(pages + 1, nullptr) {
    const std::string file = in_wal ? path + "-wal" : path;
    fd_ = open(file.c_str(), O_RDONLY);
    struct stat st;
    if (fd_ < 0 || fstat(fd_, &st) != 0) Fatal(file, "open");
    len_ = static_cast<size_t>(st.st_size);
    base_ = static_cast<const uint8_t*>(mmap(nullptr, len_, PROT_READ, MAP_SHARED, fd_, 0));
    if (base_ == MAP_FAILED) Fatal(file, "mmap");
    const uint64_t stride = in_wal ? pager::wal::FrameSize(kPage) : kPage;
    const uint64_t first = in_wal ? pager::wal::kWalHeaderSize + pager::wal::kFrameHeaderSize
                                  : uint64_t{kPage};
    for (uint64_t at = first; at + kPage <= len_; at += stride) {
      uint32_t p = 0;
      std::memcpy(&p, base_ + at, sizeof p);
      if (p >= 1 && p <= pages) page_[p] = base_ + at;  // one commit: one frame per page
    }
    std::vector<uint8_t> want(kPage);
    for (uint32_t p = 1; p <= pages; p++) {
      Die(reader->ReadPage(p, want.data(), kPage), "read");
      if (page_[p] == nullptr || std::memcmp(page_[p], want.data(), kPage) != 0) {
        Fatal(file, "the mapped bytes of a page differ from read_page's");
      }
    }
  }
  ~MappedPages() {
    munmap(const_cast<uint8_t*>(base_), len_);
    close(fd_);
  }
  const uint8_t* page(uint32_t p) const { return page_[p]; }

 private:
  [[noreturn]] static void Fatal(const std::string& file, const char* what) {
    std::fprintf(stderr, "%s: %s\n", file.c_str(), what);
    std::exit(1);
  }
  int fd_ = -1;
  size_t len_ = 0;
  const uint8_t* base_ = nullptr;
  std::vector<const uint8_t*> page_;
};

// ns per memcpy of the pages `order` names (1-based) out of `src` into one 4 KiB buffer,
// kRounds passes after one warm-up pass: the raw floor of the reads that copy them.
double CopyPagesNs(const MappedPages& src, const std::vector<uint32_t>& order, int rounds) {
  std::vector<uint8_t> b(kPage);
  for (uint32_t p : order) std::memcpy(b.data(), src.page(p), kPage);
  const double t0 = ThreadCpuNs();  // CPU time: preemption on a shared box excluded
  for (int r = 0; r < rounds; r++) {
    for (uint32_t p : order) {
      std::memcpy(b.data(), src.page(p), kPage);
      asm volatile("" : : "r"(b.data()) : "memory");
    }
  }
  return (ThreadCpuNs() - t0) / (rounds * order.size());
}

// The floor of ReadNs's cached row: memcpy of the same main-file pages, mapped, same order.
double MemcpyNs(const std::string& path) {
  auto p = SeqReadPager(path, 0);
  MappedPages src(path, kSeqPages, false, p.get());
  std::vector<uint32_t> order(kSeqPages);
  for (uint32_t i = 0; i < kSeqPages; i++) order[i] = i + 1;
  return CopyPagesNs(src, order, 20);
}

// The old floor, for comparison: the same copies out of a private 4 MiB buffer.
double PrivateMemcpyNs() {
  std::vector<uint8_t> a(kPage * kSeqPages, 1), b(kPage);
  const int kRounds = 20;
  const double t0 = ThreadCpuNs();  // CPU time: preemption on a shared box excluded
  for (int r = 0; r < kRounds; r++) {
    for (size_t i = 0; i < kSeqPages; i++) std::memcpy(b.data(), a.data() + i * kPage, kPage);
    asm volatile("" : : "r"(b.data()) : "memory");
  }
  return (ThreadCpuNs() - t0) / (kRounds * kSeqPages);
}

// Random-order cached reads (issue 13): kRandomPages pages, read in one fixed random
// permutation, after one warm-up pass. in_wal: the pages stay WAL frames (served by the page
// cache); else they are checkpointed into the main file (served by its mapping, W18).
constexpr uint32_t kRandomPages = 4096;  // 16 MiB working set
constexpr int kRandomRounds = 40;        // timed passes over it (~15 ms per figure)

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

// The file of the random-order rows (pages 1..kRandomPages in one commit, checkpointed into
// the main file unless in_wal) and a handle on it: read-only (writer = false), or the writer's
// own handle that made the commit (still open, so its frames stay in the WAL: a read-write
// open would checkpoint them, W9).
std::unique_ptr<WalPager> RandomReadPager(const std::string& path, uint32_t cache_pages,
                                          bool in_wal, bool writer = false) {
  Options o;
  o.auto_checkpoint_frames = 0;
  o.cache_pages = cache_pages;
  {
    auto p = Fresh(path, o);
    std::vector<uint8_t> buf(kPage, 7);
    for (uint32_t i = 1; i <= kRandomPages; i++) {
      std::memcpy(buf.data(), &i, sizeof i);  // MappedPages finds each page by its number
      Die(p->StagePage(i, buf.data(), kPage), "stage");
    }
    Die(p->Commit().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "c"), "commit");
    if (!in_wal) {
      Die(p->Checkpoint().ok() ? pager::Status::Ok() : pager::Status(pager::Code::kIo, "cp"),
          "checkpoint");
    }
    if (writer) return p;
  }
  o.page_size = 0;
  std::unique_ptr<WalPager> p;
  Die(WalPager::Open(pager::io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p), "open");
  return p;
}

// How the random-order rows read: a plain read_page on a read-only handle (each read pins
// the latest commit in the shared index, W19: one seq_cst fence per read), read_page inside
// one read transaction on such a handle (pinned once), or read_page on the writer's handle.
enum class ReadKind { kPlain, kInTxn, kWriter };

// One repetition of a random-order row: the pager's reads and the floor's copies of the same
// bytes (the mapped main-file pages or WAL frame bodies the pager reads, MappedPages, in the
// same order into one 4 KiB buffer), on one file, after one warm-up pass of each, then
// kRandomRounds timed passes of each interleaved pass by pass (the order inside each pair of
// passes alternating), so both see the same cache and memory-bandwidth weather of a shared
// machine and the same physical pages. Before 0.3.0's rdo2 change the two were timed as
// separate 40-pass blocks on two freshly built files, and the ratio moved 0.8-1.9x from run
// to run (doc/performance.md, "Cached WAL-frame reads measured apart").
struct ReadPair {
  double floor_ns = 0;  // per copy
  double pager_ns = 0;  // per read
};

ReadPair RandomReadPair(const std::string& path, bool in_wal, ReadKind kind) {
  auto p = RandomReadPager(path, 1024, in_wal, kind == ReadKind::kWriter);
  MappedPages src(path, kRandomPages, in_wal, p.get());
  pager::wal::ReadSnapshot s;
  if (kind == ReadKind::kInTxn) Die(p->BeginRead(&s), "begin read");
  const std::vector<uint32_t> order = RandomOrder();
  std::vector<uint8_t> buf(kPage);
  auto read_pass = [&] {
    for (uint32_t i : order) {
      Die(kind == ReadKind::kInTxn ? p->ReadPageAt(s, i + 1, buf.data(), kPage)
                                   : p->ReadPage(i + 1, buf.data(), kPage),
          "read");
    }
  };
  auto copy_pass = [&] {
    for (uint32_t i : order) {
      std::memcpy(buf.data(), src.page(i + 1), kPage);
      asm volatile("" : : "r"(buf.data()) : "memory");
    }
  };
  auto timed = [](const std::function<void()>& pass) {
    const double t0 = ThreadCpuNs();  // CPU time: preemption on a shared box excluded
    pass();
    return ThreadCpuNs() - t0;
  };
  read_pass();
  copy_pass();
  double floor_total = 0, pager_total = 0;
  for (int r = 0; r < kRandomRounds; r++) {
    if (r % 2 == 0) {
      floor_total += timed(copy_pass);
      pager_total += timed(read_pass);
    } else {
      pager_total += timed(read_pass);
      floor_total += timed(copy_pass);
    }
  }
  if (kind == ReadKind::kInTxn) p->EndRead(&s);
  const double reads = double(kRandomRounds) * kRandomPages;
  return ReadPair{floor_total / reads, pager_total / reads};
}

// kReps repetitions of a random-order row (a fresh file each): both medians and the median of
// the per-repetition ratios pager / floor.
void RandomReadRow(const std::string& db, bool in_wal, ReadKind kind, const char* what,
                   const char* ratio_what) {
  std::vector<double> floor_ns, pager_ns, ratio;
  for (int i = 0; i < kReps; i++) {
    const ReadPair r = RandomReadPair(db, in_wal, kind);
    floor_ns.push_back(r.floor_ns);
    pager_ns.push_back(r.pager_ns);
    ratio.push_back(r.pager_ns / r.floor_ns);
  }
  Print(in_wal ? "raw memcpy, same frames and order" : "raw memcpy, same pages and order", "ns",
        floor_ns);
  Print(what, "ns", pager_ns);
  std::printf("  -> %s: %.2fx (median of per-run ratios, spread %.2f-%.2fx)\n", ratio_what,
              Median(ratio), *std::min_element(ratio.begin(), ratio.end()),
              *std::max_element(ratio.begin(), ratio.end()));
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

// Raw: n writes of 1 MiB over already-written blocks, no flush (the bytes of a 256-page
// commit, as one aligned pwrite). MB/s.
double RawUnsyncedMiBWrites(const std::string& path, int n) {
  const size_t len = size_t{1} << 20;
  int fd = MustOpenFd(path);
  std::vector<uint8_t> buf(len, 0x5A);
  for (int i = 0; i < n; i++) PwriteAll(fd, buf.data(), len, static_cast<off_t>(i) * len);
  fdatasync(fd);
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) PwriteAll(fd, buf.data(), len, static_cast<off_t>(i) * len);
  double s = Seconds(t0, Clock::now());
  close(fd);
  unlink(path.c_str());
  return n * double(len) / s / 1e6;
}

// doc/performance.md, "Where a 1 MiB commit's time goes": a 256-random-page NORMAL commit
// (no device flush; checkpoint deferred) next to one aligned 1 MiB pwrite of the same bytes
// (no flush either), and the staging alone (stage 256 pages + roll back) next to the same.
void CommitPathShares(const std::string& raw, const std::string& db) {
  const auto kNormal = pager::wal::Durability::kNormal;
  auto mbps = [](const CommitRun& r) { return r.commits_per_s * 256 * kPage / 1e6; };
  auto raw_write = [&] { return RawUnsyncedMiBWrites(raw, 160); };
  Pair("raw 1 MiB pwrite over written blocks, no flush", "pager 256 random pages, NORMAL",
       "MB/s", raw_write,
       [&] { return mbps(Commits(db, 256, 160, Pattern::kRandom, false, kNormal)); },
       "commit path (random, NORMAL) / 1 MiB pwrite");
  Pair("raw 1 MiB pwrite over written blocks, no flush", "pager stage 256 random pages only",
       "MB/s", raw_write,
       [&] {
         return mbps(Commits(db, 256, 160, Pattern::kRandom, false, kNormal, false, Sizing{},
                             true));
       },
       "staging 256 pages + rollback / 1 MiB pwrite");
  std::printf("     (us per 1 MiB = 1048.6 / MB/s)\n");
}

// doc/performance.md, "The 1-page commit's floor": a 1-page commit writes one frame, which
// dirties two blocks where the 4 KiB floor dirties one. Three loops interleaved per
// repetition: the 4 KiB floor, the frame's write shape without the library, and 1-page FULL
// commits (random pages of the working set, checkpoint deferred, over written WAL blocks).
void FrameShapeFloor(const std::string& raw, const std::string& db) {
  std::printf("the 1-page commit's write shape\n");
  constexpr int kOps = 2000;
  std::vector<double> floor, frames, pager, frames_ratio, pager_ratio;
  for (int i = 0; i < kReps; i++) {
    floor.push_back(RawSyncedWrites(raw, 4096, kOps, true));
    frames.push_back(RawSyncedWrites(raw, kPage, kOps, true, 32));
    pager.push_back(Commits(db, 1, kOps, Pattern::kRandom, false).commits_per_s);
    frames_ratio.push_back(frames.back() / floor.back());
    pager_ratio.push_back(pager.back() / frames.back());
  }
  Print("raw 4 KiB overwrite + fdatasync", "ops/s", floor);
  Print("raw frame shape (32 + 4,096 B) + fdatasync", "ops/s", frames);
  Print("pager 1-page commit, random, ckpt deferred", "ops/s", pager);
  std::printf("  -> frame shape / 4 KiB floor: %.2fx; pager 1-page commits / frame shape: %.2fx "
              "(medians of per-run ratios)\n", Median(frames_ratio), Median(pager_ratio));
}

}  // namespace

void CommitSections(const std::string& raw, const std::string& db) {
  std::printf("durable commits\n");
  std::vector<double> append;
  for (int i = 0; i < kReps; i++) append.push_back(RawSyncedWrites(raw, 4096, 200, false));
  Print("raw 4 KiB append + fdatasync (reference)", "ops/s", append);
  std::vector<uint64_t> cps, restarts, max_frames, waits;
  auto commits = [&](uint32_t pages, int n, Pattern pattern, bool counted, bool bg = false) {
    CommitRun r = Commits(db, pages, n, pattern, counted, pager::wal::Durability::kFull, bg);
    cps.push_back(r.checkpoints);
    restarts.push_back(r.restarts);
    max_frames.push_back(r.max_wal_frames);
    waits.push_back(r.waits);
    return r.commits_per_s * (pages == 1 ? 1 : pages * kPage / 1e6);
  };
  auto range = [](std::vector<uint64_t>* v) {
    std::sort(v->begin(), v->end());
    auto lo = static_cast<unsigned long long>(v->front());
    auto hi = static_cast<unsigned long long>(v->back());
    v->clear();
    return std::make_pair(lo, hi);
  };
  auto note_checkpoints = [&] {
    auto c = range(&cps);
    auto r = range(&restarts);
    auto m = range(&max_frames);
    auto w = range(&waits);
    std::printf("     inside each timed run: checkpoint steps %llu-%llu, WAL restarts (cycles) "
                "%llu-%llu, commits that waited %llu-%llu; largest WAL %.2f-%.2fx the "
                "%u-page working set\n",
                c.first, c.second, r.first, r.second, w.first, w.second,
                double(m.first) / kWorkingSet, double(m.second) / kWorkingSet, kWorkingSet);
  };
  // Steady state (issue 13): >= 10 checkpoint cycles at the library's default threshold
  // inside each timed run, the final drain included; with the background checkpointer the
  // WAL restarts once per 2 thresholds (it catches up at the backpressure limit).
  // WAL_BENCH_1PAGE_CYCLES (default 10) lowers the 1-page rows' cycles for a slow disk (at
  // 3 ms per flush 10 cycles are 4 minutes per repetition); the rows print the cycles run.
  const int cycle_frames = static_cast<int>(Options{}.auto_checkpoint_frames);
  const char* cycles_env = getenv("WAL_BENCH_1PAGE_CYCLES");
  const int cycles_1 = std::max(1, cycles_env != nullptr ? atoi(cycles_env) : 10);
  const int n1 = cycles_1 * cycle_frames, n1_bg = 2 * cycles_1 * cycle_frames;
  const int n256 = 10 * cycle_frames / 256, n256_bg = 20 * cycle_frames / 256 + 10;
  auto raw_1page = [&] { return RawSyncedWrites(raw, 4096, 1000, true); };
  auto raw_1mib = [&] { return RawSyncedWrites(raw, 1 << 20, 160, true) * 1.048576; };
  Pair("raw 4 KiB overwrite + fdatasync", "pager 1-page commit, random, ckpt counted", "ops/s",
       raw_1page, [&] { return commits(1, n1, Pattern::kRandom, true); },
       "1-page commits (checkpoints counted) / overwrite floor");
  note_checkpoints();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 random pages of 4096, ckpt counted",
       "MB/s", raw_1mib, [&] { return commits(256, n256, Pattern::kRandom, true); },
       "256 random pages (checkpoints counted) / 1 MiB floor");
  note_checkpoints();
  // W26: the same two workloads with the background checkpointer (issue 13's goals).
  Pair("raw 4 KiB overwrite + fdatasync", "pager 1-page commit, bg checkpointer, counted",
       "ops/s", raw_1page, [&] { return commits(1, n1_bg, Pattern::kRandom, true, true); },
       "1-page commits, background checkpointer (counted) / overwrite floor");
  note_checkpoints();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 random pages, bg checkpointer",
       "MB/s", raw_1mib, [&] { return commits(256, n256_bg, Pattern::kRandom, true, true); },
       "256 random pages, background checkpointer (counted) / 1 MiB floor");
  note_checkpoints();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 random pages, ckpt deferred", "MB/s",
       raw_1mib, [&] { return commits(256, 160, Pattern::kRandom, false); },
       "256 random pages (checkpoint deferred) / 1 MiB floor");
  cps.clear(), restarts.clear(), max_frames.clear(), waits.clear();
  Pair("raw 1 MiB overwrite + fdatasync", "pager 256 sequential pages 1..256, deferred", "MB/s",
       raw_1mib, [&] { return commits(256, 160, Pattern::kSequential, false); },
       "256 sequential pages (checkpoint deferred) / 1 MiB floor");
  cps.clear(), restarts.clear(), max_frames.clear(), waits.clear();

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

// Issue 13's thresholds with the background checkpointer: 256 random pages per FULL commit
// at several (threshold, limit factor) pairs, each run long enough for >= 10 cycles, the
// final drain counted; the WAL bound is 4x the working set (threshold x factor <= 16,384).
void SizingSections(const std::string& raw, const std::string& db) {
  std::printf("background checkpointer sizing (256 random pages of %u per FULL commit)\n",
              kWorkingSet);
  const Sizing sizes[] = {{2048, 2}, {4096, 2}, {4096, 4}, {8192, 2}};
  auto raw_1mib = [&] { return RawSyncedWrites(raw, 1 << 20, 160, true) * 1.048576; };
  for (const Sizing& z : sizes) {
    const int n = static_cast<int>(16 * z.frames / 256 + 16);
    std::vector<uint64_t> restarts, waits, frames;
    char what[128], ratio[128];
    std::snprintf(what, sizeof what, "pager bg, threshold %u frames, limit %ux", z.frames,
                  z.limit_factor);
    std::snprintf(ratio, sizeof ratio, "threshold %u, limit %ux / 1 MiB floor", z.frames,
                  z.limit_factor);
    Pair("raw 1 MiB overwrite + fdatasync", what, "MB/s", raw_1mib, [&] {
      CommitRun r = Commits(db, 256, n, Pattern::kRandom, true, pager::wal::Durability::kFull,
                            true, z);
      restarts.push_back(r.restarts), waits.push_back(r.waits), frames.push_back(r.max_wal_frames);
      return r.commits_per_s * 256 * kPage / 1e6;
    }, ratio);
    std::sort(restarts.begin(), restarts.end());
    std::sort(waits.begin(), waits.end());
    std::sort(frames.begin(), frames.end());
    std::printf("     %d commits: cycles %llu-%llu, commits that waited %llu-%llu, largest WAL "
                "%.2f-%.2fx the working set\n", n,
                static_cast<unsigned long long>(restarts.front()),
                static_cast<unsigned long long>(restarts.back()),
                static_cast<unsigned long long>(waits.front()),
                static_cast<unsigned long long>(waits.back()),
                double(frames.front()) / kWorkingSet, double(frames.back()) / kWorkingSet);
  }
}

// WAL_BENCH_ONLY=<section>[,<section>...] runs only those sections: commits, frame-shape
// (1-page commits next to the raw write of a frame's shape), commit-path (the NORMAL commit
// path and its staging next to a 1 MiB pwrite), reads, readers (read transactions: no disk
// flushes), readers-commit (commits beside readers), checkpoint, bg-sizes (not in the
// default run: minutes of 1 MiB commits). Unset: all but bg-sizes.
bool Selected(const char* section) {
  const char* only = getenv("WAL_BENCH_ONLY");
  if (only == nullptr || *only == '\0') return std::string(section) != "bg-sizes";
  std::string list = std::string(",") + only + ",";
  return list.find(std::string(",") + section + ",") != std::string::npos;
}

void ReadSections(const std::string& raw, const std::string& db) {
  std::printf("reads (4 KiB; lower is better, ratio = pager time / raw time)\n");
  Pair("raw memcpy, same mapped pages", "pager read_page, cached", "ns",
       [&] { return MemcpyNs(db); }, [&] { return ReadNs(db, 4096); },
       "cached read_page / memcpy");
  Pair("memcpy out of a private buffer", "memcpy of the mapped pages", "ns",
       [&] { return PrivateMemcpyNs(); }, [&] { return MemcpyNs(db); },
       "the mapped floor / the private-buffer floor (before 0.3.0's fix)");
  std::printf("random-order reads of a 16 MiB working set (4096 pages; issue 13 goal <= 1.2x)\n");
  // Mapped pages bypass the page cache (W22): its size no longer matters here (1/4 of the set).
  struct Row {
    bool in_wal;
    ReadKind kind;
    const char* what;
    const char* ratio;
  };
  const Row rows[] = {
      {false, ReadKind::kPlain, "pager, main-file pages, read-only handle",
       "random read, main file, read-only handle (pin per read) / memcpy"},
      {false, ReadKind::kInTxn, "pager, main-file pages, in a read txn",
       "random read, main file, inside a read transaction / memcpy"},
      {false, ReadKind::kWriter, "pager, main-file pages, writer's handle",
       "random read, main file, writer's handle / memcpy"},
      {true, ReadKind::kPlain, "pager, WAL frames, read-only handle",
       "random read, WAL frames, read-only handle (pin per read) / memcpy"},
      {true, ReadKind::kInTxn, "pager, WAL frames, in a read txn",
       "random read, WAL frames, inside a read transaction / memcpy"},
      {true, ReadKind::kWriter, "pager, WAL frames, writer's handle",
       "random read, WAL frames, writer's handle / memcpy"},
  };
  for (const Row& row : rows) RandomReadRow(db, row.in_wal, row.kind, row.what, row.ratio);
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
  if (Selected("frame-shape")) FrameShapeFloor(raw, db);
  if (Selected("commit-path")) CommitPathShares(raw, db);
  if (Selected("bg-sizes")) SizingSections(raw, db);
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
