// Torture of the page file: multi-page protected transactions that also allocate and free
// protected pages (the pages written, the new pages with their content, the freed pages and
// the allocator all old or all new), aborted transactions that allocate and free (they must
// leave nothing), regular page allocation, each a durable commit, and sub-page (slab)
// allocation, rewrite and free on a second file (file_subpages.h). The state of step k: the
// set of protected ids with every page's bytes, the number of allocated regular pages, and
// every sub-page entry with its bytes.
#include <cstring>
#include <map>

#include "pager.h"
#include "tools/torture/file_subpages.h"
#include "tools/torture/torture.h"

namespace torture {
namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint64_t kProtected = 8;      // ids 1..8, allocated at setup
constexpr uint64_t kMinProtected = 4;   // transactions free pages only above this many
constexpr uint64_t kMaxProtected = 24;  // and allocate only below this many

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
  std::vector<uint64_t> born;   // kTxn: the ids its allocations get (the lowest free ones)
  std::vector<uint64_t> freed;  // kTxn: the protected pages it frees
  bool abort_first = false;     // kTxn: first run a transaction that allocates, frees, aborts
};

// The ids n allocations get: the lowest ids not in use (a transaction's frees apply at its
// commit, so its own allocations never get them).
std::vector<uint64_t> LowestFree(const FileState& m, size_t n) {
  std::vector<uint64_t> out;
  for (uint64_t id = 1; out.size() < n; id++) {
    if (m.protected_step.count(id) == 0) out.push_back(id);
  }
  return out;
}

Step TxnStepOf(uint64_t seed, uint64_t s, uint64_t r, const FileState& m) {
  std::vector<uint64_t> live;
  for (const auto& kv : m.protected_step) live.push_back(kv.first);
  // 1..4 distinct protected pages rewritten: all of them change or none (P9).
  Step st{Kind::kTxn, {}, {}, {}, {}, (r >> 24) % 4 == 0};
  uint32_t n = 1 + static_cast<uint32_t>((r >> 12) % 4);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t id = live[Rand(seed, s, 20 + i) % live.size()];
    bool seen = false;
    for (uint64_t x : st.ids) seen = seen || x == id;
    if (!seen) st.ids.push_back(id);
  }
  // 0..2 new pages and 0..1 freed page in the same commit (P12).
  if (live.size() < kMaxProtected) st.born = LowestFree(m, (r >> 16) % 3);
  if (live.size() > kMinProtected && (r >> 20) % 2 == 0) {
    uint64_t id = live[Rand(seed, s, 30) % live.size()];
    bool written = false;
    for (uint64_t x : st.ids) written = written || x == id;
    if (!written) st.freed.push_back(id);
  }
  return st;
}

Step StepOf(uint64_t seed, uint64_t s, const FileState& m) {
  uint64_t r = Rand(seed, s, 7);
  if (r % 10 < 2) {
    bool alloc = m.regular_count < 4 || ((r >> 8) % 2 == 0 && m.regular_count < 64);
    return Step{alloc ? Kind::kAlloc : Kind::kFree, {}, {}, {}, {}, false};
  }
  if (r % 10 < 5) return Step{Kind::kSub, {}, SubStepOf(seed, s, m.sub), {}, {}, false};
  return TxnStepOf(seed, s, r, m);
}

void Apply(const Step& st, uint64_t s, FileState* m) {
  if (st.kind == Kind::kAlloc) m->regular_count++;
  if (st.kind == Kind::kFree) m->regular_count--;
  if (st.kind == Kind::kSub) ApplySubStep(st.sub, s, &m->sub);
  for (uint64_t id : st.ids) m->protected_step[id] = s;
  for (uint64_t id : st.born) m->protected_step[id] = s;
  for (uint64_t id : st.freed) m->protected_step.erase(id);
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

// A transaction that allocates the step's new pages (and one more), frees its freed pages
// and a page it rewrites, writes them all, and aborts: the oracle sees nothing of it.
std::string AbortedTxn(pager_file* f, const Step& st) {
  pager_file_txn* txn = nullptr;
  int rc = pager_file_txn_begin(f, &txn);
  if (rc != PAGER_OK) return Failure("pager_file_txn_begin (aborted)", rc);
  for (size_t i = 0; rc == PAGER_OK && i <= st.born.size(); i++) {
    uint64_t id = 0;
    void* data = nullptr;
    rc = pager_file_txn_alloc_page(txn, &id, &data);
    if (rc == PAGER_OK) std::memset(data, 0xee, kPageSize);
  }
  for (size_t i = 0; rc == PAGER_OK && i < st.freed.size(); i++) {
    rc = pager_file_txn_free_page(txn, st.freed[i]);
  }
  if (rc == PAGER_OK) rc = pager_file_txn_free_page(txn, st.ids.front());
  pager_file_txn_free(txn);
  return rc == PAGER_OK ? "" : Failure("aborted transaction", rc);
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
  if (st.abort_first) {
    std::string err = AbortedTxn(f, st);
    if (!err.empty()) return err;
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
  for (size_t i = 0; rc == PAGER_OK && i < st.born.size(); i++) {
    uint64_t id = 0;
    void* data = nullptr;
    rc = pager_file_txn_alloc_page(txn, &id, &data);
    if (rc != PAGER_OK) break;
    if (id != st.born[i]) {
      pager_file_txn_free(txn);
      return "pager_file_txn_alloc_page gave id " + std::to_string(id) + ", not the lowest free " +
             std::to_string(st.born[i]);
    }
    std::vector<uint8_t> b = Content(seed, s, id);
    std::memcpy(data, b.data(), b.size());
  }
  for (size_t i = 0; rc == PAGER_OK && i < st.freed.size(); i++) {
    rc = pager_file_txn_free_page(txn, st.freed[i]);
  }
  if (rc == PAGER_OK) rc = pager_file_txn_commit(txn);
  pager_file_txn_free(txn);
  return rc == PAGER_OK ? "" : Failure("pager_file_txn_add/alloc_page/free_page/commit", rc);
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
  // The observable state as one string of bytes: each protected id (8 bytes) and its
  // content, in id order, then the regular page count.
  static std::string Observe(pager_file* f, std::string* out) {
    std::vector<uint8_t> buf(kPageSize);
    pager_file_iter* it = nullptr;
    int rc = pager_file_iter_protected(f, &it);
    if (rc != PAGER_OK) return Failure("pager_file_iter_protected", rc);
    while (true) {
      uint64_t id = 0;
      uint32_t found = 0;
      rc = pager_file_iter_next(it, &id, &found);
      if (rc != PAGER_OK || found == 0) break;
      rc = pager_file_protected_read(f, id, buf.data(), buf.size());
      if (rc != PAGER_OK) break;
      out->append(reinterpret_cast<const char*>(&id), sizeof id);
      out->append(reinterpret_cast<const char*>(buf.data()), buf.size());
    }
    pager_file_iter_free(it);
    if (rc != PAGER_OK) return Failure("pager_file_iter_next/protected_read", rc);
    std::vector<uint64_t> ids;
    std::string err = AllocatedRegular(f, &ids);
    out->append("regular=" + std::to_string(ids.size()));
    return err;
  }
  static std::string Describe(uint64_t seed, const FileState& m) {
    std::string s;
    for (const auto& kv : m.protected_step) {
      std::vector<uint8_t> b = Content(seed, kv.second, kv.first);
      s.append(reinterpret_cast<const char*>(&kv.first), sizeof kv.first);
      s.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
    return s + "regular=" + std::to_string(m.regular_count);
  }
  // Which step each protected page carries, and the regular count.
  static std::string Summary(const std::string& found) {
    std::string s;
    size_t regular = found.find("regular=");
    if (regular == std::string::npos) regular = 0;
    for (size_t off = 0; off + sizeof(uint64_t) + kPageSize <= regular;
         off += sizeof(uint64_t) + kPageSize) {
      uint64_t id = 0, step = 0;
      std::memcpy(&id, found.data() + off, sizeof id);
      std::memcpy(&step, found.data() + off + sizeof id, sizeof step);
      s += "page " + std::to_string(id) + "@" + std::to_string(step) + " ";
    }
    size_t sub = found.find("|sub|");
    return s + found.substr(regular, sub - regular) + ", " +
           std::to_string(found.size() - sub - 5) + " bytes of sub-page entries";
  }
};

}  // namespace

std::unique_ptr<Component> NewFileComponent() { return std::make_unique<FileComponent>(); }

}  // namespace torture
