package dev.libpager;

/**
 * One record of a WAL segment log, as WalsegReader.next() / WalsegReplay.next() return it.
 * The payload is a copy (the C view into the reader's mapping never reaches Java).
 *
 * <p>Thread safety: immutable fields; the payload array belongs to the caller.
 */
public final class WalsegEntry {
  /** The record's LSN. */
  public final long lsn;
  /** The type as stored, including PagerConstants.WALSEG_TYPE_REQUIRED. */
  public final int type;
  /** Offset of the record's header in its segment. */
  public final long offset;
  /** The payload (a copy); null from next(ByteBuffer), which copied it into the buffer. */
  public final byte[] data;
  /** The payload's length in bytes (next(ByteBuffer) copied at most the buffer's remaining). */
  public final long length;

  WalsegEntry(long lsn, int type, long offset, byte[] data, long length) {
    this.lsn = lsn;
    this.type = type;
    this.offset = offset;
    this.data = data;
    this.length = length;
  }

  /** The entry of rec with its payload copied into dst (min(length, dst.remaining()) bytes). */
  static WalsegEntry into(WalsegRecord rec, java.nio.ByteBuffer dst) {
    rec.copyDataNio(dst);
    return new WalsegEntry(rec.getLsn(), rec.getRecordType(), rec.getOffset(), null, rec.getLen());
  }

  static WalsegEntry copyOf(WalsegRecord rec) {
    long len = rec.getLen();
    if (len > Integer.MAX_VALUE - 8) {
      throw new PagerException(PagerConstants.ERR_TOO_LARGE, "PAGER_ERR_TOO_LARGE",
          "record " + rec.getLsn() + " has " + len + " bytes, more than a Java array holds");
    }
    byte[] data = new byte[(int) len];
    rec.copyData(data);
    return new WalsegEntry(rec.getLsn(), rec.getRecordType(), rec.getOffset(), data, len);
  }

  /**
   * Reads a detail text through fill(buf, lenOut) (pager.h C7: copied truncated, lenOut[0] =
   * the full length), retrying once with a buffer of the full length if it was truncated.
   */
  static String detail(java.util.function.BiConsumer<byte[], long[]> fill) {
    byte[] buf = new byte[64]; // most details fit; a longer one costs a second call
    long[] len = new long[1];
    fill.accept(buf, len);
    if (len[0] >= buf.length) {
      if (len[0] > Integer.MAX_VALUE - 8) {
        throw new PagerException(PagerConstants.ERR_TOO_LARGE, "PAGER_ERR_TOO_LARGE",
            "a stop detail of " + len[0] + " bytes is more than a Java array holds");
      }
      buf = new byte[(int) len[0] + 1];
      fill.accept(buf, len);
    }
    int n = (int) Math.min(len[0], buf.length - 1);
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }
}
