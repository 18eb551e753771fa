// A snapshot's page and sequence tables (snapshot_tables.h).
#include "tools/pagerctl/snapshot_tables.h"

#include <cinttypes>

namespace pagerctl {

namespace {

int OnPage(void* ctx, const pager_snapshot_page* p) {
  static_cast<SnapshotTables*>(ctx)->pages.push_back(*p);
  return 0;
}

int OnSeq(void* ctx, const pager_snapshot_seq* s) {
  SnapshotSeq q;
  q.id.assign(s->id, s->id_bytes);
  q.fill_last_page = s->fill_last_page;
  q.pages.assign(s->pages, s->pages + s->page_count);
  static_cast<SnapshotTables*>(ctx)->seqs.push_back(std::move(q));
  return 0;
}

}  // namespace

int LoadTables(const std::string& path, SnapshotTables* t, std::string* error) {
  int rc = pager_snapshot_list(path.c_str(), OnPage, OnSeq, t);
  if (rc != PAGER_OK) *error = pager_last_error();
  return rc;
}

std::string ContentHash(const pager_snapshot_page& p) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "%016" PRIx64, p.content_hash_hi,
                p.content_hash_lo);
  return buf;
}

std::string SeqName(const std::string& id) {
  for (unsigned char c : id) {
    if (c < 0x20 || c >= 0x7f) {
      return "0x" + Hex(reinterpret_cast<const uint8_t*>(id.data()), id.size());
    }
  }
  return id;
}

json PageJson(const pager_snapshot_page& p) {
  return {{"index", p.index},
          {"engine_page", p.engine_page},
          {"in_parent", (p.flags & PAGER_SNAPSHOT_PAGE_IN_PARENT) != 0},
          {"compressed", (p.flags & PAGER_SNAPSHOT_PAGE_COMPRESSED) != 0},
          {"offset", p.offset_bytes},
          {"stored_bytes", p.stored_bytes},
          {"stored_checksum", p.stored_checksum},
          {"content_hash", ContentHash(p)}};
}

json SeqJson(const SnapshotSeq& s) {
  return {{"id", SeqName(s.id)},
          {"id_hex", Hex(reinterpret_cast<const uint8_t*>(s.id.data()), s.id.size())},
          {"fill_last_page", s.fill_last_page},
          {"pages", s.pages}};
}

}  // namespace pagerctl
