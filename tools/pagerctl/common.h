// pagerctl's shared pieces: exit codes, format names, the "cannot tell" wording, the JSON
// envelope, hex dumps, the lock holder (from /proc/locks) and the progress bar.
// pagerctl uses the public C API only (pager.h) and links libpager.so.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "pager.h"

namespace pagerctl {

using nlohmann::json;

constexpr int kExitClean = 0;
constexpr int kExitDamaged = 1;
constexpr int kExitCannotTell = 2;

// The exit status of the command that ran (set by the command's callback).
extern int g_exit;

const char* FormatId(uint32_t format);
const char* FormatTitle(uint32_t format);
// A WAL pager's main file, its -wal sidecar or its -shm index (pager_format_detect).
bool IsWalPager(uint32_t format);
// A page file or its -journal (pager_format_detect).
bool IsPageFile(uint32_t format);
// The main file of a path of that format: a WAL pager's sidecar or index (names ending in -wal
// and -shm), a page file's journal (-journal; pager_format_detect checks the names); any other
// path unchanged.
std::string MainOf(const std::string& path, uint32_t format);
std::string WalMainOf(const std::string& path, uint32_t format);  // MainOf (WAL pager paths)

// Why a call could not tell, in words a shell user acts on: "missing: <detail>".
std::string Why(int code, const std::string& detail);
// Prints "pagerctl: <path>: cannot tell: <why>" (plus who holds the lock for BUSY) to stderr
// and returns kExitCannotTell. detail: pager_last_error() of the failed call.
int CannotTell(const std::string& path, int code, const std::string& detail);
// As CannotTell, but as the JSON error object of the schema ("code", "message").
json ErrorJson(const std::string& path, int code, const std::string& detail);

// The format at path; on failure returns the code with *detail set (INVALID for no magic).
int DetectOrExplain(const std::string& path, uint32_t* format, std::string* detail);

// {"tool", "version", "command", "exit_status"}: every --json output starts with it.
json Envelope(const std::string& command, int exit_status);
void PrintJson(const json& j);

// xxd-like: "00000000: 4c50 4653 ... ASCII" with offsets from base.
void HexDump(const uint8_t* data, uint64_t len, uint64_t base);
std::string Hex(const uint8_t* data, uint64_t len);

// "pid 1234 (name)" of the process the OS says holds a lock on path, or "" if none is known.
std::string LockHolder(const std::string& path);

// Bytes of a file, or of every file of a directory (not recursive); 0 when unreadable.
uint64_t SizeOnDisk(const std::string& path);

// A one-line progress bar on stderr, drawn only when stderr is a terminal and total is at
// least kThresholdBytes; erased when it ends. Never writes anything when stderr is piped.
class ProgressBar {
 public:
  static constexpr uint64_t kThresholdBytes = 64ull << 20;
  ProgressBar(const std::string& label, uint64_t total);
  ~ProgressBar();
  void Update(uint64_t done);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

 private:
  std::string label_;
  uint64_t total_;
  bool on_ = false;
  int last_percent_ = -1;
};

// Registration of each command (tools/pagerctl/<command>.cc).
void AddInfoVerify(CLI::App& app);
void AddDump(CLI::App& app);
void AddReplay(CLI::App& app);
void AddMaintenance(CLI::App& app);  // checkpoint, recover, copy
void AddSnapshot(CLI::App& app);
void AddCold(CLI::App& app);

}  // namespace pagerctl
