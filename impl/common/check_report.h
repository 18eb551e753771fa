// CheckReport: what a read-only check of one on-disk format found (pager.h, section "check").
// Each component fills it from its own readers and recovery (impl/<component>/check.cc);
// capi/check.cc copies it into a pager_check_report.
//
// Invariants:
//   K1. A check never writes: files are opened without write access, locks are shared, no
//       recovery that writes and no file creation. Damage goes into the report (the check
//       returns Ok); a Status error means the check could not tell.
//   K2. damage_code is kCorrupt after Damage(); then damage_file/offset/rule/detail describe
//       the first damage. With damage_code kOk they are empty, or describe the first leftover
//       of an interrupted write that recovery discards (Interrupted(), interrupted = true).
#pragma once

#include <cstdint>
#include <string>

#include "impl/common/status.h"
#include "impl/io/env.h"

namespace pager {

constexpr uint64_t kUnknownOffset = UINT64_MAX;

struct CheckReport {
  uint32_t format = 0;  // PAGER_FORMAT_*
  uint32_t format_version = 0;
  uint32_t page_size = 0;
  uint64_t file_bytes = 0;
  uint64_t generation = 0;
  uint64_t page_count = 0;
  uint64_t free_page_count = 0;
  uint64_t protected_count = 0;
  uint64_t frame_count = 0;
  uint64_t record_count = 0;
  uint64_t segment_count = 0;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;
  uint32_t index_state = 0;    // WAL pager: PAGER_WAL_INDEX_* of the shared index
  uint32_t index_readers = 0;  // WAL pager: live read marks in the shared index
  uint64_t journal_bytes = 0;    // format-2 page file: size of its -journal (0: none)
  uint64_t journal_batches = 0;  // format-2 page file: batches a read-write open would apply
  uint64_t journal_pages = 0;    // page images in them
  bool interrupted = false;
  Code damage_code = Code::kOk;
  uint64_t damage_offset = kUnknownOffset;
  std::string damage_file;
  std::string damage_rule;
  std::string damage_detail;

  bool damaged() const { return damage_code != Code::kOk; }
  // Records the first damage only (later findings are consequences of it); it replaces a
  // leftover noted before.
  void Damage(const std::string& file, uint64_t offset, const std::string& rule,
              const std::string& detail) {
    if (damaged()) return;
    damage_code = Code::kCorrupt;
    Where(file, offset, rule, detail);
  }
  // Notes the leftovers of an interrupted write (not damage); the first one is described.
  void Interrupted(const std::string& file, uint64_t offset, const std::string& rule,
                   const std::string& detail) {
    if (damaged() || interrupted) return;
    interrupted = true;
    Where(file, offset, rule, detail);
  }

 private:
  void Where(const std::string& file, uint64_t offset, const std::string& rule,
             const std::string& detail) {
    damage_file = file;
    damage_offset = offset;
    damage_rule = rule;
    damage_detail = detail;
  }
};

// Which format the file or directory at path holds (PAGER_FORMAT_*), by its magic.
Status DetectFormat(io::Env* env, const std::string& path, uint32_t* format);

}  // namespace pager
