// The capi_fuzz harness (fuzz/capi_fuzz.cc, which says what it does and what it checks):
// what its parts share. The oracle (Check and friends), the input decoder (Input, Grow),
// the paths and slots the harness holds, and class Harness, whose methods are defined by
// responsibility in fuzz/capi/*.cc: file_ops (page file and its children), wal_ops (WAL
// pager and read transactions), walseg_ops (WAL segments), cold_ops (cold pager, reap),
// snapshot_ops (snapshots, reference engine, hostile adapter, snapshot list), check_ops
// (format detection and the read-only checks); fuzz/capi_fuzz.cc keeps Run, the functions
// without a handle and LLVMFuzzerTestOneInput. All of them build the one binary
// build/fuzz/capi_fuzz (Makefile: fuzz/<name>/*.cc link into harness <name>).
#ifndef PAGER_FUZZ_CAPI_HARNESS_H_
#define PAGER_FUZZ_CAPI_HARNESS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"

namespace capi_fuzz {

constexpr size_t kMaxCalls = 160;  // operations per input (Run's loop), not C calls
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
inline Mask Codes(std::initializer_list<int> codes) {
  Mask m = 1;  // PAGER_OK
  for (int c : codes) m |= Mask{1} << c;
  return m;
}

[[noreturn]] inline void Fail(const char* fn, const char* what, int rc) {
  std::fprintf(stderr, "capi_fuzz: %s: %s (returned %d %s; last error \"%s\")\n", fn, what, rc,
               pager_errstr(rc), pager_last_error());
  __builtin_trap();
}

inline void Expect(bool ok, const char* fn, const char* what, int rc = 0) {
  if (!ok) Fail(fn, what, rc);
}

// C1/C2/C3: a documented code and a last error that matches it.
// CAPI_FUZZ_TRACE=1 prints every checked call (to read what an input does).
inline const bool g_trace = std::getenv("CAPI_FUZZ_TRACE") != nullptr;

inline int Check(const char* fn, int rc, Mask allowed) {
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
inline void CheckCleared(const char* fn) {
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

inline uint8_t g_data[8192];  // bytes for payloads, chunks, pages (pattern filled once)
inline uint32_t g_u32[64];
inline uint64_t g_u64[64];

class Harness {
 public:
  Harness();
  ~Harness();
  void Run(Input& in);

 private:
  // A list of ids: NULL, a real array (count <= its length) of hostile or known ids, or a
  // count no list can have.
  struct List {
    const uint64_t* p;
    uint64_t count;
  };

  // What the reap callback saw; it stops the scan (returns stop_value) at call stop_at.
  struct ReapSeen {
    std::vector<std::string> paths;
    std::vector<uint32_t> states;
    size_t stop_at = 0;  // 0: never
    int stop_value = 0;
  };

  struct ListSeen {
    uint64_t pages = 0, seqs = 0, calls = 0;
    uint64_t stop_at = 0;  // 0: never
    int stop_value = 0;
    bool bad_page_ref = false;
  };

  // capi_fuzz.cc: the harness itself and the functions without a handle
  const char* Path(Input& in);
  List Ids(Input& in, const std::vector<uint64_t>& known);
  void Misc(Input& in);
  void ReleaseAll();

  // capi/file_ops.cc: the page file and its children
  void File(Input& in);
  void Remember(std::vector<uint64_t>& v, uint64_t id);
  uint64_t BufLen(Input& in, uint64_t exact);
  static void Touch(const void* p, uint64_t len);
  void CloseFile(FileSlot& s);
  void FileChild(Input& in);
  Mask ChildMask(const Child& c, Mask open);
  void Txn(Input& in);
  void Iter(Input& in);
  void Subpages(Input& in);
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

  // capi/wal_ops.cc: the WAL pager and its read transactions
  void Wal(Input& in);
  void ReadTxn(Input& in, uint32_t slot, pager_wal* h);
  uint32_t WalPage(Input& in);
  void ResultSize(Input& in, uint8_t* buf);
  void CheckResult(const char* fn, int rc, const uint8_t* before, const uint8_t* after, size_t buf_len,
                   uint32_t given, size_t known);

  // capi/walseg_ops.cc: WAL segments
  const char* LogDir(Input& in);
  void Walseg(Input& in);
  void ReaderOptions(Input& in, Grow<pager_walseg_reader_options>* g);
  void WalsegWriter(Input& in);
  void CheckRecord(const char* fn, int rc, const Out<pager_walseg_record>& rec, const Out<uint32_t>& found);
  void StopDetail(Input& in, const char* fn, int (*call)(void*, char*, uint64_t, uint64_t*), void* h);
  void WalsegReader(Input& in);
  void WalsegReplay(Input& in);

  // capi/cold_ops.cc: the cold pager and pager_cold_reap
  void Cold(Input& in);
  static int ReapVisit(void* ctx, const char* lock_path, uint32_t state);
  void PlantScratch(Input& in);
  void Reap(Input& in);
  void Pageout(Input& in, pager_cold* h);
  void ColdRead(Input& in);
  void ColdTake(Input& in);

  // capi/snapshot_ops.cc: snapshots, the reference engine, the hostile adapter
  void Meta(Input& in, Grow<pager_cache_meta>* g);
  void Engines(Input& in);
  void Snapshot(Input& in);
  static int ListStop(ListSeen* seen);
  static int ListPage(void* ctx, const pager_snapshot_page* p);
  static int ListSeq(void* ctx, const pager_snapshot_seq* q);
  void SnapshotList(Input& in, const char* path);

  // capi/check_ops.cc: format detection and the read-only checks
  std::vector<uint8_t> ForgedBytes(Input& in);
  std::string ForgedPath(Input& in);
  std::string Forge(Input& in);
  uint64_t FilesDigest();
  const char* CheckTarget(Input& in);
  void Checks(Input& in);
  const char* CheckReport(Input& in, const char* path);
  void SaneReport(const char* fn, const pager_check_report& rep, uint32_t kind);
  void AgreesWithFileOpen(const char* path, const pager_check_report& rep);
  void AgreesWithSnapshotVerify(const char* path, const pager_check_report& rep);

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

}  // namespace capi_fuzz

#endif  // PAGER_FUZZ_CAPI_HARNESS_H_
