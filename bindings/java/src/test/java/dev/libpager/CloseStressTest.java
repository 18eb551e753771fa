package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a handle while threads use it is an IllegalStateException for the late calls, never
 * a JVM crash or a wrong answer. Each test opens a handle per round, starts READERS threads
 * that loop on reads (each checks the bytes it got), closes the handle after a random pause,
 * and requires every call to return the right bytes or throw IllegalStateException("<Class>
 * is closed"). Before the handles were guarded, the Wal and PageFile rounds crashed the JVM
 * (SIGSEGV in native code).
 */
class CloseStressTest {
  static final int ROUNDS = 200;
  static final int READERS = 4;

  @TempDir Path dir;

  /** One round: read() checks one answer (throws on a wrong one); close() closes. */
  interface Round {
    void read();

    void close();
  }

  static byte[] pattern(long page, int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) (page * 31 + 7));
    return b;
  }

  static void assertClosed(String name, Runnable call) {
    IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
    assertEquals(name + " is closed", e.getMessage());
  }

  static void stress(String name, IntFunction<Round> open) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int round = 0; round < ROUNDS && failure.get() == null; round++) {
      Round r = open.apply(round);
      Thread[] readers = new Thread[READERS];
      for (int i = 0; i < READERS; i++) {
        readers[i] =
            new Thread(
                () -> {
                  try {
                    for (; ; ) {
                      r.read();
                      ok.incrementAndGet();
                    }
                  } catch (IllegalStateException e) {
                    if (!(name + " is closed").equals(e.getMessage())) failure.compareAndSet(null, e);
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                });
        readers[i].start();
      }
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(400_000));
      r.close();
      for (Thread t : readers) t.join();
      r.close(); // idempotent
      assertClosed(name, r::read);
    }
    if (failure.get() != null) fail("a call during close", failure.get());
    assertTrue(ok.get() > 0, "no read succeeded before a close: the test proves nothing");
  }

  @Test
  void walCloseDuringReadsIsAnException() throws Exception {
    String path = dir.resolve("db").toString();
    try (WalOptions o = new WalOptions()) {
      o.setPageSize(1024);
      try (Wal w = Wal.create(path, o)) {
        for (int p = 1; p <= 4; p++) w.stagePage(p, pattern(p, 1024));
        w.commit();
      }
    }
    try (WalOptions ro = new WalOptions()) {
      ro.setReadOnly(1);
      stress(
          "Wal",
          round -> {
            Wal w = Wal.open(path, ro);
            AtomicInteger n = new AtomicInteger();
            return new Round() {
              public void read() {
                int p = 1 + n.incrementAndGet() % 4;
                assertArrayEquals(pattern(p, 1024), w.readPage(p));
              }

              public void close() {
                w.close();
              }
            };
          });
    }
  }

  /** The file closed under its sub-page allocator's readers (the copy reads the mapping). */
  @Test
  void subpagesFileCloseDuringReadsIsAnException() throws Exception {
    Path path = dir.resolve("subpages");
    stress(
        "PageFile",
        round -> {
          PageFile f = round == 0 ? PageFile.create(path, null) : PageFile.open(path, null);
          FileSubpages s = f.subpages(1024);
          long[] ids = s.allocBulk(4);
          for (int i = 0; i < 4; i++) s.write(ids[i], 0, pattern(i, 1024));
          AtomicInteger n = new AtomicInteger();
          return new Round() {
            public void read() {
              int i = n.incrementAndGet() % 4;
              assertArrayEquals(pattern(i, 1024), s.read(ids[i]));
            }

            public void close() {
              f.close(); // the allocator stays open: its calls throw "PageFile is closed"
            }
          };
        });
  }

  @Test
  void fileCloseDuringReadsIsAnException() throws Exception {
    String path = dir.resolve("pages").toString();
    long[] ids;
    int size;
    try (PageFile f = PageFile.create(path, null)) {
      ids = f.allocBulk(4);
      size = f.pageSize();
      for (long id : ids) f.write(id, 0, pattern(id, size));
      f.syncPages(ids);
    }
    stress(
        "PageFile",
        round -> {
          PageFile f = PageFile.open(path, null);
          AtomicInteger n = new AtomicInteger();
          return new Round() {
            public void read() {
              int i = n.incrementAndGet();
              long id = ids[i % 4];
              if (i % 2 == 0) {
                assertArrayEquals(pattern(id, size), f.read(id));
              } else {
                byte[] tail = new byte[100];
                f.read(id, size - 100, tail);
                assertArrayEquals(pattern(id, 100), tail);
              }
            }

            public void close() {
              f.close();
            }
          };
        });
  }

  @Test
  void fileTxnOfAClosedFileSaysClosed() {
    PageFile f = PageFile.create(dir.resolve("pages").toString(), null);
    long pid = f.protectedAlloc();
    try (FileTxn t = f.begin()) {
      t.add(pid);
      f.close();
      IllegalStateException e = assertThrows(IllegalStateException.class, t::commit);
      assertEquals("PageFile is closed", e.getMessage());
      assertEquals(ErrorCode.INVALID, ((PagerException) e.getCause()).code());
    }
    assertClosed("PageFile", () -> f.grow(10));
  }

  @Test
  void walsegReplayCloseDuringNextIsAnException() throws Exception {
    String log = dir.resolve("log").toString();
    try (WalsegOptions o = new WalsegOptions()) {
      o.setSegmentBytes(4096);
      WalsegWriter w = WalsegWriter.open(log, o);
      for (int i = 1; i <= 60; i++) w.append(1, pattern(i, 200));
      w.close();
      assertClosed("WalsegWriter", w::sync);
    }
    stress(
        "WalsegReplay",
        round -> {
          WalsegReplay it = WalsegReplay.open(log, 0, null);
          return new Round() {
            public void read() {
              WalsegEntry e = it.next();
              if (e == null) {
                it.stopDetail(); // the end: keep asking why
              } else {
                assertArrayEquals(pattern(e.lsn, 200), e.data, "record " + e.lsn);
              }
            }

            public void close() {
              it.close();
            }
          };
        });
  }

  @Test
  void coldHandleCloseOrTakeDuringReadsIsAnException() throws Exception {
    byte[] data = pattern(3, 64 << 10);
    try (ColdPager p = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, dir.toString())) {
      stress(
          "ColdHandle",
          round -> {
            ColdHandle h = p.pageout(0, data, null);
            return new Round() {
              public void read() {
                byte[] dst = new byte[4096];
                h.readAt(8192, dst);
                assertArrayEquals(Arrays.copyOfRange(data, 8192, 8192 + 4096), dst);
              }

              public void close() {
                if (round % 2 == 0 || !h.isOpen()) {
                  h.close();
                } else {
                  assertArrayEquals(data, h.take());
                }
              }
            };
          });
    }
  }

  @Test
  void refengineCloseDuringReadsIsAnException() throws Exception {
    try (CacheMeta m = SnapshotTest.meta(2)) {
      long want;
      try (Refengine e = Refengine.create(m, 8)) {
        SnapshotTest.fill(e, m);
        want = e.fingerprint();
      }
      stress(
          "Refengine",
          round -> {
            Refengine e = Refengine.create(m, 8);
            SnapshotTest.fill(e, m);
            return new Round() {
              public void read() {
                assertEquals(want, e.fingerprint());
              }

              public void close() {
                e.close();
              }
            };
          });
    }
  }

  @Test
  void closeFromInsideACallIsRefused() {
    try (Wal w = Wal.create(dir.resolve("db").toString(), null)) {
      Wal.swigEnter(w);
      try {
        IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
        assertEquals("Wal closed from inside a call on it", e.getMessage());
      } finally {
        Wal.swigExit(w);
      }
      assertTrue(w.isOpen());
    }
  }
}
