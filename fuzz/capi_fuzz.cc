// libFuzzer harness: the C API surface as a whole. The input is decoded into a sequence of
// calls of exported pager_* functions of every component (file, wal, walseg, cold, snapshot
// with the reference engine and a hostile adapter) with hostile arguments: NULL pointers,
// wrong lengths, UINT32_MAX / UINT64_MAX and other huge counts, out-of-range and duplicate
// ids, struct_size 0 / tiny / exact / larger with zero or non-zero unknown bytes, children
// used after their parent was closed (C4), overlapping cold ranges, crossed paths (a WAL file
// opened as a page file...), and the read-only checks (pager_format_detect, pager_*_check) on
// every file the input made and on forged files: a format's magic followed by input bytes, or
// a copy of a real file with a byte flipped, a truncation, zeroed sectors or garbage appended.
//
// Every file lives in a MemEnv installed with SetDefaultEnvForTesting (a fresh one per
// input). pager_snapshot_capture_fd writes to a real descriptor by design, so it is only
// called with fd -1 (refused before any I/O).
//
// Oracle, for every call (Check): the code is PAGER_OK or one its pager.h contract lists
// (never PAGER_ERR_INTERNAL, never >= PAGER_ERR_COUNT); pager_last_error() is "" after
// success and non-empty after a failure (C2); a failed call leaves every out-parameter
// untouched (C5: they are pre-filled with a sentinel); a child of a closed parent fails with
// PAGER_ERR_INVALID (C4); bytes paged out to the cold pager read back equal; a check changes,
// creates and removes no file, its report is sane (damage_code OK or CORRUPT, the function's
// format, NUL-terminated texts), a page file that a read-only open refuses as CORRUPT is
// damage in its check (not the converse: a damaged redundant meta copy is damage the open
// survives), and a snapshot is damage iff pager_snapshot_verify says CORRUPT. ASan and UBSan
// catch the rest: page pointers are written over their whole length, record views read.
//
// Contract-respecting limits (arguments a C caller may not pass are never passed): a list
// pointer is followed by a count no larger than its real array, or by one no list can have
// (> 2^56 bytes of list: PAGER_ERR_INVALID before any read), or, for the bulk allocations
// that promise FULL "at once, before any work", 2^40. Per-input work stays small: at most
// kMaxCalls operations drawn from the input (each may make several C calls), page files of
// at most 2^24 bytes of address space, WAL page counts below 16 (a value above 2^46 is
// passed to provoke INVALID), small engines and payloads.
//
// Layout: this file keeps Run (the decoding of the input into calls), the functions without
// a handle and LLVMFuzzerTestOneInput; fuzz/capi/harness.h holds the oracle, the input
// decoder and class Harness, and fuzz/capi/*.cc define its methods by component.
#include "fuzz/capi/harness.h"

#include "impl/io/env.h"

namespace capi_fuzz {

Harness::Harness() {
  env_ = std::make_unique<pager::io::MemEnv>();
  (void)env_->CreateDir("/d", 0755);
  (void)env_->CreateDir(kForgedDir, 0755);
  pager::io::SetDefaultEnvForTesting(env_.get());
}

Harness::~Harness() {
  ReleaseAll();
  pager::io::SetDefaultEnvForTesting(nullptr);
}

void Harness::Run(Input& in) {
  for (size_t n = 0; n < kMaxCalls && in.more(); n++) {
    switch (in.Pick(9)) {
      case 0: File(in); break;
      case 1: FileChild(in); break;
      case 2: Wal(in); break;
      case 3: Walseg(in); break;
      case 4: Cold(in); break;
      case 5: Snapshot(in); break;
      case 6: Engines(in); break;
      case 7: Misc(in); break;
      case 8: Checks(in); break;
    }
  }
}

const char* Harness::Path(Input& in) {
  if (in.Chance(16)) return nullptr;
  return kPaths[in.Pick(kPathCount)];
}

Harness::List Harness::Ids(Input& in, const std::vector<uint64_t>& known) {
  switch (in.Pick(8)) {
    case 0: return {nullptr, in.Chance(2) ? uint64_t{0} : uint64_t{1} + in.u8()};
    case 1: return {g_u64, in.Chance(2) ? UINT64_MAX : HugeCount(8)};
    default: break;
  }
  uint64_t count = in.Pick(9);
  for (uint64_t i = 0; i < count; i++) {
    uint32_t k = in.Pick(4);
    if (k == 0 || known.empty()) ids_[i] = in.Hostile64();
    else if (k == 1 && i > 0) ids_[i] = ids_[i - 1];  // a duplicate
    else ids_[i] = known[in.Pick(static_cast<uint32_t>(known.size()))];
  }
  return {ids_, count};
}

void Harness::Misc(Input& in) {
  int code = static_cast<int>(in.Hostile32());
  const char* s = pager_errstr(code);
  Expect(s != nullptr && s[0] != '\0', "pager_errstr", "NULL or empty");
  Expect(pager_version() == PAGER_VERSION_NUMBER, "pager_version", "header/library skew");
  Expect(std::strcmp(pager_version_string(), "0.2.0") == 0, "pager_version_string", "not 0.2.0");
  // NULL-safe initializers and releases.
  pager_file_options_init(nullptr);
  pager_wal_options_init(nullptr);
  pager_wal_checkpoint_options_init(nullptr);
  pager_wal_stats_init(nullptr);
  pager_walseg_options_init(nullptr);
  pager_walseg_reader_options_init(nullptr);
  pager_cold_options_init(nullptr);
  pager_cold_pageout_options_init(nullptr);
  pager_cold_stats_init(nullptr);
  pager_cache_meta_init(nullptr);
  pager_snapshot_options_init(nullptr);
  pager_snapshot_info_init(nullptr);
  pager_refengine_stats_init(nullptr);
  pager_check_report_init(nullptr);
  pager_refengine_free(nullptr);
  pager_cold_buffer_free(nullptr);
  Expect(pager_cold_buffer_data(nullptr) == nullptr && pager_cold_buffer_len(nullptr) == 0,
         "pager_cold_buffer_data", "NULL buffer");
  Expect(pager_cold_len(nullptr) == 0 && pager_cold_backend_of(nullptr) == 0, "pager_cold_len", "NULL handle");
  CheckCleared("NULL-safe functions");
  uint32_t pages[2] = {1, 2};
  Check("pager_cache_sink_add_pages", pager_cache_sink_add_pages(nullptr, pages, 2), Codes({INV}));
  Check("pager_cache_sink_add_seq", pager_cache_sink_add_seq(nullptr, "a", 1, pages, 2, 1), Codes({INV}));
  Check("pager_walseg_writer_close", pager_walseg_writer_close(nullptr), Codes({}));
}

void Harness::ReleaseAll() {
  for (auto& c : txns_) pager_file_txn_free(static_cast<pager_file_txn*>(c.h));
  for (auto& c : iters_) pager_file_iter_free(static_cast<pager_file_iter*>(c.h));
  for (auto& c : subs_) pager_file_subpages_free(static_cast<pager_file_subpages*>(c.h));
  for (auto& s : files_) pager_file_close(s.f);
  for (auto* w : wals_) pager_wal_close(w);
  for (auto* t : rtxns_) pager_wal_read_txn_free(t);  // after their handles: W17
  for (auto* w : writers_) (void)pager_walseg_writer_close(w);
  for (auto* r : readers_) pager_walseg_reader_close(r);
  for (auto* r : replays_) pager_walseg_replay_close(r);
  for (auto* c : colds_) pager_cold_close(c);
  for (auto& h : handles_) pager_cold_free(h.h);
  for (auto* b : buffers_) pager_cold_buffer_free(b);
  for (auto& e : engines_) pager_refengine_free(e.e);
}

}  // namespace capi_fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > capi_fuzz::kMaxInput) return 0;
  static bool init = [] {
    for (size_t i = 0; i < sizeof(capi_fuzz::g_data); i++) {
      capi_fuzz::g_data[i] = static_cast<uint8_t>(i * 131 + 7);
    }
    return true;
  }();
  (void)init;
  capi_fuzz::Input in(data, size);
  capi_fuzz::Harness h;
  h.Run(in);
  return 0;
}
