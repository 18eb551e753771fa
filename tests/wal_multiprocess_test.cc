// Across processes (fork): one writer beside any number of readers (a second writer gets
// BUSY at once or after a timeout), reader processes that see only whole committed
// transactions and never go back while another process writes and checkpoints (and the
// reverse), a reader killed with SIGKILL that pins nothing, and a writer killed with SIGKILL
// mid-workload that loses no acknowledged commit.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <atomic>
#include <thread>

#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::TempDir;

// Child exit codes.
constexpr int kChildOk = 0;
constexpr int kChildWrongCode = 10;
constexpr int kChildWrongBytes = 11;

class WalProcess : public ::testing::Test {
 protected:
  io::Env* env = io::DefaultEnv();
  TempDir dir;
  std::string path = dir.File("db");

  // Runs fn in a child process; returns its exit status (or -1 if it died by a signal).
  template <typename Fn>
  pid_t Spawn(Fn fn) {
    pid_t pid = fork();
    if (pid == 0) _exit(fn());
    return pid;
  }
  static int Wait(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static Code OpenCode(const std::string& path, AccessMode mode, int64_t timeout_ms = 0) {
    Options o;
    o.page_size = 0;
    o.lock_timeout_ms = timeout_ms;
    std::unique_ptr<WalPager> p;
    return WalPager::Open(io::DefaultEnv(), path, mode, o, &p).code();
  }
};

// A pipe used as a one-byte signal between processes.
struct Signal {
  int fds[2];
  Signal() { EXPECT_EQ(pipe(fds), 0); }
  ~Signal() {
    close(fds[0]);
    close(fds[1]);
  }
  void Send() { EXPECT_EQ(write(fds[1], "x", 1), 1); }
  bool Receive() {
    char c;
    return read(fds[0], &c, 1) == 1;
  }
};

TEST_F(WalProcess, TwoWritersOneGetsBusy) {
  auto w = MustCreate(env, path);
  pid_t child = Spawn([&] {
    return OpenCode(path, AccessMode::kReadWrite) == Code::kBusy ? kChildOk : kChildWrongCode;
  });
  EXPECT_EQ(Wait(child), kChildOk);
  w.reset();
  // A writer in a child commits and exits without closing; the parent then sees the commit.
  child = Spawn([&] {
    std::unique_ptr<WalPager> p;
    Options o;
    o.page_size = 0;
    if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadWrite, o, &p).ok()) {
      return kChildWrongCode;
    }
    std::vector<uint8_t> b = Page(42);
    if (!p->StagePage(1, b.data(), b.size()).ok() || !p->Commit().ok()) return kChildWrongCode;
    _exit(kChildOk);  // no destructor: the process just ends, releasing its lock
  });
  EXPECT_EQ(Wait(child), kChildOk);
  auto p = MustOpen(env, path);
  EXPECT_EQ(Read(p.get(), 1), Page(42));
}

TEST_F(WalProcess, ReadersAndAWriterOpenTogether) {
  { auto p = MustCreate(env, path); }
  Signal ready, done;
  pid_t reader = Spawn([&] {
    Options o;
    o.page_size = 0;
    std::unique_ptr<WalPager> p;
    if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p).ok()) {
      return kChildWrongCode;
    }
    ready.Send();
    done.Receive();
    return kChildOk;
  });
  ASSERT_TRUE(ready.Receive());
  EXPECT_EQ(OpenCode(path, AccessMode::kReadWrite), Code::kOk);
  EXPECT_EQ(OpenCode(path, AccessMode::kReadOnly), Code::kOk);
  done.Send();
  EXPECT_EQ(Wait(reader), kChildOk);
  // Now a writer holds it: a reader process opens, a writer process is refused.
  auto w = MustOpen(env, path);
  pid_t reader2 = Spawn([&] {
    return OpenCode(path, AccessMode::kReadOnly) == Code::kOk ? kChildOk : kChildWrongCode;
  });
  EXPECT_EQ(Wait(reader2), kChildOk);
  pid_t refused = Spawn([&] {
    return OpenCode(path, AccessMode::kReadWrite) == Code::kBusy ? kChildOk : kChildWrongCode;
  });
  EXPECT_EQ(Wait(refused), kChildOk);
}

TEST_F(WalProcess, ReadersTogether) {
  {
    auto p = MustCreate(env, path);
    Stage(p.get(), 1, Page(7));
    MustCommit(p.get());
  }
  constexpr int kReaders = 3;
  Signal ready, done;
  std::vector<pid_t> kids;
  for (int i = 0; i < kReaders; i++) {
    kids.push_back(Spawn([&] {
      Options o;
      o.page_size = 0;
      std::unique_ptr<WalPager> p;
      if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p).ok()) {
        return kChildWrongCode;
      }
      ready.Send();
      done.Receive();  // all readers hold their shared lock at the same time
      std::vector<uint8_t> buf(4096);
      if (!p->ReadPage(1, buf.data(), buf.size()).ok()) return kChildWrongCode;
      return buf == Page(7) ? kChildOk : kChildWrongBytes;
    }));
  }
  for (int i = 0; i < kReaders; i++) ASSERT_TRUE(ready.Receive());
  EXPECT_EQ(OpenCode(path, AccessMode::kReadWrite), Code::kOk);  // beside them (W18)
  for (int i = 0; i < kReaders; i++) done.Send();
  for (pid_t k : kids) EXPECT_EQ(Wait(k), kChildOk);
}

TEST_F(WalProcess, SecondWriterWaitsUpToItsTimeoutForTheFirstToLeave) {
  { auto p = MustCreate(env, path); }
  Signal ready;
  pid_t writer = Spawn([&] {
    Options o;
    o.page_size = 0;
    std::unique_ptr<WalPager> p;
    if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadWrite, o, &p).ok()) {
      return kChildWrongCode;
    }
    ready.Send();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return kChildOk;
  });
  ASSERT_TRUE(ready.Receive());
  EXPECT_EQ(OpenCode(path, AccessMode::kReadWrite, 20), Code::kBusy);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(OpenCode(path, AccessMode::kReadWrite, 5000), Code::kOk);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0)
                .count();
  EXPECT_GE(ms, 50);
  EXPECT_EQ(Wait(writer), kChildOk);
}

// kill -9 with an expected-state oracle: the child reports each acknowledged commit's number
// through a pipe; after SIGKILL the file holds at least the last one reported.
TEST_F(WalProcess, SigkillMidWorkloadKeepsEveryAcknowledgedCommit) {
  for (Durability d : {Durability::kFull, Durability::kNormal}) {
    std::string f = dir.File(d == Durability::kFull ? "full" : "normal");
    Options o = SmallOptions();
    o.durability = d;
    o.auto_checkpoint_frames = 16;
    { auto p = MustCreate(env, f, o); }
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = Spawn([&] {
      close(fds[0]);
      Options oo = o;
      oo.page_size = 0;
      std::unique_ptr<WalPager> p;
      if (!WalPager::Open(io::DefaultEnv(), f, AccessMode::kReadWrite, oo, &p).ok()) {
        return kChildWrongCode;
      }
      for (uint32_t n = 1;; n++) {
        std::vector<uint8_t> b(4096, 0);
        std::memcpy(b.data(), &n, sizeof n);
        for (uint32_t page = 1; page <= 3; page++) {
          if (!p->StagePage(page + (n % 5), b.data(), b.size()).ok()) return kChildWrongCode;
        }
        if (!p->Commit().ok()) return kChildWrongCode;
        if (write(fds[1], &n, sizeof n) != sizeof n) return kChildWrongCode;
      }
    });
    close(fds[1]);
    uint32_t acked = 0, n = 0;
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until && read(fds[0], &n, sizeof n) == sizeof n) {
      acked = n;
    }
    kill(child, SIGKILL);
    while (read(fds[0], &n, sizeof n) == sizeof n) acked = n;  // commits acked before death
    close(fds[0]);
    EXPECT_EQ(Wait(child), -1);
    ASSERT_GT(acked, 5u);
    auto p = MustOpen(env, f, AccessMode::kReadWrite, o);
    ASSERT_NE(p, nullptr);
    // The newest commit number on any page is at least the last acknowledged one, and the
    // pages of that commit agree (one atomic transaction).
    uint32_t newest = 0;
    for (uint32_t page = 1; page < p->page_count(); page++) {
      std::vector<uint8_t> b = Read(p.get(), page);
      uint32_t v;
      std::memcpy(&v, b.data(), sizeof v);
      newest = std::max(newest, v);
    }
    EXPECT_GE(newest, acked);
    EXPECT_LE(newest, acked + 1);
    for (uint32_t page = 1; page <= 3; page++) {
      std::vector<uint8_t> b = Read(p.get(), page + (newest % 5));
      uint32_t v;
      std::memcpy(&v, b.data(), sizeof v);
      EXPECT_EQ(v, newest) << "page " << page + (newest % 5);
    }
    EXPECT_OK(p->CheckInvariants());
  }
}

// A transaction of the oracle workload: pages 1..kTxnPages all carry the number n.
constexpr uint32_t kTxnPages = 4;

void StageTxn(WalPager* p, uint32_t n) {
  std::vector<uint8_t> b(4096, static_cast<uint8_t>(n));
  std::memcpy(b.data(), &n, sizeof n);
  for (uint32_t page = 1; page <= kTxnPages; page++) {
    EXPECT_OK(p->StagePage(page, b.data(), b.size()));
  }
}

// One read transaction: every page carries one number, not below *last. Returns false on a
// torn snapshot, a step back, or an error.
bool CheckSnapshot(WalPager* p, uint32_t* last) {
  ReadSnapshot s;
  if (!p->BeginRead(&s).ok()) return false;
  bool ok = s.page_count == kTxnPages + 1;
  uint32_t seen = 0;
  std::vector<uint8_t> b(4096);
  for (uint32_t page = 1; ok && page <= kTxnPages; page++) {
    ok = p->ReadPageAt(s, page, b.data(), b.size()).ok();
    uint32_t v = 0;
    std::memcpy(&v, b.data(), sizeof v);
    if (page == 1) seen = v;
    ok = ok && v == seen && b[4095] == static_cast<uint8_t>(v);
  }
  p->EndRead(&s);
  ok = ok && seen >= *last;
  *last = seen;
  return ok;
}

Options OracleOptions() {
  Options o = SmallOptions();
  o.auto_checkpoint_frames = 12;  // a checkpoint (and WAL restart when it can) every 3 commits
  return o;
}

TEST_F(WalProcess, ReaderProcessesSeeWholeCommitsThatNeverGoBackWhileTheParentWrites) {
  auto w = MustCreate(env, path, OracleOptions());
  StageTxn(w.get(), 1);
  MustCommit(w.get());
  std::vector<pid_t> kids;
  Signal ready;
  for (int i = 0; i < 2; i++) {
    kids.push_back(Spawn([&] {
      Options o = OracleOptions();
      o.page_size = 0;
      std::unique_ptr<WalPager> p;
      if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p).ok()) {
        return kChildWrongCode;
      }
      ready.Send();
      uint32_t last = 0;
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
      int snapshots = 0;
      while (std::chrono::steady_clock::now() < until) {
        if (!CheckSnapshot(p.get(), &last)) return kChildWrongBytes;
        snapshots++;
      }
      return (snapshots > 10 && last > 1) ? kChildOk : kChildWrongCode;
    }));
  }
  for (size_t i = 0; i < kids.size(); i++) ASSERT_TRUE(ready.Receive());
  uint32_t n = 1;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(600);
  while (std::chrono::steady_clock::now() < until) {
    StageTxn(w.get(), ++n);
    MustCommit(w.get());
  }
  for (pid_t k : kids) EXPECT_EQ(Wait(k), kChildOk);
  EXPECT_GT(w->stats().checkpoints, 0u);
  EXPECT_OK(w->CheckInvariants());
}

TEST_F(WalProcess, ReaderThreadsOfTheParentSeeWholeCommitsOfAWriterProcess) {
  { auto p = MustCreate(env, path, OracleOptions()); }
  Signal ready;
  pid_t writer = Spawn([&] {
    Options o = OracleOptions();
    o.page_size = 0;
    std::unique_ptr<WalPager> p;
    if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadWrite, o, &p).ok()) {
      return kChildWrongCode;
    }
    StageTxn(p.get(), 1);
    if (!p->Commit().ok()) return kChildWrongCode;
    ready.Send();
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    for (uint32_t n = 2; std::chrono::steady_clock::now() < until; n++) {
      StageTxn(p.get(), n);
      if (!p->Commit().ok()) return kChildWrongCode;
    }
    return kChildOk;
  });
  ASSERT_TRUE(ready.Receive());
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; i++) {
    readers.emplace_back([&] {
      auto p = MustOpen(env, path, AccessMode::kReadOnly, OracleOptions());
      uint32_t last = 0;
      auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
      while (std::chrono::steady_clock::now() < until) {
        if (!CheckSnapshot(p.get(), &last)) bad++;
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(Wait(writer), kChildOk);
}

TEST_F(WalProcess, ReaderKilledWithSigkillDoesNotPinTheWal) {
  auto w = MustCreate(env, path);
  StageTxn(w.get(), 1);
  MustCommit(w.get());
  Signal ready;
  pid_t reader = Spawn([&] {
    Options o;
    o.page_size = 0;
    std::unique_ptr<WalPager> p;
    ReadSnapshot s;
    if (!WalPager::Open(io::DefaultEnv(), path, AccessMode::kReadOnly, o, &p).ok() ||
        !p->BeginRead(&s).ok()) {
      return kChildWrongCode;
    }
    ready.Send();
    for (;;) pause();
  });
  ASSERT_TRUE(ready.Receive());
  StageTxn(w.get(), 2);
  MustCommit(w.get());
  // W25: below the live reader's mark is transaction 1, pages past the main file's page
  // count (left to the final step): nothing is copied.
  EXPECT_EQ(w->Checkpoint(CheckpointMode::kPassive).value(), 0u);
  EXPECT_GT(w->stats().frames_left, 0u) << "the live reader pins transaction 2's frames";
  EXPECT_EQ(w->stats().readers_active, 1u);
  kill(reader, SIGKILL);
  EXPECT_EQ(Wait(reader), -1);
  EXPECT_EQ(w->Checkpoint(CheckpointMode::kPassive).value(), kTxnPages);
  EXPECT_EQ(w->stats().frames_left, 0u);
  EXPECT_EQ(w->stats().wal_frames, 0u) << "no reader left: the WAL restarted";
  EXPECT_EQ(w->stats().readers_active, 0u);
}

}  // namespace
}  // namespace wal
}  // namespace pager
