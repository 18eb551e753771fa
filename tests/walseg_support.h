// Helpers shared by the segment-log test files (tests/walseg_writer_test.cc,
// tests/walseg_crash_test.cc).
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/env.h"
#include "impl/walseg/reader.h"

namespace pager {
namespace walseg {

// What a replay of a segment directory read: every record's LSN, whether each payload was the
// one expected for its LSN, and where and why the replay stopped.
struct ReplayResult {
  std::vector<uint64_t> lsns;
  StopReason reason = StopReason::kNone;
  std::string detail;
  uint64_t stop_segment = 0;
  uint64_t stop_offset = 0;
  size_t opened = 0;
  bool payloads_ok = true;
  Status error;
};

// Replays dir from LSN `from` to its end; payload_for(lsn) is the payload each record must have.
inline ReplayResult ReplayLog(io::Env* env, const std::string& dir, uint64_t from,
                              std::vector<uint8_t> (*payload_for)(uint64_t lsn)) {
  ReplayResult out;
  std::unique_ptr<LogReplay> rp;
  out.error = LogReplay::Open(env, dir, from, ReaderOptions(), &rp);
  if (!out.error.ok()) return out;
  for (;;) {
    RecordView v;
    bool found = false;
    out.error = rp->Next(&v, &found);
    if (!out.error.ok() || !found) break;
    out.lsns.push_back(v.lsn);
    std::vector<uint8_t> want = payload_for(v.lsn);
    if (v.len != want.size() || (v.len > 0 && std::memcmp(v.data, want.data(), v.len) != 0)) {
      out.payloads_ok = false;
    }
  }
  out.reason = rp->stop_reason();
  out.detail = rp->stop_detail();
  out.stop_segment = rp->stop_segment_lsn();
  out.stop_offset = rp->stop_offset();
  out.opened = rp->segments_opened();
  return out;
}

}  // namespace walseg
}  // namespace pager
