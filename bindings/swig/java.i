/*
 * java.i -- the Java-only part of the SWIG interface, %include-d by pager.i (SWIGJAVA only)
 * after its component sections (so every handle's lock typemaps apply here too). pager.i
 * keeps what Go and Java share; this file adds, per component:
 *   - zero-copy variants taking a direct java.nio.ByteBuffer ([position, limit), the
 *     position is not moved) next to the byte[] ones, through pagerswig_java_*_nio helpers
 *     (one native call each, GetDirectBufferAddress: no copy on the Java side);
 *   - java.nio.file.Path overloads of every call taking a path;
 *   - public idiomatic methods for what was reachable only through the raw (now
 *     package-private) Pager statics: checks, snapshot inspect/verify, sub-pages, ...;
 *   - the bindings pager.i leaves out: snapshot progress/cancel and capture_fd, the owned
 *     pageout (a direct ByteBuffer adopted by the library) and taken buffers.
 * JNI callbacks (progress, the owned buffer's free function) may run on a thread the JVM does
 * not know: they attach it (as a daemon) and detach it again, hold only global references
 * across calls, and turn a Java exception into an error code (rethrown after the call).
 */

%{
/* The JavaVM, for callbacks on threads that are not attached (set by every helper below
 * that installs a callback, before the callback can run). */
static JavaVM *pagerj_vm;

static void PagerJ_RememberVm(JNIEnv *env) {
  if (!pagerj_vm) (*env)->GetJavaVM(env, &pagerj_vm);
}

/* The JNIEnv of this thread; *attached = 1 if this call attached it (detach with
 * PagerJ_Release). NULL if the thread cannot be attached. */
static JNIEnv *PagerJ_Env(int *attached) {
  JNIEnv *env = NULL;
  *attached = 0;
  if (!pagerj_vm) return NULL;
  if ((*pagerj_vm)->GetEnv(pagerj_vm, (void **)&env, JNI_VERSION_1_8) == JNI_OK) return env;
  if ((*pagerj_vm)->AttachCurrentThreadAsDaemon(pagerj_vm, (void **)&env, NULL) != JNI_OK) return NULL;
  *attached = 1;
  return env;
}

static void PagerJ_Release(int attached) {
  if (attached) (*pagerj_vm)->DetachCurrentThread(pagerj_vm);
}
%}

/* ---- NIO variants (byte ranges of direct ByteBuffers) --------------------------------- */
%apply (void *NIOBUFFER, uint64_t CAPACITY) { (void *nio_dst, uint64_t nio_dst_len) }
%apply (const void *NIOBUFFER, uint64_t LENGTH) { (const void *nio_src, uint64_t nio_src_len) }
%pager_status(pagerswig_java_wal_read_page_nio)
%pager_status(pagerswig_java_wal_stage_page_nio)
%pager_status(pagerswig_java_wal_read_txn_read_page_nio)
%pager_status(pagerswig_java_file_page_read_nio)
%pager_status(pagerswig_java_file_page_write_nio)
%pager_status(pagerswig_java_subpage_read_nio)
%pager_status(pagerswig_java_subpage_write_nio)
%pager_status(pagerswig_java_walseg_append_nio)
%pager_status(pagerswig_java_cold_read_at_nio)
%pager_factory(pagerswig_java_cold_pageout_nio, pager_cold_handle)
%pager_status(pagerswig_java_subpage_read)
%pager_status(pagerswig_java_subpage_write)
%apply uint64_t *OUT { uint64_t *lsn_out }
%inline %{
int pagerswig_java_wal_read_page_nio(pager_wal *h, uint32_t page_number, void *nio_dst,
                                     uint64_t nio_dst_len) {
  return pager_wal_read_page(h, page_number, nio_dst, nio_dst_len);
}
int pagerswig_java_wal_read_txn_read_page_nio(pager_wal_read_txn *txn, uint32_t page_number,
                                              void *nio_dst, uint64_t nio_dst_len) {
  return pager_wal_read_txn_read_page(txn, page_number, nio_dst, nio_dst_len);
}
int pagerswig_java_wal_stage_page_nio(pager_wal *h, uint32_t page_number, const void *nio_src,
                                      uint64_t nio_src_len) {
  return pager_wal_stage_page(h, page_number, nio_src, nio_src_len);
}
int pagerswig_java_file_page_read_nio(pager_file *f, uint64_t page_id, uint64_t offset,
                                      void *nio_dst, uint64_t nio_dst_len) {
  return pagerswig_file_page_read(f, page_id, offset, nio_dst, nio_dst_len);
}
int pagerswig_java_file_page_write_nio(pager_file *f, uint64_t page_id, uint64_t offset,
                                       const void *nio_src, uint64_t nio_src_len) {
  return pagerswig_file_page_write(f, page_id, offset, nio_src, nio_src_len);
}
int pagerswig_java_subpage_read(pager_file_subpages *s, uint64_t id, uint64_t offset,
                                void *dst, uint64_t dst_len) {
  return pagerswig_file_subpage_read(s, id, offset, dst, dst_len);
}
int pagerswig_java_subpage_write(pager_file_subpages *s, uint64_t id, uint64_t offset,
                                 const void *src, uint64_t src_len) {
  return pagerswig_file_subpage_write(s, id, offset, src, src_len);
}
int pagerswig_java_subpage_read_nio(pager_file_subpages *s, uint64_t id, uint64_t offset,
                                    void *nio_dst, uint64_t nio_dst_len) {
  return pagerswig_file_subpage_read(s, id, offset, nio_dst, nio_dst_len);
}
int pagerswig_java_subpage_write_nio(pager_file_subpages *s, uint64_t id, uint64_t offset,
                                     const void *nio_src, uint64_t nio_src_len) {
  return pagerswig_file_subpage_write(s, id, offset, nio_src, nio_src_len);
}
int pagerswig_java_walseg_append_nio(pager_walseg_writer *w, uint16_t type, const void *nio_src,
                                     uint64_t nio_src_len, uint64_t *lsn_out) {
  return pager_walseg_append(w, type, nio_src, nio_src_len, lsn_out);
}
int pagerswig_java_cold_read_at_nio(const pager_cold_handle *h, uint64_t offset, void *nio_dst,
                                    uint64_t nio_dst_len) {
  return pager_cold_read_at(h, offset, nio_dst, nio_dst_len);
}
int pagerswig_java_cold_pageout_nio(pager_cold *c, uint32_t backend, const void *nio_src,
                                    uint64_t nio_src_len, const pager_cold_pageout_options *opts,
                                    pager_cold_handle **out) {
  return pagerswig_cold_pageout(c, backend, nio_src, nio_src_len, opts, out);
}
%}

/* ---- snapshot: progress/cancel, capture_fd, engines with progress --------------------- */
/* A SnapshotProgress listener crosses as a global reference; its exception (or a false
 * return) cancels the operation; the exception is rethrown when the call returns. */
%typemap(jni) jobject PROGRESS "jobject"
%typemap(jtype) jobject PROGRESS "SnapshotProgress"
%typemap(jstype) jobject PROGRESS "SnapshotProgress"
%typemap(javain) jobject PROGRESS "$javainput"
%typemap(in) jobject PROGRESS "$1 = $input;"
%apply jobject PROGRESS { jobject progress }
%typemap(jni) jobject FDOBJ "jobject"
%typemap(jtype) jobject FDOBJ "java.io.FileDescriptor"
%typemap(jstype) jobject FDOBJ "java.io.FileDescriptor"
%typemap(javain) jobject FDOBJ "$javainput"
%typemap(in) jobject FDOBJ "$1 = $input;"
%apply jobject FDOBJ { jobject fd_object }
%javamethodmodifiers pagerswig_java_snapshot_refengine "";
%javamethodmodifiers pagerswig_java_snapshot_engine "";
%javamethodmodifiers pagerswig_java_snapshot_verify "";
%pager_status(pagerswig_java_snapshot_refengine)
%pager_status(pagerswig_java_snapshot_engine)
%pager_status(pagerswig_java_snapshot_verify)
%pager_status(pagerswig_java_fd_of)
%apply uint32_t *OUT { uint32_t *fd_out }
%{
#include <pthread.h>
typedef struct PagerJProgress {
  jobject listener;   /* global ref, NULL: no listener */
  jmethodID method;   /* boolean onProgress(long, long) */
  jthrowable pending; /* global ref: the listener's exception, rethrown after the call */
  pthread_mutex_t mu; /* guards pending (the library may report from a worker thread) */
} PagerJProgress;

static int PagerJ_OnProgress(void *ctx, uint64_t done, uint64_t total) {
  PagerJProgress *p = (PagerJProgress *)ctx;
  int attached, stop;
  JNIEnv *env = PagerJ_Env(&attached);
  if (!env) return 1; /* cannot reach Java: cancel */
  stop = !(*env)->CallBooleanMethod(env, p->listener, p->method, (jlong)done, (jlong)total);
  if ((*env)->ExceptionCheck(env)) {
    jthrowable t = (*env)->ExceptionOccurred(env);
    (*env)->ExceptionClear(env);
    pthread_mutex_lock(&p->mu);
    if (!p->pending) p->pending = (jthrowable)(*env)->NewGlobalRef(env, t);
    pthread_mutex_unlock(&p->mu);
    (*env)->DeleteLocalRef(env, t);
    stop = 1;
  }
  PagerJ_Release(attached);
  return stop;
}

/* *local = *opts (or the defaults) with the listener installed. 0, or a code (exception
 * pending for a bad listener class). */
static int PagerJ_ProgressBegin(JNIEnv *env, const pager_snapshot_options *opts, jobject listener,
                                pager_snapshot_options *local, PagerJProgress *p) {
  jclass cls;
  memset(p, 0, sizeof *p);
  if (opts) *local = *opts;
  else pager_snapshot_options_init(local);
  if (!listener) return PAGER_OK;
  cls = (*env)->GetObjectClass(env, listener);
  p->method = (*env)->GetMethodID(env, cls, "onProgress", "(JJ)Z");
  (*env)->DeleteLocalRef(env, cls);
  if (!p->method) return PAGER_ERR_INVALID;
  p->listener = (*env)->NewGlobalRef(env, listener);
  if (!p->listener) return PAGER_ERR_NOMEM;
  pthread_mutex_init(&p->mu, NULL);
  PagerJ_RememberVm(env);
  local->progress = PagerJ_OnProgress;
  local->progress_ctx = p;
  return PAGER_OK;
}

/* Drops the listener; rethrows its exception (the ret typemap then throws nothing more). */
static void PagerJ_ProgressEnd(JNIEnv *env, PagerJProgress *p) {
  if (!p->listener) return;
  (*env)->DeleteGlobalRef(env, p->listener);
  pthread_mutex_destroy(&p->mu);
  if (p->pending) {
    (*env)->Throw(env, p->pending);
    (*env)->DeleteGlobalRef(env, p->pending);
  }
}

/* op: 0 capture to path, 1 restore from path, 2 capture to fd. */
static int PagerJ_Snapshot(const pager_cache_ops *ops, int op, const char *path, int fd,
                           const pager_snapshot_options *opts) {
  if (op == 1) return pager_snapshot_restore(ops, path, opts);
  if (op == 2) return pager_snapshot_capture_fd(ops, fd, opts);
  return pager_snapshot_capture(ops, path, opts);
}
%}
%inline %{
/* The int descriptor of a java.io.FileDescriptor (JNI reads its private field). INVALID for
 * null or a closed descriptor. */
int pagerswig_java_fd_of(JNIEnv *env, jobject fd_object, uint32_t *fd_out) {
  jclass cls;
  jfieldID fid;
  jint fd;
  if (!fd_object) return PAGER_ERR_INVALID;
  cls = (*env)->GetObjectClass(env, fd_object);
  fid = (*env)->GetFieldID(env, cls, "fd", "I");
  (*env)->DeleteLocalRef(env, cls);
  if (!fid) return PAGER_ERR_INVALID; /* NoSuchFieldError pending */
  fd = (*env)->GetIntField(env, fd_object, fid);
  if (fd < 0) return PAGER_ERR_INVALID;
  *fd_out = (uint32_t)fd;
  return PAGER_OK;
}
/* Capture (op 0), restore (op 1) or capture to fd (op 2) of a reference engine, with the
 * listener progress (may be null). */
int pagerswig_java_snapshot_refengine(JNIEnv *env, pager_refengine *engine, int op,
                                      const char *path, int fd,
                                      const pager_snapshot_options *opts, jobject progress) {
  pager_cache_ops ops;
  pager_snapshot_options local;
  PagerJProgress p;
  int rc = PagerJ_ProgressBegin(env, opts, progress, &local, &p);
  if (rc != PAGER_OK) return rc;
  memset(&ops, 0, sizeof ops);
  rc = pager_refengine_ops(engine, &ops);
  if (rc == PAGER_OK) rc = PagerJ_Snapshot(&ops, op, path, fd, &local);
  PagerJ_ProgressEnd(env, &p);
  return rc;
}
/* The same through a Java SnapshotEngine (JNI trampolines of pager.i's snapshot section);
 * releases = 1 sets release_pages. */
int pagerswig_java_snapshot_engine(JNIEnv *env, jobject engine, int op, int releases,
                                   const char *path, int fd, const pager_snapshot_options *opts,
                                   jobject progress) {
  PagerJEngine c;
  pager_cache_ops ops;
  pager_snapshot_options local;
  PagerJProgress p;
  int rc;
  if (!engine) return PAGER_ERR_INVALID;
  rc = PagerJ_ProgressBegin(env, opts, progress, &local, &p);
  if (rc != PAGER_OK) return rc;
  c.env = env;
  c.engine = engine;
  c.cls = (*env)->GetObjectClass(env, engine);
  c.pending = NULL;
  memset(&ops, 0, sizeof ops);
  ops.struct_size = sizeof ops;
  ops.ctx = &c;
  ops.meta = PagerJ_meta;
  ops.pause = PagerJ_pause;
  ops.resume = PagerJ_resume;
  ops.occupied_pages = PagerJ_occupied;
  ops.logical_seqs = PagerJ_seqs;
  ops.read_page = PagerJ_read;
  ops.allocate_pages = PagerJ_alloc;
  ops.write_page = PagerJ_write;
  ops.install_logical_seqs = PagerJ_install;
  if (releases) ops.release_pages = PagerJ_release;
  rc = PagerJ_Snapshot(&ops, op, path, fd, &local);
  if (c.pending) {
    (*env)->Throw(env, c.pending);
    (*env)->DeleteGlobalRef(env, c.pending);
  }
  (*env)->DeleteLocalRef(env, c.cls);
  if ((*env)->ExceptionCheck(env)) { /* the engine's exception wins over the listener's */
    if (p.pending) (*env)->DeleteGlobalRef(env, p.pending);
    p.pending = NULL;
  }
  PagerJ_ProgressEnd(env, &p);
  return rc;
}
/* pager_snapshot_verify with a progress listener (may be null). */
int pagerswig_java_snapshot_verify(JNIEnv *env, const char *path,
                                   const pager_snapshot_options *opts, jobject progress) {
  pager_snapshot_options local;
  PagerJProgress p;
  int rc = PagerJ_ProgressBegin(env, opts, progress, &local, &p);
  if (rc != PAGER_OK) return rc;
  rc = pager_snapshot_verify(path, &local);
  PagerJ_ProgressEnd(env, &p);
  return rc;
}
%}

/* ---- cold reap and snapshot list: C callbacks calling a Java sink ------------------- */
/* pager_cold_reap and pager_snapshot_list call their callbacks on the calling thread, inside
 * the call: each entry is handed to a package-private dev.libpager.NativeSink over JNI at
 * once (the C strings and arrays are valid during the callback only, so they are copied into
 * Java objects there). A Java exception in the sink (OutOfMemoryError) stops the listing (the
 * callback returns 1); it stays pending, so the ret typemap raises nothing more. */
%typemap(jni) jobject SINK "jobject"
%typemap(jtype) jobject SINK "NativeSink"
%typemap(jstype) jobject SINK "NativeSink"
%typemap(javain) jobject SINK "$javainput"
%typemap(in) jobject SINK "$1 = $input;"
%apply jobject SINK { jobject sink }
%javamethodmodifiers pagerswig_java_cold_reap "";
%javamethodmodifiers pagerswig_java_snapshot_list "";
%pager_status(pagerswig_java_cold_reap)
%pager_status(pagerswig_java_snapshot_list)
%{
typedef struct PagerJSink {
  JNIEnv *env;
  jobject sink;
  jmethodID scratch, page, seq;
} PagerJSink;

/* 0, or PAGER_ERR_INVALID with NoSuchMethodError pending (a sink class out of step). */
static int PagerJ_SinkBegin(JNIEnv *env, jobject sink, PagerJSink *k) {
  jclass cls;
  memset(k, 0, sizeof *k);
  k->env = env;
  k->sink = sink;
  cls = (*env)->GetObjectClass(env, sink);
  k->scratch = (*env)->GetMethodID(env, cls, "scratch", "(Ljava/lang/String;I)V");
  k->page = k->scratch ? (*env)->GetMethodID(env, cls, "page", "(JIIJJJJJ)V") : NULL;
  k->seq = k->page ? (*env)->GetMethodID(env, cls, "seq", "([B[II)V") : NULL;
  (*env)->DeleteLocalRef(env, cls);
  return k->seq ? PAGER_OK : PAGER_ERR_INVALID;
}

static int PagerJ_SinkScratch(void *ctx, const char *lock_path, uint32_t state) {
  PagerJSink *k = (PagerJSink *)ctx;
  JNIEnv *env = k->env;
  jstring path = (*env)->NewStringUTF(env, lock_path);
  if (!path) return 1;
  (*env)->CallVoidMethod(env, k->sink, k->scratch, path, (jint)state);
  (*env)->DeleteLocalRef(env, path);
  return (*env)->ExceptionCheck(env) ? 1 : 0;
}

static int PagerJ_SinkPage(void *ctx, const pager_snapshot_page *page) {
  PagerJSink *k = (PagerJSink *)ctx;
  JNIEnv *env = k->env;
  pager_snapshot_page p;
  memset(&p, 0, sizeof p);
  memcpy(&p, page, page->struct_size < sizeof p ? page->struct_size : sizeof p); /* C8 */
  (*env)->CallVoidMethod(env, k->sink, k->page, (jlong)p.index, (jint)p.engine_page,
                         (jint)p.flags, (jlong)p.offset_bytes, (jlong)p.stored_bytes,
                         (jlong)p.stored_checksum, (jlong)p.content_hash_lo,
                         (jlong)p.content_hash_hi);
  return (*env)->ExceptionCheck(env) ? 1 : 0;
}

static int PagerJ_SinkSeq(void *ctx, const pager_snapshot_seq *seq) {
  PagerJSink *k = (PagerJSink *)ctx;
  JNIEnv *env = k->env;
  jbyteArray id;
  jintArray pages;
  if (seq->id_bytes > 0x7fffffff || seq->page_count > 0x7fffffff) return 1;
  id = (*env)->NewByteArray(env, (jsize)seq->id_bytes);
  if (!id) return 1;
  pages = (*env)->NewIntArray(env, (jsize)seq->page_count);
  if (!pages) { (*env)->DeleteLocalRef(env, id); return 1; }
  if (seq->id_bytes) (*env)->SetByteArrayRegion(env, id, 0, (jsize)seq->id_bytes, (const jbyte *)seq->id);
  if (seq->page_count) (*env)->SetIntArrayRegion(env, pages, 0, (jsize)seq->page_count, (const jint *)seq->pages);
  (*env)->CallVoidMethod(env, k->sink, k->seq, id, pages, (jint)seq->fill_last_page);
  (*env)->DeleteLocalRef(env, id);
  (*env)->DeleteLocalRef(env, pages);
  return (*env)->ExceptionCheck(env) ? 1 : 0;
}
%}
%inline %{
/* pager_cold_reap, each entry to sink.scratch(lockPath, state). */
int pagerswig_java_cold_reap(JNIEnv *env, const char *root, uint32_t remove, jobject sink) {
  PagerJSink k;
  int rc = PagerJ_SinkBegin(env, sink, &k);
  return rc != PAGER_OK ? rc : pager_cold_reap(root, remove, PagerJ_SinkScratch, &k);
}
/* pager_snapshot_list, each page-table entry to sink.page(...), each sequence to sink.seq(...). */
int pagerswig_java_snapshot_list(JNIEnv *env, const char *path, jobject sink) {
  PagerJSink k;
  int rc = PagerJ_SinkBegin(env, sink, &k);
  return rc != PAGER_OK ? rc : pager_snapshot_list(path, PagerJ_SinkPage, PagerJ_SinkSeq, &k);
}
%}

/* ---- cold: owned pageout (a direct ByteBuffer adopted) and taken buffers -------------- */
%typemap(jni) jobject OWNEDBUF "jobject"
%typemap(jtype) jobject OWNEDBUF "java.nio.ByteBuffer"
%typemap(jstype) jobject OWNEDBUF "java.nio.ByteBuffer"
%typemap(javain) jobject OWNEDBUF "$javainput"
%typemap(in) jobject OWNEDBUF "$1 = $input;"
%apply jobject OWNEDBUF { jobject owned_buffer }
%pager_factory(pagerswig_java_cold_pageout_owned, pager_cold_handle)
%pager_handle(pager_cold_buffer, pager_cold_buffer_free)
%pager_factory(pagerswig_java_cold_take_buffer, pager_cold_buffer)
%javamethodmodifiers pagerswig_java_cold_take_buffer "";
%pager_status(pagerswig_java_cold_buffer_len)
%pager_status(pagerswig_java_cold_buffer_read)
%pager_status(pagerswig_java_cold_buffer_read_nio)
%apply uint64_t *OUT { uint64_t *len_out }
%fragment("PagerSwigNio");
%{
/* The free function of an adopted ByteBuffer: drops the global reference that kept it
 * alive (on whatever thread the library releases it; attached for the call if needed). */
static void PagerJ_FreeOwned(void *ctx, void *data, uint64_t len) {
  int attached;
  JNIEnv *env;
  (void)data;
  (void)len;
  if (!ctx) return;
  env = PagerJ_Env(&attached);
  if (!env) return; /* the JVM is gone: nothing to release */
  (*env)->DeleteGlobalRef(env, (jobject)ctx);
  PagerJ_Release(attached);
}
%}
%inline %{
/* pager_cold_pageout_owned of [position, limit) of a direct ByteBuffer, which the library
 * keeps (a global reference) until the handle is freed or taken (swap backend), or until
 * this call returns (file backend). */
int pagerswig_java_cold_pageout_owned(JNIEnv *env, pager_cold *c, uint32_t backend,
                                      jobject owned_buffer, const pager_cold_pageout_options *opts,
                                      pager_cold_handle **out) {
  pager_cold_owned_chunk chunk;
  char *base = NULL;
  jlong len = 0;
  jobject ref = NULL;
  int rc;
  if (!PagerSwig_DirectRange(env, owned_buffer, &base, &len)) return PAGER_ERR_INVALID;
  PagerJ_RememberVm(env);
  if (owned_buffer) {
    ref = (*env)->NewGlobalRef(env, owned_buffer);
    if (!ref) return PAGER_ERR_NOMEM;
  }
  chunk.data = base;
  chunk.len = (uint64_t)len;
  chunk.free_fn = PagerJ_FreeOwned;
  chunk.free_ctx = ref;
  rc = pager_cold_pageout_owned(c, backend, &chunk, 1, opts, out);
  if (rc != PAGER_OK && ref) (*env)->DeleteGlobalRef(env, ref); /* no free_fn ran */
  return rc;
}
int pagerswig_java_cold_take_buffer(pager_cold_handle *h, pager_cold_buffer **out) {
  return pager_cold_take_buffer(h, out);
}
/* INVALID for a NULL buffer, else its length. */
int pagerswig_java_cold_buffer_len(const pager_cold_buffer *b, uint64_t *len_out) {
  if (!b) return PAGER_ERR_INVALID;
  *len_out = pager_cold_buffer_len(b);
  return PAGER_OK;
}
/* Copies [offset, offset + dst_len) of a taken buffer into dst (RANGE past its end). */
int pagerswig_java_cold_buffer_read(const pager_cold_buffer *b, uint64_t offset, void *dst,
                                    uint64_t dst_len) {
  uint64_t n;
  if (!b) return PAGER_ERR_INVALID;
  n = pager_cold_buffer_len(b);
  if (offset > n || dst_len > n - offset) return PAGER_ERR_RANGE;
  if (dst_len) memcpy(dst, (const char *)pager_cold_buffer_data(b) + offset, (size_t)dst_len);
  return PAGER_OK;
}
int pagerswig_java_cold_buffer_read_nio(const pager_cold_buffer *b, uint64_t offset,
                                        void *nio_dst, uint64_t nio_dst_len) {
  return pagerswig_java_cold_buffer_read(b, offset, nio_dst, nio_dst_len);
}
%}

/* ---- idiomatic Java methods (merged with pager.i's %extend blocks) -------------------- */
%extend pager_wal {
%proxycode %{
  /** {@link #create(String, WalOptions)} with a {@link java.nio.file.Path}. */
  public static Wal create(java.nio.file.Path path, WalOptions opts) { return create(path.toString(), opts); }
  /** {@link #open(String, WalOptions)} with a {@link java.nio.file.Path}. */
  public static Wal open(java.nio.file.Path path, WalOptions opts) { return open(path.toString(), opts); }
  /** Reads the page into dst's [position, limit) (exactly one page; a direct buffer, no
   * copy on the Java side; the position is not moved). */
  public void readPage(long page, java.nio.ByteBuffer dst) { Pager.pagerswigJavaWalReadPageNio(this, page, dst); }
  /** Stages src's [position, limit) (exactly one page, a direct buffer) as the page's content. */
  public void stagePage(long page, java.nio.ByteBuffer src) { Pager.pagerswigJavaWalStagePageNio(this, page, src); }
  /**
   * Starts a read transaction pinning the last commit (snapshot isolation against later
   * commits and checkpoints of this Wal). Close it (try-with-resources); it may be used from
   * several threads at once.
   */
  /** Holds this Wal shared during a call of one of its ReadTxns, closed or not (pager.h:
   * pager_wal_close must not run during another call; after close the library answers). */
  void holdForReadTxn() { swigGuard.readLock().lock(); }
  /** Ends the hold of holdForReadTxn. */
  void releaseForReadTxn() { swigGuard.readLock().unlock(); }
  public ReadTxn beginRead() {
    int size = pageSize();
    ReadTxn t = Pager.walReadTxnBegin(this);
    t.wal = this;
    t.pageSize = size;
    return t;
  }
%}
}

%extend pager_wal_read_txn {
%proxycode %{
  /** The Wal of beginRead (null for a raw Pager.walReadTxnBegin): its close() makes the
   * library answer INVALID "closed", which the methods below throw as IllegalStateException. */
  Wal wal;
  /** The Wal's page size (fixed for the life of the handle). */
  int pageSize;
  /** Runs body holding the Wal shared (its close() waits for the call; lock order: the Wal,
   * then this transaction). */
  private <T> T call(java.util.function.Supplier<T> body) {
    if (wal == null) return body.get();
    wal.holdForReadTxn();
    try {
      return body.get();
    } catch (PagerException e) {
      if (e.code() == ErrorCode.INVALID && !wal.isOpen()) {
        throw new IllegalStateException("Wal is closed", e);
      }
      throw e;
    } finally {
      wal.releaseForReadTxn();
    }
  }
  private void run(Runnable body) { call(() -> { body.run(); return null; }); }
  /** The page count of the transaction's commit (page 0 counted). */
  public long pageCount() { long[] v = new long[1]; run(() -> Pager.walReadTxnPageCount(this, v)); return v[0]; }
  /** A new array with the page's content as of the transaction's commit (NotFoundException at
   * or past pageCount(), RESERVED for page 0). */
  public byte[] readPage(long page) { byte[] b = new byte[pageSize]; readPage(page, b); return b; }
  /** Reads the page as of the transaction's commit into dst (dst.length must be the page size). */
  public void readPage(long page, byte[] dst) { run(() -> Pager.walReadTxnReadPage(this, page, dst)); }
  /** Reads the page into dst's [position, limit) (exactly one page, a direct buffer; the
   * position is not moved). */
  public void readPage(long page, java.nio.ByteBuffer dst) { run(() -> Pager.pagerswigJavaWalReadTxnReadPageNio(this, page, dst)); }
  /** The application header of the transaction's commit (WAL_APP_HEADER_SIZE bytes). */
  public byte[] readAppHeader() {
    byte[] b = new byte[PagerConstants.WAL_APP_HEADER_SIZE];
    run(() -> Pager.walReadTxnReadAppHeader(this, b));
    return b;
  }
%}
}

%extend pager_file {
%proxycode %{
  /** {@link #create(String, FileOptions)} with a {@link java.nio.file.Path}. */
  public static PageFile create(java.nio.file.Path path, FileOptions opts) { return create(path.toString(), opts); }
  /** {@link #open(String, FileOptions)} with a {@link java.nio.file.Path}. */
  public static PageFile open(java.nio.file.Path path, FileOptions opts) { return open(path.toString(), opts); }
  /** RANGE (with a message) unless [offset, offset + len) lies inside size bytes. */
  static void checkSpan(long offset, long len, long size, String what) {
    if (offset < 0 || offset > size || len > size - offset) {
      throw new PagerException(ErrorCode.RANGE,
          "bytes [" + offset + ", " + (offset + len) + ") are outside a " + size + "-byte " + what);
    }
  }
  /** Copies the page's bytes [offset, offset + dst.remaining()) into the direct buffer dst
   * (position not moved). */
  public void read(long pageId, long offset, java.nio.ByteBuffer dst) { span(offset, dst.remaining()); Pager.pagerswigJavaFilePageReadNio(this, pageId, offset, dst); }
  /** Copies the direct buffer src's remaining bytes into the page at offset (durable after
   * syncPages; position not moved). */
  public void write(long pageId, long offset, java.nio.ByteBuffer src) { span(offset, src.remaining()); Pager.pagerswigJavaFilePageWriteNio(this, pageId, offset, src); }
  /** Allocates count protected pages in one commit. */
  public long[] protectedAllocBulk(int count) { long[] ids = new long[count]; Pager.fileProtectedAllocBulk(this, ids); return ids; }
  /** Frees protected pages, all or nothing. */
  public void protectedFreeBulk(long[] ids) { Pager.fileProtectedFreeBulk(this, ids); }
  /** A new sub-page allocator over this file (subPageSize a power of two giving 1..64
   * sub-pages per page); close it before the file. */
  public FileSubpages subpages(int subPageSize) {
    FileSubpages s = Pager.fileSubpagesCreate(this, subPageSize);
    s.file = this;
    return s;
  }
%}
}

%extend pager_file_subpages {
%proxycode %{
  /** The file of PageFile.subpages(): every call also holds the file's shared lock, so a
   * concurrent PageFile.close() waits for it (a sub-page copy reads the file's mapping), and
   * after it the calls throw IllegalStateException("PageFile is closed"). It also keeps the
   * file reachable (its Cleaner cannot close it under this allocator). */
  PageFile file;
  private <T> T withFile(java.util.function.Supplier<T> body) {
    PageFile.swigEnter(file);
    try {
      return body.get();
    } finally {
      PageFile.swigExit(file);
    }
  }
  private void run(Runnable body) { withFile(() -> { body.run(); return null; }); }
  private long one(java.util.function.Consumer<long[]> call) {
    long[] v = new long[1];
    run(() -> call.accept(v));
    return v[0];
  }
  private void span(long offset, long len) { PageFile.checkSpan(offset, len, subPageSize(), "sub-page"); }
  /** Bytes per sub-page. */
  public int subPageSize() { return (int) one(v -> Pager.fileSubpagesSubPageSize(this, v)); }
  /** Sub-pages per parent page. */
  public int slotCount() { return (int) one(v -> Pager.fileSubpagesSlotCount(this, v)); }
  /** Allocated sub-pages. */
  public long count() { return one(v -> Pager.fileSubpageCount(this, v)); }
  /** Allocates one sub-page; returns its id. */
  public long alloc() { return one(v -> Pager.fileSubpageAlloc(this, v)); }
  /** Allocates count sub-pages, all or nothing. */
  public long[] allocBulk(int count) { long[] ids = new long[count]; run(() -> Pager.fileSubpageAllocBulk(this, ids)); return ids; }
  /** Frees one sub-page. */
  public void free(long id) { run(() -> Pager.fileSubpageFree(this, id)); }
  /** Frees sub-pages, all or nothing. */
  public void freeBulk(long[] ids) { run(() -> Pager.fileSubpageFreeBulk(this, ids)); }
  /** Marks sub-pages as used (rebuilding the allocator's state after reopening the file). */
  public void markUsed(long[] ids) { run(() -> Pager.fileSubpageMarkUsed(this, ids)); }
  /** Copies the sub-page's bytes [offset, offset + dst.length) into dst. */
  public void read(long id, long offset, byte[] dst) { span(offset, dst.length); run(() -> Pager.pagerswigJavaSubpageRead(this, id, offset, dst)); }
  /** The whole sub-page, copied. */
  public byte[] read(long id) { byte[] b = new byte[subPageSize()]; read(id, 0, b); return b; }
  /** Copies src into the sub-page at offset. */
  public void write(long id, long offset, byte[] src) { span(offset, src.length); run(() -> Pager.pagerswigJavaSubpageWrite(this, id, offset, src)); }
  /** Copies into the direct buffer dst's [position, limit) (position not moved). */
  public void read(long id, long offset, java.nio.ByteBuffer dst) { span(offset, dst.remaining()); run(() -> Pager.pagerswigJavaSubpageReadNio(this, id, offset, dst)); }
  /** Copies the direct buffer src's [position, limit) into the sub-page at offset. */
  public void write(long id, long offset, java.nio.ByteBuffer src) { span(offset, src.remaining()); run(() -> Pager.pagerswigJavaSubpageWriteNio(this, id, offset, src)); }
%}
}

%extend pager_walseg_writer {
%proxycode %{
  /** {@link #open(String, WalsegOptions)} with a {@link java.nio.file.Path}. */
  public static WalsegWriter open(java.nio.file.Path dir, WalsegOptions opts) { return open(dir.toString(), opts); }
  /** Appends the direct buffer data's [position, limit) as one record; returns its LSN. */
  public long append(int type, java.nio.ByteBuffer data) {
    long[] lsn = new long[1];
    Pager.pagerswigJavaWalsegAppendNio(this, type, data, lsn);
    return lsn[0];
  }
%}
}

/* A record's payload into a direct ByteBuffer (C7: min(len, capacity) bytes copied). */
%extend pager_walseg_record {
  void copy_data_nio(void *nio_dst, uint64_t nio_dst_len) {
    uint64_t n = $self->len < nio_dst_len ? $self->len : nio_dst_len;
    if (n && $self->data) memcpy(nio_dst, $self->data, (size_t)n);
  }
}

%extend pager_walseg_reader {
%proxycode %{
  /**
   * The next record with its payload copied into the direct buffer dst at its position (no
   * Java array; the position is not moved), or null once the reader stopped. As C7: at most
   * dst.remaining() bytes are copied; the entry's {@code length} is the full payload length
   * (its {@code data} is null).
   */
  public WalsegEntry next(java.nio.ByteBuffer dst) {
    try (WalsegRecord rec = new WalsegRecord()) {
      long[] found = new long[1];
      Pager.walsegReaderNext(this, rec, found);
      return found[0] == 0 ? null : WalsegEntry.into(rec, dst);
    }
  }
  /** {@link #open(String, WalsegReaderOptions)} with a {@link java.nio.file.Path}. */
  public static WalsegReader open(java.nio.file.Path path, WalsegReaderOptions opts) { return open(path.toString(), opts); }
  /** The reader's mapping: {offset, length, isEmpty (0/1), madviseApplied (0/1)}. */
  public long[] position() {
    long[] off = new long[1], len = new long[1], empty = new long[1], adv = new long[1];
    Pager.walsegReaderPosition(this, off, len, empty, adv);
    return new long[] {off[0], len[0], empty[0], adv[0]};
  }
%}
}

%extend pager_walseg_replay {
%proxycode %{
  /** As {@link WalsegReader#next(java.nio.ByteBuffer)}: the payload copied into dst. */
  public WalsegEntry next(java.nio.ByteBuffer dst) {
    swigLockForClose();
    try (WalsegRecord rec = new WalsegRecord()) {
      long[] found = new long[1];
      Pager.walsegReplayNext(this, rec, found);
      return found[0] == 0 ? null : WalsegEntry.into(rec, dst);
    } finally {
      swigGuard.writeLock().unlock();
    }
  }
  /** {@link #open(String, long, WalsegReaderOptions)} with a {@link java.nio.file.Path}. */
  public static WalsegReplay open(java.nio.file.Path dir, long fromLsn, WalsegReaderOptions opts) { return open(dir.toString(), fromLsn, opts); }
%}
}

%extend pager_cold {
%proxycode %{
  /**
   * The private scratch directories file-backend cold pagers made under root, with the
   * state of each (pager_cold_reap), in name order: an owner holds a lock on its lock file
   * for the life of the directory, so the directory of a dead process is
   * {@link ColdScratch.State#STALE}; with remove those are removed
   * ({@link ColdScratch.State#REMOVED}). A live owner is never touched. A missing root
   * throws {@link NotFoundException}, an unreadable one {@link ReadOnlyException}.
   * Thread safety: any thread, beside live cold pagers in any process.
   */
  public static java.util.List<ColdScratch> reap(String root, boolean remove) {
    NativeSink sink = new NativeSink();
    Pager.pagerswigJavaColdReap(root, remove ? 1 : 0, sink);
    return java.util.List.copyOf(sink.scratch);
  }
  /** {@link #reap(String, boolean)} with a {@link java.nio.file.Path}. */
  public static java.util.List<ColdScratch> reap(java.nio.file.Path root, boolean remove) {
    return reap(root.toString(), remove);
  }
  /** A cold pager without a scratch root yet (no file backend until setScratchDir). */
  public static ColdPager open(int backend) { return open(backend, (String) null); }
  /** {@link #open(int, String)} with a {@link java.nio.file.Path} (may be null). */
  public static ColdPager open(int backend, java.nio.file.Path scratchRoot) { return open(backend, scratchRoot == null ? null : scratchRoot.toString()); }
  /** {@link #setScratchDir(String)} with a {@link java.nio.file.Path}. */
  public void setScratchDir(java.nio.file.Path root) { setScratchDir(root.toString()); }
  /** Pages out a copy of the direct buffer data's [position, limit) (no copy on the Java
   * side); backend and opts as {@link #pageout(int, byte[], ColdPageoutOptions)}. */
  public ColdHandle pageout(int backend, java.nio.ByteBuffer data, ColdPageoutOptions opts) {
    return Pager.pagerswigJavaColdPageoutNio(this, backend, data, opts);
  }
  /**
   * Pages out the direct buffer data's [position, limit) without copying it on the swap
   * backend (pager_cold_pageout_owned): the library keeps a reference to data until the
   * handle is closed or taken (the file backend copies it to scratch storage and lets go
   * before returning). The caller must not modify data's bytes while the handle lives.
   */
  public ColdHandle pageoutOwned(int backend, java.nio.ByteBuffer data, ColdPageoutOptions opts) {
    return Pager.pagerswigJavaColdPageoutOwned(this, backend, data, opts);
  }
%}
}

%extend pager_cold_handle {
%proxycode %{
  /** Copies [offset, offset + dst.remaining()) into the direct buffer dst (position not moved). */
  public void readAt(long offset, java.nio.ByteBuffer dst) { Pager.pagerswigJavaColdReadAtNio(this, offset, dst); }
  /** Hands the whole content over as a {@link ColdBuffer} and frees the handle
   * (pager_cold_take_buffer: a one-buffer swap handle gives its buffer back without a copy).
   * On failure the handle stays open. */
  public ColdBuffer takeBuffer() {
    swigLockForClose();
    try {
      ColdBuffer b = Pager.pagerswigJavaColdTakeBuffer(this);
      swigForgetNative();
      swigCPtr = 0; // consumed by the library
      swigCMemOwn = false;
      return b;
    } finally {
      swigGuard.writeLock().unlock();
    }
  }
%}
}

%extend pager_cold_buffer {
%proxycode %{
  /** The buffer's length in bytes. */
  public long length() { long[] n = new long[1]; Pager.pagerswigJavaColdBufferLen(this, n); return n[0]; }
  /** Copies [offset, offset + dst.length) into dst. */
  public void read(long offset, byte[] dst) { span(offset, dst.length); Pager.pagerswigJavaColdBufferRead(this, offset, dst); }
  /** Copies [offset, offset + dst.remaining()) into the direct buffer dst (position not moved). */
  public void read(long offset, java.nio.ByteBuffer dst) { span(offset, dst.remaining()); Pager.pagerswigJavaColdBufferReadNio(this, offset, dst); }
  private void span(long offset, long len) { PageFile.checkSpan(offset, len, length(), "buffer"); }
  /** The whole content, copied. */
  public byte[] toByteArray() {
    long n = length();
    if (n > Integer.MAX_VALUE - 8) {
      throw new PagerException(ErrorCode.TOO_LARGE, n + " bytes, more than a Java array holds");
    }
    byte[] b = new byte[(int) n];
    read(0, b);
    return b;
  }
%}
}

%extend pager_snapshot_options {
%proxycode %{
  private SnapshotProgress progress;
  /** Reports progress to listener during capture, restore and verify (null: none); its
   * false return or exception cancels (CancelledException, or the listener's exception). */
  public SnapshotOptions setProgress(SnapshotProgress listener) { this.progress = listener; return this; }
  /** The listener of {@link #setProgress}, or null. */
  public SnapshotProgress getProgress() { return progress; }
  static SnapshotProgress progressOf(SnapshotOptions opts) { return opts == null ? null : opts.progress; }
%}
}

%extend pager_refengine {
%proxycode %{
  /** {@link #capture(String, SnapshotOptions)} with a {@link java.nio.file.Path}. */
  public void capture(java.nio.file.Path path, SnapshotOptions opts) { capture(path.toString(), opts); }
  /** {@link #restore(String, SnapshotOptions)} with a {@link java.nio.file.Path}. */
  public void restore(java.nio.file.Path path, SnapshotOptions opts) { restore(path.toString(), opts); }
  /** Writes a snapshot of this engine sequentially to an open descriptor (a pipe, a socket,
   * a file from offset 0: pager_snapshot_capture_fd). The descriptor stays open. */
  public void capture(java.io.FileDescriptor fd, SnapshotOptions opts) {
    Pager.pagerswigJavaSnapshotRefengine(this, 2, null, Snapshots.fdOf(fd), opts, SnapshotOptions.progressOf(opts));
  }
  /** The engine's geometry (a new CacheMeta: close it). */
  public CacheMeta meta() {
    CacheMeta m = new CacheMeta();
    try {
      Pager.refengineMeta(this, m);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }
  /** Removes sequence id. */
  public void removeSeq(byte[] id) { Pager.refengineRemoveSeq(this, id); }
  /** Test hook: makes the callback name fail with adapterCode after skip calls
   * (pager_refengine_fail_callback). */
  public void failCallback(String name, int skip, int adapterCode) { Pager.refengineFailCallback(this, name, skip, adapterCode); }
%}
}

%extend pager_cache_meta {
%proxycode %{
  /** Bytes of one page's K half for this geometry (pager_cache_meta_page_bytes). */
  public long kPageBytes() { long[] k = new long[1], v = new long[1]; Pager.cacheMetaPageBytes(this, k, v); return k[0]; }
  /** Bytes of one page's V half. */
  public long vPageBytes() { long[] k = new long[1], v = new long[1]; Pager.cacheMetaPageBytes(this, k, v); return v[0]; }
%}
}
