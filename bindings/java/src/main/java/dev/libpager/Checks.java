package dev.libpager;

import java.nio.file.Path;

/**
 * Read-only checks of libpager files (what {@code pagerctl check} runs): the format of a
 * file, and a damage report per format. A damaged file is not an exception: the report's
 * {@code getDamageCode()} says what is wrong; exceptions are for files that cannot be read
 * at all or have another format.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class Checks {
  private Checks() {}

  /** PagerConstants.FORMAT_* of the file at path. */
  public static int detectFormat(String path) {
    long[] f = new long[1];
    Pager.formatDetect(path, f);
    return (int) f[0];
  }

  /** {@link #detectFormat(String)} with a {@link Path}. */
  public static int detectFormat(Path path) {
    return detectFormat(path.toString());
  }

  /** Checks a page file (a new CheckReport: close it). */
  public static CheckReport checkFile(String path) {
    return run(r -> Pager.fileCheck(path, r));
  }

  /** Checks a WAL database. */
  public static CheckReport checkWal(String path) {
    return run(r -> Pager.walCheck(path, r));
  }

  /** Checks a WAL segment file or directory. */
  public static CheckReport checkWalseg(String path) {
    return run(r -> Pager.walsegCheck(path, r));
  }

  /** Checks a snapshot file. */
  public static CheckReport checkSnapshot(String path) {
    return run(r -> Pager.snapshotCheck(path, r));
  }

  /** {@link #checkFile(String)} with a {@link Path}. */
  public static CheckReport checkFile(Path path) {
    return checkFile(path.toString());
  }

  /** {@link #checkWal(String)} with a {@link Path}. */
  public static CheckReport checkWal(Path path) {
    return checkWal(path.toString());
  }

  /** {@link #checkWalseg(String)} with a {@link Path}. */
  public static CheckReport checkWalseg(Path path) {
    return checkWalseg(path.toString());
  }

  /** {@link #checkSnapshot(String)} with a {@link Path}. */
  public static CheckReport checkSnapshot(Path path) {
    return checkSnapshot(path.toString());
  }

  private static CheckReport run(java.util.function.Consumer<CheckReport> check) {
    CheckReport r = new CheckReport();
    try {
      check.accept(r);
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }
}
