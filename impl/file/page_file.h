// PageFile: a file of fixed-size, memory-mapped pages with crash-safe allocation, protected
// (copy-on-write, crash-safe) pages and one durable flush per commit.
// Format and protocol: doc/format/page-file.md (format.h holds the compiled layout).
//
// Invariants (named in comments and checked by CheckInvariants(), which tests call):
//   P1. The superblock (page 0) is written once, at create, and never again.
//   P2. A commit never overwrites a current copy: it writes the slot of each changed bitmap
//       group / directory page that does not hold the current copy, then the meta slot that
//       is not active, then issues exactly one DataSync. Until that sync returns, the last
//       committed state is intact on disk.
//   P3. Every generation a handle writes is larger than every generation on disk: a
//       read-write open first makes an "epoch" meta durable at (recovered generation + 2)
//       after zeroing every in-scope copy newer than the recovered meta (the leftovers of a
//       commit that did not complete), and any failure after a commit's first write poisons
//       the handle, so no generation is ever written twice.
//   P4. In memory, bit p of bits_ is set iff page p is in use (reserved, internal, or handed
//       out); used_count_ equals the number of set bits; no bit at or past page_count_ is set.
//   P5. Every page handed out (regular, protected backing, directory slot, bitmap slot) has
//       its blocks reserved with File::Allocate before the commit that hands it out, so
//       writes through the mapping never meet a full disk (no SIGBUS) and pwrites of
//       internal pages never fail with ENOSPC. A page this handle reserved once
//       (reserved_bits_) keeps its blocks for the handle's life -- nothing punches holes in
//       the main file or shortens it -- so handing it out again reserves nothing.
//   P6. A failed DataSync or msync poisons the handle: every later mutation returns
//       kPoisoned; the in-memory state stays at the last committed state.
//   P7. An operation either commits all of its changes or none: validation comes before any
//       change, and an error before the commit's first write restores the in-memory state
//       from the undo log.
//   P8. Pointers into the mapping stay valid until the handle is closed: the address range
//       for max_size_bytes is reserved at open and the file is mapped over its prefix.
//   P9. A protected page is held by at most one open write transaction (open_txns_ maps it
//       to its owner); a held page cannot be freed (kBusy), and a transaction's commit
//       validates, writes, commits and releases its pages in one critical section, so no
//       other call can free or reuse a page between the check and the write.
//   P10. A transaction's commit is one Commit(): every page's new content goes to its
//       inactive backing page, and all directory entries flip in the same metadata commit.
//       Recovery verifies every in-use entry's active content (VerifyState), so after a crash
//       either every page of the transaction reads new or every page reads old.
//   P11. SyncPages of any set of pages is one DataSync (one device flush), whatever the
//       number of runs; it makes at least the listed pages durable (other dirty pages of the
//       file may become durable with them, as kernel writeback may make them at any time).
//   P12. A transaction allocates and frees protected pages without touching the committed
//       state until its commit: TxnAllocId reserves a free directory entry id for its owner
//       (reserved_ids_; the entry stays free on disk and in memory, so no other commit can
//       carry it, and FindFreeEntry/TxnAllocId skip it, so nobody else is handed the id);
//       TxnFreeId holds an in-use page for its owner marked as freeing (open_txns_ +
//       freeing_), so it stays allocated -- not reusable -- until the commit that frees it is
//       durable. The commit makes the new entries (backing pages taken, directory pages
//       added as needed), the rewritten pages and the freed entries one Commit() (P2, P10):
//       one fdatasync, and after a crash the allocator and every page are all old or all new
//       (no format change: bitmap and directory copies already commit together). Backing
//       pages are taken before the frees are applied, so a new page never lands on a page the
//       last committed state still uses. An abort drops the reservations and holds: the
//       allocator is exactly as before.
//   P13. Advice (Advise) never changes a byte, the committed state or the mapping's
//       addresses; it is accepted whatever the handle's mode. A kNormal/kRandom/kSequential
//       for the whole page space is the mapping's (io E4a): GrowTo's Remap gives it to the
//       pages growth adds; advice for fewer pages, or a one-shot one (kWillNeed, kDontNeed),
//       covers the pages it names only.
//   P14. A format-2 file commits through its page journal (journal.h J1-J5): a commit's page
//       writes (copies, contents, meta: P2's non-current slots) go to the journal as one batch
//       (its write started, io E8) and, from the journal's copy of each image, to the main
//       file through the mapping while that write is in flight, without a sync; the journal's
//       DataSync (which finishes the write) is the commit's one flush (P2). Until it returns
//       the main file holds the last committed state plus, at most, part of the new one,
//       which recovery already tells apart (P2, P3); once it returns a replay of the journal
//       rebuilds the commit whatever of it reached the main file.
//   P15. SyncPages of a format-2 file journals the listed pages' bytes as the journal copies
//       them under mu_ (J1: the checksum is of the copy that is written), in batches of at
//       most kSyncBatchBytes, then issues one journal DataSync (P11): one sequential write
//       however scattered the pages are. Pages not listed are not made durable by it.
//   P16. The journal restarts at offset 0 only after a DataSync of the main file made every
//       page of its chain durable in place (the checkpoint: when a batch would end past
//       kJournalLapBytes; a failed checkpoint poisons, P6), and a clean close makes the main
//       file durable and invalidates the journal. A read-write open replays the chain into the
//       main file, makes it durable, invalidates the journal, re-reserves the blocks of every
//       in-use page (P5), and only then recovers; when it finds no chain it makes the journal
//       durable as it read it (a clean close whose invalidation failed leaves the zeroed head
//       in the page cache only, the older chain on disk); a read-only open recovers and maps the
//       file through the replayed view of the chain (journal_overlay.h O1-O3), writing
//       nothing. A format-1 file has no journal and commits in place (P2, P11) as before.
//   P17. Every directory entry id below entry_hint_ (and within the directory) is in use or
//       reserved: the searches for a free id (FindFreeEntry, TxnAllocId) start there and
//       leave it at the id they found, so a search walks only the taken ids between the
//       lowest id freed since the last search and the id it finds, not the directory from
//       id 1 every time. An entry freed (SetEntry), a reservation dropped and a Rollback
//       lower it; an open starts it at 1.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "impl/common/status.h"
#include "impl/file/format.h"
#include "impl/file/journal.h"
#include "impl/io/env.h"

namespace pager {
namespace file {

struct FileOptions {
  uint32_t page_size = 4096;              // create: the page size; open: expected (0 = any)
  uint64_t max_size_bytes = uint64_t{1} << 40;  // address space reserved (1 TiB)
  int64_t lock_timeout_ms = 0;            // 0 = kBusy at once, > 0 = wait, -1 = forever
  uint64_t initial_page_count = 64;       // create: the first page space
  bool read_only = false;                 // open: shared lock, no mutation
  // create: kFormatVersion (2, journaled: P14) or kFormatVersionUnjournaled (1, in place);
  // 0 = kFormatVersion. open: the format the caller expects (0 = any; another is kVersion).
  uint32_t format_version = 0;
  uint64_t journal_lap_bytes = kJournalLapBytes;  // P16's checkpoint point (tests lower it)
  // read_only, pager_file_check only: map nothing (only the counts and the recovery report
  // may be used), so a check needs no address space for the page space.
  bool no_mapping = false;
};

// Counters of what open-time recovery found (tests and pagerctl read them).
struct RecoveryReport {
  int meta_slot = -1;             // 0 = A (page 1), 1 = B (page 2)
  uint64_t generation = 0;        // of the recovered meta
  bool fell_back = false;         // the newer checksum-valid meta was rejected
  std::string rejected_reason;    // why a meta slot was rejected (empty if none)
  uint64_t rejected_offset = UINT64_MAX;  // byte offset of the damage that rejected the newer
                                          // meta's state (Status S3), UINT64_MAX if none
  uint64_t stale_copies = 0;      // copies newer than the recovered meta (zeroed on RW open)
  uint32_t format_version = 0;    // of the superblock: 1 (no journal) or 2 (journaled)
  uint64_t journal_batches = 0;   // batches of the journal replayed by a read-write open (P16)
  uint64_t journal_pages = 0;     // page images in them
};

class PageFile {
 public:
  ~PageFile();
  PageFile(const PageFile&) = delete;
  PageFile& operator=(const PageFile&) = delete;

  static Status Create(io::Env* env, const std::string& path, const FileOptions& options,
                       std::unique_ptr<PageFile>* out);
  static Status Open(io::Env* env, const std::string& path, const FileOptions& options,
                     std::unique_ptr<PageFile>* out);
  // Releases the mapping, the descriptor and the lock. Later calls fail with kInvalid.
  void Close();

  uint32_t page_size() const { return page_size_; }
  bool read_only() const { return read_only_; }
  Status PageCount(uint64_t* out);
  Status FreePageCount(uint64_t* out);
  Status ProtectedCount(uint64_t* out);
  RecoveryReport recovery_report() const { return report_; }
  uint64_t generation();
  uint64_t sync_count();  // DataSync calls made by commits and SyncPages (tests of P2, P11)
  uint64_t checkpoint_count();  // main-file DataSyncs that restarted the journal (P16)
  uint32_t format_version() const { return format_version_; }
  // The counters above and the journal's position and lap, read together (0s in format 1).
  struct Stats {
    uint32_t format_version = 0;
    uint64_t syncs = 0;
    uint64_t checkpoints = 0;
    uint64_t journal_bytes = 0;
    uint64_t journal_lap_bytes = 0;
  };
  Stats stats();

  // Regular pages.
  Status Alloc(uint64_t* page);
  Status AllocBulk(uint64_t count, uint64_t* pages);
  Status Free(uint64_t page);
  Status FreeBulk(const uint64_t* pages, uint64_t count);
  Status Grow(uint64_t page_count);
  Status PagePointer(uint64_t page, bool writable, uint8_t** out);
  Status SyncPages(const uint64_t* pages, uint64_t count);
  // Ok if page is an allocated regular page (what PagePointer accepts).
  Status CheckRegular(uint64_t page);
  // Ok if the handle accepts mutations (open, read-write, not poisoned).
  Status CheckWritable();
  // Ok if the handle is open (kInvalid "closed" otherwise).
  Status CheckOpen();
  // Advises the kernel about the mapped pages [first, first + count) (P13). count 0 with
  // first 0: the whole page space, and a kNormal/kRandom/kSequential advice is remembered and
  // applied to the pages growth maps later. kRange past the page space; kIo if the kernel
  // refuses. Accepted on a read-only or poisoned handle (it changes no byte).
  Status Advise(uint64_t first, uint64_t count, io::Advice advice);
  // The most pages the page space may ever hold (max_size_bytes / page_size).
  uint64_t max_page_count() const { return options_.max_size_bytes / page_size_; }

  // Protected pages (ids start at 1).
  Status ProtectedAlloc(uint64_t* id);
  Status ProtectedAllocBulk(uint64_t count, uint64_t* ids);
  Status ProtectedFree(uint64_t id);
  Status ProtectedFreeBulk(const uint64_t* ids, uint64_t count);
  Status ProtectedRead(uint64_t id, void* buf, uint64_t len);
  // Commits data (page_size bytes) as the new content of id, crash-safely (one flush).
  // kBusy if an open transaction holds id.
  Status ProtectedWrite(uint64_t id, const void* data);

  // Write transactions over any number of protected pages (P9, P10). `owner` identifies
  // the transaction (any unique address). TxnAdd holds id for owner (kBusy if another owner
  // holds it; Ok again for the same owner) and copies its committed content into copy_out
  // (page_size bytes); a null copy_out holds the page without reading it, for a caller that
  // writes the whole page (a blind write: no read of the committed content). TxnCommit
  // writes every (id, content) pair in one commit and releases every page owner holds,
  // whether it succeeds or not. TxnRelease releases without writing.
  struct TxnPage {
    uint64_t id;
    const uint8_t* data;  // page_size bytes
  };
  // TxnAllocId reserves a new protected page id for owner (P12: invisible to others until
  // the commit; its content is the TxnPage the commit passes for it). TxnFreeId marks id to be
  // freed by owner's commit: a reserved id of owner is simply unreserved; an allocated page is
  // held (kBusy if another owner holds it, kDoubleFree if owner already frees it). TxnCommit
  // takes every held or reserved page's content in `pages` (a page owner frees must not be in
  // it) and frees the pages owner marked.
  Status TxnAdd(const void* owner, uint64_t id, uint8_t* copy_out);
  Status TxnAllocId(const void* owner, uint64_t* id);
  Status TxnFreeId(const void* owner, uint64_t id);
  Status TxnCommit(const void* owner, const std::vector<TxnPage>& pages);
  void TxnRelease(const void* owner);

  // Cursors: the first item >= from, or *found = false.
  Status NextRegular(uint64_t from, uint64_t* page, bool* found);
  Status NextProtected(uint64_t from, uint64_t* id, bool* found);

  // Checks P4 and the directory against the bitmap (kInternal naming the broken invariant).
  Status CheckInvariants();

 private:
  struct Group {
    int cur_slot = 0;       // slot of the current copy
    uint64_t gen = 0;       // 0: no copy yet (a group created in the pending commit)
    uint64_t checksum = 0;
  };
  struct DirPage {
    DirSlotsDisk slots{};
    int cur_slot = 0;
    uint64_t gen = 0;
    uint64_t checksum = 0;
    std::vector<DirEntryDisk> entries;
  };
  // Undo log of one operation (P7).
  struct Undo {
    std::vector<uint64_t> flipped;
    std::vector<std::pair<uint64_t, DirEntryDisk>> entries;  // (entry index, old value)
    std::vector<uint64_t> internal_added;
    std::vector<uint64_t> internal_removed;
    uint64_t page_count = 0;
    size_t group_count = 0;
    size_t dir_count = 0;
    uint64_t used_count = 0;
    uint64_t protected_count = 0;
    uint64_t hint = 0;
    uint64_t entry_hint = 1;
  };
  // A protected content the pending commit writes: data is borrowed (the caller's buffer of a
  // ProtectedWrite or a transaction's commit, or zero_page_) and read before the call returns.
  struct ContentWrite {
    uint64_t page;
    const uint8_t* data;  // page_size bytes
  };

  PageFile(io::Env* env, const std::string& path, const FileOptions& options);

  // page_file.cc: lifecycle and commit.
  Status CreateLocked();
  Status OpenLocked();
  Status EpochCommit();
  Status MapFile();
  Status RequireOpen() const;
  Status RequireWritable() const;
  void BeginOp();
  void Rollback();
  Status Commit();
  struct PageWrite {
    uint64_t page;
    const uint8_t* bytes;  // page_size bytes
  };
  Status WriteInPlace(const std::vector<PageWrite>& writes, bool* wrote);
  Status OpenJournal(bool create, bool* replayed);
  Status ReserveInUse();

  // journal_ops.cc: the page journal of a format-2 file (P14-P16).
  Status WriteJournaled(const std::vector<PageWrite>& writes, bool apply, bool* wrote);
  Status AppendBatch(const std::vector<PageWrite>& writes, bool* wrote);
  Status SyncMainForCheckpoint();
  Status SyncPagesJournaled(const uint64_t* pages, uint64_t count);
  void CheckpointAtClose();
  void BuildMeta(uint64_t gen, uint64_t root, uint8_t* page) const;
  uint64_t StateRoot(const std::vector<Group>& groups, const std::vector<DirPage>& dirs) const;
  void BuildGroupPage(uint64_t group, uint8_t* page) const;
  void BuildDirPage(uint32_t index, uint8_t* page) const;

  // recovery.cc: open-time selection of the meta and loading of the state.
  Status Recover();
  Status TryLoad(int slot, const Meta& meta, uint64_t* max_gen);
  Status LoadGroups(const Meta& meta, uint64_t* max_gen);
  Status LoadDirs(const Meta& meta, uint64_t* max_gen);
  Status PickCopy(const char (&magic)[8], uint32_t index, const uint64_t pages[2],
                  uint64_t max_gen_allowed, std::vector<uint8_t>* page, int* slot, uint64_t* gen,
                  uint64_t* checksum, uint64_t* max_gen);
  Status VerifyState(const Meta& meta);

  // page_ops.cc: bitmap and directory mutations.
  bool Bit(uint64_t page) const { return (bits_[page >> 6] >> (page & 63)) & 1; }
  void FlipBit(uint64_t page);
  bool IsInternal(uint64_t page) const;
  Status ClassifyFree(uint64_t page) const;
  Status CheckRegularLocked(uint64_t page) const;
  void FindFree(uint64_t count, std::vector<uint64_t>* pages);
  Status GrowTo(uint64_t page_count);
  uint64_t GrowthTarget(uint64_t want, uint64_t need) const;
  Status TakePages(uint64_t count, bool internal, std::vector<uint64_t>* pages);
  Status CheckRoomFor(uint64_t pages) const;
  Status WriteProtectedLocked(const std::vector<TxnPage>& pages);
  void StageProtectedWrites(const std::vector<TxnPage>& pages);
  void ReleaseTxnLocked(const void* owner);
  Status ReserveBlocks(const std::vector<uint64_t>& pages);
  Status ReserveRun(uint64_t first, uint64_t count);  // File::Allocate, noted in reserved_bits_
  bool ReservedThisSession(uint64_t page) const;
  Status CheckProtectedId(uint64_t id, bool for_free) const;
  DirEntryDisk& Entry(uint64_t id);
  const DirEntryDisk& Entry(uint64_t id) const;
  void SetEntry(uint64_t id, const DirEntryDisk& value);
  Status FindFreeEntry(uint64_t* id);
  bool EntryTakeable(uint64_t id) const;
  uint64_t DirCapacity() const;
  Status AddDirPage();
  Status StageTxnLocked(const std::vector<TxnPage>& pages, const std::vector<uint64_t>& frees);
  std::vector<uint64_t> TxnFreesLocked(const void* owner) const;
  Status CheckTxnPagesLocked(const void* owner, const std::vector<TxnPage>& pages) const;
  void StageNewEntries(const std::vector<TxnPage>& created, const std::vector<uint64_t>& backing);
  Status AllocProtectedLocked(uint64_t* id);
  void FreeProtectedLocked(uint64_t id);

  io::Env* env_;
  std::string path_;
  FileOptions options_;
  bool read_only_;
  std::unique_ptr<io::File> file_;
  std::unique_ptr<io::Mapping> map_;
  bool closed_ = false;
  bool poisoned_ = false;
  std::string poison_reason_;

  uint32_t page_size_ = 0;
  uint32_t page_size_log2_ = 0;
  uint64_t file_id_ = 0;
  int active_meta_ = 0;  // slot of the current meta
  uint64_t generation_ = 0;
  uint64_t page_count_ = 0;
  uint64_t used_count_ = 0;
  uint64_t protected_count_ = 0;
  uint64_t state_root_ = 0;
  uint64_t hint_ = kFirstDataPage;
  uint64_t entry_hint_ = 1;  // P17
  void LowerEntryHint(uint64_t id) { entry_hint_ = std::min(entry_hint_, id); }
  std::vector<uint64_t> bits_;
  // P5: bit p is set once a File::Allocate of this handle covered page p (never cleared, not
  // undone by Rollback: the blocks stay). Sized on demand; a page past its end is not noted.
  std::vector<uint64_t> reserved_bits_;
  std::vector<Group> groups_;
  std::vector<DirPage> dirs_;
  std::unordered_set<uint64_t> internal_;  // directory slots and protected backing pages
  // The transactions' holds, hashed: O(1) per page a transaction adds, checks or releases.
  std::unordered_map<uint64_t, const void*> open_txns_;     // protected id -> its owner (P9)
  std::unordered_set<uint64_t> freeing_;  // held ids their owner frees at commit (P12)
  std::unordered_map<uint64_t, const void*> reserved_ids_;  // new ids -> their owner (P12)
  std::vector<uint64_t> stale_slots_;      // found by recovery, zeroed by the epoch commit
  RecoveryReport report_;
  uint64_t sync_count_ = 0;
  uint64_t checkpoint_count_ = 0;
  uint64_t max_seen_gen_ = 0;
  uint32_t format_version_ = kFormatVersion;
  std::unique_ptr<Journal> journal_;  // format 2, read-write only (P14)

  // The operation in progress.
  Undo undo_;
  std::set<uint64_t> dirty_groups_;
  std::set<uint32_t> dirty_dirs_;
  std::vector<ContentWrite> content_;
  std::vector<uint8_t> zero_page_;  // the content of a new protected page (page_size zeros)

  std::mutex mu_;

  friend class PageFileTestPeer;  // tests/file_invariants_test.cc breaks P4/P12 on purpose
};

}  // namespace file
}  // namespace pager
