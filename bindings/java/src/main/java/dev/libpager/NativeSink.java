package dev.libpager;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what pager_cold_reap and pager_snapshot_list hand their C callbacks: the JNI
 * helpers (pagerswig_java_cold_reap / _snapshot_list in bindings/swig/java.i) call these
 * methods on the calling thread, inside the native call, with copies of each entry.
 * Not thread-safe (one per call).
 */
final class NativeSink {
  final List<ColdScratch> scratch = new ArrayList<>();
  final List<SnapshotPage> pages = new ArrayList<>();
  final List<SnapshotSeq> seqs = new ArrayList<>();

  /** One scratch directory of pager_cold_reap (its PAGER_COLD_SCRATCH_* state). */
  void scratch(String lockPath, int state) {
    scratch.add(new ColdScratch(lockPath, ColdScratch.State.of(state)));
  }

  /** One page-table entry of pager_snapshot_list (flags: PAGER_SNAPSHOT_PAGE_*). */
  void page(long index, int enginePage, int flags, long offsetBytes, long storedBytes,
            long storedChecksum, long contentHashLo, long contentHashHi) {
    pages.add(new SnapshotPage(index, enginePage,
        (flags & PagerConstants.SNAPSHOT_PAGE_COMPRESSED) != 0,
        (flags & PagerConstants.SNAPSHOT_PAGE_IN_PARENT) != 0,
        offsetBytes, storedBytes, storedChecksum, contentHashLo, contentHashHi));
  }

  /** One sequence of pager_snapshot_list (the arrays are fresh copies). */
  void seq(byte[] id, int[] pages, int fillLastPage) {
    seqs.add(new SnapshotSeq(id, pages, fillLastPage));
  }
}
