#include "impl/cold/scratch_store.h"

#include <algorithm>
#include <utility>

namespace pager {
namespace cold {

namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status EnsureRoot(io::Env* env, const std::string& root) {
  bool exists = false;
  PAGER_RETURN_IF_ERROR(env->Exists(root, &exists));
  if (exists) return Status::Ok();
  Status st = env->CreateDir(root, 0755);
  if (st.ok() || st.code() == Code::kExists) return Status::Ok();
  return st.WithContext("create scratch root");
}

// Removes the data files of a stale directory, then the directory (D2: lock file last).
bool RemoveStaleDir(io::Env* env, const std::string& dir) {
  bool exists = false;
  if (!env->Exists(dir, &exists).ok()) return false;
  if (!exists) return true;
  std::vector<std::string> names;
  if (!env->ListDir(dir, &names).ok()) return false;
  for (const std::string& n : names) {
    // Only names this library creates (D3): a planted entry is never followed or removed.
    if (!StartsWith(n, ScratchStore::kDataPrefix)) return false;
    if (!env->Remove(dir + "/" + n).ok()) return false;
  }
  return env->RemoveDir(dir).ok();
}

}  // namespace

ScratchStore::ScratchStore(io::Env* env, std::string root, std::string lock_path,
                           std::unique_ptr<io::File> lock_file, uint32_t file_count,
                           uint64_t align, uint64_t retain_bytes)
    : env_(env),
      root_(std::move(root)),
      lock_path_(std::move(lock_path)),
      dir_(lock_path_ + kDirSuffix),
      lock_file_(std::move(lock_file)),
      retain_bytes_(retain_bytes) {
  for (uint32_t i = 0; i < file_count; i++) files_.push_back(std::make_unique<DataFile>(align));
}

Result<std::unique_ptr<ScratchStore>> ScratchStore::Create(io::Env* env, const std::string& root,
                                                           uint32_t file_count, uint64_t align,
                                                           uint64_t retain_bytes) {
  PAGER_RETURN_IF_ERROR(EnsureRoot(env, root));
  // A fresh lock file can be locked by a concurrent stale scan before we lock it (it looks
  // unowned); then we lose it and try another name.
  for (int attempt = 0; attempt < 16; attempt++) {
    std::string lock_path;
    std::unique_ptr<io::File> lock;
    PAGER_RETURN_IF_ERROR(env->CreateUniqueFile(root, kPrefix, &lock_path, &lock)
                              .WithContext("create scratch lock file"));
    Status st = lock->Lock(io::LockMode::kExclusive, 0);
    if (st.code() == Code::kBusy) continue;  // a scanner holds it and will remove it
    if (!st.ok()) {
      (void)env->Remove(lock_path);
      return st.WithContext("lock scratch lock file");
    }
    bool still_there = false;
    PAGER_RETURN_IF_ERROR(env->Exists(lock_path, &still_there));
    if (!still_there) continue;  // a scanner removed it before our lock: D2 would not hold
    std::unique_ptr<ScratchStore> store(
        new ScratchStore(env, root, lock_path, std::move(lock), file_count, align,
                         retain_bytes));
    st = env->CreateDir(store->dir_, 0700);
    if (!st.ok()) {
      (void)env->Remove(lock_path);
      store->dir_.clear();  // nothing for the destructor to remove
      return st.WithContext("create private scratch directory");
    }
    return store;
  }
  return Status(Code::kBusy, "could not create a scratch lock file in " + root +
                                 " that no stale-directory scan took first (16 attempts)");
}

ScratchStore::~ScratchStore() {
  if (dir_.empty()) return;  // Create failed half-way and cleaned up itself
  for (auto& f : files_) {
    if (f->file == nullptr) continue;
    f->file.reset();
    (void)env_->Remove(f->path);
  }
  (void)env_->RemoveDir(dir_);
  (void)env_->Remove(lock_path_);  // D2: the lock file last, still locked by us
  lock_file_.reset();
}

void ScratchStore::RemoveStale(io::Env* env, const std::string& root,
                               const std::string& own_lock_name, StaleScan* scan) {
  (void)Scan(env, root, own_lock_name, true, ScratchVisitor(), scan);
}

Status ScratchStore::Scan(io::Env* env, const std::string& root, const std::string& own_lock_name,
                          bool remove, const ScratchVisitor& visit, StaleScan* scan) {
  std::vector<std::string> names;
  PAGER_RETURN_IF_ERROR(env->ListDir(root, &names).WithContext("list scratch root"));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!StartsWith(name, kPrefix) || EndsWith(name, kDirSuffix) || name == own_lock_name) {
      continue;
    }
    std::string lock_path = root + "/" + name;
    ScratchState state = ScanOne(env, lock_path, remove, scan);
    if (state != ScratchState::kGone && visit) PAGER_RETURN_IF_ERROR(visit(lock_path, state));
  }
  return Status::Ok();
}

ScratchState ScratchStore::ScanOne(io::Env* env, const std::string& lock_path, bool remove,
                                   StaleScan* scan) {
  std::unique_ptr<io::File> lock;
  io::OpenOptions ro;
  if (!env->Open(lock_path, ro, &lock).ok()) return ScratchState::kGone;  // owner finished
  Status st = lock->Lock(io::LockMode::kExclusive, 0);
  if (st.code() == Code::kBusy) {
    scan->live++;  // D2: its owner is alive
    return ScratchState::kLive;
  }
  if (!st.ok()) {
    scan->failed++;
    return ScratchState::kFailed;
  }
  if (!remove) {
    scan->stale++;
    return ScratchState::kStale;  // the lock goes with `lock` at return
  }
  if (RemoveStaleDir(env, lock_path + kDirSuffix) && env->Remove(lock_path).ok()) {
    scan->removed++;
    return ScratchState::kRemoved;
  }
  scan->failed++;
  return ScratchState::kFailed;
}

Status ScratchStore::OpenDataFile(DataFile* f, uint32_t index) {
  io::OpenOptions o;
  o.write = true;
  o.create = true;
  o.truncate = true;
  o.mode = 0600;
  std::string path = dir_ + "/" + kDataPrefix + std::to_string(index);
  PAGER_RETURN_IF_ERROR(env_->Open(path, o, &f->file).WithContext("open scratch file"));
  f->path = std::move(path);
  return Status::Ok();
}

Result<ScratchStore::Extent> ScratchStore::Allocate(uint64_t len, uint32_t file_index) {
  uint32_t index = file_index % file_count();
  DataFile* f = files_[index].get();
  std::lock_guard<std::mutex> lock(f->mu);  // D3
  if (f->file == nullptr) PAGER_RETURN_IF_ERROR(OpenDataFile(f, index));
  uint64_t offset = 0;
  auto warm = f->warm.find(f->extents.AlignedLen(len));
  if (warm != f->warm.end()) {  // D5: blocks the filesystem already has
    offset = warm->second;
    f->warm_bytes -= warm->first;
    f->warm.erase(warm);
  } else {
    PAGER_ASSIGN_OR_RETURN(offset, f->extents.Allocate(len));
  }
  Extent e;
  e.file_index = index;
  e.file = f->file.get();
  e.offset = offset;
  e.data_len = len;
  return e;
}

Status ScratchStore::Release(const Extent& extent, ReleaseCounts* counts) {
  DataFile* f = files_[extent.file_index].get();
  std::lock_guard<std::mutex> lock(f->mu);  // D3: no reuse can slip between free and punch
  uint64_t aligned = f->extents.AlignedLen(extent.data_len);
  if (aligned <= retain_bytes_ - std::min(retain_bytes_, f->warm_bytes)) {  // D5
    f->warm.insert({aligned, extent.offset});
    f->warm_bytes += aligned;
    counts->retained++;
    return Status::Ok();
  }
  PAGER_ASSIGN_OR_RETURN(ExtentAllocator::Release r,
                         f->extents.Free(extent.offset, extent.data_len));
  if (r.truncate) {
    counts->truncates++;
    return f->file->Truncate(r.new_end).WithContext("release scratch extent");
  }
  counts->punches++;
  return f->file->PunchHole(r.punch_offset, r.punch_len).WithContext("release scratch extent");
}

ScratchStore::Usage ScratchStore::GetUsage() const {
  Usage u;
  for (const auto& f : files_) {
    std::lock_guard<std::mutex> lock(f->mu);
    if (f->file == nullptr) continue;
    u.files_open++;
    u.allocated_bytes += f->extents.allocated_bytes() - f->warm_bytes;
    u.retained_bytes += f->warm_bytes;
    u.file_bytes += f->extents.end();
  }
  return u;
}

Status ScratchStore::CheckInvariants() const {
  for (const auto& f : files_) {
    std::lock_guard<std::mutex> lock(f->mu);
    PAGER_RETURN_IF_ERROR(f->extents.CheckInvariants().WithContext(f->path));
    uint64_t warm = 0;
    for (const auto& w : f->warm) warm += w.first;
    if (warm != f->warm_bytes || warm > retain_bytes_) {
      return Internal("D5: warm pool of " + f->path + " holds " + std::to_string(warm) +
                      " bytes, counted " + std::to_string(f->warm_bytes) + ", budget " +
                      std::to_string(retain_bytes_));
    }
  }
  return Status::Ok();
}

}  // namespace cold
}  // namespace pager
