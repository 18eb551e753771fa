// Helpers shared by the WAL pager test files (tests/wal_*_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "impl/wal/wal_pager.h"
#include "tests/support/test_util.h"

namespace pager {
namespace wal {
namespace testing {

using ::pager::testing::PatternBytes;

inline std::vector<uint8_t> Page(uint64_t seed, uint32_t page_size = 4096) {
  return PatternBytes(seed, page_size);
}

// A FaultEnv that refuses to map the main file and the WAL (their reads then take pread and
// the page cache, W22) but maps the shared index (`-shm`), which every handle needs (X1).
class DataUnmappableEnv : public io::FaultEnv {
 public:
  Status BeforeOp(Op op, const std::string& path) override {
    const std::string shm = "-shm";
    const bool is_shm =
        path.size() >= shm.size() && path.compare(path.size() - shm.size(), shm.size(), shm) == 0;
    if (op == Op::kMap && !is_shm) return Status(Code::kIo, "test: no mapping of " + path);
    return io::FaultEnv::BeforeOp(op, path);
  }
};

// Records the writeback hints and syncs of every file, in order ("writeback <path>",
// "sync <path>").
class RecordingEnv : public io::FaultEnv {
 public:
  std::vector<std::string> events;
  Status BeforeOp(Op op, const std::string& path) override {
    if (op == Op::kWriteback) events.push_back("writeback " + path);
    return FaultEnv::BeforeOp(op, path);
  }
  Status BeforeSync(const std::string& path, bool* drop_pending) override {
    events.push_back("sync " + path);
    return FaultEnv::BeforeSync(path, drop_pending);
  }
};

inline Options SmallOptions() {
  Options o;
  o.page_size = 4096;
  o.auto_checkpoint_frames = 0;
  return o;
}

inline std::unique_ptr<WalPager> MustCreate(io::Env* env, const std::string& path,
                                            const Options& o = SmallOptions()) {
  std::unique_ptr<WalPager> p;
  Status st = WalPager::Create(env, path, o, &p);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return p;
}

inline std::unique_ptr<WalPager> MustOpen(io::Env* env, const std::string& path,
                                          AccessMode mode = AccessMode::kReadWrite,
                                          const Options& o = SmallOptions()) {
  std::unique_ptr<WalPager> p;
  Options oo = o;
  oo.page_size = 0;
  Status st = WalPager::Open(env, path, mode, oo, &p);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return p;
}

inline Status OpenStatus(io::Env* env, const std::string& path,
                         AccessMode mode = AccessMode::kReadWrite,
                         const Options& o = SmallOptions()) {
  std::unique_ptr<WalPager> p;
  Options oo = o;
  oo.page_size = 0;
  return WalPager::Open(env, path, mode, oo, &p);
}

inline uint32_t MustCommit(WalPager* p) {
  Result<uint32_t> r = p->Commit();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : 0xFFFFFFFFu;
}

inline uint32_t MustCheckpoint(WalPager* p) {
  Result<uint32_t> r = p->Checkpoint();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : 0xFFFFFFFFu;
}

inline std::vector<uint8_t> Read(WalPager* p, uint32_t page) {
  std::vector<uint8_t> buf(p->page_size());
  Status st = p->ReadPage(page, buf.data(), buf.size());
  EXPECT_TRUE(st.ok()) << "page " << page << ": " << st.ToString();
  return buf;
}

inline void Stage(WalPager* p, uint32_t page, const std::vector<uint8_t>& bytes) {
  Status st = p->StagePage(page, bytes.data(), bytes.size());
  EXPECT_TRUE(st.ok()) << st.ToString();
}

// A page as the read transaction `s` sees it.
inline std::vector<uint8_t> SnapRead(WalPager* p, const ReadSnapshot& s, uint32_t page) {
  std::vector<uint8_t> buf(p->page_size());
  Status st = p->ReadPageAt(s, page, buf.data(), buf.size());
  EXPECT_TRUE(st.ok()) << "page " << page << ": " << st.ToString();
  return buf;
}

// The shared index's bytes, and putting such bytes back over it (what a crash can leave: the
// index is never synced, so it may come back as an earlier publish left it).
inline std::vector<uint8_t> ReadIndexFile(io::Env* env, const std::string& path) {
  std::unique_ptr<io::File> f;
  EXPECT_TRUE(env->Open(ShmPath(path), io::OpenOptions(), &f).ok());
  uint64_t size = 0;
  EXPECT_TRUE(f != nullptr && f->Size(&size).ok());
  std::vector<uint8_t> bytes(size);
  EXPECT_TRUE(f != nullptr && f->ReadExactAt(0, bytes.data(), bytes.size()).ok());
  return bytes;
}

inline void WriteIndexFile(io::Env* env, const std::string& path,
                           const std::vector<uint8_t>& bytes) {
  std::unique_ptr<io::File> f;
  io::OpenOptions o;
  o.write = true;
  ASSERT_TRUE(env->Open(ShmPath(path), o, &f).ok());
  ASSERT_TRUE(f->WriteAt(0, bytes.data(), bytes.size()).ok());
}

// A fixture with the path of a database in a fresh temporary directory of the default Env.
class WalTempDb : public ::testing::Test {
 protected:
  io::Env* env = io::DefaultEnv();
  ::pager::testing::TempDir dir;
  std::string path = dir.File("db");
};

}  // namespace testing
}  // namespace wal
}  // namespace pager
