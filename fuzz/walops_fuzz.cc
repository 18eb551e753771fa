// libFuzzer harness: WAL pager operation sequences with crashes and I/O faults, checked
// against a model (in memory: FaultEnv, no real files).
//
// Input: a program of one-byte opcodes with their argument bytes (see Run). The model keeps
// the committed state (page count, every page's bytes by the seed that wrote it, the
// application header) and the staged changes. After every commit, checkpoint, reopen and
// simulated power loss the handle must show exactly the committed state; after an injected
// fault the failed call returns IO or NOSPC (POISONED once an automatic checkpoint failed),
// and the state is the committed one or (when a commit's own sync failed) the one that commit
// would have made.
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/wal/wal_pager.h"

namespace {

using pager::Code;
using pager::Status;
using pager::io::FaultEnv;
using pager::io::FaultKind;
using pager::wal::AccessMode;
using pager::wal::Options;
using pager::wal::State;
using pager::wal::WalPager;

constexpr uint32_t kPageSize = 512;
constexpr uint32_t kMaxPage = 48;
const char* kPath = "/w/db";

struct Model {
  uint32_t page_count = 1;
  std::map<uint32_t, uint8_t> pages;  // page -> seed of its bytes
  uint8_t app_seed = 0;               // 0: zeros
  void SetCount(uint32_t c) {
    page_count = c;
    pages.erase(pages.lower_bound(c), pages.end());
  }
  void Stage(uint32_t p, uint8_t seed) {
    pages[p] = seed;
    if (p >= page_count) page_count = p + 1;
  }
};

std::vector<uint8_t> Bytes(uint8_t seed, uint32_t salt, size_t len) {
  std::vector<uint8_t> b(len, 0);
  if (seed == 0) return b;
  for (size_t i = 0; i < len; i++) b[i] = static_cast<uint8_t>(seed * 31 + salt * 7 + i);
  return b;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "walops: %s\n", what);
    __builtin_trap();
  }
}

bool Matches(WalPager* p, const Model& m) {
  if (p->page_count() != m.page_count) return false;
  std::vector<uint8_t> buf(kPageSize);
  for (uint32_t i = 1; i < m.page_count; i++) {
    if (!p->ReadPage(i, buf.data(), buf.size()).ok()) return false;
    auto it = m.pages.find(i);
    if (buf != Bytes(it == m.pages.end() ? 0 : it->second, i, kPageSize)) return false;
  }
  std::vector<uint8_t> app(pager::wal::kAppHeaderSize);
  if (!p->ReadAppHeader(app.data(), app.size()).ok()) return false;
  return app == Bytes(m.app_seed, 0, app.size());
}

// A read transaction sees its pinned model; a read failing with an injected fault proves
// nothing either way, a read that succeeds must return the pinned bytes (W15).
bool SnapshotMatches(WalPager* p, const pager::wal::ReadSnapshot& s, const Model& m) {
  if (s.page_count != m.page_count) return false;
  if (std::vector<uint8_t>(s.app_header, s.app_header + pager::wal::kAppHeaderSize) !=
      Bytes(m.app_seed, 0, pager::wal::kAppHeaderSize)) {
    return false;
  }
  std::vector<uint8_t> buf(kPageSize);
  for (uint32_t i = 1; i < m.page_count; i++) {
    Status st = p->ReadPageAt(s, i, buf.data(), buf.size());
    if (!st.ok()) {
      if (st.code() == Code::kIo || st.code() == Code::kNoSpace) continue;
      return false;
    }
    auto it = m.pages.find(i);
    if (buf != Bytes(it == m.pages.end() ? 0 : it->second, i, kPageSize)) return false;
  }
  return true;
}

Options Opts(bool create) {
  Options o;
  o.page_size = create ? kPageSize : 0;
  o.auto_checkpoint_frames = 16;
  o.cache_pages = 8;
  o.wal_keep_bytes = 4096;
  o.wal_prewrite_bytes = 2048;
  return o;
}

class Harness {
 public:
  bool Start() {
    env_ = std::make_unique<FaultEnv>();
    if (!env_->CreateDir("/w", 0755).ok()) return false;
    return WalPager::Create(env_.get(), kPath, Opts(true), &p_).ok();
  }

  // Opens the files of env as a user would; the result must match one of the models.
  void Reopen(std::unique_ptr<FaultEnv> image, const Model* alt) {
    EndRead();
    p_.reset();
    if (image != nullptr) env_ = std::move(image);
    Status st = WalPager::Open(env_.get(), kPath, AccessMode::kReadWrite, Opts(false), &p_);
    if (!st.ok()) {  // an armed fault hit the open itself: it fails cleanly, then works
      Check(st.code() == Code::kIo || st.code() == Code::kNoSpace, "open failed oddly");
      env_->ClearFaults();
      st = WalPager::Open(env_.get(), kPath, AccessMode::kReadWrite, Opts(false), &p_);
    }
    if (!st.ok()) std::fprintf(stderr, "walops: %s\n", st.ToString().c_str());
    Check(st.ok(), "reopen failed");
    env_->ClearFaults();  // the checks' own reads must not hit a fault armed for the open
    Check(p_->CheckInvariants().ok(), "invariants after reopen");
    if (alt != nullptr && Matches(p_.get(), *alt)) {
      committed_ = *alt;
    } else {
      Check(Matches(p_.get(), committed_), "reopened state is not the committed one");
    }
    staged_ = committed_;
  }

  void Run(const uint8_t* data, size_t size) {
    size_t i = 0;
    auto next = [&]() -> uint8_t { return i < size ? data[i++] : 0; };
    while (i < size) {
      uint8_t op = next() % 12;
      switch (op) {
        case 0: {  // stage a page
          uint32_t page = 1 + next() % kMaxPage;
          uint8_t seed = static_cast<uint8_t>(next() | 1);
          if (p_->StagePage(page, Bytes(seed, page, kPageSize).data(), kPageSize).ok()) {
            staged_.Stage(page, seed);
          }
          break;
        }
        case 1: {  // shrink or grow
          uint32_t count = 1 + next() % (kMaxPage + 8);
          if (p_->SetPageCount(count).ok()) staged_.SetCount(count);
          break;
        }
        case 2: {  // application header
          uint8_t seed = static_cast<uint8_t>(next() | 1);
          std::vector<uint8_t> app = Bytes(seed, 0, pager::wal::kAppHeaderSize);
          if (p_->StageAppHeader(app.data(), app.size()).ok()) staged_.app_seed = seed;
          break;
        }
        case 3:
          Commit();
          break;
        case 4: {  // explicit checkpoint
          Status st = p_->Checkpoint().status();
          AfterFailure(st, nullptr);
          if (st.ok()) {
            env_->ClearFaults();
            // Reads show staged changes over the committed state: the model's staged view.
            Check(Matches(p_.get(), staged_), "state changed by a checkpoint");
          }
          break;
        }
        case 5:  // rollback
          if (p_->ClearStaged().ok()) staged_ = committed_;
          break;
        case 6:  // power loss now: every commit so far was FULL, so all of it survives
          Reopen(FaultEnv::FromImage(env_->CrashImage(next())), nullptr);
          break;
        case 7:  // close and reopen
          Reopen(nullptr, nullptr);
          break;
        case 8: {  // the Nth operation from now fails
          uint8_t b = next();
          env_->FailNthAny(1 + b % 8, (b & 0x40) ? FaultKind::kEnospc : FaultKind::kEio,
                           (b & 0x80) != 0);
          break;
        }
        case 9:  // begin a read transaction pinned at the committed state
          if (!reading_ && p_->BeginRead(&snap_).ok()) {
            reading_ = true;
            pinned_ = committed_;
          }
          break;
        case 10:  // the open read transaction still sees its commit
          if (reading_) Check(SnapshotMatches(p_.get(), snap_, pinned_), "read txn moved");
          break;
        case 11:
          EndRead();
          break;
      }
    }
    EndRead();
    env_->ClearFaults();
  }

 private:
  void Commit() {
    Model would_be = staged_;
    Status st = p_->Commit().status();
    if (st.ok()) {
      committed_ = would_be;
      staged_ = committed_;
      env_->ClearFaults();  // the check's own reads must not hit a fault armed for later
      Check(Matches(p_.get(), committed_), "state after an acknowledged commit");
      return;
    }
    AfterFailure(st, &would_be);
  }

  // A failed call: IO or NOSPC only. A poisoned handle is reopened (faults cleared): the
  // files hold the committed state or, for a commit, the state it would have made.
  void AfterFailure(const Status& st, const Model* would_be) {
    if (st.ok()) return;
    if (st.code() == Code::kPoisoned) {  // an automatic checkpoint poisoned it earlier
      env_->ClearFaults();
      return Reopen(nullptr, nullptr);
    }
    Check(st.code() == Code::kIo || st.code() == Code::kNoSpace, "unexpected error code");
    // Not poisoned: NOSPC on a write (W11) or a failed read of committed pages; either way
    // the handle is unchanged and the changes stay staged.
    if (p_->state() != State::kPoisoned) return;
    env_->ClearFaults();
    Reopen(nullptr, would_be);
  }

  void EndRead() {
    if (reading_) p_->EndRead(&snap_);
    reading_ = false;
  }

  std::unique_ptr<FaultEnv> env_;
  std::unique_ptr<WalPager> p_;
  Model committed_, staged_;
  pager::wal::ReadSnapshot snap_;
  Model pinned_;
  bool reading_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  Harness h;
  if (!h.Start()) return 0;
  h.Run(data, size);
  return 0;
}
