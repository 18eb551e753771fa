// pagerctl checkpoint, recover and copy: the commands that write (checkpoint, recover
// --apply, copy's DST) or take a file's lock to read it whole (copy's SRC).
//
//   checkpoint DB [--mode passive|full|truncate]   pager_wal_checkpoint on a read-write open
//   recover FILE [--apply]   what a reopen keeps and drops (read-only: the check); --apply
//                            writes a backup copy next to FILE, then reopens read-write
//   copy SRC DST [--wait[=SECONDS]]   page file and snapshot: byte copy under a shared lock
//                            (BUSY while a writer holds it); WAL pager: every committed page
//                            read through a read-only open into a new database
#include <memory>
#include <string>
#include <vector>

#include "tools/pagerctl/check.h"
#include "tools/pagerctl/common.h"
#include "tools/pagerctl/fsutil.h"

namespace pagerctl {

namespace {

// --wait: -1 forever, 0 (default) not at all, N seconds.
int64_t LockTimeoutMs(int64_t wait_s) { return wait_s < 0 ? -1 : wait_s * 1000; }

// A command's outcome: PAGER_OK with a JSON body, or a code and its detail.
struct Outcome2 {
  int code = PAGER_OK;
  std::string error;
  json body = json::object();
};

Outcome2 Err(int code, const std::string& error) {
  Outcome2 o;
  o.code = code;
  o.error = error;
  return o;
}

int Finish(const std::string& command, const std::string& path, uint32_t format,
           const Outcome2& o, int ok_status, bool as_json) {
  int status = o.code == PAGER_OK ? ok_status : kExitCannotTell;
  if (!as_json) return o.code == PAGER_OK ? status : CannotTell(path, o.code, o.error);
  json out = Envelope(command, status);
  out["path"] = path;
  out["format"] = FormatId(format);
  if (o.code != PAGER_OK) {
    out["error"] = ErrorJson(path, o.code, o.error);
  } else {
    out.update(o.body);
  }
  PrintJson(out);
  return status;
}

// ---- checkpoint ----------------------------------------------------------------------------

struct CheckpointArgs {
  std::string db;
  std::string mode = "passive";
  int64_t wait_s = 0;
  bool as_json = false;
};

uint32_t ModeOf(const std::string& m) {
  if (m == "full") return PAGER_WAL_CHECKPOINT_FULL;
  if (m == "truncate") return PAGER_WAL_CHECKPOINT_TRUNCATE;
  return PAGER_WAL_CHECKPOINT_PASSIVE;
}

Outcome2 Checkpoint(const CheckpointArgs& a, const std::string& main_path) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.auto_checkpoint_frames = 0;
  o.lock_timeout_ms = LockTimeoutMs(a.wait_s);
  pager_wal* w = nullptr;
  int rc = pager_wal_open(main_path.c_str(), &o, &w);  // recovery checkpoints what it finds
  if (rc != PAGER_OK) return Err(rc, pager_last_error());
  pager_wal_checkpoint_options co;
  pager_wal_checkpoint_options_init(&co);
  co.mode = ModeOf(a.mode);
  uint32_t pages = 0;
  pager_wal_stats st;
  pager_wal_stats_init(&st);
  rc = pager_wal_checkpoint(w, &co, &pages);
  if (rc == PAGER_OK) rc = pager_wal_get_stats(w, &st);
  Outcome2 out = rc != PAGER_OK ? Err(rc, pager_last_error()) : Outcome2{};
  pager_wal_close(w);
  if (rc != PAGER_OK) return out;
  uint64_t wal_bytes = SizeOnDisk(main_path + "-wal");
  out.body = {{"mode", a.mode},
              {"pages_checkpointed", st.pages_checkpointed},
              {"wal_frames", st.wal_frames},
              {"wal_bytes", wal_bytes}};
  if (!a.as_json) {
    std::printf("%s: checkpoint (%s): %llu pages copied into the main file (recovery at open "
                "included); -wal now %llu bytes, %llu frames\n",
                a.db.c_str(), a.mode.c_str(),
                static_cast<unsigned long long>(st.pages_checkpointed),
                static_cast<unsigned long long>(wal_bytes),
                static_cast<unsigned long long>(st.wal_frames));
  }
  return out;
}

int RunCheckpoint(const CheckpointArgs& a) {
  uint32_t format = PAGER_FORMAT_UNKNOWN;
  std::string error;
  int rc = DetectOrExplain(a.db, &format, &error);
  if (rc == PAGER_OK && !IsWalPager(format)) {
    rc = PAGER_ERR_INVALID;
    error = std::string("checkpoint takes a WAL pager database; this is ") + FormatTitle(format);
  }
  Outcome2 o = rc != PAGER_OK ? Err(rc, error) : Checkpoint(a, WalMainOf(a.db, format));
  return Finish("checkpoint", a.db, format, o, kExitClean, a.as_json);
}

// ---- recover -------------------------------------------------------------------------------

struct RecoverArgs {
  std::string path;
  bool apply = false;
  bool as_json = false;
};

std::string U(uint64_t v) { return std::to_string(v); }

// What a reopen keeps, in words, from the check's report.
std::string Keeps(const Outcome& o) {
  const pager_check_report& r = o.report;
  switch (o.format) {
    case PAGER_FORMAT_FILE:
    case PAGER_FORMAT_FILE_JOURNAL:
      return "the state of meta generation " + U(r.generation) + ": " + U(r.page_count) +
             " pages (" + U(r.page_count - r.free_page_count) + " used), " +
             U(r.protected_count) + " protected";
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
    case PAGER_FORMAT_WAL_SHM:
      return U(r.frame_count) + " committed frames, checkpointed into the main file (" +
             U(r.page_count) + " pages)";
    case PAGER_FORMAT_WALSEG_SEGMENT:
    case PAGER_FORMAT_WALSEG_DIR:
      return r.record_count == 0 ? std::string("no records")
                                 : U(r.record_count) + " records, LSN " + U(r.first_lsn) +
                                       " .. " + U(r.last_lsn);
    default:
      return "everything: a snapshot is written once and has nothing to recover";
  }
}

json Where(const pager_check_report& r) {
  json w = {{"file", r.damage_file}, {"rule", r.damage_rule}, {"detail", r.damage_detail}};
  w["offset"] = r.damage_offset == UINT64_MAX ? json(nullptr) : json(r.damage_offset);
  return w;
}

int Backup(const Outcome& o, std::string* backup, std::string* error) {
  *backup = BackupPath(MainOf(o.path, o.format));
  uint64_t done = 0;
  switch (o.format) {
    case PAGER_FORMAT_WALSEG_DIR: return CopyDirFiles(o.path, *backup, nullptr, error);
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
    case PAGER_FORMAT_WAL_SHM: {
      std::string main_path = WalMainOf(o.path, o.format);
      int rc = CopyFileBytes(main_path, *backup, nullptr, &done, error);
      if (rc == PAGER_OK && Exists(main_path + "-wal")) {
        rc = CopyFileBytes(main_path + "-wal", *backup + "-wal", nullptr, &done, error);
      }
      return rc;
    }
    case PAGER_FORMAT_FILE:
    case PAGER_FORMAT_FILE_JOURNAL: {  // the journal holds commits the file may not have yet
      std::string main_path = MainOf(o.path, o.format);
      int rc = CopyFileBytes(main_path, *backup, nullptr, &done, error);
      if (rc == PAGER_OK && Exists(main_path + "-journal")) {
        rc = CopyFileBytes(main_path + "-journal", *backup + "-journal", nullptr, &done, error);
      }
      return rc;
    }
    default: return CopyFileBytes(o.path, *backup, nullptr, &done, error);
  }
}

// Reopens read-write and closes: the component's own recovery makes the plan so.
int Reopen(const Outcome& o, std::string* error) {
  int rc = PAGER_OK;
  if (IsPageFile(o.format)) {
    std::string main_path = MainOf(o.path, o.format);
    pager_file* f = nullptr;
    pager_file_options fo;
    pager_file_options_init(&fo);
    // The journal's chain may extend the file (doc/format/page-journal.md): room for both.
    uint64_t bytes = SizeOnDisk(main_path) + SizeOnDisk(main_path + "-journal");
    fo.max_size_bytes = ((bytes >> 20) + 1) << 20;
    rc = pager_file_open(main_path.c_str(), &fo, &f);
    pager_file_close(f);
  } else if (IsWalPager(o.format)) {
    pager_wal* w = nullptr;
    rc = pager_wal_open(WalMainOf(o.path, o.format).c_str(), nullptr, &w);
    pager_wal_close(w);
  } else if (o.format == PAGER_FORMAT_WALSEG_DIR) {
    pager_walseg_writer* w = nullptr;
    rc = pager_walseg_writer_open(o.path.c_str(), nullptr, &w);
    if (rc == PAGER_OK) rc = pager_walseg_writer_close(w);
  }
  if (rc != PAGER_OK) *error = pager_last_error();
  return rc;
}

Outcome2 Recover(const RecoverArgs& a, const Outcome& o, int* status) {
  const pager_check_report& r = o.report;
  bool damaged = r.damage_code != PAGER_OK;
  bool has_leftover = r.interrupted && r.damage_file[0] != '\0';
  Outcome2 out;
  out.body = {{"status", damaged ? "damaged" : "clean"},
              {"keep", damaged ? json(nullptr) : json(Keeps(o))},
              {"drop", has_leftover ? Where(r) : json(nullptr)},
              {"damage", damaged ? Where(r) : json(nullptr)},
              {"applied", false},
              {"backup", nullptr}};
  *status = damaged ? kExitDamaged : kExitClean;
  if (!a.as_json) {
    std::printf("%s: %s\n", a.path.c_str(), FormatTitle(o.format));
    if (damaged) {
      std::printf("  damaged           %s, rule %s: %s\n  a reopen refuses it or stops at the "
                  "damage; nothing applied\n",
                  r.damage_file, r.damage_rule, r.damage_detail);
    } else {
      std::printf("  a reopen keeps    %s\n", Keeps(o).c_str());
      std::printf("  and drops         %s\n",
                  has_leftover ? (std::string(r.damage_file) + ": " + r.damage_detail).c_str()
                               : "nothing");
    }
  }
  if (!a.apply || damaged || o.format == PAGER_FORMAT_SNAPSHOT) return out;
  if (o.format == PAGER_FORMAT_WALSEG_SEGMENT) {
    return Err(PAGER_ERR_INVALID, "--apply recovers a segment directory; give the directory "
                                  "that holds this segment");
  }
  std::string backup, error;
  int rc = Backup(o, &backup, &error);
  if (rc != PAGER_OK) return Err(rc, "backup copy: " + error);
  if (!a.as_json) std::printf("  backup            %s\n", backup.c_str());
  rc = Reopen(o, &error);
  if (rc != PAGER_OK) return Err(rc, error + " (the backup " + backup + " is intact)");
  out.body["applied"] = true;
  out.body["backup"] = backup;
  if (!a.as_json) std::printf("  applied           reopened read-write: recovery done\n");
  return out;
}

int RunRecover(const RecoverArgs& a) {
  Outcome o = Examine(a.path);
  int status = kExitClean;
  Outcome2 r = o.code != PAGER_OK ? Err(o.code, o.error) : Recover(a, o, &status);
  return Finish("recover", a.path, o.format, r, status, a.as_json);
}

// ---- copy ----------------------------------------------------------------------------------

struct CopyArgs {
  std::string src, dst;
  int64_t wait_s = 0;
  bool as_json = false;
};

// Page file: the shared lock of a read-only open keeps writers out while the bytes are read.
// A format-2 file's state is its main file and its -journal together (after a crash the
// journal may hold commits the main file lacks), so both are copied under that lock; the
// copy's first read-write open applies what the journal holds.
Outcome2 CopyPageFile(const CopyArgs& a, const std::string& src, ProgressBar* bar) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.read_only = 1;
  o.lock_timeout_ms = LockTimeoutMs(a.wait_s);
  o.max_size_bytes = ((SizeOnDisk(src) >> 20) + 1) << 20;
  pager_file* f = nullptr;
  int rc = pager_file_open(src.c_str(), &o, &f);
  if (rc != PAGER_OK) return Err(rc, pager_last_error());
  std::string error;
  uint64_t done = 0;
  rc = CopyFileBytes(src, a.dst, bar, &done, &error);
  if (rc == PAGER_OK && Exists(src + "-journal")) {
    rc = CopyFileBytes(src + "-journal", a.dst + "-journal", bar, &done, &error);
  }
  pager_file_close(f);
  return rc != PAGER_OK ? Err(rc, error) : Outcome2{};
}

// Snapshot: written once, never changed in place; segment directory: sealed segments never
// change and a copy cut mid-append ends in a torn tail the next opener cuts.
Outcome2 CopyBytes(const CopyArgs& a, bool dir, ProgressBar* bar) {
  std::string error;
  uint64_t done = 0;
  int rc = dir ? CopyDirFiles(a.src, a.dst, bar, &error)
               : CopyFileBytes(a.src, a.dst, bar, &done, &error);
  return rc != PAGER_OK ? Err(rc, error) : Outcome2{};
}

// Every page of one read transaction's snapshot (one commit, whatever a writer beside it
// commits or checkpoints meanwhile) into the new database.
int CopyWalPages(pager_wal* from, pager_wal* to, uint32_t page_size, ProgressBar* bar) {
  pager_wal_read_txn* snap = nullptr;
  int rc = pager_wal_read_txn_begin(from, &snap);
  if (rc != PAGER_OK) return rc;
  uint32_t count = 0;
  std::vector<uint8_t> buf(page_size > PAGER_WAL_APP_HEADER_SIZE ? page_size
                                                                 : PAGER_WAL_APP_HEADER_SIZE);
  rc = pager_wal_read_txn_page_count(snap, &count);
  if (rc == PAGER_OK) {
    rc = pager_wal_read_txn_read_app_header(snap, buf.data(), PAGER_WAL_APP_HEADER_SIZE);
  }
  if (rc == PAGER_OK) rc = pager_wal_stage_app_header(to, buf.data(), PAGER_WAL_APP_HEADER_SIZE);
  if (rc == PAGER_OK && count > 1) rc = pager_wal_set_page_count(to, count);
  constexpr uint32_t kBatch = 256;  // pages per commit of the new database
  for (uint32_t p = 1; rc == PAGER_OK && p < count; p++) {
    rc = pager_wal_read_txn_read_page(snap, p, buf.data(), page_size);
    if (rc == PAGER_OK) rc = pager_wal_stage_page(to, p, buf.data(), page_size);
    if (rc == PAGER_OK && (p % kBatch == 0 || p + 1 == count)) rc = pager_wal_commit(to, nullptr);
    if (bar != nullptr) bar->Update(static_cast<uint64_t>(p) * page_size);
  }
  pager_wal_read_txn_free(snap);
  if (rc == PAGER_OK) rc = pager_wal_commit(to, nullptr);  // the app header of an empty db
  pager_wal_checkpoint_options co;
  pager_wal_checkpoint_options_init(&co);
  co.mode = PAGER_WAL_CHECKPOINT_TRUNCATE;
  if (rc == PAGER_OK) rc = pager_wal_checkpoint(to, &co, nullptr);
  return rc;
}

// WAL pager: a read-only open (beside a writer, in any process: the shared index's read
// marks keep its checkpoints off the pages the snapshot needs) and one read transaction, so
// the copy is exactly one commit. --wait only matters when the open itself is refused (all 64 read-mark
// slots taken, or a -shm this process cannot write while a writer is open).
Outcome2 CopyWal(const CopyArgs& a, const std::string& main_path, ProgressBar* bar) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.read_only = PAGER_WAL_READ_ONLY_KEEP_FILES;  // the source's files stay as they were
  o.lock_timeout_ms = LockTimeoutMs(a.wait_s);
  pager_wal* from = nullptr;
  int rc = pager_wal_open(main_path.c_str(), &o, &from);
  if (rc != PAGER_OK) return Err(rc, pager_last_error());
  uint32_t page_size = 0;
  pager_wal* to = nullptr;
  pager_wal_options c;
  pager_wal_options_init(&c);
  c.auto_checkpoint_frames = 0;
  rc = pager_wal_page_size(from, &page_size);
  c.page_size = page_size;
  bool created = false;
  if (rc == PAGER_OK) created = (rc = pager_wal_create(a.dst.c_str(), &c, &to)) == PAGER_OK;
  if (rc == PAGER_OK) rc = CopyWalPages(from, to, page_size, bar);
  Outcome2 out = rc != PAGER_OK ? Err(rc, pager_last_error()) : Outcome2{};
  pager_wal_close(to);
  pager_wal_close(from);
  if (rc != PAGER_OK && created) {  // a half-made copy is no copy
    (void)std::remove(a.dst.c_str());
    (void)std::remove((a.dst + "-wal").c_str());
  }
  return out;
}

Outcome2 CopyOf(const CopyArgs& a, uint32_t format) {
  if (Exists(a.dst)) return Err(PAGER_ERR_EXISTS, a.dst + " exists; copy never overwrites");
  ProgressBar bar("copy", SizeOnDisk(a.src));
  switch (format) {
    case PAGER_FORMAT_FILE: return CopyPageFile(a, a.src, &bar);
    case PAGER_FORMAT_FILE_JOURNAL: return CopyPageFile(a, MainOf(a.src, format), &bar);
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
    case PAGER_FORMAT_WAL_SHM: return CopyWal(a, WalMainOf(a.src, format), &bar);
    case PAGER_FORMAT_SNAPSHOT: return CopyBytes(a, false, &bar);
    case PAGER_FORMAT_WALSEG_DIR: return CopyBytes(a, true, &bar);
    default:
      return Err(PAGER_ERR_INVALID, std::string("copy takes a page file, WAL pager, segment "
                                                "directory or snapshot; this is ") +
                                        FormatTitle(format));
  }
}

int RunCopy(const CopyArgs& a) {
  uint32_t format = PAGER_FORMAT_UNKNOWN;
  std::string error;
  int rc = DetectOrExplain(a.src, &format, &error);
  Outcome2 o = rc != PAGER_OK ? Err(rc, error) : CopyOf(a, format);
  int status = kExitClean;
  if (o.code == PAGER_OK) {  // the copy is checked as verify would
    Outcome v = Examine(a.dst);
    bool clean = v.code == PAGER_OK && v.report.damage_code == PAGER_OK;
    status = clean ? kExitClean : kExitDamaged;
    o.body = {{"destination", a.dst}, {"verified", clean}};
    if (!a.as_json) {
      std::printf("%s -> %s: copied (%s); the copy %s\n", a.src.c_str(), a.dst.c_str(),
                  FormatTitle(format), clean ? "verifies" : "does NOT verify");
    }
  }
  return Finish("copy", a.src, format, o, status, a.as_json);
}

}  // namespace

void AddMaintenance(CLI::App& app) {
  auto ck = std::make_shared<CheckpointArgs>();
  CLI::App* c = app.add_subcommand(
      "checkpoint", "Copies the committed frames of a WAL pager's -wal into its main file "
                    "(a read-write open: BUSY, exit 2, while another process holds it). Exit 0 "
                    "done, 2 cannot tell.");
  c->add_option("DB", ck->db, "WAL pager main file (or its -wal)")->required();
  c->add_option("--mode", ck->mode, "passive (default), full or truncate (cut the -wal to 0 "
                                    "bytes)")
      ->check(CLI::IsMember({"passive", "full", "truncate"}));
  c->add_flag("--wait{-1}", ck->wait_s, "wait for the lock (forever, or --wait=SECONDS)");
  c->add_flag("--json", ck->as_json, "machine-readable output (doc/pagerctl.schema.json)");
  c->final_callback([ck] { g_exit = RunCheckpoint(*ck); });

  auto rv = std::make_shared<RecoverArgs>();
  CLI::App* r = app.add_subcommand(
      "recover", "Shows what reopening FILE would keep and drop (read-only). --apply makes it "
                 "so: writes a backup copy next to FILE (path printed), then reopens it "
                 "read-write. Exit 0, 1 damaged (nothing applied), 2 cannot tell.");
  r->add_option("FILE", rv->path, "page file, WAL pager, WAL segment directory, snapshot")
      ->required();
  r->add_flag("--apply", rv->apply, "back up, then run the library's recovery");
  r->add_flag("--json", rv->as_json, "machine-readable output (doc/pagerctl.schema.json)");
  r->final_callback([rv] { g_exit = RunRecover(*rv); });

  auto cp = std::make_shared<CopyArgs>();
  CLI::App* y = app.add_subcommand(
      "copy", "Copies SRC to a new DST (never overwrites), like mdb_copy. Page file: under its "
              "lock -- BUSY (exit 2, with who holds it) while a writer has it, unless --wait. "
              "WAL pager: every committed page read as a reader into a new database. Then "
              "checks DST. Exit 0, 1 the copy does not verify, 2 cannot tell.");
  y->add_option("SRC", cp->src, "page file, WAL pager, WAL segment directory, snapshot")
      ->required();
  y->add_option("DST", cp->dst, "new path")->required();
  y->add_flag("--wait{-1}", cp->wait_s, "wait for a writer to finish (forever, or "
                                         "--wait=SECONDS)");
  y->add_flag("--json", cp->as_json, "machine-readable output (doc/pagerctl.schema.json)");
  y->final_callback([cp] { g_exit = RunCopy(*cp); });
}

}  // namespace pagerctl
