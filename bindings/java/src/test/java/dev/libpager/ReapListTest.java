package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ColdPager.reap (pager_cold_reap) and Snapshots.list (pager_snapshot_list). */
class ReapListTest {
  @TempDir Path dir;

  static Set<ColdScratch.State> states(List<ColdScratch> l) {
    return l.stream().map(ColdScratch::state).collect(Collectors.toSet());
  }

  @Test
  void reapTellsALiveScratchDirectoryFromAStaleOneAndRemovesOnlyTheStale() throws IOException {
    try (ColdPager pager = ColdPager.open(PagerConstants.COLD_BACKEND_FILE, dir);
         ColdHandle h = pager.pageout(PagerConstants.COLD_BACKEND_FILE, "live data".getBytes(), null)) {
      // What a dead process leaves: a lock file nobody holds, with its directory.
      Path stale = dir.resolve("libpager-cold-deadbeef");
      Files.createFile(stale);
      Files.createDirectory(dir.resolve("libpager-cold-deadbeef.d"));
      String own = pager.scratchDir();

      List<ColdScratch> dry = ColdPager.reap(dir, false);
      assertEquals(2, dry.size(), dry.toString());
      assertEquals(Set.of(ColdScratch.State.LIVE, ColdScratch.State.STALE), states(dry));
      for (ColdScratch e : dry) {
        if (e.state() == ColdScratch.State.LIVE) assertTrue(own.startsWith(e.lockPath()), e + " vs " + own);
        else assertEquals(stale.toString(), e.lockPath());
      }
      assertTrue(Files.isDirectory(dir.resolve("libpager-cold-deadbeef.d")), "the dry run removed it");

      List<ColdScratch> removed = ColdPager.reap(dir.toString(), true);
      assertEquals(Set.of(ColdScratch.State.LIVE, ColdScratch.State.REMOVED), states(removed));
      assertFalse(Files.exists(dir.resolve("libpager-cold-deadbeef.d")));
      assertTrue(Files.isDirectory(Path.of(own)), "the live directory went");
      byte[] back = new byte[9];
      h.readAt(0, back);
      assertArrayEquals("live data".getBytes(), back);
      assertThrows(UnsupportedOperationException.class, () -> removed.add(null));
    }
  }

  @Test
  void reapOfAMissingRootThrowsNotFound() {
    assertThrows(NotFoundException.class, () -> ColdPager.reap(dir.resolve("no-such-root"), false));
    assertTrue(ColdPager.reap(dir, true).isEmpty());
  }

  @Test
  void listGivesThePageTableAndTheSequencesOfASnapshot() {
    String path = dir.resolve("snap").toString();
    try (CacheMeta m = SnapshotTest.meta(2); Refengine src = Refengine.create(m, 8)) {
      SnapshotTest.fill(src, m);
      src.capture(path, null);
      int[] slots = src.getSeq(SnapshotTest.SEQ);
      SnapshotListing l = Snapshots.list(Path.of(path));
      assertEquals(3, l.pages().size());
      assertEquals(1, l.seqs().size());
      for (int i = 0; i < 3; i++) {
        SnapshotPage p = l.pages().get(i);
        assertEquals(i, p.index());
        assertFalse(p.inParent());
        assertTrue(p.storedBytes() > 0 && p.offsetBytes() > 0, p.toString());
      }
      // The three pages hold different bytes: three different content hashes.
      assertEquals(3, l.pages().stream().map(p -> p.contentHashLo() + ":" + p.contentHashHi()).distinct().count());
      SnapshotSeq s = l.seqs().get(0);
      assertArrayEquals(SnapshotTest.SEQ, s.id());
      assertEquals(3, s.fillLastPage());
      int[] named = new int[s.pages().length];
      for (int i = 0; i < named.length; i++) named[i] = l.pages().get(s.pages()[i]).enginePage();
      assertArrayEquals(slots, named);

      // An incremental snapshot of the same engine: every page is in the parent.
      String child = dir.resolve("child").toString();
      try (SnapshotOptions o = new SnapshotOptions()) {
        o.setParentPath(path);
        src.capture(child, o);
      }
      SnapshotListing c = Snapshots.list(child);
      assertTrue(c.pages().stream().allMatch(SnapshotPage::inParent), c.toString());
      assertEquals(l.pages().get(0).contentHashLo(), c.pages().get(0).contentHashLo());
    }
  }

  @Test
  void listOfAMissingOrDamagedSnapshotThrowsTheTypedException() throws IOException {
    assertThrows(NotFoundException.class, () -> Snapshots.list(dir.resolve("missing")));
    Path junk = dir.resolve("junk");
    Files.write(junk, new byte[4096]);
    PagerException e = assertThrows(PagerException.class, () -> Snapshots.list(junk));
    assertTrue(e instanceof CorruptException || e.code() == ErrorCode.VERSION, e.toString());
  }
}
