#include "tests/support/test_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>

namespace pager {
namespace testing {

ScopedFileSizeLimit::ScopedFileSizeLimit(uint64_t bytes) {
  struct sigaction ignore;
  std::memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  ignoring_ = sigaction(SIGXFSZ, &ignore, &old_action_) == 0;
  if (!ignoring_ || getrlimit(RLIMIT_FSIZE, &old_limit_) != 0) return;
  struct rlimit small = old_limit_;
  small.rlim_cur = bytes;
  limited_ = setrlimit(RLIMIT_FSIZE, &small) == 0;
}

void ScopedFileSizeLimit::Restore() {
  if (limited_) setrlimit(RLIMIT_FSIZE, &old_limit_);
  if (ignoring_) sigaction(SIGXFSZ, &old_action_, nullptr);
  limited_ = ignoring_ = false;
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/pager-test.XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  nftw(
      path_.c_str(),
      [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

std::vector<uint8_t> Hex(const char* s) {
  std::vector<uint8_t> out;
  for (const char* p = s; *p;) {
    if (*p == ' ' || *p == '\n') {
      p++;
      continue;
    }
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(p, 2), nullptr, 16)));
    p += 2;
  }
  return out;
}

std::vector<uint8_t> PatternBytes(uint64_t seed, size_t len) {
  std::vector<uint8_t> out(len);
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  for (size_t i = 0; i < len; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < len; j++) out[i + j] = static_cast<uint8_t>(v >> (8 * j));
  }
  return out;
}

std::vector<uint8_t> ReadWholeFile(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  uint8_t buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  fclose(f);
  return out;
}

void WriteWholeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot create " + path);
  if (!bytes.empty() && fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    fclose(f);
    throw std::runtime_error("short write to " + path);
  }
  fclose(f);
}

}  // namespace testing
}  // namespace pager
