package dev.libpager;

/**
 * {@link ErrorCode#CANCELLED}: a progress callback asked to stop.
 *
 * <p>Thread safety: immutable.
 */
public class CancelledException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public CancelledException(String detail) {
    super(ErrorCode.CANCELLED, detail);
  }
}
