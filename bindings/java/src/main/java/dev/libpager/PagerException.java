package dev.libpager;

import java.nio.charset.StandardCharsets;

/**
 * A libpager call failed. {@link #code()} is the stable error code, {@link #name()} its
 * symbolic C name and {@link #detail()} the message libpager reported for the failing call:
 * it is read inside the same native call, so it always belongs to this failure.
 *
 * <p>Unchecked: every wrapped status-returning function may throw it. The codes callers
 * usually handle have their own subclasses ({@link BusyException}, {@link CorruptException},
 * {@link NotFoundException}, {@link AlreadyExistsException}, {@link ReadOnlyException},
 * {@link PoisonedException}, {@link NoSpaceException}, {@link CancelledException}); the
 * library always throws the subclass of a code that has one.
 *
 * <p>Thread safety: immutable.
 */
public class PagerException extends RuntimeException {
  private static final long serialVersionUID = 2L;

  private final int code;
  private final String name;
  private final String detail;

  /** An exception for {@code code} with its {@code detail} text. */
  public PagerException(ErrorCode code, String detail) {
    this(code.value(), code.cName(), detail);
  }

  /** An exception for the C code {@code code} with its symbolic {@code name} and {@code detail}. */
  public PagerException(int code, String name, String detail) {
    super(detail == null || detail.isEmpty() ? name : name + ": " + detail);
    this.code = code;
    this.name = name;
    this.detail = detail == null ? "" : detail;
  }

  /**
   * The exception of the C code {@code code}: an instance of the code's subclass if it has
   * one. {@code detail} may be null.
   */
  public static PagerException of(int code, String detail) {
    String name = Pager.errstr(code);
    switch (ErrorCode.of(code)) {
      case BUSY: return new BusyException(detail);
      case CORRUPT: return new CorruptException(detail);
      case NOT_FOUND: return new NotFoundException(detail);
      case EXISTS: return new AlreadyExistsException(detail);
      case READONLY: return new ReadOnlyException(detail);
      case POISONED: return new PoisonedException(detail);
      case NOSPC: return new NoSpaceException(detail);
      case CANCELLED: return new CancelledException(detail);
      default: return new PagerException(code, name, detail);
    }
  }

  /**
   * Called by the JNI wrapper (signature {@code (I[B)Ldev/libpager/PagerException;}): the
   * detail message arrives as the raw bytes of pager_last_error(), decoded as UTF-8 with
   * replacement of invalid sequences.
   */
  static PagerException fromNative(int code, byte[] detailUtf8) {
    return of(code, new String(detailUtf8, StandardCharsets.UTF_8));
  }

  /** The error code, e.g. {@link ErrorCode#NOT_FOUND} ({@link ErrorCode#UNKNOWN} if newer). */
  public ErrorCode code() {
    return ErrorCode.of(code);
  }

  /** The C value of the code, e.g. {@link PagerConstants#ERR_NOT_FOUND}. */
  public int rawCode() {
    return code;
  }

  /** The symbolic name of the code, e.g. {@code "PAGER_ERR_NOT_FOUND"}. */
  public String name() {
    return name;
  }

  /** What exactly failed (path, page, offset, expected and found values); may be empty. */
  public String detail() {
    return detail;
  }
}
