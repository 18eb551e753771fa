// pagerctl snapshot inspect|verify|diff: a KV-cache snapshot's header and tables
// (pager_snapshot_inspect, pager_snapshot_list), its full verification through the parent
// chain (pager_snapshot_verify, with a progress bar on a terminal), and what changed between
// two snapshots -- of one chain, or two captures -- by sequence and by page content hash.
// All read-only.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tools/pagerctl/common.h"
#include "tools/pagerctl/snapshot_tables.h"

namespace pagerctl {

namespace {

struct Args {
  std::vector<std::string> files;
  bool as_json = false;
};

int Report(const std::string& command, const std::string& path, int code,
           const std::string& error, json body, int ok_status, bool as_json) {
  int status = code == PAGER_OK ? ok_status : kExitCannotTell;
  if (!as_json) return code == PAGER_OK ? status : CannotTell(path, code, error);
  json out = Envelope(command, status);
  out["path"] = path;
  if (code != PAGER_OK) {
    out["error"] = ErrorJson(path, code, error);
  } else {
    out.update(body);
  }
  PrintJson(out);
  return status;
}

json InfoJson(const pager_snapshot_info& i) {
  return {{"format_version", i.format_version},
          {"tokens_per_page", i.meta.tokens_per_page},
          {"layers", i.meta.layers},
          {"kv_heads", i.meta.kv_heads},
          {"head_dim", i.meta.head_dim},
          {"dtype", i.meta.dtype},
          {"k_page_bytes", i.k_page_bytes},
          {"v_page_bytes", i.v_page_bytes},
          {"page_count", i.page_count},
          {"stored_page_count", i.stored_page_count},
          {"compressed_page_count", i.compressed_page_count},
          {"seq_count", i.seq_count},
          {"created_us", i.created_us},
          {"file_bytes", i.file_bytes},
          {"snapshot_id", i.snapshot_id},
          {"parent_snapshot_id", i.parent_snapshot_id}};
}

int Inspect(const std::string& path, pager_snapshot_info* info, std::string* error) {
  pager_snapshot_info_init(info);
  int rc = pager_snapshot_inspect(path.c_str(), info);
  if (rc != PAGER_OK) *error = pager_last_error();
  return rc;
}

int RunInspect(const Args& a) {
  pager_snapshot_info info;
  std::string error;
  const std::string& path = a.files[0];
  int rc = Inspect(path, &info, &error);
  if (rc == PAGER_OK && !a.as_json) {
    json j = InfoJson(info);
    std::printf("%s: KV-cache snapshot, format version %u\n", path.c_str(), info.format_version);
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "format_version") std::printf("  %-22s %s\n", it.key().c_str(),
                                                    it.value().dump().c_str());
    }
  }
  return Report("snapshot inspect", path, rc, error, {{"snapshot", InfoJson(info)}}, kExitClean,
                a.as_json);
}

int OnProgress(void* ctx, uint64_t done, uint64_t) {
  static_cast<ProgressBar*>(ctx)->Update(done);
  return 0;
}

int RunVerify(const Args& a) {
  const std::string& path = a.files[0];
  pager_snapshot_info info;
  std::string error;
  int rc = Inspect(path, &info, &error);
  bool damaged = rc == PAGER_ERR_CORRUPT;
  if (rc == PAGER_OK) {
    ProgressBar bar("snapshot verify", info.file_bytes);
    pager_snapshot_options o;
    pager_snapshot_options_init(&o);
    o.progress = OnProgress;
    o.progress_ctx = &bar;
    rc = pager_snapshot_verify(path.c_str(), &o);
    if (rc != PAGER_OK) error = pager_last_error();
    damaged = rc == PAGER_ERR_CORRUPT;
  }
  if (damaged) rc = PAGER_OK;
  json body = {{"status", damaged ? "damaged" : "clean"},
               {"detail", damaged ? error : std::string()}};
  if (rc == PAGER_OK && !a.as_json) {
    std::printf("%s: %s\n", path.c_str(), damaged ? ("DAMAGED: " + error).c_str() : "OK");
  }
  return Report("snapshot verify", path, rc, error, body, damaged ? kExitDamaged : kExitClean,
                a.as_json);
}

// ---- diff ----------------------------------------------------------------------------------

std::vector<std::string> HashesOf(const SnapshotTables& t, const SnapshotSeq& s) {
  std::vector<std::string> h;
  for (uint32_t p : s.pages) h.push_back(p < t.pages.size() ? ContentHash(t.pages[p]) : "?");
  return h;
}

json SeqDiff(const SnapshotTables& a, const SnapshotTables& b) {
  std::map<std::string, const SnapshotSeq*> in_a, in_b;
  for (const SnapshotSeq& s : a.seqs) in_a[s.id] = &s;
  for (const SnapshotSeq& s : b.seqs) in_b[s.id] = &s;
  json added = json::array(), removed = json::array(), changed = json::array();
  uint64_t unchanged = 0;
  for (const auto& [id, s] : in_b) {
    auto it = in_a.find(id);
    if (it == in_a.end()) {
      added.push_back(SeqName(id));
      continue;
    }
    std::vector<std::string> ha = HashesOf(a, *it->second), hb = HashesOf(b, *s);
    if (ha == hb && it->second->fill_last_page == s->fill_last_page) {
      unchanged++;
      continue;
    }
    json pages = json::array();  // positions in the sequence whose content differs
    for (size_t i = 0; i < std::max(ha.size(), hb.size()); i++) {
      if (i >= ha.size() || i >= hb.size() || ha[i] != hb[i]) pages.push_back(i);
    }
    changed.push_back({{"id", SeqName(id)},
                       {"pages_before", ha.size()},
                       {"pages_after", hb.size()},
                       {"changed_positions", pages}});
  }
  for (const auto& kv : in_a) {
    if (in_b.count(kv.first) == 0) removed.push_back(SeqName(kv.first));
  }
  return {{"added", added}, {"removed", removed}, {"changed", changed}, {"unchanged", unchanged}};
}

json PageDiff(const SnapshotTables& a, const SnapshotTables& b) {
  std::set<std::string> ha, hb;
  for (const auto& p : a.pages) ha.insert(ContentHash(p));
  for (const auto& p : b.pages) hb.insert(ContentHash(p));
  json added = json::array(), removed = json::array();
  uint64_t stored_new = 0;
  for (const auto& p : b.pages) {
    if (ha.count(ContentHash(p)) == 0) added.push_back(p.index);
    if ((p.flags & PAGER_SNAPSHOT_PAGE_IN_PARENT) == 0) stored_new += p.stored_bytes;
  }
  for (const auto& p : a.pages) {
    if (hb.count(ContentHash(p)) == 0) removed.push_back(p.index);
  }
  return {{"new_in_b", added}, {"gone_from_a", removed}, {"stored_bytes_in_b", stored_new}};
}

int RunDiff(const Args& a) {
  const std::string &pa = a.files[0], &pb = a.files[1];
  pager_snapshot_info ia, ib;
  SnapshotTables ta, tb;
  std::string error, where = pa;
  int rc = Inspect(pa, &ia, &error);
  if (rc == PAGER_OK) rc = LoadTables(pa, &ta, &error);
  if (rc == PAGER_OK) {
    where = pb;
    rc = Inspect(pb, &ib, &error);
  }
  if (rc == PAGER_OK) rc = LoadTables(pb, &tb, &error);
  if (rc != PAGER_OK) return Report("snapshot diff", where, rc, error, {}, kExitClean, a.as_json);
  std::string relation = ib.parent_snapshot_id == ia.snapshot_id ? "b-is-child-of-a"
                         : ia.parent_snapshot_id == ib.snapshot_id ? "a-is-child-of-b"
                                                                   : "unrelated";
  json seqs = SeqDiff(ta, tb), pages = PageDiff(ta, tb);
  json body = {{"b", pb}, {"relation", relation}, {"sequences", seqs}, {"pages", pages}};
  if (!a.as_json) {
    std::printf("%s -> %s (%s)\n", pa.c_str(), pb.c_str(), relation.c_str());
    std::printf("  sequences: %zu added %s, %zu removed %s, %zu changed, %llu unchanged\n",
                seqs["added"].size(), seqs["added"].dump().c_str(), seqs["removed"].size(),
                seqs["removed"].dump().c_str(), seqs["changed"].size(),
                static_cast<unsigned long long>(seqs["unchanged"].get<uint64_t>()));
    for (const json& c : seqs["changed"]) {
      std::printf("    %s: %s pages -> %s, positions changed %s\n",
                  c["id"].get<std::string>().c_str(), c["pages_before"].dump().c_str(),
                  c["pages_after"].dump().c_str(), c["changed_positions"].dump().c_str());
    }
    std::printf("  pages: %zu with content not in A %s, %zu of A gone %s; %s bytes stored in B\n",
                pages["new_in_b"].size(), pages["new_in_b"].dump().c_str(),
                pages["gone_from_a"].size(), pages["gone_from_a"].dump().c_str(),
                pages["stored_bytes_in_b"].dump().c_str());
  }
  return Report("snapshot diff", pa, PAGER_OK, "", body, kExitClean, a.as_json);
}

}  // namespace

void AddSnapshot(CLI::App& app) {
  CLI::App* snap = app.add_subcommand(
      "snapshot", "KV-cache snapshots: inspect, verify, diff (see their --help).");
  snap->require_subcommand(1, 1);
  auto args = std::make_shared<Args>();
  CLI::App* inspect = snap->add_subcommand(
      "inspect", "Header, geometry, counts and ids of a snapshot (header, trailer and tables "
                 "checked; not the page bytes). Exit 0, 2 cannot tell.");
  CLI::App* verify = snap->add_subcommand(
      "verify", "Every checksum of a snapshot and its parent chain, as restore verifies them. "
                "Exit 0 clean, 1 damaged, 2 cannot tell.");
  CLI::App* diff = snap->add_subcommand(
      "diff", "What changed from snapshot A to B (two of one chain, or two captures): "
              "sequences added, removed and changed (which positions), pages by content "
              "hash. Exit 0, 2 cannot tell.");
  for (CLI::App* sub : {inspect, verify}) {
    sub->add_option("FILE", args->files, "snapshot")->required()->expected(1);
  }
  diff->add_option("A B", args->files, "two snapshots")->required()->expected(2);
  for (CLI::App* sub : {inspect, verify, diff}) {
    sub->add_flag("--json", args->as_json, "machine-readable output (doc/pagerctl.schema.json)");
  }
  inspect->final_callback([args] { g_exit = RunInspect(*args); });
  verify->final_callback([args] { g_exit = RunVerify(*args); });
  diff->final_callback([args] { g_exit = RunDiff(*args); });
}

}  // namespace pagerctl
