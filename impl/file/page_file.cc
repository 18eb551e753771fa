// PageFile lifecycle (create, open, close) and the commit protocol (P2, P3, P6, P7).
#include "impl/file/page_file.h"

#include <algorithm>
#include <random>

#include "impl/io/checksum.h"

namespace pager {
namespace file {

namespace {

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

bool IsKnownFormatVersion(uint32_t v) {
  return v == kFormatVersion || v == kFormatVersionUnjournaled;
}

uint32_t Log2(uint64_t v) {
  uint32_t n = 0;
  while ((uint64_t{1} << n) < v) n++;
  return n;
}

}  // namespace

PageFile::PageFile(io::Env* env, const std::string& path, const FileOptions& options)
    : env_(env), path_(path), options_(options), read_only_(options.read_only) {}

PageFile::~PageFile() { Close(); }

void PageFile::Close() {
  std::lock_guard<std::mutex> g(mu_);
  CheckpointAtClose();
  journal_.reset();
  map_.reset();
  file_.reset();  // closing the descriptor drops the flock
  closed_ = true;
}

Status PageFile::Create(io::Env* env, const std::string& path, const FileOptions& options,
                        std::unique_ptr<PageFile>* out) {
  if (!IsPowerOfTwo(options.page_size) || options.page_size < (1u << kMinPageSizeLog2) ||
      options.page_size > (1u << kMaxPageSizeLog2)) {
    return InvalidArgument("page size " + std::to_string(options.page_size) +
                           " is not a power of two in [1024, 65536]");
  }
  FileOptions o = options;
  o.read_only = false;
  std::unique_ptr<PageFile> pf(new PageFile(env, path, o));
  std::lock_guard<std::mutex> g(pf->mu_);
  PAGER_RETURN_IF_ERROR(pf->CreateLocked().WithContext("create " + path));
  *out = std::move(pf);
  return Status::Ok();
}

Status PageFile::Open(io::Env* env, const std::string& path, const FileOptions& options,
                      std::unique_ptr<PageFile>* out) {
  if (options.page_size != 0 &&
      (!IsPowerOfTwo(options.page_size) || options.page_size < (1u << kMinPageSizeLog2) ||
       options.page_size > (1u << kMaxPageSizeLog2))) {
    return InvalidArgument("expected page size " + std::to_string(options.page_size) +
                           " is not 0 or a power of two in [1024, 65536]");
  }
  if (options.format_version != 0 && !IsKnownFormatVersion(options.format_version)) {
    return InvalidArgument("expected format version " + std::to_string(options.format_version) +
                           " is not 0, 1 or 2");
  }
  std::unique_ptr<PageFile> pf(new PageFile(env, path, options));
  std::lock_guard<std::mutex> g(pf->mu_);
  PAGER_RETURN_IF_ERROR(pf->OpenLocked().WithContext("open " + path));
  *out = std::move(pf);
  return Status::Ok();
}

Status PageFile::CreateLocked() {
  page_size_ = options_.page_size;
  page_size_log2_ = Log2(page_size_);
  format_version_ = options_.format_version == 0 ? kFormatVersion : options_.format_version;
  if (!IsKnownFormatVersion(format_version_)) {
    return InvalidArgument("format version " + std::to_string(options_.format_version) +
                           " is not 0 (the default, 2), 1 or 2");
  }
  uint64_t want = RoundPageCount(options_.initial_page_count, page_size_);
  if (want > options_.max_size_bytes / page_size_) {
    return Status(Code::kTooLarge, "initial page space of " + std::to_string(want) +
                                       " pages exceeds max_size_bytes " +
                                       std::to_string(options_.max_size_bytes));
  }
  io::OpenOptions oo;
  oo.write = true;
  oo.create = true;
  oo.exclusive = true;
  PAGER_RETURN_IF_ERROR(env_->Open(path_, oo, &file_));
  PAGER_RETURN_IF_ERROR(file_->Lock(io::LockMode::kExclusive, options_.lock_timeout_ms));
  std::random_device rd;
  file_id_ = (uint64_t{rd()} << 32) ^ rd() ^ env_->NowMicros();
  PAGER_RETURN_IF_ERROR(ReserveRun(0, want));  // P5: the whole first space
  std::vector<uint8_t> page(page_size_, 0);
  SuperblockDisk sb = MakeSuperblock(page_size_log2_, file_id_, format_version_);
  std::memcpy(page.data(), &sb, sizeof sb);
  PAGER_RETURN_IF_ERROR(file_->WriteAt(0, page.data(), page.size()));  // P1: the only write
  // The first commit: an empty page space, generation 1 in meta slot A.
  BeginOp();
  page_count_ = 0;
  active_meta_ = 1;
  bits_.clear();
  PAGER_RETURN_IF_ERROR(GrowTo(want));
  PAGER_RETURN_IF_ERROR(Commit());  // in place: the journal is attached below (P14)
  bool replayed = false;
  PAGER_RETURN_IF_ERROR(OpenJournal(true, &replayed));  // the empty journal of format 2
  PAGER_RETURN_IF_ERROR(env_->SyncDir(io::DirName(path_)));
  report_.meta_slot = 0;
  report_.generation = generation_;
  report_.format_version = format_version_;
  return MapFile();
}

Status PageFile::OpenLocked() {
  io::OpenOptions oo;
  oo.write = !read_only_;
  PAGER_RETURN_IF_ERROR(env_->Open(path_, oo, &file_));
  PAGER_RETURN_IF_ERROR(file_->Lock(read_only_ ? io::LockMode::kShared : io::LockMode::kExclusive,
                                    options_.lock_timeout_ms));
  uint8_t head[sizeof(SuperblockDisk)];
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(file_->ReadAt(0, head, sizeof head, &got));
  SuperblockDisk sb;
  PAGER_RETURN_IF_ERROR(CheckSuperblock(head, got, &sb));
  page_size_log2_ = sb.page_size_log2;
  page_size_ = 1u << page_size_log2_;
  file_id_ = sb.file_id;
  if (options_.page_size != 0 && options_.page_size != page_size_) {
    return Status(Code::kPageSize, "the file's page size is " + std::to_string(page_size_) +
                                       ", the caller expects " +
                                       std::to_string(options_.page_size));
  }
  if (options_.format_version != 0 && options_.format_version != sb.format_version) {
    return Status(Code::kVersion, "the file's format version is " +
                                      std::to_string(sb.format_version) + ", the caller expects " +
                                      std::to_string(options_.format_version));
  }
  std::vector<uint8_t> page0(page_size_);
  PAGER_RETURN_IF_ERROR(file_->ReadExactAt(0, page0.data(), page_size_, true));
  PAGER_RETURN_IF_ERROR(CheckSuperblock(page0.data(), page0.size(), &sb));
  format_version_ = sb.format_version;
  bool replayed = false;
  PAGER_RETURN_IF_ERROR(OpenJournal(false, &replayed));  // P16: before recovery reads
  PAGER_RETURN_IF_ERROR(Recover());
  report_.format_version = format_version_;
  if (page_count_ > options_.max_size_bytes / page_size_) {
    return Status(Code::kTooLarge, "the file's page space of " + std::to_string(page_count_) +
                                       " pages exceeds max_size_bytes " +
                                       std::to_string(options_.max_size_bytes));
  }
  if (read_only_ && options_.no_mapping) return Status::Ok();
  PAGER_RETURN_IF_ERROR(MapFile());
  if (read_only_) return Status::Ok();
  if (replayed) PAGER_RETURN_IF_ERROR(ReserveInUse());  // P5 after a crash (P16)
  std::unique_ptr<Journal> journal = std::move(journal_);
  PAGER_RETURN_IF_ERROR(EpochCommit());  // in place, with the main file's DataSync
  journal_ = std::move(journal);
  return Status::Ok();
}

// P3: zero the leftovers of an interrupted commit and make a meta durable at a generation
// above every generation that can be on disk.
Status PageFile::EpochCommit() {
  BeginOp();
  generation_ = std::max(generation_ + 1, max_seen_gen_);
  std::vector<uint8_t> zero(page_size_, 0);
  for (uint64_t page : stale_slots_) {
    Status st = file_->WriteAt(page * page_size_, zero.data(), zero.size());
    if (!st.ok()) {
      poisoned_ = true;
      poison_reason_ = st.ToString();
      return st;
    }
  }
  PAGER_RETURN_IF_ERROR(Commit());
  stale_slots_.clear();
  return Status::Ok();
}

Status PageFile::MapFile() {
  return file_->Map(static_cast<size_t>(options_.max_size_bytes),
                    static_cast<size_t>(page_count_ * page_size_), !read_only_, &map_);
}

namespace {

const char* AdviceName(io::Advice a) {
  switch (a) {
    case io::Advice::kNormal:
      return "NORMAL";
    case io::Advice::kRandom:
      return "RANDOM";
    case io::Advice::kSequential:
      return "SEQUENTIAL";
    case io::Advice::kWillNeed:
      return "WILLNEED";
    case io::Advice::kDontNeed:
      return "DONTNEED";
    default:
      return "other";
  }
}

}  // namespace

// P13.
Status PageFile::Advise(uint64_t first, uint64_t count, io::Advice advice) {
  std::lock_guard<std::mutex> g(mu_);
  PAGER_RETURN_IF_ERROR(RequireOpen());
  if (first == 0 && count == 0) count = page_count_;  // the whole page space
  if (first > page_count_ || count > page_count_ - first) {
    return Status(Code::kRange, "pages [" + std::to_string(first) + ", +" +
                                    std::to_string(count) + ") are past the page space (" +
                                    std::to_string(page_count_) + " pages)");
  }
  if (count == 0 || map_ == nullptr) return Status::Ok();
  Status st = map_->Advise(static_cast<size_t>(first * page_size_),
                           static_cast<size_t>(count * page_size_), advice);
  if (!st.ok()) {
    if (st.code() == Code::kNoMem) return st;
    return Status(Code::kIo, std::string("the kernel refused advice ") + AdviceName(advice) +
                                 " for pages [" + std::to_string(first) + ", +" +
                                 std::to_string(count) + ") of " + path_ + ": " + st.message());
  }
  return Status::Ok();  // advice for the whole mapping outlives its growth (P13, io E4a)
}

Status PageFile::RequireOpen() const {
  if (closed_ || file_ == nullptr) return InvalidArgument("the page file " + path_ + " is closed");
  return Status::Ok();
}

Status PageFile::RequireWritable() const {
  PAGER_RETURN_IF_ERROR(RequireOpen());
  if (read_only_) return Status(Code::kReadOnly, path_ + " is open read-only");
  if (poisoned_) {
    return Status(Code::kPoisoned, path_ + " is poisoned by an earlier failure (" +
                                       poison_reason_ + "); close and reopen it");
  }
  return Status::Ok();
}

void PageFile::BeginOp() {
  undo_ = Undo();
  undo_.page_count = page_count_;
  undo_.group_count = groups_.size();
  undo_.dir_count = dirs_.size();
  undo_.used_count = used_count_;
  undo_.protected_count = protected_count_;
  undo_.hint = hint_;
  undo_.entry_hint = entry_hint_;
  dirty_groups_.clear();
  dirty_dirs_.clear();
  content_.clear();
}

void PageFile::Rollback() {
  for (auto it = undo_.entries.rbegin(); it != undo_.entries.rend(); ++it) {
    uint64_t idx = it->first;
    uint32_t per = EntriesPerDirPage(page_size_);
    if (idx / per < dirs_.size()) dirs_[idx / per].entries[idx % per] = it->second;
  }
  for (auto it = undo_.flipped.rbegin(); it != undo_.flipped.rend(); ++it) {
    bits_[*it >> 6] ^= uint64_t{1} << (*it & 63);
  }
  for (uint64_t p : undo_.internal_added) internal_.erase(p);
  for (uint64_t p : undo_.internal_removed) internal_.insert(p);
  page_count_ = undo_.page_count;
  bits_.resize((page_count_ + 63) / 64);
  groups_.resize(undo_.group_count);
  dirs_.resize(undo_.dir_count);
  used_count_ = undo_.used_count;
  protected_count_ = undo_.protected_count;
  hint_ = undo_.hint;
  LowerEntryHint(undo_.entry_hint);  // P17: the entries it freed or allocated are as before
  undo_ = Undo();
  dirty_groups_.clear();
  dirty_dirs_.clear();
  content_.clear();
}

void PageFile::BuildGroupPage(uint64_t group, uint8_t* page) const {
  std::memset(page, 0, page_size_);
  uint64_t per_bytes = PagesPerGroup(page_size_) / 8;
  uint64_t start = group * per_bytes;
  uint64_t total = bits_.size() * 8;
  uint64_t n = std::min(per_bytes, total - start);
  std::memcpy(page + sizeof(CopyHeaderDisk), reinterpret_cast<const uint8_t*>(bits_.data()) + start,
              static_cast<size_t>(n));
}

void PageFile::BuildDirPage(uint32_t index, uint8_t* page) const {
  std::memset(page, 0, page_size_);
  const DirPage& d = dirs_[index];
  std::memcpy(page + sizeof(CopyHeaderDisk), d.entries.data(),
              d.entries.size() * sizeof(DirEntryDisk));
}

// P2: writes the non-current slot of every dirty copy, the pending protected contents, and the
// inactive meta; then one DataSync (of the main file, or of the journal: P14). Any failure
// after the first write poisons (P3, P6).
Status PageFile::Commit() {
  const uint64_t gen = generation_ + 1;
  uint64_t root = state_root_;  // maintained incrementally: commit cost is O(changed copies)
  std::vector<std::pair<uint64_t, Group>> new_groups;
  std::vector<std::pair<uint32_t, Group>> new_dirs;
  std::vector<uint8_t> built((dirty_groups_.size() + dirty_dirs_.size() + 1) * page_size_);
  std::vector<PageWrite> writes;
  writes.reserve(dirty_groups_.size() + dirty_dirs_.size() + content_.size() + 1);
  uint8_t* page = built.data();
  for (uint64_t g : dirty_groups_) {
    const Group& old = groups_[g];
    BuildGroupPage(g, page);
    SealCopy(kBitmapMagic, static_cast<uint32_t>(g), file_id_, gen, page, page_size_);
    Group fresh{old.gen == 0 ? 0 : 1 - old.cur_slot, gen, LoadU64(page + 40)};
    writes.push_back({GroupSlot(g, page_size_, fresh.cur_slot), page});
    page += page_size_;
    if (old.gen != 0) root ^= RootTerm(CopyKind::kBitmap, g, old.gen, old.checksum);
    root ^= RootTerm(CopyKind::kBitmap, g, fresh.gen, fresh.checksum);
    new_groups.emplace_back(g, fresh);
  }
  for (uint32_t d : dirty_dirs_) {
    const DirPage& old = dirs_[d];
    BuildDirPage(d, page);
    SealCopy(kDirMagic, d, file_id_, gen, page, page_size_);
    Group fresh{old.gen == 0 ? 0 : 1 - old.cur_slot, gen, LoadU64(page + 40)};
    writes.push_back({old.slots.page[fresh.cur_slot], page});
    page += page_size_;
    if (old.gen != 0) root ^= RootTerm(CopyKind::kDir, d, old.gen, old.checksum);
    root ^= RootTerm(CopyKind::kDir, d, fresh.gen, fresh.checksum);
    new_dirs.emplace_back(d, fresh);
  }
  for (const ContentWrite& c : content_) writes.push_back({c.page, c.data});
  BuildMeta(gen, root, page);
  writes.push_back({kMetaPage[1 - active_meta_], page});
  bool wrote = false;
  Status st = journal_ != nullptr ? WriteJournaled(writes, true, &wrote)
                                  : WriteInPlace(writes, &wrote);
  if (!st.ok()) {
    if (wrote) {
      poisoned_ = true;
      poison_reason_ = st.ToString();
    }
    Rollback();
    return st;
  }
  for (auto& ng : new_groups) groups_[ng.first] = ng.second;
  for (auto& nd : new_dirs) {
    dirs_[nd.first].cur_slot = nd.second.cur_slot;
    dirs_[nd.first].gen = nd.second.gen;
    dirs_[nd.first].checksum = nd.second.checksum;
  }
  generation_ = gen;
  state_root_ = root;
  active_meta_ ^= 1;
  undo_ = Undo();
  dirty_groups_.clear();
  dirty_dirs_.clear();
  content_.clear();
  return Status::Ok();
}

// P2 for a format-1 file (and a format-2 file's create and epoch commits): every write in
// place, then the main file's DataSync.
Status PageFile::WriteInPlace(const std::vector<PageWrite>& writes, bool* wrote) {
  for (const PageWrite& w : writes) {
    *wrote = true;
    PAGER_RETURN_IF_ERROR(file_->WriteAt(w.page * page_size_, w.bytes, page_size_));
  }
  sync_count_++;
  return file_->DataSync();
}

uint64_t PageFile::StateRoot(const std::vector<Group>& groups,
                             const std::vector<DirPage>& dirs) const {
  uint64_t root = 0;
  for (size_t g = 0; g < groups.size(); g++) {
    if (groups[g].gen != 0) root ^= RootTerm(CopyKind::kBitmap, g, groups[g].gen, groups[g].checksum);
  }
  for (size_t d = 0; d < dirs.size(); d++) {
    if (dirs[d].gen != 0) root ^= RootTerm(CopyKind::kDir, d, dirs[d].gen, dirs[d].checksum);
  }
  return root;
}

void PageFile::BuildMeta(uint64_t gen, uint64_t root, uint8_t* page) const {
  Meta m;
  m.generation = gen;
  m.page_count = page_count_;
  m.used_page_count = used_count_;
  m.protected_count = protected_count_;
  m.state_root = root;
  m.dir_slots.reserve(dirs_.size());
  for (const DirPage& d : dirs_) m.dir_slots.push_back(d.slots);
  EncodeMeta(m, page_size_log2_, file_id_, page);
}

uint64_t PageFile::generation() {
  std::lock_guard<std::mutex> g(mu_);
  return generation_;
}

uint64_t PageFile::sync_count() {
  std::lock_guard<std::mutex> g(mu_);
  return sync_count_;
}

uint64_t PageFile::checkpoint_count() {
  std::lock_guard<std::mutex> g(mu_);
  return checkpoint_count_;
}

PageFile::Stats PageFile::stats() {
  std::lock_guard<std::mutex> g(mu_);
  Stats s;
  s.format_version = format_version_;
  s.syncs = sync_count_;
  s.checkpoints = checkpoint_count_;
  if (format_version_ != kFormatVersionUnjournaled) {
    s.journal_bytes = journal_ != nullptr ? journal_->end_bytes() : 0;
    s.journal_lap_bytes = options_.journal_lap_bytes;
  }
  return s;
}

}  // namespace file
}  // namespace pager
