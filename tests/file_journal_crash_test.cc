// The page journal of a format-2 page file (journal.h J1-J5, page_file.h P14-P16) under crash
// simulation on FaultEnv: for each scripted workload, a crash at every sync point after create,
// several CrashImage seeds each (dropped, torn and reordered writes of both files). After the
// reopen (which replays the journal) the allocator and every protected page equal the last
// acknowledged state or the one in flight, and every regular page the workload wrote reads, in
// each 512-byte sector, bytes the model allows: exactly its last sync_pages'd bytes while no
// later write touched it, else those or the newer unsynced ones.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>

#include "tests/file_crash_steps.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::AllocBulk;
using testing::AllocationSnapshot;
using testing::CloseSyncs;
using testing::ForOpen;
using testing::FreeBulkHalf;
using testing::GrowTo;
using testing::JournaledOptions;
using testing::PageBytes;
using testing::ProtAlloc;
using testing::ProtFreeLast;
using testing::ProtWrite;
using testing::ReadProtected;
using testing::TxnWrite;
using testing::WritePage;
using Bytes = std::vector<uint8_t>;
using Ctx = testing::CrashCtx;
using Step = testing::CrashStep;

// The allocator and protected pages, and the model of the regular pages' bytes
// (testing::PageModel: cur = last written, dur = last sync_pages'd).
struct State : AllocationSnapshot {
  testing::PageModel model;
};

State Take(Ctx* c) { return State{testing::TakeAllocation(c->pf.get()), c->model}; }

// Writes new bytes through the mapping into every stride-th regular page (from `first`);
// then, if sync, one sync_pages of exactly those pages (scattered: never two adjacent).
Step Write(size_t stride, size_t first, uint64_t seed, bool sync) {
  return [=](Ctx* c) {
    std::vector<uint64_t> list;
    for (size_t i = first; i < c->pages.size(); i += stride) list.push_back(c->pages[i]);
    for (uint64_t p : list) {
      Bytes b = pager::testing::PatternBytes(seed * 100000 + p, c->pf->page_size());
      PAGER_RETURN_IF_ERROR(WritePage(c->pf.get(), p, b));
      c->model.cur[p] = b;
    }
    if (!sync) return Status::Ok();
    PAGER_RETURN_IF_ERROR(c->pf->SyncPages(list.data(), list.size()));
    for (uint64_t p : list) c->model.dur[p] = c->model.cur[p];
    return Status::Ok();
  };
}
Step WriteSync(size_t stride, size_t first, uint64_t seed) { return Write(stride, first, seed, true); }
Step WriteOnly(size_t stride, size_t first, uint64_t seed) { return Write(stride, first, seed, false); }
// A clean close and a read-write reopen. Nothing rolls back (P16): every page the workload
// wrote reads the bytes it last wrote, synced or not (the page cache holds them; a journal
// replay of an older image of the page would not). The close made the main file durable
// (P16: the workloads close with a chain, so the close checkpoints), so a later crash keeps
// those bytes too.
Step CloseReopen() {
  return [](Ctx* c) {
    c->pf.reset();
    c->model.dur = c->model.cur;
    FileOptions o = c->options;
    o.page_size = 0;
    PAGER_RETURN_IF_ERROR(PageFile::Open(c->env, "/f", o, &c->pf));
    for (const auto& e : c->model.cur) {
      if (PageBytes(c->pf.get(), e.first) != e.second) {
        return Status(Code::kInternal, "page " + std::to_string(e.first) +
                                           " rolled back across a clean close and reopen");
      }
    }
    return Status::Ok();
  };
}

struct Workload {
  const char* name;
  uint64_t lap_bytes;
  std::vector<Step> steps;
};

std::vector<Step> CheckpointSteps() {
  std::vector<Step> s = {AllocBulk(200), ProtAlloc(4)};
  for (uint64_t i = 0; i < 10; i++) {
    s.push_back(WriteSync(9, i % 9, 10 + i));  // ~22 pages: a 28 KiB batch
    s.push_back(ProtWrite(i % 4, 20 + i));
    if (i % 3 == 1) s.push_back(WriteOnly(13, i % 13, 40 + i));
  }
  return s;
}

std::vector<Workload> Workloads() {
  std::vector<Workload> w;
  w.push_back({"sync_pages", kJournalLapBytes,
               {AllocBulk(300), WriteSync(7, 0, 1), WriteSync(5, 1, 2), WriteOnly(3, 0, 3),
                WriteSync(3, 0, 4), WriteSync(11, 2, 5)}});
  w.push_back({"transactions", kJournalLapBytes,
               {ProtAlloc(30), TxnWrite({0, 1, 2, 23, 24, 25, 29}, 1), TxnWrite({2, 3}, 2),
                ProtFreeLast(), TxnWrite({0, 5, 10, 15, 20, 25}, 3)}});
  w.push_back({"alloc_free", kJournalLapBytes,
               {AllocBulk(1), AllocBulk(40), FreeBulkHalf(), GrowTo(3000), AllocBulk(500), FreeBulkHalf(),
                ProtAlloc(3), ProtFreeLast(), AllocBulk(2)}});
  w.push_back({"checkpoints", uint64_t{64} << 10, CheckpointSteps()});
  w.push_back({"clean_close", kJournalLapBytes,
               {AllocBulk(60), ProtAlloc(2), WriteSync(2, 0, 1), WriteOnly(4, 0, 2), CloseReopen(),
                ProtWrite(0, 3), WriteSync(3, 1, 4), ProtWrite(1, 5), WriteOnly(2, 0, 6),
                CloseReopen(), ProtWrite(0, 7), WriteSync(5, 0, 8), AllocBulk(1)}});
  return w;
}

// Runs the steps on a fresh FaultEnv, crashing at sync k after create (0 = never); the close's
// syncs are sync points too.
using CrashRun = testing::CrashRun<State>;

CrashRun Execute(const Workload& w, uint64_t crash_at) {
  return testing::RunCrashSteps<State>(w.name, w.steps, JournaledOptions(w.lap_bytes), crash_at,
                                       Take, CloseSyncs::kCounted);
}

// Counters of what the crash images held (the sweeps assert they are not vacuous).
struct Tally {
  uint64_t images = 0, kept_old = 0, got_new = 0, replayed = 0;
  uint64_t synced_pages_checked = 0, sectors_old = 0, sectors_new = 0;
};

constexpr size_t kSectorBytes = 512;

// Every tracked regular page of the recovered file reads what the model allows (see the top
// comment). Pages the in-flight step allocated or freed are not compared.
void ExpectPagesAllowed(PageFile* pf, const State& before, const State& after, Tally* t) {
  for (const auto& e : before.model.dur) {
    uint64_t page = e.first;
    if (!after.model.dur.count(page)) continue;
    const Bytes& old_dur = e.second;
    const Bytes& old_cur = before.model.cur.at(page);
    const Bytes& new_cur = after.model.cur.at(page);
    Bytes got = PageBytes(pf, page);
    ASSERT_EQ(got.size(), old_dur.size());
    if (old_dur == old_cur && old_cur == new_cur) {
      ASSERT_TRUE(got == old_dur) << "page " << page << " lost its sync_pages'd bytes";
      t->synced_pages_checked++;
      continue;
    }
    for (size_t s = 0; s < got.size(); s += kSectorBytes) {
      auto sector_is = [&](const Bytes& b) {
        return std::memcmp(got.data() + s, b.data() + s, kSectorBytes) == 0;
      };
      bool old_ok = sector_is(old_dur) || sector_is(old_cur);
      bool new_ok = sector_is(new_cur);
      ASSERT_TRUE(old_ok || new_ok) << "page " << page << " sector " << s / kSectorBytes
                                    << " reads neither its old nor its new bytes";
      (new_ok && !sector_is(old_dur) ? t->sectors_new : t->sectors_old)++;
    }
  }
}

FileOptions ExistingOptions(const Workload& w) { return ForOpen(JournaledOptions(w.lap_bytes)); }

// One crash image: a read-write open (the replay), the state check, then the recovered file
// keeps working across a commit, a sync_pages and a reopen.
void CheckImage(const Workload& w, io::FaultEnv* env, const State& before, const State& after,
                Tally* t) {
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Open(env, "/f", ExistingOptions(w), &pf));
  ASSERT_OK(pf->CheckInvariants());
  if (pf->recovery_report().journal_batches > 0) t->replayed++;
  Ctx c{env, JournaledOptions(w.lap_bytes), std::move(pf), {}, {}, {}};
  State got = Take(&c);
  ASSERT_TRUE(got.SameAllocation(before) || got.SameAllocation(after))
      << got.pages.size() << " pages, " << got.protected_sums.size() << " protected, "
      << got.free_pages << " free; before " << before.pages.size() << "/"
      << before.protected_sums.size() << "/" << before.free_pages << ", after "
      << after.pages.size() << "/" << after.protected_sums.size() << "/" << after.free_pages;
  if (!before.SameAllocation(after)) (got.SameAllocation(before) ? t->kept_old : t->got_new)++;
  ASSERT_NO_FATAL_FAILURE(ExpectPagesAllowed(c.pf.get(), before, after, t));
  uint64_t pid = 0, id = 0;
  ASSERT_OK(c.pf->ProtectedAlloc(&pid));
  Bytes data = pager::testing::PatternBytes(pid + 99, c.pf->page_size());
  ASSERT_OK(c.pf->ProtectedWrite(pid, data.data()));
  ASSERT_OK(c.pf->Alloc(&id));
  Bytes page = pager::testing::PatternBytes(id + 98, c.pf->page_size());
  ASSERT_OK(WritePage(c.pf.get(), id, page));
  ASSERT_OK(c.pf->SyncPages(&id, 1));
  // A power loss right after: the commit and the synced page survive the second replay.
  auto again = io::FaultEnv::FromImage(env->CrashImage(pid * 31 + id));
  c.pf.reset();
  ASSERT_OK(PageFile::Open(again.get(), "/f", ExistingOptions(w), &pf));
  ASSERT_OK(pf->CheckInvariants());
  ASSERT_TRUE(ReadProtected(pf.get(), pid) == data);
  ASSERT_TRUE(PageBytes(pf.get(), id) == page);
  pf.reset();  // before the env it uses
  t->images++;
}

void SweepWorkload(const Workload& w, uint64_t seeds, Tally* t) {
  CrashRun ref = Execute(w, 0);
  ASSERT_EQ(ref.completed, w.steps.size()) << w.name;
  for (uint64_t k = 1; k <= ref.syncs_after_create; k++) {
    CrashRun crashed = Execute(w, k);
    ASSERT_TRUE(crashed.env->crashed()) << w.name << " sync " << k;
    const State& before = ref.states[crashed.completed];
    const State& after = ref.states[std::min(crashed.completed + 1, ref.states.size() - 1)];
    for (uint64_t seed = 0; seed < seeds; seed++) {
      SCOPED_TRACE(std::string(w.name) + ": crash at sync " + std::to_string(k) + " of " +
                   std::to_string(ref.syncs_after_create) + " (step " +
                   std::to_string(crashed.completed) + "), seed " + std::to_string(seed));
      auto env = io::FaultEnv::FromImage(crashed.env->CrashImage(seed * 7919 + k));
      ASSERT_NO_FATAL_FAILURE(CheckImage(w, env.get(), before, after, t));
    }
  }
}

void Print(const char* what, const Tally& t) {
  std::printf("[FileJournalCrash] %s: %llu crash images (%llu replayed a chain); in-flight "
              "commits kept old %llu, new %llu; %llu synced pages compared exactly; unsynced "
              "sectors old %llu, new %llu\n",
              what, static_cast<unsigned long long>(t.images),
              static_cast<unsigned long long>(t.replayed),
              static_cast<unsigned long long>(t.kept_old),
              static_cast<unsigned long long>(t.got_new),
              static_cast<unsigned long long>(t.synced_pages_checked),
              static_cast<unsigned long long>(t.sectors_old),
              static_cast<unsigned long long>(t.sectors_new));
}

const Workload& Named(const char* name) {
  static const std::vector<Workload> all = Workloads();
  for (const Workload& w : all) {
    if (std::string(w.name) == name) return w;
  }
  ADD_FAILURE() << "no workload " << name;
  return all.front();
}

TEST(FileJournalCrash, SyncPagesOfScatteredPagesSurvivesEveryCrashOnceItReturned) {
  Tally t;
  ASSERT_NO_FATAL_FAILURE(SweepWorkload(Named("sync_pages"), 24, &t));
  Print("sync_pages", t);
  EXPECT_GT(t.replayed, 0u);
  EXPECT_GT(t.synced_pages_checked, 1000u);
  EXPECT_GT(t.sectors_old, 0u);  // crashes inside a sync_pages: torn either way
  EXPECT_GT(t.sectors_new, 0u);
}

TEST(FileJournalCrash, ProtectedTransactionIsAllOldOrAllNewAtEverySyncPoint) {
  Tally t;
  ASSERT_NO_FATAL_FAILURE(SweepWorkload(Named("transactions"), 16, &t));
  Print("transactions", t);
  EXPECT_GT(t.replayed, 0u);
  EXPECT_GT(t.kept_old, 0u);
  EXPECT_GT(t.got_new, 0u);
}

TEST(FileJournalCrash, AllocFreeAndGrowthRecoverToACommittedAllocatorAtEverySyncPoint) {
  Tally t;
  ASSERT_NO_FATAL_FAILURE(SweepWorkload(Named("alloc_free"), 6, &t));
  Print("alloc_free", t);
  EXPECT_GT(t.kept_old, 0u);
  EXPECT_GT(t.got_new, 0u);
}

// journal_lap_bytes 64 KiB: the journal restarts (a checkpoint: the main file's DataSync) every
// two or three steps; a crash at, just before or just after a checkpoint loses nothing.
TEST(FileJournalCrash, CrashesAroundRepeatedCheckpointsLoseNoSyncedPageOrCommit) {
  const Workload& w = Named("checkpoints");
  CrashRun ref = Execute(w, 0);
  ASSERT_GE(ref.checkpoints, 4u) << "the workload passes the lap several times";
  Tally t;
  ASSERT_NO_FATAL_FAILURE(SweepWorkload(w, 4, &t));
  Print("checkpoints", t);
  EXPECT_GT(t.replayed, 0u);
  EXPECT_GT(t.synced_pages_checked, 1000u);
}

// Two clean closes and reopens in the workload: each reopen reads every page as last written
// (CloseReopen checks it), and a crash in a later session never replays a batch of an earlier
// session (a rollback of a synced page or of a commit).
TEST(FileJournalCrash, CleanCloseThenReopenRollsNothingBackAndLaterCrashesReplayOnlyTheNewChain) {
  Tally t;
  ASSERT_NO_FATAL_FAILURE(SweepWorkload(Named("clean_close"), 6, &t));
  Print("clean_close", t);
  EXPECT_GT(t.replayed, 0u);
  EXPECT_GT(t.synced_pages_checked, 100u);
}

// A crash during the read-write open that replays a chain (the replay's writes, the main
// file's DataSync, the invalidation, the epoch commit): the next open recovers exactly what an
// uninterrupted open of the first crash image recovers, page bytes included.
TEST(FileJournalCrash, CrashDuringTheReplayOfAnOpenRecoversTheSameState) {
  uint64_t images = 0, replay_crashes = 0;
  for (const char* name : {"sync_pages", "transactions", "checkpoints"}) {
    const Workload& w = Named(name);
    CrashRun ref = Execute(w, 0);
    for (uint64_t k = 2; k <= ref.syncs_after_create; k += 3) {
      CrashRun crashed = Execute(w, k);
      auto first = crashed.env->CrashImage(k * 13 + 5);
      // The state an uninterrupted open recovers, with the bytes of every regular page.
      auto clean = io::FaultEnv::FromImage(first);
      std::unique_ptr<PageFile> pf;
      ASSERT_OK(PageFile::Open(clean.get(), "/f", ExistingOptions(w), &pf));
      if (pf->recovery_report().journal_batches == 0) continue;
      Ctx c{clean.get(), JournaledOptions(w.lap_bytes), std::move(pf), {}, {}, {}};
      State want = Take(&c);
      std::map<uint64_t, Bytes> want_bytes;
      for (uint64_t p : want.pages) want_bytes[p] = PageBytes(c.pf.get(), p);
      uint64_t base = clean->SyncCount();  // the open's syncs, counted from the image
      c.pf.reset();
      for (uint64_t k2 = 1; k2 <= base; k2++) {
        auto env = io::FaultEnv::FromImage(first);
        env->CrashAtSync(k2);
        std::unique_ptr<PageFile> interrupted;
        ASSERT_FALSE(PageFile::Open(env.get(), "/f", ExistingOptions(w), &interrupted).ok());
        replay_crashes++;
        for (uint64_t seed = 0; seed < 4; seed++) {
          SCOPED_TRACE(std::string(name) + " crash at sync " + std::to_string(k) +
                       ", then at sync " + std::to_string(k2) + " of the open, seed " +
                       std::to_string(seed));
          auto env2 = io::FaultEnv::FromImage(env->CrashImage(seed * 101 + k2));
          std::unique_ptr<PageFile> pf2;
          ASSERT_OK(PageFile::Open(env2.get(), "/f", ExistingOptions(w), &pf2));
          ASSERT_OK(pf2->CheckInvariants());
          Ctx c2{env2.get(), JournaledOptions(w.lap_bytes), std::move(pf2), {}, {}, {}};
          State got = Take(&c2);
          ASSERT_TRUE(got.SameAllocation(want));
          for (const auto& e : want_bytes) {
            ASSERT_TRUE(PageBytes(c2.pf.get(), e.first) == e.second) << "page " << e.first;
          }
          images++;
        }
      }
    }
  }
  std::printf("[FileJournalCrash] crash during replay: %llu interrupted opens, %llu images\n",
              static_cast<unsigned long long>(replay_crashes),
              static_cast<unsigned long long>(images));
  EXPECT_GT(replay_crashes, 10u);
}

}  // namespace
}  // namespace file
}  // namespace pager
