// Records of a WAL segment file or segment directory (pager_walseg_reader / _replay), as dump
// and replay read them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tools/pagerctl/common.h"

namespace pagerctl {

struct Stop {
  uint32_t reason = PAGER_WALSEG_STOP_NONE;
  uint64_t offset = 0;    // in the segment where it stopped
  uint64_t last_lsn = 0;  // the last valid record's LSN (0: none)
  std::string detail;     // "" for a clean end
};

const char* StopName(uint32_t reason);

// Calls fn for every record with LSN >= from_lsn (fn returns false to stop early) of the
// segment file or directory at path, then fills *stop. Returns a PAGER_ERR_* code with
// *error set when it could not read (*stop is then unset).
int ForEachRecord(const std::string& path, bool is_dir, uint64_t from_lsn,
                  const std::function<bool(const pager_walseg_record&)>& fn, Stop* stop,
                  std::string* error);

json RecordJson(const pager_walseg_record& rec);
json StopJson(const Stop& stop);

}  // namespace pagerctl
