package dev.libpager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the JNI library once, at first use of any libpager class (the static initializer of
 * the SWIG JNI class calls {@link #load()}). In order:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY}: the path of a libpager_jni.so to load;
 *   <li>the library inside the jar, {@code /dev/libpager/native/<os>-<arch>/libpager_jni.so}:
 *       copied to a private temporary file (in {@value #TMPDIR_PROPERTY}, else
 *       {@code java.io.tmpdir}), loaded, and the file deleted at once (the mapping stays);
 *   <li>{@code System.loadLibrary("pager_jni")} (java.library.path, e.g. the libdir of
 *       {@code make install}).
 * </ol>
 * Invariants: 1. at most one library is loaded per class loader; 2. no temporary file
 * outlives the load; 3. a failure names every place that was tried.
 */
final class NativeLibrary {
  static final String PATH_PROPERTY = "dev.libpager.library.path";
  static final String TMPDIR_PROPERTY = "dev.libpager.tmpdir";
  static final String NAME = "libpager_jni.so";

  private static String loadedFrom;

  private NativeLibrary() {}

  /** The platform directory name of this JVM ({@code linux-x86_64}). */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) os = "linux";
    else if (os.startsWith("mac")) os = "macos";
    else if (os.startsWith("windows")) os = "windows";
    if (arch.equals("amd64") || arch.equals("x86_64")) arch = "x86_64";
    else if (arch.equals("arm64")) arch = "aarch64";
    return os + "-" + arch;
  }

  /** The resource path of the bundled library for this platform. */
  static String resource() {
    return "/dev/libpager/native/" + platform() + "/" + NAME;
  }

  /** Where the library was loaded from (a path, "jar:/..." or "java.library.path"). */
  static synchronized String loadedFrom() {
    return loadedFrom;
  }

  static synchronized void load() {
    if (loadedFrom != null) return;
    String override = System.getProperty(PATH_PROPERTY);
    if (override != null && !override.isEmpty()) {
      System.load(Path.of(override).toAbsolutePath().toString());
      loadedFrom = override;
      return;
    }
    StringBuilder tried = new StringBuilder();
    String res = resource();
    try (InputStream in = NativeLibrary.class.getResourceAsStream(res)) {
      if (in != null) {
        loadExtracted(in);
        loadedFrom = "jar:" + res;
        return;
      }
      tried.append("no ").append(res).append(" in the jar (platform ").append(platform()).append("); ");
    } catch (IOException | UnsatisfiedLinkError e) {
      tried.append(res).append(": ").append(e.getMessage()).append("; ");
    }
    try {
      System.loadLibrary("pager_jni");
      loadedFrom = "java.library.path";
    } catch (UnsatisfiedLinkError e) {
      UnsatisfiedLinkError all = new UnsatisfiedLinkError("libpager: cannot load the JNI library: "
          + tried + "System.loadLibrary(\"pager_jni\"): " + e.getMessage()
          + " (set -D" + PATH_PROPERTY + "=/path/to/" + NAME + ")");
      all.initCause(e);
      throw all;
    }
  }

  private static void loadExtracted(InputStream in) throws IOException {
    String dir = System.getProperty(TMPDIR_PROPERTY, System.getProperty("java.io.tmpdir"));
    Path tmp = Files.createTempFile(Path.of(dir), "libpager_jni-", ".so"); // mode 0600
    try {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      System.load(tmp.toAbsolutePath().toString());
    } finally {
      Files.deleteIfExists(tmp); // the loaded mapping stays valid
    }
  }
}
