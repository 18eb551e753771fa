// pagerctl dump of a WAL pager's "-wal" sidecar: the list of its frames (--frames) or one
// frame (--frame N), through pager_wal_scan_frames. Read-only, lock-free.
#pragma once

#include <cstdint>
#include <string>

#include "tools/pagerctl/common.h"

namespace pagerctl {

// What the frame dump produced: PAGER_OK and the JSON body (kind "frames" or "frame"), or a
// code and the error. frame < 0: list every frame; else dump that one. Text goes to stdout
// unless as_json.
struct FrameDump {
  int code = PAGER_OK;
  std::string error;
  json body = json::object();
};
FrameDump DumpWalFrames(const std::string& path, int64_t frame, bool as_json);

}  // namespace pagerctl
