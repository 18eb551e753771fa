// CheckSnapshot: the read-only check of a KV-cache snapshot (pager_snapshot_check): Inspect
// (header, parent path, trailer, page and sequence tables: K3) for the report's counts, then
// Verify (every blob's checksum through the parent chain: K5), exactly as restore verifies.
// Both only read (K1).
#include "impl/check/checks.h"
#include "impl/snapshot/reader.h"
#include "impl/snapshot/snapshot.h"
#include "pager.h"

namespace pager {
namespace snapshot {

Status CheckSnapshot(io::Env* env, const std::string& path, CheckReport* r) {
  r->format = PAGER_FORMAT_SNAPSHOT;
  pager_snapshot_info info;
  Status st = Inspect(env, path, &info);
  if (st.code() == Code::kCorrupt) {
    r->Damage(path, kUnknownOffset, "structure", st.message());
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(st);
  r->format_version = info.format_version;
  r->file_bytes = info.file_bytes;
  r->generation = info.snapshot_id;
  r->page_count = info.page_count;
  r->record_count = info.seq_count;
  // Verify's steps (restore.cc), keeping where the first bad blob is: its stored bytes'
  // offset in the file of the chain that holds it.
  std::unique_ptr<Chain> chain;
  st = Chain::Load(env, path, &chain);
  BlobDamage where;
  if (st.ok()) {
    Options options;
    Progress progress(options, chain->VerifyBytes());
    st = chain->VerifyAll(options.WorkerCount(), &progress, &where);
  }
  if (st.code() == Code::kCorrupt) {
    // A bad blob is located (VerifyBlobs notes it); a chain that does not load -- a parent
    // damaged, of another id, or lacking content the child refers to -- is structure.
    bool located = where.offset != UINT64_MAX;
    if (!located) {
      r->Damage(path, kUnknownOffset, "structure", st.message());
      return Status::Ok();
    }
    r->Damage(where.file, where.offset, "blob", st.message());
    return Status::Ok();
  }
  return st;
}

}  // namespace snapshot
}  // namespace pager
