// A snapshot's page and sequence tables through pager_snapshot_list (dump, snapshot diff).
#pragma once

#include <string>
#include <vector>

#include "tools/pagerctl/common.h"

namespace pagerctl {

struct SnapshotSeq {
  std::string id;
  uint32_t fill_last_page = 0;
  std::vector<uint32_t> pages;  // page-table positions
};

struct SnapshotTables {
  std::vector<pager_snapshot_page> pages;
  std::vector<SnapshotSeq> seqs;
};

// PAGER_OK, or the code with *error set.
int LoadTables(const std::string& path, SnapshotTables* t, std::string* error);

// "0123...": the 32 hex digits of a page's XXH3-128 content hash (hi then lo).
std::string ContentHash(const pager_snapshot_page& p);
// A sequence id as text when printable, else "0x" and its hex.
std::string SeqName(const std::string& id);

json PageJson(const pager_snapshot_page& p);
json SeqJson(const SnapshotSeq& s);

}  // namespace pagerctl
