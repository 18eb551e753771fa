// R4's bound: after damage the reader scans later offsets for a record proving the damaged
// one was durable, hashing at most 8x the rest of the segment plus 1 MiB. A hostile tail in
// which every 8-byte word looks like a record header claiming a ~1 GiB payload would make an
// unbounded scan quadratic; the reader gives up and calls it corruption (never truncates on a
// guess), quickly, and a writer refuses to continue such a log.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "impl/io/mem_env.h"
#include "impl/walseg/format.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"
#include "tests/support/test_util.h"

namespace pager {
namespace walseg {
namespace {

TEST(WalsegReaderBudget, AHostileTailOfFakeHeadersIsCorruptionNotAQuadraticScan) {
  io::MemEnv env;
  WriterOptions o;
  o.prewrite_bytes = 0;
  o.buffer_bytes = 0;
  o.group_interval_us = 0;
  {
    std::unique_ptr<LogWriter> w;
    ASSERT_OK(LogWriter::Open(&env, "/log", o, &w));
    std::vector<uint8_t> p(100, 1);
    uint64_t lsn = 0;
    for (int i = 0; i < 3; i++) ASSERT_OK(w->Append(1, p.data(), p.size(), &lsn));
    ASSERT_OK(w->Close());
  }
  const std::string seg = "/log/" + SegmentName(1);
  std::vector<uint8_t> bytes;
  ASSERT_OK(env.GetFileBytes(seg, &bytes));
  const size_t records_end = bytes.size();
  // Every word: magic in its low half; read at +8 it is a magic, read at +32 a payload length
  // of 0x47455357 bytes.
  uint64_t word = kRecordMagic | (uint64_t{kRecordMagic} << 32);
  for (int i = 0; i < 4096; i++) {
    const uint8_t* w = reinterpret_cast<const uint8_t*>(&word);
    bytes.insert(bytes.end(), w, w + 8);
  }
  ASSERT_OK(env.SetFileBytes(seg, bytes));
  ReaderOptions ro;
  std::unique_ptr<SegmentReader> r;
  ASSERT_OK(SegmentReader::Open(&env, seg, ro, &r));
  auto start = std::chrono::steady_clock::now();
  RecordView v;
  bool found = true;
  int records = 0;
  while (found) {
    ASSERT_OK(r->Next(&v, &found));
    records += found;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start)
                .count();
  EXPECT_EQ(records, 3);
  EXPECT_EQ(r->stop_reason(), StopReason::kCorrupt);
  EXPECT_EQ(r->stop_offset(), records_end);
  EXPECT_NE(r->stop_detail().find("scan for later records gave up (budget)"), std::string::npos)
      << r->stop_detail();
  EXPECT_LT(ms, 5000) << "the scan must stay linear in the tail";
  r.reset();
  // A writer never truncates what it cannot classify.
  std::unique_ptr<LogWriter> w;
  Status st = LogWriter::Open(&env, "/log", o, &w);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  std::vector<uint8_t> after;
  ASSERT_OK(env.GetFileBytes(seg, &after));
  EXPECT_EQ(after, bytes);
}

}  // namespace
}  // namespace walseg
}  // namespace pager
