// SegmentReader on real files: zero-copy views, and one test per way a segment can end
// (R4): clean end, torn tail, corruption with durable records behind it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "impl/io/checksum.h"
#include "impl/io/env.h"
#include "impl/walseg/reader.h"
#include "tests/support/test_util.h"

namespace pager {
namespace walseg {
namespace {

using testing::PatternBytes;
using testing::TempDir;
using testing::WriteWholeFile;

struct Rec {
  uint16_t type;
  uint64_t lsn;
  uint64_t synced;
  std::vector<uint8_t> payload;
};

// Records lsn first..first+n-1, payload sizes varying, each claiming its predecessor durable
// (as the every-record sync policy writes them) unless synced_override is given.
std::vector<Rec> MakeRecords(uint64_t first, size_t n, int64_t synced_override = -1) {
  std::vector<Rec> out;
  for (size_t i = 0; i < n; i++) {
    uint64_t lsn = first + i;
    uint64_t synced = synced_override >= 0 ? static_cast<uint64_t>(synced_override) : lsn - 1;
    out.push_back({static_cast<uint16_t>(1 + i % 3), lsn, synced, PatternBytes(lsn, 3 + i * 7)});
  }
  return out;
}

std::vector<uint8_t> Serialize(const std::vector<Rec>& recs, std::vector<size_t>* offsets = nullptr) {
  std::vector<uint8_t> bytes;
  for (const Rec& r : recs) {
    if (offsets != nullptr) offsets->push_back(bytes.size());
    size_t at = bytes.size();
    bytes.resize(at + RecordBytes(r.payload.size()));
    EncodeRecord(r.type, r.lsn, r.synced, r.payload.data(),
                 static_cast<uint32_t>(r.payload.size()), bytes.data() + at);
  }
  return bytes;
}

struct ReadResult {
  std::vector<RecordView> views;
  StopReason reason = StopReason::kNone;
  uint64_t stop_offset = 0;
  std::string detail;
  Status error;
};

ReadResult ReadAll(SegmentReader* r) {
  ReadResult out;
  for (;;) {
    RecordView v;
    bool found = false;
    out.error = r->Next(&v, &found);
    if (!out.error.ok() || !found) break;
    out.views.push_back(v);
  }
  out.reason = r->stop_reason();
  out.stop_offset = r->stop_offset();
  out.detail = r->stop_detail();
  return out;
}

class WalsegReader : public ::testing::Test {
 protected:
  std::unique_ptr<SegmentReader> OpenBytes(const std::vector<uint8_t>& bytes,
                                           ReaderOptions o = ReaderOptions(),
                                           const std::string& name = "0000000000000001.wal") {
    std::string path = dir_.File(name);
    WriteWholeFile(path, bytes);
    std::unique_ptr<SegmentReader> r;
    Status st = SegmentReader::Open(io::DefaultEnv(), path, o, &r);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return r;
  }
  TempDir dir_;
};

TEST_F(WalsegReader, ReturnsEveryRecordAsAViewIntoTheMapping) {
  std::vector<Rec> recs = MakeRecords(1, 50);
  std::vector<size_t> offsets;
  auto r = OpenBytes(Serialize(recs, &offsets));
  ReadResult got = ReadAll(r.get());
  ASSERT_OK(got.error);
  ASSERT_EQ(got.views.size(), recs.size());
  EXPECT_EQ(got.reason, StopReason::kCleanEnd);
  for (size_t i = 0; i < recs.size(); i++) {
    EXPECT_EQ(got.views[i].lsn, recs[i].lsn);
    EXPECT_EQ(got.views[i].type, recs[i].type);
    EXPECT_EQ(got.views[i].offset, offsets[i]);
    ASSERT_EQ(got.views[i].len, recs[i].payload.size());
    EXPECT_EQ(0, std::memcmp(got.views[i].data, recs[i].payload.data(), got.views[i].len));
    // Zero copy: payload addresses are the file offsets shifted by one base address.
    EXPECT_EQ(got.views[i].data - got.views[0].data,
              static_cast<ptrdiff_t>(offsets[i] - offsets[0]));
  }
  EXPECT_EQ(r->offset(), r->len());
  EXPECT_EQ(r->last_lsn(), 50u);
}

TEST_F(WalsegReader, ViewsStayValidAfterReleasePages) {
  auto recs = MakeRecords(1, 20);
  auto r = OpenBytes(Serialize(recs));
  ReadResult got = ReadAll(r.get());
  ASSERT_OK(r->ReleasePages());
  for (size_t i = 0; i < recs.size(); i++) {
    EXPECT_EQ(0, std::memcmp(got.views[i].data, recs[i].payload.data(), got.views[i].len));
  }
  EXPECT_TRUE(r->madvise_applied());  // MADV_SEQUENTIAL on a real mapping
}

TEST_F(WalsegReader, APopulatedSegmentReadsTheSameRecords) {
  auto recs = MakeRecords(1, 200);
  std::vector<uint8_t> bytes = Serialize(recs);
  ReaderOptions o;
  o.populate = true;
  auto r = OpenBytes(bytes, o);
  EXPECT_TRUE(r->populated());  // MADV_POPULATE_READ (Linux 5.14+) on a real mapping
  ReadResult got = ReadAll(r.get());
  ASSERT_OK(got.error);
  ASSERT_EQ(got.views.size(), recs.size());
  EXPECT_EQ(got.reason, StopReason::kCleanEnd);
  EXPECT_FALSE(OpenBytes(bytes, ReaderOptions(), "0000000000000001.b")->populated());
}

TEST_F(WalsegReader, EmptyFileIsACleanEndWithNoRecords) {
  auto r = OpenBytes({});
  EXPECT_TRUE(r->is_empty());
  EXPECT_EQ(r->len(), 0u);
  EXPECT_FALSE(r->madvise_applied());  // nothing mapped, nothing advised
  ReadResult got = ReadAll(r.get());
  EXPECT_TRUE(got.views.empty());
  EXPECT_EQ(got.reason, StopReason::kCleanEnd);
  EXPECT_OK(r->ReleasePages());
}

TEST_F(WalsegReader, TinyNonZeroFilesAreTornTailsAtOffsetZero) {
  std::vector<uint8_t> full = Serialize(MakeRecords(1, 1));
  for (size_t len = 1; len < full.size(); len++) {
    auto r = OpenBytes(std::vector<uint8_t>(full.begin(), full.begin() + len));
    ReadResult got = ReadAll(r.get());
    EXPECT_TRUE(got.views.empty()) << len;
    EXPECT_EQ(got.reason, StopReason::kTornTail) << len;
    EXPECT_EQ(got.stop_offset, 0u) << len;
  }
}

TEST_F(WalsegReader, TinyZeroFilesAreCleanEnds) {
  for (size_t len : {1, 7, 8, 39, 40, 4096}) {
    auto r = OpenBytes(std::vector<uint8_t>(len, 0));
    ReadResult got = ReadAll(r.get());
    EXPECT_EQ(got.reason, StopReason::kCleanEnd) << len;
    EXPECT_TRUE(got.views.empty());
  }
}

TEST_F(WalsegReader, PrewrittenZeroTailIsACleanEnd) {
  std::vector<uint8_t> bytes = Serialize(MakeRecords(1, 5));
  size_t end = bytes.size();
  bytes.resize(1 << 20, 0);
  auto r = OpenBytes(bytes);
  ReadResult got = ReadAll(r.get());
  EXPECT_EQ(got.views.size(), 5u);
  EXPECT_EQ(got.reason, StopReason::kCleanEnd);
  EXPECT_EQ(got.stop_offset, end);
}

TEST_F(WalsegReader, TornTailAtEveryByteOffsetOfTheLastRecord) {
  std::vector<size_t> offsets;
  std::vector<uint8_t> full = Serialize(MakeRecords(1, 4), &offsets);
  size_t last = offsets.back();
  for (size_t cut = last; cut < full.size(); cut++) {
    // A truncated file, and the same bytes followed by the zeros a pre-written file has.
    for (bool zero_tail : {false, true}) {
      std::vector<uint8_t> bytes(full.begin(), full.begin() + cut);
      if (zero_tail) bytes.resize(full.size() + 64, 0);
      auto r = OpenBytes(bytes);
      ReadResult got = ReadAll(r.get());
      ASSERT_EQ(got.views.size(), 3u) << cut;
      // Clean only when nothing of the last record survived (a surviving prefix that is all
      // zero bytes is indistinguishable from no record at all).
      bool clean = true;
      for (size_t i = last; i < cut; i++) clean = clean && full[i] == 0;
      EXPECT_EQ(got.reason, clean ? StopReason::kCleanEnd : StopReason::kTornTail)
          << "cut " << cut << " zero_tail " << zero_tail;
      EXPECT_EQ(got.stop_offset, last) << cut;
    }
  }
}

TEST_F(WalsegReader, GarbageInTheLastRecordIsATornTail) {
  std::vector<size_t> offsets;
  std::vector<uint8_t> full = Serialize(MakeRecords(1, 4), &offsets);
  for (size_t pos = offsets.back(); pos < full.size(); pos++) {
    std::vector<uint8_t> bytes = full;
    bytes[pos] ^= 0x5a;
    auto r = OpenBytes(bytes);
    ReadResult got = ReadAll(r.get());
    EXPECT_EQ(got.views.size(), 3u) << pos;
    EXPECT_EQ(got.reason, StopReason::kTornTail) << pos;
  }
}

TEST_F(WalsegReader, DamageWithDurableRecordsBehindIsCorruptionAtItsOffset) {
  std::vector<size_t> offsets;
  std::vector<uint8_t> bytes = Serialize(MakeRecords(1, 8), &offsets);
  bytes[offsets[3] + 45] ^= 1;  // inside record LSN 4's payload
  auto r = OpenBytes(bytes);
  ReadResult got = ReadAll(r.get());
  ASSERT_EQ(got.views.size(), 3u);
  EXPECT_EQ(got.reason, StopReason::kCorrupt);
  EXPECT_EQ(got.stop_offset, offsets[3]);
  EXPECT_NE(got.detail.find("LSN 5"), std::string::npos) << got.detail;
}

// W2 wants zero padding even under a checksum that covers it: a record whose padding was
// written non-zero and then checksummed is still damage (for the fast path of R6 as for the
// general one), here with durable records behind it.
TEST_F(WalsegReader, NonZeroPaddingUnderAMatchingChecksumIsDamage) {
  std::vector<Rec> recs = MakeRecords(1, 4);
  ASSERT_EQ(recs[1].payload.size(), 10u);  // LSN 2: 10 payload bytes, 6 of padding
  std::vector<size_t> offsets;
  std::vector<uint8_t> bytes = Serialize(recs, &offsets);
  for (size_t pad_byte = 0; pad_byte < 6; pad_byte++) {
    std::vector<uint8_t> bad = bytes;
    uint8_t* rec = bad.data() + offsets[1];
    rec[kHeaderBytes + 10 + pad_byte] = 0x80;
    uint64_t sum = Checksum64(rec + kChecksumBytes, RecordBytes(10) - kChecksumBytes,
                              kChecksumSeed);
    std::memcpy(rec, &sum, sizeof sum);
    auto r = OpenBytes(bad);
    ReadResult got = ReadAll(r.get());
    ASSERT_EQ(got.views.size(), 1u) << "padding byte " << pad_byte;
    EXPECT_EQ(got.reason, StopReason::kCorrupt);
    EXPECT_EQ(got.stop_offset, offsets[1]);
    EXPECT_NE(got.detail.find("non-zero padding"), std::string::npos) << got.detail;
  }
}

TEST_F(WalsegReader, DamageFollowedOnlyByUnsyncedRecordsIsATornTail) {
  // LSN 1-2 durable; 3-6 written in one group that never got synced: a crash may keep 5 and
  // 6 while tearing 3. Nothing behind the damage claims LSN 3 was durable.
  std::vector<Rec> recs = MakeRecords(1, 2);
  std::vector<Rec> group = MakeRecords(3, 4, /*synced_override=*/2);
  recs.insert(recs.end(), group.begin(), group.end());
  std::vector<size_t> offsets;
  std::vector<uint8_t> bytes = Serialize(recs, &offsets);
  bytes[offsets[2] + 20] ^= 0xff;
  auto r = OpenBytes(bytes);
  ReadResult got = ReadAll(r.get());
  EXPECT_EQ(got.views.size(), 2u);
  EXPECT_EQ(got.reason, StopReason::kTornTail);
  EXPECT_EQ(got.stop_offset, offsets[2]);
}

TEST_F(WalsegReader, DamagedFirstRecordOfAnUnnamedFileUsesTheFollowingRecordsClaim) {
  std::vector<size_t> offsets;
  std::vector<uint8_t> bytes = Serialize(MakeRecords(100, 3), &offsets);
  bytes[5] ^= 1;  // record LSN 100's checksum
  auto r = OpenBytes(bytes, ReaderOptions(), "segment-without-a-segment-name");
  ReadResult got = ReadAll(r.get());
  EXPECT_TRUE(got.views.empty());
  EXPECT_EQ(got.reason, StopReason::kCorrupt);  // LSN 101 says 100 was durable
  EXPECT_EQ(got.stop_offset, 0u);
}

TEST_F(WalsegReader, ValidRecordWithTheWrongLsnIsCorruption) {
  std::vector<Rec> recs = MakeRecords(1, 3);
  recs[2].lsn = 7;
  recs[2].synced = 6;
  std::vector<size_t> offsets;
  auto r = OpenBytes(Serialize(recs, &offsets));
  ReadResult got = ReadAll(r.get());
  EXPECT_EQ(got.views.size(), 2u);
  EXPECT_EQ(got.reason, StopReason::kCorrupt);
  EXPECT_EQ(got.stop_offset, offsets[2]);
}

TEST_F(WalsegReader, FirstRecordMustCarryTheLsnInTheSegmentName) {
  auto r = OpenBytes(Serialize(MakeRecords(5, 2)), ReaderOptions(), "0000000000000004.wal");
  ReadResult got = ReadAll(r.get());
  EXPECT_TRUE(got.views.empty());
  EXPECT_EQ(got.reason, StopReason::kCorrupt);
  ReaderOptions o;
  o.expected_first_lsn = 5;  // an explicit expectation overrides the name
  auto r2 = OpenBytes(Serialize(MakeRecords(5, 2)), o, "0000000000000004.wal");
  EXPECT_EQ(ReadAll(r2.get()).views.size(), 2u);
}

TEST_F(WalsegReader, UnknownOptionalTypesAreSkipped) {
  std::vector<Rec> recs = MakeRecords(1, 6);
  for (size_t i = 0; i < recs.size(); i++) recs[i].type = (i % 2 == 0) ? 1 : 42;
  ReaderOptions o;
  o.all_types_known = false;
  o.known_types = {1};
  auto r = OpenBytes(Serialize(recs), o);
  ReadResult got = ReadAll(r.get());
  ASSERT_OK(got.error);
  ASSERT_EQ(got.views.size(), 3u);
  EXPECT_EQ(got.views[0].lsn, 1u);
  EXPECT_EQ(got.views[1].lsn, 3u);
  EXPECT_EQ(got.views[2].lsn, 5u);
  EXPECT_EQ(got.reason, StopReason::kCleanEnd);
  EXPECT_EQ(r->records_skipped(), 3u);
}

TEST_F(WalsegReader, UnknownRequiredTypeIsAStickyVersionError) {
  std::vector<Rec> recs = MakeRecords(1, 4);
  for (Rec& rec : recs) rec.type = 1;
  recs[2].type = kTypeRequiredBit | 9;
  ReaderOptions o;
  o.all_types_known = false;
  o.known_types = {1};
  auto r = OpenBytes(Serialize(recs), o);
  ReadResult got = ReadAll(r.get());
  EXPECT_EQ(got.views.size(), 2u);
  EXPECT_EQ(got.error.code(), Code::kVersion);
  EXPECT_NE(got.error.message().find("required type 9"), std::string::npos);
  RecordView v;
  bool found = true;
  EXPECT_EQ(r->Next(&v, &found).code(), Code::kVersion);  // sticky
  EXPECT_FALSE(found);
  // A reader that knows type 9 reads through.
  o.known_types = {1, 9};
  auto r2 = OpenBytes(Serialize(recs), o);
  EXPECT_EQ(ReadAll(r2.get()).views.size(), 4u);
}

TEST_F(WalsegReader, PayloadAboveTheReaderLimitIsTooLarge) {
  std::vector<Rec> recs = MakeRecords(1, 3);
  recs[1].payload.assign(5000, 7);
  ReaderOptions o;
  o.max_payload_bytes = 4096;
  auto r = OpenBytes(Serialize(recs), o);
  ReadResult got = ReadAll(r.get());
  EXPECT_EQ(got.views.size(), 1u);
  EXPECT_EQ(got.error.code(), Code::kTooLarge);
}

TEST_F(WalsegReader, RejectsAZeroPayloadLimit) {
  ReaderOptions o;
  o.max_payload_bytes = 0;
  WriteWholeFile(dir_.File("x"), {});
  std::unique_ptr<SegmentReader> r;
  EXPECT_EQ(SegmentReader::Open(io::DefaultEnv(), dir_.File("x"), o, &r).code(), Code::kInvalid);
}

TEST_F(WalsegReader, MissingFileIsNotFound) {
  std::unique_ptr<SegmentReader> r;
  EXPECT_EQ(SegmentReader::Open(io::DefaultEnv(), dir_.File("nope"), ReaderOptions(), &r).code(),
            Code::kNotFound);
}

TEST_F(WalsegReader, HostileRepeatedHeadersCannotMakeTheScanQuadratic) {
  // 4 MiB of headers, each claiming a payload that runs to the end of the file.
  std::vector<uint8_t> bytes(4 << 20, 0);
  for (size_t at = 0; at + kHeaderBytes <= bytes.size(); at += 8) {
    RecordHeader h = MakeHeader(1, 2, 1, static_cast<uint32_t>(bytes.size() - at - kHeaderBytes));
    h.checksum = 12345;
    std::memcpy(bytes.data() + at, &h, 24);  // checksum, magic, version, type, lsn
  }
  auto start = std::chrono::steady_clock::now();
  auto r = OpenBytes(bytes);
  ReadResult got = ReadAll(r.get());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(got.views.empty());
  EXPECT_NE(got.reason, StopReason::kCleanEnd);
  EXPECT_LT(seconds, 10.0);  // unbounded, this scan would hash ~8 TB
}

}  // namespace
}  // namespace walseg
}  // namespace pager
