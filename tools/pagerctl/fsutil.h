// Byte copies for pagerctl copy and recover --apply (the backup). Formats are never parsed
// here: these copy whole files the library's own locks or reader opens keep still.
#pragma once

#include <cstdint>
#include <string>

#include "tools/pagerctl/common.h"

namespace pagerctl {

// Copies src to dst (created, must not exist; mode of src), fsyncs dst and its directory.
// PAGER_OK, or a PAGER_ERR_* code with *error set (dst removed again on failure).
int CopyFileBytes(const std::string& src, const std::string& dst, ProgressBar* bar,
                  uint64_t* done, std::string* error);
// Copies every regular file of directory src into a new directory dst.
int CopyDirFiles(const std::string& src, const std::string& dst, ProgressBar* bar,
                 std::string* error);
bool Exists(const std::string& path);
// "<path>.pagerctl-backup-YYYYmmddTHHMMSS" (with -N appended if it exists).
std::string BackupPath(const std::string& path);

}  // namespace pagerctl
