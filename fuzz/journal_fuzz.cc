// libFuzzer harness for the page journal of a format-2 page file (MemEnv only, no disk):
// every byte a read-write or read-only open reads from `<path>-journal` (journal.h J1-J5,
// doc/format/page-journal.md), next to a main file image.
//
// Input: byte 0 is the mode; bytes 1..4 the main image's length L (little endian, clamped to
// what follows); then L bytes of main image; the rest is the journal's bytes.
//   mode bit 0: re-seal the checksum of every batch along the chain's layout first (doc:
//               "Checksum"), so mutated header fields reach the J2/J5 checks behind it.
// Every open must return Ok or a clean code (never kInternal, a crash, a leak or UB). A
// read-write open that succeeds leaves the journal applied and empty: CheckInvariants holds,
// every page reads, a commit through the journal and a clean close work, and the file then
// opens read-only. Corpus: fuzz/journal_corpus_gen.cc.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "impl/file/format.h"
#include "impl/file/journal.h"
#include "impl/file/page_file.h"
#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"

using namespace pager;        // NOLINT
using namespace pager::file;  // NOLINT

namespace {

constexpr size_t kMaxInputBytes = size_t{1} << 20;

// The main file's page size from its superblock, or 0 if the field is out of range.
uint32_t PageSizeOf(const std::vector<uint8_t>& main) {
  if (main.size() < sizeof(SuperblockDisk)) return 0;
  SuperblockDisk sb;
  std::memcpy(&sb, main.data(), sizeof sb);
  if (sb.page_size_log2 < kMinPageSizeLog2 || sb.page_size_log2 > kMaxPageSizeLog2) return 0;
  return uint32_t{1} << sb.page_size_log2;
}

// Re-seals every batch along the chain's layout (batch k + 1 where batch k ends) that fits.
void Reseal(std::vector<uint8_t>* j, uint32_t page_size) {
  if (page_size == 0) return;
  uint64_t off = 0;
  while (off + sizeof(JournalBatchDisk) <= j->size()) {
    JournalBatchDisk head;
    std::memcpy(&head, j->data() + off, sizeof head);
    uint64_t covered = JournalHeaderBytes(head.page_count) + uint64_t{head.page_count} * page_size;
    if (head.page_count == 0 || covered > j->size() - off) return;
    uint8_t* b = j->data() + off;
    std::memset(b + offsetof(JournalBatchDisk, checksum), 0, 8);
    uint64_t sum = Checksum64(b, static_cast<size_t>(covered), kSeedJournal);
    std::memcpy(b + offsetof(JournalBatchDisk, checksum), &sum, 8);
    off += JournalBatchBytes(head.page_count, page_size);
  }
}

void Require(bool ok) {
  if (!ok) __builtin_trap();
}

// An open's failure is one of the codes bad bytes may earn, never a bug's.
void RequireCleanRefusal(const Status& st) {
  Code c = st.code();
  Require(c == Code::kCorrupt || c == Code::kVersion || c == Code::kPageSize ||
          c == Code::kReadOnly || c == Code::kInvalid || c == Code::kRange ||
          c == Code::kTooLarge || c == Code::kNoSpace || c == Code::kFull);
}

void ReadEverything(PageFile* pf) {
  Require(pf->CheckInvariants().ok());
  uint64_t next = 0, id = 0;
  bool found = true;
  while (pf->NextRegular(next, &id, &found).ok() && found) {
    uint8_t* p = nullptr;
    Require(pf->PagePointer(id, false, &p).ok());
    next = id + 1;
  }
  std::vector<uint8_t> buf(pf->page_size());
  next = 1;
  while (pf->NextProtected(next, &id, &found).ok() && found) {
    Require(pf->ProtectedRead(id, buf.data(), buf.size()).ok());
    next = id + 1;
  }
}

// A writer on the replayed file: one protected commit and one SyncPages, both journaled.
void WriteThrough(PageFile* pf) {
  uint64_t id = 0;
  if (pf->ProtectedAlloc(&id).ok()) {
    std::vector<uint8_t> copy(pf->page_size());
    int owner = 0;
    if (pf->TxnAdd(&owner, id, copy.data()).ok()) {
      std::memset(copy.data(), 0x5a, copy.size());
      (void)pf->TxnCommit(&owner, {{id, copy.data()}});
    }
  }
  uint64_t page = 0;
  if (pf->Alloc(&page).ok()) (void)pf->SyncPages(&page, 1);
  Require(pf->CheckInvariants().ok());
}

void OpenBoth(const std::vector<uint8_t>& main, const std::vector<uint8_t>& journal) {
  auto env = io::FaultEnv::FromImage({{"/f", main}, {Journal::PathFor("/f"), journal}});
  FileOptions o;
  o.page_size = 0;
  o.max_size_bytes = 4u << 20;
  o.read_only = true;
  std::unique_ptr<PageFile> pf;
  Status st = PageFile::Open(env.get(), "/f", o, &pf);
  if (st.ok()) {
    ReadEverything(pf.get());
    pf.reset();
  } else {
    RequireCleanRefusal(st);
  }
  o.read_only = false;
  st = PageFile::Open(env.get(), "/f", o, &pf);
  if (!st.ok()) {
    RequireCleanRefusal(st);
    return;
  }
  ReadEverything(pf.get());
  WriteThrough(pf.get());
  pf->Close();
  pf.reset();
  o.read_only = true;  // P16: the chain was applied and the journal emptied
  st = PageFile::Open(env.get(), "/f", o, &pf);
  Require(st.ok());
  ReadEverything(pf.get());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5 || size > kMaxInputBytes) return 0;
  uint8_t mode = data[0];
  uint32_t main_len = 0;
  std::memcpy(&main_len, data + 1, 4);
  size_t rest = size - 5;
  size_t l = std::min<size_t>(main_len, rest);
  std::vector<uint8_t> main(data + 5, data + 5 + l);
  std::vector<uint8_t> journal(data + 5 + l, data + size);
  if (mode & 1) Reseal(&journal, PageSizeOf(main));
  OpenBoth(main, journal);
  return 0;
}
