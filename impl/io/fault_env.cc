// FaultEnv: fault injection (M5) and crash images (M4, M6); see mem_env.h for the model.
#include <algorithm>
#include <cstring>
#include <random>

#include "impl/io/mem_env.h"  // FaultEnv is declared with MemEnv
#include "impl/io/mem_file_state.h"

namespace pager {
namespace io {

FaultEnv::FaultEnv() { track_durability_ = true; }

void FaultEnv::FailNth(Op op, uint64_t nth, FaultKind kind, bool persistent) {
  std::lock_guard<std::mutex> g(mu_);
  faults_.push_back({false, op, nth, kind, persistent, false});
}

void FaultEnv::FailNthAny(uint64_t nth, FaultKind kind, bool persistent) {
  std::lock_guard<std::mutex> g(mu_);
  faults_.push_back({true, Op::kRead, nth, kind, persistent, false});
}

void FaultEnv::FailSyncLosingData(uint64_t nth) {
  std::lock_guard<std::mutex> g(mu_);
  lossy_sync_at_ = sync_count_ + nth;
}

void FaultEnv::ClearFaults() {
  std::lock_guard<std::mutex> g(mu_);
  faults_.clear();
  lossy_sync_at_ = 0;
}

void FaultEnv::CrashAtSync(uint64_t k) {
  std::lock_guard<std::mutex> g(mu_);
  crash_at_sync_ = k;
}

Status FaultEnv::Fire(const Fault& f, const std::string& path, const char* what) {
  const char* name = "EIO";
  Code code = Code::kIo;
  if (f.kind == FaultKind::kEnospc) {
    name = "ENOSPC";
    code = Code::kNoSpace;
  } else if (f.kind == FaultKind::kEnomem) {
    name = "ENOMEM";
    code = Code::kNoMem;
  }
  return Status(code, std::string("injected ") + name + " on " + what + " of " + path +
                          " (operation " + std::to_string(op_count_) + ")");
}

Status FaultEnv::BeforeOp(Op op, const std::string& path) {
  std::lock_guard<std::mutex> g(mu_);
  if (crashed_ && IsMutating(op)) {
    return Status(Code::kIo, "simulated crash: " + path + " is frozen");
  }
  op_count_++;
  static const char* const kNames[] = {"read", "write", "sync", "truncate", "allocate",
                                       "punch", "open", "namespace", "map", "writeback"};
  const char* what = kNames[static_cast<int>(op)];
  for (Fault& f : faults_) {
    if (!f.any_op && f.op != op) continue;
    if (f.fired) {
      if (f.persistent) return Fire(f, path, what);
      continue;
    }
    if (--f.remaining == 0) {
      f.fired = true;
      return Fire(f, path, what);
    }
  }
  return Status::Ok();
}

Status FaultEnv::BeforeSync(const std::string& path, bool* drop_pending) {
  *drop_pending = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (crashed_) return Status(Code::kIo, "simulated crash: sync of " + path + " after the crash");
    sync_count_++;
    if (crash_at_sync_ != 0 && sync_count_ == crash_at_sync_) {
      crashed_ = true;
      FreezeAllLocked();
      return Status(Code::kIo, "simulated crash at sync " + std::to_string(sync_count_) +
                                   " (" + path + ")");
    }
    if (lossy_sync_at_ != 0 && sync_count_ == lossy_sync_at_) {
      *drop_pending = true;
      return Status(Code::kIo, "injected fsync failure losing unsynced data of " + path);
    }
  }
  return BeforeOp(Op::kSync, path);
}

void FaultEnv::FreezeAllLocked() {
  auto freeze = [](const std::shared_ptr<MemFileState>& st) {
    std::lock_guard<std::mutex> fg(st->mu);
    if (st->has_frozen) return;
    st->frozen = st->CurrentBytes();
    st->has_frozen = true;
  };
  for (auto& f : files_) freeze(f.second);
  for (auto& f : durable_files_) freeze(f.second);
  for (auto& op : pending_namespace_) freeze(op.file);
}

namespace {

// The bytes a power loss could leave of one file (M4).
std::vector<uint8_t> CrashContent(MemFileState& st, std::mt19937_64& rng) {
  const uint8_t* live = st.has_frozen ? st.frozen.data() : st.base;
  uint64_t cur_size = st.has_frozen ? st.frozen.size() : st.size;
  // What writeback could still carry to the disk: the current bytes, except ranges a failed
  // fsync marked clean, which keep their on-disk value.
  std::vector<uint8_t> view(live, live + cur_size);
  for (const auto& r : st.lost) {
    for (uint64_t i = r.offset; i < std::min<uint64_t>(r.offset + r.len, cur_size); i++) {
      view[i] = i < st.durable.size() ? st.durable[i] : 0;
    }
  }
  const uint8_t* cur = view.data();
  std::vector<uint8_t> img = st.durable;
  std::vector<uint8_t> all = st.durable;  // durable + every pending write, for the mmap diff
  auto put = [](std::vector<uint8_t>& dst, uint64_t off, const uint8_t* src, size_t n) {
    if (dst.size() < off + n) dst.resize(static_cast<size_t>(off + n), 0);
    std::memcpy(dst.data() + off, src, n);
  };
  for (const auto& w : st.pending) {
    put(all, w.offset, w.bytes.data(), w.bytes.size());
    switch (rng() % 3) {
      case 0:  // applied whole
        put(img, w.offset, w.bytes.data(), w.bytes.size());
        break;
      case 1:  // dropped
        break;
      default:  // torn: each 512-byte sector (aligned in the file) independently
        for (uint64_t pos = w.offset; pos < w.offset + w.bytes.size();) {
          uint64_t sector_end = (pos / kSectorBytes + 1) * kSectorBytes;
          uint64_t end = std::min<uint64_t>(sector_end, w.offset + w.bytes.size());
          if (rng() & 1) put(img, pos, w.bytes.data() + (pos - w.offset), end - pos);
          pos = end;
        }
    }
  }
  // Sectors changed only through a mapping: written back or not, each on its own.
  for (uint64_t pos = 0; pos < cur_size; pos += kSectorBytes) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kSectorBytes, cur_size - pos));
    bool differs = pos + n > all.size() || std::memcmp(cur + pos, all.data() + pos, n) != 0;
    if (differs && (rng() & 1)) put(img, pos, cur + pos, n);
  }
  // The size: the durable one or the current one.
  uint64_t final_size = (rng() & 1) ? cur_size : st.durable.size();
  if (st.pending.empty() && cur_size == st.durable.size()) final_size = cur_size;
  img.resize(static_cast<size_t>(final_size), 0);
  return img;
}

}  // namespace

std::map<std::string, std::vector<uint8_t>> FaultEnv::CrashImage(uint64_t seed) {
  std::lock_guard<std::mutex> g(mu_);
  std::mt19937_64 rng(seed ^ 0x5DEECE66Dull);
  std::map<std::string, std::shared_ptr<MemFileState>> ns = durable_files_;
  for (const NamespaceOp& op : pending_namespace_) {
    if (rng() & 1) continue;  // this change did not reach the disk
    switch (op.kind) {
      case NamespaceOp::kCreate:
        ns[op.from] = op.file;
        break;
      case NamespaceOp::kRemove:
        ns.erase(op.from);
        break;
      case NamespaceOp::kRename:
        if (ns.count(op.from) && ns[op.from] == op.file) ns.erase(op.from);
        ns[op.to] = op.file;
        break;
    }
  }
  std::map<std::string, std::vector<uint8_t>> out;
  for (auto& entry : ns) {
    std::lock_guard<std::mutex> fg(entry.second->mu);
    out[entry.first] = CrashContent(*entry.second, rng);
  }
  return out;
}

std::unique_ptr<FaultEnv> FaultEnv::FromImage(
    const std::map<std::string, std::vector<uint8_t>>& image) {
  auto env = std::make_unique<FaultEnv>();
  for (const auto& f : image) {
    // Create every parent directory.
    std::vector<std::string> parents;
    for (std::string d = DirName(f.first); !env->dirs_.count(d); d = DirName(d)) parents.push_back(d);
    for (auto it = parents.rbegin(); it != parents.rend(); ++it) env->dirs_[*it] = true;
    auto st = std::make_shared<MemFileState>();
    Status s = st->Resize(f.second.size());
    if (!s.ok()) continue;
    if (!f.second.empty()) std::memcpy(st->base, f.second.data(), f.second.size());
    st->durable = f.second;
    env->files_[f.first] = st;
    env->durable_files_[f.first] = st;
  }
  return env;
}

}  // namespace io
}  // namespace pager
