// Sub-page steps of the page-file torture: see file_subpages.h (S1-S3).
#include "tools/torture/file_subpages.h"

#include <cstring>
#include <set>
#include <vector>

#include "tools/torture/torture.h"

namespace torture {
namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kSubPageSize = 512;  // 8 slots per parent page
constexpr uint64_t kIndexId = 1;        // the protected page holding the index
constexpr uint64_t kMaxEntries = 48;    // about six parent pages when full
constexpr uint64_t kSlotsPerIdSpace = 64;  // sub-page id = parent * 64 + slot (pager.h)
constexpr size_t kEntryBytes = 24;      // key, version, id
static_assert(8 + kMaxEntries * kEntryBytes <= kPageSize, "the index fits one page");

pager_file_options Options(bool create) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = create ? kPageSize : 0;
  o.max_size_bytes = uint64_t{1} << 28;
  o.lock_timeout_ms = 5000;
  return o;
}

std::vector<uint8_t> SubContent(uint64_t seed, uint64_t version, uint64_t key) {
  std::vector<uint8_t> b = Pattern(seed, version, 1000 + key, kSubPageSize);
  std::memcpy(b.data(), &version, sizeof version);
  std::memcpy(b.data() + 8, &key, sizeof key);
  return b;
}

void Append(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }

uint64_t Load(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

SubStep SubStepOf(uint64_t seed, uint64_t s, const SubModel& m) {
  uint64_t r = Rand(seed, s, 31);
  uint64_t live = m.size();
  SubKind kind = SubKind::kAlloc;
  if (live >= 4) {
    switch (r % 3) {
      case 0: kind = live < kMaxEntries ? SubKind::kAlloc : SubKind::kWrite; break;
      case 1: kind = SubKind::kWrite; break;
      default: kind = SubKind::kFree; break;
    }
  }
  if (kind == SubKind::kAlloc) return SubStep{kind, s};
  auto it = m.begin();
  std::advance(it, static_cast<long>((r >> 8) % live));
  return SubStep{kind, it->first};
}

void ApplySubStep(const SubStep& st, uint64_t s, SubModel* m) {
  if (st.kind == SubKind::kFree) {
    m->erase(st.key);
  } else {
    (*m)[st.key] = s;
  }
}

SubpageApp::~SubpageApp() {
  pager_file_subpages_free(s_);
  pager_file_close(f_);
}

std::string SubpageApp::Setup(const std::string& path) {
  pager_file_options o = Options(true);
  pager_file* f = nullptr;
  int rc = pager_file_create(path.c_str(), &o, &f);
  if (rc != PAGER_OK) return Failure("pager_file_create (subpages)", rc);
  uint64_t id = 0;
  rc = pager_file_protected_alloc(f, &id);
  pager_file_close(f);
  if (rc != PAGER_OK) return Failure("pager_file_protected_alloc (index)", rc);
  return id == kIndexId ? "" : "the index page is not protected page 1";
}

std::string SubpageApp::Open(const std::string& path, bool collect, uint64_t* orphans) {
  pager_file_options o = Options(false);
  int rc = pager_file_open(path.c_str(), &o, &f_);
  if (rc != PAGER_OK) return Failure("pager_file_open (subpages)", rc);
  rc = pager_file_subpages_create(f_, kSubPageSize, &s_);
  if (rc != PAGER_OK) return Failure("pager_file_subpages_create", rc);
  std::string err = ReadIndex();
  if (!err.empty()) return err;
  std::vector<uint64_t> ids;
  for (const auto& e : entries_) ids.push_back(e.second.id);
  rc = pager_file_subpage_mark_used(s_, ids.data(), ids.size());
  if (rc != PAGER_OK) return Failure("pager_file_subpage_mark_used (an indexed sub-page)", rc);
  std::vector<uint64_t> found;
  err = CountOrphans(&found);
  if (!err.empty()) return err;
  *orphans = found.size();
  if (!collect || found.empty()) return "";
  rc = pager_file_free_bulk(f_, found.data(), found.size());
  return rc == PAGER_OK ? "" : Failure("pager_file_free_bulk (orphan parents)", rc);
}

std::string SubpageApp::ReadIndex() {
  std::vector<uint8_t> page(kPageSize);
  int rc = pager_file_protected_read(f_, kIndexId, page.data(), page.size());
  if (rc != PAGER_OK) return Failure("pager_file_protected_read (index)", rc);
  uint64_t n = Load(page.data());
  if (n > kMaxEntries) return "the index holds " + std::to_string(n) + " entries";
  entries_.clear();
  for (uint64_t i = 0; i < n; i++) {
    const uint8_t* e = page.data() + 8 + i * kEntryBytes;
    entries_[Load(e)] = Entry{Load(e + 8), Load(e + 16)};
  }
  if (entries_.size() != n) return "the index holds a key twice";
  return "";
}

std::string SubpageApp::CountOrphans(std::vector<uint64_t>* orphans) {
  std::set<uint64_t> parents;
  for (const auto& e : entries_) parents.insert(e.second.id / kSlotsPerIdSpace);
  pager_file_iter* it = nullptr;
  int rc = pager_file_iter_pages(f_, &it);
  if (rc != PAGER_OK) return Failure("pager_file_iter_pages (subpages)", rc);
  while (true) {
    uint64_t id = 0;
    uint32_t found = 0;
    rc = pager_file_iter_next(it, &id, &found);
    if (rc != PAGER_OK || found == 0) break;
    if (parents.count(id) == 0) orphans->push_back(id);
  }
  pager_file_iter_free(it);
  if (rc != PAGER_OK) return Failure("pager_file_iter_next (subpages)", rc);
  if (orphans->size() > 1) {
    return std::to_string(orphans->size()) + " regular pages are the parent of no indexed "
           "sub-page (at most one can be: an allocation or a free was lost)";
  }
  return "";
}

std::string SubpageApp::CommitIndex() {
  pager_file_txn* txn = nullptr;
  int rc = pager_file_txn_begin(f_, &txn);
  if (rc != PAGER_OK) return Failure("pager_file_txn_begin (index)", rc);
  void* data = nullptr;
  rc = pager_file_txn_add(txn, kIndexId, &data);
  if (rc == PAGER_OK) {
    std::vector<uint8_t> page(kPageSize, 0);
    uint64_t n = entries_.size();
    std::memcpy(page.data(), &n, sizeof n);
    size_t pos = 8;
    for (const auto& e : entries_) {
      uint64_t fields[3] = {e.first, e.second.version, e.second.id};
      std::memcpy(page.data() + pos, fields, sizeof fields);
      pos += kEntryBytes;
    }
    std::memcpy(data, page.data(), page.size());
    rc = pager_file_txn_commit(txn);
  }
  pager_file_txn_free(txn);
  return rc == PAGER_OK ? "" : Failure("pager_file_txn_add/commit (index)", rc);
}

// S1: a fresh sub-page holding the entry's bytes, durable before any index names it.
std::string SubpageApp::WriteNew(uint64_t seed, uint64_t key, uint64_t version, uint64_t* id) {
  int rc = pager_file_subpage_alloc(s_, id);
  if (rc != PAGER_OK) return Failure("pager_file_subpage_alloc", rc);
  void* data = nullptr;
  rc = pager_file_subpage(s_, *id, &data);
  if (rc != PAGER_OK) return Failure("pager_file_subpage", rc);
  std::vector<uint8_t> b = SubContent(seed, version, key);
  std::memcpy(data, b.data(), b.size());
  uint64_t parent = *id / kSlotsPerIdSpace;
  rc = pager_file_sync_pages(f_, &parent, 1);
  return rc == PAGER_OK ? "" : Failure("pager_file_sync_pages (parent)", rc);
}

std::string SubpageApp::FreeSub(uint64_t id) {
  int rc = pager_file_subpage_free(s_, id);
  return rc == PAGER_OK ? "" : Failure("pager_file_subpage_free", rc);
}

std::string SubpageApp::Do(uint64_t seed, uint64_t s, const SubStep& st) {
  if (st.kind != SubKind::kAlloc && entries_.count(st.key) == 0) {
    return "the index has no key " + std::to_string(st.key);
  }
  if (st.kind == SubKind::kFree) {  // S2: the index first, then the sub-page
    uint64_t old = entries_[st.key].id;
    entries_.erase(st.key);
    std::string err = CommitIndex();
    return err.empty() ? FreeSub(old) : err;
  }
  uint64_t id = 0;
  std::string err = WriteNew(seed, st.key, s, &id);
  if (!err.empty()) return err;
  bool rewrite = st.kind == SubKind::kWrite;
  uint64_t old = rewrite ? entries_[st.key].id : 0;
  entries_[st.key] = Entry{s, id};
  err = CommitIndex();
  if (!err.empty() || !rewrite) return err;
  return FreeSub(old);
}

std::string SubpageApp::Observe(std::string* out) {
  for (const auto& e : entries_) {
    const void* data = nullptr;
    int rc = pager_file_subpage_const(s_, e.second.id, &data);
    if (rc != PAGER_OK) return Failure("pager_file_subpage_const", rc);
    Append(out, e.first);
    Append(out, e.second.version);
    out->append(static_cast<const char*>(data), kSubPageSize);
  }
  return "";
}

std::string SubpageApp::Describe(uint64_t seed, const SubModel& m) {
  std::string out;
  for (const auto& kv : m) {
    Append(&out, kv.first);
    Append(&out, kv.second);
    std::vector<uint8_t> b = SubContent(seed, kv.second, kv.first);
    out.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  return out;
}

}  // namespace torture
