// The restart race between a reader of another handle and the writer (W19, W24 in
// impl/wal/wal_pager.h), driven deterministically through the test seam
// (impl/wal/test_hooks.h): each side runs on its own thread and parks at a chosen step of its
// protocol, so every interleaving of "reader reads the shared header / stores its mark /
// re-checks" with "writer bumps the epoch / scans the slots / restarts the WAL / publishes /
// closes the window" is run on purpose instead of hoped for under load.
//
// What must hold in every interleaving: the reader's snapshot is one committed transaction,
// whole, and stays that transaction while the writer restarts the WAL and commits over the
// frames of the old generation (a reader pinning the old generation after the writer's last
// scan would read the next generation's frames through its snapshot: the failure these
// tests exist for). These tests fail when the odd-epoch check of PinViewLocked or the
// restart byte (either side) is disabled.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "impl/io/mem_env.h"
#include "impl/wal/test_hooks.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

constexpr uint32_t kPages = 4;  // data pages 1..kPages, rewritten whole by every transaction

std::vector<uint8_t> TxnPage(uint64_t txn, uint32_t page) { return Page(txn * 16 + page); }

const char* PointName(HookPoint p) {
  switch (p) {
    case HookPoint::kPinBeforeHeader: return "reader before its header read";
    case HookPoint::kPinAfterHeader: return "reader after its header read";
    case HookPoint::kPinAfterMark: return "reader after storing its mark";
    case HookPoint::kPinBeforeRestartLock: return "reader waiting for the restart byte";
    case HookPoint::kRefreshBeforeFrames: return "reader before loading frame entries";
    case HookPoint::kRepinAfterMark: return "reader after storing its last pin's mark again";
    case HookPoint::kRepinChecked: return "reader after its last pin's stamp check";
    case HookPoint::kOpenMainHeaderLoaded: return "opener after the main header";
    case HookPoint::kOpenScanned: return "opener after its WAL scan";
    case HookPoint::kOpenRebuildingIndex: return "reader opener rebuilding a stale index";
    case HookPoint::kScanBeforeEpochBump: return "writer before the copy scan's epoch bump";
    case HookPoint::kScanAfterEpochBump: return "writer after the copy scan's epoch bump";
    case HookPoint::kScanDone: return "writer after the copy scan";
    case HookPoint::kRestartBeforeEpochBump: return "writer before the restart epoch bump";
    case HookPoint::kRestartAfterEpochBump: return "writer inside the window, before its scan";
    case HookPoint::kRestartScanDone: return "writer inside the window, after its scan";
    case HookPoint::kRestartPublished: return "writer after publishing the restart";
    case HookPoint::kRestartWindowClosed: return "writer after closing the window";
    case HookPoint::kCheckpointerCopying: return "background thread copying without mu_";
    case HookPoint::kCheckpointerFinalStep: return "background thread in its final step";
    case HookPoint::kWaitingForCheckpointer: return "writer call waiting for the mutex";
  }
  return "?";
}

// One thread running one call on one handle, parked at its stop point (the first time it
// gets there) until released (T2). The handle was opened with this object as its hooks; calls
// made on other threads (setup, checks) pass through without parking once released.
class Actor : public TestHooks {
 public:
  enum class Where { kParked, kDone, kWaitsForRestartByte, kStuck };

  ~Actor() override {
    Release();
    if (thread_.joinable()) thread_.join();
  }
  void StopAt(HookPoint p) {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = p;
    armed_ = true;
  }
  void Start(std::function<void()> fn) {
    thread_ = std::thread([this, fn] {
      fn();
      std::lock_guard<std::mutex> l(mu_);
      done_ = true;
      cv_.notify_all();
    });
  }
  // Until the thread parks, finishes, or is about to wait for the restart byte.
  Where Wait() {
    std::unique_lock<std::mutex> l(mu_);
    if (!cv_.wait_for(l, std::chrono::seconds(20),
                      [&] { return parked_ || done_ || waits_for_byte_; })) {
      return Where::kStuck;
    }
    if (parked_) return Where::kParked;
    if (done_) return Where::kDone;
    return Where::kWaitsForRestartByte;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = false;
    parked_ = false;  // Wait() now waits for what the thread does next
    cv_.notify_all();
  }
  void Join() {
    Release();
    if (thread_.joinable()) thread_.join();
  }
  bool Reached(HookPoint p) {
    std::lock_guard<std::mutex> l(mu_);
    return seen_.count(p) > 0;
  }

  void At(HookPoint p) override {
    std::unique_lock<std::mutex> l(mu_);
    seen_.insert(p);
    if (p == HookPoint::kPinBeforeRestartLock) waits_for_byte_ = true;
    if (armed_ && p == stop_) {
      parked_ = true;
      cv_.notify_all();
      cv_.wait(l, [&] { return !armed_; });
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  HookPoint stop_ = HookPoint::kPinBeforeHeader;
  bool armed_ = false;
  bool parked_ = false;
  bool done_ = false;
  bool waits_for_byte_ = false;
  std::set<HookPoint> seen_;
};

const char* WhereName(Actor::Where w) {
  switch (w) {
    case Actor::Where::kParked: return "parked";
    case Actor::Where::kDone: return "done";
    case Actor::Where::kWaitsForRestartByte: return "waiting for the restart byte";
    case Actor::Where::kStuck: return "stuck";
  }
  return "?";
}

// What the interleavings of RestartRaceDb::Sweep came to.
struct SweepCounts {
  int runs = 0, restarted = 0, went_on = 0, busy = 0, waited_for_byte = 0;
};

// A database with a writer handle and a read-only handle, each with its own Actor, on the
// default Env or (mem_env) a MemEnv.
class RestartRaceDb : public ::testing::Test {
 protected:
  void UseEnv(bool mem_env) {
    mem_env_ = mem_env;
    Fresh();
  }

  void Fresh() {
    r.reset();
    w.reset();
    reader = std::make_unique<Actor>();
    writer = std::make_unique<Actor>();
    dir = std::make_unique<TempDir>();
    if (mem_env_) {
      mem = std::make_unique<io::MemEnv>();
      ASSERT_TRUE(mem->CreateDir("/d", 0755).ok());
      env = mem.get();
      path = "/d/db";
    } else {
      env = io::DefaultEnv();
      path = dir->File("db");
    }
  }
  Options With(Actor* a) {
    Options o = SmallOptions();
    o.test_hooks = a;
    return o;
  }
  void CommitTxn(uint64_t txn) {
    for (uint32_t p = 1; p <= kPages; p++) Stage(w.get(), p, TxnPage(txn, p));
    MustCommit(w.get());
  }
  // Writer with two committed transactions (8 frames, none checkpointed), and a reader
  // handle that has claimed its slot (idle).
  void Populate() {
    w = MustCreate(env, path, With(writer.get()));
    CommitTxn(1);
    CommitTxn(2);
    r = MustOpen(env, path, AccessMode::kReadOnly, With(reader.get()));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(Read(r.get(), 1), TxnPage(2, 1));
  }
  void OpenAfterAWriterCameAndWent(bool keep_index);
  // A read-only open of the database on opener's thread, parked at `at` on return.
  void ParkReadOnlyOpen(Actor* opener, HookPoint at, bool keep_index,
                        std::unique_ptr<WalPager>* out, Status* st) {
    opener->StopAt(at);
    opener->Start([=] {
      Options o = With(opener);
      o.page_size = 0;
      o.keep_index_as_found = keep_index;
      *st = WalPager::Open(env, path, AccessMode::kReadOnly, o, out);
    });
    ASSERT_EQ(opener->Wait(), Actor::Where::kParked);
  }
  // Every page of the snapshot is transaction txn's.
  void ExpectWholeTxn(const ReadSnapshot& s, uint64_t txn, const std::string& when) {
    EXPECT_EQ(s.page_count, kPages + 1) << when;
    std::vector<uint8_t> buf(4096);
    for (uint32_t p = 1; p <= kPages; p++) {
      Status st = r->ReadPageAt(s, p, buf.data(), buf.size());
      ASSERT_TRUE(st.ok()) << when << ": page " << p << ": " << st.ToString();
      if (buf == TxnPage(txn, p)) continue;
      uint64_t seen = 0;
      for (uint64_t t = 1; t <= 8 && seen == 0; t++) seen = (buf == TxnPage(t, p)) ? t : 0;
      ADD_FAILURE() << when << ": page " << p << " of a snapshot of transaction " << txn
                    << " reads transaction " << seen
                    << " (0: neither): the snapshot was pinned to a WAL generation the "
                       "writer restarted, and reads the next generation's frames";
    }
  }
  // After the race: the writer commits over the old generation's frames; the snapshot must
  // still be transaction 2, whole; then the reader ends and sees the latest.
  void CheckAfterRace(ReadSnapshot* s, const std::string& label) {
    ExpectWholeTxn(*s, 2, label + ", right after the race");
    for (uint64_t t = 3; t <= 5; t++) CommitTxn(t);  // 12 frames: over every old one
    ExpectWholeTxn(*s, 2, label + ", after three more commits");
    EXPECT_TRUE(w->Checkpoint(CheckpointMode::kPassive).ok()) << label;
    ExpectWholeTxn(*s, 2, label + ", after another checkpoint");
    r->EndRead(s);
    EXPECT_EQ(Read(r.get(), 1), TxnPage(5, 1)) << label;
    Status inv = r->CheckInvariants();
    EXPECT_TRUE(inv.ok()) << label << ": " << inv.ToString();
    EXPECT_TRUE(w->CheckInvariants().ok()) << label;
  }

  void Sweep(CheckpointMode mode, SweepCounts* n);

  bool mem_env_ = false;
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<io::MemEnv> mem;
  io::Env* env = nullptr;
  std::string path;
  std::unique_ptr<Actor> reader, writer;
  std::unique_ptr<WalPager> w, r;
};

class RestartRace : public RestartRaceDb, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override { UseEnv(GetParam()); }
};

// The race of W24 at its narrowest: the writer has opened the restart window and scanned the
// slots (no mark: it will restart the WAL); a reader of another handle begins now. It reads
// an odd epoch, so it must wait for the restart byte and pin the new generation; pinning the
// old one would leave it reading frames the restart hands to the next commits.
TEST_P(RestartRace, ReaderBeginningAfterTheRestartScanNeverPinsTheRestartedGeneration) {
  Populate();
  writer->StopAt(HookPoint::kRestartScanDone);
  Result<uint32_t> cp = Status::Ok();
  writer->Start([&] { cp = w->Checkpoint(CheckpointMode::kPassive); });
  ASSERT_EQ(writer->Wait(), Actor::Where::kParked);
  ReadSnapshot s;
  Status st;
  reader->Start([&] { st = r->BeginRead(&s); });
  EXPECT_EQ(reader->Wait(), Actor::Where::kWaitsForRestartByte)
      << "a reader pinned inside the restart window without the restart byte";
  writer->Join();
  reader->Join();
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(w->stats().wal_frames, 0u) << "the writer restarted the WAL";
  EXPECT_EQ(s.mark, 0u) << "the reader pinned the new generation (main file only)";
  CheckAfterRace(&s, "reader began after the restart scan");
}

// The interleaving the epoch re-check exists for: the reader read the header (epoch even)
// before the writer opened the window and scanned, and stores its mark after the scan. Its
// re-check must see the bump, and its next try the odd epoch: it waits for the restart byte.
TEST_P(RestartRace, ReaderThatReadTheHeaderBeforeTheRestartScanNeverPinsTheRestartedGeneration) {
  Populate();
  reader->StopAt(HookPoint::kPinAfterHeader);
  ReadSnapshot s;
  Status st;
  reader->Start([&] { st = r->BeginRead(&s); });
  ASSERT_EQ(reader->Wait(), Actor::Where::kParked);
  writer->StopAt(HookPoint::kRestartScanDone);
  Result<uint32_t> cp = Status::Ok();
  writer->Start([&] { cp = w->Checkpoint(CheckpointMode::kPassive); });
  ASSERT_EQ(writer->Wait(), Actor::Where::kParked);
  reader->Release();
  EXPECT_EQ(reader->Wait(), Actor::Where::kWaitsForRestartByte)
      << "the re-check after storing the mark missed the writer's window";
  writer->Join();
  reader->Join();
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(w->stats().wal_frames, 0u) << "the writer restarted the WAL";
  EXPECT_EQ(s.mark, 0u);
  CheckAfterRace(&s, "reader read the header before the restart scan");
}

// A read-only open loads the main header, then scans the WAL. A restart between the two
// (the checkpoint wrote a newer main header and reset the WAL on top of it) would pair the
// old header with the new WAL: the opener must keep the writer from restarting (the writer
// then lets the generation go on) and open onto the latest commit.
TEST_P(RestartRace, OpenNeverPairsAMainHeaderWithAWalRestartedUnderIt) {
  Populate();
  r.reset();
  Actor opener;
  std::unique_ptr<WalPager> r2;
  Status st;
  ASSERT_NO_FATAL_FAILURE(
      ParkReadOnlyOpen(&opener, HookPoint::kOpenMainHeaderLoaded, false, &r2, &st));
  Result<uint32_t> cp = w->Checkpoint(CheckpointMode::kPassive);  // copies; restart refused
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_GT(cp.value(), 0u);
  CommitTxn(3);
  opener.Join();
  ASSERT_TRUE(st.ok()) << "the open paired a main header with a WAL restarted under it: "
                       << st.ToString();
  EXPECT_GT(w->stats().wal_frames, 8u) << "the WAL went on instead of restarting";
  ReadSnapshot s;
  ASSERT_TRUE(r2->BeginRead(&s).ok());
  std::vector<uint8_t> buf(4096);
  for (uint32_t p = 1; p <= kPages; p++) {
    ASSERT_TRUE(r2->ReadPageAt(s, p, buf.data(), buf.size()).ok());
    EXPECT_EQ(buf, TxnPage(3, p)) << "page " << p;
  }
  r2->EndRead(&s);
  CommitTxn(4);
  EXPECT_EQ(Read(r2.get(), 2), TxnPage(4, 2));
  EXPECT_TRUE(r2->CheckInvariants().ok());
}

// A read-only open that finds the index not describing its scan, with no writer active,
// rebuilds the index from that scan, or (keep_index: as a check does) reads privately from it
// (W21). A writer that opened, committed, checkpointed and closed between the scan and that
// decision copied pages the scan does not index into the main file: reading from (or
// publishing) the old scan would pair the old frames with the new main pages (a torn
// snapshot). The open must read the database as it is once no writer can start.
void RestartRaceDb::OpenAfterAWriterCameAndWent(bool keep_index) {
  w = MustCreate(env, path, With(writer.get()));
  CommitTxn(1);
  MustCheckpoint(w.get());  // pages 1..4 of txn 1 in the main file, the WAL restarted
  Stage(w.get(), 1, TxnPage(2, 1));
  Stage(w.get(), 2, TxnPage(2, 2));
  MustCommit(w.get());  // txn 2: pages 1 and 2 in the WAL
  w.reset();
  Actor opener;
  std::unique_ptr<WalPager> r2;
  Status st;
  ASSERT_NO_FATAL_FAILURE(
      ParkReadOnlyOpen(&opener, HookPoint::kOpenScanned, keep_index, &r2, &st));
  w = MustOpen(env, path, AccessMode::kReadWrite, SmallOptions());
  ASSERT_NE(w, nullptr);
  Stage(w.get(), 1, TxnPage(3, 1));
  Stage(w.get(), 3, TxnPage(3, 3));
  MustCommit(w.get());  // txn 3: page 1 (in the opener's scan) and page 3 (not)
  MustCheckpoint(w.get());  // copied into the main file; the restart waits for the opener
  w.reset();
  opener.Join();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ReadSnapshot s;
  ASSERT_TRUE(r2->BeginRead(&s).ok());
  std::vector<uint8_t> buf(4096);
  std::vector<std::vector<uint8_t>> got;
  for (uint32_t p = 1; p <= kPages; p++) {
    ASSERT_TRUE(r2->ReadPageAt(s, p, buf.data(), buf.size()).ok());
    got.push_back(buf);
  }
  r2->EndRead(&s);
  const bool after_txn2 = got[0] == TxnPage(2, 1) && got[1] == TxnPage(2, 2) &&
                          got[2] == TxnPage(1, 3) && got[3] == TxnPage(1, 4);
  const bool after_txn3 = got[0] == TxnPage(3, 1) && got[1] == TxnPage(2, 2) &&
                          got[2] == TxnPage(3, 3) && got[3] == TxnPage(1, 4);
  EXPECT_TRUE(after_txn3) << (after_txn2 ? "the state before the writer's commit"
                                         : "a torn snapshot: a mix of two states");
  Status inv = r2->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv.ToString();
  // Rebuilt, the index lets a writer in beside the reader; read privately, it does not.
  Status writer_open = OpenStatus(env, path);
  EXPECT_EQ(writer_open.code(), keep_index ? Code::kBusy : Code::kOk) << writer_open.ToString();
}

TEST_P(RestartRace, AnOpenThatRebuildsTheIndexNeverPublishesAScanAWriterOvertook) {
  OpenAfterAWriterCameAndWent(false);
}

TEST_P(RestartRace, APrivateOpenNeverPairsItsScanWithPagesAWriterCopiedSinceTheScan) {
  OpenAfterAWriterCameAndWent(true);
}

// W21: after a crash a reader may open first and rebuild the stale index, holding the writer
// byte shared meanwhile. A writer opening then (lock timeout 0) waits for the rebuild, as an
// opener waits for another's publish, instead of failing with BUSY; then the two work side by
// side through the rebuilt index.
TEST_P(RestartRace, AWriterOpeningDuringAReadersRebuildWaitsForIt) {
  w = MustCreate(env, path);
  CommitTxn(1);
  const std::vector<uint8_t> earlier = ReadIndexFile(env, path);
  CommitTxn(2);
  w.reset();
  WriteIndexFile(env, path, earlier);  // the first commit's index: what a crash can leave
  Actor opener;
  std::unique_ptr<WalPager> r2;
  Status st;
  ASSERT_NO_FATAL_FAILURE(
      ParkReadOnlyOpen(&opener, HookPoint::kOpenRebuildingIndex, false, &r2, &st));
  std::atomic<bool> writer_done{false};
  Status writer_st;
  std::thread writer_open([&] {
    Options o = SmallOptions();
    o.page_size = 0;
    o.lock_timeout_ms = 0;
    writer_st = WalPager::Open(env, path, AccessMode::kReadWrite, o, &w);
    writer_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(writer_done.load()) << "the writer did not wait: " << writer_st.ToString();
  opener.Join();
  writer_open.join();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(writer_st.ok()) << writer_st.ToString();
  EXPECT_EQ(Read(r2.get(), 1), TxnPage(2, 1));
  CommitTxn(3);
  EXPECT_EQ(Read(r2.get(), 4), TxnPage(3, 4));
  Status inv = r2->CheckInvariants();
  EXPECT_TRUE(inv.ok()) << inv.ToString();
}

// Every step of the reader's pin against every step of the writer's checkpoint (copy scan,
// restart scan, window, publish), in both orders: whichever side parks first, the other runs
// as far as it can, then the first goes on. Whatever the writer decided (restart, go on, or
// for TRUNCATE wait for the reader and give up: BUSY), the snapshot is transaction 2, whole,
// and stays so while the writer commits over the old frames.
void RestartRaceDb::Sweep(CheckpointMode mode, SweepCounts* n) {
  const HookPoint reader_steps[] = {HookPoint::kPinBeforeHeader, HookPoint::kPinAfterHeader,
                                    HookPoint::kPinAfterMark};
  const HookPoint writer_steps[] = {
      HookPoint::kScanBeforeEpochBump,    HookPoint::kScanAfterEpochBump,
      HookPoint::kScanDone,               HookPoint::kRestartBeforeEpochBump,
      HookPoint::kRestartAfterEpochBump,  HookPoint::kRestartScanDone,
      HookPoint::kRestartPublished,       HookPoint::kRestartWindowClosed};
  for (HookPoint rs : reader_steps) {
    for (HookPoint ws : writer_steps) {
      for (bool reader_first : {true, false}) {
        Fresh();
        Populate();
        const std::string label = std::string(reader_first ? "reader first: " : "writer first: ") +
                                  PointName(rs) + " / " + PointName(ws);
        SCOPED_TRACE(label);
        ReadSnapshot s;
        Status st;
        Result<uint32_t> cp = Status::Ok();
        auto begin = [&] { st = r->BeginRead(&s); };
        auto checkpoint = [&] { cp = w->Checkpoint(mode); };
        reader->StopAt(rs);
        writer->StopAt(ws);
        if (reader_first) {
          reader->Start(begin);
          ASSERT_EQ(reader->Wait(), Actor::Where::kParked);
          writer->Start(checkpoint);
          Actor::Where wr = writer->Wait();
          ASSERT_TRUE(wr == Actor::Where::kParked || wr == Actor::Where::kDone) << WhereName(wr);
        } else {
          writer->Start(checkpoint);
          ASSERT_EQ(writer->Wait(), Actor::Where::kParked);
        }
        reader->Release();  // reader first: goes on; writer first: starts below
        if (!reader_first) {
          reader->StopAt(rs);
          reader->Start(begin);
        }
        ASSERT_NE(reader->Wait(), Actor::Where::kStuck);
        writer->Join();
        reader->Join();
        ASSERT_TRUE(st.ok()) << st.ToString();
        if (!cp.ok()) {
          // Only TRUNCATE gives up (the reader's mark held frames when it looked; the reader
          // may since have moved to mark 0: every frame is backfilled).
          ASSERT_EQ(mode, CheckpointMode::kTruncate) << cp.status().ToString();
          ASSERT_EQ(cp.status().code(), Code::kBusy) << cp.status().ToString();
          n->busy++;
        } else if (w->stats().wal_frames == 0) {
          n->restarted++;
        } else {
          EXPECT_NE(mode, CheckpointMode::kTruncate) << "TRUNCATE returned OK, WAL not cut";
          n->went_on++;
        }
        n->runs++;
        if (reader->Reached(HookPoint::kPinBeforeRestartLock)) n->waited_for_byte++;
        CheckAfterRace(&s, label);
        if (HasFailure()) return;
      }
    }
  }
}

// A checkpoint mode's sweep: besides restarts, the decision it must also reach.
struct SweepCase {
  CheckpointMode mode;
  const char* name;
  int SweepCounts::*other_decision;
  const char* other_decision_is;
};

// PASSIVE restarts the WAL or lets the generation go on. TRUNCATE, whose restart cuts the WAL
// to zero bytes (a reader pinned to the old generation would read past the WAL's end),
// restarts or waits for the reader and gives up: BUSY.
const SweepCase kSweepCases[] = {
    {CheckpointMode::kPassive, "PASSIVE", &SweepCounts::went_on, "generations went on"},
    {CheckpointMode::kTruncate, "TRUNCATE", &SweepCounts::busy,
     "BUSY (the reader pinned frames first)"},
};

class RestartRaceSweep : public RestartRaceDb,
                         public ::testing::WithParamInterface<std::tuple<SweepCase, bool>> {
 protected:
  void SetUp() override { UseEnv(std::get<1>(GetParam())); }
};

TEST_P(RestartRaceSweep, EveryInterleavingOfPinAndCheckpointGivesAWholeSnapshotThatNeverMoves) {
  const SweepCase& c = std::get<0>(GetParam());
  SweepCounts n;
  Sweep(c.mode, &n);
  // Not vacuous: the sweep saw both decisions, and readers that had to wait for the window.
  EXPECT_EQ(n.runs, 48);
  EXPECT_GT(n.restarted, 0);
  EXPECT_GT(n.*c.other_decision, 0) << c.other_decision_is;
  EXPECT_GT(n.waited_for_byte, 0);
  std::printf("[restart race, %s] %d interleavings: %d restarts, %d %s, %d readers waited for "
              "the restart byte\n",
              c.name, n.runs, n.restarted, n.*c.other_decision, c.other_decision_is,
              n.waited_for_byte);
}

// Regression (found by the TRUNCATE sweep above): a reader of another handle that pinned the
// WAL's end after TRUNCATE's wait for readers but before its restart scan made the WAL go on
// (W21), and TRUNCATE returned OK with the WAL not cut (W10; the restart byte's timeout path
// already said BUSY). It is BUSY now, with every frame copied.
TEST_P(RestartRace, TruncateThatFindsAReaderPinnedBeforeItsRestartScanIsBusyNotOk) {
  Populate();
  writer->StopAt(HookPoint::kRestartBeforeEpochBump);  // waited, copied; restart not decided
  Result<uint32_t> cp = Status::Ok();
  writer->Start([&] { cp = w->Checkpoint(CheckpointMode::kTruncate); });
  ASSERT_EQ(writer->Wait(), Actor::Where::kParked);
  ReadSnapshot s;
  ASSERT_TRUE(r->BeginRead(&s).ok());  // the epoch is even: it pins the WAL's end
  EXPECT_GT(s.mark, 0u);
  writer->Join();
  EXPECT_GT(w->stats().wal_frames, 0u) << "the reader's frames stayed";
  EXPECT_EQ(cp.status().code(), Code::kBusy)
      << "TRUNCATE left the WAL uncut but said " << cp.status().ToString();
  CheckAfterRace(&s, "reader pinned before the TRUNCATE's restart scan");
}

// Regression (found by tests/wal_crash_readers_test.cc): a writer whose WAL reset failed at
// its sync (poisoned; the WAL's header rewritten and the file cut) closed its restart window
// as if the restart had been published. A reader of another handle then pinned the old
// generation from the index without any lock and read its frames from the reset WAL: zeros
// (a torn snapshot) or CORRUPT. The window now stays open, as for a writer that died inside
// it, and a reader holding the restart byte believes the index only if the WAL still matches
// it: BUSY until the next writer rebuilds the index, never the wrong bytes.
TEST(RestartRaceFault, ReaderBesideAWriterThatFailedInsideItsRestartNeverReadsTheResetWal) {
  for (CheckpointMode mode : {CheckpointMode::kPassive, CheckpointMode::kTruncate}) {
    SCOPED_TRACE(mode == CheckpointMode::kPassive ? "PASSIVE" : "TRUNCATE");
    io::FaultEnv env;
    ASSERT_TRUE(env.CreateDir("/d", 0755).ok());
    Options o = SmallOptions();
    o.wal_keep_bytes = 0;  // the reset cuts the WAL to its header
    auto w = MustCreate(&env, "/d/db", o);
    for (uint64_t t = 1; t <= 2; t++) {
      for (uint32_t p = 1; p <= kPages; p++) Stage(w.get(), p, TxnPage(t, p));
      MustCommit(w.get());
    }
    auto r = MustOpen(&env, "/d/db", AccessMode::kReadOnly, o);
    EXPECT_EQ(Read(r.get(), 1), TxnPage(2, 1));
    // The checkpoint's syncs: main data, main header, then the WAL reset's.
    env.FailNth(io::MemEnv::Op::kSync, 3, io::FaultKind::kEio, false);
    EXPECT_EQ(w->Checkpoint(mode).status().code(), Code::kIo);
    ASSERT_EQ(w->state(), State::kPoisoned);
    std::vector<uint8_t> buf(4096);
    ReadSnapshot s;
    Status st = r->BeginRead(&s);
    if (st.ok()) {
      for (uint32_t p = 1; p <= kPages; p++) {
        Status rs = r->ReadPageAt(s, p, buf.data(), buf.size());
        EXPECT_TRUE(rs.ok() && buf == TxnPage(2, p))
            << "page " << p << " of a snapshot pinned beside a writer that failed inside its "
            << "restart: " << rs.ToString() << (rs.ok() ? " (wrong bytes)" : "");
      }
      r->EndRead(&s);
    } else {
      EXPECT_EQ(st.code(), Code::kBusy) << st.ToString();
    }
    Status rs = r->ReadPage(1, buf.data(), buf.size());
    EXPECT_TRUE(rs.code() == Code::kBusy || (rs.ok() && buf == TxnPage(2, 1))) << rs.ToString();
    w.reset();  // abandoned; the next writer rebuilds the index
    env.ClearFaults();
    w = MustOpen(&env, "/d/db", AccessMode::kReadWrite, o);
    ASSERT_TRUE(r->BeginRead(&s).ok());
    for (uint32_t p = 1; p <= kPages; p++) {
      ASSERT_TRUE(r->ReadPageAt(s, p, buf.data(), buf.size()).ok());
      EXPECT_EQ(buf, TxnPage(2, p)) << "page " << p;
    }
    r->EndRead(&s);
    Stage(w.get(), 1, TxnPage(3, 1));
    MustCommit(w.get());
    EXPECT_EQ(Read(r.get(), 1), TxnPage(3, 1));
    EXPECT_TRUE(r->CheckInvariants().ok());
  }
}

std::string EnvName(bool mem_env) { return mem_env ? "Mem" : "Posix"; }

INSTANTIATE_TEST_SUITE_P(Env, RestartRace, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return EnvName(i.param); });

INSTANTIATE_TEST_SUITE_P(
    Env, RestartRaceSweep,
    ::testing::Combine(::testing::ValuesIn(kSweepCases), ::testing::Values(false, true)),
    [](const ::testing::TestParamInfo<std::tuple<SweepCase, bool>>& i) {
      const SweepCase& c = std::get<0>(i.param);
      return std::string(c.mode == CheckpointMode::kPassive ? "Passive" : "Truncate") +
             EnvName(std::get<1>(i.param));
    });

}  // namespace
}  // namespace wal
}  // namespace pager
