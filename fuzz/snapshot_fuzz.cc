// libFuzzer harness: arbitrary bytes as a snapshot file (and, after the 8-byte marker
// "PGKVSPLT", as its parent /tmp/p.kvs), inspected, verified, and restored into the reference
// engine through MemEnv. Whatever the bytes, nothing may crash, leak or hang; a restore that
// succeeds must leave the engine resumed and consistent.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/snapshot/refengine.h"
#include "impl/snapshot/snapshot.h"

namespace {

using pager::Status;
namespace snap = pager::snapshot;

const char kMarker[8] = {'P', 'G', 'K', 'V', 'S', 'P', 'L', 'T'};
constexpr uint64_t kMaxEngineBytes = 8ull << 20;

void Put(pager::io::MemEnv* env, const std::string& path, const uint8_t* data, size_t size) {
  std::unique_ptr<pager::io::File> f;
  pager::io::OpenOptions o;
  o.write = o.create = o.truncate = true;
  if (!env->Open(path, o, &f).ok()) __builtin_trap();
  if (size > 0 && !f->WriteAt(0, data, size).ok()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pager::io::MemEnv env;
  const uint8_t* split = static_cast<const uint8_t*>(memmem(data, size, kMarker, sizeof kMarker));
  size_t child = split ? static_cast<size_t>(split - data) : size;
  Put(&env, "/tmp/c.kvs", data, child);
  if (split) Put(&env, "/tmp/p.kvs", split + sizeof kMarker, size - child - sizeof kMarker);

  pager_snapshot_info info;
  Status inspected = snap::Inspect(&env, "/tmp/c.kvs", &info);
  snap::Options options;
  options.threads = 1;
  Status verified = snap::Verify(&env, "/tmp/c.kvs", options);
  if (!inspected.ok()) {
    if (verified.ok()) __builtin_trap();  // verify checks a superset of inspect
    return 0;
  }
  uint64_t page_bytes = info.k_page_bytes + info.v_page_bytes;
  uint64_t capacity = info.page_count + 2;
  if (page_bytes * capacity > kMaxEngineBytes) return 0;
  // Both restore paths: the copying one (write_page) and the zero-copy one (page_buffers:
  // the bytes are read and verified inside the engine's memory). Each must keep K1/K4, and
  // they must agree on the outcome and on the restored content.
  options.allow_nonempty = true;
  Status outcome[2];
  uint64_t fingerprint[2] = {0, 0};
  for (int zero_copy = 0; zero_copy < 2; zero_copy++) {
    std::unique_ptr<snap::RefEngine> engine;
    if (!snap::RefEngine::Create(info.meta, static_cast<uint32_t>(capacity), &engine).ok()) {
      return 0;
    }
    // One page already in use, so the non-empty path and remapping are exercised.
    pager::Result<uint32_t> taken = engine->AllocPage();
    if (!taken.ok()) __builtin_trap();
    pager_cache_ops ops = engine->Ops();
    if (!zero_copy) ops.page_buffers = nullptr;
    Status restored = snap::Restore(&env, ops, "/tmp/c.kvs", options);
    snap::RefEngine::Stats stats = engine->GetStats();
    if (stats.paused) __builtin_trap();  // K1
    if (restored.ok()) {
      if (!verified.ok()) __builtin_trap();
      if (stats.occupied_pages != info.page_count + 1 || stats.seq_count != info.seq_count) {
        __builtin_trap();
      }
      fingerprint[zero_copy] = engine->Fingerprint();
    } else {
      // K4: a failed restore leaves the engine as it was (release_pages gave slots back).
      if (stats.occupied_pages != 1 || stats.seq_count != 0) __builtin_trap();
      if (verified.ok() && restored.code() == pager::Code::kCorrupt) {
        __builtin_trap();  // everything restore rejects as damaged, verify must reject too
      }
    }
    outcome[zero_copy] = restored;
  }
  if (outcome[0].code() != outcome[1].code() || fingerprint[0] != fingerprint[1]) {
    __builtin_trap();  // K8: the zero-copy path accepts and restores exactly what the other does
  }
  return 0;
}
