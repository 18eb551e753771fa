// Torture of the WAL pager: random multi-page FULL commits (with shrinks, and a 260-page one
// every 31 steps), explicit
// checkpoints of every mode and automatic ones, recovery at every reopen. The state of step
// k: page count, every page's bytes, and the application header (which carries k).
// Reader threads in the child run read transactions all the time (each held across the
// writer's next commits) and check that every snapshot is exactly one committed step --
// whole, never torn -- and that no thread's snapshots go back in time; they are killed with
// the writer. Reader PROCESSES (this binary re-executed with --wal-reader, read-only handles
// following the writer through the shared index `-shm`) run the same check; the child kills
// one of them with SIGKILL every 25 steps and starts another, and they die with the child
// (PR_SET_PDEATHSIG), so a dead reader's read mark must never pin the WAL.
// Component `walbg` runs the same with background_checkpoint = 1 (W26): the automatic
// checkpoints copy pages into the main file on the handle's thread beside commits, readers
// and explicit checkpoints, so kills land in the middle of an unlocked copy or of its sync.
// Each child picks FULL or NORMAL durability (NORMAL: the thread syncs the WAL before it
// writes the main file). The child counts the checkpoints the thread ran (T4) and the run
// fails if it never ran.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "pager.h"
#include "tools/torture/torture.h"

namespace torture {
namespace {

constexpr uint32_t kPageSize = 1024;
constexpr uint32_t kMaxPage = 96;
// Every kBigStepEvery-th step rewrites pages 1..kBigStepPages: 260 KiB of frames, past the
// 64 KiB (kOverlappedCommitMinBytes) from which a FULL commit applies itself while its frames
// are written (W30), so kills land inside that window too; the other steps (at most 6 KiB)
// stay below it.
constexpr uint64_t kBigStepEvery = 31;
constexpr uint32_t kBigStepPages = 260;

struct WalState {
  uint32_t page_count = 1;
  std::map<uint32_t, uint64_t> page_step;  // page -> step that last wrote it
  uint64_t app_step = 0;
};

// The operations of step s, applied to a model or to a handle through the callbacks.
template <typename SetCount, typename StagePage>
void StepOps(uint64_t seed, uint64_t s, SetCount set_count, StagePage stage) {
  uint64_t r = Rand(seed, s, 1);
  if (s % 37 == 0) set_count(1 + static_cast<uint32_t>((r >> 40) % 48));
  if (s % kBigStepEvery == 0) {
    for (uint32_t page = 1; page <= kBigStepPages; page++) stage(page);
    return;
  }
  uint32_t n = 1 + static_cast<uint32_t>(r % 6);
  for (uint32_t i = 0; i < n; i++) {
    stage(1 + static_cast<uint32_t>(Rand(seed, s, 2 + i) % kMaxPage));
  }
}

// Advances model m (at step *at) to step k >= *at.
void AdvanceModel(uint64_t seed, uint64_t k, WalState* m_out, uint64_t* at) {
  WalState& m = *m_out;
  for (uint64_t s = *at + 1; s <= k; s++) {
    StepOps(
        seed, s,
        [&](uint32_t count) {
          m.page_count = count;
          m.page_step.erase(m.page_step.lower_bound(count), m.page_step.end());
        },
        [&](uint32_t page) {
          m.page_step[page] = s;
          if (page >= m.page_count) m.page_count = page + 1;
        });
    m.app_step = s;
  }
  *at = k;
}

WalState Model(uint64_t seed, uint64_t k) {
  WalState m;
  uint64_t at = 0;
  AdvanceModel(seed, k, &m, &at);
  return m;
}

std::vector<uint8_t> AppHeader(uint64_t seed, uint64_t step) {
  std::vector<uint8_t> h = Pattern(seed, step, 0xA99, PAGER_WAL_APP_HEADER_SIZE);
  std::memcpy(h.data(), &step, sizeof step);
  if (step == 0) std::fill(h.begin(), h.end(), 0);
  return h;
}

pager_wal_options Options(bool create) {
  pager_wal_options o;
  pager_wal_options_init(&o);
  o.page_size = create ? kPageSize : 0;
  o.auto_checkpoint_frames = 40;
  o.lock_timeout_ms = 5000;  // the killed child's lock goes with it
  o.cache_pages = 16;
  return o;
}

// The read-write handle's options: with the background checkpointer, a child starting at
// step `start` runs FULL or NORMAL durability (chosen by (seed, start)).
pager_wal_options WriterOptions(bool background, uint64_t seed, uint64_t start) {
  pager_wal_options o = Options(false);
  if (background) {
    o.background_checkpoint = 1;
    // Every open checkpoints the recovered WAL (W9) and children live a few steps: a low
    // threshold lets the thread run (and get killed mid-copy) in most of them.
    o.auto_checkpoint_frames = 12;
    o.durability = Rand(seed, start, 0xD0) % 2 == 0 ? PAGER_WAL_FULL : PAGER_WAL_NORMAL;
  }
  return o;
}

uint64_t CheckpointsRun(pager_wal* h) {
  pager_wal_stats st;
  pager_wal_stats_init(&st);
  return pager_wal_get_stats(h, &st) == PAGER_OK ? st.checkpoints : 0;
}

// Reads the whole snapshot of a read transaction; "" if it is exactly the state of the step
// its application header names (*step).
std::string CheckSnapshot(pager_wal_read_txn* t, uint64_t seed, WalState* m, uint64_t* at,
                          uint64_t* step) {
  std::vector<uint8_t> app(PAGER_WAL_APP_HEADER_SIZE);
  int rc = pager_wal_read_txn_read_app_header(t, app.data(), app.size());
  if (rc != PAGER_OK) return Failure("pager_wal_read_txn_read_app_header", rc);
  std::memcpy(step, app.data(), sizeof *step);
  if (*step < *at) {
    return "read transaction went back in time: step " + std::to_string(*step) +
           " after step " + std::to_string(*at);
  }
  std::this_thread::sleep_for(std::chrono::microseconds(300));  // let the writer commit
  AdvanceModel(seed, *step, m, at);
  uint32_t count = 0;
  rc = pager_wal_read_txn_page_count(t, &count);
  if (rc != PAGER_OK) return Failure("pager_wal_read_txn_page_count", rc);
  if (count != m->page_count) return "snapshot of step " + std::to_string(*step) + ": torn page count";
  std::vector<uint8_t> buf(kPageSize);
  for (uint32_t p = 1; p < count; p++) {
    rc = pager_wal_read_txn_read_page(t, p, buf.data(), buf.size());
    if (rc != PAGER_OK) return Failure("pager_wal_read_txn_read_page", rc);
    auto it = m->page_step.find(p);
    std::vector<uint8_t> want = it == m->page_step.end() ? std::vector<uint8_t>(kPageSize, 0)
                                                          : Pattern(seed, it->second, p, kPageSize);
    if (buf != want) {
      return "snapshot of step " + std::to_string(*step) + " is torn at page " +
             std::to_string(p);
    }
  }
  return "";
}

// Reader threads of the child (they die with it).
class Readers {
 public:
  Readers(pager_wal* h, uint64_t seed, int n) {
    for (int i = 0; i < n; i++) threads_.emplace_back([this, h, seed] { Loop(h, seed); });
  }
  std::string error() {
    std::lock_guard<std::mutex> g(mu_);
    return error_;
  }

 private:
  void Loop(pager_wal* h, uint64_t seed) {
    WalState m;
    uint64_t at = 0;
    for (;;) {
      pager_wal_read_txn* t = nullptr;
      int rc = pager_wal_read_txn_begin(h, &t);
      std::string err = rc == PAGER_OK ? std::string() : Failure("pager_wal_read_txn_begin", rc);
      uint64_t step = 0;
      if (err.empty()) err = CheckSnapshot(t, seed, &m, &at, &step);
      pager_wal_read_txn_free(t);
      if (!err.empty()) {
        std::lock_guard<std::mutex> g(mu_);
        if (error_.empty()) error_ = "reader thread: " + err;
        return;
      }
    }
  }
  std::mutex mu_;
  std::string error_;
  std::vector<std::thread> threads_;  // never joined: the child only ever dies
};

// Reader processes of the child: fork + exec of this binary (no fork of a threaded process
// that then calls the library), errors reported on a pipe the child polls.
class ReaderProcesses {
 public:
  ReaderProcesses(const std::string& dir, uint64_t seed, int n) : dir_(dir), seed_(seed) {
    if (pipe2(err_, O_CLOEXEC) != 0) return;
    (void)fcntl(err_[0], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < n; i++) pids_.push_back(Start());
  }
  // A reader's failure message, or "".
  std::string error() {
    char buf[512];
    ssize_t got = read(err_[0], buf, sizeof buf);
    if (got > 0) return "reader process: " + std::string(buf, static_cast<size_t>(got));
    return "";
  }
  void KillOneAndReplace(uint64_t r) {
    if (pids_.empty()) return;
    size_t i = r % pids_.size();
    kill(pids_[i], SIGKILL);
    waitpid(pids_[i], nullptr, 0);
    pids_[i] = Start();
  }

 private:
  pid_t Start() {
    const std::string seed = std::to_string(seed_);
    const std::string fd = std::to_string(err_[1]);
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() == 1) _exit(1);  // the child died before the line above
      // Only the error pipe's write end survives exec: an inherited ack pipe would keep the
      // parent waiting for an end of file that never comes.
      for (int other = 3; other < 4096; other++) {
        if (other != err_[1]) close(other);
      }
      (void)fcntl(err_[1], F_SETFD, 0);
      execl("/proc/self/exe", "pager_torture", "--wal-reader", dir_.c_str(), seed.c_str(),
            fd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }
  std::string dir_;
  uint64_t seed_;
  int err_[2] = {-1, -1};
  std::vector<pid_t> pids_;
};

class WalComponent : public Component {
 public:
  explicit WalComponent(bool background) : background_(background) {}
  const char* name() const override { return background_ ? "walbg" : "wal"; }
  const char* extra_name() const override {
    return background_ ? "checkpoints seen from the background thread (at least)" : nullptr;
  }
  // T4: over a run of some length the thread must have checkpointed (12-frame threshold,
  // 2-7 frames a step: it is due every ~3 steps).
  std::string CheckExtra(uint64_t acked_steps, uint64_t extra) const override {
    if (!background_ || acked_steps < 200 || extra > 0) return "";
    return "the background checkpointer ran no checkpoint in " + std::to_string(acked_steps) +
           " acknowledged steps";
  }

  std::string Setup(const std::string& dir, uint64_t) override {
    pager_wal_options o = Options(true);
    pager_wal* h = nullptr;
    int rc = pager_wal_create((dir + "/db").c_str(), &o, &h);
    if (rc != PAGER_OK) return Failure("pager_wal_create", rc);
    pager_wal_close(h);
    return "";
  }

  std::string RunChild(const std::string& dir, uint64_t seed, uint64_t start,
                       int ack_fd) override {
    pager_wal_options o = WriterOptions(background_, seed, start);
    pager_wal* h = nullptr;
    int rc = pager_wal_open((dir + "/db").c_str(), &o, &h);
    if (rc != PAGER_OK) return Failure("pager_wal_open", rc);
    // T4: checkpoints counted outside explicit pager_wal_checkpoint calls (commits run none
    // inline with the thread on), so run by the thread; `seen` is where the count stood.
    uint64_t by_thread = 0;
    uint64_t seen = CheckpointsRun(h);
    auto* procs = new ReaderProcesses(dir, seed, 2);  // lives until the child is killed
    auto* readers = new Readers(h, seed, 2);
    for (uint64_t s = start;; s++) {
      std::string err = readers->error();
      if (err.empty()) err = procs->error();
      if (!err.empty()) return err;
      if (s % 25 == 0) procs->KillOneAndReplace(Rand(seed, s, 0x5EED));
      StepOps(
          seed, s,
          [&](uint32_t count) {
            int c = pager_wal_set_page_count(h, count);
            if (c != PAGER_OK && err.empty()) err = Failure("pager_wal_set_page_count", c);
          },
          [&](uint32_t page) {
            std::vector<uint8_t> b = Pattern(seed, s, page, kPageSize);
            int c = pager_wal_stage_page(h, page, b.data(), b.size());
            if (c != PAGER_OK && err.empty()) err = Failure("pager_wal_stage_page", c);
          });
      std::vector<uint8_t> app = AppHeader(seed, s);
      rc = pager_wal_stage_app_header(h, app.data(), app.size());
      if (rc != PAGER_OK) return Failure("pager_wal_stage_app_header", rc);
      if (!err.empty()) return err;
      rc = pager_wal_commit(h, nullptr);
      if (rc != PAGER_OK) return Failure("pager_wal_commit", rc);
      if (background_) {
        const uint64_t now = CheckpointsRun(h);
        by_thread += now - seen;
        seen = now;
      }
      if (!(background_ ? AckWith(ack_fd, s, by_thread) : Ack(ack_fd, s))) {
        return "ack pipe closed";
      }
      if (s % 11 == 0) {
        pager_wal_checkpoint_options co;  // passive, full and truncate in turn
        pager_wal_checkpoint_options_init(&co);
        co.mode = static_cast<uint32_t>((s / 11) % 3);
        rc = pager_wal_checkpoint(h, &co, nullptr);
        // TRUNCATE is BUSY when a reader process pinned WAL frames before its restart (the
        // frames are copied; a later TRUNCATE cuts the WAL): the readers never stop here.
        const bool busy_truncate =
            rc == PAGER_ERR_BUSY && co.mode == PAGER_WAL_CHECKPOINT_TRUNCATE;
        if (rc != PAGER_OK && !busy_truncate) return Failure("pager_wal_checkpoint", rc);
        seen = CheckpointsRun(h);  // this call's checkpoint (and any of the thread's meanwhile)
      }
    }
  }

  // First a read-only open, as a replica or monitor that comes up before the writer does:
  // with the index the kill left (stale, torn or current) and no writer, it reads from its
  // scan and rebuilds the index (W21); it must see what the writer's recovery then sees.
  std::string Verify(const std::string& dir, uint64_t seed, uint64_t acked,
                     uint64_t* recovered) override {
    const std::string path = dir + "/db";
    pager_wal_options ro;
    pager_wal_options_init(&ro);
    ro.read_only = PAGER_WAL_READ_ONLY;
    ro.lock_timeout_ms = 5000;  // a reader process of the killed child may still be attached
    pager_wal* r = nullptr;
    int rc = pager_wal_open(path.c_str(), &ro, &r);
    if (rc != PAGER_OK) return Failure("reopen read-only first: pager_wal_open", rc);
    uint64_t read_first = 0;
    std::string err = Compare(r, seed, acked, &read_first);
    pager_wal_close(r);
    if (!err.empty()) return "read-only open before the writer: " + err;
    pager_wal_options o = WriterOptions(background_, seed, acked);
    pager_wal* h = nullptr;
    rc = pager_wal_open(path.c_str(), &o, &h);  // recovery, as a user's open
    if (rc != PAGER_OK) return Failure("reopen: pager_wal_open", rc);
    err = Compare(h, seed, acked, recovered);
    pager_wal_close(h);
    if (err.empty() && *recovered != read_first) {
      return "the read-only open saw step " + std::to_string(read_first) +
             ", the writer's recovery step " + std::to_string(*recovered);
    }
    return err;
  }

 private:
  static std::string Compare(pager_wal* h, uint64_t seed, uint64_t acked, uint64_t* recovered) {
    std::vector<uint8_t> app(PAGER_WAL_APP_HEADER_SIZE);
    int rc = pager_wal_read_app_header(h, app.data(), app.size());
    if (rc != PAGER_OK) return Failure("pager_wal_read_app_header", rc);
    uint64_t step = 0;
    std::memcpy(&step, app.data(), sizeof step);
    if (step != acked && step != acked + 1) {
      return "the application header holds step " + std::to_string(step) +
             ", neither the acknowledged step nor the one in flight";
    }
    if (app != AppHeader(seed, step)) return "the application header of step " +
                                             std::to_string(step) + " has wrong bytes";
    WalState m = Model(seed, step);
    uint32_t count = 0;
    rc = pager_wal_page_count(h, &count);
    if (rc != PAGER_OK) return Failure("pager_wal_page_count", rc);
    if (count != m.page_count) {
      return "step " + std::to_string(step) + ": page count " + std::to_string(count) +
             ", expected " + std::to_string(m.page_count);
    }
    std::vector<uint8_t> buf(kPageSize);
    for (uint32_t p = 1; p < count; p++) {
      rc = pager_wal_read_page(h, p, buf.data(), buf.size());
      if (rc != PAGER_OK) return Failure("pager_wal_read_page", rc);
      auto it = m.page_step.find(p);
      std::vector<uint8_t> want = it == m.page_step.end()
                                      ? std::vector<uint8_t>(kPageSize, 0)
                                      : Pattern(seed, it->second, p, kPageSize);
      if (buf != want) {
        return "step " + std::to_string(step) + ": page " + std::to_string(p) +
               " does not hold the bytes of step " +
               std::to_string(it == m.page_step.end() ? 0 : it->second);
      }
    }
    *recovered = step;
    return "";
  }

  bool background_;
};

}  // namespace

std::unique_ptr<Component> NewWalComponent() { return std::make_unique<WalComponent>(false); }
std::unique_ptr<Component> NewWalBackgroundComponent() {
  return std::make_unique<WalComponent>(true);
}

int RunWalReaderProcess(const std::string& dir, uint64_t seed, int err_fd) {
  pager_wal_options o = Options(false);
  o.read_only = 1;
  pager_wal* h = nullptr;
  int rc = pager_wal_open((dir + "/db").c_str(), &o, &h);
  std::string err = rc == PAGER_OK ? std::string() : Failure("pager_wal_open", rc);
  WalState m;
  uint64_t at = 0;
  while (err.empty()) {
    pager_wal_read_txn* t = nullptr;
    rc = pager_wal_read_txn_begin(h, &t);
    if (rc != PAGER_OK) {
      err = Failure("pager_wal_read_txn_begin", rc);
      break;
    }
    uint64_t step = 0;
    err = CheckSnapshot(t, seed, &m, &at, &step);
    pager_wal_read_txn_free(t);
  }
  if (write(err_fd, err.data(), err.size()) < 0) return 1;
  return 1;
}

}  // namespace torture
