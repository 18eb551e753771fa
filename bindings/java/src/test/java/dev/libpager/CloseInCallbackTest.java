package dev.libpager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a Refengine from inside its own snapshot progress callback: close() throws
 * IllegalStateException (the capture or restore holds the engine), never a deadlock and never
 * a freed engine under the running call. With threads &gt; 1 the library may report progress
 * from a worker thread; the Timeout (a separate thread) turns a hang into a failure.
 */
class CloseInCallbackTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void closeInsideCaptureProgressThrowsInsteadOfDeadlocking(int threads) {
    String path = dir.resolve("snap" + threads).toString();
    AtomicReference<Throwable> fromClose = new AtomicReference<>();
    try (CacheMeta m = SnapshotTest.meta(2); Refengine e = Refengine.create(m, 8);
         SnapshotOptions o = new SnapshotOptions()) {
      SnapshotTest.fill(e, m);
      o.setThreads(threads);
      o.setProgress((done, total) -> {
        try {
          e.close();
        } catch (Throwable t) {
          fromClose.compareAndSet(null, t);
        }
        return true;
      });
      e.capture(path, o);
      assertTrue(fromClose.get() instanceof IllegalStateException, String.valueOf(fromClose.get()));
      assertTrue(e.isOpen(), "the engine was closed under its own capture");
      Snapshots.verify(path, null);
      assertEquals(3, Snapshots.list(path).pages().size());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void closeInsideRestoreProgressThrowsInsteadOfDeadlocking(int threads) {
    String path = dir.resolve("snap").toString();
    AtomicReference<Throwable> fromClose = new AtomicReference<>();
    try (CacheMeta m = SnapshotTest.meta(2); Refengine src = Refengine.create(m, 8);
         Refengine dst = Refengine.create(m, 8); SnapshotOptions o = new SnapshotOptions()) {
      SnapshotTest.fill(src, m);
      src.capture(path, null);
      o.setThreads(threads);
      o.setProgress((done, total) -> {
        try {
          dst.close();
        } catch (Throwable t) {
          fromClose.compareAndSet(null, t);
        }
        return true;
      });
      dst.restore(path, o);
      assertTrue(fromClose.get() instanceof IllegalStateException, String.valueOf(fromClose.get()));
      assertEquals(src.fingerprint(), dst.fingerprint());
    }
  }

  /** The exception escapes the listener: it cancels the capture and is rethrown after it. */
  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void closeInsideProgressThatEscapesCancelsAndIsRethrown(int threads) {
    try (CacheMeta m = SnapshotTest.meta(2); Refengine e = Refengine.create(m, 8);
         SnapshotOptions o = new SnapshotOptions()) {
      SnapshotTest.fill(e, m);
      o.setThreads(threads);
      o.setProgress((done, total) -> { e.close(); return true; });
      assertThrows(IllegalStateException.class, () -> e.capture(dir.resolve("x").toString(), o));
      assertTrue(e.isOpen());
    }
  }
}
