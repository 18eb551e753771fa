// Byte copies for pagerctl copy and recover --apply (fsutil.h).
#include "tools/pagerctl/fsutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace pagerctl {

namespace {

int CodeOfErrno(int e) {
  switch (e) {
    case ENOENT: return PAGER_ERR_NOT_FOUND;
    case EEXIST: return PAGER_ERR_EXISTS;
    case EACCES:
    case EPERM:
    case EROFS: return PAGER_ERR_READONLY;
    case ENOSPC:
    case EDQUOT: return PAGER_ERR_NOSPC;
    case ENOMEM: return PAGER_ERR_NOMEM;
    default: return PAGER_ERR_IO;
  }
}

int Errno(const std::string& what, const std::string& path, std::string* error) {
  int e = errno;
  *error = what + " " + path + ": " + std::strerror(e);
  return CodeOfErrno(e);
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

int SyncDir(const std::string& dir, std::string* error) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir, error);
  int rc = ::fsync(fd) == 0 ? PAGER_OK : Errno("fsync", dir, error);
  ::close(fd);
  return rc;
}

int Pump(int in, int out, const std::string& src, const std::string& dst, ProgressBar* bar,
         uint64_t* done, std::string* error) {
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read", src, error);
    if (n == 0) return PAGER_OK;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf.data() + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Errno("write", dst, error);
      off += w;
    }
    *done += static_cast<uint64_t>(n);
    if (bar != nullptr) bar->Update(*done);
  }
}

}  // namespace

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

int CopyFileBytes(const std::string& src, const std::string& dst, ProgressBar* bar,
                  uint64_t* done, std::string* error) {
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("open", src, error);
  struct stat st;
  if (::fstat(in, &st) != 0) {
    int rc = Errno("stat", src, error);
    ::close(in);
    return rc;
  }
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777);
  if (out < 0) {
    int rc = Errno("create", dst, error);
    ::close(in);
    return rc;
  }
  int rc = Pump(in, out, src, dst, bar, done, error);
  if (rc == PAGER_OK && ::fsync(out) != 0) rc = Errno("fsync", dst, error);
  ::close(in);
  if (::close(out) != 0 && rc == PAGER_OK) rc = Errno("close", dst, error);
  if (rc == PAGER_OK) rc = SyncDir(DirOf(dst), error);
  if (rc != PAGER_OK) (void)::unlink(dst.c_str());
  return rc;
}

int CopyDirFiles(const std::string& src, const std::string& dst, ProgressBar* bar,
                 std::string* error) {
  DIR* d = ::opendir(src.c_str());
  if (d == nullptr) return Errno("open directory", src, error);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    struct stat st;
    std::string p = src + "/" + e->d_name;
    if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  if (::mkdir(dst.c_str(), 0755) != 0) return Errno("create directory", dst, error);
  uint64_t done = 0;
  for (const std::string& n : names) {
    int rc = CopyFileBytes(src + "/" + n, dst + "/" + n, bar, &done, error);
    if (rc != PAGER_OK) return rc;
  }
  return SyncDir(DirOf(dst), error);
}

std::string BackupPath(const std::string& path) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  struct tm tm_utc;
  ::gmtime_r(&now, &tm_utc);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm_utc);
  std::string base = path + ".pagerctl-backup-" + stamp;
  std::string candidate = base;
  for (int i = 1; Exists(candidate) || Exists(candidate + "-wal"); i++) {
    candidate = base + "-" + std::to_string(i);
  }
  return candidate;
}

}  // namespace pagerctl
