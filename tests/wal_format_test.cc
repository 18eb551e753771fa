// The on-disk format: golden bytes pinning doc/format/wal-pager.md's worked example, the
// recovery decision table row by row, and damage to every header field, frame and length
// (a consistent committed prefix or PAGER_ERR_CORRUPT / PAGER_ERR_VERSION, never a crash).
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstring>
#include <new>

#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"
#include "impl/wal/wal_format.h"
#include "tests/wal_model.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT

const char* kDir = "/d";
const char* kPath = "/d/db";
const char* kWal = "/d/db-wal";

using ::pager::testing::Hex;

template <typename T>
std::vector<uint8_t> Bytes(const T& v, size_t n = sizeof(T)) {
  const uint8_t* b = reinterpret_cast<const uint8_t*>(&v);
  return std::vector<uint8_t>(b, b + n);
}

// ---- golden bytes (doc/format/wal-pager.md, "Worked example") ------------------------------

TEST(WalFormat, GoldenBytesOfTheWorkedExample) {
  uint8_t app[kAppHeaderSize] = {};
  std::memcpy(app, "app-v1", 6);
  MainHeaderCopy m = MakeMainHeader(4096, 3, 2, 0x1122334455667788ull, app);
  EXPECT_EQ(Bytes(m, 80), Hex("4c 50 41 47 45 52 44 42 01 00 00 00 00 10 00 00"
                              "03 00 00 00 c0 00 00 00 02 00 00 00 00 00 00 00"
                              "00 00 00 00 00 00 00 00 88 77 66 55 44 33 22 11"
                              "00 00 00 00 00 00 00 00 bb 3a e1 48 ae 51 62 f2"
                              "61 70 70 2d 76 31 00 00 00 00 00 00 00 00 00 00"));
  WalHeader w = MakeWalHeader(4096, 2, 0x1122334455667788ull, 7, 0xA5A5F00Du);
  EXPECT_EQ(Bytes(w), Hex("4c 50 41 47 45 52 57 4c 01 00 00 00 00 10 00 00"
                          "02 00 00 00 00 00 00 00 07 00 00 00 0d f0 a5 a5"
                          "88 77 66 55 44 33 22 11 00 00 00 00 00 00 00 00"
                          "00 00 00 00 00 00 00 00 2b 84 9d 56 5f 03 3d b6"));
  std::vector<uint8_t> body(4096, 0xAB);
  FrameHeader f0 = MakeFrameHeader(1, 0, 0, w, body.data(), 4096, w.checksum);
  EXPECT_EQ(Bytes(f0), Hex("01 00 00 00 00 00 00 00 07 00 00 00 0d f0 a5 a5"
                           "00 00 00 00 00 00 00 00 fa 3b 15 ec aa 48 49 8c"));
  std::vector<uint8_t> page0(4096, 0);
  std::memcpy(page0.data(), app, kAppHeaderSize);
  FrameHeader f1 = MakeFrameHeader(0, 3, 3, w, page0.data(), 4096, f0.checksum);
  EXPECT_EQ(Bytes(f1), Hex("00 00 00 00 03 00 00 00 07 00 00 00 0d f0 a5 a5"
                           "03 00 00 00 00 00 00 00 03 ee 0a 17 e8 94 f2 45"));
  EXPECT_OK(ValidateMainHeader(m, 0));
  EXPECT_OK(ValidateWalHeader(w));
}

// Regression: the crash sweep found checksums that depended on stale stack bytes, because
// Hasher did not initialize the XXH3 state before reset_withSeed.
TEST(WalFormat, HasherIgnoresStaleStateLeftInItsMemory) {
  const uint64_t seed = 0x1234567890ABCDEFull;
  const char data[] = "frame bytes";
  alignas(64) unsigned char buf[sizeof(Hasher)];
  std::memset(buf, 0xAB, sizeof buf);
  XXH3_state_t* stale = reinterpret_cast<XXH3_state_t*>(buf);
  stale->seed = seed;  // as if a hasher with this seed had lived here...
  stale->extSecret = nullptr;  // ...and the secret bytes were then overwritten
  Hasher* h = new (buf) Hasher(seed);
  h->Update(data, sizeof data);
  EXPECT_EQ(h->Digest(), Checksum64(data, sizeof data, seed));
  h->~Hasher();
}

TEST(WalFormat, PageSizeRule) {
  for (uint32_t ok : {512u, 1024u, 4096u, 65536u}) EXPECT_TRUE(IsValidPageSize(ok)) << ok;
  for (uint32_t bad : {0u, 256u, 768u, 4095u, 131072u}) EXPECT_FALSE(IsValidPageSize(bad)) << bad;
}

// ---- damage on an in-memory disk -----------------------------------------------------------

class WalDamage : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(env.CreateDir(kDir, 0755)); }

  // Three transactions, no checkpoint: history[0..3].
  void MakeThreeCommits() {
    auto p = MustCreate(&env, kPath, Options512());
    Recorder r(p.get(), 512);
    r.Stage(1, 1);
    r.Stage(2, 2);
    r.Commit();  // frames 0, 1
    r.Stage(2, 22);
    r.App(4);
    r.Commit();  // frames 2 (page 2), 3 (page 0, commit)
    r.Stage(3, 3);
    r.SetCount(5);
    r.Commit();  // frame 4
    ASSERT_TRUE(r.ok());
    history = r.history;
  }
  static Options Options512() {
    Options o = SmallOptions();
    o.page_size = 512;
    o.wal_prewrite_bytes = 0;
    return o;
  }
  std::vector<uint8_t> Get(const std::string& p) {
    std::vector<uint8_t> b;
    EXPECT_OK(env.GetFileBytes(p, &b));
    return b;
  }
  void Set(const std::string& p, const std::vector<uint8_t>& b) { ASSERT_OK(env.SetFileBytes(p, b)); }

  // Opens read-only; on success returns the history index of the visible state (-1 if none).
  int OpenIndex(Status* st) {
    std::unique_ptr<WalPager> p;
    Options o;
    o.page_size = 0;
    *st = WalPager::Open(&env, kPath, AccessMode::kReadOnly, o, &p);
    if (!st->ok()) return -1;
    Snapshot s;
    Status cap = Capture(p.get(), &s);
    if (!cap.ok()) {
      *st = cap;
      return -1;
    }
    return FindInHistory(history, s, 0, history.size() - 1);
  }

  io::MemEnv env;
  std::vector<Snapshot> history;
};

// sqlrite: partial trailing frame ignored.
TEST_F(WalDamage, PartialTrailingFrameIsIgnored) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  ASSERT_EQ(wal.size(), FrameOffset(5, 512));
  for (uint64_t cut : {uint64_t{1}, uint64_t{31}, uint64_t{32}, FrameSize(512) - 1}) {
    Set(kWal, std::vector<uint8_t>(wal.begin(), wal.end() - static_cast<long>(cut)));
    Status st;
    EXPECT_EQ(OpenIndex(&st), 2) << cut << " " << st.ToString();
  }
}

TEST_F(WalDamage, EveryTruncationLengthGivesTheCommittedPrefix) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  for (size_t len = kWalHeaderSize; len <= wal.size(); len += 16) {
    Set(kWal, std::vector<uint8_t>(wal.begin(), wal.begin() + static_cast<long>(len)));
    int want = 0;
    if (len >= FrameOffset(2, 512)) want = 1;
    if (len >= FrameOffset(4, 512)) want = 2;
    if (len >= FrameOffset(5, 512)) want = 3;
    Status st;
    EXPECT_EQ(OpenIndex(&st), want) << "WAL length " << len << ": " << st.ToString();
  }
}

// sqlrite: corrupt frame body ends the log. Every byte of every frame header, and bytes of
// every body: the transaction holding the frame and all later ones vanish.
TEST_F(WalDamage, DamageToAnyFrameEndsTheLogBeforeItsTransaction) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  const int txn_of_frame[5] = {0, 0, 1, 1, 2};  // history index before the frame's txn
  for (uint64_t f = 0; f < 5; f++) {
    std::vector<uint64_t> offsets;
    for (uint64_t b = 0; b < kFrameHeaderSize; b++) offsets.push_back(b);
    for (uint64_t b = kFrameHeaderSize; b < FrameSize(512); b += 61) offsets.push_back(b);
    for (uint64_t b : offsets) {
      std::vector<uint8_t> bad = wal;
      bad[FrameOffset(f, 512) + b] ^= 0x40;
      Set(kWal, bad);
      Status st;
      EXPECT_EQ(OpenIndex(&st), txn_of_frame[f]) << "frame " << f << " byte " << b;
    }
  }
}

// sqlrite: orphan dirty frame in WAL is invisible on reopen. A frame with a valid chained
// checksum but no commit frame after it.
TEST_F(WalDamage, OrphanFrameWithAValidChainIsInvisible) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  WalHeader wh;
  std::memcpy(&wh, wal.data(), sizeof wh);
  FrameHeader last;
  std::memcpy(&last, wal.data() + FrameOffset(4, 512), sizeof last);
  std::vector<uint8_t> body = PatternBytes(77, 512);
  FrameHeader orphan = MakeFrameHeader(1, 0, 0, wh, body.data(), 512, last.checksum);
  std::vector<uint8_t> bytes = Bytes(orphan);
  wal.insert(wal.end(), bytes.begin(), bytes.end());
  wal.insert(wal.end(), body.begin(), body.end());
  Set(kWal, wal);
  Status st;
  EXPECT_EQ(OpenIndex(&st), 3) << st.ToString();
  // Sealed by a commit frame, the same transaction becomes visible: the chain was valid.
  FrameHeader commit = MakeFrameHeader(1, 5, 5, wh, body.data(), 512, orphan.checksum);
  bytes = Bytes(commit);
  wal.insert(wal.end(), bytes.begin(), bytes.end());
  wal.insert(wal.end(), body.begin(), body.end());
  Set(kWal, wal);
  std::unique_ptr<WalPager> p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(Read(p.get(), 1), body);
}

TEST_F(WalDamage, FramesOfAnEarlierGenerationAreNeverAccepted) {
  auto p = MustCreate(&env, kPath, Options512());
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  std::vector<uint8_t> old_wal = Get(kWal);  // generation 1: 4 frames
  MustCheckpoint(p.get());                   // generation 2 (salt1 + 1, new salt2)
  Stage(p.get(), 1, Page(100, 512));
  MustCommit(p.get());
  p.reset();
  std::vector<uint8_t> wal = Get(kWal);
  // Put generation 1's frames 1..3 right after generation 2's only frame.
  std::vector<uint8_t> spliced(wal.begin(), wal.begin() + static_cast<long>(FrameOffset(1, 512)));
  spliced.insert(spliced.end(), old_wal.begin() + static_cast<long>(FrameOffset(1, 512)),
                 old_wal.end());
  Set(kWal, spliced);
  p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(p->stats().wal_frames, 1u);
  EXPECT_EQ(Read(p.get(), 1), Page(100, 512));
  // Old frame 0 in place of the new one: salts differ, the log is empty.
  p.reset();
  std::vector<uint8_t> swapped = wal;
  std::memcpy(swapped.data() + kWalHeaderSize, old_wal.data() + kWalHeaderSize, FrameSize(512));
  Set(kWal, swapped);
  p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(p->stats().wal_frames, 0u);
  EXPECT_EQ(Read(p.get(), 1), Page(1, 512));
  // The whole old generation back in place (as a crash between the main file's sync and
  // the WAL reset leaves it): its base is older than the main file's header, which is fine,
  // and its frames hold exactly the bytes that checkpoint copied.
  p.reset();
  Set(kWal, old_wal);
  p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(p->stats().wal_frames, 4u);
  for (uint32_t i = 1; i <= 4; i++) EXPECT_EQ(Read(p.get(), i), Page(i, 512));
}

// sqlrite: truncate rolls the salt.
TEST_F(WalDamage, CheckpointRollsTheSalts) {
  auto p = MustCreate(&env, kPath, Options512());
  WalHeader h0;
  std::memcpy(&h0, Get(kWal).data(), sizeof h0);
  Stage(p.get(), 1, Page(1, 512));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  WalHeader h1;
  std::memcpy(&h1, Get(kWal).data(), sizeof h1);
  EXPECT_EQ(h1.salt1, h0.salt1 + 1);
  EXPECT_EQ(h1.base_checkpoint_seq, h0.base_checkpoint_seq + 1);
  EXPECT_EQ(h1.file_id, h0.file_id);
}

// Every byte of the WAL header: a damaged header is CORRUPT (VERSION for the version field),
// never silently an empty log.
TEST_F(WalDamage, EveryWalHeaderByteIsChecked) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  for (size_t b = 0; b < kWalHeaderSize; b++) {
    std::vector<uint8_t> bad = wal;
    bad[b] ^= 0x01;
    Set(kWal, bad);
    Status st;
    OpenIndex(&st);
    Code want = (b >= 8 && b < 12) ? Code::kVersion : Code::kCorrupt;
    EXPECT_EQ(st.code(), want) << "WAL header byte " << b << ": " << st.ToString();
  }
}

// sqlrite: bad magic rejected; unknown future version rejected (resealed, so only the field
// itself is wrong).
TEST_F(WalDamage, WalBadMagicFutureVersionAndBadFieldsResealed) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  auto with = [&](auto edit) {
    WalHeader h;
    std::memcpy(&h, wal.data(), sizeof h);
    edit(&h);
    SealWalHeader(&h);
    std::vector<uint8_t> b = wal;
    std::memcpy(b.data(), &h, sizeof h);
    Set(kWal, b);
    Status st;
    int idx = OpenIndex(&st);
    return std::make_pair(st.code(), idx);
  };
  EXPECT_EQ(with([](WalHeader* h) { h->magic[0] = 'X'; }).first, Code::kCorrupt);
  EXPECT_EQ(with([](WalHeader* h) { h->format_version = 2; }).first, Code::kVersion);
  EXPECT_EQ(with([](WalHeader* h) { h->page_size = 1024; }).first, Code::kCorrupt);
  EXPECT_EQ(with([](WalHeader* h) { h->page_size = 1000; }).first, Code::kCorrupt);
  EXPECT_EQ(with([](WalHeader* h) { h->reserved1 = 1; }).first, Code::kCorrupt);
  EXPECT_EQ(with([](WalHeader* h) { h->base_checkpoint_seq = 99; }).first, Code::kCorrupt);
  // A sidecar of another file (create crashed before replacing it): ignored read-only...
  auto r = with([](WalHeader* h) { h->file_id ^= 1; });
  EXPECT_EQ(r.first, Code::kOk);
  EXPECT_EQ(r.second, 0);
  // ...and replaced read-write.
  auto p = MustOpen(&env, kPath);
  EXPECT_EQ(p->page_count(), 1u);
}

TEST_F(WalDamage, ZeroedOrShortWalIsAnEmptyLog) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal);
  for (size_t len : {size_t{0}, size_t{10}, size_t{63}}) {
    Set(kWal, std::vector<uint8_t>(wal.begin(), wal.begin() + static_cast<long>(len)));
    Status st;
    EXPECT_EQ(OpenIndex(&st), 0) << len << ": " << st.ToString();
  }
  std::vector<uint8_t> zeroed = wal;
  std::memset(zeroed.data(), 0, kWalHeaderSize);
  Set(kWal, zeroed);
  Status st;
  EXPECT_EQ(OpenIndex(&st), 0) << st.ToString();
}

// Every byte of a lone main header copy: CORRUPT (VERSION for the version field).
TEST_F(WalDamage, EveryMainHeaderByteIsChecked) {
  MakeThreeCommits();
  std::vector<uint8_t> main_bytes = Get(kPath);
  for (size_t b = 0; b < kHeaderCopySize; b++) {
    std::vector<uint8_t> bad = main_bytes;
    bad[b] ^= 0x01;
    Set(kPath, bad);
    Status st;
    OpenIndex(&st);
    Code want = (b >= 8 && b < 12) ? Code::kVersion : Code::kCorrupt;
    EXPECT_EQ(st.code(), want) << "main header byte " << b << ": " << st.ToString();
  }
}

TEST_F(WalDamage, MainHeaderFieldsResealed) {
  MakeThreeCommits();
  std::vector<uint8_t> main_bytes = Get(kPath);
  auto with = [&](auto edit) {
    MainHeaderCopy h;
    std::memcpy(&h, main_bytes.data(), sizeof h);
    edit(&h);
    SealMainHeader(&h);
    std::vector<uint8_t> b = main_bytes;
    std::memcpy(b.data(), &h, sizeof h);
    Set(kPath, b);
    Status st;
    OpenIndex(&st);
    return st.code();
  };
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->magic[7] = 'X'; }), Code::kCorrupt);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->format_version = 9; }), Code::kVersion);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->page_size = 3000; }), Code::kCorrupt);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->page_count = 0; }), Code::kCorrupt);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->app_header_size = 100; }), Code::kCorrupt);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->flags = 1; }), Code::kCorrupt);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->reserved2 = 1; }), Code::kCorrupt);
  EXPECT_EQ(with([](MainHeaderCopy* h) { h->page_size = 1024; }), Code::kCorrupt)
      << "the WAL's page size no longer matches";
}

// Decision table rows M1-M6: which header copy wins.
TEST_F(WalDamage, HeaderCopySelection) {
  auto p = MustCreate(&env, kPath, Options512());
  Stage(p.get(), 1, Page(1, 512));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // copy B, seq 2
  Stage(p.get(), 2, Page(2, 512));
  MustCommit(p.get());
  MustCheckpoint(p.get());  // copy A, seq 3
  p.reset();
  std::vector<uint8_t> good = Get(kPath);
  MainHeaderCopy a, b;
  std::memcpy(&a, good.data(), sizeof a);
  std::memcpy(&b, good.data() + kHeaderCopySize, sizeof b);
  EXPECT_EQ(a.checkpoint_seq, 3u);
  EXPECT_EQ(b.checkpoint_seq, 2u);
  // M1: both valid, the higher sequence wins.
  p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(p->page_count(), 3u);
  p.reset();
  // M3: the newer copy damaged while the WAL says it was published -> CORRUPT.
  std::vector<uint8_t> bad = good;
  bad[100] ^= 1;
  Set(kPath, bad);
  Status st;
  OpenIndex(&st);
  EXPECT_EQ(st.code(), Code::kCorrupt);
  // M2: the older copy damaged -> the newer one, fine.
  bad = good;
  bad[kHeaderCopySize + 100] ^= 1;
  Set(kPath, bad);
  p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(p->page_count(), 3u);
  p.reset();
  // M4: both damaged -> CORRUPT.
  bad[100] ^= 1;
  Set(kPath, bad);
  OpenIndex(&st);
  EXPECT_EQ(st.code(), Code::kCorrupt);
}

TEST_F(WalDamage, ShortOrEmptyMainFileIsCorrupt) {
  MakeThreeCommits();
  std::vector<uint8_t> main_bytes = Get(kPath);
  for (size_t len : {size_t{0}, size_t{100}, size_t{511}}) {
    Set(kPath, std::vector<uint8_t>(main_bytes.begin(), main_bytes.begin() + static_cast<long>(len)));
    Status st;
    OpenIndex(&st);
    EXPECT_EQ(st.code(), Code::kCorrupt) << len;
  }
}

TEST_F(WalDamage, MainFileShorterThanItsPageCountIsCorruptOnRead) {
  auto p = MustCreate(&env, kPath, Options512());
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i, 512));
  MustCommit(p.get());
  MustCheckpoint(p.get());
  p.reset();
  std::vector<uint8_t> main_bytes = Get(kPath);
  main_bytes.resize(3 * 512);
  Set(kPath, main_bytes);
  p = MustOpen(&env, kPath, AccessMode::kReadOnly);
  EXPECT_EQ(Read(p.get(), 2), Page(2, 512));
  std::vector<uint8_t> buf(512);
  EXPECT_EQ(p->ReadPage(4, buf.data(), buf.size()).code(), Code::kCorrupt);
}

TEST_F(WalDamage, Page0ReservedTailMustBeZero) {
  Options o = SmallOptions();
  o.page_size = 1024;
  { auto p = MustCreate(&env, kPath, o); }
  std::vector<uint8_t> main_bytes = Get(kPath);
  main_bytes[700] = 1;
  Set(kPath, main_bytes);
  Status st;
  OpenIndex(&st);
  EXPECT_EQ(st.code(), Code::kCorrupt);
}

TEST_F(WalDamage, RandomGarbageNeverCrashes) {
  MakeThreeCommits();
  std::vector<uint8_t> wal = Get(kWal), main_bytes = Get(kPath);
  for (uint64_t seed = 0; seed < 200; seed++) {
    std::vector<uint8_t> w = wal, m = main_bytes;
    std::vector<uint8_t> noise = PatternBytes(seed, 16);
    for (int i = 0; i < 4; i++) {
      size_t at = (noise[i] * 131u + noise[i + 4] * 7u) % (seed % 2 ? w.size() : m.size());
      (seed % 2 ? w : m)[at] ^= static_cast<uint8_t>(noise[i + 8] | 1);
    }
    Set(kWal, w);
    Set(kPath, m);
    Status st;
    int idx = OpenIndex(&st);
    if (st.ok()) {
      EXPECT_GE(idx, 0) << "seed " << seed << ": opened to a state outside the history";
    } else {
      EXPECT_TRUE(st.code() == Code::kCorrupt || st.code() == Code::kVersion) << st.ToString();
    }
  }
}

}  // namespace
}  // namespace wal
}  // namespace pager

namespace pager {
namespace wal {
namespace {

// doc/format/wal-pager.md "Lock bytes": two libpager versions that disagree on the lock byte
// would not exclude each other.
TEST(WalFormat, AccessLockByteIsTheDocumentedOne) {
  EXPECT_EQ(kAccessLockByte, uint64_t{1} << 62);
  EXPECT_GT(kAccessLockByte, uint64_t{kMaxPageCount} * kMaxPageSize) << "past every page";
}

}  // namespace
}  // namespace wal
}  // namespace pager
