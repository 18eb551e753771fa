/*
 * java_types.i -- Java only, %include-d by pager.i before its macros and sections (SWIG
 * applies a class typemap only to classes declared after it):
 *   1. a java.lang.ref.Cleaner for every proxy that owns native memory
 *      (dev.libpager.NativeCleaner), applied by pager.i's %pager_handle and %pager_struct. A
 *      proxy forgotten without close() is freed once it becomes unreachable; close() frees
 *      through the same NativeCleaner.Ref, so never twice;
 *   2. the javadoc of every generated public class, with its thread-safety rule.
 */

/* %pager_java_cleaner(TYPE): the proxy body of TYPE registers owning instances. Its delete()
 * calls swigFreeNative() instead of the JNI delete, and a consuming call swigForgetNative(). */
%define %pager_java_cleaner(TYPE)
%typemap(javabody) struct TYPE %{
  private transient long swigCPtr;
  protected transient boolean swigCMemOwn;
  /** Frees the native object if this proxy is collected while it owns it (null: not owning). */
  private transient NativeCleaner.Ref swigCleaner;

  protected $javaclassname(long cPtr, boolean cMemoryOwn) {
    swigCMemOwn = cMemoryOwn;
    swigCPtr = cPtr;
    if (cMemoryOwn && cPtr != 0) {
      swigCleaner = NativeCleaner.register(this, cPtr, PagerJNI::delete_$javaclassname);
    }
  }

  protected static long getCPtr($javaclassname obj) {
    return (obj == null) ? 0 : obj.swigCPtr;
  }

  /** Frees the owned native object now, once (close / delete). */
  private void swigFreeNative() {
    if (swigCleaner != null) {
      swigCleaner.free();
    } else {
      PagerJNI.delete_$javaclassname(swigCPtr);
    }
  }

  /** Forgets the native object without freeing it (consumed by the library). */
  private void swigForgetNative() {
    if (swigCleaner != null) swigCleaner.forget();
  }

  /** Throws IllegalStateException once the native object is released (before any native
   * access: the getter of an embedded struct copies it out of this one). */
  void swigCheckOpen() {
    if (swigCPtr == 0) throw new IllegalStateException("$javaclassname is closed");
  }
%}
%enddef

/* Embedded structs: every struct-typed member of a struct in pager.h (pager_cold_stats.swap
 * and .file, pager_snapshot_info.meta; add a new one with %pager_java_nested below).
 * SWIG's getter returns a view into the parent's memory, which outlives an explicit close()
 * of the parent (a read of freed memory). Instead the getter returns an independent copy that
 * owns its memory (malloc'd here, freed by its own close() or Cleaner, as free() in the
 * struct's destructor), taken under the parent's monitor, so a concurrent close() of the
 * parent waits; once the parent is closed the getter throws IllegalStateException("<Parent>
 * is closed") before any native access. A copy is a value: changing it does not change the
 * parent (set it back with the setter, which copies it in). NestedStructTest finds every
 * getter of a struct proxy returning a struct proxy and checks it returns an owning copy. */
%define %pager_java_nested(TYPE, MEMBER)
%typemap(out, noblock=1) TYPE *MEMBER {
  {
    TYPE *pagerj_copy = (TYPE *)malloc(sizeof(TYPE));
    if (!pagerj_copy) {
      SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "copy of an embedded struct");
      return $null;
    }
    memcpy(pagerj_copy, $1, sizeof(TYPE));
    *(TYPE **)&$result = pagerj_copy;
  }
}
%typemap(javaout) TYPE *MEMBER {
    synchronized (this) {
      swigCheckOpen();
      long cPtr = $jnicall;
      return (cPtr == 0) ? null : new $javaclassname(cPtr, true);
    }
  }
%enddef
%pager_java_nested(pager_cold_backend_stats, swap)
%pager_java_nested(pager_cold_backend_stats, file)
%pager_java_nested(pager_cache_meta, meta)

/* A struct proxy after close() has a NULL pointer: every accessor and %extend method of it
 * throws IllegalStateException instead of dereferencing it (the JVM would die with SIGSEGV).
 * A null Java object given for an embedded struct (setFile(null), setMeta(null), ...) throws
 * NullPointerException instead of being copied from address 0. */
%typemap(check, noblock=1) SWIGTYPE *self {
  if (!$1) {
    SWIG_JavaThrowException(jenv, SWIG_JavaIllegalStateException, "$1_basetype is closed");
    return $null;
  }
}
%typemap(check, noblock=1) pager_cold_backend_stats *swap, pager_cold_backend_stats *file,
    pager_cache_meta *meta {
  if (!$1) {
    SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, "$1_name must not be null");
    return $null;
  }
}

/* 2. class javadoc (doclint checks it; tests/package_java.sh checks every public type has one). */
%typemap(javaclassmodifiers) struct pager_wal "/**\n * A WAL pager database (pager_wal): pages staged and committed through a write-ahead log, checkpointed into the main file. Open with {@link #create} / {@link #open}; close it (try-with-resources).\n *\n * <p>Thread safety: any thread; the library serializes the calls on one Wal. close() waits for the calls in progress; a call after close() throws IllegalStateException.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_wal_read_txn "/**\n * A read transaction on a {@link Wal} ({@link Wal#beginRead}): pins the Wal's last commit as of beginRead, so every read through it sees that commit (pages, page count, application header) whatever the Wal commits or checkpoints meanwhile; staged changes are never seen. Close it promptly (try-with-resources): while it is open and older than the last commit, checkpoints leave the WAL's frames in place.\n *\n * <p>Thread safety: any thread; several threads may read through one transaction at once (the library serializes the calls with the Wal's). close() waits for the calls in progress; a call after close() throws IllegalStateException(\"ReadTxn is closed\"). It may outlive its Wal: after the Wal's close() its calls throw IllegalStateException(\"Wal is closed\") whose cause is the library's INVALID. A forgotten transaction is freed by the Cleaner.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_file "/**\n * A mapped page file (pager_file): allocate, free, read and write fixed-size pages, protected pages through {@link FileTxn}, sub-pages through {@link FileSubpages}.\n *\n * <p>Thread safety: any thread; calls on one file may run concurrently (the library serializes what must be). close() waits for the calls in progress; a call after close() throws IllegalStateException.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_file_txn "/**\n * A write transaction over protected pages of a {@link PageFile} ({@link PageFile#begin}): all pages commit at once; close() without commit() aborts.\n *\n * <p>Thread safety: calls on one transaction are serialized by the library; use it from one thread at a time for a predictable order.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_file_iter "/**\n * An iterator over the page ids of a {@link PageFile} (used by {@link PageFile#pageIds}).\n *\n * <p>Thread safety: calls on one iterator are serialized; close() waits for the calls in progress.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_file_subpages "/**\n * A sub-page allocator over a {@link PageFile} ({@link PageFile#subpages}): power-of-two slots inside the pages of the file.\n *\n * <p>Thread safety: any thread; calls are serialized by the library. Close it before its file.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_walseg_writer "/**\n * The appending side of a WAL segment log directory (pager_walseg_writer). close() writes staged records, syncs and throws the status of that last flush.\n *\n * <p>Thread safety: calls on one writer are serialized by the library; close() waits for the calls in progress.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_walseg_reader "/**\n * Reads the records of one WAL segment file (pager_walseg_reader); payloads are copied into {@link WalsegEntry}.\n *\n * <p>Thread safety: calls on one reader are serialized by the library.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_walseg_replay "/**\n * Replays the records of a WAL segment log directory in LSN order (pager_walseg_replay).\n *\n * <p>Thread safety: next() takes the replay exclusively; calls from several threads are serialized.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cold "/**\n * A cold pager (pager_cold): pages buffers out to swap or scratch files and back. Its {@link ColdHandle}s outlive it.\n *\n * <p>Thread safety: any thread; pageouts on one pager run in parallel. close() waits for the calls in progress.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cold_handle "/**\n * Paged-out bytes ({@link ColdPager#pageout}): read ranges back, or take the whole content ({@link #take}, {@link #takeBuffer}), which frees the handle.\n *\n * <p>Thread safety: reads may run concurrently; take, takeBuffer and close wait for them and are exclusive.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cold_buffer "/**\n * The content of a taken {@link ColdHandle} ({@link ColdHandle#takeBuffer}), owned by the caller until close().\n *\n * <p>Thread safety: reads may run concurrently; close() waits for them.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_refengine "/**\n * The reference KV-cache engine shipped with libpager (pager_refengine): slots of K/V pages and sequences; captured and restored as snapshots.\n *\n * <p>Thread safety: any thread; the library serializes calls on one engine. close() waits for the calls in progress.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_file_options "/**\n * The C struct {@code pager_file_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_wal_options "/**\n * The C struct {@code pager_wal_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_wal_checkpoint_options "/**\n * The C struct {@code pager_wal_checkpoint_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_wal_stats "/**\n * The C struct {@code pager_wal_stats} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_file_stats "/**\n * The C struct {@code pager_file_stats} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_walseg_options "/**\n * The C struct {@code pager_walseg_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_walseg_reader_options "/**\n * The C struct {@code pager_walseg_reader_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_walseg_record "/**\n * The C struct {@code pager_walseg_record} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cold_pageout_options "/**\n * The C struct {@code pager_cold_pageout_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cold_stats "/**\n * The C struct {@code pager_cold_stats} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cold_backend_stats "/**\n * The C struct {@code pager_cold_backend_stats} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_cache_meta "/**\n * The C struct {@code pager_cache_meta} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_refengine_stats "/**\n * The C struct {@code pager_refengine_stats} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_snapshot_info "/**\n * The C struct {@code pager_snapshot_info} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_snapshot_options "/**\n * The C struct {@code pager_snapshot_options} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"
%typemap(javaclassmodifiers) struct pager_check_report "/**\n * The C struct {@code pager_check_report} as a Java object over native memory: set or read its fields and pass it to the calls that take it; close() frees it (else the Cleaner does, once it is unreachable).\n *\n * <p>Thread safety: not synchronized; use one instance from one thread at a time.\n */\npublic class"

/* The two %extend setters that can fail (PAGER_ERR_NOMEM only) throw like every other call
 * instead of returning a C code to Java: void addKnownType(int), void setParentPath(String). */
%typemap(jstype) int add_known_type, int set_parent_path "void"
%typemap(javaout) int add_known_type, int set_parent_path {
    int rc = $jnicall;
    if (rc != 0) throw PagerException.of(rc, "could not grow the options");
  }
