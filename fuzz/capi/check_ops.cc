// capi_fuzz: pager_format_detect and the read-only checks (pager_*_check) on every file
// the input made and on forged files.
#include "fuzz/capi/harness.h"

#include "impl/file/format.h"
#include "impl/io/checksum.h"
#include "impl/io/env.h"
#include "impl/snapshot/format.h"
#include "impl/wal/wal_format.h"
#include "impl/walseg/format.h"

namespace capi_fuzz {

// Hostile bytes: a format's magic (at its offset) followed by input bytes, or a copy of a
// file the input made; then maybe one byte flipped, a truncation, a zeroed 512-byte sector
// or appended garbage.
std::vector<uint8_t> Harness::ForgedBytes(Input& in) {
  std::vector<uint8_t> b;
  std::vector<std::string> paths = env_->FilePaths();
  if (in.Chance(2) && !paths.empty()) {
    (void)env_->GetFileBytes(paths[in.Pick(static_cast<uint32_t>(paths.size()))], &b);
  } else {
    uint32_t seg_magic = pager::walseg::kRecordMagic;
    switch (in.Pick(7)) {
      case 0: b.assign(pager::file::kSuperblockMagic, pager::file::kSuperblockMagic + 8); break;
      case 1: b.assign(pager::wal::kMainMagic, pager::wal::kMainMagic + 8); break;
      case 2:  // only header copy B
        b.assign(pager::wal::kHeaderCopySize, 0);
        b.insert(b.end(), pager::wal::kMainMagic, pager::wal::kMainMagic + 8);
        break;
      case 3: b.assign(pager::wal::kWalMagic, pager::wal::kWalMagic + 8); break;
      case 4: b.assign(pager::snapshot::kHeaderMagic, pager::snapshot::kHeaderMagic + 8); break;
      case 5:
        b.assign(offsetof(pager::walseg::RecordHeader, magic), 0);
        b.insert(b.end(), reinterpret_cast<const uint8_t*>(&seg_magic),
                 reinterpret_cast<const uint8_t*>(&seg_magic) + 4);
        break;
      default: break;
    }
    for (uint32_t n = in.u8(); n > 0 && in.more(); n--) b.push_back(in.u8());
  }
  switch (in.Pick(6)) {
    case 0: if (!b.empty()) b[in.Hostile64() % b.size()] ^= static_cast<uint8_t>(in.u8() | 1); break;
    case 1: b.resize(static_cast<size_t>(in.Hostile64() % (b.size() + 1))); break;
    case 2: b.resize(b.size() + 512 * in.Pick(17), in.u8()); break;
    case 3:
      if (b.size() >= 512) {
        size_t sector = (in.u16() % (b.size() / 512)) * 512;
        std::memset(b.data() + sector, 0, 512);
      }
      break;
    default: break;
  }
  if (b.size() > kMaxForgedBytes) b.resize(kMaxForgedBytes);
  return b;
}

std::string Harness::ForgedPath(Input& in) {
  switch (in.Pick(4)) {
    case 0: return "/d/h";
    case 1: return "/d/h-wal";
    case 2: {
      uint64_t lsn = in.Chance(2) ? 1 : in.Hostile64();
      return std::string(kForgedDir) + "/" + pager::walseg::SegmentName(lsn);
    }
    default: return std::string(kForgedDir) + "/junk";
  }
}

// Writes forged bytes at a forged path and returns the path ("" if the env refused it).
std::string Harness::Forge(Input& in) {
  std::string path = ForgedPath(in);
  std::vector<uint8_t> b = ForgedBytes(in);
  pager::io::OpenOptions o;
  o.write = o.create = o.truncate = true;
  std::unique_ptr<pager::io::File> f;
  if (!env_->Open(path, o, &f).ok()) return "";
  if (!b.empty() && !f->WriteAt(0, b.data(), b.size()).ok()) return "";
  return path;
}

// Every path and byte of the env, for "a check writes nothing, creates nothing" (XXH3:
// page files reach megabytes, hashed twice per check).
uint64_t Harness::FilesDigest() {
  pager::Hasher h;
  for (const std::string& path : env_->FilePaths()) {
    std::vector<uint8_t> b;
    (void)env_->GetFileBytes(path, &b);
    uint64_t n = b.size();
    h.Update(path.c_str(), path.size() + 1);
    h.Update(&n, sizeof n);
    h.Update(b.data(), b.size());
  }
  return h.Digest();
}

const char* Harness::CheckTarget(Input& in) {
  if (in.Chance(3)) {
    target_ = in.Chance(4) ? ForgedPath(in) : kForged[in.Pick(kForgedCount)];
    return target_.c_str();
  }
  return Path(in);
}

void Harness::Checks(Input& in) {
  std::string forged = in.Chance(2) ? Forge(in) : "";
  const char* path = !forged.empty() && !in.Chance(4) ? forged.c_str() : CheckTarget(in);
  uint64_t before = FilesDigest();
  const char* fn = "pager_format_detect";
  if (in.Chance(4)) {
    Out<uint32_t> format;
    int rc = Check(fn, pager_format_detect(path, in.Chance(16) ? nullptr : format.p()),
                   Codes({INV, NOTFOUND, RO, IO, NOMEM}));
    KeptOnFailure(fn, rc, format);
    if (rc == PAGER_OK) Expect(format.v <= PAGER_FORMAT_FILE_JOURNAL, fn, "an unknown format", rc);
  } else {
    fn = CheckReport(in, path);
  }
  Expect(FilesDigest() == before, fn, "a read-only check changed, created or removed a file");
}

const char* Harness::CheckReport(Input& in, const char* path) {
  Grow<pager_check_report> g;
  pager_check_report_init(g.p());
  CheckCleared("pager_check_report_init");
  if (in.Chance(4)) std::memset(g.buf + 4, in.u8(), sizeof(pager_check_report) - 4);
  ResultSize(in, g.buf);
  uint32_t given;
  std::memcpy(&given, g.buf, 4);
  Grow<pager_check_report> before = g;
  pager_check_report* r = in.Chance(16) ? nullptr : g.p();
  const Mask codes = Codes({INV, NOTFOUND, BUSY, VERSION, RO, IO, NOMEM});
  const char* fn = nullptr;
  int rc = 0;
  uint32_t kind = in.Pick(4);
  switch (kind) {
    case 0: rc = Check(fn = "pager_file_check", pager_file_check(path, r), codes); break;
    case 1: rc = Check(fn = "pager_wal_check", pager_wal_check(path, r), codes); break;
    case 2: rc = Check(fn = "pager_walseg_check", pager_walseg_check(path, r), codes); break;
    default: rc = Check(fn = "pager_snapshot_check", pager_snapshot_check(path, r), codes); break;
  }
  CheckResult(fn, rc, before.buf, g.buf, sizeof(g.buf), given, sizeof(pager_check_report));
  if (rc != PAGER_OK || given < sizeof(pager_check_report)) return fn;
  const pager_check_report& rep = *g.p();
  SaneReport(fn, rep, kind);
  if (kind == 0) AgreesWithFileOpen(path, rep);
  if (kind == 3) AgreesWithSnapshotVerify(path, rep);
  return fn;
}

void Harness::SaneReport(const char* fn, const pager_check_report& rep, uint32_t kind) {
  static const uint32_t kFormats[] = {PAGER_FORMAT_FILE, PAGER_FORMAT_WAL_MAIN,
                                      PAGER_FORMAT_WALSEG_SEGMENT, PAGER_FORMAT_SNAPSHOT};
  bool format_ok = rep.format == kFormats[kind] ||
                   (kind == 2 && rep.format == PAGER_FORMAT_WALSEG_DIR);
  Expect(format_ok, fn, "the report names another format");
  Expect(rep.damage_code == PAGER_OK || rep.damage_code == PAGER_ERR_CORRUPT, fn,
         "damage_code is neither OK nor CORRUPT");
  Expect(rep.interrupted <= 1, fn, "interrupted is not 0 or 1");
  Expect(rep.index_state <= PAGER_WAL_INDEX_STALE && (kind == 1 || rep.index_state == 0), fn,
         "index_state is not a PAGER_WAL_INDEX_* of a WAL pager");
  Expect(std::memchr(rep.damage_file, 0, sizeof rep.damage_file) != nullptr &&
             std::memchr(rep.damage_rule, 0, sizeof rep.damage_rule) != nullptr &&
             std::memchr(rep.damage_detail, 0, sizeof rep.damage_detail) != nullptr,
         fn, "a text field is not NUL-terminated");
  if (rep.damage_code != PAGER_OK) {
    Expect(rep.damage_rule[0] != '\0', fn, "damage without a rule");
  }
  if (rep.damage_file[0] == '\0') Expect(rep.damage_offset == 0, fn, "an offset without a file");
}

// The check never calls clean what the library refuses: a read-only open of the page file
// that is CORRUPT means damage in the report (other failures -- a size limit, a lock --
// tell nothing; a damaged older meta copy is damage that the open survives).
void Harness::AgreesWithFileOpen(const char* path, const pager_check_report& rep) {
  pager_file_options o;
  pager_file_options_init(&o);
  o.read_only = 1;
  o.max_size_bytes = uint64_t{1} << 24;
  pager_file* f = nullptr;
  int rc = pager_file_open(path, &o, &f);
  pager_file_close(f);
  if (rc != PAGER_ERR_CORRUPT) return;
  Expect(rep.damage_code == PAGER_ERR_CORRUPT, "pager_file_check",
         "clean, but pager_file_open (read-only) says CORRUPT", rc);
}

void Harness::AgreesWithSnapshotVerify(const char* path, const pager_check_report& rep) {
  int rc = pager_snapshot_verify(path, nullptr);
  if (rc != PAGER_OK && rc != PAGER_ERR_CORRUPT) return;
  Expect((rc == PAGER_ERR_CORRUPT) == (rep.damage_code == PAGER_ERR_CORRUPT),
         "pager_snapshot_check", "disagrees with pager_snapshot_verify about damage", rc);
}

}  // namespace capi_fuzz
