// Torture of the page file: multi-page protected transactions (all pages old or all new),
// regular page allocation, each a durable commit, and sub-page (slab) allocation, rewrite and
// free on a second file (file_subpages.h). The state of step k: every protected page's bytes,
// the number of allocated regular pages, and every sub-page entry with its bytes.
#include <cstring>
#include <map>

#include "pager.h"
#include "tools/torture/file_subpages.h"
#include "tools/torture/torture.h"

namespace torture {
namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint64_t kProtected = 8;  // ids 1..8, allocated at setup

struct FileState {
  std::map<uint64_t, uint64_t> protected_step;  // id -> step that last wrote it (0: zeros)
  uint64_t regular_count = 0;
  SubModel sub;  // the sub-page entries of the second file
};

enum class Kind { kTxn, kAlloc, kFree, kSub };

struct Step {
  Kind kind;
  std::vector<uint64_t> ids;  // kTxn: the protected pages written
  SubStep sub;                // kSub
};

Step StepOf(uint64_t seed, uint64_t s, const FileState& m) {
  uint64_t r = Rand(seed, s, 7);
  if (r % 10 < 2) {
    bool alloc = m.regular_count < 4 || ((r >> 8) % 2 == 0 && m.regular_count < 64);
    return Step{alloc ? Kind::kAlloc : Kind::kFree, {}, {}};
  }
  if (r % 10 < 5) return Step{Kind::kSub, {}, SubStepOf(seed, s, m.sub)};
  // A transaction over 1..4 distinct protected pages: all of them change or none (P9).
  std::vector<uint64_t> ids;
  uint32_t n = 1 + static_cast<uint32_t>((r >> 12) % 4);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t id = 1 + Rand(seed, s, 20 + i) % kProtected;
    bool seen = false;
    for (uint64_t x : ids) seen = seen || x == id;
    if (!seen) ids.push_back(id);
  }
  return Step{Kind::kTxn, ids, {}};
}

void Apply(const Step& st, uint64_t s, FileState* m) {
  if (st.kind == Kind::kAlloc) m->regular_count++;
  if (st.kind == Kind::kFree) m->regular_count--;
  if (st.kind == Kind::kSub) ApplySubStep(st.sub, s, &m->sub);
  for (uint64_t id : st.ids) m->protected_step[id] = s;
}

FileState Model(uint64_t seed, uint64_t k) {
  FileState m;
  for (uint64_t id = 1; id <= kProtected; id++) m.protected_step[id] = 0;
  for (uint64_t s = 1; s <= k; s++) {
    Apply(StepOf(seed, s, m), s, &m);
  }
  return m;
}

std::vector<uint8_t> Content(uint64_t seed, uint64_t step, uint64_t id) {
  if (step == 0) return std::vector<uint8_t>(kPageSize, 0);
  std::vector<uint8_t> b = Pattern(seed, step, id, kPageSize);
  std::memcpy(b.data(), &step, sizeof step);
  return b;
}

pager_file_options Options(bool create) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = create ? kPageSize : 0;
  o.max_size_bytes = uint64_t{1} << 30;
  o.lock_timeout_ms = 5000;
  return o;
}

std::string AllocatedRegular(pager_file* f, std::vector<uint64_t>* ids) {
  pager_file_iter* it = nullptr;
  int rc = pager_file_iter_pages(f, &it);
  if (rc != PAGER_OK) return Failure("pager_file_iter_pages", rc);
  while (true) {
    uint64_t id = 0;
    uint32_t found = 0;
    rc = pager_file_iter_next(it, &id, &found);
    if (rc != PAGER_OK || found == 0) break;
    ids->push_back(id);
  }
  pager_file_iter_free(it);
  return rc == PAGER_OK ? "" : Failure("pager_file_iter_next", rc);
}

std::string DoStep(pager_file* f, SubpageApp* sub, uint64_t seed, uint64_t s,
                   const Step& st) {
  if (st.kind == Kind::kSub) return sub->Do(seed, s, st.sub);
  if (st.kind == Kind::kAlloc) {
    uint64_t id = 0;
    int rc = pager_file_alloc(f, &id);
    return rc == PAGER_OK ? "" : Failure("pager_file_alloc", rc);
  }
  if (st.kind == Kind::kFree) {
    std::vector<uint64_t> ids;
    std::string err = AllocatedRegular(f, &ids);
    if (!err.empty()) return err;
    if (ids.empty()) return "no regular page to free";
    int rc = pager_file_free(f, ids.back());
    return rc == PAGER_OK ? "" : Failure("pager_file_free", rc);
  }
  pager_file_txn* txn = nullptr;
  int rc = pager_file_txn_begin(f, &txn);
  if (rc != PAGER_OK) return Failure("pager_file_txn_begin", rc);
  for (uint64_t id : st.ids) {
    void* data = nullptr;
    rc = pager_file_txn_add(txn, id, &data);
    if (rc != PAGER_OK) break;
    std::vector<uint8_t> b = Content(seed, s, id);
    std::memcpy(data, b.data(), b.size());
  }
  if (rc == PAGER_OK) rc = pager_file_txn_commit(txn);
  pager_file_txn_free(txn);
  return rc == PAGER_OK ? "" : Failure("pager_file_txn_add/commit", rc);
}

class FileComponent : public Component {
 public:
  const char* name() const override { return "file"; }

  std::string Setup(const std::string& dir, uint64_t) override {
    pager_file_options o = Options(true);
    pager_file* f = nullptr;
    int rc = pager_file_create((dir + "/pages").c_str(), &o, &f);
    if (rc != PAGER_OK) return Failure("pager_file_create", rc);
    std::vector<uint64_t> ids(kProtected);
    rc = pager_file_protected_alloc_bulk(f, ids.data(), kProtected);
    pager_file_close(f);
    if (rc != PAGER_OK) return Failure("pager_file_protected_alloc_bulk", rc);
    for (uint64_t i = 0; i < kProtected; i++) {
      if (ids[i] != i + 1) return "protected ids are not 1..8";
    }
    return SubpageApp::Setup(dir + "/subpages");
  }

  std::string RunChild(const std::string& dir, uint64_t seed, uint64_t start,
                       int ack_fd) override {
    pager_file_options o = Options(false);
    pager_file* f = nullptr;
    int rc = pager_file_open((dir + "/pages").c_str(), &o, &f);
    if (rc != PAGER_OK) return Failure("pager_file_open", rc);
    SubpageApp sub;
    uint64_t orphans = 0;
    std::string err = sub.Open(dir + "/subpages", true, &orphans);
    if (!err.empty()) return err;
    FileState m = Model(seed, start - 1);
    for (uint64_t s = start;; s++) {
      Step st = StepOf(seed, s, m);
      err = DoStep(f, &sub, seed, s, st);
      if (!err.empty()) return err;
      Apply(st, s, &m);
      if (!Ack(ack_fd, s)) return "ack pipe closed";
    }
  }

  std::string Verify(const std::string& dir, uint64_t seed, uint64_t acked,
                     uint64_t* recovered) override {
    pager_file_options o = Options(false);
    pager_file* f = nullptr;
    int rc = pager_file_open((dir + "/pages").c_str(), &o, &f);
    if (rc != PAGER_OK) return Failure("reopen: pager_file_open", rc);
    std::string found;
    std::string err = Observe(f, &found);
    pager_file_close(f);
    if (!err.empty()) return err;
    found += "|sub|";
    SubpageApp sub;
    uint64_t orphans = 0;
    err = sub.Open(dir + "/subpages", false, &orphans);
    if (err.empty()) err = sub.Observe(&found);
    if (!err.empty()) return "sub-pages: " + err;
    for (uint64_t k : {acked, acked + 1}) {
      FileState m = Model(seed, k);
      if (found == Describe(seed, m) + "|sub|" + SubpageApp::Describe(seed, m.sub)) {
        *recovered = k;
        return "";
      }
    }
    return "the file holds neither step " + std::to_string(acked) + " nor step " +
           std::to_string(acked + 1) + ": found " + Summary(found);
  }

 private:
  // The observable state as one string of bytes: protected contents, then the count.
  static std::string Observe(pager_file* f, std::string* out) {
    std::vector<uint8_t> buf(kPageSize);
    for (uint64_t id = 1; id <= kProtected; id++) {
      int rc = pager_file_protected_read(f, id, buf.data(), buf.size());
      if (rc != PAGER_OK) return Failure("pager_file_protected_read", rc);
      out->append(reinterpret_cast<const char*>(buf.data()), buf.size());
    }
    std::vector<uint64_t> ids;
    std::string err = AllocatedRegular(f, &ids);
    out->append("regular=" + std::to_string(ids.size()));
    return err;
  }
  static std::string Describe(uint64_t seed, const FileState& m) {
    std::string s;
    for (const auto& kv : m.protected_step) {
      std::vector<uint8_t> b = Content(seed, kv.second, kv.first);
      s.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
    return s + "regular=" + std::to_string(m.regular_count);
  }
  // Which step each protected page carries, and the regular count.
  static std::string Summary(const std::string& found) {
    std::string s;
    for (uint64_t id = 0; id < kProtected; id++) {
      uint64_t step = 0;
      std::memcpy(&step, found.data() + id * kPageSize, sizeof step);
      s += "page " + std::to_string(id + 1) + "@" + std::to_string(step) + " ";
    }
    size_t sub = found.find("|sub|");
    return s + found.substr(kProtected * kPageSize, sub - kProtected * kPageSize) + ", " +
           std::to_string(found.size() - sub - 5) + " bytes of sub-page entries";
  }
};

}  // namespace

std::unique_ptr<Component> NewFileComponent() { return std::make_unique<FileComponent>(); }

}  // namespace torture
