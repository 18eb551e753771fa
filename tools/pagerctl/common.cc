// pagerctl's shared pieces (common.h).
#include "tools/pagerctl/common.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cinttypes>
#include <dirent.h>
#include <fstream>
#include <iostream>
#include <sstream>

namespace pagerctl {

int g_exit = kExitClean;

const char* FormatId(uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return "page-file";
    case PAGER_FORMAT_FILE_JOURNAL: return "page-file-journal";
    case PAGER_FORMAT_WAL_MAIN: return "wal-main";
    case PAGER_FORMAT_WAL_LOG: return "wal-log";
    case PAGER_FORMAT_WAL_SHM: return "wal-shm";
    case PAGER_FORMAT_WALSEG_SEGMENT: return "walseg-segment";
    case PAGER_FORMAT_WALSEG_DIR: return "walseg-dir";
    case PAGER_FORMAT_SNAPSHOT: return "snapshot";
    default: return "unknown";
  }
}

const char* FormatTitle(uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return "page file";
    case PAGER_FORMAT_FILE_JOURNAL: return "page file (-journal; checked with its page file)";
    case PAGER_FORMAT_WAL_MAIN: return "WAL pager (main file and -wal sidecar)";
    case PAGER_FORMAT_WAL_LOG: return "WAL pager (-wal sidecar; checked with its main file)";
    case PAGER_FORMAT_WAL_SHM: return "WAL pager (-shm shared index; checked with its main file)";
    case PAGER_FORMAT_WALSEG_SEGMENT: return "WAL segment";
    case PAGER_FORMAT_WALSEG_DIR: return "WAL segment directory";
    case PAGER_FORMAT_SNAPSHOT: return "KV-cache snapshot";
    default: return "not a libpager file";
  }
}

bool IsWalPager(uint32_t format) {
  return format == PAGER_FORMAT_WAL_MAIN || format == PAGER_FORMAT_WAL_LOG ||
         format == PAGER_FORMAT_WAL_SHM;
}

bool IsPageFile(uint32_t format) {
  return format == PAGER_FORMAT_FILE || format == PAGER_FORMAT_FILE_JOURNAL;
}

std::string MainOf(const std::string& path, uint32_t format) {
  static const std::string kJournalSuffix = "-journal";
  if (format == PAGER_FORMAT_FILE_JOURNAL) {
    return path.substr(0, path.size() - kJournalSuffix.size());
  }
  const bool named = format == PAGER_FORMAT_WAL_LOG || format == PAGER_FORMAT_WAL_SHM;
  return named ? path.substr(0, path.size() - 4) : path;
}

std::string WalMainOf(const std::string& path, uint32_t format) { return MainOf(path, format); }

std::string Why(int code, const std::string& detail) {
  std::string why;
  switch (code) {
    case PAGER_ERR_NOT_FOUND: why = "missing"; break;
    case PAGER_ERR_BUSY: why = "locked by a writer"; break;
    case PAGER_ERR_VERSION: why = "unknown format version or feature"; break;
    case PAGER_ERR_READONLY: why = "permission denied"; break;
    case PAGER_ERR_INVALID: why = "not a libpager file"; break;
    case PAGER_ERR_CORRUPT: why = "damaged"; break;
    default: why = pager_errstr(code); break;
  }
  return why + (detail.empty() ? "" : ": " + detail);
}

namespace {
std::string Message(const std::string& path, int code, const std::string& detail) {
  std::string m = Why(code, detail);
  if (code == PAGER_ERR_BUSY) {
    std::string holder = LockHolder(path);
    if (!holder.empty()) m += " (held by " + holder + ")";
  }
  return m;
}
}  // namespace

int CannotTell(const std::string& path, int code, const std::string& detail) {
  std::fprintf(stderr, "pagerctl: %s: cannot tell: %s\n", path.c_str(),
               Message(path, code, detail).c_str());
  return kExitCannotTell;
}

json ErrorJson(const std::string& path, int code, const std::string& detail) {
  return {{"code", pager_errstr(code)}, {"message", Message(path, code, detail)}};
}

int DetectOrExplain(const std::string& path, uint32_t* format, std::string* detail) {
  int rc = pager_format_detect(path.c_str(), format);
  if (rc != PAGER_OK) {
    *detail = pager_last_error();
    return rc;
  }
  if (*format == PAGER_FORMAT_UNKNOWN) {
    *detail = "no known magic at its start";
    return PAGER_ERR_INVALID;
  }
  return PAGER_OK;
}

json Envelope(const std::string& command, int exit_status) {
  return {{"tool", "pagerctl"},
          {"version", pager_version_string()},
          {"command", command},
          {"exit_status", exit_status}};
}

void PrintJson(const json& j) { std::cout << j.dump(2) << "\n" << std::flush; }

void HexDump(const uint8_t* data, uint64_t len, uint64_t base) {
  for (uint64_t at = 0; at < len; at += 16) {
    std::printf("%08" PRIx64 ":", base + at);
    for (uint64_t i = 0; i < 16; i++) {
      if (i % 2 == 0) std::printf(" ");
      if (at + i < len) {
        std::printf("%02x", data[at + i]);
      } else {
        std::printf("  ");
      }
    }
    std::printf("  ");
    for (uint64_t i = 0; i < 16 && at + i < len; i++) {
      uint8_t c = data[at + i];
      std::putchar(c >= 0x20 && c < 0x7f ? c : '.');
    }
    std::printf("\n");
  }
}

std::string Hex(const uint8_t* data, uint64_t len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(len * 2);
  for (uint64_t i = 0; i < len; i++) {
    s.push_back(kDigits[data[i] >> 4]);
    s.push_back(kDigits[data[i] & 15]);
  }
  return s;
}

namespace {

// One lock line of /proc/locks or of a "lock:" line of /proc/PID/fdinfo/FD:
// "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (device in hex). Returns the pid field
// ("-1" for an open-file-description lock, whose owner is not a process) when the line is a
// WRITE lock on st's file, else "".
std::string WriteLockPid(const std::string& line, const struct stat& st) {
  std::istringstream in(line);
  std::string n, kind, advisory, mode, pid, dev;
  if (!(in >> n >> kind)) return "";
  if (kind == "->") in >> kind;  // a blocked waiter
  if (!(in >> advisory >> mode >> pid >> dev)) return "";
  unsigned major = 0, minor = 0;
  unsigned long long ino = 0;
  if (std::sscanf(dev.c_str(), "%x:%x:%llu", &major, &minor, &ino) != 3) return "";
  if (ino != st.st_ino || major != ::major(st.st_dev) || minor != ::minor(st.st_dev)) return "";
  return mode == "WRITE" ? pid : "";
}

// An open-file-description lock (F_OFD_SETLK, the WAL pager's) shows pid -1 in /proc/locks;
// the process holding it is the one whose /proc/PID/fdinfo/FD lists the lock.
std::string OfdLockOwnerPid(const struct stat& st) {
  DIR* procs = ::opendir("/proc");
  if (procs == nullptr) return "";
  std::string found;
  while (found.empty()) {
    struct dirent* p = ::readdir(procs);
    if (p == nullptr) break;
    if (p->d_name[0] < '1' || p->d_name[0] > '9') continue;
    std::string fdinfo = std::string("/proc/") + p->d_name + "/fdinfo";
    DIR* fds = ::opendir(fdinfo.c_str());
    if (fds == nullptr) continue;  // gone, or not ours to read
    while (struct dirent* f = ::readdir(fds)) {
      std::ifstream info(fdinfo + "/" + f->d_name);
      std::string line;
      while (std::getline(info, line)) {
        if (line.compare(0, 5, "lock:") == 0 && !WriteLockPid(line.substr(5), st).empty()) {
          found = p->d_name;
        }
      }
      if (!found.empty()) break;
    }
    ::closedir(fds);
  }
  ::closedir(procs);
  return found;
}

}  // namespace

std::string LockHolder(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::string pid = WriteLockPid(line, st);
    if (pid.empty()) continue;
    if (pid == "-1") pid = OfdLockOwnerPid(st);
    if (pid.empty()) return "";
    std::string name;
    std::ifstream comm("/proc/" + pid + "/comm");
    std::getline(comm, name);
    return "pid " + pid + (name.empty() ? "" : " (" + name + ")");
  }
  return "";
}

uint64_t SizeOnDisk(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return static_cast<uint64_t>(st.st_size);
  uint64_t total = 0;
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return 0;
  while (struct dirent* e = ::readdir(d)) {
    struct stat fs;
    std::string p = path + "/" + e->d_name;
    if (::stat(p.c_str(), &fs) == 0 && S_ISREG(fs.st_mode)) total += fs.st_size;
  }
  ::closedir(d);
  return total;
}

ProgressBar::ProgressBar(const std::string& label, uint64_t total)
    : label_(label), total_(total), on_(::isatty(STDERR_FILENO) == 1 && total >= kThresholdBytes) {
  Update(0);
}

ProgressBar::~ProgressBar() {
  if (on_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::Update(uint64_t done) {
  if (!on_) return;
  int percent = static_cast<int>(total_ == 0 ? 100 : (done >= total_ ? 100 : done * 100 / total_));
  if (percent == last_percent_) return;
  last_percent_ = percent;
  constexpr int kWidth = 30;
  std::string bar(kWidth * percent / 100, '#');
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r%s [%s] %3d%%", label_.c_str(), bar.c_str(), percent);
  std::fflush(stderr);
}

}  // namespace pagerctl
