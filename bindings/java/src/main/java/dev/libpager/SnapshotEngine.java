package dev.libpager;

import java.nio.ByteBuffer;

/**
 * A KV-cache engine written in Java, snapshotted by {@link #capture} / {@link #restore} (the
 * Java form of pager_cache_ops). Callbacks run on the calling thread, one at a time. The
 * ByteBuffers passed to readPage / writePage are direct buffers over library memory, valid
 * only during the callback (writePage's is read-only). To fail a callback with an adapter
 * code, throw {@link Failure}: the operation then throws PagerException(ERR_CALLBACK). Any
 * other exception also fails the operation and is rethrown once it has returned.
 *
 * <p>Thread safety: the library calls an engine's methods on the thread running capture or
 * restore, one at a time; the engine must not change while it is paused.
 */
public interface SnapshotEngine {
  /** The geometry. It is only read during the call; the engine keeps ownership (close it). */
  CacheMeta meta();

  default void pause() {}

  default void resume() {}

  /** Every occupied page slot. */
  int[] occupiedPages();

  /** Every live sequence. */
  EngineSeq[] logicalSeqs();

  /** Copies page `page` into k and v (exactly their remaining bytes). */
  void readPage(int page, ByteBuffer k, ByteBuffer v);

  /** Allocates slots.length free slots and writes their indices into slots. */
  void allocatePages(int[] slots);

  /** Stores a page into a slot allocatePages returned. */
  void writePage(int page, ByteBuffer k, ByteBuffer v);

  /** Installs the sequences (their pages already name the new slots). */
  void installLogicalSeqs(EngineSeq[] seqs);

  /**
   * Frees slots that allocatePages returned (pager_cache_ops.release_pages): called once, with
   * every slot of the allocation, when a restore fails after allocatePages. Optional: an
   * engine that does not override it keeps those slots allocated (the library is told there
   * is no release_pages).
   */
  default void releasePages(int[] slots) {
    throw new UnsupportedOperationException("releasePages");
  }

  /** Makes a callback fail with the adapter code {@code code} (non-zero). */
  final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public Failure(int code) {
      super("engine adapter code " + code);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** Writes a snapshot of engine to path (opts may be null; its progress listener is called). */
  static void capture(SnapshotEngine engine, String path, SnapshotOptions opts) {
    Pager.pagerswigJavaSnapshotEngine(engine, 0, releasesPages(engine), path, -1, opts,
        SnapshotOptions.progressOf(opts));
  }

  /** {@link #capture(SnapshotEngine, String, SnapshotOptions)} with a {@link java.nio.file.Path}. */
  static void capture(SnapshotEngine engine, java.nio.file.Path path, SnapshotOptions opts) {
    capture(engine, path.toString(), opts);
  }

  /** Writes a snapshot of engine sequentially to an open descriptor (pager_snapshot_capture_fd). */
  static void capture(SnapshotEngine engine, java.io.FileDescriptor fd, SnapshotOptions opts) {
    Pager.pagerswigJavaSnapshotEngine(engine, 2, releasesPages(engine), null, Snapshots.fdOf(fd),
        opts, SnapshotOptions.progressOf(opts));
  }

  /** Verifies the snapshot at path and restores it into engine (opts may be null). */
  static void restore(SnapshotEngine engine, String path, SnapshotOptions opts) {
    Pager.pagerswigJavaSnapshotEngine(engine, 1, releasesPages(engine), path, -1, opts,
        SnapshotOptions.progressOf(opts));
  }

  /** {@link #restore(SnapshotEngine, String, SnapshotOptions)} with a {@link java.nio.file.Path}. */
  static void restore(SnapshotEngine engine, java.nio.file.Path path, SnapshotOptions opts) {
    restore(engine, path.toString(), opts);
  }

  /** 1 if engine overrides releasePages, else 0. */
  private static int releasesPages(SnapshotEngine engine) {
    if (engine == null) return 0;
    try {
      Class<?> owner = engine.getClass().getMethod("releasePages", int[].class).getDeclaringClass();
      return owner == SnapshotEngine.class ? 0 : 1;
    } catch (NoSuchMethodException e) {
      return 0;
    }
  }
}
