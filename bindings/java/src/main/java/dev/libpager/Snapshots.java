package dev.libpager;

import java.io.FileDescriptor;
import java.nio.file.Path;

/**
 * Snapshot files: verify, inspect and list them without an engine. Capture and restore are methods
 * of the engines ({@link Refengine#capture}, {@link SnapshotEngine#capture}).
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class Snapshots {
  private Snapshots() {}

  /** Checks the whole file (and its parent chain); throws CorruptException etc. opts may be
   * null; its progress listener is called. */
  public static void verify(String path, SnapshotOptions opts) {
    Pager.pagerswigJavaSnapshotVerify(path, opts, SnapshotOptions.progressOf(opts));
  }

  /** {@link #verify(String, SnapshotOptions)} with a {@link Path}. */
  public static void verify(Path path, SnapshotOptions opts) {
    verify(path.toString(), opts);
  }

  /** The header of the snapshot at path (a new SnapshotInfo: close it). */
  public static SnapshotInfo inspect(String path) {
    SnapshotInfo info = new SnapshotInfo();
    try {
      Pager.snapshotInspect(path, info);
    } catch (RuntimeException e) {
      info.close();
      throw e;
    }
    return info;
  }

  /** {@link #inspect(String)} with a {@link Path}. */
  public static SnapshotInfo inspect(Path path) {
    return inspect(path.toString());
  }

  /**
   * The page table and the sequence table of the snapshot at path (pager_snapshot_list),
   * after the checks {@link #inspect(String)} makes (not the page bytes). Read-only; the
   * parent chain is not opened (an entry stored in a parent has
   * {@link SnapshotPage#inParent()}). A missing file throws {@link NotFoundException}, a
   * damaged one {@link CorruptException}.
   */
  public static SnapshotListing list(String path) {
    NativeSink sink = new NativeSink();
    Pager.pagerswigJavaSnapshotList(path, sink);
    return new SnapshotListing(sink.pages, sink.seqs);
  }

  /** {@link #list(String)} with a {@link Path}. */
  public static SnapshotListing list(Path path) {
    return list(path.toString());
  }

  /** The int descriptor of fd (INVALID for a closed one). */
  static int fdOf(FileDescriptor fd) {
    if (fd == null || !fd.valid()) {
      throw new PagerException(ErrorCode.INVALID, "the file descriptor is " + (fd == null ? "null" : "closed"));
    }
    long[] v = new long[1];
    Pager.pagerswigJavaFdOf(fd, v);
    return (int) v[0];
  }
}
