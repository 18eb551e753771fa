// I/O-error sweep of the page file (SQLite's ioerr tests): the Nth I/O operation of a workload
// fails with EIO or ENOSPC -- once, and from then on -- for N = 1, 2, ... until the workload
// runs clean. After each: the failed call returned IO or NOSPC (never another code, never a
// crash); the handle either refuses every later mutation with POISONED or still works; and a
// reopen, live and after a power loss, holds an acknowledged state or the one in flight.
#include <functional>

#include "impl/io/checksum.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::ProtectedIds;
using testing::ReadProtected;
using testing::RegularPages;
using testing::SmallOptions;

struct State {
  std::set<uint64_t> pages;
  std::map<uint64_t, uint64_t> protected_sums;
  bool operator==(const State& o) const {
    return pages == o.pages && protected_sums == o.protected_sums;
  }
};

State Take(PageFile* pf) {
  State s;
  s.pages = RegularPages(pf);
  for (uint64_t id : ProtectedIds(pf)) {
    std::vector<uint8_t> c = ReadProtected(pf, id);
    s.protected_sums[id] = Checksum64(c.data(), c.size());
  }
  return s;
}

// The workload: each step one public, committing operation. On the first failure the faults
// are cleared and one more commit is tried: a poisoned handle refuses it (POISONED); a handle
// that failed cleanly must accept it, and that state is then acknowledged.
struct Run {
  std::vector<State> acked;  // [0] = after create
  Status failure;
  size_t failed_step = 0;  // index of the step that failed (valid when failure is not ok)
  bool created = false;
  bool poisoned_after = false;
};

Run Workload(io::FaultEnv* env) {
  Run r;
  std::unique_ptr<PageFile> pf;
  r.failure = PageFile::Create(env, "/f", SmallOptions(), &pf);
  if (!r.failure.ok()) return r;
  r.created = true;
  r.acked.push_back(Take(pf.get()));
  std::vector<uint64_t> pages(12), prot(3);
  auto write_prot = [&](size_t which, uint64_t seed) {
    std::vector<uint8_t> b = ::pager::testing::PatternBytes(seed, pf->page_size());
    return pf->ProtectedWrite(prot[which], b.data());
  };
  std::vector<uint64_t> fresh(2);
  // One transaction (P12): allocate two pages, rewrite prot[0], free prot[1]; one commit.
  auto txn_alloc_free = [&]() -> Status {
    int owner = 0;
    std::vector<uint8_t> copy(pf->page_size());
    std::vector<uint8_t> a = ::pager::testing::PatternBytes(11, pf->page_size());
    std::vector<uint8_t> b = ::pager::testing::PatternBytes(12, pf->page_size());
    Status st = pf->TxnAdd(&owner, prot[0], copy.data());
    if (st.ok()) st = pf->TxnAllocId(&owner, &fresh[0]);
    if (st.ok()) st = pf->TxnAllocId(&owner, &fresh[1]);
    if (st.ok()) st = pf->TxnFreeId(&owner, prot[1]);
    if (!st.ok()) {
      pf->TxnRelease(&owner);
      return st;
    }
    copy = a;
    return pf->TxnCommit(&owner, {{prot[0], copy.data()}, {fresh[0], a.data()}, {fresh[1], b.data()}});
  };
  // A second one frees a page the first allocated and rewrites the other.
  auto txn_free_fresh = [&]() -> Status {
    int owner = 0;
    std::vector<uint8_t> copy(pf->page_size());
    Status st = pf->TxnAdd(&owner, fresh[1], copy.data());
    if (st.ok()) st = pf->TxnFreeId(&owner, fresh[0]);
    if (!st.ok()) {
      pf->TxnRelease(&owner);
      return st;
    }
    copy = ::pager::testing::PatternBytes(13, pf->page_size());
    return pf->TxnCommit(&owner, {{fresh[1], copy.data()}});
  };
  std::vector<std::function<Status()>> steps = {
      [&] { return pf->Alloc(&pages[0]); },
      [&] { return pf->AllocBulk(10, pages.data() + 1); },
      [&] { return pf->ProtectedAllocBulk(3, prot.data()); },
      [&] { return write_prot(0, 1); },
      [&] { return pf->Free(pages[0]); },
      [&] { return pf->Grow(600); },
      [&] { return write_prot(1, 2); },
      [&] { return pf->FreeBulk(pages.data() + 1, 5); },
      [&] { return pf->ProtectedFree(prot[2]); },
      [&] { return write_prot(0, 3); },
      txn_alloc_free,
      txn_free_fresh,
  };
  for (size_t i = 0; i < steps.size(); i++) {
    r.failure = steps[i]();
    if (!r.failure.ok()) {
      r.failed_step = i;
      break;
    }
    r.acked.push_back(Take(pf.get()));
  }
  if (r.failure.ok()) return r;
  env->ClearFaults();
  uint64_t id = 0;
  Status again = pf->Alloc(&id);
  r.poisoned_after = again.code() == Code::kPoisoned;
  if (again.ok()) r.acked.push_back(Take(pf.get()));
  EXPECT_TRUE(again.ok() || r.poisoned_after)
      << "after a clean failure the handle refuses work: " << again.ToString();
  return r;
}

void Sweep(io::FaultKind kind, bool persistent) {
  std::vector<State> reference;  // the clean run's states: what a step in flight leaves
  uint64_t total_ops = 0;
  {
    io::FaultEnv probe;
    uint64_t start = probe.OpCount();
    Run r = Workload(&probe);
    ASSERT_TRUE(r.failure.ok()) << r.failure.ToString();
    total_ops = probe.OpCount() - start;
    reference = r.acked;
  }
  ASSERT_GT(total_ops, 20u);
  uint64_t failures = 0, poisoned = 0;
  for (uint64_t n = 1; n <= total_ops + 1; n++) {
    SCOPED_TRACE("operation " + std::to_string(n) + " of " + std::to_string(total_ops) +
                 (persistent ? ", persistent" : ", once"));
    io::FaultEnv env;
    env.FailNthAny(n, kind, persistent);
    Run r = Workload(&env);
    env.ClearFaults();
    std::vector<const State*> allowed;
    if (r.created) allowed.push_back(&r.acked.back());
    if (!r.failure.ok()) {
      failures++;
      Code c = r.failure.code();
      ASSERT_TRUE(c == Code::kIo || c == Code::kNoSpace) << r.failure.ToString();
      // A poisoned handle's failed step may have become durable (its sync is what failed).
      if (r.poisoned_after) {
        poisoned++;
        allowed.push_back(&reference[r.failed_step + 1]);
      }
    }
    if (!r.created) continue;  // a failed create may leave a partial file: not a page file
    for (int image = 0; image < 2; image++) {
      std::unique_ptr<io::FaultEnv> crashed;
      io::Env* e = &env;
      if (image == 1) {
        crashed = io::FaultEnv::FromImage(env.CrashImage(n));
        e = crashed.get();
      }
      std::unique_ptr<PageFile> pf = testing::MustOpen(e, "/f", SmallOptions());
      ASSERT_NE(pf, nullptr) << (image ? "after power loss" : "live");
      ASSERT_TRUE(pf->CheckInvariants().ok());
      State got = Take(pf.get());
      bool ok = false;
      for (const State* a : allowed) ok = ok || got == *a;
      EXPECT_TRUE(ok) << (image ? "after power loss: " : "live: ")
                      << "neither the last acknowledged state nor the one in flight ("
                      << got.pages.size() << " regular pages, " << got.protected_sums.size()
                      << " protected)";
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(failures, total_ops / 2);
  if (kind == io::FaultKind::kEio) {
    EXPECT_GT(poisoned, 0u);
  }
}

TEST(FileIoErr, EveryOperationFailingOnceWithEio) { Sweep(io::FaultKind::kEio, false); }
TEST(FileIoErr, EveryOperationFailingForeverWithEio) { Sweep(io::FaultKind::kEio, true); }
TEST(FileIoErr, EveryOperationFailingOnceWithEnospc) { Sweep(io::FaultKind::kEnospc, false); }
TEST(FileIoErr, EveryOperationFailingForeverWithEnospc) { Sweep(io::FaultKind::kEnospc, true); }

}  // namespace
}  // namespace file
}  // namespace pager

namespace pager {
namespace file {
namespace {

// Found by fuzz/fileops: an EIO while open read the newest meta's bitmap or directory copies
// made recovery fall back to the older meta -- and the read-write open then committed that
// older state, losing the last acknowledged commit for good -- or report CORRUPT. A read
// error is not damage: the open must fail with IO, and a later open must see the newest state.
TEST(FileIoErr, AReadErrorDuringRecoveryIsIoNeverARollbackOrCorrupt) {
  io::FaultEnv env;
  State newest;
  {
    std::unique_ptr<PageFile> pf = testing::MustCreate(&env, "/f", SmallOptions());
    ASSERT_NE(pf, nullptr);
    uint64_t id = 0;
    for (int i = 0; i < 5; i++) ASSERT_TRUE(pf->Alloc(&id).ok());
    std::vector<uint64_t> many(9000);  // several bitmap groups and directory pages to load
    ASSERT_TRUE(pf->AllocBulk(many.size(), many.data()).ok());
    std::vector<uint64_t> prot(2);
    ASSERT_TRUE(pf->ProtectedAllocBulk(2, prot.data()).ok());
    std::vector<uint8_t> b = ::pager::testing::PatternBytes(4, pf->page_size());
    ASSERT_TRUE(pf->ProtectedWrite(prot[1], b.data()).ok());
    newest = Take(pf.get());
  }
  uint64_t io_errors = 0;
  for (uint64_t n = 1; n < 200; n++) {
    SCOPED_TRACE("read " + std::to_string(n) + " fails");
    env.FailNthAny(n, io::FaultKind::kEio, false);
    FileOptions o = SmallOptions();
    o.page_size = 0;
    std::unique_ptr<PageFile> pf;
    Status st = PageFile::Open(&env, "/f", o, &pf);
    env.ClearFaults();
    if (st.ok()) {
      EXPECT_TRUE(Take(pf.get()) == newest) << "recovery rolled back to an older commit";
      pf.reset();
      continue;
    }
    io_errors++;
    EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  }
  EXPECT_GT(io_errors, 0u);
  std::unique_ptr<PageFile> pf = testing::MustOpen(&env, "/f", SmallOptions());
  ASSERT_NE(pf, nullptr);
  EXPECT_TRUE(Take(pf.get()) == newest);
}

}  // namespace
}  // namespace file
}  // namespace pager
