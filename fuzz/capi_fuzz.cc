// libFuzzer harness: the C API surface as a whole. The input is decoded into a sequence of
// calls of exported pager_* functions of every component (file, wal, walseg, cold, snapshot
// with the reference engine and a hostile adapter) with hostile arguments: NULL pointers,
// wrong lengths, UINT32_MAX / UINT64_MAX and other huge counts, out-of-range and duplicate
// ids, struct_size 0 / tiny / exact / larger with zero or non-zero unknown bytes, children
// used after their parent was closed (C4), overlapping cold ranges, crossed paths (a WAL file
// opened as a page file...), and the read-only checks (pager_format_detect, pager_*_check) on
// every file the input made and on forged files: a format's magic followed by input bytes, or
// a copy of a real file with a byte flipped, a truncation, zeroed sectors or garbage appended.
//
// Every file lives in a MemEnv installed with SetDefaultEnvForTesting (a fresh one per
// input). pager_snapshot_capture_fd writes to a real descriptor by design, so it is only
// called with fd -1 (refused before any I/O).
//
// Oracle, for every call (Check): the code is PAGER_OK or one its pager.h contract lists
// (never PAGER_ERR_INTERNAL, never >= PAGER_ERR_COUNT); pager_last_error() is "" after
// success and non-empty after a failure (C2); a failed call leaves every out-parameter
// untouched (C5: they are pre-filled with a sentinel); a child of a closed parent fails with
// PAGER_ERR_INVALID (C4); bytes paged out to the cold pager read back equal; a check changes,
// creates and removes no file, its report is sane (damage_code OK or CORRUPT, the function's
// format, NUL-terminated texts), a page file that a read-only open refuses as CORRUPT is
// damage in its check (not the converse: a damaged redundant meta copy is damage the open
// survives), and a snapshot is damage iff pager_snapshot_verify says CORRUPT. ASan and UBSan
// catch the rest: page pointers are written over their whole length, record views read.
//
// Contract-respecting limits (arguments a C caller may not pass are never passed): a list
// pointer is followed by a count no larger than its real array, or by one no list can have
// (> 2^56 bytes of list: PAGER_ERR_INVALID before any read), or, for the bulk allocations
// that promise FULL "at once, before any work", 2^40. Per-input work stays small: at most
// kMaxCalls calls, page files of at most 2^24 bytes of address space, WAL page counts below 16 (a value above 2^46 is
// passed to provoke INVALID), small engines and payloads.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "impl/file/format.h"
#include "impl/io/checksum.h"
#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "impl/snapshot/format.h"
#include "impl/wal/wal_format.h"
#include "impl/walseg/format.h"
#include "pager.h"

namespace {

constexpr size_t kMaxCalls = 160;
constexpr size_t kMaxInput = 2048;
// capi::CheckList refuses a list of count * elem_bytes > 2^56 bytes (no address space holds
// more); the harness uses the first refused count.
constexpr uint64_t kHugeList = uint64_t{1} << 56;
constexpr uint64_t HugeCount(uint64_t elem_bytes) { return kHugeList / elem_bytes + 1; }
constexpr uint64_t kHugeAlloc = uint64_t{1} << 40;  // FULL at once for bulk allocations
constexpr size_t kMaxForgedBytes = size_t{1} << 20;

// ---- oracle --------------------------------------------------------------------------------

using Mask = uint32_t;
enum : int {
  INV = PAGER_ERR_INVALID, IO = PAGER_ERR_IO, NOMEM = PAGER_ERR_NOMEM, NOSPC = PAGER_ERR_NOSPC,
  CORRUPT = PAGER_ERR_CORRUPT, VERSION = PAGER_ERR_VERSION, PSIZE = PAGER_ERR_PAGE_SIZE,
  BUSY = PAGER_ERR_BUSY, RO = PAGER_ERR_READONLY, RANGE = PAGER_ERR_RANGE,
  OVERLAP = PAGER_ERR_OVERLAP, DFREE = PAGER_ERR_DOUBLE_FREE, RESERVED = PAGER_ERR_RESERVED,
  FULL = PAGER_ERR_FULL, POISONED = PAGER_ERR_POISONED, MISMATCH = PAGER_ERR_MISMATCH,
  NOTFOUND = PAGER_ERR_NOT_FOUND, EXISTS = PAGER_ERR_EXISTS, CANCELLED = PAGER_ERR_CANCELLED,
  CALLBACK = PAGER_ERR_CALLBACK, DUP = PAGER_ERR_DUPLICATE, TOOLARGE = PAGER_ERR_TOO_LARGE
};
Mask Codes(std::initializer_list<int> codes) {
  Mask m = 1;  // PAGER_OK
  for (int c : codes) m |= Mask{1} << c;
  return m;
}

[[noreturn]] void Fail(const char* fn, const char* what, int rc) {
  std::fprintf(stderr, "capi_fuzz: %s: %s (returned %d %s; last error \"%s\")\n", fn, what, rc,
               pager_errstr(rc), pager_last_error());
  __builtin_trap();
}

void Expect(bool ok, const char* fn, const char* what, int rc = 0) {
  if (!ok) Fail(fn, what, rc);
}

// C1/C2/C3: a documented code and a last error that matches it.
// CAPI_FUZZ_TRACE=1 prints every checked call (to read what an input does).
const bool g_trace = std::getenv("CAPI_FUZZ_TRACE") != nullptr;

int Check(const char* fn, int rc, Mask allowed) {
  if (g_trace) std::fprintf(stderr, "%s -> %s\n", fn, pager_errstr(rc));
  if (rc < 0 || rc >= PAGER_ERR_COUNT) Fail(fn, "code outside 0..PAGER_ERR_COUNT-1", rc);
  if (rc == PAGER_ERR_INTERNAL) Fail(fn, "PAGER_ERR_INTERNAL", rc);
  if ((allowed & (Mask{1} << rc)) == 0) Fail(fn, "a code its contract does not list", rc);
  const char* le = pager_last_error();
  Expect(le != nullptr, fn, "pager_last_error() is NULL", rc);
  if (rc == PAGER_OK) Expect(le[0] == '\0', fn, "last error not empty after success", rc);
  if (rc != PAGER_OK) Expect(le[0] != '\0', fn, "last error empty after a failure", rc);
  return rc;
}

// A void function clears the last error (C2).
void CheckCleared(const char* fn) {
  Expect(pager_last_error()[0] == '\0', fn, "void function did not clear the last error");
}

// An out-parameter pre-filled with a sentinel (C5).
template <typename T>
struct Out {
  T v;
  Out() { std::memset(static_cast<void*>(&v), 0xA5, sizeof(T)); }
  T* p() { return &v; }
  bool Untouched() const {
    T s;
    std::memset(static_cast<void*>(&s), 0xA5, sizeof(T));
    return std::memcmp(&s, &v, sizeof(T)) == 0;
  }
};

// Makes a failure leave *out untouched.
template <typename T>
void KeptOnFailure(const char* fn, int rc, const Out<T>& out) {
  if (rc != PAGER_OK) Expect(out.Untouched(), fn, "out-parameter written by a failed call", rc);
}

// ---- input ---------------------------------------------------------------------------------

class Input {
 public:
  Input(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool more() const { return i_ < n_; }
  uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
  uint32_t Pick(uint32_t n) { return n == 0 ? 0 : u8() % n; }
  bool Chance(uint32_t in) { return Pick(in) == 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32raw() { return u16() | (uint32_t{u16()} << 16); }
  uint64_t u64raw() { return u32raw() | (uint64_t{u32raw()} << 32); }
  // Hostile 64-bit value: boundaries first, small values often.
  uint64_t Hostile64() {
    switch (Pick(16)) {
      case 0: return 0;
      case 1: return UINT64_MAX;
      case 2: return UINT32_MAX;
      case 3: return uint64_t{UINT32_MAX} + 1;
      case 4: return INT64_MAX;
      case 5: return uint64_t{1} << 63;
      case 6: return kHugeList;
      case 7: return u64raw();
      default: return u8();
    }
  }
  uint32_t Hostile32() {
    switch (Pick(10)) {
      case 0: return 0;
      case 1: return UINT32_MAX;
      case 2: return UINT32_MAX - 1;
      case 3: return INT32_MAX;
      case 4: return u32raw();
      default: return u8();
    }
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t i_ = 0;
};

// A growable struct (C8) inside a larger zeroed buffer so struct_size may exceed sizeof(T):
// struct_size 0 / tiny / one short / exact / larger with zero or non-zero unknown bytes.
template <typename T>
struct Grow {
  alignas(16) uint8_t buf[sizeof(T) + 64];
  Grow() { std::memset(buf, 0, sizeof(buf)); }
  T* p() { return reinterpret_cast<T*>(buf); }
  // Returns whether the struct is acceptable as far as C8 goes.
  bool Mangle(Input& in) {
    uint32_t size = sizeof(T);
    bool ok = true;
    switch (in.Pick(12)) {
      case 0: size = 0; ok = false; break;
      case 1: size = 4; ok = false; break;
      case 2: size = sizeof(T) - 1; ok = false; break;
      case 3: size = sizeof(T) + 8; break;
      case 4:
        size = sizeof(T) + 8;
        buf[sizeof(T) + in.Pick(8)] = static_cast<uint8_t>(in.u8() | 1);
        ok = false;
        break;
      case 5: size = sizeof(T) + 64; break;
      default: break;
    }
    std::memcpy(buf, &size, sizeof(size));
    return ok;
  }
};

// ---- what the harness holds ----------------------------------------------------------------

// Forged files live apart from kPaths: no handle of the harness ever opens them.
constexpr char kForgedDir[] = "/d/h.d";
const char* const kForged[] = {"/d/h", "/d/h-wal", kForgedDir};
constexpr size_t kForgedCount = sizeof(kForged) / sizeof(kForged[0]);

const char* const kPaths[] = {"/d/a", "/d/b", "/d/c", "/d/s", "/d/a-wal", "/d", "/nodir/x", "",
                              "/d/log", "/d/cold", "/d/snap", "/d/snap2"};
constexpr size_t kPathCount = sizeof(kPaths) / sizeof(kPaths[0]);

struct FileSlot {
  pager_file* f = nullptr;
  uint32_t page_size = 0;
  bool read_only = false;
  std::shared_ptr<bool> closed;  // shared with the children
};
struct Child {
  void* h = nullptr;
  std::shared_ptr<bool> parent_closed;
  uint32_t unit = 0;  // sub_page_size of a subpages allocator, page size of a txn
  bool read_only = false;
};
struct ColdHandle {
  pager_cold_handle* h = nullptr;
  std::vector<uint8_t> bytes;  // the content it must read back
};
struct Engine {
  pager_refengine* e = nullptr;
  pager_cache_ops ops{};
  uint64_t k_bytes = 0, v_bytes = 0;
  uint32_t capacity = 0;
};

// A hostile engine adapter: forwards to a reference engine's ops and, per its mode, lies.
struct Hostile {
  pager_cache_ops inner{};
  uint32_t mode = 0;
  uint32_t arg = 0;
};

uint8_t g_data[8192];  // bytes for payloads, chunks, pages (pattern filled once)
uint32_t g_u32[64];
uint64_t g_u64[64];

int HMeta(void* ctx, pager_cache_meta* meta) {
  auto* h = static_cast<Hostile*>(ctx);
  int rc = h->inner.meta(h->inner.ctx, meta);
  if (h->mode == 1) meta->dtype = 99;
  if (h->mode == 2) meta->layers = 0;
  if (h->mode == 3) {  // a page above 2^32 bytes: refused. (UINT32_MAX elements of one byte
    meta->head_dim = UINT32_MAX;  // is a valid 4 GiB page, which capture rightly allocates.)
    meta->dtype = PAGER_DTYPE_F32;
  }
  return rc;
}
int HPause(void* ctx) {
  auto* h = static_cast<Hostile*>(ctx);
  return h->inner.pause(h->inner.ctx);
}
int HResume(void* ctx) {
  auto* h = static_cast<Hostile*>(ctx);
  return h->inner.resume(h->inner.ctx);
}
int HOccupied(void* ctx, pager_cache_sink* sink) {
  auto* h = static_cast<Hostile*>(ctx);
  int rc = h->inner.occupied_pages(h->inner.ctx, sink);
  const Mask add = Codes({INV, TOOLARGE, NOMEM});
  uint32_t pages[4] = {0, 0, h->arg, UINT32_MAX};
  switch (h->mode) {
    case 4: Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(sink, pages, 4), add); break;
    case 5: Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(sink, nullptr, 3), add); break;
    case 6: Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(sink, pages, UINT64_MAX), add); break;
    case 7: Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(nullptr, pages, 1), add); break;
    case 8:  // the wrong kind of sink
      Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "x", 1, pages, 1, 1), add);
      break;
    default: break;
  }
  return rc;
}
int HSeqs(void* ctx, pager_cache_sink* sink) {
  auto* h = static_cast<Hostile*>(ctx);
  int rc = h->inner.logical_seqs(h->inner.ctx, sink);
  const Mask add = Codes({INV, TOOLARGE, NOMEM});
  uint32_t pages[2] = {h->arg, h->arg};
  switch (h->mode) {
    case 9: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "dup", 3, pages, 2, 1), add); break;
    case 10: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "z", 0, pages, 1, 1), add); break;
    case 11: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, nullptr, 5, pages, 1, 1), add); break;
    case 12: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "big", 65537, pages, 1, 1), add); break;
    case 13: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "f", 1, pages, 1, UINT32_MAX), add); break;
    case 14: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "n", 1, nullptr, 2, 1), add); break;
    case 15: Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(sink, "h", 1, pages, UINT64_MAX, 1), add); break;
    case 16:  // the wrong kind of sink
      Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(sink, pages, 1), add);
      break;
    default: break;
  }
  return rc;
}
int HRead(void* ctx, uint32_t page, void* k, uint64_t kb, void* v, uint64_t vb) {
  auto* h = static_cast<Hostile*>(ctx);
  if (h->mode == 17) return -5;
  return h->inner.read_page(h->inner.ctx, page, k, kb, v, vb);
}
int HAlloc(void* ctx, uint32_t* slots, uint64_t count) {
  auto* h = static_cast<Hostile*>(ctx);
  int rc = h->inner.allocate_pages(h->inner.ctx, slots, count);
  if (rc == 0 && count >= 2 && h->mode == 18) slots[1] = slots[0];  // a slot twice
  if (rc == 0 && count >= 1 && h->mode == 19) slots[0] = h->arg;    // maybe an occupied one
  if (h->mode == 20) return 7;
  return rc;
}
int HWrite(void* ctx, uint32_t page, const void* k, uint64_t kb, const void* v, uint64_t vb) {
  auto* h = static_cast<Hostile*>(ctx);
  if (h->mode == 21) return -1;
  return h->inner.write_page(h->inner.ctx, page, k, kb, v, vb);
}
int HInstall(void* ctx, const pager_logical_seq* seqs, uint64_t count) {
  auto* h = static_cast<Hostile*>(ctx);
  if (h->mode == 22) return 3;
  return h->inner.install_logical_seqs(h->inner.ctx, seqs, count);
}
int HRelease(void* ctx, const uint32_t* slots, uint64_t count) {
  auto* h = static_cast<Hostile*>(ctx);
  if (h->mode == 23) return 9;
  return h->inner.release_pages(h->inner.ctx, slots, count);
}
// The zero-copy restore callback: forwarded (the hostile ctx is not the engine's), or a lie
// the library must refuse before it writes a byte into the answer.
int HPageBuffers(void* ctx, uint32_t slot, pager_page_segment* segments, uint64_t capacity,
                 uint64_t* count) {
  auto* h = static_cast<Hostile*>(ctx);
  if (h->mode == 24) return -2;
  int rc = h->inner.page_buffers(h->inner.ctx, slot, segments, capacity, count);
  if (rc != 0 || *count > capacity || *count == 0) return rc;
  switch (h->mode) {
    case 25: if (*count >= 2) segments[1].data = segments[0].data; break;  // overlap
    case 26: segments[0].data = nullptr; break;
    case 27: *count = 0; break;
    case 28: segments[0].bytes += 1; break;  // the page's total is wrong
    default: break;
  }
  return rc;
}
int CancelProgress(void* ctx, uint64_t done, uint64_t total) {
  (void)done;
  (void)total;
  return *static_cast<int*>(ctx);
}
void FreeOwned(void* ctx, void* data, uint64_t len) {
  (void)len;
  ++*static_cast<int*>(ctx);
  std::free(data);
}

class Harness {
 public:
  Harness() {
    env_ = std::make_unique<pager::io::MemEnv>();
    (void)env_->CreateDir("/d", 0755);
    (void)env_->CreateDir(kForgedDir, 0755);
    pager::io::SetDefaultEnvForTesting(env_.get());
  }
  ~Harness() {
    ReleaseAll();
    pager::io::SetDefaultEnvForTesting(nullptr);
  }

  void Run(Input& in) {
    for (size_t n = 0; n < kMaxCalls && in.more(); n++) {
      switch (in.Pick(9)) {
        case 0: File(in); break;
        case 1: FileChild(in); break;
        case 2: Wal(in); break;
        case 3: Walseg(in); break;
        case 4: Cold(in); break;
        case 5: Snapshot(in); break;
        case 6: Engines(in); break;
        case 7: Misc(in); break;
        case 8: Checks(in); break;
      }
    }
  }

 private:
  const char* Path(Input& in) {
    if (in.Chance(16)) return nullptr;
    return kPaths[in.Pick(kPathCount)];
  }

  // A list of ids: NULL, a real array (count <= its length) of hostile or known ids, or a
  // count no list can have.
  struct List {
    const uint64_t* p;
    uint64_t count;
  };
  List Ids(Input& in, const std::vector<uint64_t>& known) {
    switch (in.Pick(8)) {
      case 0: return {nullptr, in.Chance(2) ? uint64_t{0} : uint64_t{1} + in.u8()};
      case 1: return {g_u64, in.Chance(2) ? UINT64_MAX : HugeCount(8)};
      default: break;
    }
    uint64_t count = in.Pick(9);
    for (uint64_t i = 0; i < count; i++) {
      uint32_t k = in.Pick(4);
      if (k == 0 || known.empty()) ids_[i] = in.Hostile64();
      else if (k == 1 && i > 0) ids_[i] = ids_[i - 1];  // a duplicate
      else ids_[i] = known[in.Pick(static_cast<uint32_t>(known.size()))];
    }
    return {ids_, count};
  }

  // ---- page file ----------------------------------------------------------------------------

  void File(Input& in) {
    FileSlot& s = files_[in.Pick(2)];
    pager_file* f = (s.f == nullptr || in.Chance(12)) ? nullptr : s.f;
    const Mask mut = Codes({INV, RO, POISONED, NOSPC, FULL, IO, NOMEM});
    switch (in.Pick(16)) {
      case 0:
      case 1: {  // create / open
        if (s.f != nullptr) return;
        Grow<pager_file_options> g;
        pager_file_options_init(g.p());
        CheckCleared("pager_file_options_init");
        g.p()->page_size = in.Chance(3) ? in.Hostile32() : 1024u << in.Pick(3);
        g.p()->max_size_bytes = in.Chance(8) ? in.Hostile64() : uint64_t{1} << (20 + in.Pick(5));
        if (g.p()->max_size_bytes > (uint64_t{1} << 24) &&
            g.p()->max_size_bytes <= (uint64_t{1} << 46)) {
          g.p()->max_size_bytes = uint64_t{1} << 24;  // MemEnv zero-fills what the file grows
        }
        g.p()->initial_page_count = in.Chance(6) ? in.Hostile64() : in.Pick(16);
        g.p()->read_only = in.Chance(4) ? in.Pick(3) : 0;
        g.p()->lock_timeout_ms = in.Chance(8) ? -2 : 0;
        g.p()->reserved = in.Chance(12) ? 1 : 0;
        (void)g.Mangle(in);
        const pager_file_options* opts = in.Chance(8) ? nullptr : g.p();
        const char* path = Path(in);
        Out<pager_file*> out;
        pager_file** outp = in.Chance(16) ? nullptr : out.p();
        bool create = in.Chance(2);
        int rc = create ? pager_file_create(path, opts, outp) : pager_file_open(path, opts, outp);
        const char* fn = create ? "pager_file_create" : "pager_file_open";
        Check(fn, rc, create ? Codes({INV, EXISTS, TOOLARGE, BUSY, IO, NOSPC, NOMEM, NOTFOUND, RO})
                             : Codes({INV, NOTFOUND, BUSY, PSIZE, CORRUPT, VERSION, TOOLARGE, IO,
                                      NOSPC, NOMEM, RO}));
        KeptOnFailure(fn, rc, out);
        if (rc == PAGER_OK) {
          s.f = out.v;
          s.read_only = opts != nullptr && opts->read_only == 1;
          s.closed = std::make_shared<bool>(false);
          Out<uint32_t> ps;
          Check("pager_file_page_size", pager_file_page_size(s.f, ps.p()), Codes({}));
          s.page_size = ps.v;
        }
        return;
      }
      case 2:  // close (children live on: C4)
        if (in.Chance(4)) {
          pager_file_close(nullptr);
          CheckCleared("pager_file_close");
          return;
        }
        CloseFile(s);
        return;
      case 3: {  // getters
        Out<uint32_t> ps;
        Out<uint64_t> c;
        int rc;
        switch (in.Pick(5)) {
          case 0:
            rc = Check("pager_file_page_size", pager_file_page_size(f, in.Chance(8) ? nullptr : ps.p()), Codes({INV}));
            KeptOnFailure("pager_file_page_size", rc, ps);
            return;
          case 1: rc = Check("pager_file_page_count", pager_file_page_count(f, c.p()), Codes({INV})); break;
          case 2: rc = Check("pager_file_free_page_count", pager_file_free_page_count(f, c.p()), Codes({INV})); break;
          case 3: rc = Check("pager_file_protected_count", pager_file_protected_count(f, c.p()), Codes({INV})); break;
          default: rc = Check("pager_file_page_count", pager_file_page_count(f, nullptr), Codes({INV})); break;
        }
        KeptOnFailure("pager_file getter", rc, c);
        return;
      }
      case 4: {  // alloc / alloc_bulk
        if (in.Chance(2)) {
          Out<uint64_t> id;
          int rc = Check("pager_file_alloc", pager_file_alloc(f, in.Chance(12) ? nullptr : id.p()), mut);
          KeptOnFailure("pager_file_alloc", rc, id);
          if (rc == PAGER_OK) Remember(pages_, id.v);
          return;
        }
        BulkAlloc(in, "pager_file_alloc_bulk", [&](uint64_t* o, uint64_t n) {
          return pager_file_alloc_bulk(f, o, n);
        }, mut, &pages_);
        return;
      }
      case 5: {  // free / free_bulk
        const Mask m = Codes({INV, RO, POISONED, RANGE, RESERVED, DFREE, DUP, IO, NOSPC, NOMEM});
        if (in.Chance(2)) {
          uint64_t id = in.Chance(2) && !pages_.empty() ? pages_[in.Pick(static_cast<uint32_t>(pages_.size()))] : in.Hostile64();
          Check("pager_file_free", pager_file_free(f, id), m);
          return;
        }
        List l = Ids(in, pages_);
        Check("pager_file_free_bulk", pager_file_free_bulk(f, l.p, l.count), m);
        return;
      }
      case 6:
        Check("pager_file_grow", pager_file_grow(f, in.Chance(2) ? in.Hostile64() : in.Pick(128)),
              Codes({INV, RO, POISONED, FULL, NOSPC, IO, NOMEM}));
        return;
      case 7: {  // page pointers: written / read over their whole length
        uint64_t id = !pages_.empty() && in.Chance(2) ? pages_[in.Pick(static_cast<uint32_t>(pages_.size()))] : in.Hostile64();
        const Mask m = Codes({INV, RO, RANGE, RESERVED, NOTFOUND});
        if (in.Chance(2)) {
          Out<void*> p;
          int rc = Check("pager_file_page", pager_file_page(f, id, in.Chance(16) ? nullptr : p.p()), m);
          KeptOnFailure("pager_file_page", rc, p);
          if (rc == PAGER_OK) std::memset(p.v, in.u8(), s.page_size);
        } else {
          Out<const void*> p;
          int rc = Check("pager_file_page_const", pager_file_page_const(f, id, in.Chance(16) ? nullptr : p.p()), m);
          KeptOnFailure("pager_file_page_const", rc, p);
          if (rc == PAGER_OK) Touch(p.v, s.page_size);
        }
        return;
      }
      case 8: {
        List l = Ids(in, pages_);
        Check("pager_file_sync_pages", pager_file_sync_pages(f, l.p, l.count),
              Codes({INV, RO, POISONED, RANGE, RESERVED, NOTFOUND, IO}));
        return;
      }
      case 9: {  // protected alloc
        const Mask m = Codes({INV, RO, POISONED, NOSPC, FULL, IO, NOMEM});
        if (in.Chance(2)) {
          Out<uint64_t> id;
          int rc = Check("pager_file_protected_alloc", pager_file_protected_alloc(f, in.Chance(12) ? nullptr : id.p()), m);
          KeptOnFailure("pager_file_protected_alloc", rc, id);
          if (rc == PAGER_OK) Remember(prot_, id.v);
          return;
        }
        BulkAlloc(in, "pager_file_protected_alloc_bulk", [&](uint64_t* o, uint64_t n) {
          return pager_file_protected_alloc_bulk(f, o, n);
        }, m, &prot_);
        return;
      }
      case 10: {  // protected free
        const Mask m = Codes({INV, RO, POISONED, RANGE, DFREE, DUP, BUSY, IO, NOSPC, NOMEM});
        if (in.Chance(2)) {
          uint64_t id = !prot_.empty() && in.Chance(2) ? prot_[in.Pick(static_cast<uint32_t>(prot_.size()))] : in.Hostile64();
          Check("pager_file_protected_free", pager_file_protected_free(f, id), m);
          return;
        }
        List l = Ids(in, prot_);
        Check("pager_file_protected_free_bulk", pager_file_protected_free_bulk(f, l.p, l.count), m);
        return;
      }
      case 11: {  // protected read: exact length only
        uint64_t id = !prot_.empty() && in.Chance(2) ? prot_[in.Pick(static_cast<uint32_t>(prot_.size()))] : in.Hostile64();
        uint64_t len = BufLen(in, s.page_size);
        void* buf = in.Chance(12) ? nullptr : page_buf_.data();
        Check("pager_file_protected_read", pager_file_protected_read(f, id, buf, len),
              Codes({INV, RANGE, NOTFOUND}));
        return;
      }
      case 12: {  // txn begin
        Child& c = txns_[in.Pick(2)];
        if (c.h != nullptr) return;
        Out<pager_file_txn*> t;
        int rc = Check("pager_file_txn_begin", pager_file_txn_begin(f, in.Chance(16) ? nullptr : t.p()),
                       Codes({INV, RO, POISONED, NOMEM}));
        KeptOnFailure("pager_file_txn_begin", rc, t);
        if (rc == PAGER_OK) c = Child{t.v, s.closed, s.page_size, s.read_only};
        return;
      }
      case 13: {  // iterators
        Child& c = iters_[in.Pick(3)];
        if (c.h != nullptr) return;
        Out<pager_file_iter*> it;
        bool prot = in.Chance(2);
        pager_file_iter** o = in.Chance(16) ? nullptr : it.p();
        int rc = Check("pager_file_iter", prot ? pager_file_iter_protected(f, o) : pager_file_iter_pages(f, o),
                       Codes({INV, NOMEM}));
        KeptOnFailure("pager_file_iter", rc, it);
        if (rc == PAGER_OK) c = Child{it.v, s.closed, 0, s.read_only};
        return;
      }
      case 14: {  // sub-page allocators
        Child& c = subs_[in.Pick(2)];
        if (c.h != nullptr) return;
        uint32_t size = in.Chance(4) ? in.Hostile32() : 16u << in.Pick(13);
        Out<pager_file_subpages*> sp;
        int rc = Check("pager_file_subpages_create",
                       pager_file_subpages_create(f, size, in.Chance(16) ? nullptr : sp.p()), Codes({INV, NOMEM}));
        KeptOnFailure("pager_file_subpages_create", rc, sp);
        if (rc == PAGER_OK) c = Child{sp.v, s.closed, size, s.read_only};
        return;
      }
      default:
        return;
    }
  }

  template <typename Fn>
  void BulkAlloc(Input& in, const char* fn, Fn call, Mask m, std::vector<uint64_t>* known) {
    uint64_t count;
    uint64_t* out = g_out64_;
    switch (in.Pick(6)) {
      case 0: count = kHugeAlloc; break;  // FULL at once, before any write
      case 1: count = UINT64_MAX; break;
      case 2: count = HugeCount(8); break;
      case 3: out = nullptr; count = in.Pick(3); break;
      default: count = in.Pick(17); break;
    }
    std::memset(g_out64_, 0xA5, sizeof(g_out64_));
    int rc = Check(fn, call(out, count), m);
    if (rc != PAGER_OK) {
      for (uint64_t v : g_out64_) Expect(v == 0xA5A5A5A5A5A5A5A5ull, fn, "ids written by a failed call", rc);
      return;
    }
    Expect(count <= 16, fn, "an impossible count succeeded", rc);
    for (uint64_t i = 0; i < count; i++) Remember(*known, g_out64_[i]);
  }

  void Remember(std::vector<uint64_t>& v, uint64_t id) {
    if (v.size() < 32) v.push_back(id);
    else v[id % 32] = id;
  }

  uint64_t BufLen(Input& in, uint64_t exact) {
    switch (in.Pick(8)) {
      case 0: return 0;
      case 1: return exact + 1;
      case 2: return exact - 1;
      case 3: return UINT64_MAX;
      default: return exact;
    }
  }

  static void Touch(const void* p, uint64_t len) {
    volatile uint8_t sink = 0;
    const uint8_t* b = static_cast<const uint8_t*>(p);
    for (uint64_t i = 0; i < len; i += 64) sink = sink ^ b[i];
    if (len > 0) sink = sink ^ b[len - 1];
    (void)sink;
  }

  void CloseFile(FileSlot& s) {
    if (s.f == nullptr) return;
    pager_file_close(s.f);
    CheckCleared("pager_file_close");
    *s.closed = true;
    s = FileSlot{};
  }

  // Children of a page file: transactions, iterators, sub-page allocators.
  void FileChild(Input& in) {
    switch (in.Pick(3)) {
      case 0: Txn(in); return;
      case 1: Iter(in); return;
      default: Subpages(in); return;
    }
  }

  // C4: once the parent is closed, every function but the release fails with INVALID.
  Mask ChildMask(const Child& c, Mask open) {
    return (c.parent_closed && *c.parent_closed) ? Codes({INV}) : open;
  }

  void Txn(Input& in) {
    Child& c = txns_[in.Pick(2)];
    auto* t = static_cast<pager_file_txn*>(in.Chance(12) ? nullptr : c.h);
    Mask inv = Codes({INV});
    switch (in.Pick(6)) {
      case 0: {
        uint64_t id = !prot_.empty() && in.Chance(3) ? prot_[in.Pick(static_cast<uint32_t>(prot_.size()))] : in.Hostile64();
        Out<void*> d;
        int rc = Check("pager_file_txn_add", pager_file_txn_add(t, id, in.Chance(16) ? nullptr : d.p()),
                       t == nullptr ? inv : ChildMask(c, Codes({INV, POISONED, RANGE, NOTFOUND, BUSY, NOMEM})));
        KeptOnFailure("pager_file_txn_add", rc, d);
        if (rc == PAGER_OK) std::memset(d.v, in.u8(), c.unit);
        return;
      }
      case 1: {
        uint64_t id = !prot_.empty() && in.Chance(3) ? prot_[in.Pick(static_cast<uint32_t>(prot_.size()))] : in.Hostile64();
        Out<void*> d;
        int rc = Check("pager_file_txn_data", pager_file_txn_data(t, id, d.p()),
                       t == nullptr ? inv : ChildMask(c, Codes({INV, NOTFOUND})));
        KeptOnFailure("pager_file_txn_data", rc, d);
        if (rc == PAGER_OK) Touch(d.v, c.unit);
        return;
      }
      case 2: {
        Out<uint32_t> ps;
        Out<uint64_t> n;
        int rc = Check("pager_file_txn_page_size", pager_file_txn_page_size(t, ps.p()),
                       t == nullptr ? inv : ChildMask(c, inv));
        KeptOnFailure("pager_file_txn_page_size", rc, ps);
        if (rc == PAGER_OK) Expect(ps.v == c.unit, "pager_file_txn_page_size", "wrong page size");
        rc = Check("pager_file_txn_page_count", pager_file_txn_page_count(t, n.p()),
                   t == nullptr ? inv : ChildMask(c, inv));
        KeptOnFailure("pager_file_txn_page_count", rc, n);
        return;
      }
      case 3:
        Check("pager_file_txn_commit", pager_file_txn_commit(t),
              t == nullptr ? inv : ChildMask(c, Codes({INV, POISONED, IO, NOSPC, NOMEM})));
        return;
      default:
        pager_file_txn_free(t);
        CheckCleared("pager_file_txn_free");
        if (t != nullptr) c = Child{};
        return;
    }
  }

  void Iter(Input& in) {
    Child& c = iters_[in.Pick(3)];
    auto* it = static_cast<pager_file_iter*>(in.Chance(12) ? nullptr : c.h);
    if (in.Chance(5)) {
      pager_file_iter_free(it);
      CheckCleared("pager_file_iter_free");
      if (it != nullptr) c = Child{};
      return;
    }
    for (int i = 0; i < 4; i++) {
      Out<uint64_t> id;
      Out<uint32_t> found;
      int rc = Check("pager_file_iter_next",
                     pager_file_iter_next(it, in.Chance(16) ? nullptr : id.p(), in.Chance(16) ? nullptr : found.p()),
                     it == nullptr ? Codes({INV}) : ChildMask(c, Codes({INV})));
      KeptOnFailure("pager_file_iter_next", rc, id);
      KeptOnFailure("pager_file_iter_next", rc, found);
      if (rc != PAGER_OK) return;
      Expect(found.v <= 1, "pager_file_iter_next", "found not 0/1");
      if (found.v == 0) {
        Expect(id.Untouched(), "pager_file_iter_next", "id written at the end");
        return;
      }
    }
  }

  void Subpages(Input& in) {
    Child& c = subs_[in.Pick(2)];
    auto* s = static_cast<pager_file_subpages*>(in.Chance(12) ? nullptr : c.h);
    Mask inv = Codes({INV});
    auto mask = [&](Mask m) { return s == nullptr ? inv : ChildMask(c, m); };
    switch (in.Pick(8)) {
      case 0: {
        Out<uint32_t> a, b;
        int rc = Check("pager_file_subpages_sub_page_size", pager_file_subpages_sub_page_size(s, a.p()), mask(inv));
        KeptOnFailure("pager_file_subpages_sub_page_size", rc, a);
        rc = Check("pager_file_subpages_slot_count", pager_file_subpages_slot_count(s, in.Chance(8) ? nullptr : b.p()), mask(inv));
        KeptOnFailure("pager_file_subpages_slot_count", rc, b);
        Out<uint64_t> n;
        rc = Check("pager_file_subpage_count", pager_file_subpage_count(s, n.p()), mask(inv));
        KeptOnFailure("pager_file_subpage_count", rc, n);
        return;
      }
      case 1: {
        const Mask m = mask(Codes({INV, RO, POISONED, NOSPC, FULL, IO, NOMEM}));
        if (in.Chance(2)) {
          Out<uint64_t> id;
          int rc = Check("pager_file_subpage_alloc", pager_file_subpage_alloc(s, id.p()), m);
          KeptOnFailure("pager_file_subpage_alloc", rc, id);
          if (rc == PAGER_OK) Remember(subids_, id.v);
          return;
        }
        BulkAlloc(in, "pager_file_subpage_alloc_bulk", [&](uint64_t* o, uint64_t n) {
          return pager_file_subpage_alloc_bulk(s, o, n);
        }, m, &subids_);
        return;
      }
      case 2: {
        const Mask m = mask(Codes({INV, RO, POISONED, RESERVED, RANGE, DFREE, DUP, IO, NOSPC, NOMEM}));
        if (in.Chance(2)) {
          uint64_t id = !subids_.empty() && in.Chance(2) ? subids_[in.Pick(static_cast<uint32_t>(subids_.size()))] : in.Hostile64();
          Check("pager_file_subpage_free", pager_file_subpage_free(s, id), m);
          return;
        }
        List l = Ids(in, subids_);
        Check("pager_file_subpage_free_bulk", pager_file_subpage_free_bulk(s, l.p, l.count), m);
        return;
      }
      case 3: {
        List l = Ids(in, subids_);
        Check("pager_file_subpage_mark_used", pager_file_subpage_mark_used(s, l.p, l.count),
              mask(Codes({INV, RESERVED, RANGE, NOTFOUND, EXISTS, DUP, NOMEM})));
        return;
      }
      case 4: {
        uint64_t id = !subids_.empty() && in.Chance(2) ? subids_[in.Pick(static_cast<uint32_t>(subids_.size()))] : in.Hostile64();
        const Mask m = mask(Codes({INV, RO, RANGE, RESERVED, NOTFOUND}));
        if (in.Chance(2)) {
          Out<void*> p;
          int rc = Check("pager_file_subpage", pager_file_subpage(s, id, p.p()), m);
          KeptOnFailure("pager_file_subpage", rc, p);
          if (rc == PAGER_OK) std::memset(p.v, in.u8(), c.unit);
        } else {
          Out<const void*> p;
          int rc = Check("pager_file_subpage_const", pager_file_subpage_const(s, id, in.Chance(16) ? nullptr : p.p()), m);
          KeptOnFailure("pager_file_subpage_const", rc, p);
          if (rc == PAGER_OK) Touch(p.v, c.unit);
        }
        return;
      }
      default:
        if (!in.Chance(3)) return;
        pager_file_subpages_free(s);
        CheckCleared("pager_file_subpages_free");
        if (s != nullptr) c = Child{};
        return;
    }
  }

  // ---- WAL pager ----------------------------------------------------------------------------

  void Wal(Input& in) {
    uint32_t slot = in.Pick(2);
    pager_wal*& w = wals_[slot];
    pager_wal* h = in.Chance(12) ? nullptr : w;
    const Mask inv = Codes({INV});
    switch (in.Pick(12)) {
      case 0: {
        if (w != nullptr) return;
        Grow<pager_wal_options> g;
        pager_wal_options_init(g.p());
        CheckCleared("pager_wal_options_init");
        g.p()->page_size = in.Chance(4) ? in.Hostile32() : (in.Chance(2) ? 0 : 512u << in.Pick(3));
        g.p()->durability = in.Chance(6) ? in.Hostile32() : in.Pick(2);
        g.p()->cache_pages = in.Pick(4);
        g.p()->auto_checkpoint_frames = in.Pick(8);
        g.p()->read_only = in.Chance(4) ? in.Pick(3) : 0;
        g.p()->lock_timeout_ms = in.Chance(8) ? INT64_MIN : 0;
        g.p()->wal_keep_bytes = in.Chance(4) ? in.Hostile64() : 4096;
        g.p()->wal_prewrite_bytes = in.Chance(2) ? 0 : 4096;  // bounded: zero-filled memory
        (void)g.Mangle(in);
        const pager_wal_options* opts = in.Chance(8) ? nullptr : g.p();
        const char* path = Path(in);
        Out<pager_wal*> out;
        bool create = in.Chance(2);
        pager_wal** o = in.Chance(16) ? nullptr : out.p();
        int rc = create ? pager_wal_create(path, opts, o) : pager_wal_open(path, opts, o);
        const char* fn = create ? "pager_wal_create" : "pager_wal_open";
        Check(fn, rc, create ? Codes({INV, EXISTS, NOTFOUND, BUSY, IO, NOSPC, RO, NOMEM})
                             : Codes({INV, NOTFOUND, BUSY, CORRUPT, VERSION, PSIZE, IO, NOSPC, RO, NOMEM}));
        KeptOnFailure(fn, rc, out);
        if (rc == PAGER_OK) {
          w = out.v;
          Out<uint32_t> ps;
          Check("pager_wal_page_size", pager_wal_page_size(w, ps.p()), Codes({}));
          wal_page_size_[slot] = ps.v;
        }
        return;
      }
      case 1:
        pager_wal_close(h);
        CheckCleared("pager_wal_close");
        if (h != nullptr) w = nullptr;
        return;
      case 2: {
        Out<uint32_t> a, b, c;
        int rc = Check("pager_wal_access_mode", pager_wal_access_mode(h, in.Chance(8) ? nullptr : a.p()), inv);
        KeptOnFailure("pager_wal_access_mode", rc, a);
        rc = Check("pager_wal_page_size", pager_wal_page_size(h, b.p()), inv);
        KeptOnFailure("pager_wal_page_size", rc, b);
        rc = Check("pager_wal_page_count", pager_wal_page_count(h, in.Chance(8) ? nullptr : c.p()), inv);
        KeptOnFailure("pager_wal_page_count", rc, c);
        return;
      }
      case 3: {
        uint32_t page = in.Chance(3) ? in.Hostile32() : in.Pick(12);
        uint64_t len = BufLen(in, wal_page_size_[slot]);
        std::memset(page_buf_.data(), 0xA5, page_buf_.size());
        int rc = Check("pager_wal_read_page",
                       pager_wal_read_page(h, page, in.Chance(12) ? nullptr : page_buf_.data(), len),
                       Codes({INV, RESERVED, NOTFOUND, IO, CORRUPT, NOMEM}));
        if (rc != PAGER_OK) {
          for (size_t i = 0; i < 65536; i += 509) {
            Expect(page_buf_[i] == 0xA5, "pager_wal_read_page", "buf written by a failed call", rc);
          }
        }
        return;
      }
      case 4: {
        uint32_t page = WalPage(in);
        Check("pager_wal_stage_page",
              pager_wal_stage_page(h, page, in.Chance(12) ? nullptr : page_buf_.data(), BufLen(in, wal_page_size_[slot])),
              Codes({INV, RESERVED, RANGE, POISONED, NOMEM}));
        return;
      }
      case 5:
        Check("pager_wal_clear_staged", pager_wal_clear_staged(h), inv);
        return;
      case 6:
        Check("pager_wal_set_page_count",
              pager_wal_set_page_count(h, in.Pick(16)),  // 0 included; small: see WalPage
              Codes({INV, POISONED}));
        return;
      case 7: {
        std::memset(page_buf_.data(), 0xA5, 256);
        int rc = Check("pager_wal_read_app_header",
                       pager_wal_read_app_header(h, in.Chance(12) ? nullptr : page_buf_.data(),
                                                 BufLen(in, PAGER_WAL_APP_HEADER_SIZE)), inv);
        if (rc != PAGER_OK) Expect(page_buf_[0] == 0xA5, "pager_wal_read_app_header", "buf written", rc);
        Check("pager_wal_stage_app_header",
              pager_wal_stage_app_header(h, in.Chance(12) ? nullptr : g_data, BufLen(in, PAGER_WAL_APP_HEADER_SIZE)),
              Codes({INV, POISONED}));
        return;
      }
      case 8: {
        Out<uint32_t> frames;
        int rc = Check("pager_wal_commit", pager_wal_commit(h, in.Chance(4) ? nullptr : frames.p()),
                       Codes({INV, RO, POISONED, IO, NOSPC, CORRUPT, NOMEM}));
        KeptOnFailure("pager_wal_commit", rc, frames);
        return;
      }
      case 9: {
        Grow<pager_wal_checkpoint_options> g;
        pager_wal_checkpoint_options_init(g.p());
        CheckCleared("pager_wal_checkpoint_options_init");
        g.p()->mode = in.Chance(6) ? in.Hostile32() : in.Pick(3);
        (void)g.Mangle(in);
        Out<uint32_t> pages;
        int rc = Check("pager_wal_checkpoint",
                       pager_wal_checkpoint(h, in.Chance(4) ? nullptr : g.p(), in.Chance(4) ? nullptr : pages.p()),
                       Codes({INV, RO, POISONED, NOSPC, IO, CORRUPT, NOMEM}));
        KeptOnFailure("pager_wal_checkpoint", rc, pages);
        return;
      }
      case 10:
        ReadTxn(in, slot, h);
        return;
      default: {
        Grow<pager_wal_stats> g;
        pager_wal_stats_init(g.p());
        CheckCleared("pager_wal_stats_init");
        ResultSize(in, g.buf);
        uint32_t given;
        std::memcpy(&given, g.buf, 4);
        Grow<pager_wal_stats> before = g;
        int rc = Check("pager_wal_get_stats", pager_wal_get_stats(h, in.Chance(16) ? nullptr : g.p()), inv);
        CheckResult("pager_wal_get_stats", rc, before.buf, g.buf, sizeof(g.buf), given, sizeof(pager_wal_stats));
        return;
      }
    }
  }

  // Read transactions (W15-W17): begun on a handle (or NULL), used from any slot, possibly
  // after their handle was closed (then INVALID "closed"), freed in any order. Oracle beyond
  // the codes: a transaction's page count never changes, whatever commits or checkpoints run.
  void ReadTxn(Input& in, uint32_t slot, pager_wal* h) {
    uint32_t j = in.Pick(3);
    pager_wal_read_txn*& t = rtxns_[j];
    pager_wal_read_txn* x = in.Chance(12) ? nullptr : t;
    switch (in.Pick(5)) {
      case 0: {
        if (t != nullptr) return;
        Out<pager_wal_read_txn*> out;
        int rc = Check("pager_wal_read_txn_begin",
                       pager_wal_read_txn_begin(h, in.Chance(16) ? nullptr : out.p()),
                       Codes({INV, NOMEM}));
        KeptOnFailure("pager_wal_read_txn_begin", rc, out);
        if (rc != PAGER_OK) return;
        t = out.v;
        rtxn_page_size_[j] = wal_page_size_[slot];
        Out<uint32_t> n;
        Check("pager_wal_read_txn_page_count", pager_wal_read_txn_page_count(t, n.p()),
              Codes({}));
        rtxn_pages_[j] = n.v;
        return;
      }
      case 1: {
        uint32_t page = in.Chance(3) ? in.Hostile32() : in.Pick(12);
        std::memset(page_buf_.data(), 0xA5, page_buf_.size());
        int rc = Check("pager_wal_read_txn_read_page",
                       pager_wal_read_txn_read_page(x, page,
                                                    in.Chance(12) ? nullptr : page_buf_.data(),
                                                    BufLen(in, rtxn_page_size_[j])),
                       Codes({INV, RESERVED, NOTFOUND, IO, CORRUPT, NOMEM}));
        if (rc != PAGER_OK) {
          Expect(page_buf_[0] == 0xA5, "pager_wal_read_txn_read_page", "buf written", rc);
        }
        return;
      }
      case 2: {
        Out<uint32_t> n;
        int rc = Check("pager_wal_read_txn_page_count",
                       pager_wal_read_txn_page_count(x, in.Chance(8) ? nullptr : n.p()),
                       Codes({INV}));
        KeptOnFailure("pager_wal_read_txn_page_count", rc, n);
        if (rc == PAGER_OK) {
          Expect(n.v == rtxn_pages_[j], "pager_wal_read_txn_page_count",
                 "the pinned page count changed", rc);
        }
        return;
      }
      case 3: {
        std::memset(page_buf_.data(), 0xA5, page_buf_.size());
        int rc = Check("pager_wal_read_txn_read_app_header",
                       pager_wal_read_txn_read_app_header(
                           x, in.Chance(12) ? nullptr : page_buf_.data(),
                           BufLen(in, PAGER_WAL_APP_HEADER_SIZE)),
                       Codes({INV}));
        if (rc != PAGER_OK) {
          Expect(page_buf_[0] == 0xA5, "pager_wal_read_txn_read_app_header", "buf written", rc);
        }
        return;
      }
      default:
        pager_wal_read_txn_free(x);
        CheckCleared("pager_wal_read_txn_free");
        if (x != nullptr) t = nullptr;
        return;
    }
  }

  // A page number to stage: small, 0 (RESERVED) or 0xFFFFFFFF (RANGE). Never a large valid
  // one: the page count would follow it, and a checkpoint then sizes the main file to
  // page_count * page_size -- sparse on a real file system, but MemEnv zero-fills it
  // (0xFFFFFFFE pages of 512 bytes took 6 GB and 6 minutes).
  uint32_t WalPage(Input& in) {
    switch (in.Pick(8)) {
      case 0: return 0;
      case 1: return UINT32_MAX;
      default: return in.Pick(12);
    }
  }

  // A result struct's struct_size: 0, tiny, one short, exact, larger, or UINT32_MAX (the
  // library writes at most sizeof, so any value is safe to pass).
  void ResultSize(Input& in, uint8_t* buf) {
    uint32_t cur;
    std::memcpy(&cur, buf, 4);
    switch (in.Pick(8)) {
      case 0: cur = 0; break;
      case 1: cur = 4; break;
      case 2: cur = cur - 1; break;
      case 3: cur = cur + 16; break;
      case 4: cur = UINT32_MAX; break;
      default: break;
    }
    std::memcpy(buf, &cur, 4);
  }

  // C5/C8 for a result struct: untouched on failure; on success at most min(given, sizeof)
  // bytes written and struct_size set to that number.
  void CheckResult(const char* fn, int rc, const uint8_t* before, const uint8_t* after, size_t buf_len,
                   uint32_t given, size_t known) {
    if (rc != PAGER_OK) {
      Expect(std::memcmp(before, after, buf_len) == 0, fn, "result struct written by a failed call", rc);
      return;
    }
    uint32_t written;
    std::memcpy(&written, after, 4);
    uint32_t expect = given < known ? given : static_cast<uint32_t>(known);
    Expect(written == expect, fn, "struct_size is not min(given, sizeof)", rc);
    Expect(std::memcmp(before + known, after + known, buf_len - known) == 0, fn,
           "bytes past the struct written", rc);
  }

  // ---- WAL segments -------------------------------------------------------------------------

  // A log directory, "" included (NOT_FOUND, as on POSIX: the MemEnv seam once took "" for a
  // directory; IoEnv.AnEmptyPathIsNotFoundForOpenAndMkdir).
  const char* LogDir(Input& in) { return Path(in); }

  void Walseg(Input& in) {
    switch (in.Pick(3)) {
      case 0: WalsegWriter(in); return;
      case 1: WalsegReader(in); return;
      default: WalsegReplay(in); return;
    }
  }

  void ReaderOptions(Input& in, Grow<pager_walseg_reader_options>* g) {
    pager_walseg_reader_options_init(g->p());
    CheckCleared("pager_walseg_reader_options_init");
    if (in.Chance(3)) {
      g->p()->known_types = in.Chance(3) ? nullptr : g_u16_;
      g->p()->known_type_count = in.Chance(3) ? in.Hostile64() : in.Pick(9);
      if (g->p()->known_types != nullptr && g->p()->known_type_count > 8 &&
          g->p()->known_type_count < HugeCount(2)) {
        g->p()->known_type_count = 8;  // a count past the real array would be the caller's bug
      }
    }
    if (in.Chance(4)) g->p()->max_payload_bytes = in.Hostile64();
    if (in.Chance(4)) g->p()->expected_first_lsn = in.Hostile64();
    if (in.Chance(12)) g->p()->reserved0 = 1;
    (void)g->Mangle(in);
  }

  void WalsegWriter(Input& in) {
    pager_walseg_writer*& w = writers_[in.Pick(2)];
    pager_walseg_writer* h = in.Chance(12) ? nullptr : w;
    const Mask inv = Codes({INV});
    switch (in.Pick(7)) {
      case 0: {
        if (w != nullptr) return;
        Grow<pager_walseg_options> g;
        pager_walseg_options_init(g.p());
        CheckCleared("pager_walseg_options_init");
        g.p()->sync_policy = in.Chance(8) ? in.Hostile32() : in.Pick(3);
        g.p()->segment_bytes = in.Chance(4) ? in.Hostile64() : 256u << in.Pick(4);
        if (g.p()->segment_bytes > (1u << 20) && g.p()->segment_bytes <= (uint64_t{1} << 40)) {
          g.p()->segment_bytes = 1u << 20;
        }
        g.p()->group_bytes = in.Chance(6) ? in.Hostile64() : 512;
        g.p()->group_interval_us = 0;  // no background thread per writer: keep it fast
        g.p()->max_payload_bytes = in.Chance(6) ? in.Hostile64() : 4096;
        g.p()->prewrite_bytes = in.Chance(4) ? (in.Chance(2) ? 4097 : 4096) : 0;
        g.p()->buffer_bytes = in.Chance(2) ? 0 : 1024;
        g.p()->first_lsn = in.Chance(4) ? in.Hostile64() : 1;
        g.p()->create_if_missing = in.Chance(6) ? in.Hostile32() : 1;
        g.p()->reserved0 = in.Chance(12) ? 7 : 0;
        (void)g.Mangle(in);
        Out<pager_walseg_writer*> out;
        int rc = Check("pager_walseg_writer_open",
                       pager_walseg_writer_open(LogDir(in), in.Chance(8) ? nullptr : g.p(), in.Chance(16) ? nullptr : out.p()),
                       Codes({INV, NOTFOUND, BUSY, CORRUPT, TOOLARGE, IO, NOSPC, RO, NOMEM}));
        KeptOnFailure("pager_walseg_writer_open", rc, out);
        if (rc == PAGER_OK) w = out.v;
        return;
      }
      case 1:
      case 2: {
        uint16_t type = in.Chance(4) ? in.u16() : static_cast<uint16_t>(1 + in.Pick(3));
        uint64_t len = in.Chance(4) ? in.Hostile64() : in.Pick(200);
        const void* data = in.Chance(12) ? nullptr : g_data;
        if (data != nullptr && len > sizeof(g_data) && len <= UINT32_MAX) len = sizeof(g_data);
        // A payload above every max_payload_bytes ([1, 2^32-65]) is TOO_LARGE before a read.
        Out<uint64_t> lsn;
        int rc = Check("pager_walseg_append",
                       pager_walseg_append(h, type, data, len, in.Chance(16) ? nullptr : lsn.p()),
                       Codes({INV, TOOLARGE, POISONED, IO, NOSPC, NOTFOUND, EXISTS, RO, NOMEM}));
        KeptOnFailure("pager_walseg_append", rc, lsn);
        return;
      }
      case 3:
        if (in.Chance(2)) Check("pager_walseg_sync", pager_walseg_sync(h), Codes({INV, POISONED, IO, NOSPC}));
        else Check("pager_walseg_flush", pager_walseg_flush(h), Codes({INV, POISONED, IO, NOSPC}));
        return;
      case 4: {
        Out<uint64_t> a, b;
        int rc = Check("pager_walseg_writer_lsns",
                       pager_walseg_writer_lsns(h, in.Chance(4) ? nullptr : a.p(), in.Chance(4) ? nullptr : b.p()), inv);
        KeptOnFailure("pager_walseg_writer_lsns", rc, a);
        KeptOnFailure("pager_walseg_writer_lsns", rc, b);
        return;
      }
      case 5: {
        Out<uint64_t> removed;
        int rc = Check("pager_walseg_remove_before",
                       pager_walseg_remove_before(h, in.Hostile64(), in.Chance(4) ? nullptr : removed.p()),
                       Codes({INV, POISONED, IO, NOTFOUND, RO, NOMEM}));
        KeptOnFailure("pager_walseg_remove_before", rc, removed);
        return;
      }
      default:
        Check("pager_walseg_writer_close", pager_walseg_writer_close(h), Codes({POISONED, IO, NOSPC}));
        if (h != nullptr) w = nullptr;
        return;
    }
  }

  // Reads a record view over its whole length (ASan checks it lies in the mapping).
  void CheckRecord(const char* fn, int rc, const Out<pager_walseg_record>& rec, const Out<uint32_t>& found) {
    KeptOnFailure(fn, rc, rec);
    KeptOnFailure(fn, rc, found);
    if (rc != PAGER_OK) return;
    Expect(found.v <= 1, fn, "found not 0/1");
    if (found.v == 0) {
      Expect(rec.Untouched(), fn, "rec written at the end");
      return;
    }
    Expect((rec.v.len == 0) == (rec.v.data == nullptr), fn, "data NULL iff len 0");
    Expect(rec.v.lsn != 0, fn, "LSN 0");
    Touch(rec.v.data, rec.v.len);
  }

  void StopDetail(Input& in, const char* fn, int (*call)(void*, char*, uint64_t, uint64_t*), void* h) {
    char buf[512];
    std::memset(buf, 0x5A, sizeof(buf));
    static const uint64_t kLens[] = {0, 1, 2, 16, 511, 512};
    uint64_t len = kLens[in.Pick(6)];
    char* b = (len == 0 && in.Chance(2)) || in.Chance(16) ? nullptr : buf;
    Out<uint64_t> full;
    int rc = Check(fn, call(h, b, len, in.Chance(4) ? nullptr : full.p()), Codes({INV}));
    KeptOnFailure(fn, rc, full);
    if (rc != PAGER_OK) {
      for (char ch : buf) Expect(ch == 0x5A, fn, "buf written by a failed call", rc);
      return;
    }
    if (b != nullptr && len > 0) Expect(std::memchr(buf, '\0', len) != nullptr, fn, "not NUL-terminated");
    for (size_t i = len; i < sizeof(buf); i++) Expect(buf[i] == 0x5A, fn, "wrote past buf_len");
  }

  void WalsegReader(Input& in) {
    pager_walseg_reader*& r = readers_[in.Pick(2)];
    pager_walseg_reader* h = in.Chance(12) ? nullptr : r;
    const Mask inv = Codes({INV});
    switch (in.Pick(7)) {
      case 0: {
        if (r != nullptr) return;
        Grow<pager_walseg_reader_options> g;
        ReaderOptions(in, &g);
        std::string path = in.Chance(2) ? std::string("/d/log/0000000000000001.wal") : std::string(kPaths[in.Pick(kPathCount)]);
        Out<pager_walseg_reader*> out;
        int rc = Check("pager_walseg_reader_open",
                       pager_walseg_reader_open(in.Chance(16) ? nullptr : path.c_str(), in.Chance(6) ? nullptr : g.p(),
                                                in.Chance(16) ? nullptr : out.p()),
                       Codes({INV, NOTFOUND, RO, IO, NOMEM, TOOLARGE}));
        KeptOnFailure("pager_walseg_reader_open", rc, out);
        if (rc == PAGER_OK) r = out.v;
        return;
      }
      case 1:
      case 2:
        for (int i = 0; i < 4; i++) {
          Out<pager_walseg_record> rec;
          Out<uint32_t> found;
          int rc = Check("pager_walseg_reader_next",
                         pager_walseg_reader_next(h, in.Chance(16) ? nullptr : rec.p(), in.Chance(16) ? nullptr : found.p()),
                         Codes({INV, VERSION, TOOLARGE}));
          CheckRecord("pager_walseg_reader_next", rc, rec, found);
          if (rc != PAGER_OK || found.v == 0) return;
        }
        return;
      case 3: {
        Out<uint32_t> reason;
        Out<uint64_t> off, last;
        int rc = Check("pager_walseg_reader_stop",
                       pager_walseg_reader_stop(h, in.Chance(4) ? nullptr : reason.p(), off.p(), in.Chance(4) ? nullptr : last.p()), inv);
        KeptOnFailure("pager_walseg_reader_stop", rc, reason);
        KeptOnFailure("pager_walseg_reader_stop", rc, off);
        KeptOnFailure("pager_walseg_reader_stop", rc, last);
        if (rc == PAGER_OK && reason.v != 0xA5A5A5A5u) Expect(reason.v <= 3, "pager_walseg_reader_stop", "reason");
        StopDetail(in, "pager_walseg_reader_stop_detail", [](void* p, char* b, uint64_t l, uint64_t* o) {
          return pager_walseg_reader_stop_detail(static_cast<pager_walseg_reader*>(p), b, l, o);
        }, h);
        return;
      }
      case 4: {
        Out<uint64_t> off, len;
        Out<uint32_t> empty, adv;
        int rc = Check("pager_walseg_reader_position",
                       pager_walseg_reader_position(h, off.p(), in.Chance(4) ? nullptr : len.p(), empty.p(),
                                                    in.Chance(4) ? nullptr : adv.p()), inv);
        KeptOnFailure("pager_walseg_reader_position", rc, off);
        KeptOnFailure("pager_walseg_reader_position", rc, len);
        KeptOnFailure("pager_walseg_reader_position", rc, empty);
        KeptOnFailure("pager_walseg_reader_position", rc, adv);
        return;
      }
      case 5:
        Check("pager_walseg_reader_release_pages", pager_walseg_reader_release_pages(h), Codes({INV, IO}));
        return;
      default:
        pager_walseg_reader_close(h);
        CheckCleared("pager_walseg_reader_close");
        if (h != nullptr) r = nullptr;
        return;
    }
  }

  void WalsegReplay(Input& in) {
    pager_walseg_replay*& r = replays_[in.Pick(2)];
    pager_walseg_replay* h = in.Chance(12) ? nullptr : r;
    switch (in.Pick(5)) {
      case 0: {
        if (r != nullptr) return;
        Grow<pager_walseg_reader_options> g;
        ReaderOptions(in, &g);
        Out<pager_walseg_replay*> out;
        int rc = Check("pager_walseg_replay_open",
                       pager_walseg_replay_open(LogDir(in), in.Chance(2) ? in.Pick(4) : in.Hostile64(),
                                                in.Chance(6) ? nullptr : g.p(), in.Chance(16) ? nullptr : out.p()),
                       Codes({INV, NOTFOUND, RO, IO, NOMEM, TOOLARGE}));
        KeptOnFailure("pager_walseg_replay_open", rc, out);
        if (rc == PAGER_OK) r = out.v;
        return;
      }
      case 1:
      case 2:
        for (int i = 0; i < 4; i++) {
          Out<pager_walseg_record> rec;
          Out<uint32_t> found;
          int rc = Check("pager_walseg_replay_next",
                         pager_walseg_replay_next(h, in.Chance(16) ? nullptr : rec.p(), found.p()),
                         Codes({INV, VERSION, TOOLARGE, NOTFOUND, RO, IO, NOMEM}));
          CheckRecord("pager_walseg_replay_next", rc, rec, found);
          if (rc != PAGER_OK || found.v == 0) return;
        }
        return;
      case 3: {
        Out<uint32_t> reason;
        Out<uint64_t> seg, off, last;
        int rc = Check("pager_walseg_replay_stop",
                       pager_walseg_replay_stop(h, reason.p(), in.Chance(4) ? nullptr : seg.p(), off.p(),
                                                in.Chance(4) ? nullptr : last.p()), Codes({INV}));
        KeptOnFailure("pager_walseg_replay_stop", rc, reason);
        KeptOnFailure("pager_walseg_replay_stop", rc, seg);
        KeptOnFailure("pager_walseg_replay_stop", rc, off);
        KeptOnFailure("pager_walseg_replay_stop", rc, last);
        StopDetail(in, "pager_walseg_replay_stop_detail", [](void* p, char* b, uint64_t l, uint64_t* o) {
          return pager_walseg_replay_stop_detail(static_cast<pager_walseg_replay*>(p), b, l, o);
        }, h);
        return;
      }
      default:
        pager_walseg_replay_close(h);
        CheckCleared("pager_walseg_replay_close");
        if (h != nullptr) r = nullptr;
        return;
    }
  }

  // ---- cold pager ---------------------------------------------------------------------------

  void Cold(Input& in) {
    pager_cold*& c = colds_[in.Pick(2)];
    pager_cold* h = in.Chance(12) ? nullptr : c;
    const Mask inv = Codes({INV});
    switch (in.Pick(12)) {
      case 0: {
        if (c != nullptr) return;
        Grow<pager_cold_options> g;
        pager_cold_options_init(g.p());
        CheckCleared("pager_cold_options_init");
        g.p()->backend = in.Chance(6) ? in.Hostile32() : in.Pick(3);
        if (in.Chance(2)) g.p()->scratch_root = in.Chance(4) ? "" : "/d/cold";
        (void)g.Mangle(in);
        Out<pager_cold*> out;
        int rc = Check("pager_cold_open", pager_cold_open(in.Chance(8) ? nullptr : g.p(), in.Chance(16) ? nullptr : out.p()),
                       Codes({INV, NOMEM, NOTFOUND, IO, NOSPC, RO, BUSY}));
        KeptOnFailure("pager_cold_open", rc, out);
        if (rc == PAGER_OK) c = out.v;
        return;
      }
      case 1:  // close: live handles stay usable
        pager_cold_close(h);
        CheckCleared("pager_cold_close");
        if (h != nullptr) c = nullptr;
        return;
      case 2: {
        Check("pager_cold_set_backend", pager_cold_set_backend(h, in.Chance(4) ? in.Hostile32() : in.Pick(3)), inv);
        Out<uint32_t> b;
        int rc = Check("pager_cold_backend", pager_cold_backend(h, in.Chance(12) ? nullptr : b.p()), inv);
        KeptOnFailure("pager_cold_backend", rc, b);
        if (rc == PAGER_OK) Expect(b.v == 1 || b.v == 2, "pager_cold_backend", "not SWAP or FILE");
        return;
      }
      case 3: {
        static const char* const kRoots[] = {"/d/cold", "/d/cold2", "", "/nodir/cold", "/d/a"};
        const char* root = in.Chance(12) ? nullptr : kRoots[in.Pick(5)];
        Check("pager_cold_set_scratch_dir", pager_cold_set_scratch_dir(h, root),
              Codes({INV, EXISTS, NOTFOUND, IO, NOSPC, RO, BUSY, NOMEM}));
        StopDetail(in, "pager_cold_scratch_dir", [](void* p, char* b, uint64_t l, uint64_t* o) {
          return pager_cold_scratch_dir(static_cast<pager_cold*>(p), b, l, o);
        }, h);
        return;
      }
      case 4:
      case 5:
        Pageout(in, h);
        return;
      case 6:
      case 7:
        ColdRead(in);
        return;
      case 8:
        ColdTake(in);
        return;
      case 9: {  // free a handle or a buffer
        if (in.Chance(2)) {
          ColdHandle& ch = handles_[in.Pick(6)];
          pager_cold_free(ch.h);
          CheckCleared("pager_cold_free");
          ch = ColdHandle{};
        } else {
          pager_cold_buffer*& b = buffers_[in.Pick(3)];
          pager_cold_buffer_free(b);
          CheckCleared("pager_cold_buffer_free");
          b = nullptr;
        }
        return;
      }
      case 10:
        Reap(in);
        return;
      default: {
        Grow<pager_cold_stats> g;
        pager_cold_stats_init(g.p());
        CheckCleared("pager_cold_stats_init");
        ResultSize(in, g.buf);
        if (in.Chance(4)) g.p()->file.struct_size = in.Pick(3) * 24;
        uint32_t given;
        std::memcpy(&given, g.buf, 4);
        Grow<pager_cold_stats> before = g;
        int rc = Check("pager_cold_get_stats", pager_cold_get_stats(h, in.Chance(16) ? nullptr : g.p()), inv);
        if (rc != PAGER_OK) Expect(std::memcmp(before.buf, g.buf, sizeof(g.buf)) == 0, "pager_cold_get_stats", "written", rc);
        else Expect(std::memcmp(before.buf + sizeof(pager_cold_stats), g.buf + sizeof(pager_cold_stats), 64) == 0,
                    "pager_cold_get_stats", "bytes past the struct written", rc);
        (void)given;
        return;
      }
    }
  }

  // ---- pager_cold_reap ------------------------------------------------------------------------

  // What the reap callback saw; it stops the scan (returns stop_value) at call stop_at.
  struct ReapSeen {
    std::vector<std::string> paths;
    std::vector<uint32_t> states;
    size_t stop_at = 0;  // 0: never
    int stop_value = 0;
  };
  static int ReapVisit(void* ctx, const char* lock_path, uint32_t state) {
    auto* seen = static_cast<ReapSeen*>(ctx);
    Expect(lock_path != nullptr, "pager_cold_reap", "the callback got a NULL lock path");
    seen->paths.push_back(lock_path);
    seen->states.push_back(state);
    return seen->paths.size() == seen->stop_at ? seen->stop_value : 0;
  }

  // A scratch directory whose owner is gone (as a killed process leaves it): a lock file
  // nobody holds, maybe its ".d" directory with data files, maybe an entry the library never
  // creates (which makes its removal fail), or a ".d" directory without a lock file.
  void PlantScratch(Input& in) {
    const char* root = in.Chance(4) ? "/d/cold2" : "/d/cold";
    (void)env_->CreateDir(root, 0755);
    std::string lock = std::string(root) + "/libpager-cold-p" + std::to_string(in.Pick(4));
    pager::io::OpenOptions o;
    o.write = o.create = true;
    std::unique_ptr<pager::io::File> f;
    if (!in.Chance(6)) (void)env_->Open(lock, o, &f);
    f.reset();
    if (in.Chance(3)) return;
    std::string dir = lock + ".d";
    (void)env_->CreateDir(dir, 0700);
    (void)env_->Open(dir + "/data-" + std::to_string(in.Pick(3)), o, &f);
    f.reset();
    if (in.Chance(4)) (void)env_->Open(dir + "/planted", o, &f);
  }

  // Oracle: INVALID exactly for a NULL or empty root or remove > 1 (and then no callback);
  // every visited path is <root>/libpager-cold-*, in strictly increasing order, with a state
  // remove allows (0: LIVE or STALE; 1: LIVE, REMOVED or FAILED); CALLBACK exactly when the
  // callback stopped the scan, and no call after that; remove 0 changes no file; the live
  // pagers' scratch directories survive (their handles read back their bytes elsewhere).
  void Reap(Input& in) {
    if (in.Chance(3)) PlantScratch(in);
    static const char* const kRoots[] = {"/d/cold", "/d/cold2", "/d", "/nodir/cold", "/d/a",
                                         "/d/cold/"};
    const char* root = in.Chance(10) ? nullptr : in.Chance(10) ? "" : kRoots[in.Pick(6)];
    uint32_t remove = in.Chance(8) ? in.Hostile32() : in.Pick(2);
    ReapSeen seen;
    if (in.Chance(3)) {
      seen.stop_at = 1 + in.Pick(3);
      seen.stop_value = in.Chance(4) ? -1 : 1 + static_cast<int>(in.Pick(100));
    }
    bool with_fn = !in.Chance(4);
    uint64_t before = FilesDigest();
    const char* fn = "pager_cold_reap";
    int rc = Check(fn, pager_cold_reap(root, remove, with_fn ? ReapVisit : nullptr, &seen),
                   Codes({INV, NOTFOUND, RO, IO, NOMEM, CALLBACK}));
    bool invalid = root == nullptr || root[0] == '\0' || remove > 1;
    Expect((rc == INV) == invalid, fn, "INVALID for valid arguments, or valid for invalid ones", rc);
    if (invalid || !with_fn) Expect(seen.paths.empty(), fn, "callback called", rc);
    Expect((rc == CALLBACK) == (seen.stop_at != 0 && seen.paths.size() == seen.stop_at && seen.stop_value != 0),
           fn, "CALLBACK without a stopping callback, or a stop not reported", rc);
    if (rc == PAGER_OK) Expect(seen.stop_at == 0 || seen.paths.size() < seen.stop_at, fn, "stop ignored", rc);
    std::string prefix = root != nullptr ? std::string(root) + "/libpager-cold-" : "";
    for (size_t i = 0; i < seen.paths.size(); i++) {
      Expect(seen.paths[i].compare(0, prefix.size(), prefix) == 0, fn, "a path outside root's lock files", rc);
      Expect(seen.paths[i].size() < 2 || seen.paths[i].compare(seen.paths[i].size() - 2, 2, ".d") != 0, fn,
             "a scratch directory visited as a lock file", rc);
      if (i > 0) Expect(seen.paths[i - 1] < seen.paths[i], fn, "paths out of order or repeated", rc);
      uint32_t st = seen.states[i];
      bool allowed = remove == 0 ? (st == PAGER_COLD_SCRATCH_LIVE || st == PAGER_COLD_SCRATCH_STALE)
                                 : (st == PAGER_COLD_SCRATCH_LIVE || st == PAGER_COLD_SCRATCH_REMOVED ||
                                    st == PAGER_COLD_SCRATCH_FAILED);
      Expect(allowed, fn, "a state remove does not allow", rc);
      if (st == PAGER_COLD_SCRATCH_REMOVED) {
        bool exists = true;
        Expect(env_->Exists(seen.paths[i], &exists).ok() && !exists, fn, "REMOVED but the lock file is there", rc);
      }
    }
    if (remove == 0 || invalid) Expect(FilesDigest() == before, fn, "changed a file without remove", rc);
    for (pager_cold* c : colds_) {
      if (c == nullptr) continue;
      char dir[256];
      uint64_t len = 0;
      if (pager_cold_scratch_dir(c, dir, sizeof dir, &len) != PAGER_OK || len == 0 || len >= sizeof dir) continue;
      bool exists = false;
      Expect(env_->Exists(dir, &exists).ok() && exists, fn, "removed a live pager's scratch directory", rc);
    }
  }

  void Pageout(Input& in, pager_cold* h) {
    ColdHandle& slot = handles_[in.Pick(6)];
    if (slot.h != nullptr) return;
    pager_cold_chunk chunks[6];
    uint64_t n = in.Pick(7);
    std::vector<uint8_t> expect;
    bool impossible = false;
    for (uint64_t i = 0; i < n; i++) {
      uint64_t off = in.Pick(64) * 64;
      uint64_t len = in.Pick(4) == 0 ? 0 : in.Pick(8) * 97 + in.u8();
      chunks[i] = {g_data + off, len};
      if (in.Chance(16)) chunks[i].data = nullptr;
      if (in.Chance(24) && !impossible) {  // no buffer can be this long: TOO_LARGE, no read
        chunks[i].len = in.Chance(2) ? UINT64_MAX : uint64_t{1} << 63;
        impossible = true;
      }
      if (!impossible && chunks[i].data != nullptr) {
        expect.insert(expect.end(), g_data + off, g_data + off + len);
      }
    }
    const pager_cold_chunk* cp = in.Chance(16) ? nullptr : chunks;
    uint64_t count = n;
    if (in.Chance(16)) count = in.Chance(2) ? UINT64_MAX : HugeCount(sizeof(pager_cold_chunk));
    Out<pager_cold_handle*> out;
    pager_cold_handle** o = in.Chance(16) ? nullptr : out.p();
    const Mask m = Codes({INV, TOOLARGE, NOMEM, IO, NOSPC, NOTFOUND, RO});
    int rc;
    const char* fn;
    switch (in.Pick(3)) {
      case 0:
        fn = "pager_cold_pageout";
        rc = Check(fn, pager_cold_pageout(h, cp, count, o), m);
        break;
      case 1: {
        fn = "pager_cold_pageout_with";
        Grow<pager_cold_pageout_options> g;
        pager_cold_pageout_options_init(g.p());
        g.p()->checksums = in.Pick(2);
        g.p()->fallback_to_memory = in.Pick(2);
        (void)g.Mangle(in);
        rc = Check(fn, pager_cold_pageout_with(h, in.Chance(6) ? in.Hostile32() : in.Pick(3), cp, count,
                                               in.Chance(4) ? nullptr : g.p(), o), m);
        break;
      }
      default: {
        fn = "pager_cold_pageout_owned";
        pager_cold_owned_chunk owned[6];
        for (uint64_t i = 0; i < n; i++) {
          void* copy = nullptr;
          if (chunks[i].data != nullptr && chunks[i].len <= sizeof(g_data)) {
            copy = std::malloc(chunks[i].len + 1);
            std::memcpy(copy, chunks[i].data, chunks[i].len);
          }
          owned[i] = {copy, chunks[i].len, in.Chance(16) ? nullptr : FreeOwned, &owned_freed_};
          if (chunks[i].len > sizeof(g_data)) owned[i].data = g_data;  // impossible length
        }
        if (in.Chance(8) && n >= 2 && owned[0].data != nullptr && owned[0].data != g_data && owned[0].len > 0) {
          if (owned[1].data != g_data) std::free(owned[1].data);
          owned[1] = owned[0];  // two chunks sharing bytes: INVALID
        }
        rc = Check(fn, pager_cold_pageout_owned(h, in.Chance(6) ? in.Hostile32() : in.Pick(3),
                                                cp == nullptr ? nullptr : owned, count, nullptr, o), m);
        if (rc != PAGER_OK) {  // the caller still owns every buffer
          for (uint64_t i = 0; i < n; i++) {
            if (owned[i].data != g_data && !(i == 1 && owned[1].data == owned[0].data)) std::free(owned[i].data);
          }
        }
        break;
      }
    }
    KeptOnFailure(fn, rc, out);
    if (rc != PAGER_OK) return;
    Expect(!impossible && o != nullptr, fn, "an impossible pageout succeeded");
    slot.h = out.v;
    slot.bytes = std::move(expect);
    Expect(pager_cold_len(slot.h) == slot.bytes.size(), fn, "wrong length");
    CheckCleared("pager_cold_len");
    uint32_t b = pager_cold_backend_of(slot.h);
    Expect(b == 1 || b == 2, "pager_cold_backend_of", "not SWAP or FILE");
  }

  void ColdRead(Input& in) {
    ColdHandle& ch = handles_[in.Pick(6)];
    const pager_cold_handle* h = in.Chance(12) ? nullptr : ch.h;
    uint64_t size = ch.h == nullptr ? 0 : ch.bytes.size();
    const Mask m = Codes({INV, RANGE, IO, CORRUPT, NOMEM});
    if (in.Chance(2)) {
      uint64_t off = in.Chance(4) ? in.Hostile64() : in.Pick(static_cast<uint32_t>(size + 2));
      uint64_t len = in.Chance(4) ? in.Hostile64() : in.Pick(static_cast<uint32_t>(size + 2));
      if (len > read_buf_.size()) len = in.Chance(2) ? len : read_buf_.size();
      void* dst = in.Chance(12) ? nullptr : read_buf_.data();
      if (dst != nullptr && len > read_buf_.size()) {
        // Past any handle's end (handles are < 8 KiB): RANGE before a write, unless len 0.
        if (h != nullptr && off <= size && len <= size - off) return;
      }
      int rc = Check("pager_cold_read_at", pager_cold_read_at(h, off, dst, len), m);
      if (rc == PAGER_OK && h != nullptr && len > 0) {
        Expect(off + len <= size && std::memcmp(read_buf_.data(), ch.bytes.data() + off, len) == 0,
               "pager_cold_read_at", "bytes differ from the paged-out ones");
      }
      return;
    }
    pager_cold_range ranges[8];
    uint64_t n = in.Pick(9), total = 0;
    for (uint64_t i = 0; i < n; i++) {
      if (i > 0 && in.Chance(6)) {
        ranges[i] = ranges[i - 1];  // a duplicate: OVERLAP
      } else {
        uint64_t off = in.Chance(8) ? in.Hostile64() : in.Pick(static_cast<uint32_t>(size + 1));
        uint64_t len = in.Chance(8) ? in.Hostile64() : in.Pick(static_cast<uint32_t>(size / 2 + 2));
        ranges[i] = {off, len};
      }
      total += ranges[i].len;
    }
    uint64_t count = n;
    if (in.Chance(16)) count = in.Chance(2) ? UINT64_MAX : HugeCount(sizeof(pager_cold_range));
    uint64_t dst_len = in.Chance(4) ? in.Hostile64() : total;
    void* dst = in.Chance(16) ? nullptr : read_buf_.data();
    // dst holds read_buf_.size() bytes: a larger dst_len is honest only when the ranges
    // cannot all be in bounds (RANGE or OVERLAP before any byte is written).
    if (dst != nullptr && dst_len > read_buf_.size()) {
      bool all_in = true;
      for (uint64_t i = 0; i < n; i++) {
        if (ranges[i].len > 0 && (ranges[i].offset > size || ranges[i].len > size - ranges[i].offset)) all_in = false;
      }
      if (all_in && total <= size) dst_len = read_buf_.size();
    }
    int rc = Check("pager_cold_read_at_many",
                   pager_cold_read_at_many(h, in.Chance(16) ? nullptr : ranges, count, dst, dst_len),
                   Codes({INV, RANGE, OVERLAP, IO, CORRUPT, NOMEM}));
    if (rc == PAGER_OK && h != nullptr && count == n) {
      uint64_t at = 0;
      for (uint64_t i = 0; i < n; i++) {
        if (ranges[i].len == 0) continue;
        Expect(std::memcmp(read_buf_.data() + at, ch.bytes.data() + ranges[i].offset, ranges[i].len) == 0,
               "pager_cold_read_at_many", "bytes differ from the paged-out ones");
        at += ranges[i].len;
      }
    }
  }

  void ColdTake(Input& in) {
    ColdHandle& ch = handles_[in.Pick(6)];
    pager_cold_handle* h = in.Chance(12) ? nullptr : ch.h;
    if (in.Chance(2)) {
      uint64_t len = in.Chance(3) ? in.Hostile64() : read_buf_.size();
      if (len > read_buf_.size() && h != nullptr && ch.bytes.size() <= read_buf_.size()) len = read_buf_.size();
      void* dst = in.Chance(12) ? nullptr : read_buf_.data();
      int rc = Check("pager_cold_take", pager_cold_take(h, dst, len), Codes({INV, IO, CORRUPT, NOMEM}));
      if (rc == PAGER_OK && h != nullptr) {
        Expect(ch.bytes.empty() || std::memcmp(read_buf_.data(), ch.bytes.data(), ch.bytes.size()) == 0,
               "pager_cold_take", "bytes differ from the paged-out ones");
        ch = ColdHandle{};
      }
      return;
    }
    pager_cold_buffer*& slot = buffers_[in.Pick(3)];
    if (slot != nullptr) return;
    Out<pager_cold_buffer*> out;
    int rc = Check("pager_cold_take_buffer", pager_cold_take_buffer(h, in.Chance(12) ? nullptr : out.p()),
                   Codes({INV, NOMEM, IO, CORRUPT}));
    KeptOnFailure("pager_cold_take_buffer", rc, out);
    if (rc != PAGER_OK) return;
    slot = out.v;
    uint64_t len = pager_cold_buffer_len(slot);
    const void* data = pager_cold_buffer_data(slot);
    Expect(len == ch.bytes.size() && (len == 0 || std::memcmp(data, ch.bytes.data(), len) == 0),
           "pager_cold_take_buffer", "bytes differ from the paged-out ones");
    ch = ColdHandle{};
  }

  // ---- snapshot, reference engine, hostile adapter ------------------------------------------

  void Meta(Input& in, Grow<pager_cache_meta>* g) {
    pager_cache_meta_init(g->p());
    CheckCleared("pager_cache_meta_init");
    pager_cache_meta* m = g->p();
    m->tokens_per_page = 1 + in.Pick(4);
    m->layers = 1 + in.Pick(2);
    m->kv_heads = 1 + in.Pick(2);
    m->head_dim = 1 + in.Pick(8);
    m->dtype = 1 + in.Pick(4);
    if (in.Chance(6)) {
      switch (in.Pick(6)) {
        case 0: m->tokens_per_page = 0; break;
        case 1: m->dtype = in.Hostile32(); break;
        case 2: m->head_dim = UINT32_MAX; break;
        case 3: m->layers = UINT32_MAX; m->kv_heads = UINT32_MAX; break;
        case 4: m->head_dim = 1u << 16; m->kv_heads = 1u << 8; m->dtype = PAGER_DTYPE_F32; break;  // 2^26-byte page
        default: m->tokens_per_page = in.Hostile32(); break;
      }
    }
    (void)g->Mangle(in);
  }

  void Engines(Input& in) {
    Engine& en = engines_[in.Pick(2)];
    pager_refengine* e = in.Chance(12) ? nullptr : en.e;
    const Mask inv = Codes({INV});
    switch (in.Pick(12)) {
      case 0: {
        if (en.e != nullptr) return;
        Grow<pager_cache_meta> g;
        Meta(in, &g);
        uint32_t cap = 1 + in.Pick(16);
        Out<uint64_t> kb, vb;
        int rc = Check("pager_cache_meta_page_bytes",
                       pager_cache_meta_page_bytes(in.Chance(16) ? nullptr : g.p(), kb.p(), in.Chance(16) ? nullptr : vb.p()), inv);
        KeptOnFailure("pager_cache_meta_page_bytes", rc, kb);
        KeptOnFailure("pager_cache_meta_page_bytes", rc, vb);
        uint64_t k = 0, v = 0;  // the real page sizes, whatever the hostile call above did
        rc = pager_cache_meta_page_bytes(g.p(), &k, &v);
        if (rc == PAGER_OK && (k > (1u << 12) || v > (1u << 12))) {
          // A large page: only capacities that are refused before any allocation.
          cap = in.Chance(2) ? 0 : (in.Chance(2) ? (1u << 31) + 1 : UINT32_MAX);
          if (k >= (1u << 16) && in.Chance(2)) cap = 1u << 31;  // above 2^46 bytes: TOO_LARGE
        } else if (in.Chance(8)) {
          cap = in.Chance(2) ? 0 : UINT32_MAX;
        }
        Out<pager_refengine*> out;
        rc = Check("pager_refengine_create", pager_refengine_create(g.p(), cap, in.Chance(16) ? nullptr : out.p()),
                   Codes({INV, NOMEM, TOOLARGE}));
        KeptOnFailure("pager_refengine_create", rc, out);
        if (rc != PAGER_OK) return;
        en.e = out.v;
        en.capacity = cap;
        pager_cache_meta_page_bytes(g.p(), &en.k_bytes, &en.v_bytes);
        Check("pager_refengine_ops", pager_refengine_ops(en.e, &en.ops), Codes({}));
        return;
      }
      case 1:
        if (!in.Chance(3)) return;
        pager_refengine_free(e);
        CheckCleared("pager_refengine_free");
        if (e != nullptr) en = Engine{};  // its ops are gone with it
        return;
      case 2: {
        Out<pager_cache_ops> ops;
        int rc = Check("pager_refengine_ops", pager_refengine_ops(e, in.Chance(16) ? nullptr : ops.p()), inv);
        KeptOnFailure("pager_refengine_ops", rc, ops);
        Grow<pager_cache_meta> g;
        pager_cache_meta_init(g.p());
        ResultSize(in, g.buf);
        uint32_t given;
        std::memcpy(&given, g.buf, 4);
        Grow<pager_cache_meta> before = g;
        rc = Check("pager_refengine_meta", pager_refengine_meta(e, g.p()), inv);
        CheckResult("pager_refengine_meta", rc, before.buf, g.buf, sizeof(g.buf), given, sizeof(pager_cache_meta));
        Out<uint32_t> cap;
        rc = Check("pager_refengine_capacity_pages", pager_refengine_capacity_pages(e, in.Chance(16) ? nullptr : cap.p()), inv);
        KeptOnFailure("pager_refengine_capacity_pages", rc, cap);
        return;
      }
      case 3: {
        Out<uint32_t> slot;
        int rc = Check("pager_refengine_alloc_page", pager_refengine_alloc_page(e, in.Chance(16) ? nullptr : slot.p()),
                       Codes({INV, FULL, BUSY}));
        KeptOnFailure("pager_refengine_alloc_page", rc, slot);
        return;
      }
      case 4:
        Check("pager_refengine_free_page", pager_refengine_free_page(e, in.Chance(3) ? in.Hostile32() : in.Pick(18)),
              Codes({INV, RANGE, DFREE, BUSY}));
        return;
      case 5:
      case 6: {
        uint32_t slot = in.Chance(4) ? in.Hostile32() : in.Pick(18);
        uint64_t kl = BufLen(in, en.k_bytes), vl = BufLen(in, en.v_bytes);
        if (in.Chance(2)) {
          Check("pager_refengine_write_page",
                pager_refengine_write_page(e, slot, in.Chance(16) ? nullptr : g_data, kl, in.Chance(16) ? nullptr : g_data, vl),
                Codes({INV, RANGE, NOTFOUND, BUSY}));
        } else {
          std::memset(page_buf_.data(), 0xA5, 2 * 4096);
          int rc = Check("pager_refengine_read_page",
                         pager_refengine_read_page(e, slot, page_buf_.data(), kl, page_buf_.data() + 4096, vl),
                         Codes({INV, RANGE, NOTFOUND, NOMEM}));
          if (rc != PAGER_OK) Expect(page_buf_[0] == 0xA5 && page_buf_[4096] == 0xA5, "pager_refengine_read_page", "written", rc);
        }
        return;
      }
      case 7: {  // set / remove sequences
        static const char* const kIds[] = {"a", "b", "ab"};
        const char* id = in.Chance(16) ? nullptr : kIds[in.Pick(3)];
        uint64_t id_bytes = in.Chance(8) ? (in.Chance(2) ? 0 : 65537) : (id == nullptr ? 1 : std::strlen(id));
        if (in.Chance(3)) {
          Check("pager_refengine_remove_seq", pager_refengine_remove_seq(e, id, id_bytes), Codes({INV, NOTFOUND, BUSY}));
          return;
        }
        uint64_t count = in.Pick(5);
        for (uint64_t i = 0; i < count; i++) g_u32[i] = in.Chance(6) ? in.Hostile32() : in.Pick(18);
        const uint32_t* pages = g_u32;
        if (in.Chance(12)) pages = nullptr;
        if (in.Chance(12)) count = in.Chance(2) ? UINT64_MAX : HugeCount(4);
        Check("pager_refengine_set_seq",
              pager_refengine_set_seq(e, id, id_bytes, pages, count, in.Chance(4) ? in.Hostile32() : in.Pick(5)),
              Codes({INV, RANGE, NOTFOUND, BUSY, NOMEM}));
        return;
      }
      case 8: {
        const char* id = in.Chance(2) ? "a" : "b";
        std::memset(g_u32, 0xA5, sizeof(g_u32));
        uint64_t cap = in.Chance(3) ? 0 : (in.Chance(4) ? 1 : 64);  // g_u32 holds 64 slots
        Out<uint64_t> n;
        Out<uint32_t> fill;
        int rc = Check("pager_refengine_get_seq",
                       pager_refengine_get_seq(e, in.Chance(16) ? nullptr : id, in.Chance(12) ? 0 : 1,
                                               (cap == 0 && in.Chance(2)) || in.Chance(16) ? nullptr : g_u32, cap,
                                               in.Chance(16) ? nullptr : n.p(), in.Chance(4) ? nullptr : fill.p()),
                       Codes({INV, NOTFOUND, NOMEM}));
        KeptOnFailure("pager_refengine_get_seq", rc, n);
        KeptOnFailure("pager_refengine_get_seq", rc, fill);
        if (rc != PAGER_OK) Expect(g_u32[0] == 0xA5A5A5A5u, "pager_refengine_get_seq", "pages written", rc);
        return;
      }
      case 9: {
        Grow<pager_refengine_stats> g;
        pager_refengine_stats_init(g.p());
        CheckCleared("pager_refengine_stats_init");
        ResultSize(in, g.buf);
        uint32_t given;
        std::memcpy(&given, g.buf, 4);
        Grow<pager_refengine_stats> before = g;
        int rc = Check("pager_refengine_get_stats", pager_refengine_get_stats(e, in.Chance(16) ? nullptr : g.p()), inv);
        CheckResult("pager_refengine_get_stats", rc, before.buf, g.buf, sizeof(g.buf), given, sizeof(pager_refengine_stats));
        Out<uint64_t> fp;
        rc = Check("pager_refengine_fingerprint", pager_refengine_fingerprint(e, in.Chance(16) ? nullptr : fp.p()),
                   Codes({INV, NOMEM}));
        KeptOnFailure("pager_refengine_fingerprint", rc, fp);
        return;
      }
      default: {
        static const char* const kNames[] = {"meta", "pause", "resume", "occupied_pages", "logical_seqs",
                                             "read_page", "allocate_pages", "write_page",
                                             "install_logical_seqs", "release_pages", "bogus", ""};
        const char* name = in.Chance(8) ? nullptr : kNames[in.Pick(12)];
        Check("pager_refengine_fail_callback",
              pager_refengine_fail_callback(e, name, in.Pick(3), in.Chance(8) ? 0 : -1 - in.Pick(4)), inv);
        return;
      }
    }
  }

  void Snapshot(Input& in) {
    Engine& en = engines_[in.Pick(2)];
    // The ops: none, the engine's own, or the hostile adapter over them; in a buffer large
    // enough for a mangled struct_size.
    Grow<pager_cache_ops> g;
    Hostile hostile;
    bool have = en.e != nullptr && !in.Chance(12);
    if (have) {
      std::memcpy(g.buf, &en.ops, sizeof(pager_cache_ops));
      if (in.Chance(3)) {
        hostile.inner = en.ops;
        hostile.mode = in.Pick(29);
        hostile.arg = in.Pick(18);
        pager_cache_ops* o = g.p();
        o->ctx = &hostile;
        o->meta = HMeta;
        o->pause = HPause;
        o->resume = HResume;
        o->occupied_pages = HOccupied;
        o->logical_seqs = HSeqs;
        o->read_page = HRead;
        o->allocate_pages = HAlloc;
        o->write_page = HWrite;
        o->install_logical_seqs = HInstall;
        o->release_pages = HRelease;
        // Every callback that gets ctx must be wrapped: the engine's own would be handed the
        // Hostile as its engine.
        o->page_buffers = en.ops.page_buffers != nullptr ? HPageBuffers : nullptr;
      }
      if (in.Chance(8)) g.p()->page_buffers = nullptr;  // the copying path
      if (in.Chance(16)) g.p()->read_page = nullptr;    // a missing required callback
      if (in.Chance(16)) g.p()->release_pages = nullptr;  // optional
      (void)g.Mangle(in);
    }
    const pager_cache_ops* ops = have ? g.p() : nullptr;
    Grow<pager_snapshot_options> og;
    pager_snapshot_options_init(og.p());
    CheckCleared("pager_snapshot_options_init");
    int cancel = 0;
    pager_snapshot_options* o = og.p();
    o->compression = in.Chance(6) ? in.Hostile32() : in.Pick(2);
    o->zstd_level = in.Chance(6) ? static_cast<int32_t>(in.Hostile32()) : 1;
    o->threads = in.Chance(6) ? 65 : 1 + in.Pick(2);
    o->allow_nonempty = in.Pick(2);
    o->sync_fd = in.Pick(2);
    if (in.Chance(3)) o->parent_path = in.Chance(3) ? "snap2" : kPaths[in.Pick(kPathCount)];
    if (in.Chance(4)) {
      o->progress = CancelProgress;
      o->progress_ctx = &cancel;
      cancel = in.Pick(2);
    }
    o->copy_out_budget_bytes = in.Chance(2) ? 0 : in.Hostile64();
    (void)og.Mangle(in);
    const pager_snapshot_options* opts = in.Chance(6) ? nullptr : o;
    const char* path = in.Chance(2) ? (in.Chance(2) ? "/d/snap" : "/d/snap2") : Path(in);
    switch (in.Pick(7)) {
      case 0:
      case 1:
        Check("pager_snapshot_capture", pager_snapshot_capture(ops, path, opts),
              Codes({INV, DUP, CALLBACK, CANCELLED, IO, NOSPC, NOMEM, TOOLARGE, NOTFOUND, RO, CORRUPT,
                     VERSION, MISMATCH}));
        return;
      case 2:
        // A real descriptor would bypass the MemEnv: only -1, refused before any I/O.
        Check("pager_snapshot_capture_fd", pager_snapshot_capture_fd(ops, -1, opts), Codes({INV}));
        return;
      case 3:
        Check("pager_snapshot_restore", pager_snapshot_restore(ops, path, opts),
              Codes({INV, NOTFOUND, CORRUPT, VERSION, MISMATCH, EXISTS, CALLBACK, DUP, OVERLAP, TOOLARGE,
                     CANCELLED, IO, RO, NOMEM}));
        return;
      case 4:
        Check("pager_snapshot_verify", pager_snapshot_verify(path, opts),
              Codes({INV, NOTFOUND, CORRUPT, VERSION, CANCELLED, IO, RO, NOMEM}));
        return;
      case 6:
        SnapshotList(in, path);
        return;
      default: {
        Grow<pager_snapshot_info> ig;
        pager_snapshot_info_init(ig.p());
        CheckCleared("pager_snapshot_info_init");
        ResultSize(in, ig.buf);
        if (in.Chance(4)) ig.p()->meta.struct_size = in.Chance(2) ? 0 : UINT32_MAX;
        Grow<pager_snapshot_info> before = ig;
        int rc = Check("pager_snapshot_inspect", pager_snapshot_inspect(path, in.Chance(16) ? nullptr : ig.p()),
                       Codes({INV, NOTFOUND, CORRUPT, VERSION, IO, RO, NOMEM}));
        if (rc != PAGER_OK) Expect(std::memcmp(before.buf, ig.buf, sizeof(ig.buf)) == 0, "pager_snapshot_inspect", "written", rc);
        else Expect(std::memcmp(before.buf + sizeof(pager_snapshot_info), ig.buf + sizeof(pager_snapshot_info), 64) == 0,
                    "pager_snapshot_inspect", "bytes past the struct written", rc);
        return;
      }
    }
  }

  // ---- pager_snapshot_list ------------------------------------------------------------------

  struct ListSeen {
    uint64_t pages = 0, seqs = 0, calls = 0;
    uint64_t stop_at = 0;  // 0: never
    int stop_value = 0;
    bool bad_page_ref = false;
  };
  static int ListStop(ListSeen* seen) {
    seen->calls++;
    return seen->calls == seen->stop_at ? seen->stop_value : 0;
  }
  // Each entry is sane on its own: its struct_size covers the fields, its index is its
  // position, its flags are one PAGER_SNAPSHOT_PAGE_*, an entry in a parent stores no bytes.
  static int ListPage(void* ctx, const pager_snapshot_page* p) {
    auto* seen = static_cast<ListSeen*>(ctx);
    const char* fn = "pager_snapshot_list";
    Expect(p != nullptr && p->struct_size >= sizeof(pager_snapshot_page), fn, "page entry too short");
    Expect(seen->seqs == 0, fn, "a page entry after a sequence");
    Expect(p->index == seen->pages, fn, "page entries out of order");
    Expect(p->flags <= PAGER_SNAPSHOT_PAGE_IN_PARENT && p->reserved0 == 0, fn, "page flags or reserved0");
    if (p->flags == PAGER_SNAPSHOT_PAGE_IN_PARENT) {
      Expect(p->offset_bytes == 0 && p->stored_bytes == 0 && p->stored_checksum == 0, fn,
             "an entry in a parent with stored bytes");
    }
    seen->pages++;
    return ListStop(seen);
  }
  static int ListSeq(void* ctx, const pager_snapshot_seq* q) {
    auto* seen = static_cast<ListSeen*>(ctx);
    const char* fn = "pager_snapshot_list";
    Expect(q != nullptr && q->struct_size >= sizeof(pager_snapshot_seq), fn, "sequence too short");
    Expect(q->id_bytes == 0 || q->id != nullptr, fn, "sequence id NULL");
    Expect(q->page_count == 0 || q->pages != nullptr, fn, "sequence pages NULL");
    volatile uint8_t sink = 0;
    for (uint64_t i = 0; i < q->id_bytes; i++) sink = sink ^ static_cast<uint8_t>(q->id[i]);  // ASan reads
    for (uint64_t i = 0; i < q->page_count; i++) {
      if (q->pages[i] >= seen->pages) seen->bad_page_ref = true;
    }
    (void)sink;
    seen->seqs++;
    return ListStop(seen);
  }

  // Oracle: INVALID exactly for a NULL or empty path; without a stopping callback the answer
  // is pager_snapshot_inspect's (same checks), and then every page and sequence the info
  // counts is listed, pages first, and a sequence refers only to listed pages; CALLBACK
  // exactly when a callback stopped it; no file changes.
  void SnapshotList(Input& in, const char* path) {
    ListSeen seen;
    if (in.Chance(3)) {
      seen.stop_at = 1 + in.Pick(4);
      seen.stop_value = in.Chance(4) ? -7 : 1 + static_cast<int>(in.Pick(50));
    }
    bool with_pages = !in.Chance(4), with_seqs = !in.Chance(4);
    uint64_t before = FilesDigest();
    const char* fn = "pager_snapshot_list";
    int rc = Check(fn, pager_snapshot_list(path, with_pages ? ListPage : nullptr,
                                           with_seqs ? ListSeq : nullptr, &seen),
                   Codes({INV, NOTFOUND, CORRUPT, VERSION, IO, RO, NOMEM, CALLBACK}));
    bool invalid = path == nullptr || path[0] == '\0';
    Expect((rc == INV) == invalid, fn, "INVALID for a valid path or valid for an invalid one", rc);
    Expect((rc == CALLBACK) == (seen.stop_at != 0 && seen.calls == seen.stop_at), fn,
           "CALLBACK without a stopping callback, or a stop not reported", rc);
    Expect(FilesDigest() == before, fn, "a read-only listing changed a file", rc);
    if (invalid || rc == CALLBACK) return;
    pager_snapshot_info info;
    pager_snapshot_info_init(&info);
    int irc = pager_snapshot_inspect(path, &info);
    Expect(irc == rc, fn, "disagrees with pager_snapshot_inspect", rc);
    if (rc != PAGER_OK) return;
    if (with_pages) Expect(seen.pages == info.page_count, fn, "listed page count differs from the info's", rc);
    if (with_seqs) Expect(seen.seqs == info.seq_count, fn, "listed sequence count differs from the info's", rc);
    if (with_pages && with_seqs) Expect(!seen.bad_page_ref, fn, "a sequence refers to an unlisted page", rc);
  }

  // ---- format detection and the read-only checks --------------------------------------------

  // Hostile bytes: a format's magic (at its offset) followed by input bytes, or a copy of a
  // file the input made; then maybe one byte flipped, a truncation, a zeroed 512-byte sector
  // or appended garbage.
  std::vector<uint8_t> ForgedBytes(Input& in) {
    std::vector<uint8_t> b;
    std::vector<std::string> paths = env_->FilePaths();
    if (in.Chance(2) && !paths.empty()) {
      (void)env_->GetFileBytes(paths[in.Pick(static_cast<uint32_t>(paths.size()))], &b);
    } else {
      uint32_t seg_magic = pager::walseg::kRecordMagic;
      switch (in.Pick(7)) {
        case 0: b.assign(pager::file::kSuperblockMagic, pager::file::kSuperblockMagic + 8); break;
        case 1: b.assign(pager::wal::kMainMagic, pager::wal::kMainMagic + 8); break;
        case 2:  // only header copy B
          b.assign(pager::wal::kHeaderCopySize, 0);
          b.insert(b.end(), pager::wal::kMainMagic, pager::wal::kMainMagic + 8);
          break;
        case 3: b.assign(pager::wal::kWalMagic, pager::wal::kWalMagic + 8); break;
        case 4: b.assign(pager::snapshot::kHeaderMagic, pager::snapshot::kHeaderMagic + 8); break;
        case 5:
          b.assign(offsetof(pager::walseg::RecordHeader, magic), 0);
          b.insert(b.end(), reinterpret_cast<const uint8_t*>(&seg_magic),
                   reinterpret_cast<const uint8_t*>(&seg_magic) + 4);
          break;
        default: break;
      }
      for (uint32_t n = in.u8(); n > 0 && in.more(); n--) b.push_back(in.u8());
    }
    switch (in.Pick(6)) {
      case 0: if (!b.empty()) b[in.Hostile64() % b.size()] ^= static_cast<uint8_t>(in.u8() | 1); break;
      case 1: b.resize(static_cast<size_t>(in.Hostile64() % (b.size() + 1))); break;
      case 2: b.resize(b.size() + 512 * in.Pick(17), in.u8()); break;
      case 3:
        if (b.size() >= 512) {
          size_t sector = (in.u16() % (b.size() / 512)) * 512;
          std::memset(b.data() + sector, 0, 512);
        }
        break;
      default: break;
    }
    if (b.size() > kMaxForgedBytes) b.resize(kMaxForgedBytes);
    return b;
  }

  std::string ForgedPath(Input& in) {
    switch (in.Pick(4)) {
      case 0: return "/d/h";
      case 1: return "/d/h-wal";
      case 2: {
        uint64_t lsn = in.Chance(2) ? 1 : in.Hostile64();
        return std::string(kForgedDir) + "/" + pager::walseg::SegmentName(lsn);
      }
      default: return std::string(kForgedDir) + "/junk";
    }
  }

  // Writes forged bytes at a forged path and returns the path ("" if the env refused it).
  std::string Forge(Input& in) {
    std::string path = ForgedPath(in);
    std::vector<uint8_t> b = ForgedBytes(in);
    pager::io::OpenOptions o;
    o.write = o.create = o.truncate = true;
    std::unique_ptr<pager::io::File> f;
    if (!env_->Open(path, o, &f).ok()) return "";
    if (!b.empty() && !f->WriteAt(0, b.data(), b.size()).ok()) return "";
    return path;
  }

  // Every path and byte of the env, for "a check writes nothing, creates nothing" (XXH3:
  // page files reach megabytes, hashed twice per check).
  uint64_t FilesDigest() {
    pager::Hasher h;
    for (const std::string& path : env_->FilePaths()) {
      std::vector<uint8_t> b;
      (void)env_->GetFileBytes(path, &b);
      uint64_t n = b.size();
      h.Update(path.c_str(), path.size() + 1);
      h.Update(&n, sizeof n);
      h.Update(b.data(), b.size());
    }
    return h.Digest();
  }

  const char* CheckTarget(Input& in) {
    if (in.Chance(3)) {
      target_ = in.Chance(4) ? ForgedPath(in) : kForged[in.Pick(kForgedCount)];
      return target_.c_str();
    }
    return Path(in);
  }

  void Checks(Input& in) {
    std::string forged = in.Chance(2) ? Forge(in) : "";
    const char* path = !forged.empty() && !in.Chance(4) ? forged.c_str() : CheckTarget(in);
    uint64_t before = FilesDigest();
    const char* fn = "pager_format_detect";
    if (in.Chance(4)) {
      Out<uint32_t> format;
      int rc = Check(fn, pager_format_detect(path, in.Chance(16) ? nullptr : format.p()),
                     Codes({INV, NOTFOUND, RO, IO, NOMEM}));
      KeptOnFailure(fn, rc, format);
      if (rc == PAGER_OK) Expect(format.v <= PAGER_FORMAT_WAL_SHM, fn, "an unknown format", rc);
    } else {
      fn = CheckReport(in, path);
    }
    Expect(FilesDigest() == before, fn, "a read-only check changed, created or removed a file");
  }

  const char* CheckReport(Input& in, const char* path) {
    Grow<pager_check_report> g;
    pager_check_report_init(g.p());
    CheckCleared("pager_check_report_init");
    if (in.Chance(4)) std::memset(g.buf + 4, in.u8(), sizeof(pager_check_report) - 4);
    ResultSize(in, g.buf);
    uint32_t given;
    std::memcpy(&given, g.buf, 4);
    Grow<pager_check_report> before = g;
    pager_check_report* r = in.Chance(16) ? nullptr : g.p();
    const Mask codes = Codes({INV, NOTFOUND, BUSY, VERSION, RO, IO, NOMEM});
    const char* fn = nullptr;
    int rc = 0;
    uint32_t kind = in.Pick(4);
    switch (kind) {
      case 0: rc = Check(fn = "pager_file_check", pager_file_check(path, r), codes); break;
      case 1: rc = Check(fn = "pager_wal_check", pager_wal_check(path, r), codes); break;
      case 2: rc = Check(fn = "pager_walseg_check", pager_walseg_check(path, r), codes); break;
      default: rc = Check(fn = "pager_snapshot_check", pager_snapshot_check(path, r), codes); break;
    }
    CheckResult(fn, rc, before.buf, g.buf, sizeof(g.buf), given, sizeof(pager_check_report));
    if (rc != PAGER_OK || given < sizeof(pager_check_report)) return fn;
    const pager_check_report& rep = *g.p();
    SaneReport(fn, rep, kind);
    if (kind == 0) AgreesWithFileOpen(path, rep);
    if (kind == 3) AgreesWithSnapshotVerify(path, rep);
    return fn;
  }

  void SaneReport(const char* fn, const pager_check_report& rep, uint32_t kind) {
    static const uint32_t kFormats[] = {PAGER_FORMAT_FILE, PAGER_FORMAT_WAL_MAIN,
                                        PAGER_FORMAT_WALSEG_SEGMENT, PAGER_FORMAT_SNAPSHOT};
    bool format_ok = rep.format == kFormats[kind] ||
                     (kind == 2 && rep.format == PAGER_FORMAT_WALSEG_DIR);
    Expect(format_ok, fn, "the report names another format");
    Expect(rep.damage_code == PAGER_OK || rep.damage_code == PAGER_ERR_CORRUPT, fn,
           "damage_code is neither OK nor CORRUPT");
    Expect(rep.interrupted <= 1, fn, "interrupted is not 0 or 1");
    Expect(rep.index_state <= PAGER_WAL_INDEX_STALE && (kind == 1 || rep.index_state == 0), fn,
           "index_state is not a PAGER_WAL_INDEX_* of a WAL pager");
    Expect(std::memchr(rep.damage_file, 0, sizeof rep.damage_file) != nullptr &&
               std::memchr(rep.damage_rule, 0, sizeof rep.damage_rule) != nullptr &&
               std::memchr(rep.damage_detail, 0, sizeof rep.damage_detail) != nullptr,
           fn, "a text field is not NUL-terminated");
    if (rep.damage_code != PAGER_OK) {
      Expect(rep.damage_rule[0] != '\0', fn, "damage without a rule");
    }
    if (rep.damage_file[0] == '\0') Expect(rep.damage_offset == 0, fn, "an offset without a file");
  }

  // The check never calls clean what the library refuses: a read-only open of the page file
  // that is CORRUPT means damage in the report (other failures -- a size limit, a lock --
  // tell nothing; a damaged older meta copy is damage that the open survives).
  void AgreesWithFileOpen(const char* path, const pager_check_report& rep) {
    pager_file_options o;
    pager_file_options_init(&o);
    o.read_only = 1;
    o.max_size_bytes = uint64_t{1} << 24;
    pager_file* f = nullptr;
    int rc = pager_file_open(path, &o, &f);
    pager_file_close(f);
    if (rc != PAGER_ERR_CORRUPT) return;
    Expect(rep.damage_code == PAGER_ERR_CORRUPT, "pager_file_check",
           "clean, but pager_file_open (read-only) says CORRUPT", rc);
  }

  void AgreesWithSnapshotVerify(const char* path, const pager_check_report& rep) {
    int rc = pager_snapshot_verify(path, nullptr);
    if (rc != PAGER_OK && rc != PAGER_ERR_CORRUPT) return;
    Expect((rc == PAGER_ERR_CORRUPT) == (rep.damage_code == PAGER_ERR_CORRUPT),
           "pager_snapshot_check", "disagrees with pager_snapshot_verify about damage", rc);
  }

  // ---- functions without a handle -----------------------------------------------------------

  void Misc(Input& in) {
    int code = static_cast<int>(in.Hostile32());
    const char* s = pager_errstr(code);
    Expect(s != nullptr && s[0] != '\0', "pager_errstr", "NULL or empty");
    Expect(pager_version() == PAGER_VERSION_NUMBER, "pager_version", "header/library skew");
    Expect(std::strcmp(pager_version_string(), "0.2.0") == 0, "pager_version_string", "not 0.2.0");
    // NULL-safe initializers and releases.
    pager_file_options_init(nullptr);
    pager_wal_options_init(nullptr);
    pager_wal_checkpoint_options_init(nullptr);
    pager_wal_stats_init(nullptr);
    pager_walseg_options_init(nullptr);
    pager_walseg_reader_options_init(nullptr);
    pager_cold_options_init(nullptr);
    pager_cold_pageout_options_init(nullptr);
    pager_cold_stats_init(nullptr);
    pager_cache_meta_init(nullptr);
    pager_snapshot_options_init(nullptr);
    pager_snapshot_info_init(nullptr);
    pager_refengine_stats_init(nullptr);
    pager_check_report_init(nullptr);
    pager_refengine_free(nullptr);
    pager_cold_buffer_free(nullptr);
    Expect(pager_cold_buffer_data(nullptr) == nullptr && pager_cold_buffer_len(nullptr) == 0,
           "pager_cold_buffer_data", "NULL buffer");
    Expect(pager_cold_len(nullptr) == 0 && pager_cold_backend_of(nullptr) == 0, "pager_cold_len", "NULL handle");
    CheckCleared("NULL-safe functions");
    uint32_t pages[2] = {1, 2};
    Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(nullptr, pages, 2), Codes({INV}));
    Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(nullptr, "a", 1, pages, 2, 1), Codes({INV}));
    Check("pager_walseg_writer_close", pager_walseg_writer_close(nullptr), Codes({}));
  }

  void ReleaseAll() {
    for (auto& c : txns_) pager_file_txn_free(static_cast<pager_file_txn*>(c.h));
    for (auto& c : iters_) pager_file_iter_free(static_cast<pager_file_iter*>(c.h));
    for (auto& c : subs_) pager_file_subpages_free(static_cast<pager_file_subpages*>(c.h));
    for (auto& s : files_) pager_file_close(s.f);
    for (auto* w : wals_) pager_wal_close(w);
    for (auto* t : rtxns_) pager_wal_read_txn_free(t);  // after their handles: W17
    for (auto* w : writers_) (void)pager_walseg_writer_close(w);
    for (auto* r : readers_) pager_walseg_reader_close(r);
    for (auto* r : replays_) pager_walseg_replay_close(r);
    for (auto* c : colds_) pager_cold_close(c);
    for (auto& h : handles_) pager_cold_free(h.h);
    for (auto* b : buffers_) pager_cold_buffer_free(b);
    for (auto& e : engines_) pager_refengine_free(e.e);
  }

  std::unique_ptr<pager::io::MemEnv> env_;
  std::string target_;  // the path of the last check, when forged
  FileSlot files_[2];
  Child txns_[2], iters_[3], subs_[2];
  std::vector<uint64_t> pages_, prot_, subids_;
  pager_wal* wals_[2] = {};
  uint32_t wal_page_size_[2] = {4096, 4096};
  pager_wal_read_txn* rtxns_[3] = {};
  uint32_t rtxn_page_size_[3] = {4096, 4096, 4096};
  uint32_t rtxn_pages_[3] = {};
  pager_walseg_writer* writers_[2] = {};
  pager_walseg_reader* readers_[2] = {};
  pager_walseg_replay* replays_[2] = {};
  pager_cold* colds_[2] = {};
  ColdHandle handles_[6];
  pager_cold_buffer* buffers_[3] = {};
  Engine engines_[2];
  int owned_freed_ = 0;
  uint64_t ids_[16] = {};
  uint64_t g_out64_[16] = {};
  uint16_t g_u16_[8] = {1, 2, 3, 0x8001, 0, 7, 0x7FFF, 0xFFFF};
  std::vector<uint8_t> page_buf_ = std::vector<uint8_t>(65536 + 64);
  std::vector<uint8_t> read_buf_ = std::vector<uint8_t>(16384);
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  static bool init = [] {
    for (size_t i = 0; i < sizeof(g_data); i++) g_data[i] = static_cast<uint8_t>(i * 131 + 7);
    return true;
  }();
  (void)init;
  Input in(data, size);
  Harness h;
  h.Run(in);
  return 0;
}
