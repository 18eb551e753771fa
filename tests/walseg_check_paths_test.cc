// WAL-segment paths no other suite reaches: the check of a single segment file whose last
// write was torn (a leftover, "interrupted" at the record's offset, never damage), and a
// record whose padding is not zero behind a valid checksum (a writer always pads with zeros:
// the reader stops there and never returns the record).
#include <gtest/gtest.h>

#include <cstring>

#include "impl/check/checks.h"
#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "impl/walseg/format.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"
#include "tests/support/test_util.h"

namespace pager {
namespace walseg {
namespace {

// A one-segment log of three 5-byte records (each padded with 3 zero bytes); returns its path.
std::string ThreeRecords(io::MemEnv* env) {
  WriterOptions o;
  o.prewrite_bytes = 0;
  o.buffer_bytes = 0;
  o.group_interval_us = 0;
  std::unique_ptr<LogWriter> w;
  EXPECT_OK(LogWriter::Open(env, "/log", o, &w));
  uint8_t p[5] = {1, 2, 3, 4, 5};
  uint64_t lsn = 0;
  for (int i = 0; i < 3; i++) EXPECT_OK(w->Append(1, p, sizeof p, &lsn));
  EXPECT_OK(w->Close());
  return "/log/" + SegmentName(1);
}

TEST(WalsegCheckPaths, ASegmentFileWhoseLastWriteWasTornIsInterruptedNotDamaged) {
  io::MemEnv env;
  std::string seg = ThreeRecords(&env);
  std::vector<uint8_t> b;
  ASSERT_OK(env.GetFileBytes(seg, &b));
  const uint64_t end = b.size();
  uint8_t junk[5] = {9, 9, 9, 9, 9};
  std::vector<uint8_t> torn(RecordBytes(sizeof junk));
  EncodeRecord(1, 4, 3, junk, sizeof junk, torn.data());
  b.insert(b.end(), torn.begin(), torn.begin() + 20);
  ASSERT_OK(env.SetFileBytes(seg, b));
  CheckReport r;
  ASSERT_OK(CheckWalseg(&env, seg, false, &r));
  EXPECT_FALSE(r.damaged()) << r.damage_detail;
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.damage_rule, "torn-tail");
  EXPECT_EQ(r.damage_file, seg);
  EXPECT_EQ(r.damage_offset, end);
  EXPECT_EQ(r.record_count, 3u);
  EXPECT_NE(r.damage_detail.find("(a last write that was never synced)"), std::string::npos)
      << r.damage_detail;
}

TEST(WalsegCheckPaths, ARecordWithNonZeroPaddingBehindAValidChecksumIsNeverReturned) {
  io::MemEnv env;
  std::string seg = ThreeRecords(&env);
  std::vector<uint8_t> b;
  ASSERT_OK(env.GetFileBytes(seg, &b));
  const uint64_t rec = RecordBytes(5);
  ASSERT_EQ(b.size(), 3 * rec);
  uint8_t* last = b.data() + 2 * rec;
  last[kHeaderBytes + 5] = 0x77;  // the first padding byte
  uint64_t sum = Checksum64(last + kChecksumBytes, rec - kChecksumBytes, kChecksumSeed);
  std::memcpy(last, &sum, sizeof sum);
  ASSERT_OK(env.SetFileBytes(seg, b));
  std::unique_ptr<SegmentReader> reader;
  ASSERT_OK(SegmentReader::Open(&env, seg, ReaderOptions(), &reader));
  RecordView v;
  bool found = true;
  int records = 0;
  while (found) {
    ASSERT_OK(reader->Next(&v, &found));
    records += found;
  }
  EXPECT_EQ(records, 2);
  EXPECT_EQ(reader->stop_offset(), 2 * rec);
  EXPECT_NE(reader->stop_detail().find("non-zero padding"), std::string::npos)
      << reader->stop_detail();
}

}  // namespace
}  // namespace walseg
}  // namespace pager
