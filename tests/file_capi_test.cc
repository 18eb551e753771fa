// Mapped page file through the C API on the real file system: options, errors, pointers,
// transactions, iterators, sub-pages, and multi-process locking with fork().
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tests/support/test_util.h"

namespace {

using pager::testing::TempDir;

pager_file_options Opts(uint32_t page_size = 4096) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = page_size;
  o.max_size_bytes = uint64_t{1} << 32;
  return o;
}

// Explicit, modest reservations: the 1 TiB default cannot be reserved under ThreadSanitizer.
const pager_file_options* Small() {
  static pager_file_options o = Opts();
  return &o;
}

pager_file_options ReadOnly() {
  pager_file_options o = Opts(0);
  o.read_only = 1;
  return o;
}

TEST(FileCapi, RoundTripOnDisk) {
  TempDir dir;
  std::string path = dir.File("pages");
  pager_file_options o = Opts();
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(path.c_str(), &o, &f));
  uint32_t ps = 0;
  ASSERT_PAGER_OK(pager_file_page_size(f, &ps));
  EXPECT_EQ(ps, 4096u);
  uint64_t ids[3];
  ASSERT_PAGER_OK(pager_file_alloc_bulk(f, ids, 3));
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_page(f, ids[1], &p));
  std::memcpy(p, "hello", 6);
  ASSERT_PAGER_OK(pager_file_sync_pages(f, ids, 3));
  uint64_t pid = 0;
  ASSERT_PAGER_OK(pager_file_protected_alloc(f, &pid));
  pager_file_txn* txn = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_begin(f, &txn));
  void* data = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(txn, pid, &data));
  std::memcpy(data, "protected", 10);
  ASSERT_PAGER_OK(pager_file_txn_commit(txn));
  EXPECT_EQ(pager_file_txn_commit(txn), PAGER_ERR_INVALID);
  pager_file_txn_free(txn);
  pager_file_close(f);

  pager_file_options ro = ReadOnly();
  ASSERT_PAGER_OK(pager_file_open(path.c_str(), &ro, &f));
  const void* cp = nullptr;
  ASSERT_PAGER_OK(pager_file_page_const(f, ids[1], &cp));
  EXPECT_STREQ(static_cast<const char*>(cp), "hello");
  std::vector<char> buf(4096);
  ASSERT_PAGER_OK(pager_file_protected_read(f, pid, buf.data(), buf.size()));
  EXPECT_STREQ(buf.data(), "protected");
  EXPECT_EQ(pager_file_alloc(f, &pid), PAGER_ERR_READONLY);
  EXPECT_NE(std::string(pager_last_error()).find("read-only"), std::string::npos);
  pager_file_iter* it = nullptr;
  ASSERT_PAGER_OK(pager_file_iter_pages(f, &it));
  std::vector<uint64_t> seen;
  uint64_t id = 0;
  uint32_t found = 0;
  while (pager_file_iter_next(it, &id, &found) == PAGER_OK && found) seen.push_back(id);
  pager_file_iter_free(it);
  EXPECT_EQ(seen, std::vector<uint64_t>(ids, ids + 3));
  ASSERT_PAGER_OK(pager_file_iter_protected(f, &it));
  ASSERT_PAGER_OK(pager_file_iter_next(it, &id, &found));
  EXPECT_EQ(found, 1u);
  EXPECT_EQ(id, pid);
  ASSERT_PAGER_OK(pager_file_iter_next(it, &id, &found));
  EXPECT_EQ(found, 0u);
  pager_file_close(f);
  // The iterator outlives the file: calls fail cleanly.
  EXPECT_EQ(pager_file_iter_next(it, &id, &found), PAGER_ERR_INVALID);
  pager_file_iter_free(it);
}

TEST(FileCapi, ArgumentAndOptionErrors) {
  TempDir dir;
  std::string path = dir.File("p");
  pager_file* f = nullptr;
  EXPECT_EQ(pager_file_create(nullptr, nullptr, &f), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_create(path.c_str(), nullptr, nullptr), PAGER_ERR_INVALID);
  pager_file_options o = Opts(3000);
  EXPECT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_ERR_INVALID);
  o = Opts();
  o.format_version = 3;
  EXPECT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_ERR_INVALID);
  o = Opts();
  o.struct_size = 2;
  EXPECT_EQ(pager_file_create(path.c_str(), &o, &f), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_open(dir.File("missing").c_str(), nullptr, &f), PAGER_ERR_NOT_FOUND);
  ASSERT_PAGER_OK(pager_file_create(path.c_str(), Small(), &f));
  pager_file* g = nullptr;
  EXPECT_EQ(pager_file_create(path.c_str(), Small(), &g), PAGER_ERR_EXISTS);
  EXPECT_EQ(pager_file_alloc(nullptr, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_alloc(f, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_free_bulk(f, nullptr, 2), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_free_bulk(f, nullptr, 0), PAGER_OK);
  EXPECT_EQ(pager_file_free(f, 1), PAGER_ERR_RESERVED);
  EXPECT_EQ(pager_file_free(f, 1000000), PAGER_ERR_RANGE);
  uint64_t id = 0;
  ASSERT_PAGER_OK(pager_file_alloc(f, &id));
  uint64_t list[] = {id, id};
  EXPECT_EQ(pager_file_free_bulk(f, list, 2), PAGER_ERR_DUPLICATE);
  EXPECT_NE(std::string(pager_last_error()).find(std::to_string(id)), std::string::npos);
  ASSERT_PAGER_OK(pager_file_free(f, id));
  EXPECT_EQ(pager_file_free(f, id), PAGER_ERR_DOUBLE_FREE);
  pager_file_close(f);
  pager_file_close(nullptr);
  pager_file_txn_free(nullptr);
  pager_file_iter_free(nullptr);
  pager_file_subpages_free(nullptr);
  pager_file_options_init(nullptr);
  o = Opts(1024);  // a file opened expecting another page size
  EXPECT_EQ(pager_file_open(path.c_str(), &o, &f), PAGER_ERR_PAGE_SIZE);
}

TEST(FileCapi, NewerCallerOptionsWithZeroTailAreAccepted) {
  TempDir dir;
  struct Bigger {
    pager_file_options base;
    uint64_t future_field;
  } big;
  pager_file_options_init(&big.base);
  big.base.struct_size = sizeof big;
  big.base.max_size_bytes = uint64_t{1} << 32;
  big.future_field = 0;
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(dir.File("a").c_str(), &big.base, &f));
  pager_file_close(f);
  big.future_field = 1;
  EXPECT_EQ(pager_file_create(dir.File("b").c_str(), &big.base, &f), PAGER_ERR_INVALID);
}

TEST(FileCapi, NullOptionsMeanDefaults) {
  pager_file_options d;
  pager_file_options_init(&d);
  EXPECT_EQ(d.struct_size, sizeof d);
  EXPECT_EQ(d.page_size, 0u);  // 4096 on create, the file's on open
  EXPECT_EQ(d.max_size_bytes, uint64_t{1} << 40);
  EXPECT_EQ(d.lock_timeout_ms, 0);
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer cannot reserve the default 1 TiB of address space";
#else
  TempDir dir;
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(dir.File("d").c_str(), nullptr, &f));
  uint32_t ps = 0;
  ASSERT_PAGER_OK(pager_file_page_size(f, &ps));
  EXPECT_EQ(ps, 4096u);
  pager_file_close(f);
  ASSERT_PAGER_OK(pager_file_open(dir.File("d").c_str(), nullptr, &f));
  pager_file_close(f);
#endif
}

TEST(FileCapi, SubPagesThroughTheCApi) {
  TempDir dir;
  pager_file* f = nullptr;
  pager_file_options o = Opts(1024);
  ASSERT_PAGER_OK(pager_file_create(dir.File("s").c_str(), &o, &f));
  pager_file_subpages* s = nullptr;
  EXPECT_EQ(pager_file_subpages_create(f, 7, &s), PAGER_ERR_INVALID);
  ASSERT_PAGER_OK(pager_file_subpages_create(f, 64, &s));
  uint64_t ids[20];
  ASSERT_PAGER_OK(pager_file_subpage_alloc_bulk(s, ids, 20));
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_subpage(s, ids[19], &p));
  std::memset(p, 1, 64);
  uint64_t n = 0;
  ASSERT_PAGER_OK(pager_file_subpage_count(s, &n));
  EXPECT_EQ(n, 20u);
  uint64_t dup[] = {ids[0], ids[0]};
  EXPECT_EQ(pager_file_subpage_free_bulk(s, dup, 2), PAGER_ERR_DUPLICATE);
  ASSERT_PAGER_OK(pager_file_subpage_free_bulk(s, ids, 20));
  EXPECT_EQ(pager_file_subpage_free(s, ids[0]), PAGER_ERR_DOUBLE_FREE);
  EXPECT_EQ(pager_file_subpage_mark_used(s, ids, 1), PAGER_ERR_NOT_FOUND);  // parent was freed
  uint64_t parent = 0;
  ASSERT_PAGER_OK(pager_file_alloc(f, &parent));
  uint64_t rebuilt[] = {parent * 64 + 3};
  ASSERT_PAGER_OK(pager_file_subpage_mark_used(s, rebuilt, 1));
  EXPECT_EQ(pager_file_subpage_mark_used(s, rebuilt, 1), PAGER_ERR_EXISTS);
  pager_file_close(f);
  EXPECT_EQ(pager_file_subpage_alloc(s, ids), PAGER_ERR_INVALID);  // file closed
  pager_file_subpages_free(s);
}

// ---- multi-process locking --------------------------------------------------------------------

// Runs fn in a child process and returns its exit code (the child's result code).
int InChild(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

int TryOpen(const std::string& path, pager_file_options o) {
  pager_file* f = nullptr;
  int rc = pager_file_open(path.c_str(), &o, &f);
  pager_file_close(f);
  return rc;
}

TEST(FileLock, SecondProcessReadWriteOpenIsBusy) {
  TempDir dir;
  std::string path = dir.File("l");
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(path.c_str(), Small(), &f));
  EXPECT_EQ(InChild([&] { return TryOpen(path, Opts(0)); }), PAGER_ERR_BUSY);
  EXPECT_EQ(InChild([&] { return TryOpen(path, ReadOnly()); }), PAGER_ERR_BUSY);
  pager_file_close(f);
  EXPECT_EQ(InChild([&] { return TryOpen(path, Opts(0)); }), PAGER_OK);
}

TEST(FileLock, ManyReadOnlyProcessesButNoWriter) {
  TempDir dir;
  std::string path = dir.File("l");
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(path.c_str(), Small(), &f));
  pager_file_close(f);
  pager_file_options ro = ReadOnly();
  ASSERT_PAGER_OK(pager_file_open(path.c_str(), &ro, &f));
  EXPECT_EQ(InChild([&] { return TryOpen(path, ReadOnly()); }), PAGER_OK);
  EXPECT_EQ(InChild([&] { return TryOpen(path, Opts(0)); }), PAGER_ERR_BUSY);
  pager_file_close(f);
}

TEST(FileLock, OpenWaitsUpToTheTimeoutForTheLock) {
  TempDir dir;
  std::string path = dir.File("l");
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(path.c_str(), Small(), &f));
  pager_file_close(f);
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t child = fork();
  if (child == 0) {
    pager_file* c = nullptr;
    pager_file_options o = Opts(0);
    int rc = pager_file_open(path.c_str(), &o, &c);
    char b = rc == PAGER_OK ? 'y' : 'n';
    if (write(pipefd[1], &b, 1) != 1) _exit(2);
    usleep(300 * 1000);  // hold the lock for 300 ms
    pager_file_close(c);
    _exit(0);
  }
  char b = 0;
  ASSERT_EQ(read(pipefd[0], &b, 1), 1);
  ASSERT_EQ(b, 'y');
  pager_file_options quick = Opts(0);
  EXPECT_EQ(pager_file_open(path.c_str(), &quick, &f), PAGER_ERR_BUSY);
  pager_file_options patient = Opts(0);
  patient.lock_timeout_ms = 5000;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_PAGER_OK(pager_file_open(path.c_str(), &patient, &f));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GT(waited, std::chrono::milliseconds(50));
  pager_file_close(f);
  int status = 0;
  waitpid(child, &status, 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

TEST(FileLock, ChildSeesTheParentsCommits) {
  TempDir dir;
  std::string path = dir.File("l");
  pager_file* f = nullptr;
  ASSERT_PAGER_OK(pager_file_create(path.c_str(), Small(), &f));
  uint64_t ids[7];
  ASSERT_PAGER_OK(pager_file_alloc_bulk(f, ids, 7));
  pager_file_close(f);
  int rc = InChild([&] {
    pager_file* c = nullptr;
    pager_file_options o = ReadOnly();
    if (pager_file_open(path.c_str(), &o, &c) != PAGER_OK) return 100;
    pager_file_iter* it = nullptr;
    pager_file_iter_pages(c, &it);
    uint64_t id = 0;
    uint32_t found = 0;
    int n = 0;
    while (pager_file_iter_next(it, &id, &found) == PAGER_OK && found) n++;
    pager_file_iter_free(it);
    pager_file_close(c);
    return n;
  });
  EXPECT_EQ(rc, 7);
}

}  // namespace
