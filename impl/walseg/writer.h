// LogWriter: appends records to a log directory of WAL segments (format.h).
//
// Invariants:
//   L1. One writer per directory: the writer holds an exclusive flock on "<dir>/LOCK" for its
//       whole life (kBusy for a second opener).
//   L2. LSNs handed out are consecutive and never reused: next_lsn() - 1 is the LSN of the
//       last appended record; durable_lsn() <= next_lsn() - 1 is the last one a successful
//       sync covered. Each record stores durable_lsn() at its append as synced_lsn (W4), so a
//       record never claims more durability than a sync really delivered.
//   L3. Bytes reach the file in LSN order: records are staged in a buffer and written at
//       flush (buffer full, sync, rotation, close); the file's written prefix is always a
//       sequence of whole records followed only by zeros.
//   L4. A segment is rotated only when it holds at least one record and the next record would
//       pass segment_bytes. Sealing: flush, cut the pre-written zeros, fdatasync; only then is
//       the next segment created (named by its first LSN, W3) and the directory synced, before
//       any record is written into it. So a sealed segment is always complete and durable.
//   L5. Any failed write, sync, truncate or create after open poisons the writer: the call
//       returns the failure, every later mutation kPoisoned. Nothing is retried (E5).
//       Argument errors (kInvalid, kTooLarge) are checked before anything is written or
//       allocated and never poison.
//   L6. Open recovers: the last segment is scanned; a clean end continues after the last
//       record; a torn tail is cut off (truncate + fdatasync) first; corruption (R4) fails the
//       open with kCorrupt and changes nothing. The records present are then rewritten, the
//       file fdatasynced and the directory synced, so every record present is durable -- even
//       one whose earlier fsync failed and whose pages the kernel then marked clean -- and L2
//       holds from the first append.
//   L7. Pre-writing: when prewrite_bytes > 0 the file is extended with zeros in steps of that
//       size ahead of the records, so a record sync overwrites already-written blocks instead
//       of growing the file (one size change per step instead of one per sync).
//
// States: open --(I/O failure)--> poisoned --(Close)--> closed; open --(Close)--> closed.
// Poisoned accepts only Close (kPoisoned for everything else); closed accepts nothing
// (kInvalid) but a repeated Close (ok). Reopening the directory is the way back.
//
//   L8. With the GROUP policy and group_interval_us > 0 one background thread syncs once the
//       oldest unsynced record is that old, so a trailing record is durable within the
//       interval even if no further call comes. It takes the same mutex as every call; its
//       failures poison like any other (L5). Close stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "impl/common/status.h"
#include "impl/io/env.h"
#include "impl/walseg/format.h"

namespace pager {
namespace walseg {

enum class SyncPolicy : uint32_t {
  kEveryRecord = 0,  // each append is durable when it returns
  kGroup = 1,        // sync when group_bytes accrue or the oldest unsynced append is
                     // group_interval_us old (checked at appends and by a background thread)
  kExplicit = 2,     // only Sync() (and rotation, and Close) make records durable
};

struct WriterOptions {
  SyncPolicy sync_policy = SyncPolicy::kEveryRecord;
  uint64_t segment_bytes = 64ull << 20;
  uint64_t group_bytes = 1ull << 20;
  uint64_t group_interval_us = 1000;
  uint64_t max_payload_bytes = kDefaultMaxPayloadBytes;
  uint64_t prewrite_bytes = 1ull << 20;
  uint64_t buffer_bytes = 256ull << 10;
  uint64_t first_lsn = 1;  // LSN of the first record of a new log
  bool create_if_missing = true;
};

// Checks option ranges; the message names the field and the allowed range.
Status ValidateWriterOptions(const WriterOptions& o);

class LogWriter {
 public:
  static Status Open(io::Env* env, const std::string& dir, const WriterOptions& options,
                     std::unique_ptr<LogWriter>* out);
  ~LogWriter();  // flushes and syncs best-effort; use Close() to see the result

  // Appends one record and sets *lsn to its LSN (only on success). Errors: kInvalid (type id
  // 0), kTooLarge (before anything is written), kPoisoned, or the I/O failure that poisoned
  // the writer.
  Status Append(uint16_t type, const void* data, uint64_t len, uint64_t* lsn);
  // Writes staged records to the file and makes everything appended so far durable.
  Status Sync();
  // Writes staged records to the file (visible to readers, not yet durable).
  Status Flush();
  // Flush + Sync; the writer is unusable afterwards (kPoisoned-like kInvalid).
  Status Close();
  // Removes sealed segments whose records all have LSN < lsn (never the active segment) and
  // syncs the directory. *removed counts them (set only on success).
  Status RemoveSegmentsBefore(uint64_t lsn, uint64_t* removed);

  uint64_t next_lsn() const;
  uint64_t durable_lsn() const;
  uint64_t segment_first_lsn() const;  // of the active segment
  uint64_t segment_count() const;      // segments rotated into since open, plus the active one
  bool poisoned() const;
  // Verifies L2-L4/L7 on the writer's bookkeeping; kInternal naming the broken one. For tests.
  Status CheckInvariants() const;

 private:
  LogWriter() = default;
  Status Recover();
  Status RecoverLastSegment(uint64_t first_lsn);
  Status RewriteRecords(uint64_t end);
  Status CreateSegment(uint64_t first_lsn);
  Status Rotate();
  Status FlushLocked();
  Status SyncLocked();
  Status WriteRecordLocked(uint16_t type, const void* data, uint32_t len);
  Status EnsurePrewritten(uint64_t end);
  Status MaybeSyncLocked();
  Status Poison(Status st);
  Status CheckUsable() const;
  void FlusherLoop();
  void StopFlusher();

  mutable std::mutex mu_;
  io::Env* env_ = nullptr;
  std::string dir_;
  WriterOptions options_;
  std::unique_ptr<io::File> lock_file_;
  std::unique_ptr<io::File> segment_;
  uint64_t segment_first_lsn_ = 0;
  uint64_t segment_count_ = 0;
  uint64_t flushed_end_ = 0;     // bytes of whole records in the file
  uint64_t prewritten_end_ = 0;  // file bytes known to exist (records + zeros)
  std::vector<uint8_t> buffer_;  // staged records, to be written at flushed_end_ (L3)
  uint64_t next_lsn_ = 1;
  uint64_t durable_lsn_ = 0;
  uint64_t unsynced_bytes_ = 0;
  std::chrono::steady_clock::time_point oldest_unsynced_;
  std::condition_variable flusher_cv_;
  std::thread flusher_;  // L8
  bool flusher_stop_ = false;
  Status poison_;
  bool closed_ = false;

  friend class LogWriterTestPeer;  // tests/walseg_writer_invariants_test.cc breaks L2-L7
};

}  // namespace walseg
}  // namespace pager
