package dev.libpager;

/**
 * {@link ErrorCode#NOT_FOUND}: no such file, page or entry.
 *
 * <p>Thread safety: immutable.
 */
public class NotFoundException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public NotFoundException(String detail) {
    super(ErrorCode.NOT_FOUND, detail);
  }
}
