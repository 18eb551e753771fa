// J1's batch buffer: the journal copies a batch's images before Append returns and keeps its
// buffer untouched until the batch's write finished (io E8). FaultEnv defers a started write
// to FinishWrites and writes from the pointer it was given, as an asynchronous write would, so
// a journal that wrote from the caller's buffers, or reused its own too early, replays the
// wrong bytes here.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "impl/file/journal.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace file {
namespace {

constexpr uint64_t kFileId = 0x5eedf00d12345678ull;
constexpr uint32_t kPageSizeLog2 = 10;
constexpr uint32_t kPageSize = 1024;

using Bytes = std::vector<uint8_t>;

Bytes Pattern(uint8_t seed) {
  Bytes b(kPageSize);
  for (size_t i = 0; i < b.size(); i++) b[i] = static_cast<uint8_t>(seed * 31 + i);
  return b;
}

std::unique_ptr<Journal> OpenJournal(io::Env* env, bool truncate) {
  std::unique_ptr<Journal> j;
  Status st = Journal::Open(env, "/f", true, truncate, kFileId, kPageSizeLog2, &j);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return j;
}

// Every (page, image) the chain replays, in order.
std::vector<std::pair<uint64_t, Bytes>> Replayed(io::Env* env, uint64_t main_bytes,
                                                 JournalScan* scan) {
  std::vector<std::pair<uint64_t, Bytes>> out;
  auto j = OpenJournal(env, false);
  if (j == nullptr) return out;
  Status st = j->Replay(
      main_bytes,
      [&](uint64_t page, const uint8_t* image) {
        out.emplace_back(page, Bytes(image, image + kPageSize));
        return Status::Ok();
      },
      scan);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(FileJournalBuffer, ImagesChangedRightAfterAppendReturnsDoNotReachTheBatch) {
  io::FaultEnv env;
  auto j = OpenJournal(&env, true);
  ASSERT_NE(j, nullptr);
  Bytes a = Pattern(1), b = Pattern(2);
  const Bytes a0 = a, b0 = b;
  const uint8_t* images[2] = {a.data(), b.data()};
  uint64_t pages[2] = {3, 5};
  ASSERT_OK(j->Append(pages, images, 2, 8 * kPageSize));
  std::memset(a.data(), 0xee, a.size());  // the caller reuses its buffers at once
  std::memset(b.data(), 0xdd, b.size());
  EXPECT_EQ(std::memcmp(j->AppendedImage(0), a0.data(), kPageSize), 0);
  EXPECT_EQ(std::memcmp(j->AppendedImage(1), b0.data(), kPageSize), 0);
  ASSERT_OK(j->Sync());
  j.reset();
  JournalScan scan;
  auto got = Replayed(&env, 8 * kPageSize, &scan);
  EXPECT_EQ(scan.batches, 1u) << scan.stop_reason;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(uint64_t{3}, a0));
  EXPECT_EQ(got[1], std::make_pair(uint64_t{5}, b0));
}

TEST(FileJournalBuffer, ASecondBatchWaitsForTheFirstsWriteBeforeReusingTheBuffer) {
  io::FaultEnv env;
  auto j = OpenJournal(&env, true);
  ASSERT_NE(j, nullptr);
  Bytes a = Pattern(7), b = Pattern(8);
  const uint8_t* first[1] = {a.data()};
  const uint8_t* second[1] = {b.data()};
  uint64_t p1 = 2, p2 = 6;
  ASSERT_OK(j->Append(&p1, first, 1, 8 * kPageSize));
  ASSERT_OK(j->Append(&p2, second, 1, 8 * kPageSize));  // same buffer, next batch
  ASSERT_OK(j->Sync());
  j.reset();
  JournalScan scan;
  auto got = Replayed(&env, 8 * kPageSize, &scan);
  EXPECT_EQ(scan.batches, 2u) << scan.stop_reason;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(p1, a));
  EXPECT_EQ(got[1], std::make_pair(p2, b));
}

TEST(FileJournalBuffer, AHugeBatchsBufferIsFreedOnceItsWriteFinishedAndASmallOnesIsKept) {
  io::MemEnv env;
  auto j = OpenJournal(&env, true);
  ASSERT_NE(j, nullptr);
  const uint32_t huge = static_cast<uint32_t>(kKeptBatchBytes / kPageSize) + 16;
  Bytes image = Pattern(3);
  std::vector<const uint8_t*> images(huge, image.data());
  std::vector<uint64_t> pages(huge);
  for (uint32_t i = 0; i < huge; i++) pages[i] = i + 1;
  const uint64_t main_bytes = uint64_t{huge + 1} * kPageSize;
  ASSERT_OK(j->Append(pages.data(), images.data(), huge, main_bytes));
  EXPECT_GT(j->buffer_bytes(), kKeptBatchBytes);
  ASSERT_OK(j->Sync());
  EXPECT_EQ(j->buffer_bytes(), 0u) << "a huge transaction's buffer outlived its batch";
  ASSERT_OK(j->Append(pages.data(), images.data(), 4, main_bytes));
  ASSERT_OK(j->Sync());
  EXPECT_GE(j->buffer_bytes(), JournalBatchBytes(4, kPageSize)) << "kept for the next batch";
}

// J1 with a batch of several writes: two chunks of images and the header block, each of which
// a power loss may apply, drop or tear on its own. Every crash image replays the synced batch
// before it and then either the whole new batch or none of it -- never some of its pages.
TEST(FileJournalBuffer, ABatchWrittenInSeveralWritesReplaysWholeOrNotAtAll) {
  io::FaultEnv env;
  auto j = OpenJournal(&env, true);
  ASSERT_NE(j, nullptr);
  ASSERT_OK(env.SyncDir("/"));  // the journal's entry, as PageFile::Create makes durable
  Bytes first_image = Pattern(9);
  const uint8_t* first[1] = {first_image.data()};
  uint64_t first_page = 1;
  const uint32_t count = static_cast<uint32_t>(kWriteChunkBytes / kPageSize) + 7;
  const uint64_t main_bytes = uint64_t{count + 2} * kPageSize;
  ASSERT_OK(j->Append(&first_page, first, 1, main_bytes));
  ASSERT_OK(j->Sync());
  std::vector<Bytes> images(count);
  std::vector<const uint8_t*> ptrs(count);
  std::vector<uint64_t> pages(count);
  for (uint32_t i = 0; i < count; i++) {
    images[i] = Pattern(static_cast<uint8_t>(i));
    std::memcpy(images[i].data(), &i, sizeof i);  // every image distinct
    ptrs[i] = images[i].data();
    pages[i] = i + 2;
  }
  ASSERT_OK(j->Append(pages.data(), ptrs.data(), count, main_bytes));
  env.CrashAtSync(env.SyncCount() + 1);
  const uint64_t ops_before = env.OpCount();
  EXPECT_FALSE(j->Sync().ok());
  ASSERT_TRUE(env.crashed());
  EXPECT_GE(env.OpCount() - ops_before, 3u) << "the batch was not written in several writes";
  int whole = 0, none = 0;
  for (uint64_t seed = 0; seed < 300; seed++) {
    auto image = io::FaultEnv::FromImage(env.CrashImage(seed));
    JournalScan scan;
    auto got = Replayed(image.get(), main_bytes, &scan);
    ASSERT_GE(got.size(), 1u) << "seed " << seed << ": the synced batch was lost";
    EXPECT_EQ(got[0], std::make_pair(first_page, first_image));
    if (got.size() == 1) {
      none++;
      continue;
    }
    ASSERT_EQ(got.size(), count + 1u) << "seed " << seed << ": part of a batch replayed";
    for (uint32_t i = 0; i < count; i++) {
      ASSERT_EQ(got[i + 1], std::make_pair(pages[i], images[i])) << "seed " << seed;
    }
    whole++;
  }
  EXPECT_GT(whole, 0) << "no crash image kept every write of the batch";
  EXPECT_GT(none, 0);
}

// J1: a batch of at most one chunk of images is one write (nothing to overlap); a batch of
// two chunks is three (each chunk, then the header block).
TEST(FileJournalBuffer, ABatchOfOneChunkIsOneWriteAndOfTwoChunksThree) {
  io::FaultEnv env;
  auto j = OpenJournal(&env, true);
  ASSERT_NE(j, nullptr);
  const uint32_t chunk = static_cast<uint32_t>(kWriteChunkBytes / kPageSize);
  auto ops_of_batch = [&](uint32_t count) {
    Bytes image = Pattern(4);
    std::vector<const uint8_t*> images(count, image.data());
    std::vector<uint64_t> pages(count);
    for (uint32_t i = 0; i < count; i++) pages[i] = i + 1;
    EXPECT_OK(j->Append(pages.data(), images.data(), count, uint64_t{count + 1} * kPageSize));
    const uint64_t before = env.OpCount();
    EXPECT_OK(j->Sync());  // FaultEnv performs the started writes here (E8)
    return env.OpCount() - before;
  };
  const uint64_t one = ops_of_batch(chunk);
  const uint64_t two = ops_of_batch(chunk + 1);
  EXPECT_EQ(two, one + 2);
}

}  // namespace
}  // namespace file
}  // namespace pager
