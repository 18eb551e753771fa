package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ColdTest {
  @Test
  void pageoutReadTake(@TempDir Path root) {
    byte[] data = new byte[10000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
    try (ColdPager pager = ColdPager.open(PagerConstants.COLD_BACKEND_SWAP, root.toString())) {
      assertTrue(pager.scratchDir().startsWith(root.toString()));
      for (int backend : new int[] {PagerConstants.COLD_BACKEND_SWAP, PagerConstants.COLD_BACKEND_FILE}) {
        try (ColdPageoutOptions o = new ColdPageoutOptions()) {
          o.setChecksums(1);
          try (ColdHandle h = pager.pageout(backend, data, o)) {
            assertEquals(10000, h.length());
            assertEquals(backend, h.backend());
            byte[] part = new byte[100];
            h.readAt(5000, part);
            assertArrayEquals(Arrays.copyOfRange(data, 5000, 5100), part);
            byte[] many = h.readAtMany(new long[] {9000, 10, 0, 5});
            assertArrayEquals(Arrays.copyOfRange(data, 9000, 9010), Arrays.copyOfRange(many, 0, 10));
            assertArrayEquals(Arrays.copyOfRange(data, 0, 5), Arrays.copyOfRange(many, 10, 15));
            assertArrayEquals(data, h.take());
            assertFalse(h.isOpen()); // consumed; close() below does nothing
          }
        }
      }
      try (ColdStats s = pager.stats()) {
        assertEquals(1, s.getFile().getPageoutCount());
        assertEquals(1, s.getSwap().getPageoutCount());
      }
    }
  }

  @Test
  void errors(@TempDir Path root, @TempDir Path other) {
    try (ColdPager pager = ColdPager.open(0, root.toString())) {
      expect(PagerConstants.ERR_EXISTS, () -> pager.setScratchDir(other.toString()));
      try (ColdHandle h = pager.pageout(PagerConstants.COLD_BACKEND_SWAP,
          "0123456789".getBytes(StandardCharsets.UTF_8), null)) {
        expect(PagerConstants.ERR_RANGE, () -> h.readAt(8, new byte[5]));
        expect(PagerConstants.ERR_OVERLAP, () -> h.readAtMany(new long[] {0, 5, 4, 2}));
        expect(PagerConstants.ERR_INVALID, () -> pager.setBackend(7));
        long[] len = new long[1];
        Pager.coldScratchDir(pager, new byte[2], len); // C7: truncated, full length, no error
        assertTrue(len[0] > 2);
      }
    }
    expect(PagerConstants.ERR_INVALID, () -> ColdPager.open(3));
  }

  /** Two pagers in one process: their own directories, defaults and counters. */
  @Test
  void twoPagersAreIndependent(@TempDir Path a, @TempDir Path b) {
    try (ColdPager pa = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, a.toString());
         ColdPager pb = ColdPager.open(PagerConstants.COLD_BACKEND_SWAP, b.toString())) {
      assertTrue(pa.scratchDir().startsWith(a.toString()));
      assertTrue(pb.scratchDir().startsWith(b.toString()));
      assertNotEquals(pa.backend(), pb.backend());
      byte[] data = "cold".getBytes(StandardCharsets.UTF_8);
      try (ColdHandle h = pa.pageout(0, data, null)) {
        assertEquals(PagerConstants.COLD_BACKEND_FILE, h.backend());
      }
      try (ColdStats sa = pa.stats(); ColdStats sb = pb.stats()) {
        assertEquals(1, sa.getFile().getPageoutCount());
        assertEquals(0, sb.getFile().getPageoutCount());
      }
    }
  }

  @Test
  void handleOutlivesItsPager(@TempDir Path root) {
    byte[] data = "still here".getBytes(StandardCharsets.UTF_8);
    ColdHandle h;
    try (ColdPager pager = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, root.toString())) {
      h = pager.pageout(0, data, null);
    }
    try (ColdHandle owned = h) {
      assertArrayEquals(data, owned.take());
    }
  }
}
