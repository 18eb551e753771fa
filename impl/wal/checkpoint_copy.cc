// The checkpoint's copy into the main file (W13 in wal_pager.h): the latest committed frame of
// each page, in ascending page order, one write per span of nearby pages, through a buffer.
//
// Measured and not kept (doc/performance.md, "The checkpoint's half of the gap"): writing the
// frames straight from a mapping of the WAL instead of reading them into the buffer. With the
// handle's lasting read mapping every later sync of the WAL got slower (the kernel
// write-protects each mapped dirty folio, folio_mkclean): 1.18-1.31 ms per 256-page commit
// against 1.12-1.15 ms; with a mapping made for each copy and unmapped after it, 1.15 ms
// against 0.92-0.94 ms.
#include <algorithm>
#include <cstring>

#include "impl/wal/wal_pager.h"

namespace pager {
namespace wal {

Status WalPager::CopyPairsToMain(const std::vector<std::pair<uint32_t, uint64_t>>& latest) {
  CopyCounts c;
  Status st = CopyPairsUnlocked(latest, &copy_scratch_, &c);
  main_unsynced_bytes_ += c.bytes;
  NoteCopyCounts(c);
  if (!st.ok()) main_resized_ = true;  // a failed write may have changed bytes it did not count
  return st;
}

void WalPager::NoteCopyCounts(const CopyCounts& c) {
  stats_.checkpoint_writes += c.writes;
  stats_.checkpoint_reads += c.reads;
  stats_.checkpoint_writebacks += c.writebacks;
}

// Touches no member but the files and *kept (W26: the background checkpointer runs it
// without mu_, passing copy_scratch_, which no other copy uses meanwhile; the frames are
// committed frames of the generation, which no reset can end meanwhile).
Status WalPager::CopyPairsUnlocked(const std::vector<std::pair<uint32_t, uint64_t>>& latest,
                                   CopyScratch* kept, CopyCounts* counts) const {
  CopyScratch& scratch = *kept;  // its buffers are reused; the hint count starts afresh
  scratch.unhinted_from = 0;
  scratch.unhinted_bytes = 0;
  for (size_t first = 0; first < latest.size();) {
    const size_t end = SpanEnd(latest, first);
    const size_t pages = latest[end - 1].first - latest[first].first + size_t{1};
    PAGER_RETURN_IF_ERROR(scratch.span.Reserve(pages * page_size_));  // kept (CopyScratch)
    PAGER_RETURN_IF_ERROR(CopySpanToMain(&latest[first], end - first, &scratch, counts));
    first = end;
  }
  return Status::Ok();
}

// W13: the pairs [first, end) form one span: each page at most kCheckpointBridgeBytes of
// pages past the previous one, the whole no longer than kCheckpointBatchBytes.
size_t WalPager::SpanEnd(const std::vector<std::pair<uint32_t, uint64_t>>& latest,
                         size_t first) const {
  const uint64_t batch_pages = std::max<uint64_t>(1, kCheckpointBatchBytes / page_size_);
  const uint64_t bridge_pages = kCheckpointBridgeBytes / page_size_;
  size_t end = first + 1;
  while (end < latest.size() && latest[end].first - latest[end - 1].first - 1 <= bridge_pages &&
         latest[end].first - latest[first].first < batch_pages) {
    end++;
  }
  return end;
}

// Copies one span of n (page, frame) pairs, sorted by page, through scratch->span (one slot
// per page from the first pair's page to the last's) with one write (W13): each pair's frame
// body, and between two pairs the main file's own bytes of the pages there, unchanged.
Status WalPager::CopySpanToMain(const std::pair<uint32_t, uint64_t>* latest, size_t n,
                                CopyScratch* scratch, CopyCounts* counts) const {
  const uint32_t base = latest[0].first;
  uint8_t* span = scratch->span.data();
  PAGER_RETURN_IF_ERROR(ReadSpanFrames(latest, n, scratch, counts));
  for (size_t i = 1; i < n; i++) {  // the pages between two pairs
    const uint32_t gap_first = latest[i - 1].first + 1;
    if (gap_first == latest[i].first) continue;
    PAGER_RETURN_IF_ERROR(ReadMainPages(gap_first, latest[i].first - gap_first,
                                        span + size_t{gap_first - base} * page_size_));
  }
  const uint64_t bytes = (uint64_t{latest[n - 1].first} - base + 1) * page_size_;
  return WriteSpan(uint64_t{base} * page_size_, span, bytes, scratch, counts);
}

// The span's bytes into the main file in pieces of at most kCheckpointWritebackBytes; each
// time the bytes written since the last hint reach that many, the kernel is asked to start
// writing them back (E7, W13), so the device works while the copy goes on and the main
// file's sync waits only for the rest. Spans come in ascending order, so the bytes not yet
// hinted lie in one range from the first of them to the last written; the gaps between spans
// hold nothing this checkpoint dirtied (only it writes the main file), and the kernel skips
// clean pages.
Status WalPager::WriteSpan(uint64_t offset, const uint8_t* span, uint64_t bytes,
                           CopyScratch* scratch, CopyCounts* counts) const {
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t piece = std::min<uint64_t>(bytes - done, kCheckpointWritebackBytes);
    PAGER_RETURN_IF_ERROR(main_->WriteAt(offset + done, span + done, static_cast<size_t>(piece)));
    counts->bytes += piece;
    counts->writes++;
    if (scratch->unhinted_bytes == 0) scratch->unhinted_from = offset + done;
    done += piece;
    scratch->unhinted_bytes += piece;
    if (scratch->unhinted_bytes >= kCheckpointWritebackBytes) {
      PAGER_RETURN_IF_ERROR(
          main_->StartWriteback(scratch->unhinted_from, offset + done - scratch->unhinted_from));
      counts->writebacks++;
      scratch->unhinted_bytes = 0;
    }
  }
  return Status::Ok();
}

// The span's frames into their page slots, one scatter read per run of WAL frames at most
// kCheckpointSkippedFrames apart (the frames between, which later commits superseded, are
// read into a discarded slot; W13). A commit writes its frames in page order, so the pages of
// one span that a commit wrote last are one run whatever their gaps.
Status WalPager::ReadSpanFrames(const std::pair<uint32_t, uint64_t>* latest, size_t n,
                                CopyScratch* scratch, CopyCounts* counts) const {
  std::vector<size_t>& order = scratch->order;
  order.resize(n);
  for (size_t i = 0; i < n; i++) order[i] = i;
  std::sort(order.begin(), order.end(),
            [latest](size_t a, size_t b) { return latest[a].second < latest[b].second; });
  const uint32_t base = latest[0].first;
  scratch->skipped.resize(page_size_);
  for (size_t k = 0; k < n;) {
    const uint64_t first_frame = latest[order[k]].second;
    scratch->dsts.clear();
    size_t j = k;
    for (; j < n; j++) {
      const uint64_t frame = latest[order[j]].second;
      const uint64_t next = first_frame + scratch->dsts.size();
      if (frame > next + kCheckpointSkippedFrames) break;
      while (scratch->dsts.size() < frame - first_frame) {  // a later commit rewrote it
        scratch->dsts.push_back(scratch->skipped.data());
      }
      scratch->dsts.push_back(scratch->span.data() +
                              size_t{latest[order[j]].first - base} * page_size_);
    }
    PAGER_RETURN_IF_ERROR(wal_->ReadCommittedBodies(first_frame, scratch->dsts.size(),
                                                    scratch->dsts.data(), &scratch->headers));
    counts->reads++;
    k = j;
  }
  return Status::Ok();
}

// The main file's current bytes of pages [first, first + count); zeros past its end.
Status WalPager::ReadMainPages(uint32_t first, uint32_t count, uint8_t* dst) const {
  const size_t len = size_t{count} * page_size_;
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(main_->ReadAt(uint64_t{first} * page_size_, dst, len, &got));
  std::memset(dst + got, 0, len - got);
  return Status::Ok();
}

}  // namespace wal
}  // namespace pager
