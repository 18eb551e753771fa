// Torture of KV-cache snapshot capture: each step captures a different engine state over the
// same path (temporary file, sync, rename, directory sync). The state of step k: the file at
// the path restores the engine of step k (step 0: no file).
#include <sys/stat.h>

#include <cstring>

#include "pager.h"
#include "tools/torture/torture.h"

namespace torture {
namespace {

constexpr uint32_t kCapacity = 16;

pager_cache_meta Meta() {
  pager_cache_meta m;
  pager_cache_meta_init(&m);
  m.tokens_per_page = 16;
  m.layers = 2;
  m.kv_heads = 2;
  m.head_dim = 16;
  m.dtype = PAGER_DTYPE_F16;
  return m;
}

// The engine of step s (>= 1): 1..12 pages of step-specific bytes in one sequence.
std::string BuildEngine(uint64_t seed, uint64_t s, pager_refengine** out) {
  pager_cache_meta m = Meta();
  uint64_t k_bytes = 0, v_bytes = 0;
  int rc = pager_cache_meta_page_bytes(&m, &k_bytes, &v_bytes);
  if (rc != PAGER_OK) return Failure("pager_cache_meta_page_bytes", rc);
  pager_refengine* e = nullptr;
  rc = pager_refengine_create(&m, kCapacity, &e);
  if (rc != PAGER_OK) return Failure("pager_refengine_create", rc);
  uint64_t r = Rand(seed, s, 5);
  uint32_t n = 1 + static_cast<uint32_t>(r % 12);
  std::vector<uint32_t> slots(n);
  for (uint32_t i = 0; i < n && rc == PAGER_OK; i++) {
    rc = pager_refengine_alloc_page(e, &slots[i]);
    if (rc != PAGER_OK) break;
    std::vector<uint8_t> k = Pattern(seed, s, 10 + i, k_bytes);
    std::vector<uint8_t> v = Pattern(seed, s, 100 + i, v_bytes);
    rc = pager_refengine_write_page(e, slots[i], k.data(), k.size(), v.data(), v.size());
  }
  uint32_t fill = 1 + static_cast<uint32_t>((r >> 8) % m.tokens_per_page);
  if (rc == PAGER_OK) rc = pager_refengine_set_seq(e, "req", 3, slots.data(), n, fill);
  if (rc != PAGER_OK) {
    pager_refengine_free(e);
    return Failure("building the engine", rc);
  }
  *out = e;
  return "";
}

std::string Fingerprint(pager_refengine* e, uint64_t* fp) {
  int rc = pager_refengine_fingerprint(e, fp);
  return rc == PAGER_OK ? "" : Failure("pager_refengine_fingerprint", rc);
}

std::string ExpectedFingerprint(uint64_t seed, uint64_t s, uint64_t* fp) {
  pager_refengine* e = nullptr;
  std::string err = BuildEngine(seed, s, &e);
  if (!err.empty()) return err;
  err = Fingerprint(e, fp);
  pager_refengine_free(e);
  return err;
}

class SnapshotComponent : public Component {
 public:
  const char* name() const override { return "snapshot"; }

  std::string Setup(const std::string&, uint64_t) override { return ""; }

  std::string RunChild(const std::string& dir, uint64_t seed, uint64_t start,
                       int ack_fd) override {
    const std::string path = dir + "/kv.snap";
    for (uint64_t s = start;; s++) {
      pager_refengine* e = nullptr;
      std::string err = BuildEngine(seed, s, &e);
      if (!err.empty()) return err;
      pager_cache_ops ops;
      int rc = pager_refengine_ops(e, &ops);
      if (rc == PAGER_OK) rc = pager_snapshot_capture(&ops, path.c_str(), nullptr);
      pager_refengine_free(e);
      if (rc != PAGER_OK) return Failure("pager_snapshot_capture", rc);
      if (!Ack(ack_fd, s)) return "ack pipe closed";
    }
  }

  std::string Verify(const std::string& dir, uint64_t seed, uint64_t acked,
                     uint64_t* recovered) override {
    const std::string path = dir + "/kv.snap";
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      if (acked != 0) return "the snapshot of step " + std::to_string(acked) + " is gone";
      *recovered = 0;
      return "";
    }
    pager_refengine* e = nullptr;
    pager_cache_meta m = Meta();
    int rc = pager_refengine_create(&m, kCapacity, &e);
    if (rc != PAGER_OK) return Failure("pager_refengine_create", rc);
    pager_cache_ops ops;
    rc = pager_refengine_ops(e, &ops);
    if (rc == PAGER_OK) rc = pager_snapshot_restore(&ops, path.c_str(), nullptr);
    uint64_t got = 0;
    std::string err = rc == PAGER_OK ? Fingerprint(e, &got) : Failure("reopen: restore", rc);
    pager_refengine_free(e);
    if (!err.empty()) return err;
    for (uint64_t k : {acked, acked + 1}) {
      if (k == 0) continue;
      uint64_t want = 0;
      err = ExpectedFingerprint(seed, k, &want);
      if (!err.empty()) return err;
      if (got == want) {
        *recovered = k;
        return "";
      }
    }
    return "the snapshot restores neither step " + std::to_string(acked) + " nor step " +
           std::to_string(acked + 1);
  }
};

}  // namespace

std::unique_ptr<Component> NewSnapshotComponent() {
  return std::make_unique<SnapshotComponent>();
}

}  // namespace torture
