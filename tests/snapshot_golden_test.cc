// The worked example of doc/format/kv-snapshot.md, pinned byte for byte, and the format's
// versioning rules.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "impl/snapshot/format.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

// One 16-byte page (K = 00..07, V = 10..17) in slot 3, one sequence "a" using it with fill 2,
// captured at MemEnv's first clock tick with snapshot id 0x1122334455667788.
std::vector<uint8_t> GoldenSnapshot(io::MemEnv* env) {
  auto e = NewEngine(SmallMeta(2, 1, 1, 4, PAGER_DTYPE_FP8_E4M3), 4);
  uint32_t slots[4];
  for (uint32_t& s : slots) s = e->AllocPage().value();
  for (int i = 0; i < 3; i++) EXPECT_OK(e->FreePage(slots[i]));
  uint8_t k[8], v[8];
  for (int i = 0; i < 8; i++) {
    k[i] = static_cast<uint8_t>(i);
    v[i] = static_cast<uint8_t>(0x10 + i);
  }
  EXPECT_OK(e->WritePage(3, k, 8, v, 8));
  EXPECT_OK(e->SetSeq("a", &slots[3], 1, 2));
  Options o;
  o.fixed_snapshot_id = 0x1122334455667788ull;
  EXPECT_OK(Capture(env, e->Ops(), "/tmp/golden.kvs", o));
  std::vector<uint8_t> bytes;
  EXPECT_OK(env->GetFileBytes("/tmp/golden.kvs", &bytes));
  return bytes;
}

std::string Hex(const std::vector<uint8_t>& b) {
  std::string out;
  char buf[32];
  for (size_t i = 0; i < b.size(); i++) {
    if (i % 16 == 0) {
      snprintf(buf, sizeof buf, "%04zx:", i);
      out += buf;
    }
    snprintf(buf, sizeof buf, " %02x", b[i]);
    out += buf;
    if (i % 16 == 15 || i + 1 == b.size()) out += "\n";
  }
  return out;
}

// The hex block of the format doc (between "```hex" and "```").
std::string DocHex() {
  std::ifstream in("doc/format/kv-snapshot.md");
  std::string line, out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "```hex") {
      inside = true;
    } else if (inside && line == "```") {
      break;
    } else if (inside) {
      out += line + "\n";
    }
  }
  return out;
}

TEST(SnapshotFormat, WorkedExampleMatchesTheFormatDocByteForByte) {
  io::MemEnv env;
  std::vector<uint8_t> bytes = GoldenSnapshot(&env);
  ASSERT_EQ(bytes.size(), 128u + 16 + 48 + 32 + 64);
  std::string doc = DocHex();
  ASSERT_FALSE(doc.empty()) << "no ```hex block in doc/format/kv-snapshot.md (run from the "
                               "repository root)";
  EXPECT_EQ(Hex(bytes), doc) << "update the doc's example if the format changed on purpose";
  // And it restores.
  auto dst = NewEngine(SmallMeta(2, 1, 1, 4, PAGER_DTYPE_FP8_E4M3), 4);
  ASSERT_OK(Restore(&env, dst->Ops(), "/tmp/golden.kvs", Options()));
  std::vector<uint32_t> pages;
  uint32_t fill;
  ASSERT_OK(dst->GetSeq("a", &pages, &fill));
  EXPECT_EQ(pages, std::vector<uint32_t>{0});
  EXPECT_EQ(fill, 2u);
}

// Rewrites a header field and fixes both checksums so only the field's meaning is tested.
std::vector<uint8_t> WithHeaderField(std::vector<uint8_t> b, size_t offset, uint32_t value) {
  std::memcpy(b.data() + offset, &value, 4);
  Header h;
  std::memcpy(&h, b.data(), sizeof h);
  uint64_t sum = Checksum64(b.data(), offsetof(Header, header_checksum), kSeedHeader);
  std::memcpy(b.data() + offsetof(Header, header_checksum), &sum, 8);
  size_t t = b.size() - sizeof(Trailer);
  std::memcpy(b.data() + t + offsetof(Trailer, header_checksum), &sum, 8);
  uint64_t tsum = Checksum64(b.data() + t, offsetof(Trailer, trailer_checksum), kSeedTrailer);
  std::memcpy(b.data() + t + offsetof(Trailer, trailer_checksum), &tsum, 8);
  return b;
}

TEST(SnapshotFormat, ANewerVersionOrUnknownFlagIsAVersionError) {
  io::MemEnv env;
  std::vector<uint8_t> good = GoldenSnapshot(&env);
  struct Case {
    size_t offset;
    uint32_t value;
    Code expect;
  } cases[] = {{offsetof(Header, format_version), 2, Code::kVersion},
               {offsetof(Header, flags), 1u << 7, Code::kVersion},
               {offsetof(Header, dtype), 99, Code::kCorrupt},
               {offsetof(Header, reserved), 1, Code::kCorrupt}};
  for (const Case& c : cases) {
    ASSERT_OK(env.SetFileBytes("/tmp/golden.kvs", WithHeaderField(good, c.offset, c.value)));
    auto dst = NewEngine(SmallMeta(2, 1, 1, 4, PAGER_DTYPE_FP8_E4M3), 4);
    Tracer t(dst->Ops());
    Status st = Restore(&env, t.Ops(), "/tmp/golden.kvs", Options());
    EXPECT_EQ(st.code(), c.expect) << "offset " << c.offset << ": " << st.ToString();
    EXPECT_TRUE(t.calls.empty());
  }
  // The helper itself is sound: rewriting a field with its own value keeps the file valid.
  ASSERT_OK(env.SetFileBytes("/tmp/golden.kvs",
                             WithHeaderField(good, offsetof(Header, format_version), 1)));
  EXPECT_OK(Verify(&env, "/tmp/golden.kvs", Options()));
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
