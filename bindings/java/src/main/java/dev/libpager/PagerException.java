package dev.libpager;

import java.nio.charset.StandardCharsets;

/**
 * A libpager call failed. {@link #code()} is the stable {@code PAGER_ERR_*} code (see
 * {@link PagerConstants}), {@link #name()} its symbolic name and {@link #detail()} the message
 * libpager reported for the failing call: it is read inside the same native call, so it
 * always belongs to this failure.
 *
 * <p>Unchecked: every wrapped status-returning function may throw it.
 */
public class PagerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String name;
  private final String detail;

  /** An exception for {@code code} with its symbolic {@code name} and {@code detail} text. */
  public PagerException(int code, String name, String detail) {
    super(detail == null || detail.isEmpty() ? name : name + ": " + detail);
    this.code = code;
    this.name = name;
    this.detail = detail == null ? "" : detail;
  }

  /**
   * Called by the JNI wrapper (signature {@code (I[B)V}): the detail message arrives as the
   * raw bytes of pager_last_error(), decoded as UTF-8 with replacement of invalid sequences.
   */
  PagerException(int code, byte[] detailUtf8) {
    this(code, Pager.errstr(code), new String(detailUtf8, StandardCharsets.UTF_8));
  }

  /** The {@code PAGER_ERR_*} code, e.g. {@link PagerConstants#ERR_NOT_FOUND}. */
  public int code() {
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
