#include "tools/pagerctl/frames.h"

#include <vector>

namespace pagerctl {

namespace {

const char* StateName(uint32_t state) {
  switch (state) {
    case PAGER_WAL_FRAME_COMMITTED: return "committed";
    case PAGER_WAL_FRAME_UNCOMMITTED: return "uncommitted";
    default: return "beyond";
  }
}

const char* StateMeaning(uint32_t state) {
  switch (state) {
    case PAGER_WAL_FRAME_COMMITTED: return "in the chain up to the last valid commit: an open keeps it";
    case PAGER_WAL_FRAME_UNCOMMITTED:
      return "valid, but no valid commit frame ends its transaction: an open drops it";
    default: return "at or after the first frame that breaks the chain: never trusted";
  }
}

std::string Hex64(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::string Hex32(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// A frame slot nobody wrote: the zeros the WAL writes ahead of its appends.
bool ZeroSlot(const pager_wal_frame_info& f) {
  if (f.page_number != 0 || f.commit_page_count != 0 || f.commit_floor_count != 0 ||
      f.salt1 != 0 || f.salt2 != 0 || f.checksum != 0) {
    return false;
  }
  const uint8_t* p = static_cast<const uint8_t*>(f.page);
  for (uint64_t i = 0; i < f.page_bytes; i++) {
    if (p[i] != 0) return false;
  }
  return true;
}

json FrameJson(const pager_wal_frame_info& f) {
  return {{"index", f.index},
          {"offset", f.offset_bytes},
          {"page", f.page_number},
          {"commit_page_count", f.commit_page_count},
          {"commit_floor_count", f.commit_floor_count},
          {"salt1", f.salt1},
          {"salt2", f.salt2},
          {"salts_match", f.salts_match != 0},
          {"checksum", f.checksum},
          {"computed_checksum", f.computed_checksum},
          {"checksum_valid", f.checksum_valid != 0},
          {"well_formed", f.well_formed != 0},
          {"state", StateName(f.state)}};
}

json SummaryJson(const pager_wal_scan_summary& s) {
  return {{"has_header", s.has_header != 0},
          {"page_size", s.page_size},
          {"salt1", s.salt1},
          {"salt2", s.salt2},
          {"base_checkpoint_seq", s.base_checkpoint_seq},
          {"file_bytes", s.file_bytes},
          {"frame_slots", s.frame_slots},
          {"committed_frames", s.committed_frames},
          {"chain_frames", s.chain_frames},
          {"trailing_bytes", s.trailing_bytes}};
}

void PrintSummary(const std::string& path, const pager_wal_scan_summary& s) {
  if (s.has_header == 0) {
    std::printf("%s: WAL sidecar of %llu bytes with no header (empty: no frames)\n", path.c_str(),
                static_cast<unsigned long long>(s.file_bytes));
    return;
  }
  std::printf("%s: WAL sidecar, page size %u, salts %s %s, on checkpoint %llu\n", path.c_str(),
              s.page_size, Hex32(s.salt1).c_str(), Hex32(s.salt2).c_str(),
              static_cast<unsigned long long>(s.base_checkpoint_seq));
  std::printf("  %llu frame slots: %llu committed, %llu uncommitted, %llu beyond the chain; "
              "%llu trailing bytes\n",
              static_cast<unsigned long long>(s.frame_slots),
              static_cast<unsigned long long>(s.committed_frames),
              static_cast<unsigned long long>(s.chain_frames - s.committed_frames),
              static_cast<unsigned long long>(s.frame_slots - s.chain_frames),
              static_cast<unsigned long long>(s.trailing_bytes));
}

void PrintRow(const json& j) {
  uint32_t commit = j["commit_page_count"].get<uint32_t>();
  std::string commit_text = commit == 0 ? "-" : std::to_string(commit) + "/" +
                                                    std::to_string(j["commit_floor_count"].get<uint32_t>());
  char line[256];
  std::snprintf(line, sizeof line, "  %-7llu %-12llu %-8u %-9s %-12s %-9s %s",
                static_cast<unsigned long long>(j["index"].get<uint64_t>()),
                static_cast<unsigned long long>(j["offset"].get<uint64_t>()),
                j["page"].get<uint32_t>(), commit_text.c_str(),
                j["state"].get<std::string>().c_str(),
                j["checksum_valid"].get<bool>() ? "ok" : "MISMATCH",
                j["salts_match"].get<bool>() ? "" : "other generation's salts");
  std::string text = line;
  text.erase(text.find_last_not_of(' ') + 1);
  std::printf("%s\n", text.c_str());
}

// The listing: every frame, but a run of zero slots at the end is one line.
struct Listing {
  json frames = json::array();
  std::vector<json> zero_run;  // zero slots not yet followed by a written frame
  uint64_t zero_first = 0;
};

int ListOne(void* ctx, const pager_wal_frame_info* f) {
  auto* l = static_cast<Listing*>(ctx);
  if (ZeroSlot(*f)) {
    if (l->zero_run.empty()) l->zero_first = f->index;
    l->zero_run.push_back(FrameJson(*f));
    return 0;
  }
  for (json& z : l->zero_run) l->frames.push_back(std::move(z));
  l->zero_run.clear();
  l->frames.push_back(FrameJson(*f));
  return 0;
}

struct One {
  bool found = false;
  pager_wal_frame_info info{};
  std::vector<uint8_t> page;
};

int TakeOne(void* ctx, const pager_wal_frame_info* f) {
  auto* o = static_cast<One*>(ctx);
  o->found = true;
  o->info = *f;
  const uint8_t* p = static_cast<const uint8_t*>(f->page);
  o->page.assign(p, p + f->page_bytes);
  return 0;
}

FrameDump Failed(int code, const std::string& error) {
  FrameDump d;
  d.code = code;
  d.error = error;
  return d;
}

FrameDump List(const std::string& path, bool as_json) {
  Listing l;
  pager_wal_scan_summary s;
  pager_wal_scan_summary_init(&s);
  int rc = pager_wal_scan_frames(path.c_str(), nullptr, ListOne, &l, &s);
  if (rc != PAGER_OK) return Failed(rc, pager_last_error());
  FrameDump d;
  d.body = {{"kind", "frames"}, {"wal", SummaryJson(s)}, {"frames", l.frames},
            {"zero_tail_frames", l.zero_run.size()}};
  if (as_json) return d;
  PrintSummary(path, s);
  if (!l.frames.empty()) {
    std::printf("  %-7s %-12s %-8s %-9s %-12s %s\n", "frame", "offset", "page", "commit",
                "state", "checksum");
  }
  for (const json& j : l.frames) PrintRow(j);
  if (!l.zero_run.empty()) {
    std::printf("  frames %llu..%llu: %zu zero-filled slots (space the WAL writes ahead of its "
                "appends; never written)\n",
                static_cast<unsigned long long>(l.zero_first),
                static_cast<unsigned long long>(l.zero_first + l.zero_run.size() - 1),
                l.zero_run.size());
  }
  return d;
}

FrameDump Single(const std::string& path, uint64_t index, bool as_json) {
  One o;
  pager_wal_scan_options opts;
  pager_wal_scan_options_init(&opts);
  opts.first_frame = index;
  opts.max_frames = 1;
  pager_wal_scan_summary s;
  pager_wal_scan_summary_init(&s);
  int rc = pager_wal_scan_frames(path.c_str(), &opts, TakeOne, &o, &s);
  if (rc != PAGER_OK) return Failed(rc, pager_last_error());
  if (!o.found) {
    return Failed(PAGER_ERR_RANGE, "no frame " + std::to_string(index) + ": the sidecar holds " +
                                       std::to_string(s.frame_slots) + " frame slots");
  }
  FrameDump d;
  json f = FrameJson(o.info);
  f["data_hex"] = Hex(o.page.data(), o.page.size());
  d.body = {{"kind", "frame"}, {"wal", SummaryJson(s)}, {"frame", f}};
  if (as_json) return d;
  const pager_wal_frame_info& i = o.info;
  std::printf("%s: frame %llu at byte offset %llu: page %u, %s\n", path.c_str(),
              static_cast<unsigned long long>(i.index),
              static_cast<unsigned long long>(i.offset_bytes), i.page_number,
              i.commit_page_count == 0
                  ? "inside a transaction"
                  : ("commit frame (page count " + std::to_string(i.commit_page_count) +
                     ", floor " + std::to_string(i.commit_floor_count) + ")").c_str());
  std::printf("  state        %s (%s)\n", StateName(i.state), StateMeaning(i.state));
  std::printf("  salts        %s %s (%s)\n", Hex32(i.salt1).c_str(), Hex32(i.salt2).c_str(),
              i.salts_match ? "this generation's" : "NOT the header's: another generation or damage");
  std::printf("  checksum     stored %s, computed %s: %s\n", Hex64(i.checksum).c_str(),
              Hex64(i.computed_checksum).c_str(), i.checksum_valid ? "valid" : "MISMATCH");
  std::printf("  well-formed  %s\n", i.well_formed ? "yes" : "NO (reserved field or floor rule)");
  HexDump(o.page.data(), o.page.size(), i.offset_bytes + 32);
  return d;
}

}  // namespace

FrameDump DumpWalFrames(const std::string& path, int64_t frame, bool as_json) {
  if (frame < 0) return List(path, as_json);
  return Single(path, static_cast<uint64_t>(frame), as_json);
}

}  // namespace pagerctl
