// The page journal of a format-2 page file: a sidecar file (`<path>-journal`) of batches of
// page images. A commit or a SyncPages writes its pages as one batch -- one sequential write
// and one DataSync of the journal, however scattered the pages are in the main file -- and
// the main file is made durable in place later, once per journal lap (the checkpoint).
// Byte layout, replay and the crash-safety argument: doc/format/page-journal.md.
//
// Invariants (the page file's P14-P16 build on them):
//   J1. A batch is built whole in the journal's own buffer (the images copied from the
//       caller's and hashed from the copy, so the checksum and the bytes written always
//       agree) and written at the chain's end by writes started by Append -- the images in
//       chunks of kWriteChunkBytes as they are built, the header block last (a batch of one
//       chunk: one write) -- and finished before the next Append, Sync, Invalidate or the
//       journal's destruction (io E8: asynchronous O_DIRECT writes where the file system
//       allows). It is valid only if its checksum over header, page list and images holds;
//       a batch of which any write was torn or dropped is therefore the end of the chain,
//       never a partial batch.
//   J2. The chain starts at offset 0 with seq 1; batch k + 1 starts where batch k ends and
//       carries the same lap and seq k + 1. Replay applies the chain in order and stops at the
//       first batch that does not continue it.
//   J3. Restart() (the next batch at offset 0) and Invalidate() are called only after the
//       caller made every page of the chain durable in the main file (one main DataSync).
//   J4. A lap is random at open and + 1 at every restart, so a batch left from an earlier lap
//       never continues the chain of a later one.
//   J5. A checksum-valid batch that no writer writes (another file id, page size or version,
//       page 0, a page past its own main_bytes, a seq out of order within its lap) is
//       kCorrupt, found before any page is applied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "impl/common/aligned_buffer.h"
#include "impl/common/status.h"
#include "impl/io/checksum.h"
#include "impl/io/env.h"

namespace pager {
namespace file {

constexpr uint32_t kJournalVersion = 1;
constexpr char kJournalMagic[8] = {'L', 'P', 'G', 'J', 'R', 'N', 'L', '\0'};
constexpr uint64_t kSeedJournal = 0x4c50462020204a4eull;  // "LPF   JN"
constexpr uint64_t kJournalAlignBytes = 4096;  // header block and batch end alignment
// The page file restarts the journal (after a checkpoint) when a batch would end past this.
constexpr uint64_t kJournalLapBytes = uint64_t{64} << 20;
// A batch buffer larger than this is freed once its write finished (a large sync_pages or
// transaction's), so an idle handle keeps at most this much: a 256-page commit of 4 KiB pages
// (1.1 MB) reuses its buffer, a 16 MiB sync_pages batch allocates one each time.
constexpr uint64_t kKeptBatchBytes = uint64_t{4} << 20;
// J1: Append starts the images' writes in chunks of this many bytes, so the device takes one
// chunk while the next is copied and hashed (a multiple of every page size).
constexpr uint64_t kWriteChunkBytes = uint64_t{256} << 10;

// The first 64 bytes of a batch; the page list follows, then zeros to header_bytes.
struct JournalBatchDisk {
  char magic[8];            // kJournalMagic
  uint32_t format_version;  // kJournalVersion
  uint32_t page_size_log2;  // the main file's
  uint64_t file_id;         // the main file's superblock file_id
  uint64_t lap;             // J4
  uint64_t seq;             // J2: 1 at offset 0
  uint32_t page_count;      // >= 1
  uint32_t reserved;        // zero
  uint64_t main_bytes;      // the main file's length (page space) this batch's state needs
  uint64_t checksum;        // Checksum64 of [header block with this field 0] ++ images
};
static_assert(sizeof(JournalBatchDisk) == 64, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, format_version) == 8, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, file_id) == 16, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, lap) == 24, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, seq) == 32, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, page_count) == 40, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, main_bytes) == 48, "journal batch header layout");
static_assert(offsetof(JournalBatchDisk, checksum) == 56, "journal batch header layout");

// Bytes of a batch's header block (header + page list, zero-padded) and of the whole batch.
uint64_t JournalHeaderBytes(uint64_t page_count);
uint64_t JournalBatchBytes(uint64_t page_count, uint32_t page_size);

// What a walk of the chain found.
struct JournalScan {
  uint64_t lap = 0;          // of the chain (0 if empty)
  uint64_t batches = 0;      // valid batches in the chain
  uint64_t pages = 0;        // page images in them
  uint64_t end_bytes = 0;    // where the chain ends: the offset of the next batch
  uint64_t main_bytes = 0;   // the largest main_bytes of the chain (0 if empty)
  uint64_t file_bytes = 0;   // the journal file's size
  std::string stop_reason;   // why the walk stopped (end of file, checksum, another lap, ...)
};

class Journal {
 public:
  static std::string PathFor(const std::string& main_path) { return main_path + "-journal"; }
  ~Journal();  // J1: a started write finishes before its buffer goes

  // Opens the journal of a page file. writable: creates it if missing; truncate: empties it
  // (a new page file's). Read-only and missing: *out stays null and Ok (an empty journal).
  static Status Open(io::Env* env, const std::string& main_path, bool writable, bool truncate,
                     uint64_t file_id, uint32_t page_size_log2, std::unique_ptr<Journal>* out);

  // Walks the chain (J2) and validates every batch (J5) without applying anything.
  Status Scan(JournalScan* scan);
  // Scan, then calls apply(page, image) for every image of the chain in order. Nothing is
  // applied if the scan fails, or (kTooLarge) if the chain needs a main file longer than
  // max_main_bytes (the handle's reservation). Leaves the writer at offset 0 with a new lap.
  using ApplyFn = std::function<Status(uint64_t page, const uint8_t* image)>;
  Status Replay(uint64_t max_main_bytes, const ApplyFn& apply, JournalScan* scan);

  uint64_t end_bytes() const { return end_bytes_; }
  size_t buffer_bytes() const { return batch_.capacity(); }  // J1's batch buffer, kept
  // J3: a batch was written since the last Invalidate, so the journal may hold a chain that a
  // replay would apply -- even at end_bytes() 0 (a Restart leaves the old chain in place until
  // the next batch overwrites its head; a clean close must still invalidate it).
  bool may_hold_chain() const { return may_hold_chain_; }
  // Would a batch of page_count pages end past lap_bytes? (Never for the first batch of a lap.)
  bool NeedsRestart(uint64_t page_count, uint64_t lap_bytes) const;
  // J3: the next batch goes to offset 0 with lap + 1.
  void Restart();
  // Reserves the blocks of the next batch (kNoSpc before anything is written).
  Status Reserve(uint64_t page_count);
  // J1: builds the next batch and starts its write (no sync). pages[i]'s image is images[i],
  // page_size bytes, read before Append returns (the caller may change them afterwards).
  Status Append(const uint64_t* pages, const uint8_t* const* images, uint32_t page_count,
                uint64_t main_bytes);
  // The journal's copy of image i of the last Append, valid until the next Append: the bytes
  // the batch holds.
  const uint8_t* AppendedImage(uint32_t i) const;
  // Starts the device on the last batch (a hint; io E7) and makes it durable (J1's write
  // finished, then DataSync).
  Status StartWriteback();
  Status Sync();
  // J3: zeroes the head of the chain and syncs: the journal is empty; the next batch goes to
  // offset 0 with lap + 1.
  Status Invalidate();

 private:
  Journal(std::unique_ptr<io::File> file, uint64_t file_id, uint32_t page_size_log2);
  Status FinishWrite();  // J1
  uint32_t ChunkPages() const;
  void BuildHeaderBlock(const uint64_t* pages, uint32_t page_count, uint64_t main_bytes,
                        Hasher* h);
  Status CopyImages(const uint8_t* const* images, uint32_t page_count, bool start_writes,
                    Hasher* h);
  Status ReadBatch(uint64_t offset, uint64_t file_bytes, uint64_t expect_lap,
                   uint64_t expect_seq,
                   JournalBatchDisk* head, std::vector<uint64_t>* pages, std::string* stop);
  Status HashImages(uint64_t offset, const JournalBatchDisk& head, uint64_t header_bytes,
                    uint64_t* hash_out, bool* short_file);
  Status ApplyBatch(uint64_t offset, const std::vector<uint64_t>& pages, const ApplyFn& apply);

  std::unique_ptr<io::File> file_;
  uint64_t file_id_;
  uint32_t page_size_log2_;
  uint32_t page_size_;
  uint64_t lap_;
  uint64_t seq_ = 1;         // of the next batch
  uint64_t end_bytes_ = 0;   // offset of the next batch
  uint64_t last_batch_bytes_ = 0;
  uint64_t allocated_bytes_ = 0;  // [0, this) holds written or reserved blocks
  bool may_hold_chain_ = false;   // an Append since the last Invalidate
  AlignedBuffer batch_;           // J1: the batch being written
  uint64_t images_offset_ = 0;    // of the last Append's images in batch_
  bool write_started_ = false;    // an Append whose write FinishWrite has not reaped
  struct ScannedBatch {
    uint64_t offset;
    std::vector<uint64_t> pages;
  };
  std::vector<ScannedBatch> scanned_;  // the chain the last Scan validated (Replay applies it)
};

}  // namespace file
}  // namespace pager
