// libFuzzer harness for the WAL pager's parsers: the main file's header copies and the WAL's
// header, frames and recovery scan, on an in-memory disk (FaultEnv::FromImage, no paths on the
// real file system). Input: u32 little-endian main-file length, the main file, then the WAL;
// bit 31 of the length means "no sidecar at all".
//
// The frame scan (pager_wal_scan_frames, impl/wal/frame_scan.h) runs first on the same bytes:
// it must fail only with CORRUPT / VERSION / NOT_FOUND, or deliver every frame slot once, in
// order, with states that partition them as its invariants FS2/FS4 say.
//
// Every open must either fail with CORRUPT / VERSION / NOT_FOUND / PAGE_SIZE or yield a handle
// whose pages read back, whose invariants hold, and which (read-write) accepts a commit and a
// checkpoint and reopens to the same state. Last, the shared index `-shm` is fed hostile
// bytes while a writer is open: garbage, and (to get past its checksum) a header sealed over
// counts and frame entries taken from the input; a reader following it must fail with
// CORRUPT / BUSY or read, never crash.
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/wal/frame_scan.h"
#include "impl/wal/shm_index.h"
#include "impl/wal/wal_pager.h"

namespace {

using pager::Code;
using pager::Status;
using pager::wal::AccessMode;
using pager::wal::Options;
using pager::wal::WalPager;

const char* kPath = "/fz/db";
const char* kWal = "/fz/db-wal";
constexpr uint32_t kMaxPagesRead = 64;
constexpr uint32_t kMaxPageCountForWrites = 1u << 16;

void Trap(const char* why) {
  std::fprintf(stderr, "wal_fuzz invariant broken: %s\n", why);
  __builtin_trap();
}

bool ExpectedOpenFailure(const Status& st) {
  Code c = st.code();
  return c == Code::kCorrupt || c == Code::kVersion || c == Code::kNotFound ||
         c == Code::kPageSize || c == Code::kNoMem;
}

// Reads every page up to a bound; returns false on an unexpected error.
bool ReadSome(WalPager* p, std::vector<std::vector<uint8_t>>* out) {
  uint32_t count = p->page_count();
  std::vector<uint8_t> buf(p->page_size());
  for (uint32_t i = 1; i < count && i <= kMaxPagesRead; i++) {
    Status st = p->ReadPage(i, buf.data(), buf.size());
    if (!st.ok() && st.code() != Code::kCorrupt) return false;
    out->push_back(st.ok() ? buf : std::vector<uint8_t>());
  }
  std::vector<uint8_t> app(pager::wal::kAppHeaderSize);
  if (!p->ReadAppHeader(app.data(), app.size()).ok()) return false;
  out->push_back(app);
  return true;
}

// FS2/FS4 of frame_scan.h on whatever the input holds.
void CheckFrameScan(pager::io::Env* env, const char* path) {
  using pager::wal::FrameState;
  std::vector<pager::wal::ScannedFrame> seen;
  auto fn = [&](const pager::wal::ScannedFrame& f) {
    seen.push_back(f);
    seen.back().page = nullptr;  // valid during the call only (FS3)
    return Status::Ok();
  };
  pager::wal::ScanSummary sum;
  Status st = pager::wal::ScanFrames(env, path, pager::wal::ScanOptions{}, fn, &sum);
  if (!st.ok()) {
    Code c = st.code();
    if (c != Code::kCorrupt && c != Code::kVersion && c != Code::kNotFound && c != Code::kNoMem) {
      Trap(st.ToString().c_str());
    }
    return;
  }
  if (!sum.has_header && !seen.empty()) Trap("frames without a header");
  if (seen.size() != sum.frame_slots) Trap("a frame slot not delivered exactly once");
  if (!(sum.committed_frames <= sum.chain_frames && sum.chain_frames <= sum.frame_slots)) {
    Trap("committed <= chain <= slots");
  }
  for (uint64_t i = 0; i < seen.size(); i++) {
    const auto& f = seen[i];
    if (f.index != i || f.offset_bytes != pager::wal::FrameOffset(i, sum.header.page_size)) {
      Trap("frame index or offset");
    }
    FrameState want = i < sum.committed_frames ? FrameState::kCommitted
                      : i < sum.chain_frames   ? FrameState::kUncommitted
                                               : FrameState::kBeyond;
    if (f.state != want) Trap("frame state out of order (FS2)");
    if (f.state != FrameState::kBeyond && !(f.salts_match && f.checksum_valid && f.well_formed)) {
      Trap("a trusted frame fails its own checks");
    }
    if (f.checksum_valid != (f.computed_checksum == f.header.checksum)) Trap("checksum verdict");
  }
}

// A reader beside a writer whose shared index holds hostile bytes (X1-X6 must hold them off).
void HostileIndex(pager::io::Env* env, const uint8_t* data, size_t size) {
  Options o;
  o.page_size = 0;
  o.auto_checkpoint_frames = 0;
  std::unique_ptr<WalPager> w, r;
  if (!WalPager::Open(env, kPath, AccessMode::kReadWrite, o, &w).ok()) return;
  if (!WalPager::Open(env, kPath, AccessMode::kReadOnly, o, &r).ok()) Trap("reader beside writer");
  std::unique_ptr<pager::io::File> f;
  pager::io::OpenOptions wo;
  wo.write = true;
  if (!env->Open(pager::wal::ShmPath(kPath), wo, &f).ok()) Trap("open -shm");
  pager::wal::ShmHeader h{};
  std::memcpy(&h, data, std::min(size, sizeof h));
  if (size % 2 == 0) {  // a believable header over hostile counts
    std::memcpy(h.magic, pager::wal::kShmMagic, sizeof h.magic);
    h.format_version = pager::wal::kShmVersion;
    h.page_size = w->page_size();
    pager::wal::SealShmHeader(&h);
  }
  std::vector<uint8_t> entries(data, data + size);
  if (!f->WriteAt(pager::wal::kShmCopyAOffset, &h, sizeof h).ok() ||
      !f->WriteAt(pager::wal::kShmCopyBOffset, &h, sizeof h).ok() ||
      !f->WriteAt(pager::wal::kShmFramesOffset, entries.data(), entries.size()).ok()) {
    Trap("write -shm");
  }
  std::vector<uint8_t> buf(r->page_size());
  for (uint32_t i = 1; i < 4; i++) {
    Status st = r->ReadPage(i, buf.data(), buf.size());
    Code c = st.code();
    if (!st.ok() && c != Code::kCorrupt && c != Code::kBusy && c != Code::kNotFound &&
        c != Code::kInternal) {
      Trap(st.ToString().c_str());
    }
  }
  pager::wal::ReadSnapshot s;
  if (r->BeginRead(&s).ok()) {
    (void)r->ReadPageAt(s, 1, buf.data(), buf.size());
    r->EndRead(&s);
  }
  (void)r->page_count();
  (void)w->Checkpoint(pager::wal::CheckpointMode::kPassive);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t word;
  std::memcpy(&word, data, 4);
  const bool no_wal = (word & 0x80000000u) != 0;
  size_t main_len = std::min<size_t>(word & 0x7FFFFFFFu, size - 4);
  std::map<std::string, std::vector<uint8_t>> image;
  image[kPath] = std::vector<uint8_t>(data + 4, data + 4 + main_len);
  if (!no_wal) image[kWal] = std::vector<uint8_t>(data + 4 + main_len, data + size);
  auto env = pager::io::FaultEnv::FromImage(image);
  CheckFrameScan(env.get(), kWal);

  Options o;
  o.page_size = 0;
  o.cache_pages = 8;
  std::unique_ptr<WalPager> p;
  Status st = WalPager::Open(env.get(), kPath, AccessMode::kReadOnly, o, &p);
  if (!st.ok()) {
    if (!ExpectedOpenFailure(st)) Trap(st.ToString().c_str());
    return 0;
  }
  if (!p->CheckInvariants().ok()) Trap("invariants after read-only open");
  std::vector<std::vector<uint8_t>> before;
  if (!ReadSome(p.get(), &before)) Trap("read after read-only open");
  const uint32_t count = p->page_count();
  p.reset();
  if (count > kMaxPageCountForWrites) return 0;

  o.auto_checkpoint_frames = 3;
  st = WalPager::Open(env.get(), kPath, AccessMode::kReadWrite, o, &p);
  if (!st.ok()) {
    if (!ExpectedOpenFailure(st)) Trap(st.ToString().c_str());
    return 0;
  }
  std::vector<std::vector<uint8_t>> after;
  if (!ReadSome(p.get(), &after)) Trap("read after read-write open");
  if (after != before) Trap("the recovery checkpoint changed the visible state");
  std::vector<uint8_t> page(p->page_size(), 0x5A);
  if (!p->StagePage(1, page.data(), page.size()).ok()) Trap("stage");
  if (!p->Commit().ok()) return 0;  // a page of the old main file can be unreadable (CORRUPT)
  // Every checkpoint mode, chosen by the input's length (TRUNCATE leaves a zero-byte WAL).
  const auto mode = static_cast<pager::wal::CheckpointMode>(size % 3);
  if (!p->Checkpoint(mode).ok()) Trap("checkpoint");
  if (!p->CheckInvariants().ok()) Trap("invariants after checkpoint");
  p.reset();
  st = WalPager::Open(env.get(), kPath, AccessMode::kReadOnly, o, &p);
  if (!st.ok()) Trap(st.ToString().c_str());
  std::vector<uint8_t> got(page.size());
  if (!p->ReadPage(1, got.data(), got.size()).ok() || got != page) Trap("committed page lost");
  p.reset();
  HostileIndex(env.get(), data, size);
  return 0;
}
