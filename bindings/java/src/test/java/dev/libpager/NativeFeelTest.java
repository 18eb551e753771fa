package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ByteBuffer and Path overloads, typed exceptions, and the public facades (Checks, Snapshots). */
class NativeFeelTest {
  @TempDir Path dir;

  static ByteBuffer direct(byte[] b) {
    ByteBuffer bb = ByteBuffer.allocateDirect(b.length);
    bb.put(b).flip();
    return bb;
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void walPagesThroughDirectBuffersAndPaths() {
    Path db = dir.resolve("db");
    byte[] page = new byte[4096];
    Arrays.fill(page, (byte) 0x5a);
    try (Wal w = Wal.create(db, null)) {
      w.stagePage(1, direct(page));
      w.commit();
      ByteBuffer dst = ByteBuffer.allocateDirect(4096);
      w.readPage(1, dst);
      assertEquals(0, dst.position(), "the position is not moved");
      assertArrayEquals(page, bytes(dst));
      // A heap buffer is refused before native code touches it.
      assertThrows(IllegalArgumentException.class, () -> w.readPage(1, ByteBuffer.allocate(4096)));
      // A buffer of the wrong size is the library's INVALID, as with byte[].
      expect(PagerConstants.ERR_INVALID, () -> w.readPage(1, ByteBuffer.allocateDirect(100)));
    }
    assertThrows(BusyException.class, () -> {
      try (Wal a = Wal.open(db, null); Wal b = Wal.open(db, null)) {
        b.pageCount();
      }
    });
    assertThrows(AlreadyExistsException.class, () -> Wal.create(db, null));
  }

  /** Reading into a read-only mapping would SIGSEGV the JVM: refused before native code. */
  @Test
  void readIntoAReadOnlyBufferThrowsInsteadOfCrashing() throws Exception {
    Path other = dir.resolve("mapped");
    Files.write(other, new byte[4096]);
    try (Wal w = Wal.create(dir.resolve("db2"), null);
         java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(other)) {
      w.stagePage(1, new byte[4096]);
      w.commit();
      ByteBuffer ro = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 4096);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.readPage(1, ro));
      assertTrue(e.getMessage().contains("read-only"));
      assertThrows(IllegalArgumentException.class,
          () -> w.readPage(1, ByteBuffer.allocateDirect(4096).asReadOnlyBuffer()));
      w.stagePage(1, ro); // reading from it is fine
    }
  }

  @Test
  void readOnlyWalThrowsReadOnlyException() {
    Path db = dir.resolve("ro");
    Wal.create(db, null).close();
    try (WalOptions o = new WalOptions()) {
      o.setReadOnly(1);
      try (Wal r = Wal.open(db, o)) {
        r.stagePage(1, new byte[4096]); // staging is local; the commit is refused
        ReadOnlyException e = assertThrows(ReadOnlyException.class, r::commit);
        assertEquals(ErrorCode.READONLY, e.code());
      }
    }
  }

  @Test
  void pageFileDirectBuffersRespectPositionAndLimit() {
    try (PageFile f = PageFile.create(dir.resolve("pages"), null)) {
      long id = f.alloc();
      ByteBuffer src = ByteBuffer.allocateDirect(16);
      src.put("xxhello-worldyyy".getBytes(StandardCharsets.US_ASCII));
      src.position(2).limit(13); // "hello-world"
      f.write(id, 100, src);
      assertEquals(2, src.position());
      byte[] back = new byte[11];
      f.read(id, 100, back);
      assertEquals("hello-world", new String(back, StandardCharsets.US_ASCII));
      ByteBuffer dst = ByteBuffer.allocateDirect(11);
      f.read(id, 100, dst);
      assertArrayEquals(back, bytes(dst));
      expect(PagerConstants.ERR_RANGE, () -> f.read(id, 4090, ByteBuffer.allocateDirect(11)));
      long[] prot = f.protectedAllocBulk(3);
      assertEquals(3, f.protectedCount());
      f.protectedFreeBulk(prot);
      assertEquals(0, f.protectedCount());
    }
    try (CheckReport r = Checks.checkFile(dir.resolve("pages"))) {
      assertEquals(PagerConstants.OK, r.getDamageCode());
    }
    assertEquals(PagerConstants.FORMAT_FILE, Checks.detectFormat(dir.resolve("pages")));
  }

  @Test
  void subPagesAllocateReadWriteAndFree() {
    try (PageFile f = PageFile.create(dir.resolve("sub"), null);
         FileSubpages s = f.subpages(512)) {
      assertEquals(512, s.subPageSize());
      assertEquals(8, s.slotCount());
      long a = s.alloc();
      long[] more = s.allocBulk(9); // needs a second parent page
      assertEquals(10, s.count());
      byte[] data = "sub-page bytes".getBytes(StandardCharsets.UTF_8);
      s.write(a, 10, data);
      byte[] back = new byte[data.length];
      s.read(a, 10, back);
      assertArrayEquals(data, back);
      s.write(more[8], 0, direct(data));
      ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
      s.read(more[8], 0, dst);
      assertArrayEquals(data, bytes(dst));
      assertEquals(512, s.read(a).length);
      expect(PagerConstants.ERR_RANGE, () -> s.read(a, 500, new byte[13]));
      try (FileSubpages rebuilt = f.subpages(512)) { // a new allocator learns what is in use
        rebuilt.markUsed(new long[] {a});
        assertEquals(1, rebuilt.count());
        assertTrue(rebuilt.alloc() != a);
      }
      s.free(a);
      s.freeBulk(more);
      assertEquals(0, s.count());
      expect(PagerConstants.ERR_DOUBLE_FREE, () -> s.free(a));
    }
  }

  /** Closing the file first: the allocator's calls throw, never touch the unmapped file. */
  @Test
  void subPagesAfterTheirFileIsClosedThrowIllegalState() {
    PageFile f = PageFile.create(dir.resolve("sub2"), null);
    FileSubpages s = f.subpages(1024);
    long id = s.alloc();
    f.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.read(id));
    assertTrue(e.getMessage().contains("PageFile is closed"), e.getMessage());
    s.close();
    assertThrows(IllegalStateException.class, s::count);
    ColdBuffer b;
    try (ColdPager cold = ColdPager.open(PagerConstants.COLD_BACKEND_SWAP)) {
      b = cold.pageout(0, new byte[] {1, 2, 3}, null).takeBuffer();
    }
    b.close();
    assertThrows(IllegalStateException.class, b::length);
    b.close(); // idempotent
  }

  @Test
  void walsegAppendFromADirectBuffer() {
    Path log = dir.resolve("log");
    try (WalsegWriter w = WalsegWriter.open(log, null)) {
      long lsn = w.append(1, direct("nio record".getBytes(StandardCharsets.UTF_8)));
      assertEquals(lsn + 1, w.nextLsn());
      w.sync();
    }
    try (WalsegReplay r = WalsegReplay.open(log, 0, null)) {
      WalsegEntry e = r.next();
      assertEquals("nio record", new String(e.data, StandardCharsets.UTF_8));
      assertEquals(10, e.length);
    }
    try (WalsegReplay r = WalsegReplay.open(log, 0, null)) {
      ByteBuffer dst = ByteBuffer.allocateDirect(32);
      WalsegEntry e = r.next(dst);
      assertEquals(10, e.length);
      assertEquals(null, e.data);
      dst.limit(10);
      assertEquals("nio record", StandardCharsets.UTF_8.decode(dst).toString());
      assertEquals(null, r.next(ByteBuffer.allocateDirect(4)));
    }
    try (WalsegReaderOptions ro = new WalsegReaderOptions()) {
      ro.addKnownType(1); // type 1 is optional: a reader that does not know it skips it
      try (WalsegReader r = WalsegReader.open(log.resolve("0000000000000001.wal"), ro)) {
        ByteBuffer small = ByteBuffer.allocateDirect(3); // C7: truncated copy, full length told
        WalsegEntry e = r.next(small);
        assertEquals(10, e.length);
        assertEquals("nio", StandardCharsets.UTF_8.decode(small).toString());
        assertEquals(null, r.next(small));
      }
    }
  }

  @Test
  void coldDirectPageoutReadAndTakeBuffer() {
    byte[] data = new byte[5000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 13);
    try (ColdPager cold = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, dir)) {
      for (int backend : new int[] {PagerConstants.COLD_BACKEND_SWAP, PagerConstants.COLD_BACKEND_FILE}) {
        ColdHandle h = cold.pageout(backend, direct(data), null);
        ByteBuffer part = ByteBuffer.allocateDirect(100);
        h.readAt(4900, part);
        assertArrayEquals(Arrays.copyOfRange(data, 4900, 5000), bytes(part));
        try (ColdBuffer b = h.takeBuffer()) {
          assertFalse(h.isOpen(), "takeBuffer consumed the handle");
          assertEquals(5000, b.length());
          assertArrayEquals(data, b.toByteArray());
          ByteBuffer d = ByteBuffer.allocateDirect(10);
          b.read(10, d);
          assertArrayEquals(Arrays.copyOfRange(data, 10, 20), bytes(d));
          expect(PagerConstants.ERR_RANGE, () -> b.read(4995, new byte[10]));
        }
        h.close(); // consumed: nothing to do
      }
    }
  }

  /** The library adopts the ByteBuffer (no copy on swap) and lets go of it when freed. */
  @Test
  void ownedPageoutKeepsTheBufferUntilTheHandleIsFreed() {
    byte[] data = "owned by the library until take".getBytes(StandardCharsets.UTF_8);
    try (ColdPager cold = ColdPager.open(PagerConstants.COLD_BACKEND_SWAP, dir)) {
      ByteBuffer buf = direct(data);
      ColdHandle h = cold.pageoutOwned(0, buf, null);
      assertEquals(data.length, h.length());
      // Zero copy: a change to the adopted bytes is what the handle holds (do not do this).
      buf.put(0, (byte) 'O');
      byte[] first = new byte[1];
      h.readAt(0, first);
      assertEquals('O', first[0]);
      try (ColdBuffer b = h.takeBuffer()) {
        byte[] all = b.toByteArray();
        assertEquals('O', all[0]);
        assertArrayEquals(Arrays.copyOfRange(data, 1, data.length), Arrays.copyOfRange(all, 1, all.length));
      }
      // The file backend copies to scratch and releases the buffer before returning.
      try (ColdHandle f = cold.pageoutOwned(PagerConstants.COLD_BACKEND_FILE, direct(data), null)) {
        assertEquals(PagerConstants.COLD_BACKEND_FILE, f.backend());
        assertArrayEquals(data, f.take());
      }
      assertThrows(IllegalArgumentException.class,
          () -> cold.pageoutOwned(0, ByteBuffer.allocate(10), null));
      try (ColdStats s = cold.stats()) {
        assertTrue(s.getSwap().getPageoutCount() >= 1);
      }
    }
  }

  /** Owned buffers released on another thread than the one that paged them out. */
  @Test
  void ownedBufferReleasedFromAnotherThread() throws Exception {
    try (ColdPager cold = ColdPager.open(PagerConstants.COLD_BACKEND_SWAP, dir)) {
      List<ColdHandle> hs = new ArrayList<>();
      for (int i = 0; i < 50; i++) hs.add(cold.pageoutOwned(0, direct(new byte[] {(byte) i, 1, 2}), null));
      Thread t = new Thread(() -> hs.forEach(ColdHandle::close));
      t.start();
      t.join();
      for (ColdHandle h : hs) assertFalse(h.isOpen());
    }
  }

  @Test
  void snapshotProgressReportsAndCancels() throws Exception {
    Path snap = dir.resolve("snap");
    try (CacheMeta m = SnapshotTest.meta(2); Refengine e = Refengine.create(m, 8)) {
      SnapshotTest.fill(e, m);
      List<long[]> calls = new ArrayList<>();
      try (SnapshotOptions o = new SnapshotOptions()) {
        o.setProgress((done, total) -> calls.add(new long[] {done, total}) || true);
        e.capture(snap, o);
        assertFalse(calls.isEmpty());
        long[] last = calls.get(calls.size() - 1);
        assertEquals(last[1], last[0], "the last report is complete");
        assertEquals(3 * (m.kPageBytes() + m.vPageBytes()), last[1]);
        calls.clear();
        Snapshots.verify(snap, o);
        assertFalse(calls.isEmpty());
      }
      Path other = dir.resolve("cancelled");
      try (SnapshotOptions o = new SnapshotOptions()) {
        o.setProgress((done, total) -> false);
        CancelledException c = assertThrows(CancelledException.class, () -> e.capture(other, o));
        assertEquals(ErrorCode.CANCELLED, c.code());
        assertFalse(Files.exists(other), "a cancelled capture leaves nothing");
        IllegalStateException boom = new IllegalStateException("listener failed");
        o.setProgress((done, total) -> { throw boom; });
        assertSame(boom, assertThrows(IllegalStateException.class, () -> e.capture(other, o)));
        assertSame(boom, assertThrows(IllegalStateException.class, () -> Snapshots.verify(snap, o)));
      }
      try (Refengine back = Refengine.create(m, 8); SnapshotOptions o = new SnapshotOptions()) {
        AtomicInteger n = new AtomicInteger();
        o.setProgress((done, total) -> n.incrementAndGet() > 0);
        back.restore(snap, o);
        assertTrue(n.get() > 0);
        assertEquals(e.fingerprint(), back.fingerprint());
      }
    }
  }

  @Test
  void captureToADescriptor() throws Exception {
    Path out = dir.resolve("fd-snap");
    try (CacheMeta m = SnapshotTest.meta(1); Refengine e = Refengine.create(m, 8)) {
      SnapshotTest.fill(e, m);
      try (FileOutputStream fos = new FileOutputStream(out.toFile())) {
        e.capture(fos.getFD(), null);
      }
      Snapshots.verify(out, null);
      try (SnapshotInfo info = Snapshots.inspect(out)) {
        assertEquals(3, info.getPageCount());
      }
      try (Refengine back = Refengine.create(m, 8)) {
        back.restore(out, null);
        assertEquals(e.fingerprint(), back.fingerprint());
        try (CacheMeta got = back.meta()) {
          assertEquals(1, got.getLayers());
        }
      }
      FileOutputStream closed = new FileOutputStream(dir.resolve("x").toFile());
      closed.close();
      expect(PagerConstants.ERR_INVALID, () -> e.capture(closed.getFD(), null));
    }
    try (CheckReport r = Checks.checkSnapshot(out)) {
      assertEquals(PagerConstants.OK, r.getDamageCode());
    }
  }

  @Test
  void refengineRemoveSeqAndMissingSnapshot() {
    try (CacheMeta m = SnapshotTest.meta(1); Refengine e = Refengine.create(m, 8)) {
      SnapshotTest.fill(e, m);
      e.removeSeq(SnapshotTest.SEQ);
      assertThrows(NotFoundException.class, () -> e.removeSeq(SnapshotTest.SEQ));
    }
    assertThrows(NotFoundException.class, () -> Snapshots.inspect(dir.resolve("nope")));
  }
}
