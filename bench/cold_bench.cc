// Cold pager benchmark (make bench). Everything is measured in this run on this machine:
//
//  1. pageout and read_at_many throughput per backend for chunk sizes 4 KiB..16 MiB and
//     1..64 chunks per handle, next to the raw limits measured in the same loop shape:
//     memcpy (swap backend) and pwritev / pread of a plain file (file backend).
//  2. 100,000 small pageout+take round trips on the file backend against the seed's scheme,
//     one file per handle (create + writev + pread + close + unlink), and the swap backend.
//
// Each figure is the median of several repetitions; the ratio to the raw limit is printed
// next to it. Scratch data is never fsynced (it does not need to survive a crash), so file
// figures are page-cache speeds, as are the raw ones they are compared with.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"

namespace {

// The pager every measurement pages out to (opened in main).
pager_cold* g_cold = nullptr;

using Clock = std::chrono::steady_clock;

constexpr int kReps = 5;
constexpr uint64_t kBytesPerRep = 64ull << 20;  // each repetition moves at least this much
constexpr uint64_t kMaxHandleBytes = 1024ull << 20;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Check(int rc, const char* what) {
  if (rc != PAGER_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, pager_errstr(rc), pager_last_error());
    exit(1);
  }
}

void CheckSys(bool ok, const char* what) {
  if (!ok) {
    perror(what);
    exit(1);
  }
}

std::string BaseDir() {
  const char* base = getenv("TMPDIR");
  return std::string(base && *base ? base : "/tmp");
}

struct Shape {
  uint64_t chunk_bytes;
  uint32_t chunks;
  uint64_t total() const { return chunk_bytes * chunks; }
  uint32_t handles() const {  // per repetition
    return static_cast<uint32_t>(std::max<uint64_t>(1, kBytesPerRep / total()));
  }
};

struct Figures {
  double pageout_gbs, read_gbs;
};

// Pageout of `handles` handles, then one read_at_many of all chunks (adjacent ranges) per
// handle, then free. Returns GB/s of the pageout and read phases.
Figures RunCold(uint32_t backend, const Shape& s, const std::vector<uint8_t>& src,
                std::vector<uint8_t>& dst) {
  std::vector<pager_cold_chunk> chunks(s.chunks);
  std::vector<pager_cold_range> ranges(s.chunks);
  for (uint32_t i = 0; i < s.chunks; i++) {
    chunks[i] = pager_cold_chunk{src.data() + i * s.chunk_bytes, s.chunk_bytes};
    ranges[i] = pager_cold_range{i * s.chunk_bytes, s.chunk_bytes};
  }
  std::vector<pager_cold_handle*> hs(s.handles());
  auto t0 = Clock::now();
  for (auto& h : hs) Check(pager_cold_pageout_with(g_cold, backend, chunks.data(), s.chunks, nullptr, &h), "pageout");
  auto t1 = Clock::now();
  for (auto* h : hs) {
    Check(pager_cold_read_at_many(h, ranges.data(), s.chunks, dst.data(), s.total()), "read");
  }
  auto t2 = Clock::now();
  for (auto* h : hs) pager_cold_free(h);
  double bytes = static_cast<double>(s.total()) * hs.size();
  return Figures{bytes / Seconds(t0, t1) / 1e9, bytes / Seconds(t1, t2) / 1e9};
}

// The machine limits for the swap backend, over the same 64 MiB working set the pager
// touches (so caches help neither side):
//   pageout_gbs: allocate fresh memory per handle (page-aligned, as the pager does) and
//                memcpy the chunks into it -- a copying pageout cannot beat first-touch
//                page faults plus the copy;
//   read_gbs:    memcpy from those handles' memory, advised MADV_COLD like the swap backend
//                does, into one destination (MADV_COLD clears the pages' accessed bits, so the
//                first read of each page costs a page walk: about half of a plain memcpy here).
Figures RunMemcpy(const Shape& s, const std::vector<uint8_t>& src, std::vector<uint8_t>& dst) {
  uint32_t n = s.handles();
  std::vector<void*> mem(n);
  auto t0 = Clock::now();
  for (uint32_t h = 0; h < n; h++) {
    if (posix_memalign(&mem[h], 4096, s.total()) != 0) exit(3);
    auto* p = static_cast<uint8_t*>(mem[h]);
    for (uint32_t i = 0; i < s.chunks; i++) {
      std::memcpy(p + i * s.chunk_bytes, src.data() + i * s.chunk_bytes, s.chunk_bytes);
    }
  }
  auto t1 = Clock::now();
  for (uint32_t h = 0; h < n; h++) madvise(mem[h], s.total(), MADV_COLD);  // not timed
  auto t1b = Clock::now();
  for (uint32_t h = 0; h < n; h++) std::memcpy(dst.data(), mem[h], s.total());
  auto t2 = Clock::now();
  if (dst[0] != src[0]) exit(2);  // keep the copies observable
  for (void* p : mem) free(p);
  double bytes = static_cast<double>(s.total()) * n;
  return Figures{bytes / Seconds(t0, t1) / 1e9, bytes / Seconds(t1b, t2) / 1e9};
}

// The machine limit for the file backend: one pwritev per handle into one file, one pread
// per handle back, then truncate (what the pager's extents amount to, without bookkeeping).
Figures RunRawFile(const Shape& s, const std::vector<uint8_t>& src, std::vector<uint8_t>& dst,
                   const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  CheckSys(fd >= 0, "open raw file");
  std::vector<iovec> iov(s.chunks);
  for (uint32_t i = 0; i < s.chunks; i++) {
    iov[i] = iovec{const_cast<uint8_t*>(src.data()) + i * s.chunk_bytes, s.chunk_bytes};
  }
  uint32_t n = s.handles();
  auto t0 = Clock::now();
  for (uint32_t h = 0; h < n; h++) {
    off_t off = static_cast<off_t>(h * s.total());
    for (uint32_t first = 0; first < s.chunks;) {  // IOV_MAX is far above 64
      ssize_t w = pwritev(fd, iov.data() + first, static_cast<int>(s.chunks - first), off);
      CheckSys(w == static_cast<ssize_t>(s.total()), "pwritev");
      first = s.chunks;
    }
  }
  auto t1 = Clock::now();
  for (uint32_t h = 0; h < n; h++) {
    ssize_t r = pread(fd, dst.data(), s.total(), static_cast<off_t>(h * s.total()));
    CheckSys(r == static_cast<ssize_t>(s.total()), "pread");
  }
  auto t2 = Clock::now();
  CheckSys(ftruncate(fd, 0) == 0, "ftruncate");
  close(fd);
  unlink(path.c_str());
  double bytes = static_cast<double>(s.total()) * n;
  return Figures{bytes / Seconds(t0, t1) / 1e9, bytes / Seconds(t1, t2) / 1e9};
}

std::string Size(uint64_t b) {
  char buf[32];
  if (b >= (1u << 20)) {
    snprintf(buf, sizeof buf, "%lu MiB", static_cast<unsigned long>(b >> 20));
  } else {
    snprintf(buf, sizeof buf, "%lu KiB", static_cast<unsigned long>(b >> 10));
  }
  return buf;
}

void ThroughputTable(const std::string& raw_path) {
  printf("pageout / read_at_many throughput, GB/s (median of %d; x = ratio to the raw limit)\n",
         kReps);
  printf("raw limits: alloc+cp = fresh page-aligned memory + memcpy per handle; memcpy = out of\n"
         "those handles (advised MADV_COLD) into one buffer; pwritev / pread = one call per handle\n"
         "on a plain file.\n"
         "swap pageout vs alloc+cp, swap read vs memcpy, file pageout vs pwritev, file read vs pread.\n");
  printf("%-8s %3s | %8s %7s %7s %7s | %16s %16s | %16s %16s\n", "chunk", "n", "alloc+cp",
         "memcpy", "pwritev", "pread", "swap pageout", "file pageout", "swap read", "file read");
  const uint64_t sizes[] = {4ull << 10, 64ull << 10, 1ull << 20, 16ull << 20};
  const uint32_t counts[] = {1, 8, 64};
  for (uint64_t size : sizes) {
    for (uint32_t count : counts) {
      Shape s{size, count};
      if (s.total() > kMaxHandleBytes) {
        printf("%-8s %3u | skipped: %s per handle is above the %s cap of this run\n",
               Size(size).c_str(), count, Size(s.total()).c_str(), Size(kMaxHandleBytes).c_str());
        continue;
      }
      std::vector<uint8_t> src(s.total()), dst(s.total());
      for (size_t i = 0; i < src.size(); i++) src[i] = static_cast<uint8_t>(i * 131 + (i >> 12));
      std::vector<double> ac, mc, pw, pr, sp, fp, sr, fr;
      for (int rep = 0; rep < kReps; rep++) {
        Figures m = RunMemcpy(s, src, dst);
        Figures raw = RunRawFile(s, src, dst, raw_path);
        Figures sw = RunCold(PAGER_COLD_BACKEND_SWAP, s, src, dst);
        Figures fi = RunCold(PAGER_COLD_BACKEND_FILE, s, src, dst);
        ac.push_back(m.pageout_gbs);
        mc.push_back(m.read_gbs);
        pw.push_back(raw.pageout_gbs);
        pr.push_back(raw.read_gbs);
        sp.push_back(sw.pageout_gbs);
        fp.push_back(fi.pageout_gbs);
        sr.push_back(sw.read_gbs);
        fr.push_back(fi.read_gbs);
      }
      double a = Median(ac), m = Median(mc), w = Median(pw), r = Median(pr);
      printf("%-8s %3u | %8.2f %7.2f %7.2f %7.2f | %7.2f (%5.2fx) %7.2f (%5.2fx) | %7.2f (%5.2fx) %7.2f (%5.2fx)\n",
             Size(size).c_str(), count, a, m, w, r, Median(sp), Median(sp) / a, Median(fp),
             Median(fp) / w, Median(sr), Median(sr) / m, Median(fr), Median(fr) / r);
      fflush(stdout);
    }
  }
}

// ---- 100,000 small round trips ----------------------------------------------------------------

constexpr int kRoundTrips = 100000;
constexpr int kRoundTripReps = 3;
constexpr size_t kSmallBytes = 4096;

double RoundTripsCold(uint32_t backend, const std::vector<uint8_t>& src,
                      std::vector<uint8_t>& dst) {
  pager_cold_chunk c = {src.data(), src.size()};
  auto t0 = Clock::now();
  for (int i = 0; i < kRoundTrips; i++) {
    pager_cold_handle* h = nullptr;
    Check(pager_cold_pageout_with(g_cold, backend, &c, 1, nullptr, &h), "pageout");
    Check(pager_cold_take(h, dst.data(), dst.size()), "take");
  }
  return Seconds(t0, Clock::now());
}

// The seed's file backend: one file per handle, created, written with writev, read back with
// pread, closed and unlinked (keeping the descriptor open in between, which the seed does
// not: this baseline is the cheaper variant).
double RoundTripsPerFile(const std::string& dir, const std::vector<uint8_t>& src,
                         std::vector<uint8_t>& dst) {
  iovec iov = {const_cast<uint8_t*>(src.data()), src.size()};
  char name[64];
  auto t0 = Clock::now();
  for (int i = 0; i < kRoundTrips; i++) {
    snprintf(name, sizeof name, "/h%d", i);
    std::string path = dir + name;
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    CheckSys(fd >= 0, "open per-handle file");
    CheckSys(writev(fd, &iov, 1) == static_cast<ssize_t>(src.size()), "writev");
    CheckSys(pread(fd, dst.data(), dst.size(), 0) == static_cast<ssize_t>(dst.size()), "pread");
    close(fd);
    CheckSys(unlink(path.c_str()) == 0, "unlink");
  }
  return Seconds(t0, Clock::now());
}

// The raw cost of one round trip through a shared file: pwrite + pread (+ the release the
// pager does: ftruncate back to 0, or nothing when blocks are simply overwritten).
double RoundTripsRaw(const std::string& path, bool release, const std::vector<uint8_t>& src,
                     std::vector<uint8_t>& dst) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  CheckSys(fd >= 0, "open raw round-trip file");
  auto t0 = Clock::now();
  for (int i = 0; i < kRoundTrips; i++) {
    CheckSys(pwrite(fd, src.data(), src.size(), 0) == static_cast<ssize_t>(src.size()), "pwrite");
    CheckSys(pread(fd, dst.data(), dst.size(), 0) == static_cast<ssize_t>(dst.size()), "pread");
    if (release) CheckSys(ftruncate(fd, 0) == 0, "ftruncate");
  }
  double t = Seconds(t0, Clock::now());
  close(fd);
  unlink(path.c_str());
  return t;
}

void RoundTripTable(const std::string& per_file_dir) {
  std::vector<uint8_t> src(kSmallBytes, 0x5A), dst(kSmallBytes);
  std::vector<double> file, per_file, swap, raw_release, raw_overwrite;
  std::string raw = per_file_dir + "/raw";
  for (int rep = 0; rep < kRoundTripReps; rep++) {
    raw_overwrite.push_back(RoundTripsRaw(raw, false, src, dst));
    raw_release.push_back(RoundTripsRaw(raw, true, src, dst));
    per_file.push_back(RoundTripsPerFile(per_file_dir, src, dst));
    file.push_back(RoundTripsCold(PAGER_COLD_BACKEND_FILE, src, dst));
    swap.push_back(RoundTripsCold(PAGER_COLD_BACKEND_SWAP, src, dst));
  }
  pager_cold_stats st;
  pager_cold_stats_init(&st);
  Check(pager_cold_get_stats(g_cold, &st), "stats");
  double pf = Median(per_file), f = Median(file), s = Median(swap);
  printf("\n%d pageout+take round trips of %zu bytes (median of %d), us per round trip\n",
         kRoundTrips, kSmallBytes, kRoundTripReps);
  printf("  raw pwrite+pread, same blocks overwritten (no release): %7.2f us\n",
         Median(raw_overwrite) / kRoundTrips * 1e6);
  printf("  raw pwrite+pread+ftruncate (the release the pager does): %7.2f us\n",
         Median(raw_release) / kRoundTrips * 1e6);
  printf("  per-file baseline (create+writev+pread+close+unlink): %7.2f us\n", pf / kRoundTrips * 1e6);
  printf("  cold file backend (shared files, extent reuse):       %7.2f us  (%.2fx faster than "
         "per-file; %.2fx the raw pwrite+pread+ftruncate time)\n",
         f / kRoundTrips * 1e6, pf / f, f / Median(raw_release));
  printf("  cold swap backend (memory, MADV_COLD):                %7.2f us\n", s / kRoundTrips * 1e6);
  printf("  scratch files after the run: %lu, bytes allocated: %lu, truncations: %lu, "
         "holes punched: %lu\n",
         static_cast<unsigned long>(st.scratch_file_count),
         static_cast<unsigned long>(st.scratch_allocated_bytes),
         static_cast<unsigned long>(st.truncate_count), static_cast<unsigned long>(st.punch_count));
}

}  // namespace

int main() {
  std::string root = BaseDir() + "/libpager-cold-bench";
  pager_cold_options opts;
  pager_cold_options_init(&opts);
  opts.scratch_root = root.c_str();
  Check(pager_cold_open(&opts, &g_cold), "open");
  char dir[4096];
  uint64_t len = 0;
  Check(pager_cold_scratch_dir(g_cold, dir, sizeof dir, &len), "scratch_dir");
  printf("libpager %s cold pager benchmark; scratch directory %s\n", pager_version_string(), dir);
  // Raw baselines live on the same filesystem, next to the scratch directory.
  std::string raw_path = root + "/raw-baseline";
  std::string per_file_dir = root + "/per-file-baseline";
  mkdir(per_file_dir.c_str(), 0700);
  ThroughputTable(raw_path);
  RoundTripTable(per_file_dir);
  rmdir(per_file_dir.c_str());
  pager_cold_close(g_cold);
  return 0;
}
