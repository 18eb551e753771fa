// Workload steps and runs shared by the page-file crash simulations (file_crash_test.cc,
// file_journal_crash_test.cc): a workload is a list of steps, each one public operation
// (usually one commit) on the file in a CrashCtx; RunCrashSteps runs them on a fresh FaultEnv,
// crashing at a chosen sync, and keeps a snapshot after each step of the reference run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace testing {

// What a workload wrote to regular pages: cur = the bytes last written through the mapping,
// dur = the bytes of the last sync_pages that returned Ok (what must survive a crash).
struct PageModel {
  std::map<uint64_t, std::vector<uint8_t>> cur, dur;
};

// The file's allocator and protected pages (each by the checksum of its content).
struct AllocationSnapshot {
  std::set<uint64_t> pages;
  std::map<uint64_t, uint64_t> protected_sums;  // id -> checksum of content
  uint64_t free_pages = 0;                      // the allocator: free pages in the space
  bool SameAllocation(const AllocationSnapshot& o) const {
    return pages == o.pages && protected_sums == o.protected_sums && free_pages == o.free_pages;
  }
};

inline AllocationSnapshot TakeAllocation(PageFile* pf) {
  AllocationSnapshot s;
  s.pages = RegularPages(pf);
  EXPECT_OK(pf->FreePageCount(&s.free_pages));
  for (uint64_t id : ProtectedIds(pf)) {
    std::vector<uint8_t> c = ReadProtected(pf, id);
    s.protected_sums[id] = Checksum64(c.data(), c.size());
  }
  return s;
}

// The file a workload runs on and what the steps track: the regular pages they allocated, the
// protected pages, and (for steps that write regular pages) the PageModel.
struct CrashCtx {
  io::Env* env;
  FileOptions options;
  std::unique_ptr<PageFile> pf;
  std::vector<uint64_t> pages;
  std::vector<uint64_t> prot;
  PageModel model;
};
// A workload step: returns the operation's Status (a crash makes it fail).
using CrashStep = std::function<Status(CrashCtx*)>;

// One bulk allocation of n pages (bulk: PageFile::AllocBulk or ProtectedAllocBulk); their ids
// are appended to the ctx's list `ids` (CrashCtx::pages or CrashCtx::prot).
inline CrashStep AllocInto(size_t n, std::vector<uint64_t> CrashCtx::*ids,
                           Status (PageFile::*bulk)(uint64_t, uint64_t*)) {
  return [=](CrashCtx* c) {
    std::vector<uint64_t> got(n);
    PAGER_RETURN_IF_ERROR((c->pf.get()->*bulk)(n, got.data()));
    (c->*ids).insert((c->*ids).end(), got.begin(), got.end());
    return Status::Ok();
  };
}
inline CrashStep AllocBulk(size_t n) {
  return AllocInto(n, &CrashCtx::pages, &PageFile::AllocBulk);
}
// Frees the first half of the tracked regular pages in one free_bulk; the model forgets them.
inline CrashStep FreeBulkHalf() {
  return [](CrashCtx* c) {
    size_t n = c->pages.size() / 2;
    PAGER_RETURN_IF_ERROR(c->pf->FreeBulk(c->pages.data(), n));
    for (size_t i = 0; i < n; i++) {
      c->model.cur.erase(c->pages[i]);
      c->model.dur.erase(c->pages[i]);
    }
    c->pages.erase(c->pages.begin(), c->pages.begin() + static_cast<long>(n));
    return Status::Ok();
  };
}
inline CrashStep GrowTo(uint64_t n) {
  return [n](CrashCtx* c) { return c->pf->Grow(n); };
}
inline CrashStep ProtAlloc(size_t n) {
  return AllocInto(n, &CrashCtx::prot, &PageFile::ProtectedAllocBulk);
}
inline CrashStep ProtWrite(size_t which, uint64_t seed) {
  return [which, seed](CrashCtx* c) {
    std::vector<uint8_t> data = pager::testing::PatternBytes(seed, c->pf->page_size());
    return c->pf->ProtectedWrite(c->prot[which % c->prot.size()], data.data());
  };
}
inline CrashStep ProtFreeLast() {
  return [](CrashCtx* c) {
    PAGER_RETURN_IF_ERROR(c->pf->ProtectedFree(c->prot.back()));
    c->prot.pop_back();
    return Status::Ok();
  };
}
// One transaction over the listed protected pages (indexes into c->prot), one commit.
inline CrashStep TxnWrite(std::vector<size_t> which, uint64_t seed) {
  return [which, seed](CrashCtx* c) {
    int owner = 0;
    std::vector<std::vector<uint8_t>> copies;
    std::vector<PageFile::TxnPage> pages;
    copies.reserve(which.size());
    for (size_t w : which) {
      uint64_t id = c->prot[w % c->prot.size()];
      copies.emplace_back(c->pf->page_size());
      Status st = c->pf->TxnAdd(&owner, id, copies.back().data());
      if (!st.ok()) {
        c->pf->TxnRelease(&owner);
        return st;
      }
      copies.back() = pager::testing::PatternBytes(seed * 1000 + id, c->pf->page_size());
      pages.push_back({id, copies.back().data()});
    }
    return c->pf->TxnCommit(&owner, pages);
  };
}

// One run of a workload's steps (see RunCrashSteps).
template <class State>
struct CrashRun {
  std::unique_ptr<io::FaultEnv> env;
  std::vector<State> states;  // [i] = after i completed steps (the reference run only)
  size_t completed = 0;
  uint64_t create_syncs = 0;
  uint64_t syncs_after_create = 0;
  uint64_t checkpoints = 0;  // the file's checkpoint_count when the steps ended
};

// Whether the syncs of the file's final close count among the run's sync points.
enum class CloseSyncs { kNotCounted, kCounted };

// Creates "/f" with `options` on a fresh FaultEnv and runs the steps, crashing at sync
// crash_at after create (0 = never; then every step must succeed). take(ctx) snapshots the
// state after create and, in the reference run, after each completed step.
template <class State>
CrashRun<State> RunCrashSteps(const char* name, const std::vector<CrashStep>& steps,
                              const FileOptions& options, uint64_t crash_at,
                              const std::function<State(CrashCtx*)>& take, CloseSyncs close) {
  CrashRun<State> r;
  r.env = std::make_unique<io::FaultEnv>();
  CrashCtx c{r.env.get(), options, nullptr, {}, {}, {}};
  EXPECT_OK(PageFile::Create(r.env.get(), "/f", c.options, &c.pf));
  r.create_syncs = r.env->SyncCount();
  r.states.push_back(take(&c));
  if (crash_at != 0) r.env->CrashAtSync(r.create_syncs + crash_at);
  for (const CrashStep& s : steps) {
    Status st = s(&c);
    if (!st.ok()) {
      EXPECT_NE(crash_at, 0u) << name << ": " << st.ToString();
      break;
    }
    r.completed++;
    if (crash_at == 0) r.states.push_back(take(&c));
  }
  if (c.pf != nullptr) r.checkpoints = c.pf->checkpoint_count();
  if (close == CloseSyncs::kNotCounted) r.syncs_after_create = r.env->SyncCount() - r.create_syncs;
  c.pf.reset();
  if (close == CloseSyncs::kCounted) r.syncs_after_create = r.env->SyncCount() - r.create_syncs;
  return r;
}

}  // namespace testing
}  // namespace file
}  // namespace pager
