package dev.libpager;

/**
 * {@link ErrorCode#NOSPC}: the disk (or a quota) is full.
 *
 * <p>Thread safety: immutable.
 */
public class NoSpaceException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public NoSpaceException(String detail) {
    super(ErrorCode.NOSPC, detail);
  }
}
