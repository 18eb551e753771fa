package dev.libpager;

/**
 * Progress of a snapshot capture, restore or verify ({@link SnapshotOptions#setProgress}).
 * Called on the thread running the operation (or, should the library report from a worker
 * thread, on that thread, attached to the JVM for the call).
 *
 * <p>Thread safety: one operation calls its listener one call at a time; a listener shared
 * by operations running on several threads must be thread-safe itself.
 */
@FunctionalInterface
public interface SnapshotProgress {
  /**
   * {@code doneBytes} of {@code totalBytes} are done. Return false to cancel: the operation
   * then throws {@link CancelledException} (a restore honours it until it starts writing into
   * the engine). An exception thrown here also cancels, and is rethrown by the operation.
   */
  boolean onProgress(long doneBytes, long totalBytes);
}
