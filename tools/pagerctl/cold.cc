// pagerctl cold reap DIR [--remove]: the cold pager's private scratch directories under a
// scratch root and whether their owner process is alive (pager_cold_reap: the owner holds
// its lock file's lock for the directory's whole life; the kernel drops it at death, so
// liveness is the lock, never an age or a pid). Without --remove it only lists (a dry run,
// the default); --remove deletes the directories of dead owners. A live one is never touched.
#include <memory>
#include <string>
#include <vector>

#include "tools/pagerctl/common.h"

namespace pagerctl {

namespace {

struct Args {
  std::string root;
  bool remove = false;
  bool as_json = false;
};

const char* StateName(uint32_t s) {
  switch (s) {
    case PAGER_COLD_SCRATCH_LIVE: return "live";
    case PAGER_COLD_SCRATCH_STALE: return "stale";
    case PAGER_COLD_SCRATCH_REMOVED: return "removed";
    default: return "failed";
  }
}

struct Found {
  std::vector<json> entries;
  bool as_json = false;
};

int OnScratch(void* ctx, const char* lock_path, uint32_t state) {
  Found* f = static_cast<Found*>(ctx);
  std::string holder = state == PAGER_COLD_SCRATCH_LIVE ? LockHolder(lock_path) : "";
  json e = {{"lock", lock_path},
            {"directory", std::string(lock_path) + ".d"},
            {"state", StateName(state)},
            {"owner", holder.empty() ? json(nullptr) : json(holder)}};
  if (!f->as_json) {
    std::printf("%-8s %s.d%s\n", StateName(state), lock_path,
                holder.empty() ? "" : ("  (" + holder + ")").c_str());
  }
  f->entries.push_back(e);
  return 0;
}

int Run(const Args& a) {
  Found found;
  found.as_json = a.as_json;
  int rc = pager_cold_reap(a.root.c_str(), a.remove ? 1 : 0, OnScratch, &found);
  std::string error = rc == PAGER_OK ? "" : pager_last_error();
  uint64_t failed = 0;
  for (const json& e : found.entries) failed += e["state"] == "failed" ? 1 : 0;
  int status = rc != PAGER_OK ? kExitCannotTell : (failed > 0 ? kExitDamaged : kExitClean);
  if (!a.as_json) {
    if (rc != PAGER_OK) return CannotTell(a.root, rc, error);
    if (found.entries.empty()) std::printf("no cold-pager scratch directories in %s\n",
                                           a.root.c_str());
    if (!a.remove) std::printf("(dry run: nothing removed; --remove deletes the stale ones)\n");
    return status;
  }
  json out = Envelope("cold reap", status);
  out["path"] = a.root;
  if (rc != PAGER_OK) {
    out["error"] = ErrorJson(a.root, rc, error);
  } else {
    out["removing"] = a.remove;
    out["scratch"] = found.entries;
  }
  PrintJson(out);
  return status;
}

}  // namespace

void AddCold(CLI::App& app) {
  CLI::App* cold = app.add_subcommand("cold", "Cold pager scratch: reap (see its --help).");
  cold->require_subcommand(1, 1);
  auto args = std::make_shared<Args>();
  CLI::App* reap = cold->add_subcommand(
      "reap", "Lists the cold pager's scratch directories under DIR (a scratch_root) as live "
              "or stale (owner process dead: its lock is free); a dry run unless --remove, "
              "which deletes the stale ones. Exit 0, 1 a stale one could not be removed, 2 "
              "cannot tell.");
  reap->add_option("DIR", args->root, "the cold pager's scratch_root")->required();
  reap->add_flag("--remove", args->remove, "delete the directories of dead owners");
  reap->add_flag("--dry-run", "list only (the default)");
  reap->add_flag("--json", args->as_json, "machine-readable output (doc/pagerctl.schema.json)");
  reap->final_callback([args] { g_exit = Run(*args); });
}

}  // namespace pagerctl
