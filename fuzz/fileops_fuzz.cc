// libFuzzer harness: page-file operation sequences with power losses and injected faults,
// checked against a model (in memory: FaultEnv, no real files).
//
// Input: a program of one-byte opcodes with their argument bytes (see Run). The model holds
// the set of allocated regular pages and every protected page's content (by the seed that
// wrote it). Every commit is durable when it returns, so after any simulated power loss the
// reopened file must equal the model exactly; after an injected fault the failed call returns
// IO or NOSPC, and the file then holds the model's state or the failed call's result.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "impl/file/page_file.h"
#include "impl/io/mem_env.h"

namespace {

using pager::Code;
using pager::Status;
using pager::file::FileOptions;
using pager::file::PageFile;
using pager::io::FaultEnv;
using pager::io::FaultKind;

constexpr uint32_t kPageSize = 1024;
const char* kPath = "/f/pages";

struct Model {
  std::set<uint64_t> pages;
  std::map<uint64_t, uint8_t> prot;  // id -> seed of its bytes (0: zeros)
  bool operator==(const Model& o) const { return pages == o.pages && prot == o.prot; }
};

std::vector<uint8_t> Bytes(uint8_t seed, uint64_t id) {
  std::vector<uint8_t> b(kPageSize, 0);
  if (seed == 0) return b;
  for (size_t i = 0; i < b.size(); i++) b[i] = static_cast<uint8_t>(seed * 13 + id * 3 + i);
  return b;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fileops: %s\n", what);
    __builtin_trap();
  }
}

FileOptions Opts(bool create) {
  FileOptions o;
  o.page_size = create ? kPageSize : 0;
  o.max_size_bytes = uint64_t{1} << 26;
  o.initial_page_count = 8;
  return o;
}

// What the file holds, in model terms (protected contents identified by their seed).
bool Observe(PageFile* pf, const Model& a, const Model& b, Model* out) {
  uint64_t next = 0, id = 0;
  bool found = true;
  while (true) {
    if (!pf->NextRegular(next, &id, &found).ok()) return false;
    if (!found) break;
    out->pages.insert(id);
    next = id + 1;
  }
  next = 1;
  std::vector<uint8_t> buf(kPageSize);
  while (true) {
    if (!pf->NextProtected(next, &id, &found).ok()) return false;
    if (!found) break;
    if (!pf->ProtectedRead(id, buf.data(), buf.size()).ok()) return false;
    uint8_t seed = 0xFF;  // bytes neither model names
    auto ia = a.prot.find(id);
    auto ib = b.prot.find(id);
    for (uint8_t cand : {uint8_t{0}, ia == a.prot.end() ? uint8_t{0} : ia->second,
                         ib == b.prot.end() ? uint8_t{0} : ib->second}) {
      if (buf == Bytes(cand, id)) seed = cand;
    }
    out->prot[id] = seed;
    next = id + 1;
  }
  return true;
}

class Harness {
 public:
  bool Start() {
    env_ = std::make_unique<FaultEnv>();
    return env_->CreateDir("/f", 0755).ok() &&
           PageFile::Create(env_.get(), kPath, Opts(true), &pf_).ok();
  }

  void Run(const uint8_t* data, size_t size) {
    size_t i = 0;
    auto next = [&]() -> uint8_t { return i < size ? data[i++] : 0; };
    while (i < size) {
      uint8_t op = next() % 10;
      Model would_be = model_;  // the failed call's result, where the model can name it
      size_t new_pages = 0, new_prot = 0;  // ... or the ids an allocation would have added
      Status st;
      switch (op) {
        case 0: {
          uint64_t id = 0;
          st = pf_->Alloc(&id);
          if (st.ok()) model_.pages.insert(id);
          new_pages = 1;
          break;
        }
        case 1: {
          std::vector<uint64_t> ids(1 + next() % 40);
          st = pf_->AllocBulk(ids.size(), ids.data());
          if (st.ok()) model_.pages.insert(ids.begin(), ids.end());
          new_pages = ids.size();
          break;
        }
        case 2: {  // free the k-th allocated page
          uint8_t k = next();
          if (model_.pages.empty()) continue;
          uint64_t id = *std::next(model_.pages.begin(), k % model_.pages.size());
          st = pf_->Free(id);
          if (st.ok()) model_.pages.erase(id);
          would_be.pages.erase(id);
          break;
        }
        case 3: {
          uint64_t id = 0;
          st = pf_->ProtectedAlloc(&id);
          if (st.ok()) model_.prot[id] = 0;
          new_prot = 1;
          break;
        }
        case 4: {  // write a protected page
          uint8_t k = next(), seed = static_cast<uint8_t>(next() | 1);
          if (model_.prot.empty() || seed == 0xFF) continue;
          uint64_t id = std::next(model_.prot.begin(), k % model_.prot.size())->first;
          st = pf_->ProtectedWrite(id, Bytes(seed, id).data());
          would_be.prot[id] = seed;
          if (st.ok()) model_.prot[id] = seed;
          break;
        }
        case 5: {
          uint8_t k = next();
          if (model_.prot.empty()) continue;
          uint64_t id = std::next(model_.prot.begin(), k % model_.prot.size())->first;
          st = pf_->ProtectedFree(id);
          would_be.prot.erase(id);
          if (st.ok()) model_.prot.erase(id);
          break;
        }
        case 9: {  // one transaction (P12): rewrite one page, allocate one, free another
          uint8_t k = next(), j = next(), seed = static_cast<uint8_t>(next() | 1);
          if (model_.prot.size() < 2 || seed == 0xFF) continue;
          uint64_t id = std::next(model_.prot.begin(), k % model_.prot.size())->first;
          uint64_t doomed = std::next(model_.prot.begin(), j % model_.prot.size())->first;
          if (doomed == id) continue;
          uint64_t born = 1;  // the lowest id not in use
          while (model_.prot.count(born) != 0) born++;
          int owner = 0;
          std::vector<uint8_t> copy(kPageSize);
          uint64_t got = 0;
          st = pf_->TxnAdd(&owner, id, (j & 0x80) ? nullptr : copy.data());  // or blind
          if (st.ok()) st = pf_->TxnAllocId(&owner, &got);
          if (st.ok()) Check(got == born, "txn alloc did not give the lowest free id");
          if (st.ok()) st = pf_->TxnFreeId(&owner, doomed);
          if (!st.ok()) {
            pf_->TxnRelease(&owner);
            Check(st.code() == Code::kPoisoned || st.code() == Code::kFull, "txn setup failed");
            break;
          }
          uint8_t born_seed = static_cast<uint8_t>(seed + 2);  // odd: never 0 (zeros)
          if (born_seed == 0xFF) born_seed = 3;
          std::vector<uint8_t> a = Bytes(seed, id), b = Bytes(born_seed, born);
          st = pf_->TxnCommit(&owner, {{id, a.data()}, {born, b.data()}});
          would_be.prot[id] = seed;
          would_be.prot[born] = born_seed;
          would_be.prot.erase(doomed);
          if (st.ok()) model_ = would_be;
          break;
        }
        case 6:  // power loss now: every commit so far was durable when it returned
          Reopen(FaultEnv::FromImage(env_->CrashImage(next())), nullptr, 0, 0);
          continue;
        case 7:
          Reopen(nullptr, nullptr, 0, 0);
          continue;
        case 8: {
          uint8_t b = next();
          env_->FailNthAny(1 + b % 8, (b & 0x40) ? FaultKind::kEnospc : FaultKind::kEio,
                           (b & 0x80) != 0);
          continue;
        }
      }
      if (st.ok() || st.code() == Code::kFull) continue;  // FULL: nothing changed
      Check(st.code() == Code::kIo || st.code() == Code::kNoSpace || st.code() == Code::kPoisoned,
            "unexpected error code");
      // The files hold the model's state or the failed call's result.
      env_->ClearFaults();
      if (st.code() == Code::kPoisoned) {
        Reopen(nullptr, nullptr, 0, 0);
      } else {
        Reopen(nullptr, &would_be, new_pages, new_prot);
      }
    }
  }

 private:
  // Accepts the model's state, *alt, or the model plus exactly new_pages regular pages and
  // new_prot zeroed protected pages it did not have (an allocation whose sync failed).
  bool Acceptable(const Model& got, const Model* alt, size_t new_pages, size_t new_prot) {
    if (got == model_ || (alt != nullptr && got == *alt)) return true;
    if (new_pages + new_prot == 0) return false;
    if (got.pages.size() != model_.pages.size() + new_pages) return false;
    if (got.prot.size() != model_.prot.size() + new_prot) return false;
    for (uint64_t p : model_.pages) {
      if (got.pages.count(p) == 0) return false;
    }
    for (const auto& kv : got.prot) {
      auto it = model_.prot.find(kv.first);
      if (it == model_.prot.end() ? kv.second != 0 : it->second != kv.second) return false;
    }
    return true;
  }

  void Reopen(std::unique_ptr<FaultEnv> image, const Model* alt, size_t new_pages,
              size_t new_prot) {
    pf_.reset();
    if (image != nullptr) env_ = std::move(image);
    Status st = PageFile::Open(env_.get(), kPath, Opts(false), &pf_);
    if (!st.ok()) {  // an armed fault hit the open itself: it fails cleanly, then works
      Check(st.code() == Code::kIo || st.code() == Code::kNoSpace, "open failed oddly");
      env_->ClearFaults();
      st = PageFile::Open(env_.get(), kPath, Opts(false), &pf_);
    }
    Check(st.ok(), "reopen failed");
    env_->ClearFaults();
    Check(pf_->CheckInvariants().ok(), "invariants after reopen");
    Model got;
    Check(Observe(pf_.get(), model_, alt != nullptr ? *alt : model_, &got),
          "reading the file back");
    Check(Acceptable(got, alt, new_pages, new_prot), "reopened file is not a committed state");
    model_ = got;
  }

  std::unique_ptr<FaultEnv> env_;
  std::unique_ptr<PageFile> pf_;
  Model model_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2048) return 0;
  Harness h;
  if (!h.Start()) return 0;
  h.Run(data, size);
  return 0;
}
