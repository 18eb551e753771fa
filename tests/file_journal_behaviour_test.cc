// The page journal of a format-2 page file (journal.h J1-J5, page_file.h P14-P16): what an
// open does with the journal it finds (read-only refusal, foreign or forged batches, torn
// tails, lost growth, a missing sidecar), format-1 files without one, one flush per commit
// and per sync_pages, several threads on one handle, and a second process locked out.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <thread>

#include "impl/io/checksum.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::ProtectedIds;
using testing::ReadProtected;
using testing::RegularPages;
using testing::SmallOptions;

using Bytes = std::vector<uint8_t>;
using testing::PageBytes;
using testing::WritePage;
using testing::ForOpen;
using testing::JournaledOptions;
using Image = std::map<std::string, Bytes>;

Bytes Pattern(uint64_t seed, uint32_t page_size) {
  return pager::testing::PatternBytes(seed, page_size);
}

// A file at `path` of env whose journal holds a chain of `commits` protected writes of one
// page (values 1..commits) and a sync_pages of scattered pages; the handle is left open (the
// chain stays, as after a crash once every batch was synced). Returns the protected id.
struct Chain {
  uint64_t id = 0;
  std::vector<uint64_t> synced;
};

Chain MakeChain(io::Env* env, const std::string& path, int commits, std::unique_ptr<PageFile>* pf) {
  Chain c;
  EXPECT_OK(PageFile::Create(env, path, JournaledOptions(), pf));
  EXPECT_OK((*pf)->ProtectedAlloc(&c.id));
  for (int i = 1; i <= commits; i++) {
    Bytes b = Pattern(static_cast<uint64_t>(i), (*pf)->page_size());
    EXPECT_OK((*pf)->ProtectedWrite(c.id, b.data()));
  }
  std::vector<uint64_t> pages(30);
  EXPECT_OK((*pf)->AllocBulk(pages.size(), pages.data()));
  for (size_t i = 0; i < pages.size(); i += 3) {
    EXPECT_OK(WritePage(pf->get(), pages[i], Pattern(1000 + pages[i], (*pf)->page_size())));
    c.synced.push_back(pages[i]);
  }
  EXPECT_OK((*pf)->SyncPages(c.synced.data(), c.synced.size()));
  return c;
}

// The files a power loss right now leaves when every write was synced (seed 0 keeps or drops
// only unsynced mapping sectors, which the journal's replay rewrites).
Image DurableImage(io::FaultEnv* env) { return env->CrashImage(0); }

uint64_t FileIdOf(const Bytes& main) {
  SuperblockDisk sb;
  std::memcpy(&sb, main.data(), sizeof sb);
  return sb.file_id;
}

// ---- read-only opens --------------------------------------------------------------------------

// A read-only open cannot apply a chain; it reads through the replayed view (O1-O3): it
// reports the chain, and a read-write open afterwards still finds it and replays it.
TEST(FileJournalOpen, ReadOnlyOpenOfAFileWithAChainSeesItWithoutApplyingIt) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> writer;
  MakeChain(&env, "/f", 3, &writer);
  auto crashed = io::FaultEnv::FromImage(DurableImage(&env));
  FileOptions ro = ForOpen(JournaledOptions());
  ro.read_only = true;
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Open(crashed.get(), "/f", ro, &pf));
  uint64_t seen = pf->recovery_report().journal_batches;
  EXPECT_GT(seen, 0u);
  pf.reset();
  ASSERT_OK(PageFile::Open(crashed.get(), "/f", ForOpen(JournaledOptions()), &pf));  // the replay
  EXPECT_EQ(pf->recovery_report().journal_batches, seen);
  pf.reset();
  ASSERT_OK(PageFile::Open(crashed.get(), "/f", ro, &pf));
  EXPECT_EQ(pf->recovery_report().journal_batches, 0u);  // applied and emptied
}

TEST(FileJournalOpen, AfterACleanCloseTheJournalHoldsNoChainAndAReadOnlyOpenWorks) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> pf;
  Chain c = MakeChain(&env, "/f", 3, &pf);
  pf.reset();  // clean close: checkpoint and invalidation
  Bytes journal;
  ASSERT_OK(env.GetFileBytes("/f-journal", &journal));
  ASSERT_GE(journal.size(), kJournalAlignBytes);
  EXPECT_TRUE(std::all_of(journal.begin(), journal.begin() + kJournalAlignBytes,
                          [](uint8_t b) { return b == 0; }))
      << "the head of the chain is not zeroed";
  FileOptions ro = ForOpen(JournaledOptions());
  ro.read_only = true;
  ASSERT_OK(PageFile::Open(&env, "/f", ro, &pf));
  EXPECT_TRUE(ReadProtected(pf.get(), c.id) == Pattern(3, pf->page_size()));
  for (uint64_t p : c.synced) EXPECT_TRUE(PageBytes(pf.get(), p) == Pattern(1000 + p, pf->page_size()));
  // And after a power loss: nothing to replay, everything there.
  pf.reset();
  auto crashed = io::FaultEnv::FromImage(env.CrashImage(5));
  ASSERT_OK(PageFile::Open(crashed.get(), "/f", ForOpen(JournaledOptions()), &pf));
  EXPECT_EQ(pf->recovery_report().journal_batches, 0u);
  EXPECT_TRUE(ReadProtected(pf.get(), c.id) == Pattern(3, pf->page_size()));
  pf.reset();  // before the env it uses
}

// ---- batches no writer of this file wrote (J5) -------------------------------------------------

// Both files hold chains; /a's journal is replaced by /b's (checksum-valid batches of another
// file id). The open refuses with kCorrupt before applying anything: /a's main file is
// byte-for-byte unchanged, and the journal too.
TEST(FileJournalOpen, AJournalOfAnotherFileIsCorruptAtOpenAndNothingIsApplied) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> a, b;
  MakeChain(&env, "/a", 2, &a);
  MakeChain(&env, "/b", 4, &b);
  Image image = DurableImage(&env);
  image["/a-journal"] = image["/b-journal"];
  auto crashed = io::FaultEnv::FromImage(image);
  std::unique_ptr<PageFile> pf;
  Status st = PageFile::Open(crashed.get(), "/a", ForOpen(JournaledOptions()), &pf);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("another file"), std::string::npos) << st.message();
  Bytes main, journal;
  ASSERT_OK(crashed->GetFileBytes("/a", &main));
  ASSERT_OK(crashed->GetFileBytes("/a-journal", &journal));
  EXPECT_TRUE(main == image["/a"]) << "a batch of another file was applied";
  EXPECT_TRUE(journal == image["/a-journal"]);
}

// Forges checksum-valid batches with the journal's own writer at the head of the journal: a
// valid first batch, then one naming `bad_page`. The open is kCorrupt and applies neither
// batch (J5: every batch is checked before the first is applied).
void ExpectForgedBatchIsCorrupt(uint64_t bad_page_of_main_pages, bool past_end) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> pf;
  Chain c = MakeChain(&env, "/f", 2, &pf);
  uint64_t page_count = 0;
  ASSERT_OK(pf->PageCount(&page_count));
  uint32_t page_size = pf->page_size();
  pf.reset();  // clean close: an empty journal, the forged chain is all there is
  Bytes main;
  ASSERT_OK(env.GetFileBytes("/f", &main));
  std::unique_ptr<Journal> j;
  ASSERT_OK(Journal::Open(&env, "/f", true, false, FileIdOf(main), 10, &j));
  Bytes good = Pattern(77, page_size);
  const uint8_t* images[1] = {good.data()};
  uint64_t good_page = c.synced[0];
  ASSERT_OK(j->Append(&good_page, images, 1, page_count * page_size));
  uint64_t bad = past_end ? page_count + bad_page_of_main_pages : bad_page_of_main_pages;
  ASSERT_OK(j->Append(&bad, images, 1, page_count * page_size));
  ASSERT_OK(j->Sync());
  j.reset();
  Image image = DurableImage(&env);
  auto forged = io::FaultEnv::FromImage(image);
  Status st = PageFile::Open(forged.get(), "/f", ForOpen(JournaledOptions()), &pf);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("names page " + std::to_string(bad)), std::string::npos)
      << st.message();
  Bytes after;
  ASSERT_OK(forged->GetFileBytes("/f", &after));
  EXPECT_TRUE(after == image["/f"]) << "a batch was applied before the bad one was found";
}

TEST(FileJournalOpen, AChecksumValidBatchNamingPageZeroIsCorruptAndNothingIsApplied) {
  ExpectForgedBatchIsCorrupt(0, false);
}

TEST(FileJournalOpen, AChecksumValidBatchNamingAPagePastItsMainBytesIsCorrupt) {
  ExpectForgedBatchIsCorrupt(0, true);
}

// J1/J2: the last batch cut short (the file ends inside it) or with a bit flipped in its page
// images ends the chain before it: the earlier batches replay, the open works.
void ExpectTornLastBatchEndsTheChain(bool truncate) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> pf;
  Chain c = MakeChain(&env, "/f", 3, &pf);
  Image image = DurableImage(&env);
  pf.reset();
  auto whole = io::FaultEnv::FromImage(image);
  ASSERT_OK(PageFile::Open(whole.get(), "/f", ForOpen(JournaledOptions()), &pf));
  uint64_t batches = pf->recovery_report().journal_batches;
  pf.reset();
  ASSERT_GE(batches, 3u);
  // The last batch is the sync_pages one: 10 pages of 1 KiB after a 4 KiB header block.
  uint64_t last_bytes = JournalBatchBytes(c.synced.size(), 1024);
  Bytes& journal = image["/f-journal"];
  uint64_t chain_end = 0;
  {
    auto probe = io::FaultEnv::FromImage(image);
    std::unique_ptr<Journal> j;
    ASSERT_OK(Journal::Open(probe.get(), "/f", false, false, FileIdOf(image["/f"]), 10, &j));
    JournalScan scan;
    ASSERT_OK(j->Scan(&scan));
    chain_end = scan.end_bytes;
  }
  uint64_t last = chain_end - last_bytes;
  if (truncate) {
    journal.resize(static_cast<size_t>(last + kJournalAlignBytes + 1024 + 100));
  } else {
    journal[static_cast<size_t>(last + kJournalAlignBytes + 3 * 1024 + 7)] ^= 0x10;
  }
  auto torn = io::FaultEnv::FromImage(image);
  ASSERT_OK(PageFile::Open(torn.get(), "/f", ForOpen(JournaledOptions()), &pf));
  EXPECT_EQ(pf->recovery_report().journal_batches, batches - 1);
  ASSERT_OK(pf->CheckInvariants());
  EXPECT_TRUE(ReadProtected(pf.get(), c.id) == Pattern(3, pf->page_size()));
  pf.reset();  // before the env it uses
}

TEST(FileJournalOpen, ATruncatedLastBatchEndsTheChainBeforeIt) { ExpectTornLastBatchEndsTheChain(true); }

TEST(FileJournalOpen, ALastBatchWithAFlippedBitEndsTheChainBeforeIt) {
  ExpectTornLastBatchEndsTheChain(false);
}

// Growth is not synced in a format-2 file (the main file's size becomes durable at the next
// checkpoint); a crash that loses it leaves the main file shorter than the page space the
// chain's metas describe. The replay extends it to the batches' main_bytes.
TEST(FileJournalOpen, ReplayExtendsAMainFileWhoseGrowthWasLost) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(&env, "/f", JournaledOptions(), &pf));
  Bytes created;
  ASSERT_OK(env.GetFileBytes("/f", &created));
  ASSERT_OK(pf->Grow(2000));
  std::vector<uint64_t> pages(1500);
  ASSERT_OK(pf->AllocBulk(pages.size(), pages.data()));
  std::vector<uint64_t> high = {pages[700], pages[1200], pages[1499]};
  for (uint64_t p : high) ASSERT_OK(WritePage(pf.get(), p, Pattern(p, pf->page_size())));
  ASSERT_OK(pf->SyncPages(high.data(), high.size()));
  uint64_t page_count = 0;
  ASSERT_OK(pf->PageCount(&page_count));
  Image image = DurableImage(&env);
  pf.reset();
  image["/f"].resize(created.size());  // the growth never reached the disk
  auto crashed = io::FaultEnv::FromImage(image);
  ASSERT_OK(PageFile::Open(crashed.get(), "/f", ForOpen(JournaledOptions()), &pf));
  ASSERT_OK(pf->CheckInvariants());
  uint64_t got_count = 0;
  ASSERT_OK(pf->PageCount(&got_count));
  EXPECT_EQ(got_count, page_count);
  Bytes main;
  ASSERT_OK(crashed->GetFileBytes("/f", &main));
  EXPECT_GE(main.size(), page_count * pf->page_size());
  EXPECT_EQ(RegularPages(pf.get()).size(), pages.size());
  for (uint64_t p : high) EXPECT_TRUE(PageBytes(pf.get(), p) == Pattern(p, pf->page_size()));
  pf.reset();  // before the env it uses
}

// A main file without its sidecar (a crash during create before its directory sync, or a copy
// of the main file alone) opens read-write and creates the journal. Until that directory
// entry is durable the journal may vanish in a power loss, taking every commit acknowledged
// since with it (the main file itself is not synced until the checkpoint).
TEST(FileJournalOpen, AJournalCreatedByAnOpenSurvivesAPowerLossWithItsCommits) {
  uint64_t lost_sidecars = 0;
  for (uint64_t seed = 0; seed < 16; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    io::FaultEnv env;
    std::unique_ptr<PageFile> pf;
    ASSERT_OK(PageFile::Create(&env, "/f", JournaledOptions(), &pf));
    pf.reset();
    Image image = DurableImage(&env);
    image.erase("/f-journal");
    auto bare = io::FaultEnv::FromImage(image);
    ASSERT_OK(PageFile::Open(bare.get(), "/f", ForOpen(JournaledOptions()), &pf));
    uint64_t id = 0;
    ASSERT_OK(pf->ProtectedAlloc(&id));
    Bytes b = Pattern(seed + 1, pf->page_size());
    ASSERT_OK(pf->ProtectedWrite(id, b.data()));
    Image after = bare->CrashImage(seed);
    pf.reset();  // before the env it uses
    if (!after.count("/f-journal")) lost_sidecars++;
    auto crashed = io::FaultEnv::FromImage(after);
    std::unique_ptr<PageFile> again;
    ASSERT_OK(PageFile::Open(crashed.get(), "/f", ForOpen(JournaledOptions()), &again));
    ASSERT_EQ(ProtectedIds(again.get()).count(id), 1u) << "an acknowledged commit was lost";
    EXPECT_TRUE(ReadProtected(again.get(), id) == b);
  }
  EXPECT_EQ(lost_sidecars, 0u);
}

// ---- format 1 ------------------------------------------------------------------------------------

TEST(FileJournalFormat1, AFormatOneFileCommitsInPlaceAndNeverCreatesAJournal) {
  io::FaultEnv env;
  FileOptions o = SmallOptions();
  o.format_version = kFormatVersionUnjournaled;
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(&env, "/f", o, &pf));
  EXPECT_EQ(pf->format_version(), kFormatVersionUnjournaled);
  uint64_t id = 0, page = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));
  Bytes b = Pattern(5, pf->page_size());
  uint64_t syncs = pf->sync_count();
  ASSERT_OK(pf->ProtectedWrite(id, b.data()));
  EXPECT_EQ(pf->sync_count(), syncs + 1);
  ASSERT_OK(pf->Alloc(&page));
  ASSERT_OK(WritePage(pf.get(), page, Pattern(6, pf->page_size())));
  ASSERT_OK(pf->SyncPages(&page, 1));
  EXPECT_EQ(pf->checkpoint_count(), 0u);
  // Every commit landed in place: a power loss now keeps all of it without any journal.
  auto crashed = io::FaultEnv::FromImage(env.CrashImage(1));
  pf.reset();
  for (const std::string& path : env.FilePaths()) EXPECT_EQ(path.find("journal"), std::string::npos) << path;
  ASSERT_OK(PageFile::Open(crashed.get(), "/f", ForOpen(o), &pf));
  EXPECT_EQ(pf->recovery_report().format_version, kFormatVersionUnjournaled);
  EXPECT_EQ(pf->recovery_report().journal_batches, 0u);
  EXPECT_TRUE(ReadProtected(pf.get(), id) == b);
  EXPECT_TRUE(PageBytes(pf.get(), page) == Pattern(6, pf->page_size()));
  pf.reset();
  for (const std::string& path : crashed->FilePaths()) EXPECT_EQ(path.find("journal"), std::string::npos) << path;
}

// ---- one flush per commit and per sync_pages (P2, P11 on format 2) ----------------------------

TEST(FileJournalFlush, EachCommitAndEachSyncPagesOfAFormatTwoFileIsOneDeviceFlush) {
  io::FaultEnv env;
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(&env, "/f", JournaledOptions(), &pf));
  std::vector<uint64_t> pages(512), ids(40);
  auto one_flush = [&](const char* what, const std::function<Status()>& op) {
    uint64_t pf_before = pf->sync_count(), env_before = env.SyncCount();
    ASSERT_OK(op());
    EXPECT_EQ(pf->sync_count() - pf_before, 1u) << what;
    EXPECT_EQ(env.SyncCount() - env_before, 1u) << what;
  };
  one_flush("alloc_bulk", [&] { return pf->AllocBulk(pages.size(), pages.data()); });
  one_flush("protected_alloc_bulk", [&] { return pf->ProtectedAllocBulk(ids.size(), ids.data()); });
  Bytes b = Pattern(9, pf->page_size());
  one_flush("protected_write", [&] { return pf->ProtectedWrite(ids[3], b.data()); });
  int owner = 0;
  std::vector<Bytes> copies(ids.size(), Bytes(pf->page_size()));
  std::vector<PageFile::TxnPage> txn;
  for (size_t i = 0; i < ids.size(); i += 2) {
    ASSERT_OK(pf->TxnAdd(&owner, ids[i], copies[i].data()));
    copies[i] = Pattern(300 + i, pf->page_size());
    txn.push_back({ids[i], copies[i].data()});
  }
  one_flush("a transaction of 20 pages", [&] { return pf->TxnCommit(&owner, txn); });
  std::sort(pages.begin(), pages.end());
  std::vector<uint64_t> scattered;
  for (size_t i = 0; i < pages.size(); i += 2) scattered.push_back(pages[i]);
  for (uint64_t p : scattered) ASSERT_OK(WritePage(pf.get(), p, Pattern(p, pf->page_size())));
  one_flush("sync_pages of 256 scattered pages",
            [&] { return pf->SyncPages(scattered.data(), scattered.size()); });
  one_flush("free_bulk", [&] { return pf->FreeBulk(pages.data() + 500, 12); });
  EXPECT_EQ(pf->checkpoint_count(), 0u);
}

// ---- threads -----------------------------------------------------------------------------------

// Two threads commit protected writes and two write and sync_pages their own regular pages, all
// on one handle. Every value a thread saw acknowledged survives a power loss after they stop,
// and with journal_lap_bytes 64 KiB the threads pass several checkpoints on the way.
TEST(FileJournalThreads, CommitsAndSyncPagesFromSeveralThreadsOnOneHandleStayConsistent) {
  io::FaultEnv env;
  FileOptions o = JournaledOptions();
  o.journal_lap_bytes = uint64_t{64} << 10;
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(&env, "/f", o, &pf));
  std::vector<uint64_t> ids(2), pages(200);
  ASSERT_OK(pf->ProtectedAllocBulk(ids.size(), ids.data()));
  ASSERT_OK(pf->AllocBulk(pages.size(), pages.data()));
  const uint32_t page_size = pf->page_size();
  constexpr int kRounds = 60;
  std::vector<uint64_t> last_protected(2, 0);
  std::vector<uint64_t> last_synced(2, 0);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([&, t] {
      for (int r = 1; r <= kRounds; r++) {
        Bytes b = Pattern(uint64_t(t) * 100000 + r, page_size);
        if (!pf->ProtectedWrite(ids[t], b.data()).ok()) failures++;
        else last_protected[t] = r;
      }
    });
    threads.emplace_back([&, t] {
      for (int r = 1; r <= kRounds; r++) {
        std::vector<uint64_t> mine;
        for (size_t i = t; i < pages.size(); i += 8) mine.push_back(pages[i]);
        for (uint64_t p : mine) {
          Bytes b = Pattern(uint64_t(r) * 1000000 + p, page_size);
          uint8_t* dst = nullptr;
          if (!pf->PagePointer(p, true, &dst).ok()) failures++;
          else std::memcpy(dst, b.data(), b.size());
        }
        if (!pf->SyncPages(mine.data(), mine.size()).ok()) failures++;
        else last_synced[t] = r;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_GE(pf->checkpoint_count(), 2u);
  ASSERT_OK(pf->CheckInvariants());
  for (uint64_t seed = 0; seed < 4; seed++) {
    auto crashed = io::FaultEnv::FromImage(env.CrashImage(seed));
    std::unique_ptr<PageFile> again;
    ASSERT_OK(PageFile::Open(crashed.get(), "/f", ForOpen(o), &again));
    ASSERT_OK(again->CheckInvariants());
    for (int t = 0; t < 2; t++) {
      ASSERT_TRUE(ReadProtected(again.get(), ids[t]) ==
                  Pattern(uint64_t(t) * 100000 + last_protected[t], page_size))
          << "thread " << t << " protected page";
      for (size_t i = t; i < pages.size(); i += 8) {
        ASSERT_TRUE(PageBytes(again.get(), pages[i]) ==
                    Pattern(last_synced[t] * 1000000 + pages[i], page_size))
            << "thread " << t << " page " << pages[i];
      }
    }
  }
}

// ---- a second process ----------------------------------------------------------------------------

int InChild(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

// The journal is covered by the main file's lock: while one process holds a format-2 file
// read-write with a chain in its journal, another process's read-write and read-only opens
// are kBusy and leave both files byte-for-byte as they were (no replay, no invalidation); the
// holder keeps committing through its journal, and a later open sees every commit.
TEST(FileJournalLock, ASecondProcessIsBusyAndNeverTouchesTheJournalOfAnOpenFile) {
  pager::testing::TempDir dir;
  std::string path = dir.File("f");
  io::Env* env = io::DefaultEnv();
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(env, path, JournaledOptions(), &pf));
  uint64_t id = 0;
  ASSERT_OK(pf->ProtectedAlloc(&id));
  Bytes b1 = Pattern(1, pf->page_size());
  ASSERT_OK(pf->ProtectedWrite(id, b1.data()));
  Bytes main_before = pager::testing::ReadWholeFile(path);
  Bytes journal_before = pager::testing::ReadWholeFile(path + "-journal");
  ASSERT_FALSE(std::all_of(journal_before.begin(), journal_before.begin() + 64,
                           [](uint8_t x) { return x == 0; }))
      << "the journal holds a chain";
  auto try_open = [&](bool read_only) {
    return InChild([&] {
      FileOptions o = ForOpen(JournaledOptions());
      o.read_only = read_only;
      std::unique_ptr<PageFile> other;
      return static_cast<int>(PageFile::Open(env, path, o, &other).code()) & 0xff;
    });
  };
  EXPECT_EQ(try_open(false), static_cast<int>(Code::kBusy) & 0xff);
  EXPECT_EQ(try_open(true), static_cast<int>(Code::kBusy) & 0xff);
  EXPECT_TRUE(pager::testing::ReadWholeFile(path) == main_before);
  EXPECT_TRUE(pager::testing::ReadWholeFile(path + "-journal") == journal_before);
  Bytes b2 = Pattern(2, pf->page_size());
  ASSERT_OK(pf->ProtectedWrite(id, b2.data()));
  pf.reset();
  EXPECT_EQ(try_open(false), static_cast<int>(Code::kOk) & 0xff);
  ASSERT_OK(PageFile::Open(env, path, ForOpen(JournaledOptions()), &pf));
  EXPECT_TRUE(ReadProtected(pf.get(), id) == b2);
}

}  // namespace
}  // namespace file
}  // namespace pager
