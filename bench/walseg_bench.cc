// WAL segment benchmark: durable appends per sync policy next to the raw pwrite+fdatasync
// loops of the same disk, and reader scan speed (checksums verified) next to memcpy of the
// same bytes -- all measured in this run. Prints medians of several repetitions and the
// ratio to the limit. Usage: walseg_bench [dir] (default: a fresh directory under /tmp,
// which must be on the disk being measured, not tmpfs). WALSEG_BENCH_ONLY=scan runs only the
// reader scans.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "impl/io/checksum.h"
#include "impl/io/env.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace ws = pager::walseg;

constexpr int kReps = 5;
constexpr int kScanReps = 21;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

void Check(const pager::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

void RemoveTree(const std::string& dir) {
  std::string cmd = "rm -rf '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) Die("rm");
}

// ---- raw limits -----------------------------------------------------------------------------

// Durable 4 KiB writes per second: appending to a growing file, or overwriting blocks that
// were written (and synced) before -- the floor for one durable commit.
double RawWriteSyncOps(const std::string& path, int ops, size_t bytes, bool overwrite) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) Die("open raw");
  std::vector<uint8_t> buf(bytes, 0x5a);
  if (overwrite) {
    std::vector<uint8_t> zeros(static_cast<size_t>(ops) * bytes, 0);
    if (pwrite(fd, zeros.data(), zeros.size(), 0) != static_cast<ssize_t>(zeros.size())) Die("prewrite");
    if (fsync(fd) != 0) Die("fsync");
  }
  auto t0 = Clock::now();
  for (int i = 0; i < ops; i++) {
    off_t off = static_cast<off_t>(i) * static_cast<off_t>(bytes);
    if (pwrite(fd, buf.data(), bytes, off) != static_cast<ssize_t>(bytes)) Die("pwrite");
    if (fdatasync(fd) != 0) Die("fdatasync");
  }
  double s = Seconds(t0, Clock::now());
  close(fd);
  unlink(path.c_str());
  return ops / s;
}

// ---- walseg appends -------------------------------------------------------------------------

struct AppendCase {
  const char* name;
  ws::SyncPolicy policy;
  uint64_t prewrite_bytes;
  size_t payload_bytes;
  int records;
  int explicit_every;  // kExplicit: sync after this many appends
};

double WalsegAppendOps(const std::string& dir, const AppendCase& c) {
  ws::WriterOptions o;
  o.sync_policy = c.policy;
  o.prewrite_bytes = c.prewrite_bytes;
  o.group_bytes = 64 << 10;
  o.group_interval_us = 0;
  std::unique_ptr<ws::LogWriter> w;
  Check(ws::LogWriter::Open(pager::io::DefaultEnv(), dir, o, &w), "open writer");
  std::vector<uint8_t> payload(c.payload_bytes, 0x33);
  uint64_t lsn;
  auto t0 = Clock::now();
  for (int i = 0; i < c.records; i++) {
    Check(w->Append(1, payload.data(), payload.size(), &lsn), "append");
    if (c.explicit_every > 0 && (i + 1) % c.explicit_every == 0) Check(w->Sync(), "sync");
  }
  Check(w->Sync(), "final sync");
  double s = Seconds(t0, Clock::now());
  Check(w->Close(), "close");
  RemoveTree(dir);
  return c.records / s;
}

// ---- scan -----------------------------------------------------------------------------------

// How the scanned segment is written. The writes decide the size of the page-cache folios the
// segment lands in, and with them the reader's page-fault cost: the writer's default
// pre-writing (zeros in 1 MiB steps) and 4 MiB writes leave large folios; 256 KiB writes
// without pre-writing leave small ones, which cost several times as much to map and unmap.
struct SegmentWrites {
  const char* name;
  uint64_t buffer_bytes;
  uint64_t prewrite_bytes;
};
const SegmentWrites kBigWrites = {"4 MiB writes", 4 << 20, 0};
const SegmentWrites kWriterDefaults = {"writer defaults", ws::WriterOptions().buffer_bytes,
                                       ws::WriterOptions().prewrite_bytes};
const SegmentWrites kSmallWritesNoPrewrite = {"256 KiB, no prewrite", 256 << 10, 0};

// Writes one segment of about total_bytes with records of payload_bytes; returns its path.
std::string BuildSegment(const std::string& dir, size_t payload_bytes, size_t total_bytes,
                         const SegmentWrites& writes, uint64_t* records, uint64_t* file_bytes) {
  ws::WriterOptions o;
  o.sync_policy = ws::SyncPolicy::kExplicit;
  o.segment_bytes = total_bytes + (1 << 20);
  o.prewrite_bytes = writes.prewrite_bytes;
  o.buffer_bytes = writes.buffer_bytes;
  std::unique_ptr<ws::LogWriter> w;
  Check(ws::LogWriter::Open(pager::io::DefaultEnv(), dir, o, &w), "open writer");
  std::vector<uint8_t> payload(payload_bytes);
  for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<uint8_t>(i * 7);
  uint64_t n = total_bytes / ws::RecordBytes(payload_bytes);
  uint64_t lsn;
  for (uint64_t i = 0; i < n; i++) Check(w->Append(1, payload.data(), payload.size(), &lsn), "append");
  Check(w->Close(), "close");
  *records = n;
  *file_bytes = n * ws::RecordBytes(payload_bytes);
  return dir + "/" + ws::SegmentName(1);
}

double ScanSeconds(const std::string& path, uint64_t expect_records, bool populate) {
  auto t0 = Clock::now();
  std::unique_ptr<ws::SegmentReader> r;
  ws::ReaderOptions o;
  o.populate = populate;
  Check(ws::SegmentReader::Open(pager::io::DefaultEnv(), path, o, &r), "open");
  ws::RecordView v;
  bool found = true;
  uint64_t n = 0;
  uint64_t sum = 0;
  for (;;) {
    Check(r->Next(&v, &found), "next");
    if (!found) break;
    n++;
    sum += v.len;
  }
  bool clean = r->stop_reason() == ws::StopReason::kCleanEnd;
  r.reset();  // closing (unmapping) is part of a scan's cost, as opening is
  double s = Seconds(t0, Clock::now());
  if (n != expect_records || !clean) {
    std::fprintf(stderr, "scan read %llu of %llu records\n", static_cast<unsigned long long>(n),
                 static_cast<unsigned long long>(expect_records));
    std::exit(1);
  }
  if (sum == 0) std::exit(1);
  return s;
}

void ScanBench(const std::string& base, size_t payload_bytes, size_t total_bytes,
               const SegmentWrites& writes = kBigWrites) {
  std::string dir = base + "/scan";
  uint64_t records = 0, bytes = 0;
  std::string path = BuildSegment(dir, payload_bytes, total_bytes, writes, &records, &bytes);
  std::vector<uint8_t> src(bytes), dst(bytes);
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0 || pread(fd, src.data(), bytes, 0) != static_cast<ssize_t>(bytes)) Die("read segment");
  close(fd);
  // Both sides of the ratio read bytes that are in memory but not in the CPU caches (the
  // segment and src are each larger than the caches, and the other side ran in between); the
  // destination of memcpy was written (faulted in) before, so memcpy pays no page faults,
  // while the reader pays its fresh mapping's faults, opening and closing: the ratio is
  // conservative. Scans are short, so more repetitions than the appends.
  std::vector<double> scan, copy, hash, ratio, populated_ratio;
  volatile uint64_t sink = 0;
  for (int rep = 0; rep < kScanReps; rep++) {
    scan.push_back(ScanSeconds(path, records, /*populate=*/false));
    auto t0 = Clock::now();
    std::memcpy(dst.data(), src.data(), bytes);
    copy.push_back(Seconds(t0, Clock::now()));
    ratio.push_back(copy.back() / scan.back());  // within the repetition (the box is shared)
    populated_ratio.push_back(copy.back() / ScanSeconds(path, records, /*populate=*/true));
    sink = sink + dst[bytes / 2];
    t0 = Clock::now();
    sink = sink + pager::Checksum64(src.data(), bytes, 1);
    hash.push_back(Seconds(t0, Clock::now()));
  }
  double gb = static_cast<double>(bytes) / 1e9;
  double scan_gbs = gb / Median(scan), copy_gbs = gb / Median(copy), hash_gbs = gb / Median(hash);
  std::printf("scan  %5zu B payloads, %-20s, %6.1f MB, %8llu records: reader %6.2f GB/s (%5.1f M rec/s) | "
              "memcpy %6.2f GB/s | XXH3 alone %6.2f GB/s | reader/memcpy %.2fx (per repetition: "
              "median %.2fx, %.2f-%.2f)\n",
              payload_bytes, writes.name, static_cast<double>(bytes) / 1e6,
              static_cast<unsigned long long>(records), scan_gbs,
              static_cast<double>(records) / Median(scan) / 1e6, copy_gbs, hash_gbs,
              scan_gbs / copy_gbs, Median(ratio), *std::min_element(ratio.begin(), ratio.end()),
              *std::max_element(ratio.begin(), ratio.end()));
  std::printf("scan  %5zu B payloads, %-20s, page tables populated at open "
              "(ReaderOptions::populate): reader/memcpy per repetition: median %.2fx, %.2f-%.2f\n",
              payload_bytes, writes.name, Median(populated_ratio),
              *std::min_element(populated_ratio.begin(), populated_ratio.end()),
              *std::max_element(populated_ratio.begin(), populated_ratio.end()));
  RemoveTree(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::string base;
  if (argc > 1) {
    base = argv[1];
  } else {
    char templ[] = "/tmp/walseg-bench.XXXXXX";
    if (mkdtemp(templ) == nullptr) Die("mkdtemp");
    base = templ;
  }
  std::printf("walseg bench in %s: medians of %d runs (scans: %d); ratios against limits "
              "measured now\n",
              base.c_str(), kReps, kScanReps);

  // WALSEG_BENCH_ONLY=scan: only the reader scans (no disk-bound appends).
  const char* only = std::getenv("WALSEG_BENCH_ONLY");
  if (only != nullptr && std::string(only) == "scan") {
    ScanBench(base, 4096, 256u << 20);
    ScanBench(base, 256, 128u << 20);
    ScanBench(base, 256, 128u << 20, kWriterDefaults);
    ScanBench(base, 256, 128u << 20, kSmallWritesNoPrewrite);
    if (argc <= 1) RemoveTree(base);
    return 0;
  }
  // The disk is shared: its speed drifts within a run. Every repetition measures the raw
  // limits and each case back to back, and ratios are taken within one repetition.
  const int kOps = 500;
  const AppendCase cases[] = {
      {"every record, prewrite 1 MiB ", ws::SyncPolicy::kEveryRecord, 1 << 20, 4096, kOps, 0},
      {"every record, no prewrite    ", ws::SyncPolicy::kEveryRecord, 0, 4096, kOps, 0},
      {"group 64 KiB, prewrite 1 MiB ", ws::SyncPolicy::kGroup, 1 << 20, 4096, 8 * kOps, 0},
      {"explicit /64, prewrite 1 MiB ", ws::SyncPolicy::kExplicit, 1 << 20, 4096, 8 * kOps, 64},
      {"every record, prewrite 1 MiB ", ws::SyncPolicy::kEveryRecord, 1 << 20, 128, kOps, 0},
      {"group 64 KiB, prewrite 1 MiB ", ws::SyncPolicy::kGroup, 1 << 20, 128, 100 * kOps, 0},
  };
  const size_t kCases = sizeof cases / sizeof cases[0];
  std::vector<double> grow, over;
  std::vector<std::vector<double>> ops(kCases), ratio(kCases);
  for (int rep = 0; rep < kReps; rep++) {
    grow.push_back(RawWriteSyncOps(base + "/raw", kOps, 4096, false));
    over.push_back(RawWriteSyncOps(base + "/raw", kOps, 4096, true));
    for (size_t i = 0; i < kCases; i++) {
      ops[i].push_back(WalsegAppendOps(base + "/log", cases[i]));
      ratio[i].push_back(ops[i].back() / over.back());
    }
  }
  std::printf("raw   4 KiB pwrite+fdatasync, file grows      : %8.0f ops/s (%.2fx the floor)\n",
              Median(grow), Median(grow) / Median(over));
  std::printf("raw   4 KiB pwrite+fdatasync, overwrite floor  : %8.0f ops/s (the limit below)\n",
              Median(over));
  for (size_t i = 0; i < kCases; i++) {
    const AppendCase& c = cases[i];
    double m = Median(ops[i]);
    std::printf("walseg %s %5zu B payloads: %9.0f appends/s = %7.2fx the overwrite floor "
                "(%6.1f MB/s)\n",
                c.name, c.payload_bytes, m, Median(ratio[i]),
                m * static_cast<double>(ws::RecordBytes(c.payload_bytes)) / 1e6);
  }

  ScanBench(base, 4096, 256u << 20);
  ScanBench(base, 256, 128u << 20);
  ScanBench(base, 256, 128u << 20, kWriterDefaults);
  ScanBench(base, 256, 128u << 20, kSmallWritesNoPrewrite);
  if (argc <= 1) RemoveTree(base);
  return 0;
}
