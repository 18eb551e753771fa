// WAL segment readers: SegmentReader maps one segment read-only and hands out zero-copy views
// of its records; LogReplay walks a whole log directory from an LSN.
//
// Invariants:
//   R1. Every byte the reader touches lies inside [0, len) of its read-only mapping; all
//       bounds are checked by CheckRecordAt without overflow (format.h W2).
//   R2. A view's payload pointer points into the mapping and stays valid until the reader is
//       destroyed. Nothing is copied. A LogReplay holds exactly one segment reader (the one
//       being read) and destroys it when it moves to the next segment, so a view from
//       LogReplay::Next stays valid until the next LogReplay::Next or the replay's
//       destruction, and a replay of any number of segments holds one descriptor and one
//       mapping at a time.
//   R3. Records come out in file order with consecutive LSNs (W3). The reader never returns
//       a record after a stop: once stopped, the stop is final.
//   R4. The stop reason is decided once, at the first offset that holds no valid record:
//         kCleanEnd  the offset is the end of the file or the rest is zero (W5);
//         kCorrupt   a checksum-valid record with a wrong LSN sits there, or a valid record
//                    with a higher LSN follows whose synced_lsn proves that the damaged
//                    record had been made durable (W4) -- data that was acknowledged is gone;
//         kTornTail  otherwise: the damaged bytes can only be writes that were never synced.
//   R5. An unknown required type (W6) or a payload above the reader's limit is a sticky
//       error (kVersion / kTooLarge) at that record; unknown optional types are skipped.
//   R6. Next first tries NextPlain, which recognizes only records that CheckRecordAt calls
//       kValid and Accept returns unchanged (expected LSN, within the limit, known type) and
//       changes nothing otherwise; every other case (damage, zero tail, wrong LSN, skipped or
//       refused type, unknown first LSN) is decided by the general path alone. So R1-R5 hold
//       whichever path ran; the fast one only drops the per-record error text and copies.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "impl/common/status.h"
#include "impl/io/checksum.h"
#include "impl/io/env.h"
#include "impl/walseg/format.h"

namespace pager {
namespace walseg {

enum class StopReason : uint32_t {
  kNone = 0,      // still reading
  kCleanEnd = 1,  // end of the data (R4)
  kTornTail = 2,  // an incomplete or damaged last write that was never synced
  kCorrupt = 3,   // damage with durable records behind it, or an LSN break
};

struct ReaderOptions {
  uint64_t max_payload_bytes = kDefaultMaxPayloadBytes;
  // When false, only the type ids in known_types are understood (R5).
  bool all_types_known = true;
  std::vector<uint16_t> known_types;  // type ids (the required bit is ignored)
  // LSN of the segment's first record; 0 = take it from the file name when the name is a
  // segment name, else unknown.
  uint64_t expected_first_lsn = 0;
  // Fill the mapping's page tables at open (io::Advice::kPopulateRead) so the scan takes no
  // page faults. Off by default: measured slower than the faults it saves when the page cache
  // holds the segment in large folios (fault-around maps a whole folio range per fault, while
  // populating walks every 4 KiB page), no faster over a whole scan when it holds small ones,
  // and it makes the open pay for the whole segment -- page-table memory and RSS for all of
  // it, and for an uncached segment a synchronous read of all of it before the first record,
  // where a reader that stops early touches a part. doc/performance.md has the figures.
  bool populate = false;
};

struct RecordView {
  uint16_t type = 0;       // with the required bit as stored
  uint64_t lsn = 0;
  const uint8_t* data = nullptr;  // into the mapping (R2)
  uint64_t len = 0;
  uint64_t offset = 0;     // of the record's header in the segment
};

class SegmentReader {
 public:
  static Status Open(io::Env* env, const std::string& path, const ReaderOptions& options,
                     std::unique_ptr<SegmentReader>* out);
  ~SegmentReader();

  // Sets *found and *view to the next record, or *found = false once stopped (see stop_*).
  // Errors (sticky): kVersion for an unknown required type, kTooLarge for a payload above
  // max_payload_bytes.
  Status Next(RecordView* view, bool* found);

  StopReason stop_reason() const { return stop_reason_; }
  uint64_t stop_offset() const { return stop_offset_; }
  const std::string& stop_detail() const { return stop_detail_; }

  bool madvise_applied() const { return madvise_applied_; }
  // ReaderOptions::populate was asked for and the kernel did it.
  bool populated() const { return populated_; }
  // Drops the segment's pages from this process's mapping and from the page cache. Views
  // stay valid (they fault the bytes back in from the file).
  Status ReleasePages();

  uint64_t offset() const { return offset_; }
  uint64_t len() const { return len_; }
  bool is_empty() const { return len_ == 0; }
  uint64_t last_lsn() const { return last_lsn_; }  // 0 before the first record
  uint64_t first_lsn() const { return first_lsn_; }  // of the first record, 0 if none yet
  uint64_t expected_first_lsn() const { return expected_first_lsn_; }
  uint64_t records_skipped() const { return records_skipped_; }
  const std::string& path() const { return path_; }

 private:
  SegmentReader() = default;
  bool Known(uint16_t type) const;
  void Stop(StopReason reason, uint64_t offset, std::string detail);
  void Classify(uint64_t damaged_offset, const std::string& why);
  Status Accept(const RecordAt& rec, RecordView* view, bool* found);
  bool NextPlain(RecordView* view);  // R6

  std::string path_;
  std::unique_ptr<io::File> file_;
  std::unique_ptr<io::Mapping> mapping_;
  const uint8_t* base_ = nullptr;
  uint64_t len_ = 0;
  uint64_t offset_ = 0;
  uint64_t max_payload_bytes_ = kDefaultMaxPayloadBytes;
  SeededChecksum checksum_{kChecksumSeed};  // W2's hash, its secret derived once
  bool all_types_known_ = true;
  std::bitset<kTypeIdMask + 1> known_;
  uint64_t expected_first_lsn_ = 0;
  uint64_t first_lsn_ = 0;
  uint64_t last_lsn_ = 0;
  uint64_t records_skipped_ = 0;
  bool madvise_applied_ = false;
  bool populated_ = false;
  StopReason stop_reason_ = StopReason::kNone;
  uint64_t stop_offset_ = 0;
  std::string stop_detail_;
  Status sticky_;
};

// Replays a log directory from an LSN: segments wholly before it are skipped by name without
// being opened; segments are chained with the LSN continuity check (W3). A sealed (not last)
// segment must end cleanly; only the last one may end in a torn tail.
class LogReplay {
 public:
  static Status Open(io::Env* env, const std::string& dir, uint64_t from_lsn,
                     const ReaderOptions& options, std::unique_ptr<LogReplay>* out);

  // Like SegmentReader::Next across segments; records with LSN < from_lsn are not returned.
  // Invalidates the view the previous call returned (R2).
  Status Next(RecordView* view, bool* found);

  StopReason stop_reason() const { return stop_reason_; }
  // The first LSN (name) of the segment the replay stopped in, and the offset there.
  uint64_t stop_segment_lsn() const { return stop_segment_lsn_; }
  uint64_t stop_offset() const { return stop_offset_; }
  const std::string& stop_detail() const { return stop_detail_; }
  uint64_t last_lsn() const { return last_lsn_; }
  size_t segments_total() const { return firsts_.size(); }
  size_t segments_opened() const { return segments_opened_; }  // over the replay's life
  size_t segments_held() const { return current_ != nullptr ? 1 : 0; }  // R2: at most one

 private:
  LogReplay() = default;
  Status OpenSegment(size_t index);
  // Called when the current segment stopped; moves on or stops the replay.
  Status AdvanceSegment(bool* stopped);
  void Stop(StopReason reason, uint64_t segment_lsn, uint64_t offset, std::string detail);

  io::Env* env_ = nullptr;
  std::string dir_;
  ReaderOptions options_;
  uint64_t from_lsn_ = 0;
  std::vector<uint64_t> firsts_;  // sorted first LSNs of every segment
  size_t index_ = 0;              // segment being read
  std::unique_ptr<SegmentReader> current_;  // the segment being read (R2)
  size_t segments_opened_ = 0;
  uint64_t last_lsn_ = 0;
  StopReason stop_reason_ = StopReason::kNone;
  uint64_t stop_segment_lsn_ = 0;
  uint64_t stop_offset_ = 0;
  std::string stop_detail_;
};

// Sorted first LSNs of the segment files in dir (other names are ignored).
Status ListSegments(io::Env* env, const std::string& dir, std::vector<uint64_t>* firsts);

}  // namespace walseg
}  // namespace pager
