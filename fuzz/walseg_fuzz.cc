// libFuzzer harness for the WAL segment reader and the writer's recovery, over arbitrary
// segment bytes in a MemEnv (no disk). Properties checked (a violation traps):
//   1. Reading never touches memory outside the file (ASan) and every view lies inside it.
//   2. Views come out with consecutive LSNs; the reader always ends with a stop reason or a
//      sticky kVersion / kTooLarge error, and a stopped reader stays stopped.
//   3. If a writer accepts the bytes as its last segment (recovery did not report
//      corruption), then after one more append the log replays to a clean end with exactly
//      the records the reader saw plus the new one.
//   4. Every view is a record that CheckRecordAt calls valid (W2) at its offset, with the
//      view's LSN, type and length: the reader's fast path (R6) accepts nothing the general
//      rules refuse.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/walseg/reader.h"
#include "impl/walseg/writer.h"

namespace {

using pager::Code;
using pager::Status;
namespace ws = pager::walseg;

const char* kDir = "/tmp/log";
const char* kPath = "/tmp/log/0000000000000001.wal";

void Require(bool ok) {
  if (!ok) __builtin_trap();
}

struct Scan {
  std::vector<uint64_t> lsns;
  ws::StopReason reason = ws::StopReason::kNone;
  Status error;
};

Scan ReadSegment(pager::io::Env* env, const ws::ReaderOptions& o, size_t size) {
  Scan out;
  std::unique_ptr<ws::SegmentReader> r;
  Status st = ws::SegmentReader::Open(env, kPath, o, &r);
  Require(st.ok());
  Require(r->len() == size);
  const uint8_t* lo = nullptr;
  volatile uint8_t sink = 0;
  for (;;) {
    ws::RecordView v;
    bool found = false;
    out.error = r->Next(&v, &found);
    if (!out.error.ok()) {
      Require(out.error.code() == Code::kVersion || out.error.code() == Code::kTooLarge);
      Require(!found);
      break;
    }
    if (!found) break;
    Require(v.offset + ws::kHeaderBytes + v.len <= size);
    if (lo == nullptr) lo = v.data - v.offset - ws::kHeaderBytes;  // the mapping's base
    Require(v.data == lo + v.offset + ws::kHeaderBytes);  // a view into the one mapping
    ws::RecordAt rec;
    Require(ws::CheckRecordAt(lo, size, v.offset, &rec, nullptr) == ws::Check::kValid);  // 4.
    Require(rec.header.lsn == v.lsn && rec.header.type == v.type &&
            rec.header.payload_len == v.len && rec.payload == v.data);
    for (uint64_t i = 0; i < v.len; i++) sink = static_cast<uint8_t>(sink + v.data[i]);
    if (!out.lsns.empty()) Require(v.lsn == out.lsns.back() + 1);
    out.lsns.push_back(v.lsn);
  }
  out.reason = r->stop_reason();
  if (out.error.ok()) {
    Require(out.reason != ws::StopReason::kNone);
    Require(r->stop_offset() <= size && r->stop_offset() % 8 == 0);
    ws::RecordView v;
    bool found = true;
    Require(r->Next(&v, &found).ok() && !found);  // stopped stays stopped
  }
  (void)sink;
  return out;
}

void CheckWriterRecovery(pager::io::MemEnv* env, const Scan& all) {
  ws::WriterOptions wo;
  wo.segment_bytes = 1 << 20;
  wo.prewrite_bytes = 4096;
  std::unique_ptr<ws::LogWriter> w;
  Status st = ws::LogWriter::Open(env, kDir, wo, &w);
  if (!st.ok()) {
    Require(st.code() == Code::kCorrupt);
    Require(all.reason == ws::StopReason::kCorrupt);
    return;
  }
  Require(all.reason != ws::StopReason::kCorrupt);
  uint64_t expect_next = all.lsns.empty() ? 1 : all.lsns.back() + 1;
  Require(w->next_lsn() == expect_next);
  uint64_t lsn = 0;
  Require(w->Append(1, "fuzz", 4, &lsn).ok() && lsn == expect_next);
  Require(w->Close().ok());
  std::unique_ptr<ws::LogReplay> rp;
  Require(ws::LogReplay::Open(env, kDir, 0, ws::ReaderOptions(), &rp).ok());
  uint64_t count = 0;
  for (;;) {
    ws::RecordView v;
    bool found = false;
    Require(rp->Next(&v, &found).ok());
    Require(rp->segments_held() <= 1);  // R2: one segment at a time
    if (!found) break;
    count++;
    Require(v.lsn == count);
  }
  Require(rp->stop_reason() == ws::StopReason::kCleanEnd);
  Require(count == expect_next);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pager::io::MemEnv env;
  Require(env.CreateDir(kDir, 0755).ok());
  {
    std::unique_ptr<pager::io::File> f;
    pager::io::OpenOptions o;
    o.write = o.create = true;
    Require(env.Open(kPath, o, &f).ok());
    if (size > 0) Require(f->WriteAt(0, data, size).ok());
  }
  ws::ReaderOptions all_known;
  Scan all = ReadSegment(&env, all_known, size);
  Require(all.error.ok());  // every type known, no limit below the format's: never an error
  ws::ReaderOptions picky;
  picky.all_types_known = false;
  picky.known_types = {1, 2};
  picky.max_payload_bytes = 256;
  ReadSegment(&env, picky, size);
  CheckWriterRecovery(&env, all);
  return 0;
}
