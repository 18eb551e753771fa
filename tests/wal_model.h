// An expected-state oracle for the WAL pager's crash and fault tests: a workload runs against
// a pager and a model side by side; every attempted commit appends the model's state to the
// history; after a crash the visible state must equal exactly one history entry.
#pragma once

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace testing {

struct Snapshot {
  uint32_t page_count = 1;
  std::vector<uint8_t> app = std::vector<uint8_t>(kAppHeaderSize, 0);
  std::map<uint32_t, std::vector<uint8_t>> pages;  // non-zero pages only

  bool operator==(const Snapshot& o) const {
    return page_count == o.page_count && app == o.app && pages == o.pages;
  }
  std::string Describe() const {
    std::ostringstream s;
    s << "{count " << page_count << ", app[0] " << int(app[0]) << ", pages";
    for (const auto& kv : pages) s << " " << kv.first << ":" << int(kv.second[7]);
    s << "}";
    return s.str();
  }
};

// Reads the committed state visible through a handle (nothing staged).
inline Status Capture(WalPager* p, Snapshot* out) {
  Snapshot s;
  s.page_count = p->page_count();
  PAGER_RETURN_IF_ERROR(p->ReadAppHeader(s.app.data(), s.app.size()));
  std::vector<uint8_t> buf(p->page_size());
  std::vector<uint8_t> zero(p->page_size(), 0);
  for (uint32_t i = 1; i < s.page_count; i++) {
    PAGER_RETURN_IF_ERROR(p->ReadPage(i, buf.data(), buf.size()));
    if (buf != zero) s.pages[i] = buf;
  }
  *out = std::move(s);
  return Status::Ok();
}

// Drives a pager and the model together. Stops at the first error (the handle is then
// poisoned or the failure left the transaction staged; either way the workload is over).
class Recorder {
 public:
  Recorder(WalPager* p, uint32_t page_size) : p_(p), page_size_(page_size) {
    history.push_back(model_);
  }

  bool ok() const { return ok_; }
  std::vector<Snapshot> history;  // [0] = the empty database
  size_t acked = 0;               // newest history index whose commit returned OK
  Status failure;

  void Stage(uint32_t page, uint64_t seed) {
    if (!ok_) return;
    std::vector<uint8_t> b = PatternBytes(seed, page_size_);
    if (!Check(p_->StagePage(page, b.data(), b.size()))) return;
    if (page >= model_.page_count) model_.page_count = page + 1;
    model_.pages[page] = b;
  }
  void SetCount(uint32_t count) {
    if (!ok_) return;
    if (!Check(p_->SetPageCount(count))) return;
    model_.page_count = count;
    model_.pages.erase(model_.pages.lower_bound(count), model_.pages.end());
  }
  void App(uint8_t v) {
    if (!ok_) return;
    std::vector<uint8_t> a(kAppHeaderSize, v);
    if (!Check(p_->StageAppHeader(a.data(), a.size()))) return;
    model_.app = a;
  }
  void Commit() {
    if (!ok_) return;
    history.push_back(model_);
    Result<uint32_t> r = p_->Commit();
    if (Check(r.ok() ? Status::Ok() : r.status())) acked = history.size() - 1;
  }
  // W26: waits for the background checkpointer to go idle (a no-op without one).
  void Idle() {
    if (ok_) p_->WaitCheckpointerIdle();
  }
  void Checkpoint(CheckpointMode mode = CheckpointMode::kPassive) {
    if (!ok_) return;
    Result<uint32_t> r = p_->Checkpoint(mode);
    Check(r.ok() ? Status::Ok() : r.status());
  }

  // Read transactions (W15): BeginRead pins the last acknowledged commit and returns a slot;
  // VerifyRead checks the transaction still sees exactly that commit. Transactions still
  // open when the Recorder goes away are ended then.
  size_t BeginRead() {
    reads_.push_back(Read{std::make_unique<ReadSnapshot>(), history[acked], false});
    Read& rd = reads_.back();
    rd.open = ok_ && Check(p_->BeginRead(rd.snap.get()));
    return reads_.size() - 1;
  }
  void VerifyRead(size_t slot) {
    Read& rd = reads_[slot];
    if (!ok_ || !rd.open) return;
    Snapshot seen;
    seen.page_count = rd.snap->page_count;
    seen.app.assign(rd.snap->app_header, rd.snap->app_header + kAppHeaderSize);
    std::vector<uint8_t> buf(page_size_), zero(page_size_, 0);
    for (uint32_t i = 1; i < seen.page_count; i++) {
      Status st = p_->ReadPageAt(*rd.snap, i, buf.data(), buf.size());
      EXPECT_TRUE(st.ok()) << "read txn " << slot << " page " << i << ": " << st.ToString();
      if (buf != zero) seen.pages[i] = buf;
    }
    EXPECT_TRUE(seen == rd.expected) << "read txn " << slot << " sees " << seen.Describe()
                                     << ", pinned " << rd.expected.Describe();
  }
  void EndRead(size_t slot) {
    if (reads_[slot].open) p_->EndRead(reads_[slot].snap.get());
    reads_[slot].open = false;
  }
  ~Recorder() {
    for (size_t i = 0; i < reads_.size(); i++) EndRead(i);
  }

 private:
  bool Check(const Status& st) {
    if (st.ok()) return true;
    ok_ = false;
    failure = st;
    return false;
  }
  struct Read {
    std::unique_ptr<ReadSnapshot> snap;
    Snapshot expected;
    bool open;
  };
  std::vector<Read> reads_;
  WalPager* p_;
  uint32_t page_size_;
  Snapshot model_;
  bool ok_ = true;
};

// The index of the history entry equal to s within [lo, hi], or -1.
inline int FindInHistory(const std::vector<Snapshot>& history, const Snapshot& s, size_t lo,
                         size_t hi) {
  for (size_t j = lo; j <= hi && j < history.size(); j++) {
    if (history[j] == s) return static_cast<int>(j);
  }
  return -1;
}

}  // namespace testing
}  // namespace wal
}  // namespace pager
