// pagerctl dump: the bytes of one page (page file; WAL pager: the latest committed view), the
// frames of a WAL sidecar or one of them (frames.cc), a record range of a WAL segment or segment directory, or a snapshot's page and sequence
// tables; hex (xxd-like) by default, --json for scripts. Read-only: every open is read-only
// (shared lock; a writer's exclusive lock makes it "cannot tell", exit 2).
#include <memory>
#include <string>
#include <vector>

#include "tools/pagerctl/common.h"
#include "tools/pagerctl/frames.h"
#include "tools/pagerctl/records.h"
#include "tools/pagerctl/snapshot_tables.h"

namespace pagerctl {

namespace {

struct Args {
  std::string path;
  int64_t page = -1;
  int64_t frame = -1;
  bool frames = false;
  uint64_t from_lsn = 0;
  uint64_t count = UINT64_MAX;
  bool as_json = false;
};

// What a dump produced: the JSON body (format-specific fields) or an error.
struct Dumped {
  int code = PAGER_OK;
  std::string error;
  json body = json::object();
};

Dumped Failed(int code, const std::string& error) {
  Dumped d;
  d.code = code;
  d.error = error;
  return d;
}

Dumped PageBytes(const std::vector<uint8_t>& bytes, uint64_t page, uint32_t page_size,
                 json offset, const Args& a) {
  Dumped d;
  d.body = {{"kind", "page"}, {"page", page}, {"page_size", page_size}, {"offset", offset}};
  if (a.as_json) {
    d.body["data_hex"] = Hex(bytes.data(), bytes.size());
  } else {
    std::printf("%s: page %llu (%u bytes)%s\n", a.path.c_str(),
                static_cast<unsigned long long>(page), page_size,
                offset.is_null() ? ", latest committed content"
                                 : (", byte offset " + offset.dump()).c_str());
    HexDump(bytes.data(), bytes.size(), offset.is_null() ? 0 : offset.get<uint64_t>());
  }
  return d;
}

Dumped FilePage(const Args& a) {
  if (a.page < 0) return Failed(PAGER_ERR_INVALID, "give the page to dump: --page N");
  pager_file_options o;
  pager_file_options_init(&o);
  o.read_only = 1;
  uint64_t size = SizeOnDisk(a.path);
  o.max_size_bytes = ((size >> 20) + 1) << 20;  // no more address space than the file needs
  pager_file* f = nullptr;
  int rc = pager_file_open(a.path.c_str(), &o, &f);
  if (rc != PAGER_OK) return Failed(rc, pager_last_error());
  uint32_t page_size = 0;
  const void* data = nullptr;
  rc = pager_file_page_size(f, &page_size);
  if (rc == PAGER_OK) rc = pager_file_page_const(f, static_cast<uint64_t>(a.page), &data);
  Dumped d;
  if (rc != PAGER_OK) {
    d = Failed(rc, pager_last_error());
  } else {
    const uint8_t* b = static_cast<const uint8_t*>(data);
    d = PageBytes(std::vector<uint8_t>(b, b + page_size), a.page, page_size,
                  json(static_cast<uint64_t>(a.page) * page_size), a);
  }
  pager_file_close(f);
  return d;
}

// The sidecar's frames (--frames, or a -wal with no --page) or one frame (--frame N).
Dumped WalFrames(const Args& a) {
  FrameDump f = DumpWalFrames(a.path, a.frame, a.as_json);
  Dumped d;
  d.code = f.code;
  d.error = f.error;
  d.body = f.body;
  return d;
}

Dumped WalPage(const Args& a, uint32_t format) {
  if (a.frame >= 0 || a.frames || (format == PAGER_FORMAT_WAL_LOG && a.page < 0)) {
    return WalFrames(a);
  }
  if (a.page < 1) return Failed(PAGER_ERR_INVALID, "give the page to dump: --page N (N >= 1; "
                                                   "page 0 is the library's header), or "
                                                   "--frames / --frame N for the -wal's frames");
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = PAGER_WAL_READ_ONLY_KEEP_FILES;  // a stale -shm is read around, not rebuilt
  pager_wal* w = nullptr;
  // A read-only open beside a writer reads the latest commit through the shared index.
  int rc = pager_wal_open(WalMainOf(a.path, format).c_str(), &o, &w);
  if (rc != PAGER_OK) return Failed(rc, pager_last_error());
  uint32_t page_size = 0;
  rc = pager_wal_page_size(w, &page_size);
  std::vector<uint8_t> buf(page_size);
  if (rc == PAGER_OK) {
    rc = pager_wal_read_page(w, static_cast<uint32_t>(a.page), buf.data(), buf.size());
  }
  Dumped d = rc != PAGER_OK ? Failed(rc, pager_last_error())
                            : PageBytes(buf, a.page, page_size, json(nullptr), a);
  pager_wal_close(w);
  return d;
}

Dumped Records(const Args& a, bool is_dir) {
  Dumped d;
  json records = json::array();
  uint64_t n = 0;
  Stop stop;
  auto each = [&](const pager_walseg_record& rec) {
    if (n >= a.count) return false;
    n++;
    if (a.as_json) {
      records.push_back(RecordJson(rec));
    } else {
      std::printf("LSN %llu  type %u  %llu bytes  at offset %llu\n",
                  static_cast<unsigned long long>(rec.lsn), rec.type,
                  static_cast<unsigned long long>(rec.len),
                  static_cast<unsigned long long>(rec.offset));
      HexDump(rec.data, rec.len, 0);
    }
    return true;
  };
  int rc = ForEachRecord(a.path, is_dir, a.from_lsn, each, &stop, &d.error);
  if (rc != PAGER_OK) return Failed(rc, d.error);
  d.body = {{"kind", "records"}, {"records", records}, {"stop", StopJson(stop)}};
  if (!a.as_json) {
    std::printf("%llu records; stop: %s at offset %llu%s%s\n",
                static_cast<unsigned long long>(n), StopName(stop.reason),
                static_cast<unsigned long long>(stop.offset), stop.detail.empty() ? "" : ": ",
                stop.detail.c_str());
  }
  return d;
}

Dumped SnapshotTablesOf(const Args& a) {
  SnapshotTables t;
  Dumped d;
  int rc = LoadTables(a.path, &t, &d.error);
  if (rc != PAGER_OK) return Failed(rc, d.error);
  json pages = json::array(), seqs = json::array();
  for (const pager_snapshot_page& p : t.pages) pages.push_back(PageJson(p));
  for (const SnapshotSeq& s : t.seqs) seqs.push_back(SeqJson(s));
  d.body = {{"kind", "snapshot"}, {"pages", pages}, {"sequences", seqs}};
  if (a.as_json) return d;
  std::printf("%s: %zu pages, %zu sequences\n", a.path.c_str(), t.pages.size(), t.seqs.size());
  std::printf("  %-6s %-6s %-10s %-12s %-10s %s\n", "page", "slot", "where", "offset", "bytes",
              "content hash");
  for (const pager_snapshot_page& p : t.pages) {
    bool parent = (p.flags & PAGER_SNAPSHOT_PAGE_IN_PARENT) != 0;
    std::printf("  %-6llu %-6u %-10s %-12llu %-10llu %s\n",
                static_cast<unsigned long long>(p.index), p.engine_page,
                parent ? "parent" : ((p.flags & PAGER_SNAPSHOT_PAGE_COMPRESSED) ? "zstd" : "here"),
                static_cast<unsigned long long>(p.offset_bytes),
                static_cast<unsigned long long>(p.stored_bytes), ContentHash(p).c_str());
  }
  for (const SnapshotSeq& s : t.seqs) {
    std::string list;
    for (uint32_t p : s.pages) list += (list.empty() ? "" : " ") + std::to_string(p);
    std::printf("  sequence %s: %zu pages [%s], %u tokens in the last\n",
                SeqName(s.id).c_str(), s.pages.size(), list.c_str(), s.fill_last_page);
  }
  return d;
}

Dumped DumpOne(const Args& a, uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return FilePage(a);
    case PAGER_FORMAT_FILE_JOURNAL: {  // the page as its page file holds it
      Args main = a;
      main.path = MainOf(a.path, format);
      return FilePage(main);
    }
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
    case PAGER_FORMAT_WAL_SHM: return WalPage(a, format);
    case PAGER_FORMAT_WALSEG_SEGMENT: return Records(a, false);
    case PAGER_FORMAT_WALSEG_DIR: return Records(a, true);
    case PAGER_FORMAT_SNAPSHOT: return SnapshotTablesOf(a);
    default: return Failed(PAGER_ERR_INVALID, "no known magic at its start");
  }
}

int Run(const Args& a) {
  uint32_t format = PAGER_FORMAT_UNKNOWN;
  Dumped d;
  d.code = DetectOrExplain(a.path, &format, &d.error);
  if (d.code == PAGER_OK) d = DumpOne(a, format);
  int status = d.code == PAGER_OK ? kExitClean : kExitCannotTell;
  if (!a.as_json) return d.code == PAGER_OK ? status : CannotTell(a.path, d.code, d.error);
  json out = Envelope("dump", status);
  out["path"] = a.path;
  out["format"] = FormatId(format);
  if (d.code != PAGER_OK) {
    out["error"] = ErrorJson(a.path, d.code, d.error);
  } else {
    out.update(d.body);
  }
  PrintJson(out);
  return status;
}

}  // namespace

void AddDump(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "dump", "The bytes of one page (page file; WAL pager: its latest committed content), the "
              "frames of a WAL pager's -wal sidecar (--frames; the default for a -wal) or one "
              "frame with its header and page (--frame N; frames past the last valid commit "
              "are shown as such), the records of a WAL segment or segment directory (--from, "
              "--count), or a snapshot's page and sequence tables. Hex by default. Exit 0, 2 "
              "cannot tell (missing, locked, not allocated, no such page or frame).");
  sub->add_option("FILE", args->path, "page file or -journal, WAL main file or -wal, WAL segment or "
                                      "segment directory, snapshot")
      ->required();
  sub->add_option("--page", args->page, "page number (page file, WAL pager)");
  sub->add_option("--frame", args->frame, "frame index in the -wal sidecar (WAL pager): its "
                                          "header, state, checksum verdict and page bytes");
  sub->add_flag("--frames", args->frames, "list every frame of the -wal sidecar (WAL pager)");
  sub->add_option("--from", args->from_lsn, "first LSN of the record range (WAL segments)");
  sub->add_option("--count", args->count, "at most this many records (WAL segments)");
  sub->add_flag("--json", args->as_json, "machine-readable output (doc/pagerctl.schema.json)");
  sub->final_callback([args] { g_exit = Run(*args); });
}

}  // namespace pagerctl
