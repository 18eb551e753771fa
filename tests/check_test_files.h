// The files the check tests run on: one of every format in a FaultEnv made the current
// environment (tests/outparam.h ScopedEnv). Shared by check_outparam_test.cc and
// check_ioerr_test.cc.
#ifndef PAGER_TESTS_CHECK_TEST_FILES_H_
#define PAGER_TESTS_CHECK_TEST_FILES_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"

namespace check_test {

// One file of every format in a FaultEnv: /f (page file), /w (WAL pager with an uncheckpointed
// commit), /log (segments), /s.kvs (snapshot).
struct Files {
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped{&env};
  Files() {
    pager_file_options fo;
    pager_file_options_init(&fo);
    fo.page_size = 1024;
    fo.max_size_bytes = uint64_t{1} << 24;
    fo.initial_page_count = 16;
    pager_file* f = nullptr;
    EXPECT_EQ(pager_file_create("/f", &fo, &f), PAGER_OK) << pager_last_error();
    uint64_t ids[3] = {};
    EXPECT_EQ(pager_file_protected_alloc_bulk(f, ids, 3), PAGER_OK) << pager_last_error();
    EXPECT_EQ(pager_file_alloc_bulk(f, ids, 2), PAGER_OK) << pager_last_error();
    pager_file_close(f);

    pager_wal* w = nullptr;
    EXPECT_EQ(pager_wal_create("/w", nullptr, &w), PAGER_OK) << pager_last_error();
    EXPECT_EQ(pager_wal_set_page_count(w, 3), PAGER_OK);
    std::vector<uint8_t> page(4096, 7);
    uint32_t frames = 0;
    for (uint64_t p = 1; p < 3; p++) {
      EXPECT_EQ(pager_wal_stage_page(w, p, page.data(), page.size()), PAGER_OK);
      EXPECT_EQ(pager_wal_commit(w, &frames), PAGER_OK) << pager_last_error();
    }
    pager_wal_close(w);

    EXPECT_TRUE(env.CreateDir("/log", 0755).ok());
    pager_walseg_options so;
    pager_walseg_options_init(&so);
    so.segment_bytes = 4096;
    pager_walseg_writer* sw = nullptr;
    EXPECT_EQ(pager_walseg_writer_open("/log", &so, &sw), PAGER_OK) << pager_last_error();
    std::vector<uint8_t> payload(700, 3);
    uint64_t lsn = 0;
    for (int i = 0; i < 12; i++) {
      EXPECT_EQ(pager_walseg_append(sw, 1, payload.data(), payload.size(), &lsn), PAGER_OK)
          << pager_last_error();
    }
    EXPECT_EQ(pager_walseg_writer_close(sw), PAGER_OK);

    pager_cache_meta m;
    pager_cache_meta_init(&m);
    m.tokens_per_page = 4;
    m.layers = 1;
    m.kv_heads = 1;
    m.head_dim = 8;
    m.dtype = PAGER_DTYPE_F16;
    pager_refengine* e = nullptr;
    EXPECT_EQ(pager_refengine_create(&m, 4, &e), PAGER_OK);
    uint32_t slot = 0;
    EXPECT_EQ(pager_refengine_alloc_page(e, &slot), PAGER_OK);
    EXPECT_EQ(pager_refengine_set_seq(e, "a", 1, &slot, 1, 2), PAGER_OK) << pager_last_error();
    pager_cache_ops ops;
    EXPECT_EQ(pager_refengine_ops(e, &ops), PAGER_OK);
    EXPECT_EQ(pager_snapshot_capture(&ops, "/s.kvs", nullptr), PAGER_OK) << pager_last_error();
    pager_refengine_free(e);
  }

  // The next read of any file fails with EIO (once).
  void FailNextRead() {
    env.FailNth(pager::io::MemEnv::Op::kRead, 1, pager::io::FaultKind::kEio, false);
  }

  // Writes `bytes` as the whole of `path` (created or truncated).
  void Put(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::unique_ptr<pager::io::File> f;
    pager::io::OpenOptions o;
    o.write = o.create = o.truncate = true;
    ASSERT_TRUE(env.Open(path, o, &f).ok()) << path;
    if (!bytes.empty()) {
      ASSERT_TRUE(f->WriteAt(0, bytes.data(), bytes.size()).ok()) << path;
    }
  }
  std::vector<uint8_t> Get(const std::string& path) {
    std::vector<uint8_t> b;
    EXPECT_TRUE(env.GetFileBytes(path, &b).ok()) << path;
    return b;
  }
  // pager_format_detect of path, expected to succeed.
  uint32_t Detect(const std::string& path) {
    uint32_t format = 99;
    EXPECT_EQ(pager_format_detect(path.c_str(), &format), PAGER_OK) << pager_last_error();
    return format;
  }

  // Flips one bit pattern (0x40) of byte `at` of `path`.
  void Flip(const std::string& path, size_t at) {
    std::vector<uint8_t> b;
    ASSERT_TRUE(env.GetFileBytes(path, &b).ok());
    ASSERT_LT(at, b.size());
    b[at] ^= 0x40;
    ASSERT_TRUE(env.SetFileBytes(path, b).ok());
  }
};

}  // namespace check_test

#endif  // PAGER_TESTS_CHECK_TEST_FILES_H_
