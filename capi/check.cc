// extern "C" shims of pager.h section "check": argument checks, the fence, and the copy of a
// CheckReport into the caller's pager_check_report (C8). No logic: impl/check/checks.h.
#include <cstddef>
#include <cstring>

#include "capi/fence.h"
#include "impl/check/checks.h"
#include "impl/io/env.h"
#include "pager.h"

using pager::Status;

namespace {

// C8: pager_check_report's size in the first release that has it (the next after 0.2.0),
// pinned to its last field's end so a field inserted before it fails to compile.
constexpr uint32_t kCheckReportFirstSize = 944;
static_assert(offsetof(pager_check_report, damage_detail) + 512 == kCheckReportFirstSize,
              "first size");

Status CheckPath(const char* path) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
  if (path[0] == '\0') return pager::InvalidArgument("path is empty");
  return Status::Ok();
}

template <size_t N>
void CopyText(const std::string& text, char (&dst)[N]) {
  size_t n = text.size() < N - 1 ? text.size() : N - 1;
  std::memcpy(dst, text.data(), n);
  dst[n] = '\0';
}

pager_check_report ToC(const pager::CheckReport& r) {
  pager_check_report c;
  std::memset(&c, 0, sizeof c);
  c.format = r.format;
  c.format_version = r.format_version;
  c.page_size = r.page_size;
  c.file_bytes = r.file_bytes;
  c.generation = r.generation;
  c.page_count = r.page_count;
  c.free_page_count = r.free_page_count;
  c.protected_count = r.protected_count;
  c.frame_count = r.frame_count;
  c.record_count = r.record_count;
  c.segment_count = r.segment_count;
  c.first_lsn = r.first_lsn;
  c.last_lsn = r.last_lsn;
  c.index_state = r.index_state;
  c.index_readers = r.index_readers;
  c.journal_bytes = r.journal_bytes;
  c.journal_batches = r.journal_batches;
  c.journal_pages = r.journal_pages;
  c.interrupted = r.interrupted ? 1u : 0u;
  c.damage_code = static_cast<int32_t>(r.damage_code);
  c.damage_offset = r.damage_file.empty() ? 0 : r.damage_offset;
  CopyText(r.damage_file, c.damage_file);
  CopyText(r.damage_rule, c.damage_rule);
  CopyText(r.damage_detail, c.damage_detail);
  return c;
}

int Check(const char* path, uint32_t format, pager_check_report* report) noexcept {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    PAGER_RETURN_IF_ERROR(
        capi::CheckResultStruct(report, "pager_check_report", kCheckReportFirstSize));
    pager::CheckReport r;
    PAGER_RETURN_IF_ERROR(pager::CheckAs(pager::io::DefaultEnv(), path, format, &r));
    capi::WriteResultStruct(ToC(r), report);
    return Status::Ok();
  });
}

}  // namespace

extern "C" {

int pager_format_detect(const char* path, uint32_t* format_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckPath(path));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(format_out, "format_out"));
    uint32_t format = PAGER_FORMAT_UNKNOWN;
    PAGER_RETURN_IF_ERROR(pager::DetectFormat(pager::io::DefaultEnv(), path, &format));
    *format_out = format;
    return Status::Ok();
  });
}

void pager_check_report_init(pager_check_report* report) PAGER_NOEXCEPT {
  capi::VoidFence([&]() {
    if (report == nullptr) return;
    std::memset(static_cast<void*>(report), 0, sizeof *report);
    report->struct_size = sizeof *report;
  });
}

int pager_file_check(const char* path, pager_check_report* report) PAGER_NOEXCEPT {
  return Check(path, PAGER_FORMAT_FILE, report);
}
int pager_wal_check(const char* path, pager_check_report* report) PAGER_NOEXCEPT {
  return Check(path, PAGER_FORMAT_WAL_MAIN, report);
}
int pager_walseg_check(const char* path, pager_check_report* report) PAGER_NOEXCEPT {
  return Check(path, PAGER_FORMAT_WALSEG_SEGMENT, report);
}
int pager_snapshot_check(const char* path, pager_check_report* report) PAGER_NOEXCEPT {
  return Check(path, PAGER_FORMAT_SNAPSHOT, report);
}

}  // extern "C"
