// MemEnv and FaultEnv: see mem_env.h for the model (M1-M6).
#include "impl/io/mem_env.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "impl/io/mem_range_locks.h"
#include "impl/io/posix_env.h"

namespace pager {
namespace io {

namespace {

constexpr size_t kSectorBytes = 512;
// Address space reserved per in-memory file: PROT_NONE and MAP_NORESERVE, so it costs nothing
// until used. A Map() asking for more relocates the file while no mapping is alive.
constexpr size_t kDefaultReserveBytes = size_t{1} << 34;  // 16 GiB

size_t HostPageBytes() {
  static const size_t kBytes = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return kBytes;
}

size_t RoundUpToPage(size_t n) {
  size_t p = HostPageBytes();
  return (n + p - 1) / p * p;
}

bool IsMutating(MemEnv::Op op) {
  return op != MemEnv::Op::kRead && op != MemEnv::Op::kMap;
}

}  // namespace

// The inode of an in-memory file: its current bytes live in a reserved anonymous region so
// mappings can hand out stable pointers that reads and writes see (M1).
struct MemFileState {
  std::mutex mu;
  uint8_t* base = nullptr;
  size_t reserved_bytes = 0;
  size_t accessible_bytes = 0;  // [0, accessible) is PROT_READ|PROT_WRITE
  uint64_t size = 0;
  int live_mappings = 0;

  // flock model: holders by open-file-description id.
  std::set<uint64_t> shared_holders;
  uint64_t exclusive_holder = 0;
  RangeLockTable range_locks;  // OFD byte-range model (env.h E6)

  // Durability tracking (FaultEnv only).
  std::vector<uint8_t> durable;  // durable bytes; durable.size() is the durable size
  struct PendingWrite {
    uint64_t offset;
    std::vector<uint8_t> bytes;
  };
  std::vector<PendingWrite> pending;
  // Ranges whose unsynced bytes a failed fsync threw away (M5): the page cache still shows
  // them, but they are marked clean, so no later sync writes them -- until they are written
  // again.
  struct Range {
    uint64_t offset;
    uint64_t len;
  };
  std::vector<Range> lost;
  // The current bytes at the moment of a simulated crash (M6): later writes through a
  // mapping cannot reach the disk of a machine that lost power.
  bool has_frozen = false;
  std::vector<uint8_t> frozen;

  ~MemFileState() {
    if (base != nullptr) munmap(base, reserved_bytes);
  }

  Status Reserve(size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return Status(Code::kNoMem, "cannot reserve in-memory file space");
    uint8_t* fresh = static_cast<uint8_t*>(p);
    if (base != nullptr) {
      if (accessible_bytes > 0) {
        if (mprotect(fresh, accessible_bytes, PROT_READ | PROT_WRITE) != 0) {
          munmap(fresh, bytes);
          return Status(Code::kNoMem, "cannot grow in-memory file");
        }
        std::memcpy(fresh, base, accessible_bytes);
      }
      munmap(base, reserved_bytes);
    }
    base = fresh;
    reserved_bytes = bytes;
    return Status::Ok();
  }

  // Makes [0, new_size) addressable; the bytes past the old size are zero.
  Status Resize(uint64_t new_size) {
    if (base == nullptr) PAGER_RETURN_IF_ERROR(Reserve(kDefaultReserveBytes));
    if (new_size > reserved_bytes) {
      if (live_mappings > 0) {
        return Status(Code::kNoSpace, "in-memory file cannot grow past its " +
                                          std::to_string(reserved_bytes) +
                                          "-byte reservation while mapped");
      }
      PAGER_RETURN_IF_ERROR(Reserve(RoundUpToPage(static_cast<size_t>(new_size) * 2)));
    }
    size_t need = RoundUpToPage(static_cast<size_t>(new_size));
    if (need > accessible_bytes) {
      if (mprotect(base + accessible_bytes, need - accessible_bytes, PROT_READ | PROT_WRITE) != 0) {
        return Status(Code::kNoMem, "cannot grow in-memory file to " + std::to_string(new_size));
      }
      accessible_bytes = need;
    }
    if (new_size < size) {
      std::memset(base + new_size, 0, static_cast<size_t>(size - new_size));
    }
    size = new_size;
    return Status::Ok();
  }

  std::vector<uint8_t> CurrentBytes() const {
    return std::vector<uint8_t>(base, base + size);
  }

  // Forgets pending bytes inside [offset, offset+len): they are durable now (M2).
  void ClipPending(uint64_t offset, uint64_t len) {
    std::vector<PendingWrite> kept;
    for (PendingWrite& w : pending) {
      uint64_t w_end = w.offset + w.bytes.size();
      uint64_t end = offset + len;
      if (w_end <= offset || w.offset >= end) {
        kept.push_back(std::move(w));
        continue;
      }
      if (w.offset < offset) {
        kept.push_back({w.offset, std::vector<uint8_t>(w.bytes.begin(),
                                                       w.bytes.begin() + (offset - w.offset))});
      }
      if (w_end > end) {
        kept.push_back({end, std::vector<uint8_t>(w.bytes.begin() + (end - w.offset),
                                                  w.bytes.end())});
      }
    }
    pending = std::move(kept);
  }

  static void SubtractRange(std::vector<Range>* ranges, uint64_t offset, uint64_t len) {
    std::vector<Range> kept;
    uint64_t end = offset + len;
    for (const Range& r : *ranges) {
      uint64_t r_end = r.offset + r.len;
      if (r_end <= offset || r.offset >= end) {
        kept.push_back(r);
        continue;
      }
      if (r.offset < offset) kept.push_back({r.offset, offset - r.offset});
      if (r_end > end) kept.push_back({end, r_end - end});
    }
    *ranges = std::move(kept);
  }

  // A failed fsync: the pending writes inside [offset, offset+len) will never be written.
  void LosePending(uint64_t offset, uint64_t len) {
    for (const PendingWrite& w : pending) {
      uint64_t lo = std::max<uint64_t>(w.offset, offset);
      uint64_t hi = std::min<uint64_t>(w.offset + w.bytes.size(), offset + len);
      if (lo < hi) lost.push_back({lo, hi - lo});
    }
    ClipPending(offset, len);
  }

  void NoteWrite(uint64_t offset, uint64_t len) { SubtractRange(&lost, offset, len); }

  void MakeRangeDurable(uint64_t offset, uint64_t len) {
    uint64_t end = std::min<uint64_t>(size, offset + len);
    std::vector<uint8_t> old = durable;
    if (durable.size() < end) durable.resize(static_cast<size_t>(end), 0);
    if (end > offset) std::memcpy(durable.data() + offset, base + offset, end - offset);
    for (const Range& r : lost) {  // bytes marked clean keep their old on-disk value
      for (uint64_t i = std::max(r.offset, offset); i < std::min(r.offset + r.len, end); i++) {
        durable[i] = i < old.size() ? old[i] : 0;
      }
    }
    ClipPending(offset, len);
  }

  void MakeAllDurable() { MakeRangeDurable(0, std::max<uint64_t>(size, durable.size())); durable.resize(size); }
};

// ---- mapping ----------------------------------------------------------------------------

class MemMapping final : public Mapping {
 public:
  MemMapping(MemEnv* env, std::shared_ptr<MemFileState> st, const std::string& path,
             size_t reserve, size_t len, bool writable)
      : Mapping(st->base, reserve, len, writable), env_(env), st_(std::move(st)), path_(path) {
    st_->live_mappings++;
  }
  ~MemMapping() override {
    std::lock_guard<std::mutex> g(st_->mu);
    st_->live_mappings--;
  }

  Status Remap(size_t new_len) override {
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kMap, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    if (new_len > reserved_len_) {
      return InvalidArgument("remap of " + path_ + " past its reservation");
    }
    if (new_len > st_->size) {
      return InvalidArgument("remap of " + path_ + " to " + std::to_string(new_len) +
                             " bytes past its size " + std::to_string(st_->size));
    }
    mapped_len_ = new_len;
    return Status::Ok();
  }

  Status Sync(size_t offset, size_t len) override {
    if (offset > mapped_len_ || len > mapped_len_ - offset) {
      return InvalidArgument("msync of " + path_ + " outside the mapping");
    }
    bool drop = false;
    Status st = env_->BeforeSync(path_, &drop);
    std::lock_guard<std::mutex> g(st_->mu);
    if (!st.ok()) {
      if (drop) st_->LosePending(offset, len);
      return st;
    }
    if (env_->track_durability_) st_->MakeRangeDurable(offset, len);
    return Status::Ok();
  }

  Status Advise(size_t, size_t, Advice) override { return Status::Ok(); }

 private:
  MemEnv* env_;
  std::shared_ptr<MemFileState> st_;
  std::string path_;
};

// ---- file -------------------------------------------------------------------------------

class MemFile final : public File {
 public:
  MemFile(MemEnv* env, std::shared_ptr<MemFileState> st, const std::string& path, bool writable,
          uint64_t id)
      : File(path), env_(env), st_(std::move(st)), writable_(writable), id_(id) {}
  ~MemFile() override {
    (void)Unlock();
    std::lock_guard<std::mutex> g(st_->mu);
    st_->range_locks.UnlockAll(id_);
  }

  Status ReadAt(uint64_t offset, void* dst, size_t len, size_t* read_len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "read"));
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kRead, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    size_t n = 0;
    if (offset < st_->size) n = static_cast<size_t>(std::min<uint64_t>(len, st_->size - offset));
    if (n > 0) std::memcpy(dst, st_->base + offset, n);
    *read_len = n;
    return Status::Ok();
  }

  Status WriteAt(uint64_t offset, const void* src, size_t len) override {
    IoSlice s{src, len};
    return WriteVAt(offset, &s, 1);
  }

  Status WriteVAt(uint64_t offset, const IoSlice* slices, size_t count) override {
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) total += slices[i].len;
    PAGER_RETURN_IF_ERROR(CheckRange(offset, total, "write"));
    PAGER_RETURN_IF_ERROR(RequireWritable("write"));
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kWrite, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    if (offset + total > st_->size) PAGER_RETURN_IF_ERROR(st_->Resize(offset + total));
    uint64_t pos = offset;
    for (size_t i = 0; i < count; i++) {
      if (slices[i].len == 0) continue;
      std::memcpy(st_->base + pos, slices[i].data, slices[i].len);
      pos += slices[i].len;
    }
    if (env_->track_durability_ && total > 0) {
      st_->NoteWrite(offset, total);
      st_->pending.push_back(
          {offset, std::vector<uint8_t>(st_->base + offset, st_->base + offset + total)});
    }
    return Status::Ok();
  }

  Status Sync() override { return SyncAll(); }
  Status DataSync() override { return SyncAll(); }

  Status SyncRange(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "sync range"));
    bool drop = false;
    Status s = env_->BeforeSync(path_, &drop);
    std::lock_guard<std::mutex> g(st_->mu);
    if (!s.ok()) {
      if (drop) st_->LosePending(offset, len);
      return s;
    }
    if (env_->track_durability_) st_->MakeRangeDurable(offset, len);
    return Status::Ok();
  }

  Status Size(uint64_t* size) override {
    std::lock_guard<std::mutex> g(st_->mu);
    *size = st_->size;
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    PAGER_RETURN_IF_ERROR(CheckRange(size, 0, "truncate"));
    PAGER_RETURN_IF_ERROR(RequireWritable("truncate"));
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kTruncate, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    if (st_->live_mappings > 0 && size < st_->size) {
      // Real mappings would SIGBUS past the new end; the library must not do this.
      return InvalidArgument("truncate of mapped " + path_ + " below its size");
    }
    return st_->Resize(size);
  }

  Status Allocate(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "allocate"));
    PAGER_RETURN_IF_ERROR(RequireWritable("allocate"));
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kAllocate, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    if (offset + len > st_->size) return st_->Resize(offset + len);
    return Status::Ok();
  }

  Status PunchHole(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "punch hole"));
    PAGER_RETURN_IF_ERROR(RequireWritable("punch hole"));
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kPunch, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    if (offset >= st_->size) return Status::Ok();
    uint64_t n = std::min<uint64_t>(len, st_->size - offset);
    std::memset(st_->base + offset, 0, static_cast<size_t>(n));
    if (env_->track_durability_) {
      st_->NoteWrite(offset, n);
      st_->pending.push_back({offset, std::vector<uint8_t>(static_cast<size_t>(n), 0)});
    }
    return Status::Ok();
  }

  Status Lock(LockMode mode, int64_t wait_ms) override {
    return WaitForLock(&st_->mu, wait_ms, path_, [&] { return TryLockLocked(mode); });
  }

  Status LockRange(uint64_t offset, uint64_t len, LockMode mode, int64_t wait_ms) override {
    if (len == 0 || offset + len < offset) return InvalidArgument("empty lock range of " + path_);
    return WaitForLock(&st_->mu, wait_ms, path_,
                       [&] { return st_->range_locks.TryLock(id_, offset, len, mode); });
  }

  Status UnlockRange(uint64_t offset, uint64_t len) override {
    if (len == 0 || offset + len < offset) return InvalidArgument("empty lock range of " + path_);
    std::lock_guard<std::mutex> g(st_->mu);
    st_->range_locks.Unlock(id_, offset, len);
    return Status::Ok();
  }

  Status Unlock() override {
    std::lock_guard<std::mutex> g(st_->mu);
    st_->shared_holders.erase(id_);
    if (st_->exclusive_holder == id_) st_->exclusive_holder = 0;
    return Status::Ok();
  }

  Status AdviseFile(uint64_t, uint64_t, Advice) override { return Status::Ok(); }

  Status Map(size_t reserve_len, size_t map_len, bool writable,
             std::unique_ptr<Mapping>* out) override {
    if (map_len > reserve_len) {
      return InvalidArgument("map of " + path_ + ": length exceeds the reservation");
    }
    if (writable && !writable_) return Status(Code::kReadOnly, "writable map of read-only " + path_);
    PAGER_RETURN_IF_ERROR(env_->BeforeOp(MemEnv::Op::kMap, path_));
    std::lock_guard<std::mutex> g(st_->mu);
    if (map_len > st_->size) {
      return InvalidArgument("map of " + path_ + " past its size " + std::to_string(st_->size));
    }
    if (st_->base == nullptr || reserve_len > st_->reserved_bytes) {
      if (st_->live_mappings > 0) {
        return Status(Code::kNoMem, "cannot widen the reservation of mapped " + path_);
      }
      PAGER_RETURN_IF_ERROR(
          st_->Reserve(std::max(RoundUpToPage(reserve_len), kDefaultReserveBytes)));
    }
    *out = std::make_unique<MemMapping>(env_, st_, path_, reserve_len, map_len, writable);
    return Status::Ok();
  }

 private:
  Status RequireWritable(const char* what) {
    if (writable_) return Status::Ok();
    return Status(Code::kReadOnly, std::string(what) + " on read-only " + path_);
  }

  bool TryLockLocked(LockMode mode) {
    bool others_shared = st_->shared_holders.size() > st_->shared_holders.count(id_);
    bool other_exclusive = st_->exclusive_holder != 0 && st_->exclusive_holder != id_;
    if (mode == LockMode::kShared) {
      if (other_exclusive) return false;
      if (st_->exclusive_holder == id_) st_->exclusive_holder = 0;  // flock converts
      st_->shared_holders.insert(id_);
      return true;
    }
    if (other_exclusive || others_shared) return false;
    st_->shared_holders.erase(id_);
    st_->exclusive_holder = id_;
    return true;
  }

  Status SyncAll() {
    bool drop = false;
    Status s = env_->BeforeSync(path_, &drop);
    std::lock_guard<std::mutex> g(st_->mu);
    if (!s.ok()) {
      if (drop) st_->LosePending(0, UINT64_MAX / 2);
      return s;
    }
    if (env_->track_durability_) st_->MakeAllDurable();
    return Status::Ok();
  }

  MemEnv* env_;
  std::shared_ptr<MemFileState> st_;
  bool writable_;
  uint64_t id_;
};

// ---- MemEnv -----------------------------------------------------------------------------

namespace {
uint64_t NextDescriptionId() {
  static std::atomic<uint64_t> next{1};
  return next++;
}
}  // namespace

MemEnv::MemEnv() {
  dirs_["/"] = true;
  dirs_["."] = true;
  dirs_["/tmp"] = true;
}

MemEnv::~MemEnv() = default;

Status MemEnv::BeforeOp(Op, const std::string&) { return Status::Ok(); }
Status MemEnv::BeforeSync(const std::string&, bool*) { return Status::Ok(); }

void MemEnv::RecordNamespace(NamespaceOp op) {
  if (track_durability_) pending_namespace_.push_back(std::move(op));
}

Status MemEnv::Open(const std::string& path, const OpenOptions& o, std::unique_ptr<File>* out) {
  PAGER_RETURN_IF_ERROR(BeforeOp(o.create || o.truncate ? Op::kOpen : Op::kRead, path));
  if (path.empty()) return Status(Code::kNotFound, "open \"\": No such file or directory");
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  std::shared_ptr<MemFileState> st;
  if (it == files_.end()) {
    if (!o.create) return Status(Code::kNotFound, "open " + path + ": No such file or directory");
    if (dirs_.count(path)) return Status(Code::kInvalid, "open " + path + ": Is a directory");
    if (!dirs_.count(DirName(path))) {
      return Status(Code::kNotFound, "open " + path + ": No such directory " + DirName(path));
    }
    st = std::make_shared<MemFileState>();
    files_[path] = st;
    RecordNamespace({NamespaceOp::kCreate, path, "", st});
  } else {
    if (o.create && o.exclusive) return Status(Code::kExists, "open " + path + ": File exists");
    st = it->second;
  }
  if (o.truncate) {
    if (!o.write) return InvalidArgument("open " + path + ": truncate needs write access");
    std::lock_guard<std::mutex> fg(st->mu);
    PAGER_RETURN_IF_ERROR(st->Resize(0));
    if (track_durability_) st->pending.clear();
  }
  *out = std::make_unique<MemFile>(this, st, path, o.write, NextDescriptionId());
  return Status::Ok();
}

Status MemEnv::CreateUniqueFile(const std::string& dir, const std::string& prefix,
                                std::string* path, std::unique_ptr<File>* out) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 1000; attempt++) {
    char suffix[16];
    snprintf(suffix, sizeof suffix, "%06llu",
             static_cast<unsigned long long>(counter++ % 1000000));
    std::string candidate = dir + "/" + prefix + suffix;
    OpenOptions o;
    o.write = o.create = o.exclusive = true;
    Status s = Open(candidate, o, out);
    if (s.code() == Code::kExists) continue;
    PAGER_RETURN_IF_ERROR(s);
    *path = candidate;
    return Status::Ok();
  }
  return Status(Code::kExists, "no unique name left in " + dir);
}

Status MemEnv::Exists(const std::string& path, bool* exists) {
  std::lock_guard<std::mutex> g(mu_);
  *exists = files_.count(path) > 0 || dirs_.count(path) > 0;
  return Status::Ok();
}

Status MemEnv::Remove(const std::string& path) {
  PAGER_RETURN_IF_ERROR(BeforeOp(Op::kNamespace, path));
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status(Code::kNotFound, "remove " + path + ": No such file");
  RecordNamespace({NamespaceOp::kRemove, path, "", it->second});
  files_.erase(it);
  return Status::Ok();
}

Status MemEnv::Rename(const std::string& from, const std::string& to) {
  PAGER_RETURN_IF_ERROR(BeforeOp(Op::kNamespace, from));
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status(Code::kNotFound, "rename " + from + ": No such file");
  if (!dirs_.count(DirName(to))) return Status(Code::kNotFound, "rename to " + to + ": No such directory");
  std::shared_ptr<MemFileState> st = it->second;
  files_.erase(it);
  files_[to] = st;
  RecordNamespace({NamespaceOp::kRename, from, to, st});
  return Status::Ok();
}

Status MemEnv::CreateDir(const std::string& path, uint32_t) {
  PAGER_RETURN_IF_ERROR(BeforeOp(Op::kNamespace, path));
  if (path.empty()) return Status(Code::kNotFound, "mkdir \"\": No such file or directory");
  std::lock_guard<std::mutex> g(mu_);
  if (dirs_.count(path) || files_.count(path)) return Status(Code::kExists, "mkdir " + path + ": File exists");
  if (!dirs_.count(DirName(path))) return Status(Code::kNotFound, "mkdir " + path + ": No such parent directory");
  dirs_[path] = true;
  return Status::Ok();
}

Status MemEnv::RemoveDir(const std::string& path) {
  PAGER_RETURN_IF_ERROR(BeforeOp(Op::kNamespace, path));
  std::lock_guard<std::mutex> g(mu_);
  if (!dirs_.count(path)) return Status(Code::kNotFound, "rmdir " + path + ": No such directory");
  for (const auto& f : files_) {
    if (DirName(f.first) == path) return Status(Code::kInvalid, "rmdir " + path + ": Directory not empty");
  }
  for (const auto& d : dirs_) {
    if (d.first != path && DirName(d.first) == path) {
      return Status(Code::kInvalid, "rmdir " + path + ": Directory not empty");
    }
  }
  dirs_.erase(path);
  return Status::Ok();
}

Status MemEnv::ListDir(const std::string& path, std::vector<std::string>* names) {
  PAGER_RETURN_IF_ERROR(BeforeOp(Op::kRead, path));
  std::lock_guard<std::mutex> g(mu_);
  if (!dirs_.count(path)) return Status(Code::kNotFound, "list " + path + ": No such directory");
  names->clear();
  auto base = [](const std::string& p) { return p.substr(p.find_last_of('/') + 1); };
  for (const auto& f : files_) {
    if (DirName(f.first) == path) names->push_back(base(f.first));
  }
  for (const auto& d : dirs_) {
    if (d.first != path && d.first != "/" && DirName(d.first) == path) {
      names->push_back(base(d.first));
    }
  }
  std::sort(names->begin(), names->end());
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& dir) {
  bool drop = false;
  PAGER_RETURN_IF_ERROR(BeforeSync(dir, &drop));
  std::lock_guard<std::mutex> g(mu_);
  if (!dirs_.count(dir)) return Status(Code::kNotFound, "fsync directory " + dir + ": No such directory");
  if (!track_durability_) return Status::Ok();
  // Entries of dir become durable as they are now (M3).
  std::vector<NamespaceOp> kept;
  for (NamespaceOp& op : pending_namespace_) {
    bool touches = DirName(op.from) == dir || (op.kind == NamespaceOp::kRename && DirName(op.to) == dir);
    if (!touches) kept.push_back(std::move(op));
  }
  pending_namespace_ = std::move(kept);
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    if (DirName(it->first) == dir) {
      it = durable_files_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& f : files_) {
    if (DirName(f.first) == dir) durable_files_[f.first] = f.second;
  }
  return Status::Ok();
}

uint64_t MemEnv::NowMicros() {
  std::lock_guard<std::mutex> g(mu_);
  return clock_us_ += 1000;
}

Status MemEnv::GetFileBytes(const std::string& path, std::vector<uint8_t>* bytes) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status(Code::kNotFound, path);
  std::lock_guard<std::mutex> fg(it->second->mu);
  *bytes = it->second->CurrentBytes();
  return Status::Ok();
}

Status MemEnv::SetFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status(Code::kNotFound, path);
  std::lock_guard<std::mutex> fg(it->second->mu);
  PAGER_RETURN_IF_ERROR(it->second->Resize(bytes.size()));
  if (!bytes.empty()) std::memcpy(it->second->base, bytes.data(), bytes.size());
  if (track_durability_) it->second->MakeAllDurable();
  return Status::Ok();
}

std::vector<std::string> MemEnv::FilePaths() {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::string> out;
  for (const auto& f : files_) out.push_back(f.first);
  return out;
}

// ---- FaultEnv ---------------------------------------------------------------------------

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
  std::string msg = std::string("injected ") + (f.kind == FaultKind::kEio ? "EIO" : "ENOSPC") +
                    " on " + what + " of " + path + " (operation " + std::to_string(op_count_) + ")";
  return Status(f.kind == FaultKind::kEio ? Code::kIo : Code::kNoSpace, msg);
}

Status FaultEnv::BeforeOp(Op op, const std::string& path) {
  std::lock_guard<std::mutex> g(mu_);
  if (crashed_ && IsMutating(op)) {
    return Status(Code::kIo, "simulated crash: " + path + " is frozen");
  }
  op_count_++;
  static const char* const kNames[] = {"read", "write", "sync", "truncate", "allocate",
                                       "punch", "open", "namespace", "map"};
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
