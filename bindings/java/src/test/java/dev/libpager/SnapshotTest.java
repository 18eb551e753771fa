package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
  @TempDir Path dir;
  static final byte[] SEQ = "req-1".getBytes(StandardCharsets.UTF_8);

  static CacheMeta meta(int layers) {
    CacheMeta m = new CacheMeta(); // pager_cache_meta_init ran
    m.setTokensPerPage(4);
    m.setLayers(layers);
    m.setKvHeads(2);
    m.setHeadDim(8);
    m.setDtype(PagerConstants.DTYPE_F16);
    return m;
  }

  static void fill(Refengine e, CacheMeta m) {
    long[] kb = new long[1], vb = new long[1];
    Pager.cacheMetaPageBytes(m, kb, vb);
    int[] slots = new int[3];
    for (int i = 0; i < 3; i++) {
      slots[i] = e.allocPage();
      byte[] k = new byte[(int) kb[0]], v = new byte[(int) vb[0]];
      Arrays.fill(k, (byte) (10 + i));
      Arrays.fill(v, (byte) (20 + i));
      e.writePage(slots[i], k, v);
    }
    e.setSeq(SEQ, slots, 3);
  }

  @Test
  void captureRestoreInspect() {
    String path = dir.resolve("snap").toString();
    try (CacheMeta m = meta(2); Refengine src = Refengine.create(m, 8); Refengine dst = Refengine.create(m, 16)) {
      fill(src, m);
      try (SnapshotOptions o = new SnapshotOptions()) {
        o.setThreads(1);
        src.capture(path, o);
      }
      Pager.snapshotVerify(path, null);
      try (SnapshotInfo info = new SnapshotInfo()) {
        Pager.snapshotInspect(path, info);
        assertEquals(3, info.getPageCount());
        assertEquals(1, info.getSeqCount());
        assertEquals(2, info.getMeta().getLayers());
      }
      int busy = dst.allocPage();
      try (SnapshotOptions o = new SnapshotOptions()) {
        o.setAllowNonempty(1);
        dst.restore(path, o);
      }
      dst.freePage(busy);
      assertEquals(src.fingerprint(), dst.fingerprint());
      int[] pages = dst.getSeq(SEQ);
      assertEquals(3, pages.length);
      assertNotEquals(0, pages[0]); // slot 0 was occupied during the restore
      byte[] k = new byte[4 * 2 * 2 * 8 * 2], v = new byte[k.length];
      dst.readPage(pages[2], k, v);
      assertEquals(12, k[0]);
      assertEquals(22, v[v.length - 1]);
    }
  }

  @Test
  void errors() {
    String path = dir.resolve("snap").toString();
    try (CacheMeta m = meta(2)) {
      expect(PagerConstants.ERR_INVALID, () -> Refengine.create(m, 0));
      try (Refengine e = Refengine.create(m, 4)) {
        fill(e, m);
        Pager.refengineFailCallback(e, "read_page", 1, -5);
        PagerException cb = expect(PagerConstants.ERR_CALLBACK, () -> e.capture(path, null));
        assertTrue(cb.detail().contains("-5"), cb.detail());
        e.capture(path, null);
        expect(PagerConstants.ERR_EXISTS, () -> e.restore(path, null));
      }
    }
    try (CacheMeta m3 = meta(3); Refengine o = Refengine.create(m3, 8)) {
      expect(PagerConstants.ERR_MISMATCH, () -> o.restore(path, null));
    }
    try (SnapshotInfo info = new SnapshotInfo()) {
      expect(PagerConstants.ERR_NOT_FOUND, () -> Pager.snapshotInspect(dir.resolve("missing").toString(), info));
    }
  }
}
