// capi_fuzz: the page file (pager_file_*) and its children: transactions, iterators,
// sub-page allocators (C4: used after their parent was closed).
#include "fuzz/capi/harness.h"

namespace capi_fuzz {

void Harness::File(Input& in) {
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
      g.p()->format_version = in.Chance(4) ? in.Pick(4) : 0;  // 3: INVALID
      g.p()->journal_lap_bytes = in.Chance(4) ? (in.Chance(2) ? in.Hostile64() : uint64_t{1} << 20) : 0;
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

void Harness::Remember(std::vector<uint64_t>& v, uint64_t id) {
  if (v.size() < 32) v.push_back(id);
  else v[id % 32] = id;
}

uint64_t Harness::BufLen(Input& in, uint64_t exact) {
  switch (in.Pick(8)) {
    case 0: return 0;
    case 1: return exact + 1;
    case 2: return exact - 1;
    case 3: return UINT64_MAX;
    default: return exact;
  }
}

void Harness::Touch(const void* p, uint64_t len) {
  volatile uint8_t sink = 0;
  const uint8_t* b = static_cast<const uint8_t*>(p);
  for (uint64_t i = 0; i < len; i += 64) sink = sink ^ b[i];
  if (len > 0) sink = sink ^ b[len - 1];
  (void)sink;
}

void Harness::CloseFile(FileSlot& s) {
  if (s.f == nullptr) return;
  pager_file_close(s.f);
  CheckCleared("pager_file_close");
  *s.closed = true;
  s = FileSlot{};
}

// Children of a page file: transactions, iterators, sub-page allocators.
void Harness::FileChild(Input& in) {
  switch (in.Pick(3)) {
    case 0: Txn(in); return;
    case 1: Iter(in); return;
    default: Subpages(in); return;
  }
}

// C4: once the parent is closed, every function but the release fails with INVALID.
Mask Harness::ChildMask(const Child& c, Mask open) {
  return (c.parent_closed && *c.parent_closed) ? Codes({INV}) : open;
}

void Harness::Txn(Input& in) {
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
    case 4: {  // a blind write: any length, a null buffer now and then
      uint64_t id = !prot_.empty() && in.Chance(3) ? prot_[in.Pick(static_cast<uint32_t>(prot_.size()))] : in.Hostile64();
      std::vector<uint8_t> page(c.unit + 1, in.u8());
      Check("pager_file_txn_write",
            pager_file_txn_write(t, id, in.Chance(16) ? nullptr : page.data(), BufLen(in, c.unit)),
            t == nullptr ? inv : ChildMask(c, Codes({INV, POISONED, RANGE, NOTFOUND, BUSY, NOMEM})));
      return;
    }
    default:
      pager_file_txn_free(t);
      CheckCleared("pager_file_txn_free");
      if (t != nullptr) c = Child{};
      return;
  }
}

void Harness::Iter(Input& in) {
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

void Harness::Subpages(Input& in) {
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

}  // namespace capi_fuzz
