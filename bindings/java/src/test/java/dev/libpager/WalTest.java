package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
  @TempDir Path dir;

  static PagerException expect(long code, Executable call) {
    PagerException e = assertThrows(PagerException.class, call);
    assertEquals(code, e.rawCode(), e.getMessage());
    assertEquals(ErrorCode.of((int) code), e.code());
    assertFalse(e.detail().isEmpty(), "no detail message for " + e.name());
    return e;
  }

  @Test
  void commitReopenRead() {
    String path = dir.resolve("db").toString();
    byte[] page = new byte[1024];
    Arrays.fill(page, (byte) 0xab);
    byte[] hdr = new byte[PagerConstants.WAL_APP_HEADER_SIZE];
    hdr[0] = 42;
    try (WalOptions o = new WalOptions()) {
      assertEquals(0, o.getPageSize()); // the constructor ran pager_wal_options_init
      assertEquals(PagerConstants.WAL_READ_WRITE, o.getReadOnly());
      o.setPageSize(1024);
      try (Wal w = Wal.create(path, o)) {
        w.stagePage(3, page);
        w.stageAppHeader(hdr);
        assertEquals(1, w.commit());
        assertEquals(4, w.pageCount());
        try (WalStats s = w.stats()) {
          assertEquals(1, s.getCommits());
        }
      }
    }
    try (WalOptions ro = new WalOptions()) {
      ro.setReadOnly(1);
      try (Wal r = Wal.open(path, ro)) {
        readOnlyHandle(r, page, hdr);
      }
    }
  }

  private static void readOnlyHandle(Wal r, byte[] page, byte[] hdr) {
    assertEquals(PagerConstants.WAL_READ_ONLY, r.accessMode());
    assertArrayEquals(page, r.readPage(3));
    assertArrayEquals(new byte[1024], r.readPage(2));
    assertArrayEquals(hdr, r.readAppHeader());
    r.stagePage(3, page);
    expect(PagerConstants.ERR_READONLY, r::commit);
  }

  @Test
  void checkpointRollbackShrink() {
    try (Wal w = Wal.create(dir.resolve("db").toString(), null)) {
      int size = w.pageSize();
      for (int p = 1; p <= 5; p++) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) p);
        w.stagePage(p, b);
      }
      w.commit();
      assertEquals(5, w.checkpoint());
      w.stagePage(1, new byte[size]);
      w.clearStaged();
      byte[] into = new byte[size];
      w.readPage(1, into);
      assertEquals(1, into[0]);
      w.setPageCount(3);
      expect(PagerConstants.ERR_NOT_FOUND, () -> w.readPage(4));
    }
  }

  @Test
  void errors() throws Exception {
    expect(PagerConstants.ERR_NOT_FOUND, () -> Wal.open(dir.resolve("missing").toString(), null));
    String path = dir.resolve("db").toString();
    Wal w = Wal.create(path, null);
    expect(PagerConstants.ERR_EXISTS, () -> Wal.create(path, null));
    PagerException busy = expect(PagerConstants.ERR_BUSY, () -> Wal.open(path, null));
    assertEquals("PAGER_ERR_BUSY", busy.name());
    expect(PagerConstants.ERR_INVALID, () -> w.stagePage(1, new byte[10]));
    expect(PagerConstants.ERR_RESERVED, () -> w.readPage(0));
    try (WalOptions keep = new WalOptions()) {
      keep.setReadOnly(PagerConstants.WAL_READ_ONLY_KEEP_FILES);
      expect(PagerConstants.ERR_INVALID, () -> Wal.create(dir.resolve("keep").toString(), keep));
    }
    assertTrue(w.isOpen());
    w.close();
    w.close();
    assertFalse(w.isOpen());
    IllegalStateException closed = assertThrows(IllegalStateException.class, w::commit);
    assertEquals("Wal is closed", closed.getMessage());
    assertTrue(Files.exists(Path.of(path + "-wal")));
  }

  @Test
  void checkpointModes() throws Exception {
    String path = dir.resolve("db").toString();
    try (Wal w = Wal.create(path, null)) {
      int size = w.pageSize();
      long page = 1;
      for (Wal.CheckpointMode mode : Wal.CheckpointMode.values()) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) page);
        w.stagePage(page++, b);
        w.commit();
        assertEquals(1, w.checkpoint(mode), mode.name());
      }
      assertEquals(0, Files.size(Path.of(path + "-wal")), "TRUNCATE cuts the -wal file");
      try (WalCheckpointOptions o = new WalCheckpointOptions()) {
        assertEquals(PagerConstants.WAL_CHECKPOINT_PASSIVE, o.getMode());
      }
    }
    try (Wal r = Wal.open(path, null)) {
      for (int p = 1; p <= 3; p++) assertEquals(p, r.readPage(p)[0]);
    }
  }

  /** The background checkpointer keeps the WAL under 2x the threshold plus one transaction. */
  @Test
  void backgroundCheckpointKeepsTheWalBounded() throws Exception {
    String path = dir.resolve("bg").toString();
    try (WalOptions o = new WalOptions()) {
      assertEquals(0, o.getBackgroundCheckpoint(), "off by default in 0.3");
      o.setAutoCheckpointFrames(4);
      o.setBackgroundCheckpoint(1);
      try (Wal w = Wal.create(path, o)) {
        byte[] page = new byte[4096];
        for (int n = 1; n <= 50; n++) {
          Arrays.fill(page, (byte) n);
          for (int p = 1; p <= 4; p++) w.stagePage(p, page);
          w.commit();
          try (WalStats s = w.stats()) {
            assertTrue(s.getWalFrames() < 2 * 4 + 4, "commit " + n + ": " + s.getWalFrames());
          }
        }
        try (WalStats s = w.stats()) {
          assertTrue(s.getWalRestarts() > 0);
        }
        assertEquals(50, w.readPage(1)[0]);
      }
    }
  }

  /**
   * Leaves at path what a crash leaves: no writer open, the -shm index as an earlier commit
   * published it (the index is never synced). Returns the stale index bytes.
   */
  private static byte[] staleIndexDb(String path, byte[] last) throws Exception {
    Path shm = Path.of(path + "-shm");
    byte[] stale;
    try (Wal w = Wal.create(path, null)) {
      byte[] first = new byte[last.length];
      Arrays.fill(first, (byte) 1);
      w.stagePage(1, first);
      w.commit();
      stale = Files.readAllBytes(shm);
      w.stagePage(1, last);
      w.commit();
    }
    Files.write(shm, stale);
    return stale;
  }

  /**
   * WAL_READ_ONLY_KEEP_FILES reads the last commit around a stale index, leaves -shm byte for
   * byte as found and keeps a writer out while open; WAL_READ_ONLY then rebuilds the index and
   * lets a writer in beside it.
   */
  @Test
  void readOnlyKeepFilesLeavesAStaleIndexAsFoundWhereReadOnlyRebuildsIt() throws Exception {
    String path = dir.resolve("db").toString();
    Path shm = Path.of(path + "-shm");
    byte[] last = new byte[4096];
    Arrays.fill(last, (byte) 2);
    byte[] stale = staleIndexDb(path, last);

    try (WalOptions keep = new WalOptions()) {
      keep.setReadOnly(PagerConstants.WAL_READ_ONLY_KEEP_FILES);
      try (Wal k = Wal.open(path, keep)) {
        assertEquals(PagerConstants.WAL_READ_ONLY, k.accessMode());
        assertArrayEquals(last, k.readPage(1));
        PagerException busy = expect(PagerConstants.ERR_BUSY, () -> Wal.open(path, null));
        assertInstanceOf(BusyException.class, busy);
        assertTrue(busy.detail().contains("read-only handles"), busy.detail());
      }
    }
    assertArrayEquals(stale, Files.readAllBytes(shm), "a KEEP_FILES reader wrote -shm");

    try (WalOptions ro = new WalOptions()) {
      ro.setReadOnly(PagerConstants.WAL_READ_ONLY);
      try (Wal r = Wal.open(path, ro)) {
        assertArrayEquals(last, r.readPage(1));
        assertFalse(Arrays.equals(stale, Files.readAllBytes(shm)),
            "a READ_ONLY reader did not rebuild -shm");
        Wal.open(path, null).close();
      }
    }
  }
}
