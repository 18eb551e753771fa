package dev.libpager;

/**
 * {@link ErrorCode#POISONED}: an earlier durability failure poisoned this handle (close and reopen it).
 *
 * <p>Thread safety: immutable.
 */
public class PoisonedException extends PagerException {
  private static final long serialVersionUID = 1L;

  /** The exception with libpager's detail message (may be null). */
  public PoisonedException(String detail) {
    super(ErrorCode.POISONED, detail);
  }
}
