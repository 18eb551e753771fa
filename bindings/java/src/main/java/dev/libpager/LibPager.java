package dev.libpager;

/**
 * Library-wide functions: the version of the loaded native library, code names, and where
 * the JNI library was loaded from. The handle types are {@link Wal}, {@link PageFile},
 * {@link WalsegWriter}, {@link WalsegReader}, {@link WalsegReplay}, {@link ColdPager},
 * {@link Refengine}; snapshot files are read by {@link Snapshots}.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class LibPager {
  private LibPager() {}

  /** The native library's version as MAJOR*10000 + MINOR*100 + PATCH (pager_version). */
  public static long version() {
    return Pager.version();
  }

  /** The native library's version as "MAJOR.MINOR.PATCH" (pager_version_string). */
  public static String versionString() {
    return Pager.versionString();
  }

  /** The version this binding was generated for (PAGER_VERSION_NUMBER of its pager.h). */
  public static long headerVersion() {
    return PagerConstants.VERSION_NUMBER;
  }

  /** The symbolic name of a C error code ("PAGER_ERR_IO"; "PAGER_ERR_UNKNOWN" if unknown). */
  public static String errstr(int code) {
    return Pager.errstr(code);
  }

  /**
   * Where the JNI library was loaded from: the value of {@code -Ddev.libpager.library.path},
   * {@code "jar:/dev/libpager/native/linux-x86_64/libpager_jni.so"} (extracted from the jar),
   * or {@code "java.library.path"} (System.loadLibrary).
   */
  public static String nativeLibrary() {
    Pager.version(); // loads it
    return NativeLibrary.loadedFrom();
  }
}
