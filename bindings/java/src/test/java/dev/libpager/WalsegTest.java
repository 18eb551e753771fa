package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalsegTest {
  @TempDir Path tmp;

  static byte[] payload(int i) {
    byte[] b = new byte[100 + i];
    Arrays.fill(b, (byte) i);
    return b;
  }

  @Test
  void appendReplayRead() {
    String dir = tmp.resolve("log").toString();
    try (WalsegOptions o = new WalsegOptions()) {
      o.setSegmentBytes(4096);
      try (WalsegWriter w = WalsegWriter.open(dir, o)) {
        for (int i = 1; i <= 40; i++) {
          assertEquals(i, w.append(1 + i % 2, payload(i)));
        }
        w.sync();
        assertEquals(41, w.nextLsn());
        assertEquals(40, w.durableLsn());
      }
    }
    try (WalsegReplay it = WalsegReplay.open(dir, 0, null)) {
      int n = 0;
      for (WalsegEntry e = it.next(); e != null; e = it.next()) {
        n++;
        assertEquals(n, e.lsn);
        assertEquals(1 + n % 2, e.type);
        assertArrayEquals(payload(n), e.data);
      }
      assertEquals(40, n);
      assertEquals(PagerConstants.WALSEG_STOP_CLEAN_END, it.stopReason());
      assertEquals(40, it.lastLsn());
    }
    try (WalsegReaderOptions ro = new WalsegReaderOptions()) {
      ro.addKnownType(1); // type 2 is optional and unknown: skipped
      assertEquals(1, ro.getKnownTypeCount());
      try (WalsegReader r = WalsegReader.open(tmp.resolve("log/0000000000000001.wal").toString(), ro)) {
        WalsegEntry e = r.next();
        assertNotNull(e);
        assertEquals(2, e.lsn);
        assertEquals(1, e.type);
        r.releasePages();
      }
    }
  }

  @Test
  void errors() {
    String dir = tmp.resolve("log").toString();
    try (WalsegOptions o = new WalsegOptions()) {
      o.setMaxPayloadBytes(64);
      try (WalsegWriter w = WalsegWriter.open(dir, o)) {
        expect(PagerConstants.ERR_BUSY, () -> WalsegWriter.open(dir, null));
        expect(PagerConstants.ERR_TOO_LARGE, () -> w.append(1, new byte[65]));
        expect(PagerConstants.ERR_INVALID, () -> w.append(0, new byte[1]));
        w.append(7 | (int) PagerConstants.WALSEG_TYPE_REQUIRED, new byte[] {1, 2});
        w.flush();
        try (WalsegReaderOptions ro = new WalsegReaderOptions()) {
          ro.addKnownType(1);
          try (WalsegReader r = WalsegReader.open(tmp.resolve("log/0000000000000001.wal").toString(), ro)) {
            expect(PagerConstants.ERR_VERSION, r::next);
            expect(PagerConstants.ERR_VERSION, r::next); // sticky
          }
        }
      }
    }
    expect(PagerConstants.ERR_NOT_FOUND, () -> WalsegReader.open(tmp.resolve("nope.wal").toString(), null));
  }

  @Test
  void damagedSegmentStopsWithAReason() throws java.io.IOException {
    String dir = tmp.resolve("log").toString();
    try (WalsegWriter w = WalsegWriter.open(dir, null)) {
      for (int i = 1; i <= 10; i++) w.append(1, payload(i));
    }
    Path seg = tmp.resolve("log/0000000000000001.wal");
    java.util.List<Long> offsets = new java.util.ArrayList<>();
    try (WalsegReader r = WalsegReader.open(seg.toString(), null)) {
      for (WalsegEntry e = r.next(); e != null; e = r.next()) offsets.add(e.offset);
      assertEquals("", r.stopDetail());
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(seg);
    bytes[(int) (long) offsets.get(4) + 40] ^= (byte) 0xff; // inside record 5
    java.nio.file.Files.write(seg, bytes);
    try (WalsegReader r = WalsegReader.open(seg.toString(), null)) {
      int n = 0;
      while (r.next() != null) n++;
      assertEquals(4, n);
      assertEquals(PagerConstants.WALSEG_STOP_CORRUPT, r.stopReason());
      assertEquals((long) offsets.get(4), r.stopOffset());
      assertEquals(4, r.lastLsn());
      String detail = r.stopDetail();
      org.junit.jupiter.api.Assertions.assertTrue(detail.contains("checksum mismatch"), detail);
      org.junit.jupiter.api.Assertions.assertTrue(detail.length() > 64, detail); // not truncated
    }
  }

  @Test
  void closeThrowsWhenTheWriterIsPoisoned() throws java.io.IOException {
    String dir = tmp.resolve("log").toString();
    try (WalsegOptions o = new WalsegOptions()) {
      o.setSegmentBytes(256);
      WalsegWriter w = WalsegWriter.open(dir, o);
      w.append(1, new byte[200]);
      // The next append rotates into 0000000000000002.wal: a file already there fails it.
      java.nio.file.Files.createFile(tmp.resolve("log/0000000000000002.wal"));
      expect(PagerConstants.ERR_EXISTS, () -> w.append(1, new byte[200]));
      PagerException e =
          org.junit.jupiter.api.Assertions.assertThrows(PagerException.class, w::close);
      assertEquals(ErrorCode.POISONED, e.code());
      assertTrue(e instanceof PoisonedException);
      org.junit.jupiter.api.Assertions.assertFalse(w.isOpen());
      w.close(); // released either way: a second close does nothing
    }
    try (WalsegWriter again = WalsegWriter.open(dir, null)) { // the lock was released
      assertEquals(2, again.nextLsn());
    }
  }
}
