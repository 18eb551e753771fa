// Helpers shared by the WAL pager benchmark's sections (bench/wal_bench.cc and
// bench/wal_bench_readers.h): timing, medians, the interleaved raw/pager pair, raw synced
// writes, fresh databases and read-only handles beside a writer.
#pragma once

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "impl/wal/wal_pager.h"

namespace wal_bench {

using pager::wal::AccessMode;
using pager::wal::Options;
using pager::wal::WalPager;
using Clock = std::chrono::steady_clock;

constexpr int kReps = 5;
constexpr uint32_t kPage = 4096;

inline double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline void Print(const char* what, const char* unit, const std::vector<double>& r) {
  std::printf("  %-46s %12.1f %s  (min %.1f, max %.1f)\n", what, Median(r), unit,
              *std::min_element(r.begin(), r.end()), *std::max_element(r.begin(), r.end()));
}

// Runs the raw limit and the pager alternately kReps times (so both see the same disk
// weather), prints both medians and the median of the per-run ratios pager / raw.
inline void Pair(const char* raw_what, const char* pager_what, const char* unit,
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

inline void Die(const pager::Status& st, const char* what) {
  if (st.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

inline int MustOpenFd(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  return fd;
}

inline void PwriteAll(int fd, const void* buf, size_t len, off_t off) {
  if (pwrite(fd, buf, len, off) != static_cast<ssize_t>(len)) {
    std::perror("pwrite");
    std::exit(1);
  }
}

// Raw: n writes of `len` bytes, each followed by fdatasync, cycling over a prewritten region
// (overwrite = true) or appending (overwrite = false). Returns writes per second. header > 0
// gives each write a WAL frame's shape: `header` bytes in front of the `len` bytes, one
// pwritev at header + i x (header + len) (a WAL header's room first), so a 4 KiB page dirties
// two blocks as a 1-page commit's frame does.
inline double RawSyncedWrites(const std::string& path, size_t len, int n, bool overwrite,
                              size_t header = 0) {
  int fd = MustOpenFd(path);
  const size_t stride = header + len;
  std::vector<uint8_t> buf(stride, 0x5A);
  if (overwrite) {
    std::vector<uint8_t> fill(header + n * stride, 0x5A);
    PwriteAll(fd, fill.data(), fill.size(), 0);
    fdatasync(fd);
  }
  auto t0 = Clock::now();
  for (int i = 0; i < n; i++) {
    const off_t off = static_cast<off_t>(header + i * stride);
    if (header == 0) {
      PwriteAll(fd, buf.data(), len, off);
    } else {
      struct iovec v[2] = {{buf.data(), header}, {buf.data() + header, len}};
      if (pwritev(fd, v, 2, off) != static_cast<ssize_t>(stride)) {
        std::perror("pwritev");
        std::exit(1);
      }
    }
    fdatasync(fd);
  }
  double s = Seconds(t0, Clock::now());
  close(fd);
  unlink(path.c_str());
  return n / s;
}

inline std::unique_ptr<WalPager> Fresh(const std::string& path, const Options& o) {
  unlink(path.c_str());
  unlink((path + "-wal").c_str());
  unlink((path + "-shm").c_str());
  std::unique_ptr<WalPager> p;
  Die(WalPager::Create(pager::io::DefaultEnv(), path, o, &p), "create");
  return p;
}

// A read-only handle on path beside its writer (through the shared index, W19-W21).
inline std::unique_ptr<WalPager> OpenReader(const std::string& path) {
  Options o;
  std::unique_ptr<WalPager> r;
  Die(WalPager::Open(pager::io::DefaultEnv(), path, AccessMode::kReadOnly, o, &r),
      "open reader");
  return r;
}

// The working set of the random-page commit workloads (pages 1..kWorkingSet).
constexpr uint32_t kWorkingSet = 4096;

}  // namespace wal_bench
