package dev.libpager;

/**
 * {@link ErrorCode#READONLY}: a mutation on a read-only handle.
 *
 * <p>Thread safety: immutable.
 */
public class ReadOnlyException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public ReadOnlyException(String detail) {
    super(ErrorCode.READONLY, detail);
  }
}
