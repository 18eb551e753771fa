// capi_fuzz: snapshots (pager_snapshot_*), the reference engine (pager_refengine_*) and a
// hostile engine adapter, and pager_snapshot_list.
#include "fuzz/capi/harness.h"

namespace capi_fuzz {

namespace {

// A hostile engine adapter: forwards to a reference engine's ops and, per its mode, lies.
struct Hostile {
  pager_cache_ops inner{};
  uint32_t mode = 0;
  uint32_t arg = 0;
};

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

}  // namespace

void Harness::Meta(Input& in, Grow<pager_cache_meta>* g) {
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

void Harness::Engines(Input& in) {
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

void Harness::Snapshot(Input& in) {
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

int Harness::ListStop(ListSeen* seen) {
  seen->calls++;
  return seen->calls == seen->stop_at ? seen->stop_value : 0;
}

// Each entry is sane on its own: its struct_size covers the fields, its index is its
// position, its flags are one PAGER_SNAPSHOT_PAGE_*, an entry in a parent stores no bytes.
int Harness::ListPage(void* ctx, const pager_snapshot_page* p) {
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

int Harness::ListSeq(void* ctx, const pager_snapshot_seq* q) {
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
void Harness::SnapshotList(Input& in, const char* path) {
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

}  // namespace capi_fuzz
