// A read-only handle opens the WAL sidecar while its writer works; a TRUNCATE checkpoint (W10)
// may cut the sidecar between WalLog::Open's size check and its header read. That is a WAL
// being reset -- NotFound, which a reader adopting a new generation retries as BUSY or takes
// as "the main file alone" -- never CORRUPT. (The kill -9 torture's walbg reader process died
// of it once: "short read of .../db-wal at offset 0: 0 of 64 bytes".)
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "impl/io/mem_env.h"
#include "impl/wal/wal_log.h"
#include "tests/support/test_util.h"

namespace pager {
namespace wal {
namespace {

constexpr uint32_t kPageSize = 1024;

// Cuts `path` to 0 bytes just before its `cut_at`-th read once armed (an open without
// create counts as a read, as in MemEnv::Open), as another process's truncate would.
class CuttingEnv : public io::MemEnv {
 public:
  void Arm(const std::string& path, int cut_at) {
    path_ = path;
    cut_at_ = cut_at;
    reads_ = 0;
  }
  bool cut() const { return cut_; }

  Status BeforeOp(Op op, const std::string& path) override {
    if (cut_at_ == 0 || op != Op::kRead || path != path_ || ++reads_ != cut_at_) {
      return Status::Ok();
    }
    cut_at_ = 0;  // disarmed before the cut's own open and truncate come through here
    std::unique_ptr<io::File> f;
    io::OpenOptions o;
    o.write = true;
    PAGER_RETURN_IF_ERROR(Open(path_, o, &f));
    PAGER_RETURN_IF_ERROR(f->Truncate(0));
    cut_ = true;
    return Status::Ok();
  }

 private:
  std::string path_;
  int cut_at_ = 0;
  int reads_ = 0;
  bool cut_ = false;
};

TEST(WalSidecarCut, ACutBetweenTheSizeCheckAndTheHeaderReadIsNotFoundNotCorrupt) {
  CuttingEnv env;
  std::unique_ptr<WalLog> log;
  ASSERT_OK(WalLog::Create(&env, "db-wal", kPageSize, 1, 7, &log));
  log.reset();
  env.Arm("db-wal", 2);  // 1: the open, 2: the header read
  Status st = WalLog::Open(&env, "db-wal", false, kPageSize, &log);
  ASSERT_TRUE(env.cut()) << "the test never cut the sidecar: it proves nothing";
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("db-wal was cut to 0 bytes while its header was read"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(log, nullptr);
}

TEST(WalSidecarCut, ASidecarCutBeforeTheOpenIsNotFoundAsBefore) {
  CuttingEnv env;
  std::unique_ptr<WalLog> log;
  ASSERT_OK(WalLog::Create(&env, "db-wal", kPageSize, 1, 7, &log));
  log.reset();
  env.Arm("db-wal", 1);  // cut before the open: the size check sees 0 bytes
  Status st = WalLog::Open(&env, "db-wal", false, kPageSize, &log);
  ASSERT_TRUE(env.cut());
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("shorter than a WAL header"), std::string::npos) << st.message();
}

TEST(WalSidecarCut, AnUncutSidecarOpensWithItsHeader) {
  CuttingEnv env;
  std::unique_ptr<WalLog> log;
  ASSERT_OK(WalLog::Create(&env, "db-wal", kPageSize, 1, 7, &log));
  log.reset();
  ASSERT_OK(WalLog::Open(&env, "db-wal", false, kPageSize, &log));
  EXPECT_EQ(log->header().page_size, kPageSize);
  EXPECT_FALSE(env.cut());
}

}  // namespace
}  // namespace wal
}  // namespace pager
