// MemEnv: see mem_env.h for the model (M1-M6); FaultEnv is in fault_env.cc.
#include "impl/io/mem_env.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <thread>

#include "impl/io/mem_file_state.h"
#include "impl/io/mem_range_locks.h"
#include "impl/io/posix_env.h"

namespace pager {
namespace io {

// ---- mapping ----------------------------------------------------------------------------

class MemMapping final : public Mapping {
 public:
  MemMapping(MemEnv* env, std::shared_ptr<MemFileState> st, const std::string& path,
             size_t reserve, size_t len, bool writable)
      : Mapping(st->base, reserve, len, writable), env_(env), st_(std::move(st)), path_(path) {
    st_->live_mappings++;
    if (writable) st_->live_writable_mappings++;
  }
  ~MemMapping() override {
    if (private_ != nullptr) munmap(private_, reserved_len_);
    std::lock_guard<std::mutex> g(st_->mu);
    st_->live_mappings--;
    if (writable_) st_->live_writable_mappings--;
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

  // E4b: the first overlay moves the mapping to a private copy of what it shows (the file's
  // buffer stays shared with its other mappings); overlays then patch the copy.
  Status Overlay(size_t offset, const void* src, size_t len) override {
    PAGER_RETURN_IF_ERROR(CheckOverlay(offset, len, "overlay of " + path_));
    if (len == 0) return Status::Ok();
    if (private_ == nullptr) {
      void* p = mmap(nullptr, reserved_len_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) return Status(Code::kNoMem, "overlay of " + path_ + ": no memory");
      private_ = static_cast<uint8_t*>(p);
      std::memcpy(private_, data_, mapped_len_);
      data_ = private_;
    }
    if (src != nullptr) {
      std::memcpy(data_ + offset, src, len);
    } else {
      std::memset(data_ + offset, 0, len);
    }
    mapped_len_ = std::max(mapped_len_, offset + len);
    return Status::Ok();
  }
  size_t overlay_granularity() const override { return 4096; }

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
  uint8_t* private_ = nullptr;  // E4b: the private copy once overlaid
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
    (void)FinishWrites();  // E8: a destroyed File's started writes land first
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

  // E8: MemEnv writes at once; FaultEnv (track_durability_) keeps the caller's pointer and
  // writes at FinishWrites, so bytes changed before then are what lands, as with a real
  // asynchronous write, and a caller who reuses them too early is caught.
  Status StartWriteAt(uint64_t offset, const void* src, size_t len) override {
    if (!env_->track_durability_) return WriteAt(offset, src, len);
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "write"));
    PAGER_RETURN_IF_ERROR(RequireWritable("write"));
    started_.push_back({src, len, offset});
    return Status::Ok();
  }

  Status FinishWrites() override {
    std::vector<Started> started;
    started.swap(started_);
    Status first = Status::Ok();
    for (const Started& w : started) {
      Status st = WriteAt(w.offset, w.src, w.len);
      if (first.ok() && !st.ok()) first = st;
    }
    return first;
  }

  Status Sync() override {
    PAGER_RETURN_IF_ERROR(FinishWrites());
    return SyncAll();
  }
  Status DataSync() override {
    PAGER_RETURN_IF_ERROR(FinishWrites());
    return SyncAll();
  }

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

  // E7: no page cache to write back; FaultEnv can fail the hint (Op::kWriteback).
  Status StartWriteback(uint64_t offset, uint64_t len) override {
    PAGER_RETURN_IF_ERROR(CheckRange(offset, len, "start writeback"));
    return env_->BeforeOp(MemEnv::Op::kWriteback, path_);
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
    if (st_->live_writable_mappings > 0 && size < st_->size) {
      // Real mappings would SIGBUS past the new end; the library must not do this to a file
      // it writes through a mapping (the page file). Read-only mappings (the WAL pager's,
      // W18) may outlive a truncation: their users never touch bytes past the file's end.
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
  struct Started {
    const void* src;
    size_t len;
    uint64_t offset;
  };
  std::vector<Started> started_;  // E8: FaultEnv's writes not finished yet
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

}  // namespace io
}  // namespace pager
