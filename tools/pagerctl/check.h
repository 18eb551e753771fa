// The check of one FILE, as info, verify and recover use it (pager.h section "check").
#pragma once

#include <string>

#include "pager.h"

namespace pagerctl {

// What one FILE gave: a report, or the error that kept the check from telling.
struct Outcome {
  std::string path;
  uint32_t format = PAGER_FORMAT_UNKNOWN;
  int code = PAGER_OK;  // of detect or check
  std::string error;    // pager_last_error() or pagerctl's own message
  pager_check_report report{};
};

// pager_format_detect, then the format's pager_*_check.
Outcome Examine(const std::string& path);

}  // namespace pagerctl
