package dev.libpager;

/**
 * {@link ErrorCode#CORRUPT}: bytes read from disk fail a magic, checksum or bound check.
 *
 * <p>Thread safety: immutable.
 */
public class CorruptException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public CorruptException(String detail) {
    super(ErrorCode.CORRUPT, detail);
  }
}
