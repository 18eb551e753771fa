// The WAL segment byte format: the golden example of doc/format/wal-segment.md, and the
// record checker's rules (W1-W5) one by one.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "impl/io/checksum.h"
#include "impl/walseg/format.h"

namespace pager {
namespace walseg {
namespace {

// Pinned from doc/format/wal-segment.md ("Worked example"). If this changes, the format
// changed: bump kFormatVersion and update the doc.
const uint8_t kGolden[] = {
    0x40, 0x36, 0x3d, 0x8c, 0x83, 0x74, 0x15, 0x0e, 0x57, 0x53, 0x45, 0x47, 0x01, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00, 0x00, 0x00,
    0xc3, 0x7a, 0x1f, 0x25, 0x55, 0xd1, 0x00, 0xf8, 0x57, 0x53, 0x45, 0x47, 0x01, 0x00, 0x02, 0x80,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

std::vector<uint8_t> Encode(uint16_t type, uint64_t lsn, uint64_t synced, const std::string& p) {
  std::vector<uint8_t> out(RecordBytes(p.size()));
  EncodeRecord(type, lsn, synced, p.data(), static_cast<uint32_t>(p.size()), out.data());
  return out;
}

TEST(WalsegFormat, GoldenExampleMatchesTheDoc) {
  std::vector<uint8_t> seg = Encode(1, 1, 0, "hello");
  std::vector<uint8_t> second = Encode(0x8002, 2, 1, "");
  seg.insert(seg.end(), second.begin(), second.end());
  ASSERT_EQ(seg.size(), sizeof kGolden);
  EXPECT_EQ(0, std::memcmp(seg.data(), kGolden, sizeof kGolden));
}

TEST(WalsegFormat, GoldenExampleChecksumIsXxh3OfTheRestOfTheRecord) {
  uint64_t stored;
  std::memcpy(&stored, kGolden, 8);
  EXPECT_EQ(stored, Checksum64(kGolden + 8, 48 - 8, kChecksumSeed));
}

TEST(WalsegFormat, GoldenExampleParsesBack) {
  RecordAt rec;
  ASSERT_EQ(CheckRecordAt(kGolden, sizeof kGolden, 0, &rec, nullptr), Check::kValid);
  EXPECT_EQ(rec.header.lsn, 1u);
  EXPECT_EQ(rec.header.type, 1u);
  EXPECT_EQ(rec.record_bytes, 48u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(rec.payload), 5), "hello");
  EXPECT_EQ(rec.payload, kGolden + 40);  // a view into the bytes, not a copy
  ASSERT_EQ(CheckRecordAt(kGolden, sizeof kGolden, 48, &rec, nullptr), Check::kValid);
  EXPECT_EQ(rec.header.type, 0x8002u);
  EXPECT_EQ(rec.header.synced_lsn, 1u);
  EXPECT_EQ(CheckRecordAt(kGolden, sizeof kGolden, 88, &rec, nullptr), Check::kZeroTail);
}

TEST(WalsegFormat, RecordSizesArePaddedToEight) {
  EXPECT_EQ(RecordBytes(0), 40u);
  EXPECT_EQ(RecordBytes(1), 48u);
  EXPECT_EQ(RecordBytes(8), 48u);
  EXPECT_EQ(RecordBytes(9), 56u);
  EXPECT_EQ(RecordBytes(0xFFFFFFFFull), 40u + 0xFFFFFFFFull + 1);  // no u64 overflow
}

TEST(WalsegFormat, EveryFlippedBitIsDetected) {
  std::vector<uint8_t> rec = Encode(7, 5, 4, "payload bytes!");
  for (size_t bit = 0; bit < rec.size() * 8; bit++) {
    std::vector<uint8_t> bad = rec;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    RecordAt out;
    std::string why;
    EXPECT_EQ(CheckRecordAt(bad.data(), bad.size(), 0, &out, &why), Check::kDamaged) << bit;
  }
}

TEST(WalsegFormat, ZeroTailIsTheEnd) {
  std::vector<uint8_t> bytes = Encode(1, 1, 0, "abc");
  size_t end = bytes.size();
  bytes.resize(end + 4096, 0);
  RecordAt rec;
  EXPECT_EQ(CheckRecordAt(bytes.data(), bytes.size(), end, &rec, nullptr), Check::kZeroTail);
  bytes.back() = 1;  // one non-zero byte far behind: not a clean end
  EXPECT_EQ(CheckRecordAt(bytes.data(), bytes.size(), end, &rec, nullptr), Check::kDamaged);
}

TEST(WalsegFormat, PartialHeaderIsDamagedUnlessZero) {
  std::vector<uint8_t> rec = Encode(1, 1, 0, "abc");
  RecordAt out;
  for (size_t len = 1; len < kHeaderBytes; len++) {
    EXPECT_EQ(CheckRecordAt(rec.data(), len, 0, &out, nullptr), Check::kDamaged) << len;
  }
  std::vector<uint8_t> zeros(17, 0);
  EXPECT_EQ(CheckRecordAt(zeros.data(), zeros.size(), 0, &out, nullptr), Check::kZeroTail);
}

TEST(WalsegFormat, HugePayloadLengthIsBoundedByTheFileNotTrusted) {
  std::vector<uint8_t> rec = Encode(1, 1, 0, "abc");
  uint32_t huge = 0xFFFFFFFFu;
  std::memcpy(rec.data() + offsetof(RecordHeader, payload_len), &huge, 4);
  RecordAt out;
  std::string why;
  EXPECT_EQ(CheckRecordAt(rec.data(), rec.size(), 0, &out, &why), Check::kDamaged);
  EXPECT_NE(why.find("runs past the end"), std::string::npos) << why;
}

TEST(WalsegFormat, FieldRulesAreEnforcedEvenWithAValidChecksum) {
  struct Case {
    const char* name;
    void (*mutate)(RecordHeader*);
  } cases[] = {
      {"version", [](RecordHeader* h) { h->version = 2; }},
      {"reserved", [](RecordHeader* h) { h->reserved = 1; }},
      {"type 0", [](RecordHeader* h) { h->type = 0; }},
      {"required type 0", [](RecordHeader* h) { h->type = kTypeRequiredBit; }},
      {"synced_lsn >= lsn", [](RecordHeader* h) { h->synced_lsn = h->lsn; }},
  };
  for (const Case& c : cases) {
    RecordHeader h = MakeHeader(3, 10, 9, 4);
    c.mutate(&h);
    h.checksum = ComputeChecksum(h, "abcd", 4);
    std::vector<uint8_t> bytes(RecordBytes(4), 0);
    std::memcpy(bytes.data(), &h, kHeaderBytes);
    std::memcpy(bytes.data() + kHeaderBytes, "abcd", 4);
    RecordAt out;
    EXPECT_EQ(CheckRecordAt(bytes.data(), bytes.size(), 0, &out, nullptr), Check::kDamaged)
        << c.name;
  }
}

TEST(WalsegFormat, StreamingAndContiguousChecksumsAgree) {
  std::string payload(1000, 'x');
  std::vector<uint8_t> rec = Encode(9, 77, 70, payload);
  RecordHeader h;
  std::memcpy(&h, rec.data(), kHeaderBytes);
  EXPECT_EQ(h.checksum, ComputeChecksum(h, payload.data(), payload.size()));
}

TEST(WalsegFormat, SegmentNamesRoundTrip) {
  EXPECT_EQ(SegmentName(1), "0000000000000001.wal");
  EXPECT_EQ(SegmentName(0xabcdef0123456789ull), "abcdef0123456789.wal");
  uint64_t lsn = 0;
  EXPECT_TRUE(ParseSegmentName("00000000000000ff.wal", &lsn));
  EXPECT_EQ(lsn, 255u);
  EXPECT_FALSE(ParseSegmentName("0000000000000000.wal", &lsn));  // LSN 0 does not exist
  EXPECT_FALSE(ParseSegmentName("00000000000000FF.wal", &lsn));  // uppercase is not ours
  EXPECT_FALSE(ParseSegmentName("00000000000000ff.wa", &lsn));
  EXPECT_FALSE(ParseSegmentName("LOCK", &lsn));
  EXPECT_FALSE(ParseSegmentName("000000000000000g.wal", &lsn));
  EXPECT_EQ(BaseName("/a/b/c.wal"), "c.wal");
  EXPECT_EQ(BaseName("c.wal"), "c.wal");
}

}  // namespace
}  // namespace walseg
}  // namespace pager
