package dev.libpager;

/**
 * The stable error codes of libpager ({@code PAGER_ERR_*} in pager.h), as a Java enum.
 * {@link PagerException#code()} returns one; {@link #value()} is the C value.
 *
 * <p>Thread safety: an immutable enum, usable from any thread.
 */
public enum ErrorCode {
  /** {@code PAGER_OK}: success (never the code of an exception). */
  OK(0),
  /** A bad argument: NULL pointer, bad size, bad option value. */
  INVALID(1),
  /** The operating system reported an I/O error. */
  IO(2),
  /** Memory or address space could not be allocated. */
  NOMEM(3),
  /** The disk (or a quota) is full. */
  NOSPC(4),
  /** Bytes read from disk fail a magic, checksum or bound check. */
  CORRUPT(5),
  /** A format version or required feature this build lacks, or a format version other than the one the caller expects. */
  VERSION(6),
  /** The file's page size is not the one the caller expects. */
  PAGE_SIZE(7),
  /** A lock is held by another opener. */
  BUSY(8),
  /** A mutation on a read-only handle. */
  READONLY(9),
  /** An id, offset or range out of bounds. */
  RANGE(10),
  /** Two ranges share a byte. */
  OVERLAP(11),
  /** Freeing something that is not allocated. */
  DOUBLE_FREE(12),
  /** A reserved page or id. */
  RESERVED(13),
  /** A fixed capacity is exhausted. */
  FULL(14),
  /** An earlier durability failure poisoned this handle. */
  POISONED(15),
  /** Snapshot geometry differs from the engine's. */
  MISMATCH(16),
  /** No such file, page or entry. */
  NOT_FOUND(17),
  /** The file or entry already exists. */
  EXISTS(18),
  /** A progress callback asked to stop. */
  CANCELLED(19),
  /** An adapter callback failed (its code is in the message). */
  CALLBACK(20),
  /** A bug in libpager: please report the message. */
  INTERNAL(21),
  /** The same id appears twice in one list. */
  DUPLICATE(22),
  /** A length above a configured limit. */
  TOO_LARGE(23),
  /** A code this binding does not know (a newer library); see {@link PagerException#rawCode()}. */
  UNKNOWN(-1);

  private static final ErrorCode[] BY_VALUE = new ErrorCode[TOO_LARGE.value + 1];

  static {
    for (ErrorCode c : values()) {
      if (c.value >= 0) BY_VALUE[c.value] = c;
    }
  }

  private final int value;

  ErrorCode(int value) {
    this.value = value;
  }

  /** The C value ({@code PAGER_ERR_BUSY} is 8); -1 for {@link #UNKNOWN}. */
  public int value() {
    return value;
  }

  /** The symbolic C name, e.g. {@code "PAGER_ERR_BUSY"} (pager_errstr). */
  public String cName() {
    return this == UNKNOWN ? "PAGER_ERR_UNKNOWN" : this == OK ? "PAGER_OK" : "PAGER_ERR_" + name();
  }

  /** The constant for a C code; {@link #UNKNOWN} for a code this binding does not know. */
  public static ErrorCode of(int value) {
    return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
  }
}
