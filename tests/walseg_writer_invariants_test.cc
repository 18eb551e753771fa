// LogWriter::CheckInvariants (L2, L3, L7, W1, W3): each of its returns is made to fire by
// breaking exactly one invariant of a healthy writer through a test-only friend (a libpager
// bug would be the only other way), and names what is broken. The writer suites end with
// CheckInvariants; these tests prove it would notice.
#include <gtest/gtest.h>

#include <functional>

#include "impl/io/mem_env.h"
#include "impl/walseg/writer.h"
#include "tests/support/test_util.h"

namespace pager {
namespace walseg {

class LogWriterTestPeer {
 public:
  explicit LogWriterTestPeer(LogWriter* w) : w_(w) {}
  uint64_t& next_lsn() { return w_->next_lsn_; }
  uint64_t& durable_lsn() { return w_->durable_lsn_; }
  uint64_t& unsynced_bytes() { return w_->unsynced_bytes_; }
  uint64_t& segment_first_lsn() { return w_->segment_first_lsn_; }
  uint64_t& flushed_end() { return w_->flushed_end_; }
  uint64_t& prewritten_end() { return w_->prewritten_end_; }
  std::vector<uint8_t>& buffer() { return w_->buffer_; }
  bool& closed() { return w_->closed_; }

 private:
  LogWriter* w_;
};

namespace {

std::unique_ptr<LogWriter> Healthy(io::MemEnv* env) {
  WriterOptions o;
  o.sync_policy = SyncPolicy::kExplicit;
  o.segment_bytes = 1 << 16;
  o.prewrite_bytes = 4096;
  o.buffer_bytes = 256;
  o.group_interval_us = 0;
  std::unique_ptr<LogWriter> w;
  EXPECT_OK(LogWriter::Open(env, "/log", o, &w));
  std::vector<uint8_t> p(40, 7);
  uint64_t lsn = 0;
  for (int i = 0; i < 3; i++) EXPECT_OK(w->Append(1, p.data(), p.size(), &lsn));
  EXPECT_OK(w->Sync());
  EXPECT_OK(w->Append(1, p.data(), p.size(), &lsn));  // staged, not durable
  EXPECT_OK(w->CheckInvariants());
  return w;
}

TEST(WalsegWriterInvariants, EachBrokenInvariantIsNamed) {
  struct Break {
    const char* says;
    std::function<void(LogWriterTestPeer*)> apply;
  } cases[] = {
      {"L2 durable_lsn < next_lsn", [](LogWriterTestPeer* p) { p->durable_lsn() = p->next_lsn(); }},
      {"L2 unsynced bytes exist exactly when durable_lsn < next_lsn - 1",
       [](LogWriterTestPeer* p) { p->unsynced_bytes() = 0; }},
      {"W3 active segment starts at or before next_lsn",
       [](LogWriterTestPeer* p) { p->segment_first_lsn() = p->next_lsn() + 1; }},
      {"W1 records are 8-aligned", [](LogWriterTestPeer* p) { p->flushed_end() += 4; }},
      {"W1 records are 8-aligned", [](LogWriterTestPeer* p) { p->buffer().resize(p->buffer().size() + 4); }},
      {"L3 buffer bound", [](LogWriterTestPeer* p) { p->buffer().resize(512); }},
      {"L7 pre-written space covers the written records",
       [](LogWriterTestPeer* p) { p->prewritten_end() = p->flushed_end() - 8; }},
      {"closed writer holds no segment", [](LogWriterTestPeer* p) { p->closed() = true; }},
  };
  for (const Break& c : cases) {
    SCOPED_TRACE(c.says);
    io::MemEnv env;
    std::unique_ptr<LogWriter> w = Healthy(&env);
    LogWriterTestPeer peer(w.get());
    ASSERT_GT(peer.flushed_end(), 8u);
    ASSERT_FALSE(peer.buffer().empty());
    c.apply(&peer);
    Status st = w->CheckInvariants();
    EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
    EXPECT_EQ(st.message(), std::string("walseg writer invariant: ") + c.says);
    peer.closed() = false;
    peer.buffer().clear();  // let the destructor close without writing the broken state
    peer.unsynced_bytes() = 0;
    peer.durable_lsn() = peer.next_lsn() - 1;
  }
}

}  // namespace
}  // namespace walseg
}  // namespace pager
