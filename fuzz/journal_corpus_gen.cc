// Writes the seed corpus of fuzz/journal_fuzz.cc into the directory given as argv[1]: real
// format-2 page files whose journal holds a chain the main file has not taken yet (the main
// image is the one from before the commits, as after a power loss that kept only the
// journal), packed as the harness reads them: chains of 1, 2 and 3 batches, a torn tail, a
// flipped byte in the last batch, a new lap over another lap's leftover, an invalidated
// journal, two page sizes. Each input is written twice: as is, and with the re-seal mode bit.
// Build and run by hand:
//   g++ -std=c++17 -I. fuzz/journal_corpus_gen.cc build/rel/lib/libpager.a -lpthread -lzstd
//       -lxxhash -o /tmp/journal_corpus_gen && /tmp/journal_corpus_gen fuzz/corpus/journal
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/file/journal.h"
#include "impl/file/page_file.h"
#include "impl/io/mem_env.h"

using namespace pager;        // NOLINT
using namespace pager::file;  // NOLINT

namespace {

std::string g_dir;

void Emit(const std::string& name, const std::vector<uint8_t>& main,
          const std::vector<uint8_t>& journal) {
  for (uint8_t mode = 0; mode < 2; mode++) {
    std::vector<uint8_t> out(5);
    out[0] = mode;
    uint32_t len = static_cast<uint32_t>(main.size());
    std::memcpy(out.data() + 1, &len, 4);
    out.insert(out.end(), main.begin(), main.end());
    out.insert(out.end(), journal.begin(), journal.end());
    std::string path = g_dir + "/" + name + (mode ? "-resealed" : "");
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return;
    std::fwrite(out.data(), 1, out.size(), f);
    std::fclose(f);
  }
}

std::vector<uint8_t> Bytes(io::MemEnv* env, const std::string& path) {
  std::vector<uint8_t> b;
  if (!env->GetFileBytes(path, &b).ok()) std::fprintf(stderr, "no %s\n", path.c_str());
  return b;
}

// One journaled operation of a sequence (each writes one batch): a protected page's
// allocation, its content's commit, a regular page's allocation, its bytes made durable by
// SyncPages.
void Step(PageFile* pf, int step) {
  static uint64_t id = 0, page = 0;
  int fill = 0x10 * (step + 1);
  if (step % 4 == 0) {
    (void)pf->ProtectedAlloc(&id);
  } else if (step % 4 == 1) {
    std::vector<uint8_t> copy(pf->page_size());
    int owner = 0;
    if (!pf->TxnAdd(&owner, id, copy.data()).ok()) return;
    std::memset(copy.data(), fill, copy.size());
    (void)pf->TxnCommit(&owner, {{id, copy.data()}});
  } else if (step % 4 == 2) {
    (void)pf->Alloc(&page);
  } else {
    uint8_t* p = nullptr;
    if (pf->PagePointer(page, true, &p).ok()) std::memset(p, fill, pf->page_size());
    (void)pf->SyncPages(&page, 1);
  }
}

uint64_t Batches(const std::vector<uint8_t>& main, const std::vector<uint8_t>& journal) {
  auto env = io::FaultEnv::FromImage({{"/f", main}, {Journal::PathFor("/f"), journal}});
  FileOptions o;
  o.page_size = 0;
  o.max_size_bytes = 4u << 20;
  std::unique_ptr<PageFile> pf;
  Status st = PageFile::Open(env.get(), "/f", o, &pf);
  if (!st.ok()) return ~uint64_t{0};
  return pf->recovery_report().journal_batches;
}

// Chains of 1..steps batches over the main image from before them, and their damaged tails.
void Chains(uint32_t page_size, int steps) {
  std::string ps = std::to_string(page_size);
  io::MemEnv env;
  FileOptions o;
  o.page_size = page_size;
  o.max_size_bytes = 4u << 20;
  o.initial_page_count = 16;
  std::unique_ptr<PageFile> pf;
  if (!PageFile::Create(&env, "/f", o, &pf).ok()) return;
  std::vector<uint8_t> before = Bytes(&env, "/f");
  std::vector<uint8_t> journal;
  for (int c = 1; c <= steps; c++) {
    Step(pf.get(), c - 1);
    journal = Bytes(&env, Journal::PathFor("/f"));
    std::string name = "ps" + ps + "-steps" + std::to_string(c);
    Emit(name, before, journal);
    std::fprintf(stderr, "%s: %zu journal bytes, replays %llu batches\n", name.c_str(),
                 journal.size(), static_cast<unsigned long long>(Batches(before, journal)));
  }
  if (journal.size() > 4096) {
    std::vector<uint8_t> torn(journal.begin(), journal.end() - 4096 - page_size / 2);
    Emit("ps" + ps + "-torn-tail", before, torn);
    std::vector<uint8_t> flipped(journal);
    flipped[flipped.size() - 4096 - page_size / 2] ^= 0x40;  // in the last batch's header block
    Emit("ps" + ps + "-flipped-last", before, flipped);
  }
  Emit("ps" + ps + "-current-main", Bytes(&env, "/f"), journal);
  pf->Close();
  Emit("ps" + ps + "-closed", Bytes(&env, "/f"), Bytes(&env, Journal::PathFor("/f")));
}

// A small lap: the journal restarts at offset 0 (lap + 1) over the batches of the lap before.
void Laps() {
  io::MemEnv env;
  FileOptions o;
  o.page_size = 1024;
  o.max_size_bytes = 4u << 20;
  o.initial_page_count = 16;
  o.journal_lap_bytes = 24 << 10;
  std::unique_ptr<PageFile> pf;
  if (!PageFile::Create(&env, "/f", o, &pf).ok()) return;
  for (int c = 1; c <= 5; c++) {
    std::vector<uint8_t> before = Bytes(&env, "/f");
    Step(pf.get(), c - 1);
    std::vector<uint8_t> journal = Bytes(&env, Journal::PathFor("/f"));
    std::string name = "laps-commit" + std::to_string(c);
    Emit(name, before, journal);
    std::fprintf(stderr, "%s: %zu journal bytes, %llu checkpoints, replays %llu batches\n",
                 name.c_str(), journal.size(),
                 static_cast<unsigned long long>(pf->checkpoint_count()),
                 static_cast<unsigned long long>(Batches(before, journal)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  g_dir = argv[1];
  Chains(1024, 4);
  Chains(4096, 1);
  Laps();
  return 0;
}
