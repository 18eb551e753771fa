// Reading and re-checksumming snapshot files in tests: hostile field values behind valid
// checksums (tests/snapshot_resealed_test.cc, tests/snapshot_blob_damage_test.cc,
// tests/snapshot_check_paths_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "impl/snapshot/format.h"
#include "tests/support/test_util.h"

namespace pager {
namespace snapshot {
namespace testing {

inline Header HeaderOf(const std::vector<uint8_t>& b) {
  Header h;
  std::memcpy(&h, b.data(), sizeof h);
  return h;
}

inline Trailer TrailerOf(const std::vector<uint8_t>& b) {
  Trailer t;
  std::memcpy(&t, b.data() + b.size() - sizeof t, sizeof t);
  return t;
}

inline bool Inside(const std::vector<uint8_t>& b, uint64_t offset, uint64_t len) {
  return offset <= b.size() && len <= b.size() - offset;
}

// Recomputes every checksum the reader checks over structure (not the blobs' own), wherever
// the (possibly hostile) offsets still point inside the file.
inline void Reseal(std::vector<uint8_t>* b) {
  Header h = HeaderOf(*b);
  if (Inside(*b, sizeof(Header), h.parent_path_bytes)) {
    Hasher hh(kSeedHeader);
    hh.Update(b->data(), offsetof(Header, header_checksum));
    hh.Update(b->data() + sizeof(Header), h.parent_path_bytes);
    h.header_checksum = hh.Digest();
    std::memcpy(b->data(), &h, sizeof h);
  }
  Trailer t = TrailerOf(*b);
  uint64_t table_bytes = h.page_count * sizeof(PageEntry);
  if (h.page_count < (uint64_t{1} << 40) && Inside(*b, t.page_table_offset, table_bytes)) {
    t.page_table_checksum =
        Checksum64(b->data() + t.page_table_offset, table_bytes, kSeedTable);
  }
  if (Inside(*b, t.seq_table_offset, t.seq_table_bytes)) {
    t.seq_table_checksum =
        Checksum64(b->data() + t.seq_table_offset, t.seq_table_bytes, kSeedSeqs);
  }
  t.header_checksum = h.header_checksum;
  t.trailer_checksum = Checksum64(&t, offsetof(Trailer, trailer_checksum), kSeedTrailer);
  std::memcpy(b->data() + b->size() - sizeof t, &t, sizeof t);
}

// A fixture with a MemEnv holding the directory /snap, where the tests read a snapshot's
// bytes, change them and write them back.
class SnapshotFileTest : public ::testing::Test {
 protected:
  SnapshotFileTest() { EXPECT_OK(env_.CreateDir("/snap", 0755)); }

  std::vector<uint8_t> Bytes(const std::string& path) {
    std::vector<uint8_t> b;
    EXPECT_OK(env_.GetFileBytes(path, &b));
    return b;
  }
  // Writes b as the whole of path (created if missing).
  void Put(const std::string& path, const std::vector<uint8_t>& b) {
    std::unique_ptr<io::File> f;
    io::OpenOptions oo;
    oo.write = oo.create = true;
    ASSERT_OK(env_.Open(path, oo, &f));
    ASSERT_OK(env_.SetFileBytes(path, b));
  }

  io::MemEnv env_;
};

}  // namespace testing
}  // namespace snapshot
}  // namespace pager
