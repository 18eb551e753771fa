package dev.libpager;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Frees the native object of a proxy that became unreachable while it still owned it (a
 * forgotten close(): the handle's file lock and mapping are released, a struct's memory is
 * freed). Every owning proxy registers itself at construction (the javabody of
 * bindings/swig/java_types.i); close() frees through the same {@link Ref}, so the native
 * object is freed exactly once, by close() or by the cleaner thread, never both.
 *
 * <p>Invariants: 1. a Ref frees its pointer at most once; 2. free() and forget() deregister
 * the Ref (the cleaner never runs it afterwards); 3. the cleaning action holds no reference
 * to the proxy (only the pointer and a static free function).
 */
final class NativeCleaner {
  private static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "libpager-cleaner");
    t.setDaemon(true);
    return t;
  });
  /** Native objects freed by the cleaner thread (the tests read it). */
  static final AtomicLong FREED_BY_GC = new AtomicLong();

  private NativeCleaner() {}

  /** One owned native pointer and its free function. */
  static final class Ref implements Runnable {
    private long ptr;
    private boolean explicit;
    private final LongConsumer free;
    private Cleaner.Cleanable cleanable;

    private Ref(long ptr, LongConsumer free) {
      this.ptr = ptr;
      this.free = free;
    }

    @Override
    public void run() {
      long p;
      boolean byGc;
      synchronized (this) {
        p = ptr;
        ptr = 0;
        byGc = !explicit;
      }
      if (p != 0) {
        free.accept(p);
        if (byGc) FREED_BY_GC.incrementAndGet();
      }
    }

    /** Frees the native object now (close()). */
    void free() {
      synchronized (this) {
        explicit = true;
      }
      cleanable.clean();
    }

    /** Forgets the pointer without freeing it (the library consumed the object). */
    void forget() {
      synchronized (this) {
        explicit = true;
        ptr = 0;
      }
      cleanable.clean();
    }
  }

  /** Registers owner's native pointer ptr, freed by free(ptr) if owner is collected first. */
  static Ref register(Object owner, long ptr, LongConsumer free) {
    Ref r = new Ref(ptr, free);
    r.cleanable = CLEANER.register(owner, r);
    return r;
  }
}
