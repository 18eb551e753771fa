/*
 * java_cleaner.i -- Java only, %include-d by pager.i before its macros (which apply these to
 * every handle and struct): a java.lang.ref.Cleaner for every proxy that owns native memory
 * (dev.libpager.NativeCleaner). A proxy forgotten without close() is freed once it becomes
 * unreachable; close() frees through the same NativeCleaner.Ref, so never twice.
 */

/* %pager_java_cleaner(TYPE): the proxy body of TYPE registers owning instances. Its delete()
 * calls swigFreeNative() instead of the JNI delete, and a consuming call swigForgetNative(). */
%define %pager_java_cleaner(TYPE)
%typemap(javabody) struct TYPE %{
  private transient long swigCPtr;
  protected transient boolean swigCMemOwn;
  /** Frees the native object if this proxy is collected while it owns it (null: not owning). */
  private transient NativeCleaner.Ref swigCleaner;
  /** The struct this one is embedded in (kept reachable while this view is). */
  private transient Object swigParent;

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

  /** Marks this proxy as a view into parent (an embedded struct), keeping parent reachable. */
  $javaclassname swigKeepParent(Object parent) {
    swigParent = parent;
    return this;
  }
%}
%enddef

/* Embedded structs (pager_cold_stats.swap/.file, pager_snapshot_info.meta): the view keeps
 * its parent reachable, so the parent's cleaner cannot free the memory under it. */
%typemap(javaout) pager_cold_backend_stats *swap, pager_cold_backend_stats *file,
                  pager_cache_meta *meta {
    long cPtr = $jnicall;
    return (cPtr == 0) ? null : new $javaclassname(cPtr, $owner).swigKeepParent(this);
  }
