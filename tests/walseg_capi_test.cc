// The pager_walseg_* C API: argument checks, options growth, codes and messages, and the
// writer -> reader -> replay path through the shims.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::TempDir;

class WalsegCapi : public ::testing::Test {
 protected:
  std::string Dir() const { return tmp_.File("log"); }
  pager_walseg_writer* OpenWriter(uint64_t segment_bytes = 4096) {
    pager_walseg_options o;
    pager_walseg_options_init(&o);
    o.segment_bytes = segment_bytes;
    pager_walseg_writer* w = nullptr;
    EXPECT_PAGER_OK(pager_walseg_writer_open(Dir().c_str(), &o, &w));
    return w;
  }
  TempDir tmp_;
};

TEST_F(WalsegCapi, OptionsInitFillsDefaults) {
  pager_walseg_options o;
  std::memset(&o, 0xff, sizeof o);
  pager_walseg_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.sync_policy, static_cast<uint32_t>(PAGER_WALSEG_SYNC_EVERY_RECORD));
  EXPECT_EQ(o.segment_bytes, 64u << 20);
  EXPECT_EQ(o.max_payload_bytes, 64u << 20);
  EXPECT_EQ(o.first_lsn, 1u);
  EXPECT_EQ(o.create_if_missing, 1u);
  EXPECT_EQ(o.reserved0, 0u);
  pager_walseg_reader_options r;
  std::memset(&r, 0xff, sizeof r);
  pager_walseg_reader_options_init(&r);
  EXPECT_EQ(r.struct_size, sizeof r);
  EXPECT_EQ(r.reserved0, 0u);
  EXPECT_EQ(r.known_types, nullptr);
  EXPECT_EQ(r.known_type_count, 0u);
  EXPECT_EQ(r.max_payload_bytes, 64u << 20);
  EXPECT_EQ(r.expected_first_lsn, 0u);
}

TEST_F(WalsegCapi, OptionsInitIsVoidAndNullSafe) {
  pager_walseg_writer* w = nullptr;
  ASSERT_EQ(pager_walseg_writer_open(nullptr, nullptr, &w), PAGER_ERR_INVALID);
  pager_walseg_options_init(nullptr);  // no crash, and C2: clears the last error
  EXPECT_STREQ(pager_last_error(), "");
  ASSERT_EQ(pager_walseg_writer_open(nullptr, nullptr, &w), PAGER_ERR_INVALID);
  pager_walseg_reader_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST_F(WalsegCapi, NullArgumentsAreInvalidNotCrashes) {
  pager_walseg_writer* w = nullptr;
  EXPECT_EQ(pager_walseg_writer_open(nullptr, nullptr, &w), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), nullptr, nullptr), PAGER_ERR_INVALID);
  uint64_t lsn;
  EXPECT_EQ(pager_walseg_append(nullptr, 1, "a", 1, &lsn), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("writer"), std::string::npos);
  EXPECT_EQ(pager_walseg_sync(nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_flush(nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_writer_lsns(nullptr, &lsn, &lsn), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_remove_before(nullptr, 1, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_writer_close(nullptr), PAGER_OK);
  pager_walseg_reader* r = nullptr;
  EXPECT_EQ(pager_walseg_reader_open(nullptr, nullptr, &r), PAGER_ERR_INVALID);
  pager_walseg_record rec;
  uint32_t found;
  EXPECT_EQ(pager_walseg_reader_next(nullptr, &rec, &found), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_reader_stop(nullptr, nullptr, nullptr, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_reader_position(nullptr, nullptr, nullptr, nullptr, nullptr),
            PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_reader_release_pages(nullptr), PAGER_ERR_INVALID);
  pager_walseg_reader_close(nullptr);
  pager_walseg_replay* it = nullptr;
  EXPECT_EQ(pager_walseg_replay_open(nullptr, 0, nullptr, &it), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_replay_next(nullptr, &rec, &found), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_replay_stop(nullptr, nullptr, nullptr, nullptr, nullptr),
            PAGER_ERR_INVALID);
  pager_walseg_replay_close(nullptr);

  pager_walseg_writer* ok = OpenWriter();
  EXPECT_EQ(pager_walseg_append(ok, 1, "a", 1, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_append(ok, 1, nullptr, 5, &lsn), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_walseg_append(ok, 0, "a", 1, &lsn), PAGER_ERR_INVALID);
  EXPECT_PAGER_OK(pager_walseg_writer_close(ok));
}

TEST_F(WalsegCapi, BadOptionsAreRejectedWithTheFieldNamed) {
  pager_walseg_options o;
  pager_walseg_options_init(&o);
  o.sync_policy = 9;
  pager_walseg_writer* w = nullptr;
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), &o, &w), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("sync_policy"), std::string::npos);
  pager_walseg_options_init(&o);
  o.reserved0 = 1;
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), &o, &w), PAGER_ERR_INVALID);
  pager_walseg_options_init(&o);
  o.struct_size = 0;
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), &o, &w), PAGER_ERR_INVALID);
  EXPECT_EQ(w, nullptr);
}

TEST_F(WalsegCapi, StructSizeBelowTheFirstVersionIsInvalid) {
  pager_walseg_options o;
  pager_walseg_options_init(&o);
  o.struct_size = offsetof(pager_walseg_options, group_bytes);
  pager_walseg_writer* w = nullptr;
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), &o, &w), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("struct_size"), std::string::npos);
  EXPECT_EQ(w, nullptr);
  pager_walseg_reader_options ro;
  pager_walseg_reader_options_init(&ro);
  ro.struct_size = sizeof ro - 8;
  pager_walseg_replay* it = nullptr;
  EXPECT_EQ(pager_walseg_replay_open(Dir().c_str(), 0, &ro, &it), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("struct_size"), std::string::npos);
  EXPECT_EQ(it, nullptr);
}

TEST_F(WalsegCapi, ReaderOptionsKnownTypeListIsChecked) {
  pager_walseg_writer* w = OpenWriter();
  ASSERT_PAGER_OK(pager_walseg_writer_close(w));
  std::string seg = Dir() + "/0000000000000001.wal";
  pager_walseg_reader_options ro;
  pager_walseg_reader_options_init(&ro);
  ro.known_type_count = 3;  // NULL list with a count
  pager_walseg_reader* r = nullptr;
  EXPECT_EQ(pager_walseg_reader_open(seg.c_str(), &ro, &r), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("known_types"), std::string::npos);
  uint16_t known[] = {1};
  ro.known_types = known;
  ro.known_type_count = UINT64_MAX / 2;  // cannot be a real list: rejected before reading
  EXPECT_EQ(pager_walseg_reader_open(seg.c_str(), &ro, &r), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("known_types"), std::string::npos);
  ro.known_type_count = 1;
  ro.reserved0 = 1;
  EXPECT_EQ(pager_walseg_reader_open(seg.c_str(), &ro, &r), PAGER_ERR_INVALID);
  EXPECT_EQ(r, nullptr);
  ro.reserved0 = 0;
  ASSERT_PAGER_OK(pager_walseg_reader_open(seg.c_str(), &ro, &r));
  pager_walseg_reader_close(r);
}

TEST_F(WalsegCapi, NewerCallersZeroTailIsAcceptedNonZeroIsNot) {
  struct Bigger {
    pager_walseg_options base;
    uint64_t future;
  } b;
  std::memset(&b, 0, sizeof b);
  pager_walseg_options_init(&b.base);
  b.base.struct_size = sizeof b;
  pager_walseg_writer* w = nullptr;
  ASSERT_PAGER_OK(pager_walseg_writer_open(Dir().c_str(), &b.base, &w));
  EXPECT_PAGER_OK(pager_walseg_writer_close(w));
  b.future = 1;
  w = nullptr;
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), &b.base, &w), PAGER_ERR_INVALID);
}

TEST_F(WalsegCapi, WriteReadAndReplayThroughTheShims) {
  pager_walseg_writer* w = OpenWriter(1024);
  std::vector<std::string> payloads;
  for (int i = 0; i < 100; i++) {
    payloads.push_back("record number " + std::to_string(i) + std::string(i % 50, '.'));
    uint64_t lsn = 0;
    ASSERT_PAGER_OK(pager_walseg_append(w, static_cast<uint16_t>(1 + i % 2), payloads.back().data(),
                                        payloads.back().size(), &lsn));
    ASSERT_EQ(lsn, static_cast<uint64_t>(i + 1));
  }
  uint64_t next = 0, durable = 0;
  ASSERT_PAGER_OK(pager_walseg_writer_lsns(w, &next, &durable));
  EXPECT_EQ(next, 101u);
  EXPECT_EQ(durable, 100u);
  pager_walseg_writer* second = nullptr;
  EXPECT_EQ(pager_walseg_writer_open(Dir().c_str(), nullptr, &second), PAGER_ERR_BUSY);
  ASSERT_PAGER_OK(pager_walseg_writer_close(w));

  // Only type 1 is known; type 2 is optional and skipped.
  uint16_t known[] = {1};
  pager_walseg_reader_options ro;
  pager_walseg_reader_options_init(&ro);
  ro.known_types = known;
  ro.known_type_count = 1;
  pager_walseg_replay* it = nullptr;
  ASSERT_PAGER_OK(pager_walseg_replay_open(Dir().c_str(), 10, &ro, &it));
  pager_walseg_record rec;
  uint32_t found = 0;
  std::vector<uint64_t> lsns;
  for (;;) {
    ASSERT_PAGER_OK(pager_walseg_replay_next(it, &rec, &found));
    if (!found) break;
    lsns.push_back(rec.lsn);
    EXPECT_EQ(rec.type, 1u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(rec.data), rec.len), payloads[rec.lsn - 1]);
  }
  EXPECT_EQ(lsns.size(), 45u);  // odd LSNs 11..99
  EXPECT_EQ(lsns.front(), 11u);
  uint32_t reason;
  uint64_t seg, off, last;
  ASSERT_PAGER_OK(pager_walseg_replay_stop(it, &reason, &seg, &off, &last));
  EXPECT_EQ(reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_CLEAN_END));
  EXPECT_EQ(last, 100u);
  pager_walseg_replay_close(it);

  it = nullptr;
  EXPECT_EQ(pager_walseg_replay_open((Dir() + "/missing").c_str(), 0, nullptr, &it),
            PAGER_ERR_NOT_FOUND);
}

TEST_F(WalsegCapi, SegmentReaderReportsPositionStopAndRequiredTypes) {
  pager_walseg_writer* w = OpenWriter();
  uint64_t lsn;
  ASSERT_PAGER_OK(pager_walseg_append(w, 1, "one", 3, &lsn));
  ASSERT_PAGER_OK(pager_walseg_append(w, PAGER_WALSEG_TYPE_REQUIRED | 5, "two", 3, &lsn));
  ASSERT_PAGER_OK(pager_walseg_writer_close(w));
  std::string seg = Dir() + "/0000000000000001.wal";

  uint16_t known[] = {1};
  pager_walseg_reader_options ro;
  pager_walseg_reader_options_init(&ro);
  ro.known_types = known;
  ro.known_type_count = 1;
  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(seg.c_str(), &ro, &r));
  uint64_t off, len;
  uint32_t empty, advised;
  ASSERT_PAGER_OK(pager_walseg_reader_position(r, &off, &len, &empty, &advised));
  EXPECT_EQ(off, 0u);
  EXPECT_GT(len, 0u);
  EXPECT_EQ(empty, 0u);
  EXPECT_EQ(advised, 1u);
  pager_walseg_record rec;
  uint32_t found;
  ASSERT_PAGER_OK(pager_walseg_reader_next(r, &rec, &found));
  ASSERT_EQ(found, 1u);
  EXPECT_EQ(rec.lsn, 1u);
  EXPECT_EQ(rec.offset, 0u);
  found = 7;
  EXPECT_EQ(pager_walseg_reader_next(r, &rec, &found), PAGER_ERR_VERSION);
  EXPECT_EQ(found, 7u) << "C5: found is untouched on failure";
  EXPECT_NE(std::string(pager_last_error()).find("required type 5"), std::string::npos);
  EXPECT_PAGER_OK(pager_walseg_reader_release_pages(r));
  pager_walseg_reader_close(r);

  // Every type known: both records, then a clean end at the file's end.
  ASSERT_PAGER_OK(pager_walseg_reader_open(seg.c_str(), nullptr, &r));
  int n = 0;
  for (;;) {
    ASSERT_PAGER_OK(pager_walseg_reader_next(r, &rec, &found));
    if (!found) break;
    n++;
  }
  EXPECT_EQ(n, 2);
  uint32_t reason;
  uint64_t stop_off, last;
  ASSERT_PAGER_OK(pager_walseg_reader_stop(r, &reason, &stop_off, &last));
  EXPECT_EQ(reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_CLEAN_END));
  EXPECT_EQ(stop_off, 48u + 48u);
  EXPECT_EQ(last, 2u);
  pager_walseg_reader_close(r);
}

TEST_F(WalsegCapi, StopDetailSaysWhyAndTruncatesSafely) {
  pager_walseg_writer* w = OpenWriter();
  uint64_t lsn;
  for (int i = 0; i < 4; i++) ASSERT_PAGER_OK(pager_walseg_append(w, 1, "abcdefgh", 8, &lsn));
  ASSERT_PAGER_OK(pager_walseg_writer_close(w));
  std::string seg = Dir() + "/0000000000000001.wal";
  std::vector<uint8_t> bytes = pager::testing::ReadWholeFile(seg);
  bytes[48 + 44] ^= 1;  // record LSN 2's payload; LSN 3 and 4 say it was durable
  pager::testing::WriteWholeFile(seg, bytes);

  pager_walseg_reader* r = nullptr;
  ASSERT_PAGER_OK(pager_walseg_reader_open(seg.c_str(), nullptr, &r));
  char buf[256];
  uint64_t len = 99;
  ASSERT_PAGER_OK(pager_walseg_reader_stop_detail(r, buf, sizeof buf, &len));
  EXPECT_EQ(len, 0u);  // not stopped yet
  EXPECT_STREQ(buf, "");
  pager_walseg_record rec;
  uint32_t found = 1;
  while (found) ASSERT_PAGER_OK(pager_walseg_reader_next(r, &rec, &found));
  uint32_t reason;
  uint64_t off;
  ASSERT_PAGER_OK(pager_walseg_reader_stop(r, &reason, &off, nullptr));
  EXPECT_EQ(reason, static_cast<uint32_t>(PAGER_WALSEG_STOP_CORRUPT));
  EXPECT_EQ(off, 48u);
  ASSERT_PAGER_OK(pager_walseg_reader_stop_detail(r, buf, sizeof buf, &len));
  EXPECT_NE(std::string(buf).find("checksum mismatch"), std::string::npos) << buf;
  EXPECT_EQ(std::string(buf).size(), len);
  char tiny[6];
  ASSERT_PAGER_OK(pager_walseg_reader_stop_detail(r, tiny, sizeof tiny, &len));
  EXPECT_EQ(std::string(tiny), std::string(buf).substr(0, 5));
  ASSERT_PAGER_OK(pager_walseg_reader_stop_detail(r, nullptr, 0, &len));
  EXPECT_EQ(pager_walseg_reader_stop_detail(r, nullptr, 4, &len), PAGER_ERR_INVALID);
  pager_walseg_reader_close(r);

  pager_walseg_replay* it = nullptr;
  ASSERT_PAGER_OK(pager_walseg_replay_open(Dir().c_str(), 0, nullptr, &it));
  while (true) {
    ASSERT_PAGER_OK(pager_walseg_replay_next(it, &rec, &found));
    if (!found) break;
  }
  ASSERT_PAGER_OK(pager_walseg_replay_stop_detail(it, buf, sizeof buf, &len));
  EXPECT_NE(std::string(buf).find("0000000000000001.wal"), std::string::npos) << buf;
  EXPECT_EQ(pager_walseg_replay_stop_detail(nullptr, buf, sizeof buf, &len), PAGER_ERR_INVALID);
  pager_walseg_replay_close(it);
}

TEST_F(WalsegCapi, TooLargeIsReportedWithTheLimit) {
  pager_walseg_options o;
  pager_walseg_options_init(&o);
  o.max_payload_bytes = 16;
  pager_walseg_writer* w = nullptr;
  ASSERT_PAGER_OK(pager_walseg_writer_open(Dir().c_str(), &o, &w));
  char buf[17] = {0};
  uint64_t lsn;
  EXPECT_EQ(pager_walseg_append(w, 1, buf, 17, &lsn), PAGER_ERR_TOO_LARGE);
  EXPECT_NE(std::string(pager_last_error()).find("16"), std::string::npos);
  EXPECT_PAGER_OK(pager_walseg_append(w, 1, buf, 16, &lsn));
  EXPECT_PAGER_OK(pager_walseg_writer_close(w));
}

}  // namespace
