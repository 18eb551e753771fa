package dev.libpager;

/**
 * A logical sequence of a {@link SnapshotEngine}: its id, page slots and last-page fill.
 *
 * <p>Thread safety: the fields are final, the arrays are not copied: do not change them while
 * an operation uses the sequence.
 */
public final class EngineSeq {
  /** The sequence id (1..65536 bytes). */
  public final byte[] id;
  /** The page slots, in order. */
  public final int[] pages;
  /** Tokens used in the last page. */
  public final int fillLastPage;

  /** A sequence of the given id, slots and last-page fill. */
  public EngineSeq(byte[] id, int[] pages, int fillLastPage) {
    this.id = id;
    this.pages = pages;
    this.fillLastPage = fillLastPage;
  }
}
