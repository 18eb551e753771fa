// CheckWalseg: the read-only check of one WAL segment or a directory of them
// (pager_walseg_check), by the readers themselves: SegmentReader for a file, LogReplay for a
// directory (W3 LSN continuity across segments; a sealed segment must end cleanly). The
// reader's stop decision (R4) is the verdict: kCorrupt is damage at stop_offset, kTornTail
// is an interrupted last write (not damage). Readers map read-only and create nothing (K1).
#include "impl/check/checks.h"
#include "impl/walseg/reader.h"
#include "pager.h"

namespace pager {
namespace walseg {

namespace {

// Every record type is understood (a checker does not know the application's types); the
// payload bound is the format's, not a reader's default.
ReaderOptions CheckOptions() {
  ReaderOptions o;
  o.max_payload_bytes = kFormatMaxPayloadBytes;
  return o;
}

template <typename Reader>
Status ReadAll(Reader* reader, CheckReport* r) {
  RecordView v;
  bool found = true;
  while (true) {
    PAGER_RETURN_IF_ERROR(reader->Next(&v, &found));
    if (!found) break;
    if (r->record_count == 0) r->first_lsn = v.lsn;
    r->last_lsn = v.lsn;
    r->record_count++;
  }
  return Status::Ok();
}

void Verdict(StopReason reason, const std::string& file, uint64_t offset,
             const std::string& detail, CheckReport* r) {
  if (reason == StopReason::kTornTail) {
    r->Interrupted(file, offset, "torn-tail", detail + " (a last write that was never synced)");
  }
  if (reason == StopReason::kCorrupt) r->Damage(file, offset, "record", detail);
}

Status CheckSegment(io::Env* env, const std::string& path, CheckReport* r) {
  r->format = PAGER_FORMAT_WALSEG_SEGMENT;
  r->segment_count = 1;
  std::unique_ptr<SegmentReader> reader;
  PAGER_RETURN_IF_ERROR(SegmentReader::Open(env, path, CheckOptions(), &reader));
  r->file_bytes = reader->len();
  PAGER_RETURN_IF_ERROR(ReadAll(reader.get(), r));
  Verdict(reader->stop_reason(), path, reader->stop_offset(), reader->stop_detail(), r);
  return Status::Ok();
}

Status CheckDir(io::Env* env, const std::string& dir, CheckReport* r) {
  r->format = PAGER_FORMAT_WALSEG_DIR;
  std::vector<uint64_t> firsts;
  PAGER_RETURN_IF_ERROR(ListSegments(env, dir, &firsts));
  r->segment_count = firsts.size();
  for (uint64_t first : firsts) {
    std::unique_ptr<io::File> f;
    PAGER_RETURN_IF_ERROR(env->Open(dir + "/" + SegmentName(first), io::OpenOptions{}, &f));
    uint64_t size = 0;
    PAGER_RETURN_IF_ERROR(f->Size(&size));
    r->file_bytes += size;
  }
  std::unique_ptr<LogReplay> replay;
  PAGER_RETURN_IF_ERROR(LogReplay::Open(env, dir, 0, CheckOptions(), &replay));
  PAGER_RETURN_IF_ERROR(ReadAll(replay.get(), r));
  Verdict(replay->stop_reason(), dir + "/" + SegmentName(replay->stop_segment_lsn()),
          replay->stop_offset(), replay->stop_detail(), r);
  return Status::Ok();
}

}  // namespace

Status CheckWalseg(io::Env* env, const std::string& path, bool is_dir, CheckReport* r) {
  r->format_version = kFormatVersion;
  return is_dir ? CheckDir(env, path, r) : CheckSegment(env, path, r);
}

}  // namespace walseg
}  // namespace pager
