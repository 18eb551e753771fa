package dev.libpager;

/**
 * One private scratch directory found by {@link ColdPager#reap(String, boolean)}
 * (pager_cold_reap): the lock file "&lt;root&gt;/libpager-cold-&lt;random&gt;" (the
 * directory is the same path plus ".d") and what was found, and done, there.
 *
 * <p>Thread safety: an immutable value.
 *
 * @param lockPath the scratch lock file's path
 * @param state what reap found for it
 */
public record ColdScratch(String lockPath, State state) {
  /** The PAGER_COLD_SCRATCH_* states. */
  public enum State {
    /** Its owner process is alive (it holds the lock): kept. */
    LIVE,
    /** Its owner is gone; left in place (reap without remove). */
    STALE,
    /** Its owner was gone; directory and lock file removed. */
    REMOVED,
    /** Its owner was gone, but it could not be removed (an entry the library did not
     * create, or permission). */
    FAILED;

    /** The state of a PAGER_COLD_SCRATCH_* value (IllegalArgumentException for another). */
    static State of(int cState) {
      if (cState == PagerConstants.COLD_SCRATCH_LIVE) return LIVE;
      if (cState == PagerConstants.COLD_SCRATCH_STALE) return STALE;
      if (cState == PagerConstants.COLD_SCRATCH_REMOVED) return REMOVED;
      if (cState == PagerConstants.COLD_SCRATCH_FAILED) return FAILED;
      throw new IllegalArgumentException("unknown cold scratch state " + cState);
    }
  }
}
