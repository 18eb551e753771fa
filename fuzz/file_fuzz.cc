// libFuzzer harness for the mapped page file (MemEnv only, no disk).
//
// Input byte 0 selects the mode:
//   0: the rest is a file image: open it read-only and read-write; whatever opens must pass
//      CheckInvariants, iterate and read every protected page.
//   1: the same, after re-sealing every checksum (superblock, metas, copies whose magic
//      matches), so mutations reach the semantic checks behind the checksums.
//   2: the rest is a program of operations with fuzzed ids and lists against a fresh file;
//      every call must either succeed or fail with a precise code, never corrupt the state.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "impl/file/format.h"
#include "impl/file/page_file.h"
#include "impl/file/subpages.h"
#include "impl/io/checksum.h"
#include "impl/io/mem_env.h"

using namespace pager;
using namespace pager::file;

namespace {

void Reseal(std::vector<uint8_t>* img) {
  if (img->size() < sizeof(SuperblockDisk)) return;
  SuperblockDisk sb;
  std::memcpy(&sb, img->data(), sizeof sb);
  sb.checksum = Checksum64(&sb, offsetof(SuperblockDisk, checksum), kSeedSuperblock);
  std::memcpy(img->data(), &sb, sizeof sb);
  if (sb.page_size_log2 < kMinPageSizeLog2 || sb.page_size_log2 > kMaxPageSizeLog2) return;
  size_t ps = size_t{1} << sb.page_size_log2;
  for (size_t off = ps; off + ps <= img->size(); off += ps) {
    uint8_t* page = img->data() + off;
    size_t skip;
    uint64_t seed;
    if (std::memcmp(page, kMetaMagic, 8) == 0) {
      skip = offsetof(MetaHeaderDisk, checksum);
      seed = kSeedMeta;
    } else if (std::memcmp(page, kBitmapMagic, 8) == 0 || std::memcmp(page, kDirMagic, 8) == 0) {
      skip = offsetof(CopyHeaderDisk, checksum);
      seed = kSeedCopy;
    } else {
      continue;
    }
    uint64_t sum = PageChecksum(page, ps, skip, seed);
    std::memcpy(page + skip, &sum, 8);
  }
}

void Exercise(PageFile* pf) {
  if (!pf->CheckInvariants().ok()) __builtin_trap();
  uint64_t next = 0, id = 0;
  bool found = true;
  while (pf->NextRegular(next, &id, &found).ok() && found) {
    uint8_t* p = nullptr;
    if (!pf->PagePointer(id, false, &p).ok()) __builtin_trap();
    next = id + 1;
  }
  std::vector<uint8_t> buf(pf->page_size());
  next = 1;
  while (pf->NextProtected(next, &id, &found).ok() && found) {
    if (!pf->ProtectedRead(id, buf.data(), buf.size()).ok()) __builtin_trap();
    next = id + 1;
  }
}

void OpenImage(const uint8_t* data, size_t size, bool reseal) {
  std::vector<uint8_t> img(data, data + size);
  if (reseal) Reseal(&img);
  auto env_owner = io::FaultEnv::FromImage({{"/f", img}});
  io::MemEnv& env = *env_owner;
  FileOptions o;
  o.page_size = 0;
  o.max_size_bytes = 4u << 20;
  for (int rw = 0; rw < 2; rw++) {
    o.read_only = rw == 0;
    std::unique_ptr<PageFile> pf;
    if (!PageFile::Open(&env, "/f", o, &pf).ok()) continue;
    Exercise(pf.get());
    if (rw == 1) {  // a writer on a recovered file keeps it consistent
      uint64_t id = 0;
      if (pf->Alloc(&id).ok()) (void)pf->Free(id);
      Exercise(pf.get());
    }
  }
}

struct Reader {
  const uint8_t* p;
  size_t n;
  uint64_t Next(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes && n > 0; i++, p++, n--) v |= uint64_t{*p} << (8 * i);
    return v;
  }
};

// One transaction over the listed protected ids (those that can be added), then commit.
void TxnWrite(PageFile* pf, const uint64_t* ids, size_t count, int fill) {
  int owner = 0;
  std::vector<std::vector<uint8_t>> copies(count, std::vector<uint8_t>(pf->page_size()));
  std::vector<PageFile::TxnPage> pages;
  for (size_t i = 0; i < count; i++) {
    bool again = false;
    for (const PageFile::TxnPage& p : pages) again = again || p.id == ids[i] % 64;
    if (again || !pf->TxnAdd(&owner, ids[i] % 64, copies[i].data()).ok()) continue;
    std::memset(copies[i].data(), fill + static_cast<int>(i), copies[i].size());
    pages.push_back({ids[i] % 64, copies[i].data()});
  }
  (void)pf->TxnCommit(&owner, pages);
}

void RunProgram(const uint8_t* data, size_t size) {
  io::MemEnv env;
  FileOptions o;
  o.page_size = 1024;
  o.max_size_bytes = 8u << 20;
  o.initial_page_count = 16;
  std::unique_ptr<PageFile> owned;
  if (!PageFile::Create(&env, "/f", o, &owned).ok()) return;
  std::shared_ptr<PageFile> pf(std::move(owned));
  std::unique_ptr<SubPages> sp;
  if (!SubPages::Create(pf, 256, &sp).ok()) return;
  Reader r{data, size};
  std::vector<uint8_t> page(1024);
  int ops = 0;
  while (r.n > 0 && ops++ < 200) {
    uint64_t op = r.Next(1) % 10;
    uint64_t a = r.Next(2);
    uint64_t ids[8];
    size_t count = 1 + r.Next(1) % 8;
    for (size_t i = 0; i < count; i++) ids[i] = r.Next(2);
    switch (op) {
      case 0: (void)pf->Alloc(&ids[0]); break;
      case 1: (void)pf->Free(a); break;
      case 2: (void)pf->AllocBulk(count, ids); break;
      case 3: (void)pf->FreeBulk(ids, count); break;
      case 4: (void)pf->ProtectedAlloc(&ids[0]); break;
      case 5: (void)pf->ProtectedFreeBulk(ids, count); break;
      case 6: TxnWrite(pf.get(), ids, count, static_cast<int>(a)); break;
      case 7: (void)sp->AllocBulk(count, ids); break;
      case 8: (void)sp->FreeBulk(ids, count); break;
      default: (void)pf->Grow(a * 4); break;
    }
  }
  Exercise(pf.get());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1u << 20)) return 0;
  switch (data[0] % 3) {
    case 0: OpenImage(data + 1, size - 1, false); break;
    case 1: OpenImage(data + 1, size - 1, true); break;
    default: RunProgram(data + 1, size - 1); break;
  }
  return 0;
}
