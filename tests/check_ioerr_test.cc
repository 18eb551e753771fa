// I/O errors during the read-only checks (pager.h section "check"): a check that cannot read
// its file must say so (PAGER_ERR_IO: "could not tell"), never turn the failed read into a
// verdict. Every operation of every check fails in turn (EIO, once and then persistently),
// on healthy files and on damaged ones: the answer is IO, or the verdict of the fault-free
// run, field for field. And a check never calls clean what the library refuses: over every
// flipped byte of a page file's first pages and of a WAL pager's headers, a read-only open
// that says CORRUPT means the check found damage. (Not the converse: a damaged redundant
// copy -- the older meta, one header copy -- is damage the open survives.)
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/check_test_files.h"
#include "tests/file_test_util.h"
#include "tests/outparam.h"

namespace {

using pager::io::FaultKind;

using check_test::Files;

using CheckFn = int (*)(const char*, pager_check_report*);

std::string Verdict(const pager_check_report& r) {
  return std::to_string(r.damage_code) + "/" + std::to_string(r.interrupted) + "/" +
         r.damage_rule + "@" + std::to_string(r.damage_offset) + " pages " +
         std::to_string(r.page_count) + " records " + std::to_string(r.record_count) +
         " frames " + std::to_string(r.frame_count);
}

// Fails the nth operation (once, or from then on) for every n until the check runs past
// every operation; returns how many runs failed with IO.
int SweepCheck(Files* fx, CheckFn fn, const char* path, bool persistent) {
  pager_check_report clean;
  pager_check_report_init(&clean);
  fx->env.ClearFaults();
  EXPECT_EQ(fn(path, &clean), PAGER_OK) << pager_last_error();
  const std::string want = Verdict(clean);
  int io_runs = 0;
  for (uint64_t n = 1;; n++) {
    fx->env.ClearFaults();
    fx->env.FailNthAny(n, FaultKind::kEio, persistent);
    uint64_t ops_before = fx->env.OpCount();
    pager_check_report r;
    pager_check_report_init(&r);
    int rc = fn(path, &r);
    uint64_t ops = fx->env.OpCount() - ops_before;
    if (rc == PAGER_ERR_IO) {
      io_runs++;
    } else {
      EXPECT_EQ(rc, PAGER_OK) << path << " operation " << n << ": " << pager_last_error();
      EXPECT_EQ(Verdict(r), want) << path << ": a failed operation " << n
                                  << " changed the verdict: " << r.damage_detail;
    }
    if (ops < n) break;  // the fault was never reached: every operation has been failed
    if (n > 100000) {
      ADD_FAILURE() << "no end to the operations of the check of " << path;
      break;
    }
  }
  fx->env.ClearFaults();
  return io_runs;
}

void SweepBoth(Files* fx, CheckFn fn, const char* path) {
  EXPECT_GT(SweepCheck(fx, fn, path, false), 0) << path << ": no operation could fail";
  EXPECT_GT(SweepCheck(fx, fn, path, true), 0) << path;
}

// The verdict of the check against the component's read-only open: CORRUPT implies damage.
void ExpectAgreement(const char* what, int open_rc, const pager_check_report& r) {
  if (open_rc != PAGER_OK && open_rc != PAGER_ERR_CORRUPT) {
    ADD_FAILURE() << what << ": the read-only open failed with " << pager_errstr(open_rc)
                  << ": " << pager_last_error();
    return;
  }
  if (open_rc == PAGER_ERR_CORRUPT) {
    EXPECT_EQ(r.damage_code, PAGER_ERR_CORRUPT)
        << what << ": open " << pager_errstr(open_rc) << ", check " << Verdict(r) << " "
      << r.damage_detail;
  }
}

TEST(CheckAgreement, EveryFlippedByteOfAPageFileHeadThatTheOpenRefusesIsDamage) {
  Files fx;
  std::vector<uint8_t> good;
  ASSERT_TRUE(fx.env.GetFileBytes("/f", &good).ok());
  int damaged = 0;
  for (size_t i = 0; i < 5 * 1024 && i < good.size(); i += 3) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
    ASSERT_TRUE(fx.env.SetFileBytes("/f", bad).ok());
    pager_check_report r;
    pager_check_report_init(&r);
    int crc = pager_file_check("/f", &r);
    if (crc != PAGER_OK) {
      // A flipped magic makes it another format; a flipped version is VERSION: no verdict.
      EXPECT_TRUE(crc == PAGER_ERR_INVALID || crc == PAGER_ERR_VERSION)
          << "byte " << i << ": " << pager_last_error();
      continue;
    }
    int rc = pager::file::testing::ReadOnlyOpenCode("/f", uint64_t{1} << 24);
    ExpectAgreement(("page file byte " + std::to_string(i)).c_str(), rc, r);
    damaged += r.damage_code == PAGER_ERR_CORRUPT;
  }
  EXPECT_GT(damaged, 100);
}

TEST(CheckAgreement, EveryFlippedByteOfAWalPagerHeaderThatTheOpenRefusesIsDamage) {
  Files fx;
  std::vector<uint8_t> good;
  ASSERT_TRUE(fx.env.GetFileBytes("/w", &good).ok());
  int damaged = 0;
  for (size_t i = 0; i < 512 && i < good.size(); i++) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
    ASSERT_TRUE(fx.env.SetFileBytes("/w", bad).ok());
    pager_check_report r;
    pager_check_report_init(&r);
    int crc = pager_wal_check("/w", &r);
    if (crc != PAGER_OK) {
      // A flipped magic makes it another format; a flipped version is VERSION: no verdict.
      EXPECT_TRUE(crc == PAGER_ERR_INVALID || crc == PAGER_ERR_VERSION)
          << "byte " << i << ": " << pager_last_error();
      continue;
    }
    pager_wal_options o;
    pager_wal_options_init(&o);
    o.read_only = PAGER_WAL_READ_ONLY;
    pager_wal* w = nullptr;
    int rc = pager_wal_open("/w", &o, &w);
    pager_wal_close(w);
    ExpectAgreement(("WAL header byte " + std::to_string(i)).c_str(), rc, r);
    damaged += r.damage_code == PAGER_ERR_CORRUPT;
  }
  EXPECT_GT(damaged, 0);
}

TEST(CheckIoErr, AFailedReadOfAHealthyPageFileIsIoNeverDamage) {
  Files fx;
  SweepBoth(&fx, pager_file_check, "/f");
}

TEST(CheckIoErr, AFailedReadOfAHealthyWalPagerIsIoNeverDamage) {
  Files fx;
  SweepBoth(&fx, pager_wal_check, "/w");
  SweepBoth(&fx, pager_wal_check, "/w-wal");
}

TEST(CheckIoErr, AFailedReadOfHealthyWalSegmentsIsIoNeverDamage) {
  Files fx;
  SweepBoth(&fx, pager_walseg_check, "/log");
  std::vector<std::string> names;
  ASSERT_TRUE(fx.env.ListDir("/log", &names).ok());
  ASSERT_FALSE(names.empty());
  SweepBoth(&fx, pager_walseg_check, ("/log/" + names.front()).c_str());
}

TEST(CheckIoErr, AFailedReadOfAHealthySnapshotIsIoNeverDamage) {
  Files fx;
  SweepBoth(&fx, pager_snapshot_check, "/s.kvs");
}

TEST(CheckIoErr, AFailedReadOfADamagedFileIsIoOrTheSameVerdict) {
  Files fx;
  fx.Flip("/f", 1024 * 1 + 100);  // the first meta page
  fx.Flip("/w", 20);  // header copy A
  fx.Flip("/s.kvs", 130);
  std::vector<std::string> names;
  ASSERT_TRUE(fx.env.ListDir("/log", &names).ok());
  fx.Flip("/log/" + names.front(), 60);
  const struct {
    CheckFn fn;
    const char* path;
  } cases[] = {{pager_file_check, "/f"},
               {pager_wal_check, "/w"},
               {pager_walseg_check, "/log"},
               {pager_snapshot_check, "/s.kvs"}};
  for (const auto& c : cases) {
    pager_check_report r;
    pager_check_report_init(&r);
    ASSERT_EQ(c.fn(c.path, &r), PAGER_OK) << c.path << ": " << pager_last_error();
    EXPECT_TRUE(r.damage_code == PAGER_ERR_CORRUPT || r.interrupted == 1)
        << c.path << ": the flip was not seen: " << Verdict(r);
    SweepBoth(&fx, c.fn, c.path);
  }
}

// Found by the sweep: DetectFormat answered NOT_FOUND ("open /log: No such file") when
// listing an existing segment directory failed, because the open's error hid the listing's.
TEST(CheckIoErr, AFailedListingOfASegmentDirectoryIsIoNotNotFound) {
  Files fx;
  // Detection's first operation opens the path (MemEnv opens no directory: NOT_FOUND), its
  // second lists it: only the listing fails.
  fx.env.FailNth(pager::io::MemEnv::Op::kRead, 2, FaultKind::kEio, false);
  uint32_t format = 0;
  EXPECT_EQ(pager_format_detect("/log", &format), PAGER_ERR_IO) << pager_last_error();
  fx.env.ClearFaults();
  fx.env.FailNth(pager::io::MemEnv::Op::kRead, 2, FaultKind::kEio, false);
  pager_check_report r;
  pager_check_report_init(&r);
  EXPECT_EQ(pager_walseg_check("/log", &r), PAGER_ERR_IO) << pager_last_error();
  fx.env.ClearFaults();
  EXPECT_EQ(pager_format_detect("/missing", &format), PAGER_ERR_NOT_FOUND);
}

TEST(CheckIoErr, AFailedReadDuringFormatDetectionIsIoNeverAnotherFormat) {
  Files fx;
  for (const char* path : {"/f", "/w", "/w-wal", "/log", "/s.kvs"}) {
    uint32_t want = 0;
    fx.env.ClearFaults();
    ASSERT_EQ(pager_format_detect(path, &want), PAGER_OK) << pager_last_error();
    for (uint64_t n = 1; n < 64; n++) {
      fx.env.ClearFaults();
      fx.env.FailNthAny(n, FaultKind::kEio, false);
      uint64_t before = fx.env.OpCount();
      uint32_t got = 0;
      int rc = pager_format_detect(path, &got);
      if (rc == PAGER_OK) EXPECT_EQ(got, want) << path << " operation " << n;
      else EXPECT_EQ(rc, PAGER_ERR_IO) << path << " operation " << n << ": " << pager_last_error();
      if (fx.env.OpCount() - before < n) break;
    }
  }
  fx.env.ClearFaults();
}

}  // namespace
