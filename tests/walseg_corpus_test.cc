// The fuzz seed corpus fuzz/corpus/walseg/ is generated here, so it stays in step with the
// format: the test fails if a committed seed differs from what the generator makes now.
// Regenerate with:  WALSEG_WRITE_CORPUS=1 build/rel/tests/pager_tests --gtest_filter=WalsegCorpus*
// (run from the repository root).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "impl/walseg/format.h"
#include "tests/support/test_util.h"

namespace pager {
namespace walseg {
namespace {

using Bytes = std::vector<uint8_t>;

void Add(Bytes* seg, uint16_t type, uint64_t lsn, uint64_t synced, size_t len, uint8_t fill) {
  Bytes payload(len);
  for (size_t i = 0; i < len; i++) payload[i] = static_cast<uint8_t>(fill + i);
  size_t at = seg->size();
  seg->resize(at + RecordBytes(len));
  EncodeRecord(type, lsn, synced, payload.data(), static_cast<uint32_t>(len), seg->data() + at);
}

Bytes Records(size_t n, bool grouped, uint16_t type = 1) {
  Bytes seg;
  for (size_t i = 0; i < n; i++) {
    uint64_t lsn = i + 1;
    Add(&seg, type, lsn, grouped ? 0 : lsn - 1, (i * 13) % 70, static_cast<uint8_t>(i));
  }
  return seg;
}

std::map<std::string, Bytes> MakeCorpus() {
  std::map<std::string, Bytes> c;
  c["empty"] = {};
  c["zeros_7"] = Bytes(7, 0);
  c["zeros_4096"] = Bytes(4096, 0);
  c["one_record"] = Records(1, false);
  c["five_records"] = Records(5, false);
  c["twenty_records"] = Records(20, false);
  c["twenty_grouped"] = Records(20, true);
  Bytes with_tail = Records(6, false);
  with_tail.resize(with_tail.size() + 512, 0);
  c["zero_tail"] = with_tail;
  Bytes full = Records(8, false);
  for (size_t cut : {1, 8, 39, 40, 41, 100, 200}) {
    Bytes t(full.begin(), full.begin() + std::min(cut, full.size()));
    c["cut_" + std::to_string(cut)] = t;
  }
  c["cut_last_byte"] = Bytes(full.begin(), full.end() - 1);
  for (size_t pos : {0, 8, 12, 14, 16, 24, 32, 36, 44, 150}) {
    Bytes f = full;
    f[pos] ^= 0x41;
    c["flip_" + std::to_string(pos)] = f;
  }
  Bytes grouped = Records(8, true);
  grouped[100] ^= 1;
  c["grouped_torn_middle"] = grouped;
  Bytes req;
  Add(&req, 1, 1, 0, 5, 1);
  Add(&req, 3, 2, 1, 9, 2);
  Add(&req, kTypeRequiredBit | 4, 3, 2, 3, 3);
  Add(&req, 2, 4, 3, 0, 4);
  c["types_mixed"] = req;
  Bytes big;
  Add(&big, 1, 1, 0, 300, 9);
  Add(&big, 2, 2, 1, 1, 9);
  c["payload_300"] = big;
  Bytes wrong;
  Add(&wrong, 1, 1, 0, 4, 1);
  Add(&wrong, 1, 3, 2, 4, 1);
  c["lsn_skip"] = wrong;
  Bytes first_wrong;
  Add(&first_wrong, 1, 7, 6, 4, 1);
  c["first_lsn_7"] = first_wrong;
  Bytes huge_len = Records(2, false);
  uint32_t len = 0xFFFFFFF0u;
  std::memcpy(huge_len.data() + offsetof(RecordHeader, payload_len), &len, 4);
  c["huge_len"] = huge_len;
  Bytes garbage_tail = Records(3, false);
  for (int i = 0; i < 64; i++) garbage_tail.push_back(static_cast<uint8_t>(i * 37 + 1));
  c["garbage_tail"] = garbage_tail;
  Bytes behind = Records(6, false);
  std::memset(behind.data() + 48, 0, 40);  // wipe record 2's header: records 3-6 vouch for it
  c["wiped_header_mid"] = behind;
  return c;
}

const char* kCorpusDir = "fuzz/corpus/walseg";

TEST(WalsegCorpus, CommittedSeedsMatchTheGenerator) {
  std::map<std::string, Bytes> corpus = MakeCorpus();
  bool write = std::getenv("WALSEG_WRITE_CORPUS") != nullptr;
  for (const auto& entry : corpus) {
    std::string path = std::string(kCorpusDir) + "/" + entry.first;
    if (write) {
      testing::WriteWholeFile(path, entry.second);
      continue;
    }
    Bytes committed;
    try {
      committed = testing::ReadWholeFile(path);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "missing seed " << path << " (run from the repository root)";
      continue;
    }
    EXPECT_EQ(committed, entry.second) << path << " is stale: regenerate the corpus";
  }
  EXPECT_GE(corpus.size(), 30u);
}

}  // namespace
}  // namespace walseg
}  // namespace pager
