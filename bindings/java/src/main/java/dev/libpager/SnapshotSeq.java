package dev.libpager;

/**
 * One sequence of a snapshot, as {@link Snapshots#list(String)} returns it
 * (pager_snapshot_seq). The arrays are the record's own copies; as for any record holding
 * arrays, equals compares them by identity (use {@link java.util.Arrays#equals}).
 *
 * <p>Thread safety: a value; do not modify the arrays while other threads read them.
 *
 * @param id the sequence id's bytes
 * @param pages page-table positions of its pages, in order ({@link SnapshotPage#index()})
 * @param fillLastPage tokens in its last page
 */
public record SnapshotSeq(byte[] id, int[] pages, int fillLastPage) {}
