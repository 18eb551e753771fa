// pagerctl -- look into, verify, dump, replay and repair libpager files from the shell.
//
//   info, verify       info_verify.cc   the check of each FILE (pager_*_check)
//   dump               dump.cc          a page, a record range, a snapshot's tables; hex or JSON
//   replay             replay.cc        records of a segment directory, --follow a live writer
//   checkpoint, recover, copy   maintenance.cc
//   snapshot inspect|verify|diff         snapshot.cc
//   cold reap          cold.cc          scratch directories of dead processes
//
// FILE is detected by its magic (pager_format_detect). Exit status: 0 clean / done, 1 damaged,
// 2 cannot tell (missing, locked, not a libpager file, unknown version, bad arguments).
// pagerctl uses the public C API only and links libpager.so. Output schema of --json:
// doc/pagerctl.schema.json; manual: doc/pagerctl.1 and doc/pagerctl.md.
#include <string>

#include "tools/pagerctl/common.h"

int main(int argc, char** argv) {
  CLI::App app{"pagerctl -- look into, verify, dump, replay and repair libpager files (page "
               "file, WAL pager, WAL segments, KV-cache snapshot, cold scratch).\n"
               "Exit status: 0 clean, 1 damaged, 2 cannot tell (missing, locked, not a "
               "libpager file, unknown version, bad arguments). Manual: man pagerctl.",
               "pagerctl"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", std::string("pagerctl (libpager ") +
                                        pager_version_string() + ")");
  pagerctl::AddInfoVerify(app);
  pagerctl::AddDump(app);
  pagerctl::AddReplay(app);
  pagerctl::AddMaintenance(app);
  pagerctl::AddSnapshot(app);
  pagerctl::AddCold(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return pagerctl::kExitCannotTell;
  }
  return pagerctl::g_exit;
}
