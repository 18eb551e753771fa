package dev.libpager;

/**
 * {@link ErrorCode#EXISTS}: the file or entry already exists.
 *
 * <p>Thread safety: immutable.
 */
public class AlreadyExistsException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public AlreadyExistsException(String detail) {
    super(ErrorCode.EXISTS, detail);
  }
}
