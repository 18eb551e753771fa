package dev.libpager;

import static dev.libpager.WalTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTest {
  @TempDir Path dir;

  @Test
  void allocWriteReopen() {
    String path = dir.resolve("pages").toString();
    byte[] hello = "hello page".getBytes(StandardCharsets.UTF_8);
    byte[] content = new byte[4096];
    Arrays.fill(content, (byte) 0x5a);
    long id;
    long[] more;
    long pid;
    try (PageFile f = PageFile.create(path, null)) {
      assertEquals(4096, f.pageSize());
      id = f.alloc();
      more = f.allocBulk(3);
      f.write(id, 100, hello);
      f.syncPages(new long[] {id});
      f.freeBulk(new long[] {more[1], more[2]});
      pid = f.protectedAlloc();
      f.protectedWrite(pid, content);
    }
    try (FileOptions o = new FileOptions()) {
      o.setReadOnly(1);
      try (PageFile g = PageFile.open(path, o)) {
        byte[] got = new byte[hello.length];
        g.read(id, 100, got);
        assertArrayEquals(hello, got);
        assertArrayEquals(new long[] {id, more[0]}, g.pageIds());
        assertArrayEquals(new long[] {pid}, g.protectedIds());
        assertArrayEquals(content, g.protectedRead(pid));
        expect(PagerConstants.ERR_READONLY, () -> g.write(id, 0, new byte[1]));
      }
    }
  }

  @Test
  void adviseKeepsBytesChecksTheRangeAndFailsAfterClose() {
    String path = dir.resolve("pages").toString();
    byte[] keep = "keep".getBytes(StandardCharsets.UTF_8);
    PageFile f = PageFile.create(path, null);
    long id = f.alloc();
    f.write(id, 0, keep);
    for (PageFile.Advice a : PageFile.Advice.values()) f.advise(0, 0, a);
    f.advise(id, 1, PageFile.Advice.DONTNEED);
    byte[] got = new byte[keep.length];
    f.read(id, 0, got);
    assertArrayEquals(keep, got);
    expect(PagerConstants.ERR_RANGE, () -> f.advise(0, 1L << 40, PageFile.Advice.RANDOM));
    f.close();
    CloseStressTest.assertClosed("PageFile", () -> f.advise(0, 0, PageFile.Advice.RANDOM));
  }

  @Test
  void errors() {
    String path = dir.resolve("pages").toString();
    try (PageFile f = PageFile.create(path, null)) {
      long id = f.alloc();
      f.free(id);
      expect(PagerConstants.ERR_DOUBLE_FREE, () -> f.free(id));
      expect(PagerConstants.ERR_RESERVED, () -> f.free(0));
      expect(PagerConstants.ERR_NOT_FOUND, () -> f.read(id));
      long id2 = f.alloc();
      expect(PagerConstants.ERR_DUPLICATE, () -> f.freeBulk(new long[] {id2, id2}));
      expect(PagerConstants.ERR_RANGE, () -> f.write(id2, 4090, new byte[10]));
      expect(PagerConstants.ERR_BUSY, () -> PageFile.open(path, null));
    }
    try (FileOptions o = new FileOptions()) {
      o.setPageSize(8192);
      expect(PagerConstants.ERR_PAGE_SIZE, () -> PageFile.open(path, o));
    }
    expect(PagerConstants.ERR_EXISTS, () -> PageFile.create(path, null));
  }

  /**
   * Format 1 leaves no journal and pager_file_check reports it; an open asserting format 2 is
   * ERR_VERSION; a lap below 1 MiB, or beside format 1, is ERR_INVALID.
   */
  @Test
  void formatVersionAndJournalLapOptions() {
    String path = dir.resolve("pages").toString();
    try (FileOptions o = new FileOptions()) {
      assertEquals(0, o.getFormatVersion());
      assertEquals(0, o.getJournalLapBytes());
      o.setFormatVersion(1);
      o.setJournalLapBytes(1L << 20);
      expect(PagerConstants.ERR_INVALID, () -> PageFile.create(path, o));
      o.setJournalLapBytes(0);
      PageFile.create(path, o).close();
      assertEquals(false, java.nio.file.Files.exists(dir.resolve("pages-journal")));
      try (CheckReport r = new CheckReport()) {
        Pager.fileCheck(path, r);
        assertEquals(1, r.getFormatVersion());
      }
      o.setFormatVersion(2);
      expect(PagerConstants.ERR_VERSION, () -> PageFile.open(path, o));
      o.setFormatVersion(0);
      o.setJournalLapBytes((1L << 20) - 1);
      expect(PagerConstants.ERR_INVALID, () -> PageFile.create(dir.resolve("small").toString(), o));
      o.setJournalLapBytes(1L << 20);
      PageFile.create(dir.resolve("small").toString(), o).close();
    }
  }

  /**
   * A transaction's copies are bounded by its own page size: the old helpers took a second
   * PageFile "to learn the page size", and a file with larger pages made them copy past the
   * transaction's buffer. Now an oversized write throws ERR_RANGE.
   */
  @Test
  void txnCopyIsBoundedByTheTransactionsOwnPageSize() {
    try (FileOptions small = new FileOptions(); FileOptions big = new FileOptions()) {
      small.setPageSize(1024);
      small.setMaxSizeBytes(1L << 30);
      big.setPageSize(8192);
      big.setMaxSizeBytes(1L << 30);
      try (PageFile f = PageFile.create(dir.resolve("small").toString(), small);
          PageFile g = PageFile.create(dir.resolve("big").toString(), big)) {
        long pid = f.protectedAlloc();
        try (FileTxn t = f.begin()) {
          t.add(pid);
          assertEquals(1024, t.pageSize());
          expect(PagerConstants.ERR_RANGE, () -> t.write(pid, 0, new byte[g.pageSize()]));
          expect(PagerConstants.ERR_RANGE, () -> t.write(pid, 1000, new byte[100]));
          t.write(pid, 1000, "end".getBytes(StandardCharsets.UTF_8));
          t.commit();
        }
        byte[] got = f.protectedRead(pid);
        assertEquals("end", new String(got, 1000, 3, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void txnCommitsManyPagesTogether() {
    try (PageFile f = PageFile.create(dir.resolve("pages").toString(), null)) {
      long a = f.protectedAlloc();
      long b = f.protectedAlloc();
      try (FileTxn t = f.begin()) {
        t.add(a);
        t.add(b);
        t.write(a, 0, new byte[] {1});
        t.write(b, 0, new byte[] {2});
        try (FileTxn other = f.begin()) {
          expect(PagerConstants.ERR_BUSY, () -> other.add(a));
        }
        assertEquals(2, t.pageCount());
        t.commit();
      }
      assertEquals(1, f.protectedRead(a)[0]);
      assertEquals(2, f.protectedRead(b)[0]);
    }
  }

  @Test
  void txnAllocPageIsInvisibleUntilCommitAndAbortGivesItBack() {
    try (PageFile f = PageFile.create(dir.resolve("pages").toString(), null)) {
      long first = f.protectedAlloc();
      long id;
      try (FileTxn t = f.begin()) {
        id = t.allocPage();
        t.write(id, 0, new byte[] {7});
        expect(PagerConstants.ERR_NOT_FOUND, () -> f.protectedRead(id));
      }  // abort
      assertEquals(id, f.protectedAlloc());
      try (FileTxn t = f.begin()) {
        long fresh = t.allocPage();
        t.write(fresh, 0, new byte[] {9});
        t.commit();
        assertEquals(9, f.protectedRead(fresh)[0]);
      }
      assertEquals(3, f.protectedCount());
      assertEquals(0, f.protectedRead(first)[0]);
    }
  }

  @Test
  void txnFreePageHoldsThePageUntilCommit() {
    try (PageFile f = PageFile.create(dir.resolve("pages").toString(), null)) {
      long a = f.protectedAlloc();
      try (FileTxn t = f.begin()) {
        t.freePage(a);
        expect(PagerConstants.ERR_DOUBLE_FREE, () -> t.freePage(a));
        try (FileTxn other = f.begin()) {
          expect(PagerConstants.ERR_BUSY, () -> other.add(a));
        }
        assertEquals(0, f.protectedRead(a)[0]);
        t.commit();
      }
      expect(PagerConstants.ERR_NOT_FOUND, () -> f.protectedRead(a));
    }
  }

  @Test
  void txnWritePageCommitsTheWrittenBytesWithoutAnAdd() {
    try (PageFile f = PageFile.create(dir.resolve("pages").toString(), null)) {
      long a = f.protectedAlloc();
      long b = f.protectedAlloc();
      byte[] pa = new byte[4096];
      byte[] pb = new byte[4096];
      Arrays.fill(pa, (byte) 0xa1);
      Arrays.fill(pb, (byte) 0xb2);
      try (FileTxn t = f.begin()) {
        expect(PagerConstants.ERR_INVALID, () -> t.writePage(a, new byte[100]));
        assertEquals(0, t.pageCount());
        t.writePage(a, pa);
        t.writePage(b, pb);
        try (FileTxn other = f.begin()) {
          expect(PagerConstants.ERR_BUSY, () -> other.writePage(a, pa));
        }
        t.commit();
        expect(PagerConstants.ERR_INVALID, () -> t.writePage(a, pa));
      }
      assertArrayEquals(pa, f.protectedRead(a));
      assertArrayEquals(pb, f.protectedRead(b));
    }
  }

  @Test
  void txnWritePageAfterCloseThrowsInsteadOfCrashing() {
    try (PageFile f = PageFile.create(dir.resolve("pages").toString(), null)) {
      long a = f.protectedAlloc();
      FileTxn t = f.begin();
      t.close();
      CloseStressTest.assertClosed("FileTxn", () -> t.writePage(a, new byte[4096]));
    }
  }

  @Test
  void statsCountOneSyncPerCommitAndFailAfterClose() {
    PageFile f = PageFile.create(dir.resolve("pages").toString(), null);
    long syncs;
    long journal;
    try (FileStats s = f.stats()) {
      assertEquals(2, s.getFormatVersion());
      assertEquals(64L << 20, s.getJournalLapBytes());
      syncs = s.getSyncs();
      journal = s.getJournalBytes();
    }
    long id = f.alloc();
    f.write(id, 0, new byte[] {7});
    f.syncPages(new long[] {id});
    try (FileStats s = f.stats()) {
      assertEquals(syncs + 2, s.getSyncs());
      assertEquals(0, s.getCheckpoints());
      assertTrue(s.getJournalBytes() > journal);
    }
    f.close();
    assertThrows(IllegalStateException.class, f::stats);
  }
}
