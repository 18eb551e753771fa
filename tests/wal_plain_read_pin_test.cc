// W27: a plain read on a read-only handle reuses its last pin of the latest commit while the
// published header is unchanged. Failure modes: a reused pin that misses a commit, a
// checkpoint or a WAL restart published since (a stale page, or a frame of a WAL that was cut
// or rewritten), and a pin that stays held after the read (an idle reader holding the WAL
// back). The same pin raced by a writer in another process: tests/wal_plain_read_race_test.cc.
#include <sys/stat.h>

#include <cstring>

#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

class WalPlainReadPin : public WalTempDb {};

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

TEST_F(WalPlainReadPin, AReusedPinSeesEachLaterCommit) {
  auto w = MustCreate(env, path);
  Stage(w.get(), 1, Page(1));
  Stage(w.get(), 2, Page(2));
  MustCommit(w.get());
  auto r = MustOpen(env, path, AccessMode::kReadOnly);
  EXPECT_EQ(Read(r.get(), 1), Page(1));  // pins the first commit
  EXPECT_EQ(Read(r.get(), 2), Page(2));  // reuses that pin
  for (uint64_t v = 10; v < 15; v++) {
    Stage(w.get(), 1, Page(v));
    MustCommit(w.get());
    EXPECT_EQ(Read(r.get(), 1), Page(v)) << "commit " << v << " missed by a reused pin";
    EXPECT_EQ(Read(r.get(), 1), Page(v));
  }
}

TEST_F(WalPlainReadPin, AReusedPinSeesACheckpointAndAWalRestart) {
  auto w = MustCreate(env, path);
  for (uint32_t p = 1; p <= 8; p++) Stage(w.get(), p, Page(p));
  MustCommit(w.get());
  auto r = MustOpen(env, path, AccessMode::kReadOnly);
  for (uint32_t p = 1; p <= 8; p++) EXPECT_EQ(Read(r.get(), p), Page(p));
  // Every frame goes into the main file and the WAL is cut to zero bytes: the pin of the old
  // generation's frames must not be reused (a read through it would touch the cut file).
  Result<uint32_t> t = w->Checkpoint(CheckpointMode::kTruncate);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(FileBytes(WalPath(path)), 0u);
  for (uint32_t p = 1; p <= 8; p++) EXPECT_EQ(Read(r.get(), p), Page(p)) << "page " << p;
  // The next generation rewrites the WAL from its start with other pages' frames.
  for (uint32_t p = 1; p <= 8; p++) Stage(w.get(), p, Page(100 + (9 - p)));
  MustCommit(w.get());
  for (uint32_t p = 1; p <= 8; p++) {
    EXPECT_EQ(Read(r.get(), p), Page(100 + (9 - p))) << "page " << p;
  }
}

TEST_F(WalPlainReadPin, AnIdleReadOnlyHandleDoesNotHoldTheWalBack) {
  auto w = MustCreate(env, path);
  for (uint32_t p = 1; p <= 8; p++) Stage(w.get(), p, Page(p));
  MustCommit(w.get());
  auto r = MustOpen(env, path, AccessMode::kReadOnly);
  for (uint64_t round = 0; round < 3; round++) {
    for (uint32_t p = 1; p <= 8; p++) {
      EXPECT_EQ(Read(r.get(), p), Page(p + 10 * round));  // WAL frames
    }
    // The reader is idle now: a TRUNCATE checkpoint (which waits for readers of any frame
    // and restarts the WAL only when none is left, W21) must not find its slot held.
    Result<uint32_t> t = w->Checkpoint(CheckpointMode::kTruncate);
    ASSERT_TRUE(t.ok()) << "round " << round << ": " << t.status().ToString();
    EXPECT_EQ(FileBytes(WalPath(path)), 0u) << "round " << round;
    for (uint32_t p = 1; p <= 8; p++) Stage(w.get(), p, Page(p + 10 * (round + 1)));
    MustCommit(w.get());
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager
