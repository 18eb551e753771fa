// pagerctl info and verify: the check of each FILE (pager.h section "check").
//
//   pagerctl info   [--json] FILE...   format, header, page size, counts, generations, sizes
//   pagerctl verify [--json] FILE...   every checksum and invariant the format has
//
// Exit status (the worst over all FILEs): 0 clean, 1 damaged (verify only; info reports the
// damage and exits 0), 2 cannot tell. Read-only: every check is one of pager.h's
// pager_*_check functions (no recovery that writes, no checkpoint, no file created).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tools/pagerctl/check.h"
#include "tools/pagerctl/common.h"

namespace pagerctl {

namespace {

int ExitCodeOf(const Outcome& o, bool verify) {
  if (o.code != PAGER_OK) return kExitCannotTell;
  if (o.report.damage_code != PAGER_OK) return verify ? kExitDamaged : kExitClean;
  return kExitClean;
}

std::string StateOf(const Outcome& o) {
  if (o.code != PAGER_OK) return "error";
  return o.report.damage_code == PAGER_OK ? "clean" : "damaged";
}

// The -shm index of a WAL pager, as JSON names it.
const char* IndexStateId(uint32_t state) {
  switch (state) {
    case PAGER_WAL_INDEX_CURRENT: return "current";
    case PAGER_WAL_INDEX_STALE: return "stale";
    default: return "none";
  }
}

// ---- JSON ----------------------------------------------------------------------------------

json ToJson(const Outcome& o) {
  json j;
  j["path"] = o.path;
  j["format"] = FormatId(o.format);
  j["status"] = StateOf(o);
  if (o.code != PAGER_OK) {
    j["error"] = ErrorJson(o.path, o.code, o.error);
    return j;
  }
  const pager_check_report& r = o.report;
  j["format_version"] = r.format_version;
  j["page_size"] = r.page_size;
  j["file_bytes"] = r.file_bytes;
  j["generation"] = r.generation;
  j["page_count"] = r.page_count;
  j["free_page_count"] = r.free_page_count;
  j["free_bytes"] = r.free_page_count * r.page_size;
  j["protected_count"] = r.protected_count;
  j["frame_count"] = r.frame_count;
  j["record_count"] = r.record_count;
  j["segment_count"] = r.segment_count;
  j["first_lsn"] = r.first_lsn;
  j["last_lsn"] = r.last_lsn;
  j["interrupted"] = r.interrupted != 0;
  if (IsWalPager(o.format)) {
    j["index"] = {{"state", IndexStateId(r.index_state)}, {"readers", r.index_readers}};
  }
  if (IsPageFile(o.format) && r.format_version >= 2) {
    j["journal"] = {{"bytes", r.journal_bytes},
                    {"batches", r.journal_batches},
                    {"pages", r.journal_pages}};
  }
  json where = nullptr;
  if (r.damage_file[0] != '\0') {
    where = {{"file", r.damage_file}, {"rule", r.damage_rule}, {"detail", r.damage_detail}};
    where["offset"] = r.damage_offset == UINT64_MAX ? json(nullptr) : json(r.damage_offset);
  }
  bool damaged = r.damage_code != PAGER_OK;
  j["damage"] = damaged ? where : json(nullptr);
  j["leftover"] = damaged ? json(nullptr) : where;
  return j;
}

// ---- text ----------------------------------------------------------------------------------

void Line(const char* name, const std::string& value) {
  std::printf("  %-17s %s\n", name, value.c_str());
}
std::string U(uint64_t v) { return std::to_string(v); }

// A format-2 page file's -journal in words (doc/format/page-journal.md).
std::string JournalText(const pager_check_report& r) {
  if (r.journal_bytes == 0) return "none (created by the first read-write open)";
  std::string size = U(r.journal_bytes) + " bytes, ";
  if (r.journal_batches == 0) return size + "empty (every commit is in the file)";
  return size + U(r.journal_batches) + (r.journal_batches == 1 ? " batch (" : " batches (") +
         U(r.journal_pages) + " pages) committed, not yet applied to the file (the next "
         "read-write open applies them; shown here as applied)";
}

// The damage, or with `note` the leftover of an interrupted write: file, byte offset, rule.
void PrintWhere(const pager_check_report& r, const char* label) {
  if (r.damage_file[0] == '\0') return;
  std::string where = r.damage_offset == UINT64_MAX ? std::string("offset unknown")
                                                    : "byte offset " + U(r.damage_offset);
  std::printf("  %-17s %s, %s, rule %s\n", label, r.damage_file, where.c_str(), r.damage_rule);
  std::printf("  %-17s %s\n", "", r.damage_detail);
}

// The -shm index of a WAL pager in words (never damage: every open verifies it, rebuilds
// what it cannot believe).
std::string IndexText(const pager_check_report& r) {
  std::string readers = U(r.index_readers) + (r.index_readers == 1 ? " live reader" : " live readers");
  switch (r.index_state) {
    case PAGER_WAL_INDEX_CURRENT: return "-shm current, " + readers;
    case PAGER_WAL_INDEX_STALE:
      return "-shm stale (another generation, garbled or from a crash; the next open "
             "rebuilds it), " + readers;
    default: return "none (no -shm: no handle has the database open)";
  }
}

void PrintInfo(const Outcome& o) {
  const pager_check_report& r = o.report;
  std::printf("%s: %s, format version %u\n", o.path.c_str(), FormatTitle(o.format),
              r.format_version);
  switch (o.format) {
    case PAGER_FORMAT_FILE:
    case PAGER_FORMAT_FILE_JOURNAL:
      Line("page size", U(r.page_size) + " bytes");
      Line("file size", U(r.file_bytes) + " bytes");
      Line("generation", U(r.generation) + " (meta)");
      Line("pages", U(r.page_count) + " (" + U(r.page_count - r.free_page_count) + " used, " +
                        U(r.free_page_count) + " free)");
      Line("free space", U(r.free_page_count * r.page_size) + " bytes");
      Line("protected pages", U(r.protected_count));
      if (r.format_version >= 2) Line("journal", JournalText(r));
      break;
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
    case PAGER_FORMAT_WAL_SHM:
      Line("page size", U(r.page_size) + " bytes");
      Line("file size", U(r.file_bytes) + " bytes (main file and -wal)");
      Line("generation", U(r.generation) + " (checkpoint sequence of the main header)");
      Line("pages", U(r.page_count) + " committed (page 0 included)");
      Line("wal frames", U(r.frame_count) + " committed, not yet checkpointed");
      Line("shared index", IndexText(r));
      break;
    case PAGER_FORMAT_WALSEG_SEGMENT:
    case PAGER_FORMAT_WALSEG_DIR:
      Line("file size", U(r.file_bytes) + " bytes");
      Line("segments", U(r.segment_count));
      Line("records", U(r.record_count));
      Line("lsn range", r.record_count == 0 ? std::string("none")
                                            : U(r.first_lsn) + " .. " + U(r.last_lsn));
      break;
    case PAGER_FORMAT_SNAPSHOT:
      Line("file size", U(r.file_bytes) + " bytes");
      Line("snapshot id", U(r.generation));
      Line("pages", U(r.page_count));
      Line("sequences", U(r.record_count));
      break;
    default: break;
  }
  if (r.damage_code == PAGER_OK) {
    Line("state", r.interrupted ? "clean (leftovers of an interrupted write, which recovery "
                                  "discards)"
                                : "clean");
    PrintWhere(r, "leftover");
  } else {
    Line("state", "DAMAGED");
    PrintWhere(r, "damage");
  }
}

void PrintVerify(const Outcome& o) {
  const pager_check_report& r = o.report;
  if (r.damage_code == PAGER_OK) {
    std::printf("%s: OK (%s%s)\n", o.path.c_str(), FormatTitle(o.format),
                r.interrupted ? "; leftovers of an interrupted write, discarded by recovery"
                              : "");
    PrintWhere(r, "leftover");
    return;
  }
  std::printf("%s: DAMAGED (%s)\n", o.path.c_str(), FormatTitle(o.format));
  PrintWhere(r, "damage");
}

int Run(const std::vector<std::string>& files, bool verify, bool as_json) {
  int status = kExitClean;
  json all = json::array();
  uint64_t total = 0, done = 0;
  for (const std::string& f : files) total += SizeOnDisk(f);
  ProgressBar bar(verify ? "verify" : "info", total);
  for (const std::string& f : files) {
    Outcome o = Examine(f);
    bar.Update(done += SizeOnDisk(f));
    status = std::max(status, ExitCodeOf(o, verify));
    if (as_json) {
      all.push_back(ToJson(o));
    } else if (o.code != PAGER_OK) {
      (void)CannotTell(f, o.code, o.error);
    } else if (verify) {
      PrintVerify(o);
    } else {
      PrintInfo(o);
    }
  }
  if (as_json) {
    json out = Envelope(verify ? "verify" : "info", status);
    out["files"] = all;
    PrintJson(out);
  }
  return status;
}


}  // namespace

void AddInfoVerify(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    bool as_json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* info = app.add_subcommand(
      "info", "Format, header, page size, counts, generations, sizes and free space of each "
              "FILE. Exit 0 (damage is shown), 2 cannot tell.");
  CLI::App* verify = app.add_subcommand(
      "verify", "Every checksum and invariant of each FILE (what the library's open and "
                "recovery check). Exit 0 clean, 1 damaged, 2 cannot tell.");
  for (CLI::App* sub : {info, verify}) {
    sub->add_option("FILE", args->files, "page file or its -journal, WAL main file or -wal, "
                                         "WAL segment or segment directory, snapshot")
        ->required();
    sub->add_flag("--json", args->as_json, "machine-readable output (doc/pagerctl.schema.json)");
    bool is_verify = sub == verify;
    sub->final_callback([args, is_verify] { g_exit = Run(args->files, is_verify, args->as_json); });
  }
}

}  // namespace pagerctl
