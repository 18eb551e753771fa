// extern "C" shims of pager_wal_scan_frames and its two _init functions: argument checks,
// the fence, and the copy of impl/wal/frame_scan.h's results into the C structs (C8).
// No logic lives here.
#include <cstddef>
#include <cstring>

#include "capi/fence.h"
#include "impl/io/env.h"
#include "impl/wal/frame_scan.h"
#include "pager.h"

namespace {

using pager::Status;
namespace wal = pager::wal;

// C8: each struct's size in its first release (the one after 0.2.0), pinned to its last
// field's end so a field inserted before it fails to compile.
constexpr uint32_t kScanOptionsFirstSize = 24;
constexpr uint32_t kScanSummaryFirstSize = 80;
static_assert(offsetof(pager_wal_scan_options, max_frames) + 8 == kScanOptionsFirstSize,
              "first size");
static_assert(offsetof(pager_wal_scan_summary, trailing_bytes) + 8 == kScanSummaryFirstSize,
              "first size");
static_assert(offsetof(pager_wal_frame_info, page_bytes) + 8 == sizeof(pager_wal_frame_info),
              "no tail padding");

static_assert(static_cast<int>(wal::FrameState::kCommitted) == PAGER_WAL_FRAME_COMMITTED,
              "state values");
static_assert(static_cast<int>(wal::FrameState::kUncommitted) == PAGER_WAL_FRAME_UNCOMMITTED,
              "state values");
static_assert(static_cast<int>(wal::FrameState::kBeyond) == PAGER_WAL_FRAME_BEYOND,
              "state values");

pager_wal_frame_info ToC(const wal::ScannedFrame& f) {
  pager_wal_frame_info c;
  std::memset(&c, 0, sizeof c);
  c.struct_size = sizeof c;
  c.state = static_cast<uint32_t>(f.state);
  c.index = f.index;
  c.offset_bytes = f.offset_bytes;
  c.page_number = f.header.page_number;
  c.commit_page_count = f.header.commit_page_count;
  c.commit_floor_count = f.header.commit_floor_count;
  c.salt1 = f.header.salt1;
  c.salt2 = f.header.salt2;
  c.salts_match = f.salts_match ? 1u : 0u;
  c.checksum_valid = f.checksum_valid ? 1u : 0u;
  c.well_formed = f.well_formed ? 1u : 0u;
  c.checksum = f.header.checksum;
  c.computed_checksum = f.computed_checksum;
  c.page = f.page;
  c.page_bytes = f.page_bytes;
  return c;
}

pager_wal_scan_summary ToC(const wal::ScanSummary& s) {
  pager_wal_scan_summary c;
  std::memset(&c, 0, sizeof c);
  c.has_header = s.has_header ? 1u : 0u;
  c.page_size = s.header.page_size;
  c.salt1 = s.header.salt1;
  c.salt2 = s.header.salt2;
  c.base_checkpoint_seq = s.header.base_checkpoint_seq;
  c.file_id = s.header.file_id;
  c.file_bytes = s.file_bytes;
  c.frame_slots = s.frame_slots;
  c.committed_frames = s.committed_frames;
  c.chain_frames = s.chain_frames;
  c.trailing_bytes = s.trailing_bytes;
  return c;
}

Status ReadScanOptions(const pager_wal_scan_options* opts, wal::ScanOptions* out) {
  pager_wal_scan_options o;
  pager_wal_scan_options_init(&o);
  PAGER_RETURN_IF_ERROR(
      capi::ReadOptions(opts, &o, "pager_wal_scan_options", kScanOptionsFirstSize));
  if (o.reserved != 0) return pager::InvalidArgument("pager_wal_scan_options.reserved is not 0");
  out->first_frame = o.first_frame;
  out->max_frames = o.max_frames;
  return Status::Ok();
}

}  // namespace

extern "C" {

void pager_wal_scan_options_init(pager_wal_scan_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (opts == nullptr) return;
    std::memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
    opts->first_frame = 0;
    opts->max_frames = UINT64_MAX;
  });
}

void pager_wal_scan_summary_init(pager_wal_scan_summary* summary) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (summary == nullptr) return;
    std::memset(summary, 0, sizeof *summary);
    summary->struct_size = sizeof *summary;
  });
}

int pager_wal_scan_frames(const char* path, const pager_wal_scan_options* opts,
                          pager_wal_frame_fn fn, void* ctx,
                          pager_wal_scan_summary* summary_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    if (path[0] == '\0') return pager::InvalidArgument("path is empty");
    wal::ScanOptions o;
    PAGER_RETURN_IF_ERROR(ReadScanOptions(opts, &o));
    if (summary_out != nullptr) {
      PAGER_RETURN_IF_ERROR(capi::CheckResultStruct(summary_out, "pager_wal_scan_summary",
                                                    kScanSummaryFirstSize));
    }
    wal::FrameFn each;
    if (fn != nullptr) {
      each = [&](const wal::ScannedFrame& f) -> Status {
        pager_wal_frame_info c = ToC(f);
        int rc = fn(ctx, &c);
        if (rc == 0) return Status::Ok();
        return Status(pager::Code::kCallback, "pager_wal_scan_frames: fn returned " +
                                                  std::to_string(rc) + " at frame " +
                                                  std::to_string(f.index));
      };
    }
    wal::ScanSummary s;
    PAGER_RETURN_IF_ERROR(wal::ScanFrames(pager::io::DefaultEnv(), path, o, each, &s));
    if (summary_out != nullptr) capi::WriteResultStruct(ToC(s), summary_out);
    return Status::Ok();
  });
}

}  // extern "C"
