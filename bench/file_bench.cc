// bench/file_bench: the mapped page file against the machine's limit, in the same run.
//
//   raw floor       4 KiB pwrite over written blocks + fdatasync (one durable flush)
//   alloc/free      single-page alloc and free commits (each one fdatasync)
//   bulk alloc      10,000 pages in one commit
//   commit vs size  alloc+free commits in a 1 GiB and a 256 GiB (sparse) page space
//   1 MiB floor     one 1 MiB pwrite over written blocks + fdatasync, interleaved with:
//   scattered floor 256 scattered 4 KiB blocks of a written 16 MiB file overwritten in place
//                   + one fdatasync (the limit for pages that must stay where they are)
//   sync_pages      256 scattered pages of a 4,096-page working set written through the
//                   mapping, then one pager_file_sync_pages
//   txn of 256      a write transaction over 256 protected pages (of 1,024), one commit
//                   (txn add: each page's committed content copied out, then changed)
//   txn write 256   the same through pager.h as a caller that replaces whole pages: its new
//                   bytes in the caller's buffer, pager_file_txn_write (no read of the old
//                   content), one pager_file_txn_commit
//   txn alloc/free  a write transaction of 256 pages of content -- 224 protected pages
//                   rewritten and 32 allocated in it -- that also frees 32 others, one commit
//   Under each 256-page row: its operations split by whether they ran the journal's
//   checkpoint -- what the checkpoints cost the row, and the median operation without one
//   (which still pays the write faults on the pages the last checkpoint cleaned).
//
// Usage: file_bench [directory]   (default: build/bench-tmp under the current directory, on
// the same disk as the tree). Prints medians over repetitions and ratios to the raw floor.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/file/page_file.h"
#include "pager.h"

using namespace pager;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kReps = 5;
constexpr int kOpsPerRep = 200;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double MicrosSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

// The floor: a file of 64 written 4 KiB blocks, overwritten one block + fdatasync at a time.
int RawFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::exit(1);
  std::vector<char> block(4096, 'x');
  for (int i = 0; i < 64; i++) {
    if (pwrite(fd, block.data(), block.size(), i * 4096) != 4096) std::exit(1);
  }
  if (fsync(fd) != 0) std::exit(1);
  return fd;
}

double RawRepMicros(int fd) {
  std::vector<char> block(4096, 'y');
  auto t0 = Clock::now();
  for (int i = 0; i < kOpsPerRep; i++) {
    block[0] = static_cast<char>(i);
    if (pwrite(fd, block.data(), block.size(), (i % 64) * 4096) != 4096) std::exit(1);
    if (fdatasync(fd) != 0) std::exit(1);
  }
  return MicrosSince(t0) / kOpsPerRep;
}

// FILE_BENCH_FORMAT=1 measures a format-1 file (commits in place, no journal) instead of the
// default format 2, for the comparison doc/file.md quotes.
uint32_t BenchFormatVersion() {
  const char* v = std::getenv("FILE_BENCH_FORMAT");
  return v != nullptr && std::string(v) == "1" ? file::kFormatVersionUnjournaled
                                               : file::kFormatVersion;
}

// FILE_BENCH_LAP_MIB: the journal's lap in MiB, to measure what it trades; unset, `otherwise`
// (the core's 64 MiB default, or the C API's 0, which means the same).
uint64_t BenchLapBytes(uint64_t otherwise) {
  const char* lap = std::getenv("FILE_BENCH_LAP_MIB");
  return lap != nullptr ? std::strtoull(lap, nullptr, 10) << 20 : otherwise;
}

// Removes a page file and its journal (left by an earlier run).
void RemovePageFile(const std::string& path) {
  unlink(path.c_str());
  unlink((path + "-journal").c_str());
}

std::unique_ptr<file::PageFile> Fresh(const std::string& path) {
  RemovePageFile(path);
  file::FileOptions o;
  o.page_size = 4096;
  o.format_version = BenchFormatVersion();
  o.journal_lap_bytes = BenchLapBytes(o.journal_lap_bytes);
  std::unique_ptr<file::PageFile> pf;
  Status st = file::PageFile::Create(io::DefaultEnv(), path, o, &pf);
  if (!st.ok()) Die("create", st);
  return pf;
}

// Microseconds per commit of alternating alloc / free of one page (one repetition).
double AllocFreeRepMicros(file::PageFile* pf) {
  auto t0 = Clock::now();
  for (int i = 0; i < kOpsPerRep / 2; i++) {
    uint64_t id = 0;
    Status st = pf->Alloc(&id);
    if (!st.ok()) Die("alloc", st);
    st = pf->Free(id);
    if (!st.ok()) Die("free", st);
  }
  return MicrosSince(t0) / kOpsPerRep;
}

// ---- 256 pages (1 MiB) per durable operation, against the 1 MiB floor --------------------------

constexpr int kBigOps = 16;          // durable operations per repetition of the floors
// Operations per repetition of the page-file cases: two laps of a format-2 file's 64 MiB
// journal at ~1 MiB per operation, so every repetition pays its share of checkpoints.
constexpr int kJournalOps = 128;
constexpr size_t kBigPages = 256;    // pages per operation: 1 MiB of 4 KiB pages
constexpr size_t kWorkingSet = 4096; // regular pages the scattered pages are drawn from

// The operations of one 256-page row split by whether each ran the journal's checkpoint (the
// main file's fdatasync at the end of a lap): the row's figure counts both, the split says
// what the checkpoints cost it and what an operation costs without one.
struct CheckpointSplit {
  std::vector<double> plain_us;  // operations that ran no checkpoint
  double checkpoint_us = 0;      // summed time of the operations that ran one
  uint64_t checkpoints = 0;
  uint64_t ops = 0;
  void Add(double us, bool ran_checkpoint) {
    ops++;
    if (ran_checkpoint) {
      checkpoint_us += us;
      checkpoints++;
    } else {
      plain_us.push_back(us);
    }
  }
};

// The floor: a 1 MiB file region written and synced before, overwritten with one pwrite and
// made durable with one fdatasync -- what the disk allows for 1 MiB per durable operation.
double FloorRepMicros(int fd) {
  std::vector<char> buf(kBigPages * 4096, 'f');
  auto t0 = Clock::now();
  for (int i = 0; i < kBigOps; i++) {
    buf[0] = static_cast<char>(i);
    if (pwrite(fd, buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) std::exit(1);
    if (fdatasync(fd) != 0) std::exit(1);
  }
  return MicrosSince(t0) / kBigOps;
}

// xorshift: the same scattered sets in every run.
uint64_t NextRandom(uint64_t* x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

std::vector<uint64_t> ScatteredSubset(const std::vector<uint64_t>& from, size_t n, uint64_t* rng) {
  std::vector<uint64_t> pick = from;
  for (size_t i = 0; i < n; i++) std::swap(pick[i], pick[i + NextRandom(rng) % (pick.size() - i)]);
  pick.resize(n);
  return pick;
}

// The floor of the same shape as sync_pages: kBigPages scattered 4 KiB blocks of a written
// kWorkingSet-block file, each overwritten in place (ascending offsets) and one fdatasync --
// what the disk allows for 1 MiB of pages that must stay where they are. On a disk that
// charges per I/O request it is far below the 1 MiB floor.
double ScatteredFloorRepMicros(int fd, uint64_t* rng) {
  std::vector<char> block(4096, 's');
  std::vector<uint64_t> all(kWorkingSet);
  for (size_t i = 0; i < all.size(); i++) all[i] = i;
  double total = 0;
  for (int i = 0; i < kBigOps; i++) {
    std::vector<uint64_t> blocks = ScatteredSubset(all, kBigPages, rng);
    std::sort(blocks.begin(), blocks.end());
    block[0] = static_cast<char>(i);
    auto t0 = Clock::now();
    for (uint64_t b : blocks) {
      if (pwrite(fd, block.data(), block.size(), static_cast<off_t>(b * 4096)) != 4096) {
        std::exit(1);
      }
    }
    if (fdatasync(fd) != 0) std::exit(1);
    total += MicrosSince(t0);
  }
  return total / kBigOps;
}

int ScatteredFloorFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::exit(1);
  std::vector<char> all(kWorkingSet * 4096, 'w');
  if (pwrite(fd, all.data(), all.size(), 0) != static_cast<ssize_t>(all.size())) std::exit(1);
  if (fdatasync(fd) != 0) std::exit(1);
  return fd;
}

int FloorFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::exit(1);
  FloorRepMicros(fd);  // the blocks are written (and synced) before any timed repetition
  return fd;
}

struct BigFile {
  std::unique_ptr<file::PageFile> pf;
  std::vector<uint64_t> pages;      // kWorkingSet regular pages
  std::vector<uint64_t> protected_; // 4 * kBigPages protected pages
  uint64_t rng = 0x9e3779b97f4a7c15ull;
};

BigFile MakeBigFile(const std::string& path) {
  BigFile b;
  b.pf = Fresh(path);
  b.pages.resize(kWorkingSet);
  Status st = b.pf->AllocBulk(b.pages.size(), b.pages.data());
  if (!st.ok()) Die("alloc_bulk", st);
  b.protected_.resize(4 * kBigPages);
  st = b.pf->ProtectedAllocBulk(b.protected_.size(), b.protected_.data());
  if (!st.ok()) Die("protected_alloc_bulk", st);
  // Write every block once (and sync), so the timed loops overwrite written blocks as the
  // floor does (no unwritten-extent conversion inside the timing).
  for (uint64_t id : b.pages) {
    uint8_t* p = nullptr;
    st = b.pf->PagePointer(id, true, &p);
    if (!st.ok()) Die("page", st);
    std::memset(p, 0x11, 4096);
  }
  st = b.pf->SyncPages(b.pages.data(), b.pages.size());
  if (!st.ok()) Die("sync_pages", st);
  std::vector<uint8_t> page(4096, 0x22);
  for (int pass = 0; pass < 2; pass++) {  // both backing pages of every protected page
    for (uint64_t id : b.protected_) {
      st = b.pf->ProtectedWrite(id, page.data());
      if (!st.ok()) Die("protected_write", st);
    }
  }
  return b;
}

double SyncPagesRepMicros(BigFile* b, CheckpointSplit* split) {
  double total = 0;
  for (int i = 0; i < kJournalOps; i++) {
    std::vector<uint64_t> ids = ScatteredSubset(b->pages, kBigPages, &b->rng);
    const uint64_t checkpoints = b->pf->checkpoint_count();
    auto t0 = Clock::now();
    for (uint64_t id : ids) {
      uint8_t* p = nullptr;
      Status st = b->pf->PagePointer(id, true, &p);
      if (!st.ok()) Die("page", st);
      std::memset(p, static_cast<int>(i + 1), 4096);
    }
    Status st = b->pf->SyncPages(ids.data(), ids.size());
    if (!st.ok()) Die("sync_pages", st);
    const double us = MicrosSince(t0);
    total += us;
    split->Add(us, b->pf->checkpoint_count() != checkpoints);
  }
  return total / kJournalOps;
}

double TxnRepMicros(BigFile* b, CheckpointSplit* split) {
  std::vector<uint8_t> copies(kBigPages * 4096);
  double total = 0;
  for (int i = 0; i < kJournalOps; i++) {
    std::vector<uint64_t> ids = ScatteredSubset(b->protected_, kBigPages, &b->rng);
    int owner = 0;
    std::vector<file::PageFile::TxnPage> pages;
    const uint64_t checkpoints = b->pf->checkpoint_count();
    auto t0 = Clock::now();
    for (size_t k = 0; k < ids.size(); k++) {
      uint8_t* copy = copies.data() + k * 4096;
      Status st = b->pf->TxnAdd(&owner, ids[k], copy);
      if (!st.ok()) Die("txn add", st);
      std::memset(copy, static_cast<int>(i + 1), 4096);
      pages.push_back({ids[k], copy});
    }
    Status st = b->pf->TxnCommit(&owner, pages);
    if (!st.ok()) Die("txn commit", st);
    const double us = MicrosSince(t0);
    total += us;
    split->Add(us, b->pf->checkpoint_count() != checkpoints);
  }
  return total / kJournalOps;
}

void DieCapi(const char* what, int rc) {
  std::fprintf(stderr, "%s: %d: %s\n", what, rc, pager_last_error());
  std::exit(1);
}

// The transaction rows' file again, opened through pager.h: 4 * kBigPages protected pages,
// both backing pages of each written once before anything is timed.
struct CapiTxnFile {
  pager_file* f = nullptr;
  std::vector<uint64_t> ids;
  uint64_t rng = 0x9e3779b97f4a7c15ull;
};

CapiTxnFile MakeCapiTxnFile(const std::string& path) {
  RemovePageFile(path);
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = 4096;
  o.format_version = BenchFormatVersion();
  o.journal_lap_bytes = BenchLapBytes(0);
  CapiTxnFile c;
  int rc = pager_file_create(path.c_str(), &o, &c.f);
  if (rc != PAGER_OK) DieCapi("pager_file_create", rc);
  c.ids.resize(4 * kBigPages);
  rc = pager_file_protected_alloc_bulk(c.f, c.ids.data(), c.ids.size());
  if (rc != PAGER_OK) DieCapi("pager_file_protected_alloc_bulk", rc);
  std::vector<uint8_t> page(4096, 0x22);
  for (int pass = 0; pass < 2; pass++) {  // both backing pages of every protected page
    pager_file_txn* t = nullptr;
    if ((rc = pager_file_txn_begin(c.f, &t)) != PAGER_OK) DieCapi("pager_file_txn_begin", rc);
    for (uint64_t id : c.ids) {
      rc = pager_file_txn_write(t, id, page.data(), page.size());
      if (rc != PAGER_OK) DieCapi("pager_file_txn_write", rc);
    }
    if ((rc = pager_file_txn_commit(t)) != PAGER_OK) DieCapi("pager_file_txn_commit", rc);
    pager_file_txn_free(t);
  }
  return c;
}

uint64_t CapiCheckpoints(pager_file* f) {
  pager_file_stats s;
  pager_file_stats_init(&s);
  int rc = pager_file_get_stats(f, &s);
  if (rc != PAGER_OK) DieCapi("pager_file_get_stats", rc);
  return s.checkpoints;
}

double TxnWriteRepMicros(CapiTxnFile* c, CheckpointSplit* split) {
  std::vector<uint8_t> content(kBigPages * 4096);
  double total = 0;
  for (int i = 0; i < kJournalOps; i++) {
    std::vector<uint64_t> ids = ScatteredSubset(c->ids, kBigPages, &c->rng);
    const uint64_t checkpoints = CapiCheckpoints(c->f);
    auto t0 = Clock::now();
    pager_file_txn* t = nullptr;
    int rc = pager_file_txn_begin(c->f, &t);
    if (rc != PAGER_OK) DieCapi("pager_file_txn_begin", rc);
    for (size_t k = 0; k < ids.size(); k++) {
      uint8_t* page = content.data() + k * 4096;
      std::memset(page, static_cast<int>(i + 1), 4096);
      rc = pager_file_txn_write(t, ids[k], page, 4096);
      if (rc != PAGER_OK) DieCapi("pager_file_txn_write", rc);
    }
    if ((rc = pager_file_txn_commit(t)) != PAGER_OK) DieCapi("pager_file_txn_commit", rc);
    pager_file_txn_free(t);
    const double us = MicrosSince(t0);
    total += us;
    split->Add(us, CapiCheckpoints(c->f) != checkpoints);
  }
  return total / kJournalOps;
}

// 256 pages of content per commit: kBigPages - kTxnChurn rewritten, kTxnChurn allocated in
// the transaction (P12), and kTxnChurn other pages of the pool freed in the same commit; the
// new ids replace the freed ones in the pool, so the file stays at the same size.
constexpr size_t kTxnChurn = 32;

double TxnAllocFreeRepMicros(BigFile* b, CheckpointSplit* split) {
  std::vector<uint8_t> copies(kBigPages * 4096);
  double total = 0;
  for (int i = 0; i < kJournalOps; i++) {
    std::vector<uint64_t> ids = ScatteredSubset(b->protected_, kBigPages, &b->rng);
    std::vector<uint64_t> rewrite(ids.begin(), ids.end() - kTxnChurn);
    std::vector<uint64_t> doomed(ids.end() - kTxnChurn, ids.end());
    int owner = 0;
    std::vector<file::PageFile::TxnPage> pages;
    std::vector<uint64_t> born;
    const uint64_t checkpoints = b->pf->checkpoint_count();
    auto t0 = Clock::now();
    for (size_t k = 0; k < rewrite.size(); k++) {
      uint8_t* copy = copies.data() + k * 4096;
      Status st = b->pf->TxnAdd(&owner, rewrite[k], copy);
      if (!st.ok()) Die("txn add", st);
      std::memset(copy, static_cast<int>(i + 1), 4096);
      pages.push_back({rewrite[k], copy});
    }
    for (size_t k = rewrite.size(); k < kBigPages; k++) {
      uint64_t id = 0;
      Status st = b->pf->TxnAllocId(&owner, &id);
      if (!st.ok()) Die("txn alloc", st);
      uint8_t* copy = copies.data() + k * 4096;
      std::memset(copy, static_cast<int>(i + 2), 4096);
      pages.push_back({id, copy});
      born.push_back(id);
    }
    for (uint64_t id : doomed) {
      Status st = b->pf->TxnFreeId(&owner, id);
      if (!st.ok()) Die("txn free", st);
    }
    Status st = b->pf->TxnCommit(&owner, pages);
    if (!st.ok()) Die("txn commit", st);
    const double us = MicrosSince(t0);
    total += us;
    split->Add(us, b->pf->checkpoint_count() != checkpoints);
    for (size_t k = 0; k < kTxnChurn; k++) {
      *std::find(b->protected_.begin(), b->protected_.end(), doomed[k]) = born[k];
    }
  }
  return total / kJournalOps;
}

// Prints the 256-page cases as ratios to the 1 MiB floor: per repetition, floor time / case
// time (higher is better, 1 = the disk's limit), then the median and spread of those ratios.
void BigBench(const std::string& dir, const char* only) {
  std::string floor_path = dir + "/floor.bin", path = dir + "/big.pages";
  std::string scattered_path = dir + "/scattered.bin";
  int fd = FloorFile(floor_path);
  int scattered_fd = ScatteredFloorFile(scattered_path);
  uint64_t scattered_rng = 0x2545f4914f6cdd1dull;
  BigFile b = MakeBigFile(path);
  std::string capi_path = dir + "/big-capi.pages";
  CapiTxnFile c = MakeCapiTxnFile(capi_path);
  std::vector<double> floor_us, sync_us, txn_us, sync_ratio, txn_ratio, churn_us, churn_ratio;
  std::vector<double> write_us, write_ratio;
  std::vector<double> scattered_us, scattered_ratio, sync_scattered_ratio;
  CheckpointSplit sync_split, txn_split, write_split, churn_split;
  for (int r = 0; r < kReps; r++) {
    floor_us.push_back(FloorRepMicros(fd));
    scattered_us.push_back(ScatteredFloorRepMicros(scattered_fd, &scattered_rng));
    scattered_ratio.push_back(floor_us.back() / scattered_us.back());
    if (only == nullptr || std::string(only) == "sync") {
      sync_us.push_back(SyncPagesRepMicros(&b, &sync_split));
      sync_ratio.push_back(floor_us.back() / sync_us.back());
      sync_scattered_ratio.push_back(scattered_us.back() / sync_us.back());
    }
    if (only == nullptr || std::string(only) == "txn") {
      txn_us.push_back(TxnRepMicros(&b, &txn_split));
      txn_ratio.push_back(floor_us.back() / txn_us.back());
    }
    if (only == nullptr || std::string(only) == "txnwrite") {
      write_us.push_back(TxnWriteRepMicros(&c, &write_split));
      write_ratio.push_back(floor_us.back() / write_us.back());
    }
    if (only == nullptr || std::string(only) == "txnalloc") {
      churn_us.push_back(TxnAllocFreeRepMicros(&b, &churn_split));
      churn_ratio.push_back(floor_us.back() / churn_us.back());
    }
  }
  close(fd);
  unlink(floor_path.c_str());
  close(scattered_fd);
  unlink(scattered_path.c_str());
  pager_file_stats capi_stats;
  pager_file_stats_init(&capi_stats);
  int rc = pager_file_get_stats(c.f, &capi_stats);
  if (rc != PAGER_OK) DieCapi("pager_file_get_stats", rc);
  std::printf("(checkpoints of the journal in the timed and untimed operations: %llu in the "
              "C++ rows' file, %llu in the pager.h file)\n",
              static_cast<unsigned long long>(b.pf->checkpoint_count()),
              static_cast<unsigned long long>(capi_stats.checkpoints));
  b.pf.reset();
  RemovePageFile(path);
  pager_file_close(c.f);
  RemovePageFile(capi_path);
  auto spread = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f-%.2f", v.front(), v.back());
    return std::string(buf);
  };
  const double floor_median_us = Median(floor_us);
  // The split of a row's operations (CheckpointSplit), printed under its figure.
  auto print_split = [&](const CheckpointSplit& split) {
    if (split.plain_us.empty()) return;
    double plain_sum_us = 0;
    for (double us : split.plain_us) plain_sum_us += us;
    const double plain_mean_us = plain_sum_us / split.plain_us.size();
    std::printf("    its %llu checkpoints in %llu ops: %.1f us per op of the row's time (%.0f us "
                "each); the ops without one: mean %.1f us (%.2fx the median floor), median "
                "%.1f us (%.2fx)\n",
                static_cast<unsigned long long>(split.checkpoints),
                static_cast<unsigned long long>(split.ops), split.checkpoint_us / split.ops,
                split.checkpoints > 0 ? split.checkpoint_us / split.checkpoints : 0.0,
                plain_mean_us, floor_median_us / plain_mean_us, Median(split.plain_us),
                floor_median_us / Median(split.plain_us));
  };
  std::printf("1 MiB floor: pwrite 1 MiB over written blocks + fdatasync: %8.1f us/op\n",
              floor_median_us);
  std::printf("scattered floor: 256 of 4,096 blocks pwritten + fdatasync: %8.1f us/op  "
              "%.2fx floor (reps %s)\n", Median(scattered_us), Median(scattered_ratio),
              spread(scattered_ratio).c_str());
  if (!sync_us.empty()) {
    std::printf("sync_pages, 256 scattered pages of 4,096:       %8.1f us/op  %.2fx floor "
                "(reps %s); %.2fx the scattered floor (reps %s)\n", Median(sync_us),
                Median(sync_ratio), spread(sync_ratio).c_str(), Median(sync_scattered_ratio),
                spread(sync_scattered_ratio).c_str());
    print_split(sync_split);
  }
  if (!txn_us.empty()) {
    std::printf("txn of 256 protected pages (of 1,024), commit:  %8.1f us/op  %.2fx floor "
                "(reps %s)\n", Median(txn_us), Median(txn_ratio), spread(txn_ratio).c_str());
    print_split(txn_split);
  }
  if (!write_us.empty()) {
    std::printf("txn of 256 pages written whole (pager.h write):  %7.1f us/op  %.2fx floor "
                "(reps %s)\n", Median(write_us), Median(write_ratio),
                spread(write_ratio).c_str());
    print_split(write_split);
  }
  if (!churn_us.empty()) {
    std::printf("txn of 256 pages, 32 allocated + 32 freed in it: %7.1f us/op  %.2fx floor "
                "(reps %s)\n", Median(churn_us), Median(churn_ratio),
                spread(churn_ratio).c_str());
    print_split(churn_split);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "build/bench-tmp";
  mkdir(dir.c_str(), 0755);
  // FILE_BENCH_ONLY=big|sync|txn|txnwrite|txnalloc runs only the 256-page cases (all, or one of them).
  if (const char* only = std::getenv("FILE_BENCH_ONLY")) {
    std::printf("file_bench in %s: 256 pages per durable operation, medians of %d reps x %d "
                "ops (the floors) and %d ops (the page file, format %u: its checkpoints "
                "included), interleaved with the 1 MiB floor\n", dir.c_str(), kReps, kBigOps,
                kJournalOps, BenchFormatVersion());
    BigBench(dir, std::string(only) == "big" ? nullptr : only);
    rmdir(dir.c_str());
    return 0;
  }
  std::printf("file_bench in %s (4 KiB pages; medians of %d reps x %d ops, measured loops "
              "interleaved per rep)\n", dir.c_str(), kReps, kOpsPerRep);

  // 1. One-page commits next to the raw floor, interleaved.
  std::string raw_path = dir + "/raw.bin", path = dir + "/bench.pages";
  int fd = RawFile(raw_path);
  auto pf = Fresh(path);
  std::vector<double> raw, commit;
  for (int r = 0; r < kReps; r++) {
    raw.push_back(RawRepMicros(fd));
    commit.push_back(AllocFreeRepMicros(pf.get()));
  }
  close(fd);
  unlink(raw_path.c_str());
  pf.reset();
  double raw_us = Median(raw), commit_us = Median(commit);
  std::printf("raw pwrite 4 KiB + fdatasync (overwrite floor): %8.1f us/op %7.0f ops/s\n", raw_us,
              1e6 / raw_us);
  std::printf("alloc/free commit (1 fdatasync each):          %8.1f us/op %7.0f ops/s  %.2fx floor\n",
              commit_us, 1e6 / commit_us, raw_us / commit_us);

  // 2. Bulk allocation of 10,000 pages into a fresh file (one commit; grows the file).
  std::vector<double> bulk;
  for (int r = 0; r < kReps; r++) {
    auto fresh = Fresh(path);
    std::vector<uint64_t> ids(10000);
    auto t0 = Clock::now();
    Status st = fresh->AllocBulk(ids.size(), ids.data());
    if (!st.ok()) Die("alloc_bulk", st);
    bulk.push_back(MicrosSince(t0));
  }
  std::printf("alloc_bulk of 10,000 pages (one commit):      %8.1f us      (%.1f ns/page)\n",
              Median(bulk), Median(bulk) * 1000 / 10000);

  // 2b. A write transaction over 1 and over 16 protected pages: one commit, one fdatasync each.
  {
    auto fresh = Fresh(path);
    std::vector<uint64_t> pids(16);
    Status st = fresh->ProtectedAllocBulk(pids.size(), pids.data());
    if (!st.ok()) Die("protected_alloc_bulk", st);
    std::vector<uint8_t> copies(pids.size() * fresh->page_size(), 0x5a);
    for (size_t n : {size_t{1}, size_t{16}}) {
      std::vector<double> txn;
      for (int r = 0; r < kReps; r++) {
        int owner = 0;
        std::vector<file::PageFile::TxnPage> pages;
        auto t0 = Clock::now();
        for (size_t i = 0; i < n; i++) {
          uint8_t* copy = copies.data() + i * fresh->page_size();
          st = fresh->TxnAdd(&owner, pids[i], copy);
          if (!st.ok()) Die("txn add", st);
          pages.push_back({pids[i], copy});
        }
        st = fresh->TxnCommit(&owner, pages);
        if (!st.ok()) Die("txn commit", st);
        txn.push_back(MicrosSince(t0));
      }
      std::printf("transaction of %2zu protected pages (1 commit):  %8.1f us      %.2fx floor\n",
                  n, Median(txn), raw_us / Median(txn));
    }
  }

  // 3. Commit cost in a 1 GiB and a 256 GiB (sparse) page space, interleaved.
  const uint64_t sizes[2] = {uint64_t{1} << 30, uint64_t{256} << 30};
  std::unique_ptr<file::PageFile> files[2];
  for (int s = 0; s < 2; s++) {
    files[s] = Fresh(path + std::to_string(s));
    auto t0 = Clock::now();
    Status st = files[s]->Grow(sizes[s] / 4096);
    if (!st.ok()) Die("grow", st);
    std::printf("grow to %3llu GiB page space (sparse, one commit): %.0f ms\n",
                static_cast<unsigned long long>(sizes[s] >> 30), MicrosSince(t0) / 1000);
  }
  std::vector<double> at[2];
  for (int r = 0; r < kReps; r++) {
    for (int s = 0; s < 2; s++) at[s].push_back(AllocFreeRepMicros(files[s].get()));
  }
  for (int s = 0; s < 2; s++) {
    std::printf("alloc/free commit, %3llu GiB page space:        %8.1f us/op\n",
                static_cast<unsigned long long>(sizes[s] >> 30), Median(at[s]));
  }
  std::printf("commit cost 256 GiB / 1 GiB: %.2f\n", Median(at[1]) / Median(at[0]));
  // 4. Open (recovery reads both copies of every bitmap group, then one epoch commit).
  for (int s = 0; s < 2; s++) {
    files[s].reset();
    file::FileOptions o;
    o.page_size = 0;
    std::vector<double> opens;
    for (int r = 0; r < 3; r++) {
      auto t0 = Clock::now();
      Status st = file::PageFile::Open(io::DefaultEnv(), path + std::to_string(s), o, &files[s]);
      if (!st.ok()) Die("open", st);
      opens.push_back(MicrosSince(t0) / 1000);
      files[s].reset();
    }
    std::printf("open, %3llu GiB page space (page cache warm):   %8.1f ms\n",
                static_cast<unsigned long long>(sizes[s] >> 30), Median(opens));
    RemovePageFile(path + std::to_string(s));
  }
  // 4b. Open + close of a small page file, as a process that opens one per request does: the
  // read-write open's journal sync and the close's checkpoint (io D4 keeps the close off
  // io_destroy's 30-40 ms).
  {
    Fresh(path).reset();
    file::FileOptions o;
    o.page_size = 0;
    std::vector<double> rounds;
    for (int r = 0; r < 30; r++) {
      std::unique_ptr<file::PageFile> f;
      auto t0 = Clock::now();
      Status st = file::PageFile::Open(io::DefaultEnv(), path, o, &f);
      if (!st.ok()) Die("open", st);
      f.reset();
      rounds.push_back(MicrosSince(t0));
    }
    std::printf("open + close, small page file (median of 30):  %8.1f us\n", Median(rounds));
  }
  RemovePageFile(path);
  BigBench(dir, nullptr);
  rmdir(dir.c_str());
  return 0;
}
