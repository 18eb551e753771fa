// capi_fuzz: the WAL pager (pager_wal_*) and its read transactions.
#include "fuzz/capi/harness.h"

namespace capi_fuzz {

void Harness::Wal(Input& in) {
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
void Harness::ReadTxn(Input& in, uint32_t slot, pager_wal* h) {
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
uint32_t Harness::WalPage(Input& in) {
  switch (in.Pick(8)) {
    case 0: return 0;
    case 1: return UINT32_MAX;
    default: return in.Pick(12);
  }
}

// A result struct's struct_size: 0, tiny, one short, exact, larger, or UINT32_MAX (the
// library writes at most sizeof, so any value is safe to pass).
void Harness::ResultSize(Input& in, uint8_t* buf) {
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
void Harness::CheckResult(const char* fn, int rc, const uint8_t* before, const uint8_t* after,
                          size_t buf_len, uint32_t given, size_t known) {
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

}  // namespace capi_fuzz
