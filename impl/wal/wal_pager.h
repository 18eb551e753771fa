// WalPager: a page store whose writes are staged in memory, committed atomically to the
// `<path>-wal` sidecar with one fdatasync, read back layered (staged -> WAL -> main file), and
// checkpointed into the main file. Format: doc/format/wal-pager.md (impl/wal/wal_format.h).
//
// Invariants (checked by CheckInvariants(), named in comments where they matter):
//   W1. Page 0 is the library's header; callers address pages 1..page_count-1. The committed
//       page count counts page 0, so it is >= 1.
//   W2. index_ maps a page to the WAL frame holding its latest committed content; every entry
//       is < wal_->frame_count() and its page is < committed_count_. It is a flat table
//       (impl/wal/frame_index.h): a lookup is one cache line.
//   W3. main_valid_count_ <= committed_count_ and <= main_count_: pages >= main_valid_count_
//       that are not in index_ read as zeros (they were dropped by a shrink since the last
//       checkpoint, or never written). Pages below it and not in index_ come from the main file.
//   W4. Staged pages are all < staged_count_. staged_floor_ is the lowest page count the
//       open transaction passed through (<= committed_count_, <= staged_count_); pages at or
//       past min(staged_floor_, committed_count_) that are not staged read as zeros, so bytes
//       a shrink hid never come back. The commit frame records this floor (O(1) memory, no
//       zero pages are staged or written).
//   W5. A commit appends frames only for pages whose bytes differ from the committed content
//       or whose committed content it cannot know without reading the main file (neither
//       cached nor hashed, W14: the read could be a random disk read per page), plus a
//       page-0 frame when the application header changed or no data frame would carry the
//       commit; the last frame is the commit frame. Under kFull it is durable (one
//       fdatasync) before Commit returns.
//   W6. Checkpoint order: sync WAL -> cut main pages >= main_valid_count_ -> write pages to
//       main -> extend the file to the page count -> sync main if its size changed -> write
//       the inactive header copy -> shrink to the page count -> sync main -> reset the WAL
//       (new salts, synced). The WAL is never reset unless every earlier step succeeded, and a
//       durable header never counts pages past the durable end of the file. Pages written
//       within the file are made durable by the header's sync: until it returns the WAL
//       holding them is intact, and recovery replays it over whichever of them landed.
//   W7. After any failed write or sync of a commit or checkpoint the handle is poisoned: staged
//       changes are dropped, every later mutation fails with kPoisoned, and reads return the
//       last state whose commit returned OK.
//   W8. The cache holds only committed content (C2) and never pages >= committed_count_.
//   W9. A read-write handle starts a fresh WAL generation at open (checkpointing any recovered
//       frames first), so frames it appends never follow stale frames of its own generation;
//       unless readers of other handles use the generation (W21): it then appends after the
//       last commit frame (as W12 does).
//  W10. A TRUNCATE checkpoint ends like any other (W6) but cuts the WAL file to zero bytes,
//       synced; the new generation's header is written with the next commit's frames (L5),
//       and a zero-byte or header-less WAL is "no sidecar" on open (recreated read-write).
//   W11. In every state a crash can leave, the main file holds at least main_valid_count_
//       pages (W6 syncs pages before the header that counts them and cuts only pages a WAL
//       commit's floor hides). A shorter file was damaged from outside: a read-write open
//       refuses it with kCorrupt rather than let its checkpoint extend the file with zeros.
//   W12. Only an ambiguous durability failure poisons: a failed sync, or a write whose
//       failure is not a shortage. A shortage -- a write that fails with kNoSpace, or a
//       write or the checkpoint's copy buffer that finds no memory (kNoMem) -- changes
//       nothing a reader relies on (frames past frame_count() are never read; a
//       checkpoint's partly written main pages are all still in the WAL and the index still
//       points there), so: a commit returns it with its changes still staged; a checkpoint
//       returns it and leaves the WAL as it was (an automatic one only counts the failure
//       and is retried after the next commit); a read-write open whose recovery checkpoint
//       fails that way still opens and appends to the recovered WAL generation (its frames
//       chain on after the last commit frame, as SQLite's do, so stale frames behind them
//       can never validate).
//   W13. A checkpoint writes each page's latest committed frame into the main file in
//       ascending page order, one write per span: pages at most kCheckpointBridgeBytes
//       apart, no more than kCheckpointBatchBytes from first to last. The pages between
//       them are read from the main file and written back unchanged (zeros past its end), so
//       a reader of the main file never sees them change and a torn write of them leaves
//       the same bytes; only the checkpoint writes the main file, one at a time. A span's
//       frames are read in WAL order, one scatter read per run of frames at most
//       kCheckpointSkippedFrames apart (the superseded frames between go to a discarded
//       page). Its data costs one fdatasync of the main file (W6); every
//       kCheckpointWritebackBytes of spans written, the copy asks the kernel to start writing
//       them back (E7, a hint: durability still comes from that fdatasync alone), so the
//       device works while the copy goes on.
//   W14. committed_hash_[p], when present, is the XXH3-64 of page p's committed content. It
//       is set when the cache evicts p (its bytes are committed content, C2) and when a
//       commit hashed p's staged bytes (p was not cached); a commit that wrote p without
//       hashing it erases it; a shrink erases the pages it drops; a checkpoint changes
//       nothing. At most kHashedPagesPerCachePage * cache_pages entries (cleared when full).
//       A commit compares a cached page with the cache; an uncached page whose hash
//       differs from its known one is dirty without reading the committed bytes; an equal
//       hash falls back to reading and comparing (a hash match is never trusted alone), as
//       does an unknown hash when the committed bytes are zeros or a WAL frame; an unknown
//       hash over main-file bytes is dirty without a read (W5).
//   W15. Read transactions (BeginRead .. EndRead) pin a ReadSnapshot: the WAL generation and
//       its frame count (the read mark) after the last commit as of begin, with that commit's
//       page count, main-file valid count and app header. Inside one, a page is its latest
//       frame below the mark (history_), unless a shrink committed below the mark after that
//       frame hides it (shrinks_), else the main file below main_valid_count, else zeros.
//   W16. No checkpoint copies a frame at or past the smallest mark m of a reader of the
//       current generation (it may still need the main file's older bytes of pages whose
//       first frame is at or past m): PASSIVE then copies the frames below m (W25) and
//       returns at once, FULL/TRUNCATE wait for such readers
//       (releasing mu_) up to lock_timeout_ms, then kBusy. Readers whose mark is the whole
//       WAL move to mark 0 of the new generation at its reset (the main file then holds
//       exactly their snapshot). Commits never wait for readers.
//   W17. Close() releases the files and the lock at once; a read transaction that outlives
//       its handle's close fails every call with kInvalid ("closed").
//   W18. Lock bytes of the main file (doc/format/wal-pager.md "Lock bytes"): the one
//       read-write handle holds the writer byte exclusive (a second one gets kBusy or waits
//       lock_timeout_ms); every handle holds the access byte shared (a 0.2 writer takes it
//       exclusive), and the open byte of the index file shared; an opener that can take
//       the open byte exclusive is alone and publishes the index from its own WAL scan
//       before sharing it.
//   W19. A handle other than the writer reads only under a read mark in its slot of the
//       shared index (X4): it claims the slot once, stores (generation, mark) there, fences
//       and re-reads the generation and checkpoint epoch of header copy A (written first by
//       every publish, X1); a changed one means "again". The
//       writer bumps the epoch before every scan of the slots, so either it sees the mark or
//       the reader sees the bump. A plain read pins the latest commit for its duration
//       (while nothing was published: the previous read's pin reused, W27 -- a store, one
//       seq_cst fence, four 8-byte loads of the header, and a release store to unpin); a
//       read transaction pins its snapshot until it ends (mark 0 = main file only, taken when
//       every frame is backfilled and main_valid_count = page_count -- W25 and W26 publish
//       backfilled = every frame while pages past main_valid_count are only in the WAL --, so
//       a long reader does not hold a WAL reset back).
//   W20. Such a handle follows the writer from the shared index: new frames of the same
//       generation are indexed from their entries (X2) and evicted from its cache; a new
//       generation (the writer reset the WAL after copying every frame) reopens the WAL,
//       drops the cache and moves its mark-0 readers to it. With no mark in the slots the
//       handle may see the writer restart the WAL while it loads the entries: entries that
//       do not end in the published commit are then BUSY (retried by a pin) and the next
//       refresh rebuilds the view from scratch, never CORRUPT, unless the header it read is
//       still the published one. A handle with a read transaction needs no such retry: its
//       slot holds the transaction's mark, and even mark 0 keeps every frame committed after
//       the snapshot from being copied (W21), so no restart can run under its refresh.
//   W21. The writer publishes after every commit and checkpoint. W16 holds across handles:
//       no frame is copied while a live slot of another handle has a mark below the WAL's end
//       (or belongs to an older generation), and the WAL restarts only when no live slot has a
//       mark > 0 of the current generation -- otherwise the checkpoint stops after the copy
//       (backfilled = every frame) and the generation goes on. A read-write open continues
//       the recovered generation instead of restarting it (W9) while such readers exist. A
//       read-only handle that finds the index not describing its own scan at open while no
//       writer is active rebuilds it from that scan when it is alone on the index (the open
//       byte exclusive) and keep_index_as_found is off, holding the writer byte shared
//       meanwhile (a writer that opens then waits for the index's open byte, as openers
//       wait for another's publish); otherwise (not alone, a check, an index it
//       cannot open read-write, or one it cannot write the scan into: no space to grow it)
//       it keeps a private index and holds the writer byte shared until close (kBusy,
//       naming the index, if a writer is active; a writer kept out is told why). With no
//       WAL on disk (a TRUNCATE's zero bytes, W10) an index describes the scan when it counts
//       no frame and carries the main header the handle read (IndexDescribesScan). Either
//       handle took the writer byte after its scan, so it checks the WAL once more with the
//       byte held and scans again if another writer's commits came meanwhile (a writer that
//       came, checkpointed and left would otherwise pair the scan's frames with main pages
//       it copied since).
//   W22. Committed pages are read through read-only shared mappings (impl/wal/main_map.h
//       M1-M3): main-file pages below main_valid_count (W11) through main_map_, WAL frames
//       below frame_count() through wal_map_. The page cache is then bypassed (a mapped read
//       is one memcpy; a cache hit is a hash lookup, an LRU splice and the same memcpy, and a
//       miss added a copy and an eviction hash); it serves only bytes the Env cannot map.
//       Every committed read -- ReadCommitted (the latest commit), ReadPageAt and ViewPageAt
//       (any snapshot) -- locates its page with one function (LocatePage; LocateLatest for
//       the latest commit) and takes the bytes from SourceBytes (the mapping or the zero
//       page); only when the Env cannot map does it pread (ReadUnmapped), into read_scratch_
//       for a copying read, so a failed or short read leaves the caller's buffer as it was.
//   W23. A pinned view (ViewPageAt) points into main_map_ (main pages), into wal_map_ (WAL
//       frames; the WAL is never rewritten below frame_count() inside a generation, L1), at a shared zero page, or, when the file cannot be mapped, at a copy owned
//       by the snapshot; it stays valid until EndRead or Close. A snapshot that took a view
//       of a WAL frame (ReadSnapshot::wal_views) holds the WAL back: no reset of its
//       generation runs while it lives (PASSIVE copies the frames into the main file but
//       keeps the WAL; FULL/TRUNCATE wait for it like W16, then kBusy). Views of main pages
//       need nothing more than W16: a checkpoint writes only pages that are in the WAL.
//   W24. The writer scans the other handles' slots for a WAL restart and resets the WAL and
//       publishes the new (or continued) generation holding the restart byte exclusive
//       (kRestartLockByte; it waits kRestartWriterWaitMs, else the generation goes on) and
//       with the published epoch odd (even at every other time). Another handle pins a mark
//       (W19) without any lock while the epoch is even -- its re-check sees the epoch turn
//       odd if the writer's window opened meanwhile -- and under the byte held shared when it
//       is odd (the window is open, or its writer died inside it and took its lock along)
//       or when every lock-free try found the WAL restarted under its header read;
//       it loads the main header and scans the WAL at open holding the byte shared. So no
//       reader pins the old generation after the writer's last scan, and no open pairs a main
//       header with a WAL restarted or cut under it. A writer whose restart fails (poisoned)
//       leaves the epoch odd, like one that died inside the window; a handle that finds the
//       epoch odd while it holds the byte believes the index only if the WAL file still has
//       its generation's header and every frame it counts, else kBusy until the next
//       read-write open rebuilds the index.
//   W25. Partial backfill. backfilled_ <= frame_count(): every page below main_valid_count_
//       whose latest frame below backfilled_ exists holds that frame's bytes in the main
//       file. A checkpoint whose safe frame t (the smallest mark of W16, else frame_count())
//       is below frame_count() copies, for each page below main_valid_count_ with a frame in
//       [backfilled_, t), its latest frame below t, syncs the main file and sets
//       backfilled_ = t; the main header is not rewritten (recovery replays every frame over
//       the main file, so a copied page reads the same after a crash). Why no reader sees a
//       change: a reader at mark m >= t reads page p from its latest frame below m if there
//       is one -- and the step writes only pages with a frame below t <= m -- else from the
//       main file, which the step did not touch for p. Pages at or past main_valid_count_
//       are left to the final step (t == frame_count()), which cuts the main file there
//       (DropStalePages) and copies every indexed page whose latest frame is at or past
//       backfilled_ or whose number is at or past main_valid_count_, then writes the header
//       (W6); the WAL restarts only after such a step, when no reader uses its frames (W21).
//   W26. Background checkpointer (Options::background_checkpoint, impl/wal/background.cc): a
//       thread owned by the read-write handle, started at the end of Create/Open, joined by
//       Close (and the destructor) before the files go. When a commit leaves the WAL past the
//       auto-checkpoint threshold, the commit only wakes it. A step computes the safe frame t
//       (W16) and the pages to copy under mu_, then reads the frames, writes the main file
//       and syncs it WITHOUT mu_ (bg_copying_: no other checkpoint, WAL reset or main-file
//       cut starts meanwhile; commits append frames past t, never rewrite frames below it
//       (L1); reads go on: W25 says none reads these pages from the main file); then under
//       mu_ it sets backfilled_ = t and publishes. One cycle per WAL generation: after that
//       copy it copies once more without mu_ only when the commits that came meanwhile
//       appended >= 1/kCatchUpDivisor of the threshold, then runs the final step under mu_
//       at once (W25, W6: the remaining frames, header, restart when no reader uses frames;
//       its data sync is skipped when nothing was written or resized since the copy's sync).
//       It never loops on small steps (each would cost a main-file sync and copy pages the
//       commits keep rewriting). A transaction any of whose calls (stage, set page count, app
//       header, commit) waited while the thread held mu_ (the final step, or a copy's setup
//       and bookkeeping) is counted in checkpoint_waits by its commit, once. A reader holding
//       frames ends the cycle after the copy (W16).
//       A cycle that made no progress or failed for lack of space parks the thread until the
//       next commit (W12: counted in stats, retried); a failed sync poisons (W7). A commit
//       waits (before appending, releasing mu_) while the WAL holds wal_limit_factor x the
//       threshold and the thread is not parked -- so the WAL stays bounded while commits
//       outpace the disk, and a commit never waits for readers (they park the thread).
//       After fork() the child has no thread: it must not call into an inherited handle.
//   W27. A plain read on such a handle reuses the pin of the previous one (RepinLatest) while
//       the published header is still the one that pin was taken under: the last successful
//       PinViewLocked of a plain read (no read transaction open on the handle, epoch even, no
//       restart byte held) keeps the slot value it stored and the header's ShmStamp
//       (checksum, generation, checkpoint epoch; ShmIndex X1). The next plain read stores that
//       value again, fences seq_cst, and checks with X1's four loads that copy B's checksum and
//       copy A's checksum, generation and epoch still hold the stamp's values; any mismatch
//       (or a read transaction open) drops the stamp and pins from the header as W19 does.
//       Why no read returns a torn or recycled page, across processes: the order is W19's
//       (mark stored, fence, then copy A's generation and epoch loaded; the writer bumps the
//       epoch in copy A before it scans the slots, and its scan follows a seq_cst fence), so
//       either the writer's scan sees the mark or the check sees the bump and the read pins
//       afresh. The mark is exactly the one W19 stored for that header (the handle's state
//       changes only by adopting a newer header, and a newer header fails the check; Refresh
//       drops the stamp when it adopts anything), so while the check holds the handle's index
//       and counts are those of the published header and every frame and main-file page they
//       locate is protected as under W19. A publish whose copy A was only partly written is
//       not seen yet (X1): the read is then of the commit before it, which its mark protects.
//       The slot is idle again after each read (UpdateSlot), as before: a handle that stopped
//       reading holds no mark, so it never holds a checkpoint or a WAL restart back.
//   W28. A commit allocates nothing per page and no vector per commit: its lists (dirty
//       frames, hashes, the staged pages in order, the buffers moving into the cache) live
//       in commit_scratch_, emptied when the commit ends (whatever its outcome) and freed
//       after one that grew them past kKeptCommitScratchEntries (an idle handle keeps a
//       bounded amount, as S4). Between commits they are empty: no pointer into a staged
//       buffer outlives its commit.
//   W29. history_ (W15) holds every frame below the mark of every open read transaction: a
//       commit only appends its frames to history_pending_ (in ascending frame order), and
//       BeginRead folds the pending frames into history_ before it pins its mark's snapshot,
//       so every frame below that mark is folded (frames at or past it never matter to it).
//       LocatePage consults history_ only for a snapshot behind the latest commit. Both are
//       emptied with the generation (MoveReadersToNewGeneration).
//   W30. A FULL commit of at least kOverlappedCommitMinBytes of frames that shrinks nothing
//       starts the writeback of its frames after appending them (io E7, a hint), applies
//       itself to the read state (ApplyCommitted: cache, index, history, hashes, page count,
//       app header) while the device writes, and only then waits in fdatasync; it holds mu_
//       throughout and publishes to the -shm only after the sync, so no reader of this or
//       another process sees the commit before it is durable. If the sync fails, UndoApply
//       puts back the read state of the last commit that returned OK (W7) before the handle
//       is poisoned; a failed hint poisons before anything is applied (the frames are
//       appended, so even kNoSpace is ambiguous). Every other commit syncs, then applies.
//
// Lifecycle (state()):
//
//     open --stage--> writing --commit--> committing --ok--> open
//       |                |                    \--fail--> poisoned (terminal until close)
//       +--checkpoint----+--> checkpointing --ok--> open / writing
//                                           \--fail--> poisoned
//
//   | from          | event                  | to             |
//   |---------------|------------------------|----------------|
//   | open          | stage / set_page_count | writing        |
//   | writing       | clear_staged           | open           |
//   | open, writing | commit                 | committing     |
//   | committing    | frames durable         | open           |
//   | committing    | write or sync failed   | poisoned       |
//   | open, writing | checkpoint             | checkpointing  |
//   | checkpointing | done                   | previous state |
//   | checkpointing | write or sync failed   | poisoned       |
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "impl/common/aligned_buffer.h"
#include "impl/io/env.h"
#include "impl/wal/frame_index.h"
#include "impl/wal/main_map.h"
#include "impl/wal/page_cache.h"
#include "impl/wal/shm_index.h"
#include "impl/wal/staged_pages.h"
#include "impl/wal/test_hooks.h"
#include "impl/wal/wal_format.h"
#include "impl/wal/wal_log.h"

namespace pager {
namespace wal {

// The sidecar of the main file at path: path + "-wal".
std::string WalPath(const std::string& path);

// W26: with the background checkpointer, a commit waits while the WAL holds this many times
// the auto-checkpoint threshold (2 x 8192 frames = 64 MiB of 4 KiB pages).
// The default of Options::wal_limit_factor.
constexpr uint32_t kWalLimitFactor = 2;

enum class AccessMode { kReadWrite = 0, kReadOnly = 1 };
enum class Durability { kFull = 0, kNormal = 1 };
enum class State { kOpen, kWriting, kCommitting, kCheckpointing, kPoisoned };
// pager.h PAGER_WAL_CHECKPOINT_*. With one writer and no concurrent readers, kPassive and
// kFull do the same; kTruncate also cuts the WAL file to zero bytes (W10).
enum class CheckpointMode { kPassive = 0, kFull = 1, kTruncate = 2 };

struct Options {
  uint32_t page_size = 0;  // 0: kDefaultPageSize on create, the file's on open
  Durability durability = Durability::kFull;
  uint32_t cache_pages = 1024;           // committed pages kept in memory; 0 = none
  // Sized for throughput (doc/performance.md, "The checkpoint's half of the gap"): a
  // checkpoint costs 3 syncs plus the span of pages it rewrites, so it runs once per 8192
  // frames (32 MiB of 4 KiB pages: 32 commits of 1 MiB; a page rewritten several times in
  // that window is copied once). At 4096 frames 256 random pages of a 16 MiB working set
  // cost 1.10-1.25 ms per commit, at 8192 0.84-0.94 ms; at 16384 0.71-0.78 ms, but the WAL then
  // outgrows 4x such a working set (2x the threshold with the background checkpointer). A
  // restart keeps the WAL's blocks for reuse (KeptWalBytes), so commits keep overwriting
  // already-written blocks instead of regrowing the file every cycle.
  uint32_t auto_checkpoint_frames = 8192;  // 0 = off
  uint64_t auto_checkpoint_bytes = 0;      // 0 = off
  int64_t lock_timeout_ms = 0;           // 0 = kBusy at once, > 0 wait, -1 forever
  uint64_t wal_keep_bytes = 32u << 20;   // WAL size kept for reuse after a checkpoint
  uint64_t wal_prewrite_bytes = 1u << 20;  // zero-fill step when the WAL must grow
  TestHooks* test_hooks = nullptr;  // tests only (impl/wal/test_hooks.h T1); not owned
  // W26: a thread of the read-write handle runs the automatic checkpoints (off: the commit
  // that crosses the threshold runs it, as in 0.2).
  bool background_checkpoint = false;
  // W21: a read-only handle that finds the shared index stale with no writer active reads
  // privately instead of rebuilding it (pager_wal_check: a check leaves every file as found).
  bool keep_index_as_found = false;
  // W26 backpressure: commits wait while the WAL holds this many times the threshold (and
  // the thread can shorten it). Not in the C API; the benchmarks size it (>= 1).
  uint32_t wal_limit_factor = kWalLimitFactor;
};

// A read transaction's pinned view (W15). Filled by BeginRead; owned by the caller, who must
// pass it to EndRead before destroying it.
struct ReadSnapshot {
  uint64_t generation = 0;  // WAL generation (one per reset)
  uint64_t mark = 0;        // frames [0, mark) of that generation are visible
  uint32_t page_count = 0;
  uint32_t main_valid_count = 0;
  uint8_t app_header[kAppHeaderSize] = {};
  bool wal_views = false;  // W19: a view points into the WAL mapping
  std::vector<std::unique_ptr<uint8_t[]>> view_copies;  // W19: views of unmapped bytes
};

struct Stats {
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t commits = 0;             // commits that wrote frames
  uint64_t frames_written = 0;      // all frames, page-0 frames included
  uint64_t checkpoints = 0;         // checkpoints that copied frames or reset the WAL
  uint64_t pages_checkpointed = 0;  // data pages written into the main file
  uint64_t syncs = 0;               // fsync/fdatasync calls that succeeded
  uint64_t bytes_synced = 0;        // bytes written before those syncs
  uint64_t wal_frames = 0;          // valid frames in the WAL now
  uint64_t checkpoint_failures = 0; // checkpoints that failed for lack of space (W12): the
                                    // WAL kept every frame; retried at the next commit
  int32_t last_checkpoint_code = 0; // Code of the last failed checkpoint (0: none since open)
  uint64_t checkpoint_writes = 0;   // write calls into the main file by checkpoints (W13:
                                    // one per span of nearby pages, or per
                                    // kCheckpointWritebackBytes of a longer span)
  uint64_t checkpoint_reads = 0;    // scatter reads of WAL frames by checkpoints (W13: one per
                                    // run of consecutive frames of a span)
  uint64_t checkpoint_writebacks = 0;  // writeback hints by checkpoints (W13: one per
                                       // kCheckpointWritebackBytes of spans)
  uint64_t frames_left = 0;         // frames the last checkpoint could not copy (W16)
  uint64_t readers_active = 0;      // read transactions open now
  uint64_t checkpoint_waits = 0;    // W26: commits that waited for the background checkpointer
  uint64_t wal_restarts = 0;        // WAL resets (new generations) since open
};


// W26: after its first copy the thread copies once more without mu_ when the frames the
// commits appended meanwhile are at least 1 / kCatchUpDivisor of the threshold; else the
// final step under mu_ copies them (doc/performance.md, "Checkpoints off the commit path").
constexpr uint32_t kCatchUpDivisor = 4;

// W14 bound: committed page hashes kept per page of cache capacity.
constexpr uint32_t kHashedPagesPerCachePage = 16;

// W28: entries a commit's scratch lists keep between commits (larger ones are freed).
constexpr size_t kKeptCommitScratchEntries = size_t{1} << 14;

// W30: a FULL commit of at least this many bytes of frames starts their writeback and applies
// itself in memory while the device writes them. Applying a 256-page commit took 66-92 us
// after its fdatasync and the fdatasync ~380-400 us; with the hint first, the fdatasync took
// 270-290 us after an apply of the same length (doc/performance.md, "Applying a commit
// while its frames are written"). 16- and 32-page commits gained 5 % and 7 % too; 8-page
// ones nothing (their apply is ~3 us, about what the hint's system call costs).
constexpr uint64_t kOverlappedCommitMinBytes = 64u << 10;

// W13: a checkpoint span covers at most this many bytes of the main file (its buffer).
constexpr size_t kCheckpointBatchBytes = 4u << 20;

// W13: a checkpoint writes through a gap of at most this many bytes between two pages it
// copies. Each write call into a cached file costs ~1-4 us in the kernel, and scattered
// dirty pages sync slower than a sequential range: a 16 MiB file with 2,567 random pages
// dirty took 14-21 ms to write and sync page by page, 3.1-3.8 ms rewritten whole
// (doc/performance.md, "The checkpoint's half of the gap").
constexpr size_t kCheckpointBridgeBytes = 64u << 10;

// W13: a checkpoint starts writeback of the spans it wrote each time they reach this many
// bytes. A 16 MiB copy in 64 KiB spans followed by fdatasync took 6.5-7.7 ms, 4.5-5.0 ms
// with a hint every 1 MiB or every 256 KiB (doc/performance.md, "The checkpoint's writes on
// their way while it copies").
constexpr uint64_t kCheckpointWritebackBytes = 1u << 20;

// W13: a checkpoint reads through at most this many superseded frames between two frames it
// copies (a 4 KiB copy each, against a system call for a separate read).
constexpr uint64_t kCheckpointSkippedFrames = 4;

class WalPager {
 public:
  static Status Create(io::Env* env, const std::string& path, const Options& options,
                       std::unique_ptr<WalPager>* out);
  static Status Open(io::Env* env, const std::string& path, AccessMode mode,
                     const Options& options, std::unique_ptr<WalPager>* out);
  ~WalPager();
  WalPager(const WalPager&) = delete;
  WalPager& operator=(const WalPager&) = delete;

  AccessMode access_mode() const { return mode_; }
  uint32_t page_size() const { return page_size_; }
  uint32_t page_count();  // including staged changes

  // A wrong buffer length (not exactly the page size / kAppHeaderSize) is kInvalid.
  Status ReadPage(uint32_t page_number, uint8_t* dst, uint64_t len);
  Status StagePage(uint32_t page_number, const uint8_t* src, uint64_t len);
  Status ClearStaged();
  Status SetPageCount(uint32_t page_count);
  Status ReadAppHeader(uint8_t* dst, uint64_t len);
  Status StageAppHeader(const uint8_t* src, uint64_t len);
  // Returns the number of data frames written (page-0 frames not counted).
  Result<uint32_t> Commit();
  // Returns the number of data pages written into the main file.
  Result<uint32_t> Checkpoint(CheckpointMode mode = CheckpointMode::kPassive);

  // Read transactions (W15-W17). BeginRead pins the last commit (staged changes are not
  // seen); reads through the snapshot see it until EndRead, whatever commits or checkpoints
  // run meanwhile. Thread-safe like every other call; EndRead never fails.
  Status BeginRead(ReadSnapshot* snap);
  void EndRead(ReadSnapshot* snap);
  Status ReadPageAt(const ReadSnapshot& snap, uint32_t page_number, uint8_t* dst, uint64_t len);
  // W19: *data_out = the page's committed bytes as of the snapshot (page_size bytes, read
  // only), valid until EndRead(snap) or Close(). Errors as ReadPageAt.
  Status ViewPageAt(ReadSnapshot* snap, uint32_t page_number, const uint8_t** data_out);
  // Releases the files and the lock (W17); the object stays valid for read transactions.
  // Joins the background checkpointer first (W26).
  void Close();
  // W26: returns once the background checkpointer has nothing to do (threshold not crossed,
  // or parked until the next commit) and no copy of it is running; at once without one.
  void WaitCheckpointerIdle();
  // kInvalid once Close() ran (W17).
  Status CheckUsable();

  Stats stats();
  State state();
  // For the read-only check (pager_wal_check): W11 on any handle (kCorrupt if the main file
  // is shorter than its header and WAL need) and the main header's checkpoint sequence.
  Status CheckAtRest(uint64_t* checkpoint_seq);
  // Ok if h is a valid shared-index header of this file (X1, X6) that describes the WAL as
  // this handle scanned it at open (generation, salts, committed frames); else why not
  // (kCorrupt: not a valid header; kNotFound: valid but of another generation or behind).
  // For the open (AttachShared) and the read-only check; not synchronized with commits.
  Status IndexDescribesScan(const ShmHeader& h) const;
  Status CheckInvariants();

 private:
  WalPager(io::Env* env, std::string path, AccessMode mode, const Options& options);
  Status InitNew(const Options& options);
  Status InitExisting();
  Status LoadScanAndAttach();
  Status LoadAndScan();
  bool IndexExists();  // `-shm` exists (or cannot be told: then it is opened as usual)
  void InitPageMemory();
  Status LoadMainHeader();
  Status OpenWal();
  Status RecoverWal();
  Status CheckMainNotTruncated();
  Status PoisonUnlessShortage(Status cause);  // W12
  void NoteCheckpointFailure(const Status& st);
  Status CheckWritable(const char* op);
  Status Poison(Status cause);
  Status ReadCommitted(uint32_t page_number, uint8_t* dst);
  Status ReadPageLocked(uint32_t page_number, uint8_t* dst, uint64_t len);
  Status ReadMainPage(uint32_t page_number, uint8_t* dst);

  // Inline: every read and view asks it first; the closed case is built out of line.
  Status CheckOpen() const { return closed_ ? ClosedError() : Status::Ok(); }
  Status ClosedError() const;
  bool HiddenByShrink(uint64_t frame, uint64_t mark, uint32_t page_number) const;
  bool ReadersNeedMain();
  Status WaitForReaders(std::unique_lock<std::mutex>* lock, CheckpointMode mode);
  void MoveReadersToNewGeneration();
  void NoteFrame(uint32_t page_number, uint64_t frame_index);
  void FoldHistory();  // W29
  // W19 (impl/wal/view.cc).
  struct PageSource {
    enum Kind { kZero, kMain, kWal } kind = kZero;
    uint64_t frame = 0;  // kWal
  };
  // W3: where the latest commit's page lives (index_, then the main file below
  // main_valid_count_, else zeros). Inline: every read of the latest commit calls it.
  PageSource LocateLatest(uint32_t page_number) const {
    PageSource src;
    if (index_.Lookup(page_number, &src.frame)) {
      src.kind = PageSource::kWal;
    } else if (page_number < main_valid_count_) {
      src.kind = PageSource::kMain;
    }
    return src;
  }
  PageSource LocatePage(const ReadSnapshot& snap, uint32_t page_number) const;
  const uint8_t* SourceBytes(const PageSource& src, uint32_t page_number);
  Status ReadUnmapped(const PageSource& src, uint32_t page_number, uint8_t* dst);
  Status ReadSource(const PageSource& src, uint32_t page_number, uint8_t* dst, bool latest);
  const uint8_t* ViewSource(ReadSnapshot* snap, const PageSource& src, uint32_t page_number,
                            Status* st);
  bool ReadersHoldWalViews() const;
  const uint8_t* MainPageBytes(uint32_t page_number);
  const uint8_t* WalFrameBytes(uint64_t frame_index);

  // Shared index (W18-W21, impl/wal/shared.cc).
  Status LockForOpen();
  Status WriterByteBusy(const Status& busy);
  Status LockIndexForOpen(bool* first_opener);
  Status AttachShared();
  Status ReadPrivately();
  Status RebuildIndexAsReader();
  bool WriterByteHeldShared();
  bool WaitedForIndexRebuild();
  int64_t OpenRebuildWaitMs() const;
  Status RescanIfWalMoved();
  void ForgetGenerationFrames();
  Status WalMovedSinceScan(bool* moved) const;
  bool SharedReader() const { return shm_ != nullptr && mode_ == AccessMode::kReadOnly; }
  void NoteShmFrame(uint64_t frame_index, uint32_t page_number);
  void NoteShmCommit(uint64_t frame_index, uint32_t page_count, uint32_t floor);
  ShmHeader CurrentShmHeader() const;
  Status PublishShared();
  Status Refresh(const ShmHeader** h);
  Status AdoptFrames(const ShmHeader& h);
  Status AdoptGeneration(const ShmHeader& h);
  Status PinView(bool allow_main_only, uint64_t* mark, uint32_t* main_page_count);
  Status PinViewLocked(bool allow_main_only, bool restart_locked, uint64_t* mark,
                       uint32_t* main_page_count);
  bool RepinLatest();
  uint64_t MinReaderMark() const;
  void UpdateSlot();
  SlotScan ScanOthers(bool restart_window);
  void RepublishWithEpoch();
  void EndRestartWindow();
  Status CheckWalMatchesIndex(const ShmHeader& h);
  static bool MainFileHoldsLastCommit(const ShmHeader& h);
  bool OthersNeedFrames();
  bool OthersPinWal(bool restart_window = false);
  // W24: the restart byte (kRestartLockByte on the main file). Lock returns false when it
  // could not be taken in time (the writer then lets the generation go on); every true is
  // paired with one Unlock. Without a shared index no other handle reads: always true.
  bool LockRestartExclusive();
  Status LockRestartShared();
  void UnlockRestart();
  void Hook(HookPoint point) {  // T1: one null check when unset
    if (options_.test_hooks != nullptr) options_.test_hooks->At(point);
  }

  Result<uint32_t> CommitLocked();
  struct StagedHash {
    bool known = false;  // computed by CollectDirty (only for pages it found uncached)
    uint64_t value = 0;
  };
  Status CollectDirty(std::vector<WalLog::FrameRef>* frames, std::vector<StagedHash>* hashes);
  void RememberHashes(const std::vector<WalLog::FrameRef>& frames,
                      const std::vector<StagedHash>& hashes);
  void RememberEvicted(uint32_t page_number, const uint8_t* bytes);
  bool HashRoom();
  // W30: what a commit applied before its sync changed in the read state, to put back.
  struct CommitUndo {
    std::vector<std::pair<uint32_t, uint64_t>> index;  // (page, its frame + 1; 0: none)
    size_t history_pending = 0;
    uint32_t committed_count = 0;
    uint8_t app[kAppHeaderSize] = {};
  };
  void ApplyCommitted(const std::vector<WalLog::FrameRef>& frames,
                      const std::vector<StagedHash>& hashes, uint64_t first_frame,
                      uint32_t floor, CommitUndo* undo);
  bool AppliesWhileSyncing(size_t frame_count, uint32_t floor) const;
  void UndoApply(const std::vector<WalLog::FrameRef>& frames, const CommitUndo& undo);
  // W28: a commit's working vectors, kept from commit to commit.
  struct CommitScratch {
    std::vector<WalLog::FrameRef> frames;
    std::vector<StagedHash> hashes;
    std::vector<std::pair<uint32_t, const uint8_t*>> staged;  // in page order
    std::vector<uint8_t> committed;  // one page: committed bytes a dirty check compares
    std::vector<PageBuffer> taken;   // the data frames' staged buffers, on their way in
    std::vector<uint8_t> in_place;   // 1: taken[i]'s page took its bytes in the cache in place
    CommitUndo undo;                 // W30
    void Reset();  // empties them; frees one grown past kKeptCommitScratchEntries
    bool Empty() const;
    bool Bounded() const;
  };
  uint32_t ZeroFrom() const { return std::min(staged_floor_, committed_count_); }
  void ApplyShrink(uint32_t page_count);
  Result<uint32_t> CheckpointLocked(CheckpointMode mode, bool force_reset);
  Result<uint32_t> CheckpointSteps(CheckpointMode mode);
  Result<uint32_t> CopyStep();
  Result<uint32_t> RestartStep(CheckpointMode mode, uint32_t pages);
  Result<uint32_t> GenerationGoesOn(uint32_t pages);
  Result<uint32_t> CopyFramesToMain();
  uint64_t SafeBackfillFrame();
  Result<uint32_t> BackfillStep(uint64_t target);
  struct CopyCounts {
    uint64_t bytes = 0;   // written into the main file
    uint64_t writes = 0;  // write calls
    uint64_t reads = 0;   // scatter reads of WAL frames
    uint64_t writebacks = 0;  // writeback hints (kCheckpointWritebackBytes each)
  };
  struct CopyScratch {  // reused from span to span
    // One slot per page of the span, kept from checkpoint to checkpoint (copy_scratch_). Not
    // value-initialized: every byte of a span is a frame body or a main-file page (zeros
    // past its end) before it is written. Zeroing a fresh 4 MiB buffer at every checkpoint
    // and faulting its pages in was ~10 % of a checkpoint's CPU (doc/performance.md, "The
    // 256-page commit path, continued").
    // A span of 1 MiB or more is a huge page mapping where the kernel gives them
    // (AlignedBuffer): the frames are read into it and written out of it by the kernel.
    AlignedBuffer span;
    std::vector<uint8_t> headers;  // frame headers a scatter read skips over
    std::vector<size_t> order;     // the span's pairs by WAL position
    std::vector<uint8_t*> dsts;    // the slots of one run of frames
    std::vector<uint8_t> skipped;  // one page: where superseded frames of a run are read
    uint64_t unhinted_from = 0;    // the first main-file byte written since the last
    uint64_t unhinted_bytes = 0;   // writeback hint, and how many were written (W13)
  };
  // W13 (impl/wal/checkpoint_copy.cc).
  Status CopyPairsToMain(const std::vector<std::pair<uint32_t, uint64_t>>& latest);
  void NoteCopyCounts(const CopyCounts& c);  // into stats_ (mu_ held)
  Status CopyPairsUnlocked(const std::vector<std::pair<uint32_t, uint64_t>>& latest,
                           CopyScratch* scratch, CopyCounts* counts) const;
  size_t SpanEnd(const std::vector<std::pair<uint32_t, uint64_t>>& latest, size_t first) const;
  Status CopySpanToMain(const std::pair<uint32_t, uint64_t>* latest, size_t n,
                        CopyScratch* scratch, CopyCounts* counts) const;
  Status ReadSpanFrames(const std::pair<uint32_t, uint64_t>* latest, size_t n,
                        CopyScratch* scratch, CopyCounts* counts) const;
  Status ReadMainPages(uint32_t first, uint32_t count, uint8_t* dst) const;
  Status WriteSpan(uint64_t offset, const uint8_t* span, uint64_t bytes, CopyScratch* scratch,
                   CopyCounts* counts) const;
  std::vector<std::pair<uint32_t, uint64_t>> PairsToBackfill(uint64_t target) const;
  Status DropStalePages(uint64_t* size);
  Status ExtendMainToPageCount(uint64_t size);
  Status PublishMainHeader();
  Status SyncMain();
  bool AutoCheckpointDue() const;
  void ClearStagedLocked();

  // Background checkpointer (W26, impl/wal/background.cc).
  void StartCheckpointer();
  void StopCheckpointer();
  bool CheckpointerDue() const;
  void CheckpointerMain();
  Status CheckpointerCycle(std::unique_lock<std::mutex>* lock, bool* progress);
  bool CatchUpWorthIt() const;
  Status CopyWithoutLock(std::unique_lock<std::mutex>* lock, uint64_t target);
  bool WalOverLimit() const;
  void WaitForCheckpointer(std::unique_lock<std::mutex>* lock, bool counted);
  void LockNotingCheckpointer(std::unique_lock<std::mutex>* lock);

  io::Env* env_;
  std::string path_;
  AccessMode mode_;
  Options options_;
  std::mutex mu_;

  std::unique_ptr<io::File> main_;
  std::unique_ptr<WalLog> wal_;  // null only for a read-only open without a sidecar
  uint32_t page_size_ = 0;
  uint64_t file_id_ = 0;

  // Committed state.
  uint32_t main_count_ = 0;        // page count in the main file's header
  uint64_t main_seq_ = 0;          // checkpoint_seq of the valid header copy
  int main_slot_ = 0;              // 0 = copy A, 1 = copy B
  uint32_t main_valid_count_ = 0;  // W3
  uint32_t committed_count_ = 0;
  uint8_t committed_app_[kAppHeaderSize] = {};
  FrameIndex index_;  // W2 (a flat table: one cache line per lookup)
  std::unordered_map<uint32_t, uint64_t> committed_hash_;  // W14
  // W15: every frame of the current generation per page (ascending), and each shrink as
  // (first frame of its transaction, floor); cleared with the generation. Frames reach
  // history_ only when a read transaction begins (FoldHistory): until then a commit appends
  // (frame, page) to history_pending_, one entry in a reused vector, instead of a hash-map
  // node and a vector per page (W29).
  std::unordered_map<uint32_t, std::vector<uint64_t>> history_;
  std::vector<std::pair<uint64_t, uint32_t>> history_pending_;
  std::vector<std::pair<uint64_t, uint32_t>> shrinks_;
  uint64_t generation_ = 0;  // the WAL header's salt1 (+1 per reset, L3)
  std::set<ReadSnapshot*> readers_;  // W16
  std::condition_variable reader_left_;
  bool closed_ = false;  // W17

  // Shared index (W18-W21).
  std::unique_ptr<ShmIndex> shm_;  // null: a private index (read-only, see W21)
  int slot_ = -1;                  // the read-mark slot this handle claimed (W19)
  std::vector<ShmFrame> shm_frames_;  // entries of the current generation (writer, rebuild)
  uint64_t shm_stored_ = 0;        // entries [0, shm_stored_) are in the shared index
  uint64_t backfilled_ = 0;        // frames copied into the main file this generation
  bool restart_window_seen_ = false;  // the last PinViewLocked met an odd epoch (W24)
  // W27: the last plain read's pin of the latest commit, reused while the published header
  // is still the one it was taken under.
  struct LatestPin {
    bool valid = false;
    uint64_t slot_value = 0;  // what PinViewLocked stored in slot_
    ShmStamp stamp;           // the header it re-checked
  };
  LatestPin latest_pin_;
  bool adopt_from_scratch_ = false;  // W20: the last adoption read entries a restart rewrote
  uint64_t shm_epoch_ = 0;         // checkpoint epoch last published (writer)
  uint64_t shm_change_ = 0;        // change counter last published (writer)
  ShmHeader last_published_{};     // what PublishShared published last (writer)

  // Staged state (W4): the staged pages' bytes in reused slabs (impl/wal/staged_pages.h).
  std::unique_ptr<StagedPages> staged_;
  std::unique_ptr<PageBufferPool> buffers_;  // the staged pages' and the cache's buffers
  uint32_t staged_count_ = 0;
  uint32_t staged_floor_ = 0;  // W4
  uint8_t staged_app_[kAppHeaderSize] = {};

  std::unique_ptr<PageCache> cache_;
  CommitScratch commit_scratch_;  // W28
  // W13: the checkpoint copy's buffers (at most kCheckpointBatchBytes of span), kept for the
  // handle's life. One copy uses them at a time: a checkpoint runs under mu_, and while the
  // background thread copies without it (W26) bg_copying_ keeps every other one out.
  CopyScratch copy_scratch_;
  State busy_state_ = State::kOpen;  // kCommitting / kCheckpointing while one runs
  bool poisoned_ = false;
  std::string poison_reason_;
  Stats stats_;
  uint64_t main_unsynced_bytes_ = 0;
  bool main_resized_ = false;  // the main file was cut or extended since its last sync
  std::vector<uint8_t> read_scratch_;  // an unmapped read's target until it succeeded (C5)
  ReadMap main_map_;  // W18
  ReadMap wal_map_;   // W19

  // Background checkpointer (W26).
  std::thread bg_thread_;
  std::condition_variable bg_wake_;  // a commit crossed the threshold, or stop
  std::condition_variable bg_idle_;  // a step or a copy ended
  bool bg_stop_ = false;
  bool bg_copying_ = false;  // a copy runs without mu_: no other checkpoint may start
  std::atomic<uint64_t> bg_mu_releases_{0};  // times the thread released mu_ after a step
                                             // (read by LockNotingCheckpointer)
  bool txn_met_checkpointer_ = false;  // a call of the transaction being staged waited for it
  uint64_t bg_parked_at_commit_ = UINT64_MAX;  // stats_.commits when a step made no progress
};

}  // namespace wal
}  // namespace pager
