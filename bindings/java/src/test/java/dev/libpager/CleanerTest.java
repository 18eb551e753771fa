package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native objects of proxies forgotten without close() are freed by the Cleaner, once. */
class CleanerTest {
  @TempDir Path dir;

  /** Runs the GC until done() or 20 s pass; returns done(). */
  static boolean gcUntil(BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + 20_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      System.gc();
      Thread.sleep(20);
    }
    return done.getAsBoolean();
  }

  private static void openAndForget(Path db) {
    Wal w = Wal.create(db, null); // never closed: only the Cleaner can release its lock
    w.stagePage(1, new byte[w.pageSize()]);
    w.commit();
  }

  @Test
  void forgottenWalReleasesItsFileLockAfterGc() throws Exception {
    Path db = dir.resolve("db");
    long before = NativeCleaner.FREED_BY_GC.get();
    openAndForget(db);
    assertTrue(gcUntil(() -> NativeCleaner.FREED_BY_GC.get() > before), "the forgotten Wal was never freed");
    // The lock is gone: a new read-write open succeeds instead of BusyException.
    assertTrue(gcUntil(() -> {
      try (Wal again = Wal.open(db, null)) {
        return again.pageCount() == 2;
      } catch (BusyException e) {
        return false;
      }
    }));
  }

  @Test
  void closedObjectIsNeverFreedAgainByTheCleaner() throws Exception {
    AtomicInteger frees = new AtomicInteger();
    Object owner = new Object();
    NativeCleaner.Ref r = NativeCleaner.register(owner, 42, p -> frees.incrementAndGet());
    r.free();
    r.free();
    assertEquals(1, frees.get());
    owner = null;
    Object forgotten = new Object();
    NativeCleaner.Ref consumed = NativeCleaner.register(forgotten, 43, p -> frees.addAndGet(100));
    consumed.forget(); // the library took it: never freed by us
    forgotten = null;
    Object dropped = new Object();
    NativeCleaner.register(dropped, 44, p -> frees.addAndGet(10));
    dropped = null;
    assertTrue(gcUntil(() -> frees.get() >= 11));
    Thread.sleep(100);
    assertEquals(11, frees.get(), "free once by close, once by the GC, never the consumed one");
  }

  /** An embedded struct is copied out of its parent (it owns its memory): it outlives the
   * parent, dropped and freed by the GC. */
  @Test
  void embeddedStructCopyOutlivesItsDroppedParent() throws Exception {
    ColdBackendStats file;
    try (ColdPager cold = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, dir)) {
      cold.pageout(0, new byte[10], null).close();
      file = cold.stats().getFile(); // the ColdStats itself is dropped at once
    }
    long before = NativeCleaner.FREED_BY_GC.get();
    for (int i = 0; i < 20; i++) {
      System.gc();
      Thread.sleep(5);
    }
    assertEquals(1, file.getPageoutCount());
    assertTrue(NativeCleaner.FREED_BY_GC.get() >= before);
  }
}
