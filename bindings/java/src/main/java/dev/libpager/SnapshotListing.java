package dev.libpager;

import java.util.List;

/**
 * The page table and the sequence table of a snapshot ({@link Snapshots#list(String)},
 * pager_snapshot_list).
 *
 * <p>Thread safety: immutable lists of values.
 *
 * @param pages every page-table entry, in order
 * @param seqs every sequence, in order
 */
public record SnapshotListing(List<SnapshotPage> pages, List<SnapshotSeq> seqs) {
  /** Copies both lists into unmodifiable ones. */
  public SnapshotListing {
    pages = List.copyOf(pages);
    seqs = List.copyOf(seqs);
  }
}
