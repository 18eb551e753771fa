package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadTxnTest {
  @TempDir Path dir;

  private Wal newWal(byte fill, String hdr) {
    try (WalOptions o = new WalOptions()) {
      o.setPageSize(1024);
      Wal w = Wal.create(dir.resolve("db"), o);
      commitPage(w, fill, hdr);
      return w;
    }
  }

  private static void commitPage(Wal w, byte fill, String hdr) {
    byte[] page = new byte[1024];
    Arrays.fill(page, fill);
    byte[] h = new byte[PagerConstants.WAL_APP_HEADER_SIZE];
    byte[] text = hdr.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, h, 0, text.length);
    w.stagePage(1, page);
    w.stageAppHeader(h);
    w.commit();
  }

  @Test
  void commitAfterBeginIsInvisibleInsideAndVisibleOutside() {
    try (Wal w = newWal((byte) 0x11, "old"); ReadTxn t = w.beginRead()) {
      commitPage(w, (byte) 0x22, "new");
      w.setPageCount(5);
      w.commit();
      byte[] inside = t.readPage(1);
      assertEquals(0x11, inside[0]);
      assertEquals(0x11, inside[1023]);
      assertEquals(2, t.pageCount());
      assertEquals('o', t.readAppHeader()[0]);
      assertEquals(0x22, w.readPage(1)[0]);
      assertEquals(5, w.pageCount());
      assertEquals('n', w.readAppHeader()[0]);
      ByteBuffer direct = ByteBuffer.allocateDirect(1024);
      t.readPage(1, direct);
      assertEquals(0x11, direct.get(0));
      byte[] into = new byte[1024];
      t.readPage(1, into);
      assertEquals(0x11, into[0]);
      w.checkpoint(Wal.CheckpointMode.PASSIVE);
      try (WalStats s = w.stats()) {
        assertEquals(1, s.getReadersActive());
        assertTrue(s.getFramesLeft() > 0, "a passive checkpoint left the reader's frames");
      }
      assertEquals(0x11, t.readPage(1)[0]);
      t.close();
      try (WalStats s = w.stats()) {
        assertEquals(0, s.getReadersActive());
      }
    }
  }

  @Test
  void badArgumentsThrowTheLibrarysError() {
    try (Wal w = newWal((byte) 0x11, ""); ReadTxn t = w.beginRead()) {
      WalTest.expect(PagerConstants.ERR_RESERVED, () -> t.readPage(0));
      assertInstanceOf(NotFoundException.class, assertThrows(PagerException.class, () -> t.readPage(2)));
      WalTest.expect(PagerConstants.ERR_INVALID, () -> t.readPage(1, new byte[10]));
      assertThrows(IllegalArgumentException.class, () -> t.readPage(1, ByteBuffer.allocate(1024)));
    }
  }

  @Test
  void useAfterCloseThrowsIllegalState() {
    try (Wal w = newWal((byte) 0x11, "")) {
      ReadTxn t = w.beginRead();
      assertTrue(t.isOpen());
      t.close();
      t.close(); // idempotent
      assertFalse(t.isOpen());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.readPage(1));
      assertEquals("ReadTxn is closed", e.getMessage());
      assertThrows(IllegalStateException.class, t::pageCount);
      assertThrows(IllegalStateException.class, t::readAppHeader);
      assertThrows(IllegalStateException.class, () -> t.readPage(1, ByteBuffer.allocateDirect(1024)));
    }
  }

  @Test
  void txnUsedAfterItsWalClosedThrowsWalIsClosed() {
    Wal w = newWal((byte) 0x11, "");
    ReadTxn t = w.beginRead();
    w.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.readPage(1));
    assertEquals("Wal is closed", e.getMessage());
    PagerException cause = assertInstanceOf(PagerException.class, e.getCause());
    assertEquals(ErrorCode.INVALID, cause.code());
    assertThrows(IllegalStateException.class, t::pageCount);
    assertThrows(IllegalStateException.class, t::readAppHeader);
    t.close();
    assertThrows(IllegalStateException.class, w::beginRead);
  }

  @Test
  void threadsReadingOneTxnSeeItsSnapshotWhileTheWriterCommits() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Wal w = newWal((byte) 0x11, ""); ReadTxn t = w.beginRead()) {
      List<Future<?>> readers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        readers.add(pool.submit(() -> {
          byte[] b = new byte[1024];
          for (int k = 0; k < 200; k++) {
            t.readPage(1, b);
            if (b[0] != 0x11 || b[1023] != 0x11) throw new AssertionError("saw a later commit");
          }
          return null;
        }));
      }
      for (int i = 0; i < 20; i++) commitPage(w, (byte) (0x20 + i), "");
      for (Future<?> f : readers) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closingTxnAndWalWhileThreadsReadNeverCrashes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 20; round++) {
        Wal w = newWal((byte) 0x11, "");
        ReadTxn t = w.beginRead();
        List<Future<?>> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          readers.add(pool.submit(() -> {
            byte[] b = new byte[1024];
            for (int k = 0; k < 100; k++) {
              try {
                t.readPage(1, b);
              } catch (IllegalStateException closed) {
                // the ReadTxn or its Wal was closed: the documented outcome
              }
            }
            return null;
          }));
        }
        if (round % 2 == 0) w.close();
        t.close();
        w.close();
        for (Future<?> f : readers) f.get(60, TimeUnit.SECONDS);
        java.nio.file.Files.deleteIfExists(dir.resolve("db"));
        java.nio.file.Files.deleteIfExists(dir.resolve("db-wal"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void snapshotOfAnEmptyDatabaseHasOnlyPageZero() {
    try (WalOptions o = new WalOptions()) {
      o.setPageSize(1024);
      try (Wal w = Wal.create(dir.resolve("empty"), o); ReadTxn t = w.beginRead()) {
        assertEquals(1, t.pageCount());
        assertArrayEquals(new byte[PagerConstants.WAL_APP_HEADER_SIZE], t.readAppHeader());
      }
    }
  }

  private static void beginAndForget(Wal w) {
    ReadTxn t = w.beginRead(); // never closed: only the Cleaner can end it
    assertEquals(2, t.pageCount());
  }

  private static long readersActive(Wal w) {
    try (WalStats s = w.stats()) {
      return s.getReadersActive();
    }
  }

  @Test
  void forgottenTxnIsEndedByTheCleaner() throws Exception {
    try (Wal w = newWal((byte) 0x11, "")) {
      beginAndForget(w);
      assertEquals(1, readersActive(w));
      assertTrue(CleanerTest.gcUntil(() -> readersActive(w) == 0), "the forgotten ReadTxn was never freed");
    }
  }
}
