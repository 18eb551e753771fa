// capi_fuzz: the cold pager (pager_cold_*): pageouts, reads, takes, and pager_cold_reap
// over planted scratch directories.
#include "fuzz/capi/harness.h"

#include "impl/io/env.h"

namespace capi_fuzz {

namespace {

void FreeOwned(void* ctx, void* data, uint64_t len) {
  (void)len;
  ++*static_cast<int*>(ctx);
  std::free(data);
}

}  // namespace

void Harness::Cold(Input& in) {
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

int Harness::ReapVisit(void* ctx, const char* lock_path, uint32_t state) {
  auto* seen = static_cast<ReapSeen*>(ctx);
  Expect(lock_path != nullptr, "pager_cold_reap", "the callback got a NULL lock path");
  seen->paths.push_back(lock_path);
  seen->states.push_back(state);
  return seen->paths.size() == seen->stop_at ? seen->stop_value : 0;
}

// A scratch directory whose owner is gone (as a killed process leaves it): a lock file
// nobody holds, maybe its ".d" directory with data files, maybe an entry the library never
// creates (which makes its removal fail), or a ".d" directory without a lock file.
void Harness::PlantScratch(Input& in) {
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
void Harness::Reap(Input& in) {
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

void Harness::Pageout(Input& in, pager_cold* h) {
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

void Harness::ColdRead(Input& in) {
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

void Harness::ColdTake(Input& in) {
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

}  // namespace capi_fuzz
