// Sub-page (slab) steps of the page-file torture (file_component.cc), on their own page file
// ("subpages") as an application would use them.
//
// The sub-page allocator keeps its state in memory only (pager.h), so the application keeps
// its own records: protected page 1 of the file is an index of entries {key, version,
// sub-page id}, committed by a protected transaction. The application's protocol, which the
// oracle checks survives kill -9 at any moment:
//   S1. A sub-page's bytes are written (and synced with pager_file_sync_pages) before the
//       index commit that references it; a referenced sub-page is never written again.
//   S2. Rewriting an entry is copy-on-write: a new sub-page, the index commit, then the old
//       sub-page is freed. Freeing an entry commits the index first, then frees the sub-page.
//   S3. After a restart: read the index, pager_file_subpage_mark_used() every id (it must
//       succeed: every referenced parent page is still allocated), and free in one commit the
//       regular pages that are the parent of no indexed sub-page (orphans: a parent taken by
//       an allocation whose index commit never happened, or left empty by a free whose parent
//       free never happened). At most one orphan can exist at any moment.
// The state of step k: the set of keys with their versions and every sub-page's bytes; the
// sub-page ids themselves are the library's choice and are not modelled.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pager.h"

namespace torture {

// key (the step that created the entry) -> version (the step that last wrote it).
using SubModel = std::map<uint64_t, uint64_t>;

enum class SubKind { kAlloc, kWrite, kFree };

struct SubStep {
  SubKind kind;
  uint64_t key;  // kAlloc: the new key (the step); kWrite/kFree: an existing key
};

SubStep SubStepOf(uint64_t seed, uint64_t s, const SubModel& m);
void ApplySubStep(const SubStep& st, uint64_t s, SubModel* m);

// The application's side: the open file, its allocator and its index.
class SubpageApp {
 public:
  ~SubpageApp();
  // Creates the file with its (empty) index page.
  static std::string Setup(const std::string& path);
  // Opens read-write, reads the index and marks every id used (S3); with `collect`, frees the
  // orphan parents. *orphans: the orphans found (before collecting).
  std::string Open(const std::string& path, bool collect, uint64_t* orphans);
  std::string Do(uint64_t seed, uint64_t s, const SubStep& st);
  // The observable state into *out: every entry (key, version, bytes) in key order.
  std::string Observe(std::string* out);
  static std::string Describe(uint64_t seed, const SubModel& m);

 private:
  struct Entry {
    uint64_t version;
    uint64_t id;
  };
  std::string CommitIndex();
  std::string WriteNew(uint64_t seed, uint64_t key, uint64_t version, uint64_t* id);
  std::string FreeSub(uint64_t id);
  std::string ReadIndex();
  std::string CountOrphans(std::vector<uint64_t>* orphans);

  pager_file* f_ = nullptr;
  pager_file_subpages* s_ = nullptr;
  std::map<uint64_t, Entry> entries_;
};

}  // namespace torture
