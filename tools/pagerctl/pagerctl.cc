// pagerctl -- look into libpager files from the shell (step 1: info and verify).
//
//   pagerctl info   [--json] FILE...   format, header, page size, counts, generations, sizes
//   pagerctl verify [--json] FILE...   every checksum and invariant the format has
//
// FILE is a page file, a WAL pager main file or its -wal sidecar, a WAL segment file or a
// segment directory, or a KV-cache snapshot: the format is detected by its magic.
// Exit status (the worst over all FILEs): 0 clean, 1 damaged (verify only; info reports the
// damage and exits 0), 2 cannot tell (missing, locked, not a libpager file, unknown version,
// bad arguments).
//
// Read-only: every check is one of pager.h's pager_*_check functions, which open without
// write access, run no recovery that writes, no checkpoint, and create no file. pagerctl uses
// the public C API only and links libpager.so. Output schema of --json:
// doc/pagerctl.schema.json.
#include <CLI/CLI.hpp>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pager.h"

namespace {

using nlohmann::json;

constexpr int kExitClean = 0;
constexpr int kExitDamaged = 1;
constexpr int kExitCannotTell = 2;

// What one FILE gave: a report, or the error that kept the check from telling.
struct Outcome {
  std::string path;
  uint32_t format = PAGER_FORMAT_UNKNOWN;
  int code = PAGER_OK;  // of detect or check
  std::string error;    // pager_last_error() or pagerctl's own message
  pager_check_report report{};
};

const char* FormatId(uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return "page-file";
    case PAGER_FORMAT_WAL_MAIN: return "wal-main";
    case PAGER_FORMAT_WAL_LOG: return "wal-log";
    case PAGER_FORMAT_WALSEG_SEGMENT: return "walseg-segment";
    case PAGER_FORMAT_WALSEG_DIR: return "walseg-dir";
    case PAGER_FORMAT_SNAPSHOT: return "snapshot";
    default: return "unknown";
  }
}

const char* FormatTitle(uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return "page file";
    case PAGER_FORMAT_WAL_MAIN: return "WAL pager (main file and -wal sidecar)";
    case PAGER_FORMAT_WAL_LOG: return "WAL pager (-wal sidecar; checked with its main file)";
    case PAGER_FORMAT_WALSEG_SEGMENT: return "WAL segment";
    case PAGER_FORMAT_WALSEG_DIR: return "WAL segment directory";
    case PAGER_FORMAT_SNAPSHOT: return "KV-cache snapshot";
    default: return "not a libpager file";
  }
}

int RunCheck(uint32_t format, const char* path, pager_check_report* r) {
  switch (format) {
    case PAGER_FORMAT_FILE: return pager_file_check(path, r);
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG: return pager_wal_check(path, r);
    case PAGER_FORMAT_WALSEG_SEGMENT:
    case PAGER_FORMAT_WALSEG_DIR: return pager_walseg_check(path, r);
    case PAGER_FORMAT_SNAPSHOT: return pager_snapshot_check(path, r);
    default: return PAGER_ERR_INVALID;
  }
}

Outcome Examine(const std::string& path) {
  Outcome o;
  o.path = path;
  o.code = pager_format_detect(path.c_str(), &o.format);
  if (o.code != PAGER_OK) {
    o.error = pager_last_error();
    return o;
  }
  if (o.format == PAGER_FORMAT_UNKNOWN) {
    o.code = PAGER_ERR_INVALID;
    o.error = "no known magic at its start";
    return o;
  }
  pager_check_report_init(&o.report);
  o.code = RunCheck(o.format, path.c_str(), &o.report);
  if (o.code != PAGER_OK) o.error = pager_last_error();
  return o;
}

// Why a check could not tell, in words a shell user acts on.
std::string CannotTell(const Outcome& o) {
  std::string why;
  switch (o.code) {
    case PAGER_ERR_NOT_FOUND: why = "missing"; break;
    case PAGER_ERR_BUSY: why = "locked by a writer"; break;
    case PAGER_ERR_VERSION: why = "unknown format version or feature"; break;
    case PAGER_ERR_READONLY: why = "permission denied"; break;
    case PAGER_ERR_INVALID: why = "not a libpager file"; break;
    default: why = pager_errstr(o.code); break;
  }
  return why + (o.error.empty() ? "" : ": " + o.error);
}

int ExitCodeOf(const Outcome& o, bool verify) {
  if (o.code != PAGER_OK) return kExitCannotTell;
  if (o.report.damage_code != PAGER_OK) return verify ? kExitDamaged : kExitClean;
  return kExitClean;
}

std::string StateOf(const Outcome& o) {
  if (o.code != PAGER_OK) return "error";
  return o.report.damage_code == PAGER_OK ? "clean" : "damaged";
}

// ---- JSON ----------------------------------------------------------------------------------

json ToJson(const Outcome& o) {
  json j;
  j["path"] = o.path;
  j["format"] = FormatId(o.format);
  j["status"] = StateOf(o);
  if (o.code != PAGER_OK) {
    j["error"] = {{"code", pager_errstr(o.code)}, {"message", CannotTell(o)}};
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

// The damage, or with `note` the leftover of an interrupted write: file, byte offset, rule.
void PrintWhere(const pager_check_report& r, const char* label) {
  if (r.damage_file[0] == '\0') return;
  std::string where = r.damage_offset == UINT64_MAX ? std::string("offset unknown")
                                                    : "byte offset " + U(r.damage_offset);
  std::printf("  %-17s %s, %s, rule %s\n", label, r.damage_file, where.c_str(), r.damage_rule);
  std::printf("  %-17s %s\n", "", r.damage_detail);
}

void PrintInfo(const Outcome& o) {
  const pager_check_report& r = o.report;
  std::printf("%s: %s, format version %u\n", o.path.c_str(), FormatTitle(o.format),
              r.format_version);
  switch (o.format) {
    case PAGER_FORMAT_FILE:
      Line("page size", U(r.page_size) + " bytes");
      Line("file size", U(r.file_bytes) + " bytes");
      Line("generation", U(r.generation) + " (meta)");
      Line("pages", U(r.page_count) + " (" + U(r.page_count - r.free_page_count) + " used, " +
                        U(r.free_page_count) + " free)");
      Line("free space", U(r.free_page_count * r.page_size) + " bytes");
      Line("protected pages", U(r.protected_count));
      break;
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
      Line("page size", U(r.page_size) + " bytes");
      Line("file size", U(r.file_bytes) + " bytes (main file and -wal)");
      Line("generation", U(r.generation) + " (checkpoint sequence of the main header)");
      Line("pages", U(r.page_count) + " committed (page 0 included)");
      Line("wal frames", U(r.frame_count) + " committed, not yet checkpointed");
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
  for (const std::string& f : files) {
    Outcome o = Examine(f);
    status = std::max(status, ExitCodeOf(o, verify));
    if (as_json) {
      all.push_back(ToJson(o));
    } else if (o.code != PAGER_OK) {
      std::fprintf(stderr, "pagerctl: %s: cannot tell: %s\n", f.c_str(), CannotTell(o).c_str());
    } else if (verify) {
      PrintVerify(o);
    } else {
      PrintInfo(o);
    }
  }
  if (as_json) {
    json out = {{"tool", "pagerctl"},
                {"version", pager_version_string()},
                {"command", verify ? "verify" : "info"},
                {"exit_status", status},
                {"files", all}};
    std::cout << out.dump(2) << "\n";
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pagerctl -- look into libpager files (page file, WAL pager, WAL segments, "
               "KV-cache snapshot) without writing them.\n"
               "Exit status: 0 clean, 1 damaged (verify), 2 cannot tell (missing, locked, not a "
               "libpager file, unknown version, bad arguments).\n"
               "Not yet: dump, replay --follow, checkpoint, recover, copy, snapshot diff, cold "
               "reap.",
               "pagerctl"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", std::string("pagerctl (libpager ") +
                                        pager_version_string() + ")");
  std::vector<std::string> files;
  bool as_json = false;
  CLI::App* info = app.add_subcommand(
      "info", "Format, header, page size, counts, generations, sizes and free space of each "
              "FILE. Exit 0 (damage is shown), 2 cannot tell.");
  CLI::App* verify = app.add_subcommand(
      "verify", "Every checksum and invariant of each FILE (what the library's open and "
                "recovery check). Exit 0 clean, 1 damaged, 2 cannot tell.");
  for (CLI::App* sub : {info, verify}) {
    sub->add_option("FILE", files, "page file, WAL main file or -wal, WAL segment or segment "
                                   "directory, snapshot")
        ->required();
    sub->add_flag("--json", as_json, "machine-readable output (doc/pagerctl.schema.json)");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitCannotTell;
  }
  return Run(files, verify->parsed(), as_json);
}
