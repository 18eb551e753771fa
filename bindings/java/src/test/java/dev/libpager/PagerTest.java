package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PagerTest {
  @Test
  void versionMatchesHeader() {
    long v = Pager.version();
    assertEquals(PagerConstants.VERSION_NUMBER, v, "library and header versions differ");
    assertEquals(v / 10000 + "." + (v / 100) % 100 + "." + v % 100, Pager.versionString());
    assertEquals(PagerConstants.VERSION_MAJOR, v / 10000);
  }

  /** Every error code of the header (the OK / ERR_* constants) is named by the library. */
  @Test
  void errstrNamesEveryCodeOfTheHeader() throws IllegalAccessException {
    Map<Integer, String> codes = new TreeMap<>();
    for (Field f : PagerConstants.class.getFields()) {
      String n = f.getName();
      if ((n.equals("OK") || n.startsWith("ERR_")) && !n.equals("ERR_COUNT")) {
        String previous = codes.put(f.getInt(null), n);
        assertEquals(null, previous, "two constants share code " + f.getInt(null));
      }
    }
    assertEquals(PagerConstants.ERR_COUNT, codes.size());
    for (Map.Entry<Integer, String> e : codes.entrySet()) {
      assertEquals("PAGER_" + e.getValue(), Pager.errstr(e.getKey()));
    }
    assertEquals(0, PagerConstants.OK);
    assertEquals(PagerConstants.ERR_COUNT - 1, (int) ((TreeMap<Integer, String>) codes).lastKey());
  }

  @Test
  void errstrOfUnknownCodes() {
    for (int code : new int[] {-1, PagerConstants.ERR_COUNT, 1000, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertEquals("PAGER_ERR_UNKNOWN", Pager.errstr(code), "code " + code);
    }
  }

  /** The JNI wrapper makes the exception through this exact method: fromNative (I[B). */
  @Test
  void nativeFactoryDecodesBytesAndPicksTheSubclass() throws ReflectiveOperationException {
    Method from = PagerException.class.getDeclaredMethod("fromNative", int.class, byte[].class);
    assertTrue(Modifier.isStatic(from.getModifiers()));
    assertEquals(PagerException.class, from.getReturnType());
    byte[] msg = "open /tmp/x: no such file".getBytes(StandardCharsets.UTF_8);
    PagerException e = (PagerException) from.invoke(null, PagerConstants.ERR_NOT_FOUND, msg);
    assertTrue(e instanceof NotFoundException);
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals(PagerConstants.ERR_NOT_FOUND, e.rawCode());
    assertEquals("PAGER_ERR_NOT_FOUND", e.name());
    assertEquals("open /tmp/x: no such file", e.detail());
    assertEquals("PAGER_ERR_NOT_FOUND: open /tmp/x: no such file", e.getMessage());

    PagerException bad = PagerException.fromNative(PagerConstants.ERR_IO, new byte[] {'p', (byte) 0xff, 'q'});
    assertEquals("p\uFFFDq", bad.detail(), "invalid UTF-8 is replaced, never rejected");
    assertEquals(PagerException.class, bad.getClass());
    PagerException empty = PagerException.fromNative(PagerConstants.ERR_BUSY, new byte[0]);
    assertTrue(empty instanceof BusyException);
    assertEquals("PAGER_ERR_BUSY", empty.getMessage());
    assertEquals("", empty.detail());
  }

  /** Every code of the header has its ErrorCode (same name and value), and the subclasses. */
  @Test
  void errorCodeEnumMatchesTheHeader() throws IllegalAccessException {
    int n = 0;
    for (Field f : PagerConstants.class.getFields()) {
      String name = f.getName();
      if (!name.startsWith("ERR_") || name.equals("ERR_COUNT")) continue;
      ErrorCode c = ErrorCode.valueOf(name.substring(4));
      assertEquals(f.getInt(null), c.value(), name);
      assertEquals(Pager.errstr(c.value()), c.cName());
      assertEquals(c, ErrorCode.of(c.value()));
      n++;
    }
    assertEquals(PagerConstants.ERR_COUNT - 1, n);
    assertEquals(ErrorCode.UNKNOWN, ErrorCode.of(PagerConstants.ERR_COUNT));
    assertEquals(ErrorCode.UNKNOWN, ErrorCode.of(-5));
    Object[][] sub = {
      {ErrorCode.BUSY, BusyException.class}, {ErrorCode.CORRUPT, CorruptException.class},
      {ErrorCode.NOT_FOUND, NotFoundException.class}, {ErrorCode.EXISTS, AlreadyExistsException.class},
      {ErrorCode.READONLY, ReadOnlyException.class}, {ErrorCode.POISONED, PoisonedException.class},
      {ErrorCode.NOSPC, NoSpaceException.class}, {ErrorCode.CANCELLED, CancelledException.class},
    };
    for (Object[] s : sub) {
      PagerException e = PagerException.of(((ErrorCode) s[0]).value(), "d");
      assertEquals(s[1], e.getClass());
      assertEquals(s[0], e.code());
    }
  }

  /** A missing file throws NotFoundException from the real native path (not only the factory). */
  @Test
  void missingFileThrowsNotFoundException(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    NotFoundException e = assertThrows(NotFoundException.class, () -> Wal.open(dir.resolve("absent"), null));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertFalse(e.detail().isEmpty());
  }

  /** The raw SWIG layer is not part of the public API. */
  @Test
  void rawLayerIsPackagePrivate() throws ClassNotFoundException {
    for (String n : new String[] {"dev.libpager.Pager", "dev.libpager.PagerJNI", "dev.libpager.NativeLibrary"}) {
      assertFalse(Modifier.isPublic(Class.forName(n).getModifiers()), n + " is public");
    }
    assertTrue(Modifier.isPublic(LibPager.class.getModifiers()));
    assertEquals(Pager.version(), LibPager.version());
    assertTrue(LibPager.nativeLibrary().startsWith("jar:/dev/libpager/native/linux-x86_64/"),
        LibPager.nativeLibrary());
  }

  /**
   * SWIG 4.1 proxies would free native memory from finalize(); pager.i suppresses it, so no
   * class of the package may declare one. Classes owning native memory are AutoCloseable.
   */
  @Test
  void noGeneratedClassDeclaresFinalize() throws Exception {
    File dir = new File(Pager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    File pkg = new File(dir, "dev/libpager");
    String[] names = pkg.list((d, n) -> n.endsWith(".class"));
    assertTrue(names != null && names.length >= 3, "no classes found in " + pkg);
    List<String> offenders = new ArrayList<>();
    for (String n : names) {
      Class<?> c = Class.forName("dev.libpager." + n.substring(0, n.length() - 6));
      try {
        c.getDeclaredMethod("finalize");
        offenders.add(c.getName());
      } catch (NoSuchMethodException expected) {
        // fine
      }
      if (hasNativeOwnership(c)) {
        assertTrue(AutoCloseable.class.isAssignableFrom(c), c + " owns native memory but is not AutoCloseable");
      }
    }
    assertEquals(List.of(), offenders);
  }

  private static boolean hasNativeOwnership(Class<?> c) {
    try {
      c.getDeclaredField("swigCMemOwn");
      return true;
    } catch (NoSuchFieldException e) {
      return false;
    }
  }

  @Test
  void concurrentCallsAgree() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      final int seed = t;
      results.add(pool.submit(() -> {
        int bad = 0;
        for (int i = 0; i < 5000; i++) {
          int code = (seed + i) % PagerConstants.ERR_COUNT;
          String n = Pager.errstr(code);
          if ((code == 0) != n.equals("PAGER_OK") || !n.startsWith("PAGER_")) bad++;
          if (Pager.version() != PagerConstants.VERSION_NUMBER) bad++;
        }
        return bad;
      }));
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    for (Future<Integer> f : results) assertEquals(0, f.get());
  }
}
