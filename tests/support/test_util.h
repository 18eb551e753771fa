// Shared helpers for the GoogleTest suites.
#pragma once

#include <signal.h>
#include <sys/resource.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "impl/common/status.h"

namespace pager {
namespace testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Lowers the process's RLIMIT_FSIZE soft limit to `bytes` with SIGXFSZ ignored, so a write or
// growth past it fails with EFBIG instead of killing the process; Restore() (or the
// destructor) puts both back. The whole process is limited: keep the window short. ok() says
// whether both were set (throws nothing; a test asserts it).
class ScopedFileSizeLimit {
 public:
  explicit ScopedFileSizeLimit(uint64_t bytes);
  ~ScopedFileSizeLimit() { Restore(); }
  ScopedFileSizeLimit(const ScopedFileSizeLimit&) = delete;
  ScopedFileSizeLimit& operator=(const ScopedFileSizeLimit&) = delete;
  bool ok() const { return limited_ && ignoring_; }
  void Restore();

 private:
  struct rlimit old_limit_ {};
  struct sigaction old_action_ {};
  bool limited_ = false;
  bool ignoring_ = false;
};

// Deterministic bytes for a (seed, index) pair, so tests can check content without storing it.
std::vector<uint8_t> PatternBytes(uint64_t seed, size_t len);

// The bytes a hex string spells ("4c 50 0a": two digits a byte; spaces and newlines between
// bytes are skipped), for byte-exact format examples.
std::vector<uint8_t> Hex(const char* s);

// Reads / writes a whole file with plain POSIX calls (for corruption tests).
std::vector<uint8_t> ReadWholeFile(const std::string& path);
void WriteWholeFile(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace testing

// gtest prints Codes by name.
inline void PrintTo(Code code, std::ostream* os) { *os << pager_errstr(static_cast<int>(code)); }

}  // namespace pager

// gtest assertions on Status / int codes with the message in the failure output.
#define ASSERT_OK(expr)                                       \
  do {                                                        \
    ::pager::Status _st = (expr);                             \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                       \
  do {                                                        \
    ::pager::Status _st = (expr);                             \
    EXPECT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (0)
#define ASSERT_PAGER_OK(expr)                                                          \
  do {                                                                                 \
    int _rc = (expr);                                                                  \
    ASSERT_EQ(_rc, PAGER_OK) << #expr << ": " << pager_errstr(_rc) << ": " << pager_last_error(); \
  } while (0)
#define EXPECT_PAGER_OK(expr)                                                          \
  do {                                                                                 \
    int _rc = (expr);                                                                  \
    EXPECT_EQ(_rc, PAGER_OK) << #expr << ": " << pager_errstr(_rc) << ": " << pager_last_error(); \
  } while (0)
