// Locking across processes (fork): one writer or many readers, BUSY at once or after a
// timeout, and a writer killed with SIGKILL mid-workload loses no acknowledged commit.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
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

}  // namespace
}  // namespace wal
}  // namespace pager
