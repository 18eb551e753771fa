package dev.libpager;

/** A logical sequence of a {@link SnapshotEngine}: its id, page slots and last-page fill. */
public final class EngineSeq {
  public final byte[] id;
  public final int[] pages;
  public final int fillLastPage;

  public EngineSeq(byte[] id, int[] pages, int fillLastPage) {
    this.id = id;
    this.pages = pages;
    this.fillLastPage = fillLastPage;
  }
}
