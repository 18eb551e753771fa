package dev.libpager;

/**
 * {@link ErrorCode#BUSY}: a lock is held by another opener (retry later, or open read-only).
 *
 * <p>Thread safety: immutable.
 */
public class BusyException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public BusyException(String detail) {
    super(ErrorCode.BUSY, detail);
  }
}
