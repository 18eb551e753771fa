// snapshot_bench: capture and restore of a paged KV cache (the reference engine; 256 MiB, or
// SNAPSHOT_BENCH_MIB), next to the machine's limits measured in the same run on the same
// bytes: capture's own I/O pattern done raw (write + fsync + rename + fsync dir), a sequential
// read of the snapshot file itself (page cache warm, and cold after POSIX_FADV_DONTNEED), and
// memcpy. Each repetition
// starts capture and its raw loop from a settled machine (sync), in alternating order; ratios
// are taken within a repetition, then the median over kReps.
//
// Geometry: 16 tokens/page, 32 layers, 8 KV heads, head_dim 128, bf16 -> 1 MiB K + 1 MiB V
// per page; 512 pages = 1 GiB (a Llama-3-8B-like cache of 8192 tokens).
// Usage: snapshot_bench [DIR] (default: build/bench-tmp, created and removed).
// SNAPSHOT_BENCH_ONLY=restore: only restore (zero-copy and copying) against the raw read,
// warm and cold, SNAPSHOT_BENCH_REPS repetitions (default 7); also the ratio of process CPU
// times (raw read / restore) per repetition.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/env.h"
#include "impl/snapshot/refengine.h"
#include "impl/snapshot/snapshot.h"

namespace {

using pager::Status;
namespace snap = pager::snapshot;

constexpr int kReps = 5;
constexpr size_t kChunk = 8u << 20;
// SNAPSHOT_BENCH_MIB: the cache size (default 256 MiB = 128 pages of 2 MiB, so the shared
// box can run it; SNAPSHOT_BENCH_MIB=1024 for the 1 GiB figures).
const uint32_t kPages = [] {
  const char* v = std::getenv("SNAPSHOT_BENCH_MIB");
  long mib = v != nullptr ? std::atol(v) : 256;
  return static_cast<uint32_t>(std::max(16L, mib) / 2);
}();
// Capture writes each 2 MiB page (K then V, 1 MiB each) from a batch buffer it reuses; the
// raw loop writes the same sizes from a window of the same size.
constexpr size_t kCapturePieceBytes = 1u << 20;
constexpr size_t kCaptureWindowBytes = 32u << 20;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Die(const char* what, const Status& st) {
  fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  exit(1);
}

void FillRandom(uint8_t* p, size_t n, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(p + i, &x, 8);
  }
}

// Flushes every dirty page of the machine and finishes pending work of earlier unlinks (on a
// filesystem mounted with `discard`, freeing a 1 GiB file issues discards at the next journal
// commit): without it, whichever timed fsync comes next pays for the previous step's files.
void Settle() { sync(); }

// The raw limit for capture: what capture's own I/O does, without the work around it --
// create a new file in the same directory, write `bytes` in capture's piece size from a
// window of capture's buffer size, fsync, rename over the target, fsync the directory.
double RawWriteFsync(const std::string& dir, const std::string& path, const uint8_t* buf,
                     size_t bytes) {
  auto t0 = std::chrono::steady_clock::now();
  std::string tmp = dir + "/.raw.tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) exit(1);
  for (size_t off = 0; off < bytes; off += kCapturePieceBytes) {
    const uint8_t* src = buf + off % kCaptureWindowBytes;
    if (pwrite(fd, src, kCapturePieceBytes, static_cast<off_t>(off)) !=
        static_cast<ssize_t>(kCapturePieceBytes)) {
      exit(1);
    }
  }
  if (fsync(fd) != 0) exit(1);
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) exit(1);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || fsync(dfd) != 0) exit(1);
  close(dfd);
  return Seconds(t0);
}

// Drops a file's pages from the page cache (they are clean: every file here was fsynced).
void DropCache(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) exit(1);
  if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) exit(1);
  close(fd);
}

// Process CPU time (every thread), seconds.
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The raw limit for restore: the first `bytes` bytes of the snapshot file itself (its header
// and page blobs) in 8 MiB preads into a faulted-in buffer. The same file, so the same page
// cache state: a file's cached pages may sit in folios of 4 KiB or of 2 MiB depending on how
// it was written or read back, and reading 1 GiB of 4 KiB folios costs ~20% more CPU than of
// 1 MiB ones (measured here), so a raw read of another file is not the limit of this one.
double RawRead(const std::string& path, uint8_t* buf, size_t bytes) {
  auto t0 = std::chrono::steady_clock::now();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) exit(1);
  for (size_t off = 0; off < bytes; off += kChunk) {
    if (pread(fd, buf + off, kChunk, static_cast<off_t>(off)) != static_cast<ssize_t>(kChunk)) {
      exit(1);
    }
  }
  close(fd);
  return Seconds(t0);
}

uint8_t* AlignedBytes(size_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, 4096, bytes) != 0) exit(1);
  return static_cast<uint8_t*>(p);
}

std::unique_ptr<snap::RefEngine> NewEngine(const pager_cache_meta& meta) {
  std::unique_ptr<snap::RefEngine> e;
  Status st = snap::RefEngine::Create(meta, kPages, &e);
  if (!st.ok()) Die("create engine", st);
  return e;
}

}  // namespace

// Forwards to an engine's ops and times the pause window (pause -> resume).
struct PauseTimer {
  pager_cache_ops inner;
  std::chrono::steady_clock::time_point paused_at{};
  double paused_s = 0;
  static PauseTimer* T(void* c) { return static_cast<PauseTimer*>(c); }
  pager_cache_ops Ops() {
    pager_cache_ops o = inner;
    o.ctx = this;
    o.meta = [](void* c, pager_cache_meta* m) { return T(c)->inner.meta(T(c)->inner.ctx, m); };
    o.pause = [](void* c) {
      T(c)->paused_at = std::chrono::steady_clock::now();
      return T(c)->inner.pause(T(c)->inner.ctx);
    };
    o.resume = [](void* c) {
      T(c)->paused_s = Seconds(T(c)->paused_at);
      return T(c)->inner.resume(T(c)->inner.ctx);
    };
    o.occupied_pages = [](void* c, pager_cache_sink* s) {
      return T(c)->inner.occupied_pages(T(c)->inner.ctx, s);
    };
    o.logical_seqs = [](void* c, pager_cache_sink* s) {
      return T(c)->inner.logical_seqs(T(c)->inner.ctx, s);
    };
    o.read_page = [](void* c, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb) {
      return T(c)->inner.read_page(T(c)->inner.ctx, p, k, kb, v, vb);
    };
    return o;  // capture calls no other callback
  }
};

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "build/bench-tmp";
  mkdir(dir.c_str(), 0755);
  pager_cache_meta meta;
  pager_cache_meta_init(&meta);
  meta.tokens_per_page = 16;
  meta.layers = 32;
  meta.kv_heads = 8;
  meta.head_dim = 128;
  meta.dtype = PAGER_DTYPE_BF16;

  auto src = NewEngine(meta);
  const snap::Geometry& g = src->geometry();
  const size_t bytes = g.page_bytes() * kPages;
  std::vector<uint32_t> slots;
  {
    std::vector<uint8_t> page(g.page_bytes());
    for (uint32_t i = 0; i < kPages; i++) {
      slots.push_back(src->AllocPage().value());
      FillRandom(page.data(), page.size(), i + 1);
      Status st = src->WritePage(slots.back(), page.data(), g.k_page_bytes,
                                 page.data() + g.k_page_bytes, g.v_page_bytes);
      if (!st.ok()) Die("write page", st);
    }
    for (uint32_t s = 0; s < kPages / 32; s++) {  // requests of 32 pages (512 tokens each)
      std::string id = "request-" + std::to_string(s);
      Status st = src->SetSeq(id, &slots[s * 32], 32, 16);
      if (!st.ok()) Die("set seq", st);
    }
  }
  // Page-aligned, as the reference engine's tensors are: the kernel copies into a
  // 16-byte-aligned buffer (operator new[]'s) ~25% slower, which would lower the raw limit.
  std::unique_ptr<uint8_t, void (*)(void*)> buf(AlignedBytes(bytes), std::free);
  std::unique_ptr<uint8_t, void (*)(void*)> buf2(AlignedBytes(bytes), std::free);
  FillRandom(buf.get(), bytes, 99);
  std::memset(buf2.get(), 1, bytes);
  printf("cache: %u pages of %llu bytes (K+V) = %.2f GiB; %d repetitions, medians; %u worker "
         "threads\n",
         kPages, static_cast<unsigned long long>(g.page_bytes()),
         static_cast<double>(bytes) / (1u << 30), kReps, snap::Options().WorkerCount());

  std::vector<double> t_memcpy, t_write, t_read, t_capture, t_restore, t_incr, t_read_cold,
      t_restore_cold, r_capture, r_restore, r_restore_cold;
  std::string raw = dir + "/raw.bin", snapfile = dir + "/cache.kvs", incr = dir + "/incr.kvs";
  pager::io::Env* env = pager::io::DefaultEnv();
  // zero_copy: the reference engine's page_buffers (the bytes are read straight into its
  // tensors); else the copying path through write_page (page_buffers cleared).
  double cpu_s = 0;  // process CPU time of the last restore or raw read
  auto restore = [&](bool cold, bool zero_copy = true) {
    if (cold) DropCache(snapfile);
    auto dst = NewEngine(meta);  // its memory is zeroed (faulted in) here, outside the timing
    pager_cache_ops ops = dst->Ops();
    if (!zero_copy) ops.page_buffers = nullptr;
    double c0 = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    Status st = snap::Restore(env, ops, snapfile, snap::Options());
    double s = Seconds(t0);
    cpu_s = CpuSeconds() - c0;
    if (!st.ok()) Die("restore", st);
    if (dst->Fingerprint() != src->Fingerprint()) {
      fprintf(stderr, "restored cache differs\n");
      exit(1);
    }
    return s;
  };
  auto raw_read = [&](bool cold) {
    if (cold) DropCache(snapfile);
    double c0 = CpuSeconds();
    double s = RawRead(snapfile, buf2.get(), bytes);
    cpu_s = CpuSeconds() - c0;
    return s;
  };
  // Restore next to the raw read of the same bytes, each pair in alternating order
  // (operation first on odd repetitions), warm and cold; ratios per repetition.
  // cpu_ratio (may be null): the same ratio of process CPU times -- what the wall-clock ratio
  // tends to when the machine's other load leaves this process less than a core.
  auto restore_pair = [&](int r, bool cold, bool zero_copy, std::vector<double>* t_raw,
                          std::vector<double>* t_op, std::vector<double>* ratio,
                          std::vector<double>* cpu_ratio = nullptr) {
    double raw_s = 0, op_s = 0, raw_cpu = 0, op_cpu = 0;
    if (r % 2 == 0) raw_s = raw_read(cold), raw_cpu = cpu_s;
    op_s = restore(cold, zero_copy), op_cpu = cpu_s;
    if (r % 2 == 1) raw_s = raw_read(cold), raw_cpu = cpu_s;
    if (t_raw != nullptr) t_raw->push_back(raw_s);
    t_op->push_back(op_s);
    ratio->push_back(raw_s / op_s);
    if (cpu_ratio != nullptr) cpu_ratio->push_back(raw_cpu / op_cpu);
  };
  if (const char* only = std::getenv("SNAPSHOT_BENCH_ONLY")) {
    if (std::string(only) != "restore") {
      fprintf(stderr, "SNAPSHOT_BENCH_ONLY: only \"restore\" is known\n");
      return 2;
    }
    // Restore only: one capture, then SNAPSHOT_BENCH_REPS (default 7) repetitions.
    const char* reps_env = std::getenv("SNAPSHOT_BENCH_REPS");
    int reps = reps_env != nullptr ? std::max(1, std::atoi(reps_env)) : 7;
    Status st = snap::Capture(env, src->Ops(), snapfile, snap::Options());
    if (!st.ok()) Die("capture", st);
    std::vector<double> tw, tc, trw, trc, rw, rc, tcw, rcw, tcc, rcc, cw, cc;
    for (int r = 0; r < reps; r++) {
      restore_pair(r, false, true, &tw, &trw, &rw, &cw);
      restore_pair(r, true, true, &tc, &trc, &rc, &cc);
      restore_pair(r, false, false, nullptr, &tcw, &rcw);
      restore_pair(r, true, false, nullptr, &tcc, &rcc);
    }
    auto spread = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      char b[64];
      snprintf(b, sizeof b, "%.2f-%.2f", v.front(), v.back());
      return std::string(b);
    };
    const double gib = static_cast<double>(bytes) / (1u << 30);
    printf("restore only, %d repetitions (medians; ratio = raw read time / restore time)\n", reps);
    printf("raw sequential read, warm                   %.3f s %6.2f GiB/s\n", Median(tw), gib / Median(tw));
    printf("raw sequential read, cold                   %.3f s %6.2f GiB/s\n", Median(tc), gib / Median(tc));
    printf("restore warm, zero-copy (page_buffers)      %.3f s  %.2fx (reps %s); CPU time %.2fx (reps %s)\n", Median(trw), Median(rw), spread(rw).c_str(), Median(cw), spread(cw).c_str());
    printf("restore cold, zero-copy (page_buffers)      %.3f s  %.2fx (reps %s); CPU time %.2fx (reps %s)\n", Median(trc), Median(rc), spread(rc).c_str(), Median(cc), spread(cc).c_str());
    printf("restore warm, copying (write_page)          %.3f s  %.2fx (reps %s)\n", Median(tcw), Median(rcw), spread(rcw).c_str());
    printf("restore cold, copying (write_page)          %.3f s  %.2fx (reps %s)\n", Median(tcc), Median(rcc), spread(rcc).c_str());
    unlink(snapfile.c_str());
    rmdir(dir.c_str());
    return 0;
  }
  for (int r = 0; r < kReps; r++) {
    auto t0 = std::chrono::steady_clock::now();
    std::memcpy(buf2.get(), buf.get(), bytes);
    t_memcpy.push_back(Seconds(t0));

    // Capture and its raw limit, each from a settled machine, in alternating order.
    double capture_s = 0, write_s = 0;
    for (int k = 0; k < 2; k++) {
      Settle();
      if ((k == 0) == (r % 2 == 0)) {
        write_s = RawWriteFsync(dir, raw, buf.get(), bytes);
      } else {
        t0 = std::chrono::steady_clock::now();
        Status st = snap::Capture(env, src->Ops(), snapfile, snap::Options());
        capture_s = Seconds(t0);
        if (!st.ok()) Die("capture", st);
      }
    }
    t_write.push_back(write_s);
    t_capture.push_back(capture_s);
    r_capture.push_back(write_s / capture_s);

    // Restore and a sequential read of the same number of bytes, warm (both files were just
    // written and fsynced: in the page cache), then cold (dropped from it first).
    restore_pair(r, false, true, &t_read, &t_restore, &r_restore);
    restore_pair(r, true, true, &t_read_cold, &t_restore_cold, &r_restore_cold);
    unlink(raw.c_str());

    // 5% of the pages change, then an incremental capture against the full snapshot.
    std::vector<uint8_t> page(g.page_bytes());
    for (uint32_t i = 0; i < kPages / 20; i++) {
      FillRandom(page.data(), page.size(), 1000 + r * 100 + i);
      Status st = src->WritePage(slots[i * 20], page.data(), g.k_page_bytes,
                                 page.data() + g.k_page_bytes, g.v_page_bytes);
      if (!st.ok()) Die("write page", st);
    }
    snap::Options o;
    o.parent_path = "cache.kvs";
    Settle();
    t0 = std::chrono::steady_clock::now();
    Status st = snap::Capture(env, src->Ops(), incr, o);
    t_incr.push_back(Seconds(t0));
    if (!st.ok()) Die("incremental capture", st);
    unlink(incr.c_str());
    unlink(snapfile.c_str());
  }

  // 12 successive snapshots, 5% of the pages changed between them, each against the last.
  printf("12 successive snapshots of the cache, 5%% of pages changed between them:\n");
  std::string prev;
  std::vector<std::string> chain;
  for (int k = 0; k < 12; k++) {
    std::vector<uint8_t> page(g.page_bytes());
    for (uint32_t i = 0; k > 0 && i < kPages / 20; i++) {
      FillRandom(page.data(), page.size(), 50000 + k * 1000 + i);
      Status st = src->WritePage(slots[(i * 20 + k) % kPages], page.data(), g.k_page_bytes,
                                 page.data() + g.k_page_bytes, g.v_page_bytes);
      if (!st.ok()) Die("write page", st);
    }
    std::string name = "chain-" + std::to_string(k) + ".kvs";
    snap::Options o;
    o.parent_path = prev;
    auto t0 = std::chrono::steady_clock::now();
    Status st = snap::Capture(env, src->Ops(), dir + "/" + name, o);
    double s = Seconds(t0);
    if (!st.ok()) Die("chain capture", st);
    pager_snapshot_info info;
    st = snap::Inspect(env, dir + "/" + name, &info);
    if (!st.ok()) Die("inspect", st);
    printf("  snapshot %2d: %11llu bytes, %3llu of %llu pages stored, captured in %.3f s\n", k,
           static_cast<unsigned long long>(info.file_bytes),
           static_cast<unsigned long long>(info.stored_page_count),
           static_cast<unsigned long long>(info.page_count), s);
    prev = name;
    chain.push_back(dir + "/" + name);
  }
  {
    auto dst = NewEngine(meta);
    auto t0 = std::chrono::steady_clock::now();
    Status st = snap::Restore(env, dst->Ops(), chain.back(), snap::Options());
    if (!st.ok()) Die("chain restore", st);
    printf("  restore of snapshot 11 (chain of 12): %.3f s, %s\n", Seconds(t0),
           dst->Fingerprint() == src->Fingerprint() ? "identical" : "DIFFERENT");
  }
  for (const std::string& c : chain) unlink(c.c_str());

  // The pause window of a full capture, without and with the copy-out budget (K1).
  buf.reset();
  buf2.reset();
  std::vector<double> paused_plain, total_plain, paused_copy, total_copy;
  for (int r = 0; r < kReps; r++) {
    for (uint64_t budget : {uint64_t{0}, uint64_t{bytes}}) {
      PauseTimer timer{src->Ops()};
      snap::Options o;
      o.copy_out_budget_bytes = budget;
      auto t0 = std::chrono::steady_clock::now();
      Status st = snap::Capture(env, timer.Ops(), snapfile, o);
      double total = Seconds(t0);
      if (!st.ok()) Die("capture (pause window)", st);
      (budget == 0 ? paused_plain : paused_copy).push_back(timer.paused_s);
      (budget == 0 ? total_plain : total_copy).push_back(total);
      unlink(snapfile.c_str());
    }
  }
  rmdir(dir.c_str());

  const double gib = static_cast<double>(bytes) / (1u << 30);
  auto spread = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    char b[64];
    snprintf(b, sizeof b, "%.2f-%.2f", v.front(), v.back());
    return std::string(b);
  };
  auto line = [&](const char* what, double s, const std::vector<double>& ratios,
                  const char* limit) {
    printf("%-44s %7.3f s  %6.2f GiB/s", what, s, gib / s);
    if (!ratios.empty()) {
      printf("   %.2fx %s (reps %s)", Median(ratios), limit, spread(ratios).c_str());
    }
    printf("\n");
  };
  double mc = Median(t_memcpy);
  printf("ratios: limit time / operation time per repetition, median (1 = the limit)\n");
  line("memcpy (one core)", mc, {}, "");
  line("raw write+fsync+rename+fsync dir (as capture)", Median(t_write), {}, "");
  line("raw sequential read, page cache warm", Median(t_read), {}, "");
  line("raw sequential read, cold (fadvise DONTNEED)", Median(t_read_cold), {}, "");
  line("capture (write+fsync+rename)", Median(t_capture), r_capture, "of raw write");
  line("restore, warm (zero-copy into engine)", Median(t_restore), r_restore,
       "of warm read");
  line("restore, cold", Median(t_restore_cold), r_restore_cold, "of cold read");
  std::vector<double> none;
  line("incremental capture, 5% changed", Median(t_incr), none, "");
  printf("capture pause window, no copy-out:       paused %.3f s of %.3f s\n",
         Median(paused_plain), Median(total_plain));
  printf("capture pause window, copy_out_budget:   paused %.3f s of %.3f s (%.2fx shorter; "
         "memcpy of the cache: %.3f s)\n",
         Median(paused_copy), Median(total_copy), Median(paused_plain) / Median(paused_copy), mc);
  return 0;
}
