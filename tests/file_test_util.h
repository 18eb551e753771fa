// Helpers shared by the tests/file_*_test.cc suites.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "impl/file/page_file.h"
#include "impl/file/subpages.h"
#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace pager {
namespace file {
namespace testing {

inline FileOptions SmallOptions(uint32_t page_size = 1024) {
  FileOptions o;
  o.page_size = page_size;
  o.max_size_bytes = uint64_t{1} << 30;
  o.initial_page_count = 16;
  return o;
}

// A format-2 (journaled, P14-P16) file's options with the given lap.
inline FileOptions JournaledOptions(uint64_t lap_bytes = kJournalLapBytes) {
  FileOptions o = SmallOptions();
  o.format_version = kFormatVersion;
  o.journal_lap_bytes = lap_bytes;
  return o;
}

// o for opening an existing file: the page size is the file's.
inline FileOptions ForOpen(FileOptions o) {
  o.page_size = 0;
  return o;
}

inline std::unique_ptr<PageFile> MustCreate(io::Env* env, const std::string& path,
                                            const FileOptions& o) {
  std::unique_ptr<PageFile> pf;
  Status st = PageFile::Create(env, path, o, &pf);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return pf;
}

inline std::unique_ptr<PageFile> MustOpen(io::Env* env, const std::string& path,
                                          FileOptions o) {
  o.page_size = 0;
  std::unique_ptr<PageFile> pf;
  Status st = PageFile::Open(env, path, o, &pf);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return pf;
}

// A regular page's bytes through the mapping (empty, and a test failure, if refused).
inline std::vector<uint8_t> PageBytes(PageFile* pf, uint64_t page) {
  uint8_t* p = nullptr;
  Status st = pf->PagePointer(page, false, &p);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (!st.ok()) return {};
  return std::vector<uint8_t>(p, p + pf->page_size());
}

// Writes bytes into a regular page through the mapping.
inline Status WritePage(PageFile* pf, uint64_t page, const std::vector<uint8_t>& bytes) {
  uint8_t* p = nullptr;
  PAGER_RETURN_IF_ERROR(pf->PagePointer(page, true, &p));
  std::memcpy(p, bytes.data(), bytes.size());
  return Status::Ok();
}

inline std::set<uint64_t> RegularPages(PageFile* pf) {
  std::set<uint64_t> out;
  uint64_t next = 0, id = 0;
  bool found = true;
  while (true) {
    Status st = pf->NextRegular(next, &id, &found);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || !found) break;
    out.insert(id);
    next = id + 1;
  }
  return out;
}

inline std::set<uint64_t> ProtectedIds(PageFile* pf) {
  std::set<uint64_t> out;
  uint64_t next = 1, id = 0;
  bool found = true;
  while (true) {
    Status st = pf->NextProtected(next, &id, &found);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok() || !found) break;
    out.insert(id);
    next = id + 1;
  }
  return out;
}

inline std::vector<uint8_t> ReadProtected(PageFile* pf, uint64_t id) {
  std::vector<uint8_t> buf(pf->page_size());
  Status st = pf->ProtectedRead(id, buf.data(), buf.size());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return buf;
}

// Options of a small page file for C API tests.
inline pager_file_options CapiOptions(uint32_t page_size) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = page_size;
  o.max_size_bytes = uint64_t{1} << 30;
  o.initial_page_count = 16;
  return o;
}

// The code of a read-only pager_file_open of path (the handle, if any, closed again).
inline int ReadOnlyOpenCode(const char* path, uint64_t max_size_bytes) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.read_only = 1;
  o.max_size_bytes = max_size_bytes;
  pager_file* f = nullptr;
  int rc = pager_file_open(path, &o, &f);
  pager_file_close(f);
  return rc;
}

// A page file created through the C API on an in-memory environment (MemEnv, or FaultEnv
// whose operation counter shows whether a call did any I/O).
template <typename EnvT>
struct CapiFile {
  EnvT env;
  outparam::ScopedEnv scoped{&env};
  pager_file* f = nullptr;
  explicit CapiFile(uint32_t page_size = 1024) {
    pager_file_options o = CapiOptions(page_size);
    EXPECT_EQ(pager_file_create("/f", &o, &f), PAGER_OK) << pager_last_error();
  }
  ~CapiFile() { pager_file_close(f); }
  CapiFile(const CapiFile&) = delete;
  CapiFile& operator=(const CapiFile&) = delete;
};

}  // namespace testing
}  // namespace file
}  // namespace pager
