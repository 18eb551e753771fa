package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ColdTest {
  static Path root;

  /** The scratch root is set once per process (another root later is ERR_EXISTS). */
  @BeforeAll
  static void scratch() throws IOException {
    root = Files.createTempDirectory("pager-java-cold-");
    Pager.coldSetScratchDir(root.toString());
  }

  @Test
  void pageoutReadTake() {
    byte[] data = new byte[10000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
    for (int backend : new int[] {PagerConstants.COLD_BACKEND_SWAP, PagerConstants.COLD_BACKEND_FILE}) {
      try (ColdPageoutOptions o = new ColdPageoutOptions()) {
        o.setChecksums(1);
        try (ColdHandle h = ColdHandle.pageout(backend, data, o)) {
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
    try (ColdStats s = new ColdStats()) {
      Pager.coldStatsGet(s);
      assertTrue(s.getFile().getPageoutCount() > 0);
    }
    byte[] dir = new byte[4096];
    long[] len = new long[1];
    Pager.coldScratchDir(dir, len);
    assertTrue(new String(dir, 0, (int) len[0], StandardCharsets.UTF_8).startsWith(root.toString()));
  }

  @Test
  void errors(@TempDir Path other) {
    expect(PagerConstants.ERR_EXISTS, () -> Pager.coldSetScratchDir(other.toString()));
    try (ColdHandle h = ColdHandle.pageout(PagerConstants.COLD_BACKEND_SWAP,
        "0123456789".getBytes(StandardCharsets.UTF_8), null)) {
      expect(PagerConstants.ERR_RANGE, () -> h.readAt(8, new byte[5]));
      expect(PagerConstants.ERR_OVERLAP, () -> h.readAtMany(new long[] {0, 5, 4, 2}));
      expect(PagerConstants.ERR_INVALID, () -> Pager.coldSetBackend(7));
      long[] len = new long[1];
      expect(PagerConstants.ERR_RANGE, () -> Pager.coldScratchDir(new byte[2], len));
      assertTrue(len[0] > 2); // set also on failure, so callers can size the buffer
    }
  }
}
