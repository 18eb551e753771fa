// pagerctl replay DIR [--from LSN] [--follow] [--json]: the records of a WAL segment
// directory to stdout, one per line (text, or JSON lines); --follow keeps reading as a live
// writer appends, like `journalctl -f` / `tail -F`, until SIGINT, SIGTERM or a closed pipe.
// Read-only: pager_walseg_replay maps segments read-only and takes no lock.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "tools/pagerctl/common.h"
#include "tools/pagerctl/records.h"

namespace pagerctl {

namespace {

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

struct Args {
  std::string dir;
  uint64_t from_lsn = 0;
  bool follow = false;
  bool as_json = false;
  uint32_t poll_ms = 200;
};

// One line per record; false once stdout is gone (a closed pipe) or a signal asked to stop.
bool Emit(const pager_walseg_record& rec, bool as_json) {
  if (g_stop) return false;
  if (as_json) {
    std::string line = RecordJson(rec).dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  } else {
    std::printf("LSN %llu type %u len %llu %s\n", static_cast<unsigned long long>(rec.lsn),
                rec.type, static_cast<unsigned long long>(rec.len),
                Hex(rec.data, rec.len).c_str());
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) g_stop = 1;  // EPIPE: the reader left
  return !g_stop;
}

// Waits ms, watching stdout as `tail -f` does: a pipe whose reader left reports POLLERR, so
// an idle follower ends too (it would otherwise learn it only at its next write).
void Nap(uint32_t ms) {
  struct pollfd out = {STDOUT_FILENO, 0, 0};
  int n = poll(&out, 1, static_cast<int>(ms));  // a signal ends it early: g_stop is then set
  if (n > 0 && (out.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) g_stop = 1;
}

void StopLine(const Stop& stop, bool as_json) {
  if (as_json) {
    json j = {{"stop", StopJson(stop)}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::fprintf(stderr, "pagerctl: replay stopped: %s at offset %llu%s%s\n",
                 StopName(stop.reason), static_cast<unsigned long long>(stop.offset),
                 stop.detail.empty() ? "" : ": ", stop.detail.c_str());
  }
}

int Run(const Args& a) {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  (void)sigaction(SIGINT, &sa, nullptr);
  (void)sigaction(SIGTERM, &sa, nullptr);
  (void)signal(SIGPIPE, SIG_IGN);  // a closed pipe is a write error, seen by Emit
  uint32_t format = PAGER_FORMAT_UNKNOWN;
  std::string error;
  int rc = DetectOrExplain(a.dir, &format, &error);
  if (rc == PAGER_OK && format != PAGER_FORMAT_WALSEG_DIR) {
    rc = PAGER_ERR_INVALID;
    error = std::string("replay reads a WAL segment directory; this is ") + FormatTitle(format);
  }
  if (rc != PAGER_OK) return CannotTell(a.dir, rc, error);
  uint64_t next = a.from_lsn;
  Stop stop;
  for (;;) {
    auto each = [&](const pager_walseg_record& rec) {
      if (!Emit(rec, a.as_json)) return false;
      next = rec.lsn + 1;
      return true;
    };
    rc = ForEachRecord(a.dir, true, next, each, &stop, &error);
    if (g_stop) return kExitClean;
    if (rc != PAGER_OK) return CannotTell(a.dir, rc, error);
    // A live writer's last record may be half written (a torn tail): it is read again.
    bool damaged = stop.reason == PAGER_WALSEG_STOP_CORRUPT;
    if (!a.follow || damaged) break;
    Nap(a.poll_ms);
    if (g_stop) return kExitClean;
  }
  StopLine(stop, a.as_json);
  return stop.reason == PAGER_WALSEG_STOP_CORRUPT ? kExitDamaged : kExitClean;
}

}  // namespace

void AddReplay(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "replay", "The records of a WAL segment directory to stdout, one per line (text or JSON "
                "lines), from --from LSN; --follow keeps reading as a writer appends (ends on "
                "Ctrl-C, SIGTERM or a closed pipe, exit 0). Exit 0, 1 damage behind durable "
                "records, 2 cannot tell.");
  sub->add_option("DIR", args->dir, "WAL segment directory")->required();
  sub->add_option("--from", args->from_lsn, "first LSN (default: the oldest record)");
  sub->add_flag("--follow,-f", args->follow, "keep reading as a live writer appends");
  sub->add_option("--poll-ms", args->poll_ms, "how often --follow looks for new records "
                                              "(default 200)")
      ->check(CLI::Range(1u, 60000u));
  sub->add_flag("--json", args->as_json, "one JSON object per line (doc/pagerctl.schema.json, "
                                         "definitions replay_record and replay_stop)");
  sub->final_callback([args] { g_exit = Run(*args); });
}

}  // namespace pagerctl
