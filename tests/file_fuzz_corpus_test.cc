// Builds the seed corpus of fuzz/file_fuzz.cc: small page-file images in many states (and
// crash images of them) plus operation programs. With PAGER_FILE_FUZZ_CORPUS=<dir> set, writes
// them there (that is how fuzz/corpus/file/ was made); always checks that every clean image
// opens and verifies, so the corpus starts from valid files.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::SmallOptions;

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> WithMode(uint8_t mode, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> out(body.size() + 1);
  out[0] = mode;
  if (!body.empty()) std::memcpy(out.data() + 1, body.data(), body.size());
  return out;
}

// States reached by growing scripts on a 1 KiB-page file; each state's image is a seed.
std::vector<Seed> ImageSeeds(bool* all_open) {
  std::vector<Seed> seeds;
  io::FaultEnv env;
  std::unique_ptr<PageFile> pf;
  EXPECT_OK(PageFile::Create(&env, "/f", SmallOptions(), &pf));
  std::mt19937_64 rng(7);
  std::vector<uint64_t> pages, prot;
  auto snap = [&](const std::string& name) {
    std::vector<uint8_t> img;
    EXPECT_OK(env.GetFileBytes("/f", &img));
    seeds.push_back({"img-" + name, WithMode(0, img)});
    seeds.push_back({"seal-" + name, WithMode(1, img)});
    auto check = io::FaultEnv::FromImage({{"/f", img}});
    FileOptions o = SmallOptions();
    o.page_size = 0;
    o.read_only = true;
    std::unique_ptr<PageFile> opened;
    if (!PageFile::Open(check.get(), "/f", o, &opened).ok()) *all_open = false;
  };
  snap("fresh");
  for (int step = 0; step < 10; step++) {
    uint64_t id = 0;
    EXPECT_OK(pf->Alloc(&id));
    pages.push_back(id);
    if (step % 2 == 0) {
      EXPECT_OK(pf->ProtectedAlloc(&id));
      prot.push_back(id);
      auto d = pager::testing::PatternBytes(step, 1024);
      EXPECT_OK(pf->ProtectedWrite(id, d.data()));
    }
    if (step % 3 == 2) {
      EXPECT_OK(pf->Free(pages.front()));
      pages.erase(pages.begin());
    }
    snap("step" + std::to_string(step));
  }
  std::vector<uint64_t> more(25);
  EXPECT_OK(pf->ProtectedAllocBulk(more.size(), more.data()));  // a second directory page
  snap("twodir");
  // A transaction that rewrites, allocates (into a third directory page) and frees (P12).
  auto txn = [&](uint64_t seed) {
    int owner = 0;
    std::vector<std::vector<uint8_t>> copies;
    std::vector<PageFile::TxnPage> writes;
    copies.reserve(20);
    copies.emplace_back(1024);
    EXPECT_OK(pf->TxnAdd(&owner, more[0], copies.back().data()));
    copies.back() = pager::testing::PatternBytes(seed, 1024);
    writes.push_back({more[0], copies.back().data()});
    for (int i = 0; i < 18; i++) {
      uint64_t born = 0;
      EXPECT_OK(pf->TxnAllocId(&owner, &born));
      copies.push_back(pager::testing::PatternBytes(seed * 100 + born, 1024));
      writes.push_back({born, copies.back().data()});
    }
    EXPECT_OK(pf->TxnFreeId(&owner, more[1 + seed]));
    return pf->TxnCommit(&owner, writes);
  };
  EXPECT_OK(txn(1));
  snap("txnalloc");
  // Crash images of one more commit: torn and dropped writes for the harness to recover.
  env.CrashAtSync(env.SyncCount() + 1);
  uint64_t id = 0;
  (void)pf->Alloc(&id);
  for (uint64_t s = 0; s < 4; s++) {
    auto image = env.CrashImage(s);
    seeds.push_back({"crash" + std::to_string(s), WithMode(0, image["/f"])});
  }
  // ... and of a transaction commit that allocates and frees.
  env.ClearFaults();
  std::unique_ptr<io::FaultEnv> again = io::FaultEnv::FromImage(env.CrashImage(0));
  pf.reset();
  FileOptions o = SmallOptions();
  o.page_size = 0;
  EXPECT_OK(PageFile::Open(again.get(), "/f", o, &pf));
  again->CrashAtSync(again->SyncCount() + 1);
  (void)txn(2);
  for (uint64_t s = 0; s < 4; s++) {
    auto image = again->CrashImage(s);
    seeds.push_back({"txncrash" + std::to_string(s), WithMode(0, image["/f"])});
  }
  pf.reset();
  return seeds;
}

std::vector<Seed> ProgramSeeds() {
  std::vector<Seed> seeds;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 12; i++) {
    std::vector<uint8_t> body(40 + rng() % 200);
    for (uint8_t& b : body) b = static_cast<uint8_t>(rng() % (i % 2 ? 256 : 40));
    seeds.push_back({"prog" + std::to_string(i), WithMode(2, body)});
  }
  return seeds;
}

// fuzz/fileops_fuzz.cc programs that reach its transaction opcode (9: rewrite one protected
// page, allocate one, free another in one commit) between allocations, power losses and
// faults. Opcodes are bytes taken modulo 10.
std::vector<Seed> FileopsSeeds() {
  std::vector<Seed> seeds;
  seeds.push_back({"txnalloc-basic", {3, 3, 3, 9, 0, 1, 5, 9, 1, 2, 7, 7, 9, 2, 0, 9, 6, 3}});
  seeds.push_back({"txnalloc-fault", {3, 3, 3, 3, 9, 1, 2, 3, 8, 3, 9, 0, 3, 5, 7, 9, 2, 1, 11}});
  seeds.push_back({"txnalloc-crash", {0, 3, 3, 9, 0, 2, 7, 6, 5, 9, 1, 0, 9, 6, 1, 3, 9, 3, 2, 1}});
  return seeds;
}

TEST(FileFuzzCorpus, SeedImagesOpenAndVerify) {
  bool all_open = true;
  std::vector<Seed> seeds = ImageSeeds(&all_open);
  EXPECT_TRUE(all_open);
  std::vector<Seed> programs = ProgramSeeds();
  seeds.insert(seeds.end(), programs.begin(), programs.end());
  EXPECT_GE(seeds.size(), 30u);
  const char* dir = std::getenv("PAGER_FILE_FUZZ_CORPUS");
  if (dir == nullptr) return;
  for (const Seed& s : seeds) pager::testing::WriteWholeFile(std::string(dir) + "/" + s.name, s.bytes);
}

// Walks a fileops program as fuzz/fileops_fuzz.cc's Run decodes it (opcode byte % 10, then
// its argument bytes) and counts the transaction opcodes.
int TransactionOpcodes(const std::vector<uint8_t>& program) {
  static const int kArgs[10] = {0, 1, 1, 0, 2, 1, 1, 0, 1, 3};
  int txns = 0;
  for (size_t i = 0; i < program.size();) {
    int op = program[i] % 10;
    txns += op == 9;
    i += 1 + static_cast<size_t>(kArgs[op]);
  }
  return txns;
}

TEST(FileFuzzCorpus, FileopsSeedsReachTheTransactionOpcode) {
  std::vector<Seed> seeds = FileopsSeeds();
  for (const Seed& s : seeds) EXPECT_GE(TransactionOpcodes(s.bytes), 2) << s.name;
  const char* dir = std::getenv("PAGER_FILEOPS_FUZZ_CORPUS");
  if (dir == nullptr) return;
  for (const Seed& s : seeds) pager::testing::WriteWholeFile(std::string(dir) + "/" + s.name, s.bytes);
}

}  // namespace
}  // namespace file
}  // namespace pager
