// Partial backfill (W25 in impl/wal/wal_pager.h): a PASSIVE checkpoint copies the frames no
// reader still needs -- up to the smallest read mark of the current generation -- records how
// far it got, and the next checkpoint continues from there. The WAL restarts only when the
// backfill reached its end and no reader uses its frames.
#include <cstring>
#include <vector>

#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

class WalBackfill : public WalTempDb {
 protected:

  // A database of `pages` pages, every one in the main file (checkpointed, the WAL empty):
  // the partial steps copy only pages below the main file's page count (W25).
  std::unique_ptr<WalPager> Populated(uint32_t pages) {
    auto p = MustCreate(env, path);
    for (uint32_t i = 1; i <= pages; i++) Stage(p.get(), i, Page(100 + i));
    MustCommit(p.get());
    MustCheckpoint(p.get());
    EXPECT_EQ(p->stats().wal_frames, 0u);
    return p;
  }
  // The main file's bytes of a page (what a reader without a frame of it would read).
  std::vector<uint8_t> MainBytes(uint32_t page) {
    std::unique_ptr<io::File> f;
    EXPECT_OK(env->Open(path, io::OpenOptions{}, &f));
    std::vector<uint8_t> buf(4096, 0);
    size_t got = 0;
    EXPECT_OK(f->ReadAt(uint64_t{page} * 4096, buf.data(), buf.size(), &got));
    return buf;
  }
};

TEST_F(WalBackfill, PassiveCopiesUpToTheReadersMarkAndTheReaderStillReadsItsSnapshot) {
  auto p = Populated(3);
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 2, Page(2));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_OK(p->BeginRead(&s));
  Stage(p.get(), 1, Page(11));
  Stage(p.get(), 3, Page(13));
  MustCommit(p.get());
  const uint64_t frames = p->stats().wal_frames;
  EXPECT_EQ(MustCheckpoint(p.get()), 2u) << "pages 1 and 2 of the first commit, below the mark";
  EXPECT_EQ(p->stats().frames_left, frames - s.mark);
  EXPECT_EQ(p->stats().wal_frames, frames) << "the reader uses frames: no restart";
  EXPECT_EQ(MainBytes(1), Page(1)) << "the frame below the mark, not the latest";
  EXPECT_EQ(MainBytes(3), Page(103)) << "page 3's frame is past the mark";
  EXPECT_EQ(SnapRead(p.get(), s, 1), Page(1));
  EXPECT_EQ(SnapRead(p.get(), s, 2), Page(2));
  EXPECT_EQ(SnapRead(p.get(), s, 3), Page(103));
  EXPECT_EQ(Read(p.get(), 1), Page(11));
  EXPECT_EQ(Read(p.get(), 3), Page(13));
  EXPECT_EQ(MustCheckpoint(p.get()), 0u) << "nothing new below the mark";
  EXPECT_EQ(p->stats().frames_left, frames - s.mark);
  p->EndRead(&s);
  EXPECT_OK(p->CheckInvariants());
}

TEST_F(WalBackfill, NextCheckpointContinuesFromTheBackfillMark) {
  auto p = Populated(5);
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_OK(p->BeginRead(&s));
  Stage(p.get(), 5, Page(5));
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), 4u);
  p->EndRead(&s);
  const uint64_t before = p->stats().pages_checkpointed;
  EXPECT_EQ(MustCheckpoint(p.get()), 1u) << "only page 5: pages 1..4 are in the main file";
  EXPECT_EQ(p->stats().pages_checkpointed, before + 1);
  EXPECT_EQ(p->stats().frames_left, 0u);
  EXPECT_EQ(p->stats().wal_frames, 0u) << "backfill reached the end, no reader: restart";
  p.reset();
  auto ro = MustOpen(env, path, AccessMode::kReadOnly);
  for (uint32_t i = 1; i <= 5; i++) EXPECT_EQ(Read(ro.get(), i), Page(i)) << "page " << i;
}

TEST_F(WalBackfill, WalRestartsOnlyWhenBackfillReachedTheEndAndNoReaderUsesFrames) {
  auto p = Populated(2);
  Stage(p.get(), 1, Page(1));
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_OK(p->BeginRead(&s));  // mark = the whole WAL: it needs no main-file byte
  Stage(p.get(), 1, Page(2));
  MustCommit(p.get());
  ReadSnapshot t;
  ASSERT_OK(p->BeginRead(&t));
  Stage(p.get(), 2, Page(3));
  MustCommit(p.get());
  const uint64_t frames = p->stats().wal_frames;
  EXPECT_EQ(MustCheckpoint(p.get()), 1u);
  EXPECT_EQ(p->stats().wal_frames, frames);
  p->EndRead(&s);
  EXPECT_EQ(MustCheckpoint(p.get()), 1u) << "up to t's mark: page 1's second frame";
  EXPECT_EQ(p->stats().wal_frames, frames) << "t still reads below the end: no restart";
  EXPECT_EQ(SnapRead(p.get(), t, 1), Page(2));
  p->EndRead(&t);
  EXPECT_EQ(MustCheckpoint(p.get()), 1u) << "page 2";
  EXPECT_EQ(p->stats().wal_frames, 0u);
  EXPECT_EQ(Read(p.get(), 1), Page(2));
  EXPECT_EQ(Read(p.get(), 2), Page(3));
}

// A page past a shrink's floor is cut by the final step (DropStalePages): a partial step
// leaves it (copying it would be wasted), the final step copies it after the cut.
TEST_F(WalBackfill, PagePastAShrinkFloorIsLeftToTheFinalStepAndNotLost) {
  auto p = Populated(3);
  ASSERT_OK(p->SetPageCount(3));
  Stage(p.get(), 3, Page(33));  // shrink and regrow: page 3 is new, at the floor 3
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_OK(p->BeginRead(&s));
  Stage(p.get(), 1, Page(11));
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), 0u) << "page 3 is past main_valid_count";
  EXPECT_GT(p->stats().frames_left, 0u);
  EXPECT_EQ(SnapRead(p.get(), s, 3), Page(33));
  p->EndRead(&s);
  EXPECT_EQ(MustCheckpoint(p.get()), 2u) << "page 1, and page 3 after the cut";
  EXPECT_EQ(p->stats().wal_frames, 0u);
  EXPECT_OK(p->CheckInvariants());
  p.reset();
  auto ro = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(Read(ro.get(), 1), Page(11));
  EXPECT_EQ(Read(ro.get(), 2), Page(102));
  EXPECT_EQ(Read(ro.get(), 3), Page(33));
}

// A shrink below the target hides the frames before it: they are not copied.
TEST_F(WalBackfill, FramesHiddenByAShrinkBelowTheMarkAreNotCopied) {
  auto p = Populated(3);
  Stage(p.get(), 3, Page(23));
  MustCommit(p.get());
  ASSERT_OK(p->SetPageCount(3));  // drops page 3
  MustCommit(p.get());
  ReadSnapshot s;
  ASSERT_OK(p->BeginRead(&s));
  Stage(p.get(), 1, Page(11));
  MustCommit(p.get());
  EXPECT_EQ(MustCheckpoint(p.get()), 0u) << "page 3's frame is hidden by the shrink";
  EXPECT_EQ(s.page_count, 3u);
  p->EndRead(&s);
  EXPECT_EQ(MustCheckpoint(p.get()), 1u);
  EXPECT_EQ(p->page_count(), 3u);
  EXPECT_EQ(Read(p.get(), 1), Page(11));
}

}  // namespace
}  // namespace wal
}  // namespace pager
