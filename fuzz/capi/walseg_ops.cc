// capi_fuzz: WAL segments: writer, reader, replay (pager_walseg_*).
#include "fuzz/capi/harness.h"

namespace capi_fuzz {

// A log directory, "" included (NOT_FOUND, as on POSIX: the MemEnv seam once took "" for a
// directory; IoEnv.AnEmptyPathIsNotFoundForOpenAndMkdir).
const char* Harness::LogDir(Input& in) { return Path(in); }

void Harness::Walseg(Input& in) {
  switch (in.Pick(3)) {
    case 0: WalsegWriter(in); return;
    case 1: WalsegReader(in); return;
    default: WalsegReplay(in); return;
  }
}

void Harness::ReaderOptions(Input& in, Grow<pager_walseg_reader_options>* g) {
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

void Harness::WalsegWriter(Input& in) {
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
void Harness::CheckRecord(const char* fn, int rc, const Out<pager_walseg_record>& rec,
                          const Out<uint32_t>& found) {
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

void Harness::StopDetail(Input& in, const char* fn, int (*call)(void*, char*, uint64_t, uint64_t*),
                         void* h) {
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

void Harness::WalsegReader(Input& in) {
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

void Harness::WalsegReplay(Input& in) {
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

}  // namespace capi_fuzz
