package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotEngineTest {
  @TempDir Path dir;
  static final int PAGE = 4 * 8 * 4; // tokens * head_dim * 4 bytes (F32, 1 layer, 1 head)

  /** A Java engine: pages in a map, sequences in a map. */
  static class MapEngine implements SnapshotEngine {
    final Map<Integer, byte[][]> pages = new TreeMap<>();
    final Map<String, EngineSeq> seqs = new TreeMap<>();
    int failRead;
    boolean bugInWrite;
    int paused, resumed;

    final CacheMeta meta = geometry();

    static CacheMeta geometry() {
      CacheMeta m = new CacheMeta();
      m.setTokensPerPage(4);
      m.setLayers(1);
      m.setKvHeads(1);
      m.setHeadDim(8);
      m.setDtype(PagerConstants.DTYPE_F32);
      return m;
    }

    @Override public CacheMeta meta() { return meta; }
    @Override public void pause() { paused++; }
    @Override public void resume() { resumed++; }
    @Override public int[] occupiedPages() {
      return pages.keySet().stream().mapToInt(Integer::intValue).toArray();
    }
    @Override public EngineSeq[] logicalSeqs() { return seqs.values().toArray(new EngineSeq[0]); }
    @Override public void readPage(int page, ByteBuffer k, ByteBuffer v) {
      if (failRead != 0) throw new SnapshotEngine.Failure(failRead);
      k.put(pages.get(page)[0]);
      v.put(pages.get(page)[1]);
    }
    @Override public void allocatePages(int[] slots) {
      int next = 100;
      for (int i = 0; i < slots.length; i++) {
        while (pages.containsKey(next)) next++;
        slots[i] = next;
        pages.put(next, new byte[][] {new byte[PAGE], new byte[PAGE]});
      }
    }
    @Override public void writePage(int page, ByteBuffer k, ByteBuffer v) {
      if (bugInWrite) throw new IllegalStateException("engine bug in writePage");
      byte[] kb = new byte[k.remaining()], vb = new byte[v.remaining()];
      k.get(kb);
      v.get(vb);
      pages.put(page, new byte[][] {kb, vb});
    }
    @Override public void installLogicalSeqs(EngineSeq[] list) {
      for (EngineSeq s : list) seqs.put(new String(s.id, StandardCharsets.UTF_8), s);
    }
  }

  static MapEngine source() {
    MapEngine e = new MapEngine();
    for (int slot : new int[] {3, 7, 9}) {
      byte[] k = new byte[PAGE], v = new byte[PAGE];
      Arrays.fill(k, (byte) slot);
      Arrays.fill(v, (byte) ~slot);
      e.pages.put(slot, new byte[][] {k, v});
    }
    e.seqs.put("req-1", new EngineSeq("req-1".getBytes(StandardCharsets.UTF_8), new int[] {7, 3, 9}, 2));
    return e;
  }

  @Test
  void javaEngineRoundTrip() {
    String path = dir.resolve("snap").toString();
    MapEngine src = source();
    SnapshotEngine.capture(src, path, null);
    assertEquals(1, src.paused);
    assertEquals(1, src.resumed);
    try (Refengine re = Refengine.create(src.meta, 8)) {
      re.restore(path, null);
      assertEquals(3, re.getSeq("req-1".getBytes(StandardCharsets.UTF_8)).length);
    }
    MapEngine dst = new MapEngine();
    SnapshotEngine.restore(dst, path, null);
    EngineSeq s = dst.seqs.get("req-1");
    assertEquals(2, s.fillLastPage);
    List<Integer> first = new ArrayList<>();
    for (int p : s.pages) {
      assertTrue(p >= 100, "slot " + p + " was not allocated by the engine");
      first.add((int) dst.pages.get(p)[0][0]);
    }
    assertEquals(List.of(7, 3, 9), first);
  }

  @Test
  void failuresAndExceptions() {
    String path = dir.resolve("snap").toString();
    MapEngine src = source();
    src.failRead = -42;
    PagerException e = expect(PagerConstants.ERR_CALLBACK, () -> SnapshotEngine.capture(src, path, null));
    assertTrue(e.detail().contains("read_page") && e.detail().contains("-42"), e.detail());
    assertEquals(src.paused, src.resumed);
    src.failRead = 0;
    SnapshotEngine.capture(src, path, null);
    MapEngine dst = new MapEngine();
    dst.bugInWrite = true;
    IllegalStateException bug =
        assertThrows(IllegalStateException.class, () -> SnapshotEngine.restore(dst, path, null));
    assertEquals("engine bug in writePage", bug.getMessage());
    assertEquals(dst.paused, dst.resumed);
  }

  /** A MapEngine that gives back the slots of a failed restore. */
  static final class ReleasingEngine extends MapEngine {
    int failWrite;
    final List<Integer> released = new ArrayList<>();

    @Override public void writePage(int page, ByteBuffer k, ByteBuffer v) {
      if (failWrite != 0) throw new SnapshotEngine.Failure(failWrite);
      super.writePage(page, k, v);
    }
    @Override public void releasePages(int[] slots) {
      for (int s : slots) {
        pages.remove(s);
        released.add(s);
      }
    }
  }

  @Test
  void aFailedRestoreReleasesTheAllocatedSlots() {
    String path = dir.resolve("snap").toString();
    try (SnapshotOptions o = new SnapshotOptions()) {
      o.setCopyOutBudgetBytes(1 << 20);
      SnapshotEngine.capture(source(), path, o);
    }
    ReleasingEngine dst = new ReleasingEngine();
    dst.failWrite = -5;
    expect(PagerConstants.ERR_CALLBACK, () -> SnapshotEngine.restore(dst, path, null));
    assertEquals(3, dst.released.size());
    assertTrue(dst.pages.isEmpty(), "the engine holds what it held before");
    // The reference engine implements release_pages too.
    MapEngine plain = new MapEngine();
    try (Refengine re = Refengine.create(plain.meta, 8)) {
      Pager.refengineFailCallback(re, "page_buffers", 0, 9);
      expect(PagerConstants.ERR_CALLBACK, () -> re.restore(path, null));
      try (RefengineStats st = re.stats()) {
        assertEquals(0, st.getOccupiedPages());
        assertEquals(0, st.getPaused());
      }
    }
  }
}
