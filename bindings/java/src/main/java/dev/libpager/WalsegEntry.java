package dev.libpager;

/**
 * One record of a WAL segment log, as WalsegReader.next() / WalsegReplay.next() return it.
 * The payload is a copy (the C view into the reader's mapping never reaches Java).
 */
public final class WalsegEntry {
  /** The record's LSN. */
  public final long lsn;
  /** The type as stored, including PagerConstants.WALSEG_TYPE_REQUIRED. */
  public final int type;
  /** Offset of the record's header in its segment. */
  public final long offset;
  /** The payload (a copy). */
  public final byte[] data;

  WalsegEntry(long lsn, int type, long offset, byte[] data) {
    this.lsn = lsn;
    this.type = type;
    this.offset = offset;
    this.data = data;
  }

  static WalsegEntry copyOf(WalsegRecord rec) {
    long len = rec.getLen();
    if (len > Integer.MAX_VALUE - 8) {
      throw new PagerException(PagerConstants.ERR_TOO_LARGE, "PAGER_ERR_TOO_LARGE",
          "record " + rec.getLsn() + " has " + len + " bytes, more than a Java array holds");
    }
    byte[] data = new byte[(int) len];
    rec.copyData(data);
    return new WalsegEntry(rec.getLsn(), rec.getRecordType(), rec.getOffset(), data);
  }

  /** Reads a NUL-terminated detail text through fill (truncated at 4 KiB). */
  static String detail(java.util.function.Consumer<byte[]> fill) {
    byte[] buf = new byte[4096];
    fill.accept(buf);
    int n = 0;
    while (n < buf.length && buf[n] != 0) n++;
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }
}
