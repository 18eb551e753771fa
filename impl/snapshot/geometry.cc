// Geometry of a cache (pager_cache_meta) and the snapshot options.
#include <algorithm>
#include <cstring>
#include <thread>

#include "impl/snapshot/format.h"
#include "impl/snapshot/snapshot.h"

namespace pager {
namespace snapshot {

uint32_t DtypeBytes(uint32_t dtype) {
  switch (dtype) {
    case PAGER_DTYPE_BF16: return 2;
    case PAGER_DTYPE_F16: return 2;
    case PAGER_DTYPE_F32: return 4;
    case PAGER_DTYPE_FP8_E4M3: return 1;
    default: return 0;
  }
}

const char* DtypeName(uint32_t dtype) {
  switch (dtype) {
    case PAGER_DTYPE_BF16: return "bf16";
    case PAGER_DTYPE_F16: return "f16";
    case PAGER_DTYPE_F32: return "f32";
    case PAGER_DTYPE_FP8_E4M3: return "fp8_e4m3";
    default: return "unknown";
  }
}

Result<Geometry> GeometryFromMeta(const pager_cache_meta& meta) {
  if (meta.struct_size < sizeof(pager_cache_meta)) {
    return InvalidArgument("pager_cache_meta.struct_size is " + std::to_string(meta.struct_size) +
                           ", expected " + std::to_string(sizeof(pager_cache_meta)));
  }
  const struct {
    uint32_t value;
    const char* name;
  } fields[] = {{meta.tokens_per_page, "tokens_per_page"},
                {meta.layers, "layers"},
                {meta.kv_heads, "kv_heads"},
                {meta.head_dim, "head_dim"}};
  for (const auto& f : fields) {
    if (f.value == 0) return InvalidArgument(std::string("meta.") + f.name + " is 0");
  }
  uint32_t elem = DtypeBytes(meta.dtype);
  if (elem == 0) return InvalidArgument("meta.dtype " + std::to_string(meta.dtype) + " is unknown");
  // Four factors below 2^32 each: multiply stepwise, stopping past the limit (no overflow:
  // the running product stays <= 2^32 before each multiplication by a value < 2^32).
  uint64_t bytes = elem;
  for (const auto& f : fields) {
    bytes *= f.value;
    if (bytes > kMaxPageBytes) {
      return InvalidArgument("meta describes a K page larger than 2^32 bytes (" +
                             std::string(f.name) + " = " + std::to_string(f.value) + ")");
    }
  }
  Geometry g;
  g.tokens_per_page = meta.tokens_per_page;
  g.layers = meta.layers;
  g.kv_heads = meta.kv_heads;
  g.head_dim = meta.head_dim;
  g.dtype = meta.dtype;
  g.k_page_bytes = bytes;
  g.v_page_bytes = bytes;
  return g;
}

pager_cache_meta MetaFromGeometry(const Geometry& g) {
  pager_cache_meta meta;
  InitMeta(&meta);
  meta.tokens_per_page = g.tokens_per_page;
  meta.layers = g.layers;
  meta.kv_heads = g.kv_heads;
  meta.head_dim = g.head_dim;
  meta.dtype = g.dtype;
  return meta;
}

void InitMeta(pager_cache_meta* meta) {
  std::memset(meta, 0, sizeof *meta);
  meta->struct_size = sizeof *meta;
}

void InitInfo(pager_snapshot_info* info) {
  std::memset(info, 0, sizeof *info);
  info->struct_size = sizeof *info;
  InitMeta(&info->meta);
}

Status CompareGeometry(const Geometry& snap, const Geometry& engine) {
  std::string diff;
  auto field = [&](const char* name, uint64_t s, uint64_t e) {
    if (s == e) return;
    if (!diff.empty()) diff += "; ";
    diff += std::string(name) + ": snapshot " + std::to_string(s) + ", engine " + std::to_string(e);
  };
  field("tokens_per_page", snap.tokens_per_page, engine.tokens_per_page);
  field("layers", snap.layers, engine.layers);
  field("kv_heads", snap.kv_heads, engine.kv_heads);
  field("head_dim", snap.head_dim, engine.head_dim);
  if (snap.dtype != engine.dtype) {
    if (!diff.empty()) diff += "; ";
    diff += std::string("dtype: snapshot ") + DtypeName(snap.dtype) + ", engine " +
            DtypeName(engine.dtype);
  }
  if (diff.empty()) return Status::Ok();
  return Status(Code::kMismatch, "geometry mismatch: " + diff);
}

Status Options::Validate() const {
  if (compression != PAGER_SNAPSHOT_COMPRESS_NONE && compression != PAGER_SNAPSHOT_COMPRESS_ZSTD) {
    return InvalidArgument("options.compression " + std::to_string(compression) + " is unknown");
  }
  if (compression == PAGER_SNAPSHOT_COMPRESS_ZSTD && (zstd_level < 1 || zstd_level > 19)) {
    return InvalidArgument("options.zstd_level " + std::to_string(zstd_level) +
                           " is outside 1..19");
  }
  if (threads > 64) {
    return InvalidArgument("options.threads " + std::to_string(threads) + " is above 64");
  }
  if (parent_path.size() > kMaxParentPathBytes) {
    return InvalidArgument("options.parent_path is longer than " +
                           std::to_string(kMaxParentPathBytes) + " bytes");
  }
  return Status::Ok();
}

uint32_t Options::WorkerCount() const {
  if (threads != 0) return threads;
  unsigned hw = std::thread::hardware_concurrency();
  return std::max(1u, std::min(4u, hw));
}

}  // namespace snapshot
}  // namespace pager
