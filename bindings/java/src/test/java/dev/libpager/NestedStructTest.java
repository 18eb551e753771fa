package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A struct embedded in another one (pager_cold_stats.swap/.file, pager_snapshot_info.meta) is
 * returned by its getter as an independent copy that owns its memory: it stays readable after
 * the parent is closed (its memory freed and reused), and the getter of a closed parent throws
 * IllegalStateException instead of touching native memory.
 */
class NestedStructTest {
  @TempDir Path dir;

  /** Parents closed at once (more than malloc keeps aside per size class), then as many
   * allocated and kept, so the freed blocks are reused and overwritten. */
  private static final int PARENTS = 256;

  @Test
  void nestedColdBackendStatsAfterParentCloseKeepsItsValuesInsteadOfReadingFreedMemory() {
    List<ColdBackendStats> files = new ArrayList<>();
    List<ColdBackendStats> swaps = new ArrayList<>();
    List<ColdStats> refill = new ArrayList<>();
    try (ColdPager cold = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, dir);
        ColdBackendStats junk = new ColdBackendStats()) {
      cold.pageout(PagerConstants.COLD_BACKEND_FILE, new byte[10], null).close();
      cold.pageout(PagerConstants.COLD_BACKEND_SWAP, new byte[10], null).close();
      cold.pageout(PagerConstants.COLD_BACKEND_SWAP, new byte[10], null).close();
      List<ColdStats> parents = new ArrayList<>();
      for (int i = 0; i < PARENTS; i++) {
        ColdStats s = cold.stats();
        files.add(s.getFile());
        swaps.add(s.getSwap());
        parents.add(s);
      }
      parents.forEach(ColdStats::close); // frees every pager_cold_stats the getters read
      junk.setPageoutCount(0xdead);
      junk.setLiveBytes(0xbeef);
      for (int i = 0; i < PARENTS; i++) {
        ColdStats other = new ColdStats(); // same size: the freed blocks come back
        other.setSwap(junk);
        other.setFile(junk);
        refill.add(other);
      }
      for (int i = 0; i < PARENTS; i++) {
        assertEquals(1, files.get(i).getPageoutCount(), "ColdStats.getFile() read freed memory");
        assertEquals(0, files.get(i).getLiveBytes(), "ColdStats.getFile() read freed memory");
        assertEquals(2, swaps.get(i).getPageoutCount(), "ColdStats.getSwap() read freed memory");
        assertEquals(0, swaps.get(i).getLiveBytes(), "ColdStats.getSwap() read freed memory");
      }
    } finally {
      refill.forEach(ColdStats::close);
      files.forEach(ColdBackendStats::close);
      swaps.forEach(ColdBackendStats::close);
    }
  }

  @Test
  void nestedCacheMetaAfterParentCloseKeepsItsValuesInsteadOfReadingFreedMemory() {
    List<CacheMeta> metas = new ArrayList<>();
    List<SnapshotInfo> refill = new ArrayList<>();
    try (CacheMeta m = new CacheMeta(); CacheMeta junk = new CacheMeta()) {
      m.setLayers(2);
      m.setKvHeads(4);
      List<SnapshotInfo> parents = new ArrayList<>();
      for (int i = 0; i < PARENTS; i++) {
        SnapshotInfo info = new SnapshotInfo();
        info.setMeta(m);
        metas.add(info.getMeta());
        parents.add(info);
      }
      parents.forEach(SnapshotInfo::close); // frees every pager_snapshot_info the getter read
      junk.setLayers(0xdead);
      junk.setKvHeads(0xbeef);
      for (int i = 0; i < PARENTS; i++) {
        SnapshotInfo other = new SnapshotInfo();
        other.setMeta(junk);
        refill.add(other);
      }
      for (int i = 0; i < PARENTS; i++) {
        assertEquals(2, metas.get(i).getLayers(), "SnapshotInfo.getMeta() read freed memory");
        assertEquals(4, metas.get(i).getKvHeads(), "SnapshotInfo.getMeta() read freed memory");
      }
    } finally {
      refill.forEach(SnapshotInfo::close);
      metas.forEach(CacheMeta::close);
    }
  }

  @Test
  void nestedGetterOfClosedParentThrowsInsteadOfTouchingFreedMemory() {
    ColdStats s = new ColdStats();
    s.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, s::getFile);
    assertEquals("ColdStats is closed", e.getMessage());
    e = assertThrows(IllegalStateException.class, s::getSwap);
    assertEquals("ColdStats is closed", e.getMessage());
    SnapshotInfo info = new SnapshotInfo();
    info.close();
    e = assertThrows(IllegalStateException.class, info::getMeta);
    assertEquals("SnapshotInfo is closed", e.getMessage());
  }

  /** Every field accessor of a closed struct proxy (its pointer is 0 after close()) throws
   * IllegalStateException from the native side instead of dereferencing address 0. */
  @Test
  void fieldAccessorsOfAClosedStructThrowInsteadOfDereferencingNull() {
    ColdStats s = new ColdStats();
    s.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, s::getStructSize);
    assertTrue(e.getMessage().endsWith("is closed"), e.getMessage());
    SnapshotInfo info = new SnapshotInfo();
    info.close();
    assertThrows(IllegalStateException.class, info::getStructSize);
    WalStats w = new WalStats();
    w.close();
    assertThrows(IllegalStateException.class, w::getFramesLeft);
    assertThrows(IllegalStateException.class, () -> w.setStructSize(1));
  }

  /** A null embedded struct given to a setter throws NullPointerException instead of being
   * copied from address 0. */
  @Test
  void nullEmbeddedStructInASetterThrowsInsteadOfCopyingFromNull() {
    try (ColdStats s = new ColdStats(); SnapshotInfo info = new SnapshotInfo()) {
      assertThrows(NullPointerException.class, () -> s.setFile(null));
      assertThrows(NullPointerException.class, () -> s.setSwap(null));
      assertThrows(NullPointerException.class, () -> info.setMeta(null));
    }
  }

  /** The classes of package dev.libpager (from the directory or jar holding them). */
  private static List<Class<?>> packageClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path where = Path.of(ColdStats.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    TreeSet<String> names = new TreeSet<>();
    if (Files.isDirectory(where)) {
      try (Stream<Path> files = Files.list(where.resolve("dev/libpager"))) {
        files.map(p -> p.getFileName().toString()).forEach(names::add);
      }
    } else {
      try (JarFile jar = new JarFile(where.toFile())) {
        jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("dev/libpager/") && n.indexOf('/', 13) < 0)
            .map(n -> n.substring(13)).forEach(names::add);
      }
    }
    List<Class<?>> out = new ArrayList<>();
    for (String n : names) {
      if (n.endsWith(".class") && !n.contains("$")) out.add(Class.forName("dev.libpager." + n.replace(".class", "")));
    }
    return out;
  }

  /** A SWIG proxy class: it has the (long cPtr, boolean cMemoryOwn) constructor. */
  private static boolean isProxy(Class<?> c) {
    try {
      c.getDeclaredConstructor(long.class, boolean.class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * Every getter of a struct class returning another struct (every embedded struct, present or
   * future) returns an owning copy, and throws IllegalStateException once its parent is closed.
   */
  @Test
  void everyNestedStructGetterReturnsAnOwningCopyInsteadOfAViewIntoItsParent() throws Exception {
    TreeSet<String> covered = new TreeSet<>();
    for (Class<?> parentClass : packageClasses()) {
      if (!Modifier.isPublic(parentClass.getModifiers()) || !isProxy(parentClass)
          || !AutoCloseable.class.isAssignableFrom(parentClass)) {
        continue;
      }
      Constructor<?> make;
      try {
        make = parentClass.getConstructor();
      } catch (NoSuchMethodException e) {
        continue; // a handle: made by the library, no struct members
      }
      for (Method get : parentClass.getMethods()) {
        if (Modifier.isStatic(get.getModifiers()) || get.getParameterCount() != 0
            || !get.getName().startsWith("get") || !isProxy(get.getReturnType())) {
          continue;
        }
        String what = parentClass.getSimpleName() + "." + get.getName() + "()";
        covered.add(what);
        AutoCloseable parent = (AutoCloseable) make.newInstance();
        AutoCloseable child = (AutoCloseable) get.invoke(parent);
        Field own = get.getReturnType().getDeclaredField("swigCMemOwn");
        own.setAccessible(true);
        assertTrue(own.getBoolean(child), what + " returns a view into its parent's memory");
        parent.close();
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> get.invoke(parent), what);
        assertInstanceOf(IllegalStateException.class, e.getCause(), what);
        assertEquals(parentClass.getSimpleName() + " is closed", e.getCause().getMessage(), what);
        for (Method read : get.getReturnType().getMethods()) { // the copy stays readable
          if (!Modifier.isStatic(read.getModifiers()) && read.getParameterCount() == 0
              && read.getName().startsWith("get") && read.getReturnType() == long.class) {
            read.invoke(child);
          }
        }
        child.close();
      }
    }
    assertTrue(covered.containsAll(List.of("ColdStats.getFile()", "ColdStats.getSwap()", "SnapshotInfo.getMeta()")),
        "nested getters found: " + covered);
  }
}
