// Writes the seed corpus of fuzz/wal_fuzz.cc into the directory given as argv[1]: real
// databases (several page sizes, commits, shrinks, checkpoints, application headers) packed
// as the harness reads them, plus a few damaged variants. Build and run by hand:
//   g++ -std=c++17 -I. fuzz/wal_corpus_gen.cc build/rel/lib/libpager.a -lpthread -lzstd -lxxhash \
//       -o /tmp/wal_corpus_gen && /tmp/wal_corpus_gen fuzz/corpus/wal
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/wal/wal_pager.h"

using namespace pager;       // NOLINT
using namespace pager::wal;  // NOLINT

static int g_count = 0;
static std::string g_dir;

static void Emit(const std::vector<uint8_t>& main_bytes, const std::vector<uint8_t>* wal) {
  std::vector<uint8_t> out(4);
  uint32_t word = static_cast<uint32_t>(main_bytes.size()) | (wal ? 0u : 0x80000000u);
  std::memcpy(out.data(), &word, 4);
  out.insert(out.end(), main_bytes.begin(), main_bytes.end());
  if (wal) out.insert(out.end(), wal->begin(), wal->end());
  std::string name = g_dir + "/seed-" + std::to_string(g_count++);
  FILE* f = std::fopen(name.c_str(), "wb");
  std::fwrite(out.data(), 1, out.size(), f);
  std::fclose(f);
}

static void Build(uint32_t page_size, int commits, bool checkpoint_mid, bool shrink) {
  io::MemEnv env;
  (void)env.CreateDir("/fz", 0755);
  Options o;
  o.page_size = page_size;
  o.auto_checkpoint_frames = 0;
  o.wal_prewrite_bytes = 0;
  std::unique_ptr<WalPager> p;
  if (!WalPager::Create(&env, "/fz/db", o, &p).ok()) return;
  for (int c = 0; c < commits; c++) {
    std::vector<uint8_t> b(page_size, static_cast<uint8_t>(c * 17 + 1));
    (void)p->StagePage(1 + c % 3, b.data(), b.size());
    if (c == 1) {
      std::vector<uint8_t> app(kAppHeaderSize, static_cast<uint8_t>(c));
      (void)p->StageAppHeader(app.data(), app.size());
    }
    if (shrink && c == commits - 1) (void)p->SetPageCount(2);
    (void)p->Commit();
    if (checkpoint_mid && c == commits / 2) (void)p->Checkpoint();
  }
  p.reset();
  std::vector<uint8_t> m, w;
  (void)env.GetFileBytes("/fz/db", &m);
  (void)env.GetFileBytes("/fz/db-wal", &w);
  Emit(m, &w);
  Emit(m, nullptr);
  std::vector<uint8_t> torn = w;
  if (torn.size() > 100) torn.resize(torn.size() - 37);
  Emit(m, &torn);
  std::vector<uint8_t> flipped = w;
  if (flipped.size() > 200) flipped[flipped.size() / 2] ^= 0x10;
  Emit(m, &flipped);
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  g_dir = argv[1];
  for (uint32_t ps : {512u, 1024u}) {
    for (int commits : {0, 1, 3, 5}) {
      Build(ps, commits, false, false);
      Build(ps, commits, true, commits > 2);
    }
  }
  std::printf("%d seeds\n", g_count);
  return 0;
}
