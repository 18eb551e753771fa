package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckTest {
  @TempDir Path dir;

  @Test
  void detectAndCheckAPageFile() throws Exception {
    String path = dir.resolve("pages").toString();
    try (PageFile f = PageFile.create(path, null)) {
      f.alloc();
    }
    long[] format = new long[1];
    Pager.formatDetect(path, format);
    assertEquals(PagerConstants.FORMAT_FILE, format[0]);
    Pager.formatDetect(path + "-journal", format); // checked with its page file
    assertEquals(PagerConstants.FORMAT_FILE_JOURNAL, format[0]);
    try (CheckReport r = new CheckReport()) {
      Pager.fileCheck(path, r);
      assertEquals(PagerConstants.OK, r.getDamageCode());
      assertEquals(4096, r.getPageSize());
    }
    try (RandomAccessFile raf = new RandomAccessFile(path, "rw")) {
      raf.seek(56); // the superblock's checksum
      int b = raf.read();
      raf.seek(56);
      raf.write(b ^ 0xff);
    }
    try (CheckReport r = new CheckReport()) {
      Pager.fileCheck(path, r);
      assertEquals(PagerConstants.ERR_CORRUPT, r.getDamageCode());
      assertEquals("superblock", r.getDamageRule());
      assertEquals(0, r.getDamageOffset());
      expect(PagerConstants.ERR_INVALID, () -> Pager.walCheck(path, r));
    }
  }

  @Test
  void checkWalThroughItsSharedIndexCountsLiveReaders() {
    String path = dir.resolve("db").toString();
    try (Wal w = Wal.create(path, null)) {
      w.stagePage(1, new byte[4096]);
      w.commit();
      assertEquals(PagerConstants.FORMAT_WAL_SHM, Checks.detectFormat(path + "-shm"));
      try (WalOptions ro = new WalOptions()) {
        ro.setReadOnly(1);
        try (Wal reader = Wal.open(path, ro);
            ReadTxn t = reader.beginRead();
            CheckReport r = Checks.checkWal(path + "-shm")) {
          assertEquals(PagerConstants.FORMAT_WAL_MAIN, r.getFormat());
          assertEquals(PagerConstants.OK, r.getDamageCode());
          assertEquals(PagerConstants.WAL_INDEX_CURRENT, r.getIndexState());
          assertEquals(1, r.getIndexReaders());
        }
      }
      try (CheckReport r = Checks.checkWal(path)) {
        assertEquals(0, r.getIndexReaders());
      }
    }
  }
}
