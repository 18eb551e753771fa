/*
 * pager.i -- the SWIG 4.1 interface shared by the Go and Java bindings.
 *
 * Layout:
 *   1. global typemaps (fixed-width integers, finalize suppression, names)
 *   2. the error machinery: every status-returning call reads pager_last_error() inside the
 *      same native call that failed (a goroutine may change threads between two cgo calls)
 *   3. reusable macros, one per C API pattern of pager.h (see bindings/README.md):
 *        %pager_status(FUNC)                 int FUNC(...)   -> Go error / Java void+throw
 *        %pager_handle(TYPE, CLOSE)          opaque handle   -> Go uintptr / Java class
 *        %pager_factory(FUNC, TYPE)          int FUNC(..., TYPE **out) -> Go error + *out /
 *                                            Java: returns the TYPE object, throws on error
 *        %pager_struct(TYPE)                 an options/info struct -> AutoCloseable in Java
 *        %pager_options(TYPE, INIT)          the same, and the constructor calls INIT
 *        typemaps  (const void *BYTES, LEN LENGTH)     input bytes  -> []byte / byte[]
 *                  (void *BUFFER, LEN CAPACITY)        caller-provided output buffer
 *                  (char *BUFFER, LEN CAPACITY)        the same for text
 *                  (const void *NIOBUFFER, LEN LENGTH), (void *NIOBUFFER, LEN CAPACITY)
 *                                                      Java direct ByteBuffer (Go: []byte)
 *                  uint32_t *OUT, uint64_t *OUT, size_t *OUT   scalar out-parameters
 *        with LEN one of size_t, uint32_t, uint64_t; apply them with %apply to named params.
 *   4. one section per component (the lead fills them in when a component is merged)
 *   5. %include "pager.h"
 * Java-only code lives in java_types.i (%include-d before the macros: the Cleaner and class
 * javadoc of every proxy) and java.i (after the sections: ByteBuffer/Path overloads, the
 * callback and ownership bindings, the public idiomatic methods).
 *
 * Go: `make go-swig` runs `swig -go -cgo -intgosize 64 -module capi` on this file into
 *     bindings/go/internal/capi/capi_swig.{go,c}, which are committed (the go tool alone
 *     builds the module); the package_go suite fails while they differ from a fresh run.
 * Java: the Makefile runs `swig -java -package dev.libpager -module Pager` on this file.
 */

/* %module is given on the command line (-module capi for Go, -module Pager for Java). */

%{
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pager.h"
%}

%include <stdint.i>

/* ---- 1. global typemaps -------------------------------------------------------------- */

#if defined(SWIGGO)
/* stdint.i makes uint32_t an `unsigned int`, which Go would see as `uint`. */
%typemap(gotype) int32_t, const int32_t & "int32"
%typemap(gotype) uint32_t, const uint32_t & "uint32"
%typemap(gotype) int64_t, const int64_t & "int64"
%typemap(gotype) uint64_t, const uint64_t & "uint64"
#endif

#if defined(SWIGJAVA)
/* Java has no unsigned types: uint64_t is a `long` (two's complement, as Long.toUnsignedString
 * shows it), uint32_t a `long` (exact). No BigInteger. */
%apply int64_t { uint64_t };
%apply const int64_t & { const uint64_t & };

/* SWIG 4.1 still emits finalize(): no proxy is freed by the garbage collector. Classes that
 * own native memory are AutoCloseable instead (%pager_handle, %pager_struct). */
%typemap(javafinalize) SWIGTYPE ""

/* pager_cold_read_at -> Pager.coldReadAt; struct pager_cold_handle -> class ColdHandle. */
%rename("%(lowercamelcase)s", sourcefmt="%(strip:[pager_])s", %$isfunction) "";
%rename("%(camelcase)s", sourcefmt="%(strip:[pager_])s", %$isclass) "";
%rename("%(lowercamelcase)s", %$ismember, %$isvariable) "";
%rename("%(strip:[PAGER_])s", %$isconstant) "";
%rename("%(strip:[PAGER_])s", %$isenumitem) "";

/* The JNI library is found by dev.libpager.NativeLibrary (bundled in the jar, an override
 * property, or java.library.path). The raw layer (Pager, PagerJNI) is package-private. */
%pragma(java) jniclasscode=%{
  static {
    NativeLibrary.load();
  }
%}
%pragma(java) jniclassclassmodifiers="final class"
%pragma(java) moduleclassmodifiers="final class"
%pragma(java) modulecode=%{
  private Pager() {}
%}
#endif

/* ---- 2. the error machinery ---------------------------------------------------------- */

#if defined(SWIGGO)
/* A status crosses into Go as one string built inside the failing native call:
 * "" for PAGER_OK, else "<code>:<pager_last_error()>"; capi.StatusError decodes it. */
%fragment("PagerSwigStatus", "header") %{
static _gostring_ PagerSwig_Status(int code) {
  _gostring_ s = {0, 0};
  char head[24];
  const char *msg;
  size_t head_len, msg_len;
  if (code == PAGER_OK) return s;
  msg = pager_last_error();
  msg_len = msg ? strlen(msg) : 0;
  head_len = (size_t)snprintf(head, sizeof head, "%d:", code);
  s.p = (char *)malloc(head_len + msg_len);
  if (!s.p) { /* out of memory: keep the code, drop the text */
    msg_len = 0;
    s.p = (char *)malloc(head_len);
    /* A status must reach Go and Go frees what it gets: with not even 24 bytes left there
     * is no way to report the failure that is not a lie ("" would read as success). */
    if (!s.p) abort();
  }
  memcpy(s.p, head, head_len);
  if (msg_len) memcpy(s.p + head_len, msg, msg_len);
  s.n = (intgo)(head_len + msg_len);
  return s; /* Go copies it and frees s.p (swigCopyString) */
}
%}
#endif

#if defined(SWIGJAVA)
/* Throws dev.libpager.PagerException(code, name, message) with the detail message read in
 * this same native call. The message travels as UTF-8 bytes (a path need not be valid
 * modified UTF-8, which NewStringUTF would require). Called from the `ret` typemap, after
 * the argout and freearg code (out-parameters copied back, pinned arrays released) and
 * before any other libpager call, so the message is still this call's; no JNI call follows
 * the Throw. */
%fragment("PagerSwigThrow", "header") {
static void PagerSwig_Throw(JNIEnv *jenv, int code) {
  const char *msg = pager_last_error();
  jsize len = msg ? (jsize)strlen(msg) : 0;
  jclass cls;
  jmethodID ctor;
  jbyteArray bytes;
  jobject ex;
  if (JCALL0(ExceptionCheck, jenv)) return;
  cls = JCALL1(FindClass, jenv, "dev/libpager/PagerException");
  if (!cls) return; /* NoClassDefFoundError is pending */
  /* PagerException.fromNative picks the code's subclass (BusyException, ...). */
  ctor = JCALL3(GetStaticMethodID, jenv, cls, "fromNative", "(I[B)Ldev/libpager/PagerException;");
  if (!ctor) return;
  bytes = JCALL1(NewByteArray, jenv, len);
  if (!bytes) return; /* OutOfMemoryError is pending */
  if (len) JCALL4(SetByteArrayRegion, jenv, bytes, 0, len, (const jbyte *)msg);
  ex = JCALL4(CallStaticObjectMethod, jenv, cls, ctor, (jint)code, bytes);
  if (ex && !JCALL0(ExceptionCheck, jenv)) JCALL1(Throw, jenv, (jthrowable)ex);
}
}
#endif

#if defined(SWIGJAVA)
/* The [position, limit) range of a direct ByteBuffer. Returns 0 with an exception pending. */
%fragment("PagerSwigNio", "header") {
/* An output buffer (writable = 1) must not be read-only: a read-only MappedByteBuffer's pages
 * are not writable, and writing them would crash the JVM. */
static int PagerSwig_DirectRangeOf(JNIEnv *jenv, jobject buf, int writable, char **base,
                                   jlong *len) {
  jclass cls;
  jmethodID position, limit, read_only;
  jint pos, lim;
  *base = NULL;
  *len = 0;
  if (!buf) return 1;
  *base = (char *)JCALL1(GetDirectBufferAddress, jenv, buf);
  if (!*base) {
    SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException,
                            "a direct ByteBuffer is required (ByteBuffer.allocateDirect)");
    return 0;
  }
  cls = JCALL1(GetObjectClass, jenv, buf);
  position = JCALL3(GetMethodID, jenv, cls, "position", "()I");
  limit = position ? JCALL3(GetMethodID, jenv, cls, "limit", "()I") : NULL;
  read_only = limit ? JCALL3(GetMethodID, jenv, cls, "isReadOnly", "()Z") : NULL;
  if (!read_only) return 0; /* NoSuchMethodError is pending */
  if (writable) {
    jboolean ro = JCALL2(CallBooleanMethod, jenv, buf, read_only);
    if (JCALL0(ExceptionCheck, jenv)) return 0;
    if (ro) {
      SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException,
                              "the output ByteBuffer is read-only");
      return 0;
    }
  }
  pos = JCALL2(CallIntMethod, jenv, buf, position);
  if (JCALL0(ExceptionCheck, jenv)) return 0;
  lim = JCALL2(CallIntMethod, jenv, buf, limit);
  if (JCALL0(ExceptionCheck, jenv)) return 0;
  *base += pos;
  *len = (jlong)(lim - pos);
  return 1;
}
static int PagerSwig_DirectRange(JNIEnv *jenv, jobject buf, char **base, jlong *len) {
  return PagerSwig_DirectRangeOf(jenv, buf, 0, base, len);
}
}
#endif

/* ---- 3. reusable macros -------------------------------------------------------------- */

#if defined(SWIGJAVA)
%include "java_types.i"
#endif

/* %pager_status(FUNC): FUNC returns PAGER_OK or a PAGER_ERR_* code.
 * Go:   func Pager_x(...) error         (nil, or *capi.Error{Code, Message})
 * Java: void x(...) throws PagerException (unchecked). */
%define %pager_status(FUNC)
#if defined(SWIGGO)
%typemap(gotype) int FUNC "error"
%typemap(imtype) int FUNC "string"
%typemap(out, fragment="PagerSwigStatus") int FUNC %{ $result = PagerSwig_Status($1); %}
%typemap(goout) int FUNC %{
  if len($1) == 0 {
    $result = nil
  } else {
    $result = StatusError(swigCopyString($1))
  }
%}
#endif
#if defined(SWIGJAVA)
%typemap(jni) int FUNC "void"
%typemap(jtype) int FUNC "void"
%typemap(jstype) int FUNC "void"
%typemap(javaout) int FUNC { $jnicall; }
%typemap(out) int FUNC ""
/* ret runs after argout and freearg: out-parameters are copied back and pinned arrays are
 * released first, then the exception is raised (no JNI call after it). */
%typemap(ret, fragment="PagerSwigThrow") int FUNC %{ if ($1 != PAGER_OK) PagerSwig_Throw(jenv, $1); %}
#endif
%enddef

/* %pager_handle(TYPE, CLOSE): TYPE is an opaque handle released by `void CLOSE(TYPE *)`.
 * Every `TYPE **out` parameter becomes the handle out-parameter:
 * Go:   TYPE * is a `uintptr`; `TYPE **out` is a `*uintptr` the call fills in; CLOSE is
 *       wrapped as usual. The idiomatic package keeps the uintptr in a struct with Close().
 * Java: TYPE is a class (named by the camel-case rule: pager_cold_handle -> ColdHandle)
 *       implementing AutoCloseable; close() calls CLOSE once (idempotent). */
%define %pager_handle(TYPE, CLOSE)
#if defined(SWIGJAVA)
%typemap(javadestruct, methodname="delete", methodmodifiers="public") struct TYPE {
    swigLockForClose();
    try {
      if (swigCPtr != 0) {
        if (swigCMemOwn) {
          swigCMemOwn = false;
          swigFreeNative();
        }
        swigCPtr = 0;
      }
    } finally {
      swigGuard.writeLock().unlock();
    }
  }
#endif
%pager_handle_own_delete(TYPE, CLOSE)
%enddef

/* %pager_handle_own_delete(TYPE, CLOSE): %pager_handle for a TYPE whose Java delete() is
 * written first (a javadestruct typemap that takes the write lock: swigLockForClose() ...
 * swigGuard.writeLock().unlock()). */
%define %pager_handle_own_delete(TYPE, CLOSE)
#if defined(SWIGGO)
%typemap(gotype) TYPE *, const TYPE * "uintptr"
%typemap(in) TYPE *, const TYPE * %{ $1 = ($1_ltype)$input; %}
%typemap(out) TYPE * %{ $result = (uintptr_t)$1; %}
%typemap(gotype) TYPE **out "*uintptr"
%typemap(in) TYPE **out %{ $1 = ($1_ltype)$input; %}
#endif
#if defined(SWIGJAVA)
/* Closing during use: every call that passes this handle to native code (each raw Pager.*
 * static, hence each idiomatic method) holds swigGuard's read lock for the whole call (the
 * javain pre/post below); close()/delete() takes the write lock, so it waits for the calls in
 * progress, releases the native object once and zeroes swigCPtr. A call after close() throws
 * IllegalStateException("<Class> is closed") before reaching native code. */
%nodefaultctor TYPE;
%pager_java_cleaner(TYPE)
%typemap(javainterfaces) struct TYPE "AutoCloseable"
%typemap(javain, pre="    $javaclassname.swigEnter($javainput);",
         post="      $javaclassname.swigExit($javainput);") TYPE *, const TYPE *
  "$javaclassname.getCPtr($javainput)"
%typemap(javacode) struct TYPE %{
  private final java.util.concurrent.locks.ReentrantReadWriteLock swigGuard =
      new java.util.concurrent.locks.ReentrantReadWriteLock();

  /** Takes the shared hold of one native call on obj (null: none, the library answers). */
  static void swigEnter($javaclassname obj) {
    if (obj == null) return;
    obj.swigGuard.readLock().lock();
    if (obj.swigCPtr == 0) {
      obj.swigGuard.readLock().unlock();
      throw new IllegalStateException("$javaclassname is closed");
    }
  }

  /** Ends the shared hold swigEnter took. */
  static void swigExit($javaclassname obj) {
    if (obj != null) obj.swigGuard.readLock().unlock();
  }

  /** Takes the exclusive hold (close, or a call that consumes the handle); refuses a thread
   * that is inside a call on this object (a read lock cannot be upgraded: it would hang). */
  private void swigLockForClose() {
    if (swigGuard.getReadHoldCount() > 0) {
      throw new IllegalStateException("$javaclassname closed from inside a call on it");
    }
    swigGuard.writeLock().lock();
  }

  /** Releases the native handle after the calls running on other threads; later calls throw
   * IllegalStateException, a second close() does nothing. */
  @Override
  public void close() {
    delete();
  }

  /** True until close(). */
  public boolean isOpen() {
    swigGuard.readLock().lock();
    try {
      return swigCPtr != 0;
    } finally {
      swigGuard.readLock().unlock();
    }
  }
%}
struct TYPE {};
%extend TYPE {
  ~TYPE() { CLOSE($self); }
}
%typemap(in, numinputs=0) TYPE **out (TYPE *handle = NULL) %{ $1 = &handle; %}
%typemap(argout) TYPE **out %{ *(TYPE **)&$result = handle$argnum; %}
#endif
%enddef

/* %pager_factory(FUNC, TYPE): `int FUNC(..., TYPE **out)` creates a handle (TYPE declared
 * with %pager_handle first).
 * Go:   func Pager_x(..., out *uintptr) error
 * Java: TYPE x(...) -- returns the new object (owning the handle), throws PagerException. */
%define %pager_factory(FUNC, TYPE)
#if defined(SWIGGO)
%pager_status(FUNC)
#endif
#if defined(SWIGJAVA)
%typemap(jni) int FUNC "jlong"
%typemap(jtype) int FUNC "long"
%typemap(jstype) int FUNC "$typemap(jstype, TYPE *)"
%typemap(javaout) int FUNC {
    long cPtr = $jnicall;
    return new $typemap(jstype, TYPE *)(cPtr, true);
  }
%typemap(out) int FUNC %{ $result = 0; %}
%typemap(ret, fragment="PagerSwigThrow") int FUNC %{ if ($1 != PAGER_OK) PagerSwig_Throw(jenv, $1); %}
#endif
%enddef

/* %pager_struct(TYPE): a plain struct (options, info, stats). Go: SWIG's struct wrapper
 * (NewX / DeleteX). Java: the class is AutoCloseable; close() frees the native copy. */
%define %pager_struct(TYPE)
#if defined(SWIGJAVA)
%pager_java_cleaner(TYPE)
%typemap(javadestruct, methodname="delete", methodmodifiers="public synchronized") struct TYPE {
    if (swigCPtr != 0) {
      if (swigCMemOwn) {
        swigCMemOwn = false;
        swigFreeNative();
      }
      swigCPtr = 0;
    }
  }
%typemap(javainterfaces) struct TYPE "AutoCloseable"
%typemap(javacode) struct TYPE %{
  /** Frees the native struct; later calls do nothing. */
  @Override
  public void close() {
    delete();
  }
%}
#endif
%enddef

/* %pager_options(TYPE, INIT): a struct with `uint32_t struct_size` first and an initializer
 * `void INIT(TYPE *)`. Everything %pager_struct does, and the constructor (Go NewTYPE(), Java
 * new Type()) returns a struct INIT has filled with its size and the defaults, so a struct
 * made in Go or Java is always valid as passed. */
%define %pager_options(TYPE, INIT)
%pager_struct(TYPE)
%extend TYPE {
  TYPE() {
    TYPE *opts = (TYPE *)calloc(1, sizeof(TYPE));
    if (opts) INIT(opts);
    return opts;
  }
  ~TYPE() { free($self); }
}
%enddef

/* Byte buffers. LEN_T is the C type of the length. In all cases the library only uses the
 * pointer during the call (pager.h's "Buffers" convention), which is what makes passing Go
 * memory and pinned Java arrays legal. */
%define %pager_buffer_typemaps(LEN_T)
#if defined(SWIGGO)
/* Input bytes: a Go []byte, passed without copying. */
%typemap(gotype) (const void *BYTES, LEN_T LENGTH) "[]byte"
%typemap(in) (const void *BYTES, LEN_T LENGTH) %{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}
/* Output buffer: the library writes into the Go slice's memory; capacity = len(slice).
 * NIOBUFFER (Java's direct ByteBuffer) is the same []byte in Go. */
%typemap(gotype) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY),
                 (const void *NIOBUFFER, LEN_T LENGTH), (void *NIOBUFFER, LEN_T CAPACITY) "[]byte"
%typemap(in) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY),
             (const void *NIOBUFFER, LEN_T LENGTH), (void *NIOBUFFER, LEN_T CAPACITY) %{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}
#endif
#if defined(SWIGJAVA)
/* Input bytes: byte[] (null means zero bytes), pinned or copied by the JVM, never copied
 * back (JNI_ABORT). */
%typemap(jni) (const void *BYTES, LEN_T LENGTH) "jbyteArray"
%typemap(jtype) (const void *BYTES, LEN_T LENGTH) "byte[]"
%typemap(jstype) (const void *BYTES, LEN_T LENGTH) "byte[]"
%typemap(javain) (const void *BYTES, LEN_T LENGTH) "$javainput"
%typemap(in) (const void *BYTES, LEN_T LENGTH) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null; /* OutOfMemoryError is pending */
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
  }
}
%typemap(freearg) (const void *BYTES, LEN_T LENGTH) {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, JNI_ABORT);
}
/* Output buffer: byte[] whose length is the capacity; the bytes are copied back. */
%typemap(jni) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY) "jbyteArray"
%typemap(jtype) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY) "byte[]"
%typemap(jstype) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY) "byte[]"
%typemap(javain) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY) "$javainput"
%typemap(in) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetByteArrayElements, jenv, $input, 0);
    if (!$1) return $null;
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
  }
}
%typemap(freearg) (void *BUFFER, LEN_T CAPACITY), (char *BUFFER, LEN_T CAPACITY) {
  if ($1) JCALL3(ReleaseByteArrayElements, jenv, $input, (jbyte *)$1, 0);
}
/* Zero-copy: a direct java.nio.ByteBuffer, from its position to its limit (the position is
 * not moved). Input `(const void *NIOBUFFER, LEN LENGTH)`, output
 * `(void *NIOBUFFER, LEN CAPACITY)`. A heap (non-direct) buffer throws
 * IllegalArgumentException; null passes (NULL, 0). */
%typemap(jni) (const void *NIOBUFFER, LEN_T LENGTH), (void *NIOBUFFER, LEN_T CAPACITY) "jobject"
%typemap(jtype) (const void *NIOBUFFER, LEN_T LENGTH), (void *NIOBUFFER, LEN_T CAPACITY) "java.nio.ByteBuffer"
%typemap(jstype) (const void *NIOBUFFER, LEN_T LENGTH), (void *NIOBUFFER, LEN_T CAPACITY) "java.nio.ByteBuffer"
%typemap(javain) (const void *NIOBUFFER, LEN_T LENGTH), (void *NIOBUFFER, LEN_T CAPACITY) "$javainput"
%typemap(in, fragment="PagerSwigNio") (const void *NIOBUFFER, LEN_T LENGTH) {
  {
    char *pager_base_ = NULL;
    jlong pager_len_ = 0;
    if (!PagerSwig_DirectRange(jenv, $input, &pager_base_, &pager_len_)) return $null;
    $1 = ($1_ltype)pager_base_;
    $2 = ($2_ltype)pager_len_;
  }
}
%typemap(in, fragment="PagerSwigNio") (void *NIOBUFFER, LEN_T CAPACITY) {
  {
    char *pager_base_ = NULL;
    jlong pager_len_ = 0;
    if (!PagerSwig_DirectRangeOf(jenv, $input, 1, &pager_base_, &pager_len_)) return $null;
    $1 = ($1_ltype)pager_base_;
    $2 = ($2_ltype)pager_len_;
  }
}
#endif
%enddef

%pager_buffer_typemaps(size_t)
%pager_buffer_typemaps(uint32_t)
%pager_buffer_typemaps(uint64_t)

/* Scalar out-parameters (`uint64_t *len_out`): Go *uint32 / *uint64 (the library writes the
 * Go variable during the call; nil passes NULL); Java long[] (element 0 is set, also when the
 * call fails, as C would; null or empty passes NULL). */
%define %pager_out_typemaps(CTYPE, GOTYPE)
#if defined(SWIGGO)
%typemap(gotype) CTYPE *OUT "*" #GOTYPE
%typemap(in) CTYPE *OUT %{ $1 = ($1_ltype)$input; %}
#endif
#if defined(SWIGJAVA)
%typemap(jni) CTYPE *OUT "jlongArray"
%typemap(jtype) CTYPE *OUT "long[]"
%typemap(jstype) CTYPE *OUT "long[]"
%typemap(javain) CTYPE *OUT "$javainput"
/* A null or empty array passes NULL (the library reports PAGER_ERR_INVALID if it needs it). */
%typemap(in) CTYPE *OUT (CTYPE temp = 0) {
  $1 = ($input && JCALL1(GetArrayLength, jenv, $input) >= 1) ? &temp : NULL;
}
%typemap(argout) CTYPE *OUT {
  if ($1) {
    jlong v = (jlong)temp$argnum;
    JCALL4(SetLongArrayRegion, jenv, $input, 0, 1, &v);
  }
}
#endif
%enddef

%pager_out_typemaps(uint32_t, uint32)
%pager_out_typemaps(uint64_t, uint64)
%pager_out_typemaps(size_t, uint64)

/* %pager_sized_struct(TYPE): an out-struct whose caller sets `struct_size = sizeof(TYPE)`
 * (stats): everything %pager_struct does, and the constructor (Go NewTYPE(), Java new Type())
 * returns a zeroed struct with struct_size already set. */
%define %pager_sized_struct(TYPE)
%pager_struct(TYPE)
%extend TYPE {
  TYPE() {
    TYPE *s = (TYPE *)calloc(1, sizeof(TYPE));
    if (s) s->struct_size = (uint32_t)sizeof(TYPE);
    return s;
  }
  ~TYPE() { free($self); }
}
%enddef

/* ---- 4. components (the lead applies the macros here when a component is merged) ----- */

/* (section: file) */
/* Id arrays: `(const uint64_t *ids, uint64_t count)` in, `(uint64_t *ids_out, uint64_t count)`
 * filled by the library (and the older size_t shapes, which other sections apply). Go
 * []uint64 (no copy); Java long[] (pinned or copied; the output array is copied back, the
 * input one is not). */
#if defined(SWIGGO)
%typemap(gotype) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) "[]uint64"
%typemap(in) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) %{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}
%typemap(gotype) (const uint64_t *IDS, size_t COUNT), (size_t COUNT, uint64_t *IDS_OUT) "[]uint64"
%typemap(in) (const uint64_t *IDS, size_t COUNT) %{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}
%typemap(in) (size_t COUNT, uint64_t *IDS_OUT) %{
  $1 = ($1_ltype)$input.len;
  $2 = ($2_ltype)$input.array;
%}
#endif
#if defined(SWIGJAVA)
%typemap(jni) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) "jlongArray"
%typemap(jtype) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) "long[]"
%typemap(jstype) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) "long[]"
%typemap(javain) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) "$javainput"
%typemap(in) (const uint64_t *IDS, uint64_t COUNT), (uint64_t *IDS_OUT, uint64_t COUNT) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetLongArrayElements, jenv, $input, 0);
    if (!$1) return $null;
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
  }
}
%typemap(freearg) (const uint64_t *IDS, uint64_t COUNT) {
  if ($1) JCALL3(ReleaseLongArrayElements, jenv, $input, (jlong *)$1, JNI_ABORT);
}
%typemap(freearg) (uint64_t *IDS_OUT, uint64_t COUNT) {
  if ($1) JCALL3(ReleaseLongArrayElements, jenv, $input, (jlong *)$1, 0);
}
%typemap(jni) (const uint64_t *IDS, size_t COUNT), (size_t COUNT, uint64_t *IDS_OUT) "jlongArray"
%typemap(jtype) (const uint64_t *IDS, size_t COUNT), (size_t COUNT, uint64_t *IDS_OUT) "long[]"
%typemap(jstype) (const uint64_t *IDS, size_t COUNT), (size_t COUNT, uint64_t *IDS_OUT) "long[]"
%typemap(javain) (const uint64_t *IDS, size_t COUNT), (size_t COUNT, uint64_t *IDS_OUT) "$javainput"
%typemap(in) (const uint64_t *IDS, size_t COUNT) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetLongArrayElements, jenv, $input, 0);
    if (!$1) return $null;
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
  }
}
%typemap(freearg) (const uint64_t *IDS, size_t COUNT) {
  if ($1) JCALL3(ReleaseLongArrayElements, jenv, $input, (jlong *)$1, JNI_ABORT);
}
%typemap(in) (size_t COUNT, uint64_t *IDS_OUT) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $2 = ($2_ltype)JCALL2(GetLongArrayElements, jenv, $input, 0);
    if (!$2) return $null;
    $1 = ($1_ltype)JCALL1(GetArrayLength, jenv, $input);
  }
}
%typemap(freearg) (size_t COUNT, uint64_t *IDS_OUT) {
  if ($2) JCALL3(ReleaseLongArrayElements, jenv, $input, (jlong *)$2, 0);
}
#endif
/* stdint.i declares uint64_t as `unsigned long long` (not glibc's `unsigned long`), and SWIG
 * casts const pointer arguments to its own idea of the type: call these functions with the
 * header's type instead (all have the shape f(handle, const uint64_t *ids, uint64_t count)). */
%define %pager_ids_call(FUNC)
%feature("action") FUNC %{ result = (int)FUNC(arg1, (const uint64_t *)arg2, arg3); %}
%enddef
%pager_ids_call(pager_file_free_bulk)
%pager_ids_call(pager_file_sync_pages)
%pager_ids_call(pager_file_protected_free_bulk)
%pager_ids_call(pager_file_subpage_free_bulk)
%pager_ids_call(pager_file_subpage_mark_used)
%apply (const uint64_t *IDS, uint64_t COUNT) { (const uint64_t *page_ids, uint64_t count),
                                               (const uint64_t *ids, uint64_t count) }
%apply (uint64_t *IDS_OUT, uint64_t COUNT) { (uint64_t *page_ids_out, uint64_t count),
                                             (uint64_t *ids_out, uint64_t count) }

#if defined(SWIGJAVA)
/* pager_file would be class File, which every Java file importing java.io.File shadows. */
%rename(PageFile) pager_file;
#endif
%pager_options(pager_file_options, pager_file_options_init)
%pager_options(pager_file_stats, pager_file_stats_init)
%pager_handle(pager_file, pager_file_close)
%pager_handle(pager_file_iter, pager_file_iter_free)
%pager_handle(pager_file_txn, pager_file_txn_free)
%pager_handle(pager_file_subpages, pager_file_subpages_free)
%apply pager_file_txn **out { pager_file_txn **txn_out }
%apply pager_file_iter **out { pager_file_iter **it_out }
%pager_factory(pager_file_create, pager_file)
%pager_factory(pager_file_open, pager_file)
%pager_factory(pager_file_txn_begin, pager_file_txn)
%pager_factory(pager_file_iter_pages, pager_file_iter)
%pager_factory(pager_file_iter_protected, pager_file_iter)
%pager_factory(pager_file_subpages_create, pager_file_subpages)
%pager_status(pager_file_page_size)
%pager_status(pager_file_page_count)
%pager_status(pager_file_free_page_count)
%pager_status(pager_file_protected_count)
%pager_status(pager_file_alloc)
%pager_status(pager_file_alloc_bulk)
%pager_status(pager_file_free)
%pager_status(pager_file_free_bulk)
%pager_status(pager_file_grow)
%pager_status(pager_file_advise)
%pager_status(pager_file_sync_pages)
%pager_status(pager_file_protected_alloc)
%pager_status(pager_file_protected_alloc_bulk)
%pager_status(pager_file_protected_free)
%pager_status(pager_file_protected_free_bulk)
%pager_status(pager_file_protected_read)
%pager_status(pager_file_get_stats)
%pager_status(pager_file_txn_commit)
%pager_status(pager_file_txn_write)
%pager_status(pager_file_txn_free_page)
%pager_status(pager_file_txn_page_size)
%pager_status(pager_file_txn_page_count)
%pager_status(pager_file_subpages_sub_page_size)
%pager_status(pager_file_subpages_slot_count)
%pager_status(pager_file_iter_next)
%pager_status(pager_file_subpage_alloc)
%pager_status(pager_file_subpage_alloc_bulk)
%pager_status(pager_file_subpage_free)
%pager_status(pager_file_subpage_free_bulk)
%pager_status(pager_file_subpage_mark_used)
%pager_status(pager_file_subpage_count)
%apply uint32_t *OUT { uint32_t *out, uint32_t *found_out, uint32_t *page_size_out,
                       uint32_t *size_out, uint32_t *count_out }
%apply uint64_t *OUT { uint64_t *out, uint64_t *page_id_out, uint64_t *id_out,
                       uint64_t *count_out }
%apply (void *BUFFER, uint64_t CAPACITY) { (void *buf, uint64_t buf_len) }
%apply (const void *BYTES, uint64_t LENGTH) { (const void *buf, uint64_t buf_len) }
/* Raw mapped pointers never reach Go or Java (a Go/Java object cannot borrow mapped memory
 * safely): bytes are copied in and out by the pagerswig_* helpers below, one native call
 * each. Every helper bounds the copy with the geometry of the handle it copies from
 * (pager_file_page_size, pager_file_txn_page_size, pager_file_subpages_sub_page_size): no
 * helper takes a second handle to learn a size (C9). */
%ignore pager_file_page;
%ignore pager_file_page_const;
%ignore pager_file_txn_add;
%ignore pager_file_txn_data;
%ignore pager_file_txn_alloc_page;
%ignore pager_file_subpage;
%ignore pager_file_subpage_const;
%ignore pagerswig_span;
%pager_status(pagerswig_file_page_read)
%pager_status(pagerswig_file_page_write)
%pager_status(pagerswig_file_txn_add)
%pager_status(pagerswig_file_txn_alloc_page)
%pager_status(pagerswig_file_txn_read)
%pager_status(pagerswig_file_txn_write)
%pager_status(pagerswig_file_subpage_read)
%pager_status(pagerswig_file_subpage_write)
%apply (void *BUFFER, uint64_t CAPACITY) { (void *dst, uint64_t dst_len) }
%apply (const void *BYTES, uint64_t LENGTH) { (const void *src, uint64_t src_len) }
%inline %{
/* Bounds [offset, offset + len) against size (RANGE if outside). */
static int pagerswig_span(uint32_t size, uint64_t offset, uint64_t len) {
  if (offset > size || len > size - offset) return PAGER_ERR_RANGE;
  return PAGER_OK;
}
/* Copies [offset, offset + dst_len) of allocated page page_id into dst. RANGE (no message)
 * when the span passes the page size; else the errors of pager_file_page_const. */
int pagerswig_file_page_read(pager_file *f, uint64_t page_id, uint64_t offset, void *dst,
                             uint64_t dst_len) {
  const void *p = NULL;
  uint32_t size = 0;
  int rc = pager_file_page_size(f, &size);
  if (rc == PAGER_OK) rc = pagerswig_span(size, offset, dst_len);
  if (rc == PAGER_OK) rc = pager_file_page_const(f, page_id, &p);
  if (rc == PAGER_OK && dst_len) memcpy(dst, (const char *)p + offset, dst_len);
  return rc;
}
/* Copies src into page page_id at offset (the writable mapping; durable after
 * pager_file_sync_pages). Errors as pagerswig_file_page_read, plus READONLY. */
int pagerswig_file_page_write(pager_file *f, uint64_t page_id, uint64_t offset, const void *src,
                              uint64_t src_len) {
  void *p = NULL;
  uint32_t size = 0;
  int rc = pager_file_page_size(f, &size);
  if (rc == PAGER_OK) rc = pagerswig_span(size, offset, src_len);
  if (rc == PAGER_OK) rc = pager_file_page(f, page_id, &p);
  if (rc == PAGER_OK && src_len) memcpy((char *)p + offset, src, src_len);
  return rc;
}
/* pager_file_txn_add without the pointer (the copy is reached through the helpers below). */
int pagerswig_file_txn_add(pager_file_txn *txn, uint64_t id) {
  void *p = NULL;
  return pager_file_txn_add(txn, id, &p);
}
/* pager_file_txn_alloc_page without the pointer: the new page's id in *id_out (its copy,
 * zeros, is reached through the helpers below). */
int pagerswig_file_txn_alloc_page(pager_file_txn *txn, uint64_t *id_out) {
  void *p = NULL;
  return pager_file_txn_alloc_page(txn, id_out, &p);
}
/* The same copies on the private copy of protected page id in a transaction, bounded by the
 * transaction's own page size. Errors: RANGE, those of pager_file_txn_data. */
int pagerswig_file_txn_read(pager_file_txn *txn, uint64_t id, uint64_t offset, void *dst,
                            uint64_t dst_len) {
  void *p = NULL;
  uint32_t size = 0;
  int rc = pager_file_txn_page_size(txn, &size);
  if (rc == PAGER_OK) rc = pagerswig_span(size, offset, dst_len);
  if (rc == PAGER_OK) rc = pager_file_txn_data(txn, id, &p);
  if (rc == PAGER_OK && dst_len) memcpy(dst, (const char *)p + offset, dst_len);
  return rc;
}
int pagerswig_file_txn_write(pager_file_txn *txn, uint64_t id, uint64_t offset,
                             const void *src, uint64_t src_len) {
  void *p = NULL;
  uint32_t size = 0;
  int rc = pager_file_txn_page_size(txn, &size);
  if (rc == PAGER_OK) rc = pagerswig_span(size, offset, src_len);
  if (rc == PAGER_OK) rc = pager_file_txn_data(txn, id, &p);
  if (rc == PAGER_OK && src_len) memcpy((char *)p + offset, src, src_len);
  return rc;
}
/* The same on an allocated sub-page, bounded by the allocator's sub-page size. Reading works
 * on a read-only file; writing is READONLY there. */
int pagerswig_file_subpage_read(pager_file_subpages *s, uint64_t id, uint64_t offset, void *dst,
                                uint64_t dst_len) {
  const void *p = NULL;
  uint32_t size = 0;
  int rc = pager_file_subpages_sub_page_size(s, &size);
  if (rc == PAGER_OK) rc = pagerswig_span(size, offset, dst_len);
  if (rc == PAGER_OK) rc = pager_file_subpage_const(s, id, &p);
  if (rc == PAGER_OK && dst_len) memcpy(dst, (const char *)p + offset, dst_len);
  return rc;
}
int pagerswig_file_subpage_write(pager_file_subpages *s, uint64_t id, uint64_t offset,
                                 const void *src, uint64_t src_len) {
  void *p = NULL;
  uint32_t size = 0;
  int rc = pager_file_subpages_sub_page_size(s, &size);
  if (rc == PAGER_OK) rc = pagerswig_span(size, offset, src_len);
  if (rc == PAGER_OK) rc = pager_file_subpage(s, id, &p);
  if (rc == PAGER_OK && src_len) memcpy((char *)p + offset, src, src_len);
  return rc;
}
%}
#if defined(SWIGJAVA)
%extend pager_file {
%proxycode %{
  /** Creates a page file (opts may be null: 4096-byte pages). */
  public static PageFile create(String path, FileOptions opts) { return Pager.fileCreate(path, opts); }
  /** Opens a page file (read-only if opts.getReadOnly() == 1). */
  public static PageFile open(String path, FileOptions opts) { return Pager.fileOpen(path, opts); }
  private static long one(java.util.function.Consumer<long[]> call) {
    long[] v = new long[1];
    call.accept(v);
    return v[0];
  }
  private void span(long offset, int len) {
    long size = pageSize();
    if (offset < 0 || offset > size || len > size - offset) {
      throw new PagerException(PagerConstants.ERR_RANGE, "PAGER_ERR_RANGE",
          "bytes [" + offset + ", " + (offset + len) + ") are outside a " + size + "-byte page");
    }
  }
  public int pageSize() { return (int) one(v -> Pager.filePageSize(this, v)); }
  public long pageCount() { return one(v -> Pager.filePageCount(this, v)); }
  public long freePageCount() { return one(v -> Pager.fileFreePageCount(this, v)); }
  /** Allocates one page (committed); returns its id. */
  public long alloc() { return one(v -> Pager.fileAlloc(this, v)); }
  /** Allocates count pages in one commit. */
  public long[] allocBulk(int count) { long[] ids = new long[count]; Pager.fileAllocBulk(this, ids); return ids; }
  public void free(long pageId) { Pager.fileFree(this, pageId); }
  public void freeBulk(long[] pageIds) { Pager.fileFreeBulk(this, pageIds); }
  public void grow(long pageCount) { Pager.fileGrow(this, pageCount); }
  /** How the caller will touch mapped pages (PAGER_FILE_ADVICE_*; see advise). */
  public enum Advice {
    /** The kernel's default read-ahead. */
    NORMAL(PagerConstants.FILE_ADVICE_NORMAL),
    /** A fault reads its page only (no read-ahead). */
    RANDOM(PagerConstants.FILE_ADVICE_RANDOM),
    /** Aggressive read-ahead. */
    SEQUENTIAL(PagerConstants.FILE_ADVICE_SEQUENTIAL),
    /** Start reading the pages into the page cache now (one-shot). */
    WILLNEED(PagerConstants.FILE_ADVICE_WILLNEED),
    /** Drop this process's page-table entries for the pages; no data is lost (one-shot). */
    DONTNEED(PagerConstants.FILE_ADVICE_DONTNEED);
    final int code;
    Advice(int code) { this.code = code; }
  }
  /** Advises the kernel how pages [first, first + count) will be touched; count 0 with first 0
   * is the whole file (a file-wide NORMAL, RANDOM or SEQUENTIAL also covers pages the file grows
   * by later). Never changes a byte. PAGER_ERR_RANGE past the page space; PAGER_ERR_IO if the
   * kernel refuses the advice. */
  public void advise(long first, long count, Advice a) { Pager.fileAdvise(this, first, count, a.code); }
  /** Copies the page's bytes [offset, offset + dst.length) into dst. */
  public void read(long pageId, long offset, byte[] dst) { span(offset, dst.length); Pager.pagerswigFilePageRead(this, pageId, offset, dst); }
  /** The whole page, copied. */
  public byte[] read(long pageId) { byte[] b = new byte[pageSize()]; read(pageId, 0, b); return b; }
  /** Copies src into the page at offset (durable after syncPages). */
  public void write(long pageId, long offset, byte[] src) { span(offset, src.length); Pager.pagerswigFilePageWrite(this, pageId, offset, src); }
  public void syncPages(long[] pageIds) { Pager.fileSyncPages(this, pageIds); }
  public long protectedAlloc() { return one(v -> Pager.fileProtectedAlloc(this, v)); }
  public void protectedFree(long id) { Pager.fileProtectedFree(this, id); }
  public long protectedCount() { return one(v -> Pager.fileProtectedCount(this, v)); }
  public byte[] protectedRead(long id) { byte[] b = new byte[pageSize()]; Pager.fileProtectedRead(this, id, b); return b; }
  /** Replaces a protected page's content crash-safely (a one-page transaction). */
  public void protectedWrite(long id, byte[] content) {
    if (content.length != pageSize()) {
      throw new PagerException(PagerConstants.ERR_INVALID, "PAGER_ERR_INVALID",
          "protected page content is " + content.length + " bytes, the page size is " + pageSize());
    }
    try (FileTxn t = begin()) {
      t.writePage(id, content);
      t.commit();
    }
  }
  /** The handle's counters (pager_file_get_stats): the format, the fdatasync calls made, the
   * journal's checkpoints, position and lap; close the result. */
  public FileStats stats() {
    FileStats s = new FileStats();
    try {
      Pager.fileGetStats(this, s);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }
  /** Starts a write transaction over protected pages (close it: aborts if not committed). */
  public FileTxn begin() {
    FileTxn t = Pager.fileTxnBegin(this);
    t.file = this;
    return t;
  }
  /** The ids of the allocated regular pages (or protected ids), in increasing order. */
  public long[] pageIds() { return list(() -> Pager.fileIterPages(this)); }
  public long[] protectedIds() { return list(() -> Pager.fileIterProtected(this)); }
  /** Opens and drains an iterator, holding this file throughout. */
  private long[] list(java.util.function.Supplier<FileIter> open) {
    swigEnter(this);
    try {
      return drain(open.get());
    } finally {
      swigExit(this);
    }
  }
  private static long[] drain(FileIter it) {
    try (FileIter i = it) {
      java.util.ArrayList<Long> ids = new java.util.ArrayList<>();
      long[] id = new long[1], found = new long[1];
      for (Pager.fileIterNext(i, id, found); found[0] != 0; Pager.fileIterNext(i, id, found)) ids.add(id[0]);
      return ids.stream().mapToLong(Long::longValue).toArray();
    }
  }
%}
}
%extend pager_file_txn {
%proxycode %{
  /** The file of begin() (null for a raw Pager.fileTxnBegin): its close() makes the library
   * answer INVALID "closed", which the methods below throw as IllegalStateException. */
  PageFile file;
  private <T> T call(java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (PagerException e) {
      if (e.code() == ErrorCode.INVALID && file != null && !file.isOpen()) {
        throw new IllegalStateException("PageFile is closed", e);
      }
      throw e;
    }
  }
  private void run(Runnable body) { call(() -> { body.run(); return null; }); }
  /** Adds protected page id (its private copy starts as the committed content). */
  public void add(long id) { run(() -> Pager.pagerswigFileTxnAdd(this, id)); }
  /** Allocates a new protected page inside the transaction and returns its id; its copy
   * starts as zeros (write it with write(id, ..)). Invisible to everyone else until commit();
   * close() without commit() gives the id back. */
  public long allocPage() { long[] v = new long[1]; run(() -> Pager.pagerswigFileTxnAllocPage(this, v)); return v[0]; }
  /** Frees protected page id at commit(); until then it stays allocated and held by this
   * transaction (nobody else can add, free or reuse it). A page this transaction allocated is
   * given back at once. */
  public void freePage(long id) { run(() -> Pager.fileTxnFreePage(this, id)); }
  /** Bytes per page of the transaction's file. */
  public int pageSize() { long[] v = new long[1]; run(() -> Pager.fileTxnPageSize(this, v)); return (int) v[0]; }
  /** Pages the transaction holds (0 once it has ended). */
  public long pageCount() { long[] v = new long[1]; run(() -> Pager.fileTxnPageCount(this, v)); return v[0]; }
  private void span(long offset, int len) {
    long size = pageSize();
    if (offset < 0 || offset > size || len > size - offset) {
      throw new PagerException(PagerConstants.ERR_RANGE, "PAGER_ERR_RANGE",
          "bytes [" + offset + ", " + (offset + len) + ") are outside a " + size + "-byte page");
    }
  }
  /** Copies the copy's bytes [offset, offset + dst.length) of page id into dst. */
  public void read(long id, long offset, byte[] dst) { span(offset, dst.length); run(() -> Pager.pagerswigFileTxnRead(this, id, offset, dst)); }
  /** Copies src into the copy of page id at offset. */
  public void write(long id, long offset, byte[] src) { span(offset, src.length); run(() -> Pager.pagerswigFileTxnWrite(this, id, offset, src)); }
  /** Sets page id's copy to page (exactly pageSize() bytes) without reading the committed
   * content: a blind write for a caller that replaces the whole page. Adds the page as add()
   * does (BusyException if another transaction holds it); a page already held has its copy
   * replaced. PagerException INVALID for a page of another length. */
  public void writePage(long id, byte[] page) { run(() -> Pager.fileTxnWrite(this, id, page)); }
  /** Commits every page at once (all old or all new after a crash); ends the transaction. */
  public void commit() { run(() -> Pager.fileTxnCommit(this)); }
%}
}
#endif

/* (section: wal) */
%pager_handle(pager_wal, pager_wal_close)
%pager_options(pager_wal_options, pager_wal_options_init)
%pager_options(pager_wal_checkpoint_options, pager_wal_checkpoint_options_init)
%pager_options(pager_wal_stats, pager_wal_stats_init)
%pager_factory(pager_wal_create, pager_wal)
%pager_factory(pager_wal_open, pager_wal)
%pager_status(pager_wal_access_mode)
%pager_status(pager_wal_page_size)
%pager_status(pager_wal_page_count)
%pager_status(pager_wal_read_page)
%pager_status(pager_wal_stage_page)
%pager_status(pager_wal_clear_staged)
%pager_status(pager_wal_set_page_count)
%pager_status(pager_wal_read_app_header)
%pager_status(pager_wal_stage_app_header)
%pager_status(pager_wal_commit)
%pager_status(pager_wal_checkpoint)
%pager_status(pager_wal_get_stats)
/* Read transactions (0.3): the handle a ReadTxn owns (Java class ReadTxn). */
#if defined(SWIGJAVA)
%rename(ReadTxn) pager_wal_read_txn;
#endif
%pager_handle(pager_wal_read_txn, pager_wal_read_txn_free)
%apply pager_wal_read_txn **out { pager_wal_read_txn **txn_out }
%pager_factory(pager_wal_read_txn_begin, pager_wal_read_txn)
%pager_status(pager_wal_read_txn_read_page)
%pager_status(pager_wal_read_txn_page_count)
%pager_status(pager_wal_read_txn_read_app_header)
/* A pinned view is a raw pointer into a mapping that must not outlive the transaction:
 * Go and Java copy instead (ReadPageInto / readPage(n, ByteBuffer); bindings/README.md). */
%ignore pager_wal_read_txn_view_page;
%apply uint32_t *OUT { uint32_t *mode_out, uint32_t *bytes_out, uint32_t *count_out,
                       uint32_t *frames_out, uint32_t *pages_out }
%apply (void *BUFFER, uint64_t CAPACITY) { (void *buf, uint64_t buf_len) }
%apply (const void *BYTES, uint64_t LENGTH) { (const void *data, uint64_t data_len) }
/* Kept from 0.1: other sections' functions still match these parameter names. */
%apply (void *BUFFER, size_t CAPACITY) { (void *buf, size_t buf_len), (void *buf, size_t len) }
%apply (const void *BYTES, size_t LENGTH) { (const void *data, size_t len) }
#if defined(SWIGJAVA)
/* Idiomatic methods on the AutoCloseable Wal (a closed Wal throws IllegalStateException). */
%extend pager_wal {
%proxycode %{
  /** Creates a new database at path (opts may be null: defaults). */
  public static Wal create(String path, WalOptions opts) { return Pager.walCreate(path, opts); }
  /**
   * Opens an existing database (opts may be null: read-write, the file's page size).
   * Read-write recovers the WAL; {@code opts.setReadOnly(1)} opens read-only (shared lock).
   * {@code opts.setReadOnly(PagerConstants.WAL_READ_ONLY_KEEP_FILES)} (since 0.3) opens
   * read-only writing no file at all, as a tool that inspects a database must: where a
   * read-only open would rebuild a stale shared index {@code -shm} (after a crash, no writer
   * open), it leaves the index as found, reads privately and keeps writers out (their open
   * throws {@link BusyException}) until it closes; {@link #accessMode()} reports WAL_READ_ONLY.
   * {@link #create} refuses any read-only mode (PagerConstants.ERR_INVALID).
   */
  public static Wal open(String path, WalOptions opts) { return Pager.walOpen(path, opts); }

  /** pager_wal_checkpoint_options.mode. */
  public enum CheckpointMode {
    /** Copies what no reader needs, never waits (today: everything). Auto-checkpoints use it. */
    PASSIVE(PagerConstants.WAL_CHECKPOINT_PASSIVE),
    /** Copies every frame, waiting for readers (today there are none to wait for). */
    FULL(PagerConstants.WAL_CHECKPOINT_FULL),
    /** As FULL, then truncates the -wal file to zero bytes. */
    TRUNCATE(PagerConstants.WAL_CHECKPOINT_TRUNCATE);

    final int code;

    CheckpointMode(int code) {
      this.code = code;
    }
  }

  private long u32(java.util.function.Consumer<long[]> call) {
    long[] v = new long[1];
    call.accept(v);
    return v[0];
  }
  /** PagerConstants.WAL_READ_WRITE or WAL_READ_ONLY (also opened WAL_READ_ONLY_KEEP_FILES). */
  public int accessMode() { return (int) u32(v -> Pager.walAccessMode(this, v)); }
  /** Bytes per page. */
  public int pageSize() { return (int) u32(v -> Pager.walPageSize(this, v)); }
  /** Pages including page 0 and staged changes. */
  public long pageCount() { return u32(v -> Pager.walPageCount(this, v)); }
  /** A new array with the page's content (staged, else committed). */
  public byte[] readPage(long page) {
    byte[] b = new byte[pageSize()];
    Pager.walReadPage(this, page, b);
    return b;
  }
  /** Reads the page into dst (dst.length must be the page size). */
  public void readPage(long page, byte[] dst) { Pager.walReadPage(this, page, dst); }
  /** Stages data (exactly one page, copied) as the page's new content. */
  public void stagePage(long page, byte[] data) { Pager.walStagePage(this, page, data); }
  public void clearStaged() { Pager.walClearStaged(this); }
  public void setPageCount(long pageCount) { Pager.walSetPageCount(this, pageCount); }
  public byte[] readAppHeader() {
    byte[] b = new byte[PagerConstants.WAL_APP_HEADER_SIZE];
    Pager.walReadAppHeader(this, b);
    return b;
  }
  public void stageAppHeader(byte[] data) { Pager.walStageAppHeader(this, data); }
  /** Commits the staged changes; returns the data frames written. */
  public long commit() { return u32(v -> Pager.walCommit(this, v)); }
  /** A passive checkpoint of the WAL into the main file; returns the pages written. */
  public long checkpoint() { return checkpoint(CheckpointMode.PASSIVE); }
  /** Checkpoints the WAL into the main file in the given mode; returns the pages written. */
  public long checkpoint(CheckpointMode mode) {
    try (WalCheckpointOptions o = new WalCheckpointOptions()) {
      o.setMode(mode.code);
      return u32(v -> Pager.walCheckpoint(this, o, v));
    }
  }
  /** A snapshot of the statistics (close it, or use try-with-resources). */
  public WalStats stats() {
    WalStats s = new WalStats();
    try {
      Pager.walGetStats(this, s);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }
%}
}
#endif

/* (section: walseg) */
%pager_options(pager_walseg_options, pager_walseg_options_init)
#if defined(SWIGJAVA)
/* The writer's close() reports pager_walseg_writer_close's status (the last flush + sync) as
 * a PagerException; the native writer is freed either way and a second close() does nothing.
 * (The one release function of pager.h that returns a status, C4.) The same write lock as
 * %pager_handle's delete(). */
%typemap(javadestruct, methodname="delete", methodmodifiers="public")
    struct pager_walseg_writer {
    swigLockForClose();
    try {
      if (swigCPtr != 0) {
        try {
          if (swigCMemOwn) Pager.walsegWriterClose(this);
        } finally {
          if (swigCMemOwn) swigForgetNative(); // freed by walsegWriterClose either way
          swigCMemOwn = false;
          swigCPtr = 0;
        }
      }
    } finally {
      swigGuard.writeLock().unlock();
    }
  }
#endif
%pager_handle_own_delete(pager_walseg_writer, pager_walseg_writer_close)
%pager_factory(pager_walseg_writer_open, pager_walseg_writer)
%pager_status(pager_walseg_append)
%pager_status(pager_walseg_sync)
%pager_status(pager_walseg_flush)
%pager_status(pager_walseg_writer_lsns)
%pager_status(pager_walseg_remove_before)
%apply (const void *BYTES, uint64_t LENGTH) { (const void *data, uint64_t len) }
%apply uint64_t *OUT { uint64_t *lsn_out, uint64_t *next_lsn, uint64_t *durable_lsn,
                       uint64_t *removed_out, uint64_t *offset, uint64_t *len,
                       uint64_t *last_lsn, uint64_t *segment_lsn }
%apply uint32_t *OUT { uint32_t *found, uint32_t *reason, uint32_t *is_empty,
                       uint32_t *madvise_applied }
%pager_status(pager_walseg_writer_close)
#if defined(SWIGJAVA)
/* Only WalsegWriter.close() calls it (package-private: a direct call would leave the proxy
 * holding a freed writer). */
%javamethodmodifiers pager_walseg_writer_close ""
#endif
/* Reader options: known_types is a caller-owned array in C; here the struct owns a copy that
 * add_known_type() grows and the destructor frees. */
%ignore pager_walseg_reader_options::known_types;
%immutable pager_walseg_reader_options::known_type_count;
%ignore pager_walseg_reader_options::reserved0;
%pager_struct(pager_walseg_reader_options)
%extend pager_walseg_reader_options {
  pager_walseg_reader_options() {
    pager_walseg_reader_options *o =
        (pager_walseg_reader_options *)calloc(1, sizeof(pager_walseg_reader_options));
    if (o) pager_walseg_reader_options_init(o);
    return o;
  }
  ~pager_walseg_reader_options() {
    free((void *)$self->known_types);
    free($self);
  }
  /* Adds a type id this reader understands (bit 15 ignored). Returns 0, or
   * PAGER_ERR_NOMEM (the list is unchanged). */
  int add_known_type(uint16_t type) {
    uint16_t *grown = (uint16_t *)realloc((void *)$self->known_types,
                                          (size_t)($self->known_type_count + 1u) * sizeof(uint16_t));
    if (!grown) return PAGER_ERR_NOMEM;
    grown[$self->known_type_count] = type;
    $self->known_types = grown;
    $self->known_type_count++;
    return PAGER_OK;
  }
}
/* A record view: `data` points into the reader's mapping, valid until the reader is closed
 * (reader_next) or until the next replay_next / replay close (replay_next). Go and Java copy
 * it out with copy_data (the idiomatic layers do so at once, in next(); reading a stale view
 * through the raw layer is undefined). */
%ignore pager_walseg_record::data;
/* `type` is a Go keyword: Go gets GetRecord_type(), Java getRecordType(). */
#if defined(SWIGJAVA)
%rename(recordType) pager_walseg_record::type;
#else
%rename(record_type) pager_walseg_record::type;
#endif
%pager_struct(pager_walseg_record)
%extend pager_walseg_record {
  pager_walseg_record() {
    return (pager_walseg_record *)calloc(1, sizeof(pager_walseg_record));
  }
  ~pager_walseg_record() { free($self); }
  /* Copies min(len, cap) payload bytes into dst. */
  void copy_data(void *dst, uint64_t cap) {
    uint64_t n = $self->len < cap ? $self->len : cap;
    if (n && $self->data) memcpy(dst, $self->data, (size_t)n);
  }
}
%apply (void *BUFFER, uint64_t CAPACITY) { (void *dst, uint64_t cap) }
%pager_handle(pager_walseg_reader, pager_walseg_reader_close)
%pager_factory(pager_walseg_reader_open, pager_walseg_reader)
%pager_status(pager_walseg_reader_next)
%pager_status(pager_walseg_reader_stop)
%pager_status(pager_walseg_reader_position)
%pager_status(pager_walseg_reader_release_pages)
%pager_handle(pager_walseg_replay, pager_walseg_replay_close)
%pager_factory(pager_walseg_replay_open, pager_walseg_replay)
%pager_status(pager_walseg_replay_next)
%pager_status(pager_walseg_replay_stop)
%pager_status(pager_walseg_reader_stop_detail)
%pager_status(pager_walseg_replay_stop_detail)
%apply (char *BUFFER, uint64_t CAPACITY) { (char *buf, uint64_t buf_len) }
%apply uint64_t *OUT { uint64_t *len_out }
#if defined(SWIGJAVA)
%extend pager_walseg_writer {
%proxycode %{
  // close() writes staged records, syncs, unlocks and frees the writer; it throws
  // PagerException with pager_walseg_writer_close's code (POISONED, IO, NOSPC) when that
  // fails -- the writer is released either way, and a second close() does nothing.

  /** Opens (or creates) the log directory for appending; opts may be null. */
  public static WalsegWriter open(String dir, WalsegOptions opts) { return Pager.walsegWriterOpen(dir, opts); }
  /** Appends one record; returns its LSN. */
  public long append(int type, byte[] data) {
    long[] lsn = new long[1];
    Pager.walsegAppend(this, type, data, lsn);
    return lsn[0];
  }
  public void sync() { Pager.walsegSync(this); }
  public void flush() { Pager.walsegFlush(this); }
  /** The LSN the next append gets. */
  public long nextLsn() { long[] n = new long[1]; Pager.walsegWriterLsns(this, n, null); return n[0]; }
  /** Every record with an LSN at or below it is durable. */
  public long durableLsn() { long[] d = new long[1]; Pager.walsegWriterLsns(this, null, d); return d[0]; }
  /** Deletes sealed segments wholly before lsn; returns how many. */
  public long removeBefore(long lsn) { long[] n = new long[1]; Pager.walsegRemoveBefore(this, lsn, n); return n[0]; }
%}
}
%extend pager_walseg_reader {
%proxycode %{
  /** Maps one segment file read-only; opts may be null. */
  public static WalsegReader open(String path, WalsegReaderOptions opts) { return Pager.walsegReaderOpen(path, opts); }
  /** The next record (its payload copied into a new byte[]), or null once the reader stopped. */
  public WalsegEntry next() {
    try (WalsegRecord rec = new WalsegRecord()) {
      long[] found = new long[1];
      Pager.walsegReaderNext(this, rec, found);
      return found[0] == 0 ? null : WalsegEntry.copyOf(rec);
    }
  }
  /** PagerConstants.WALSEG_STOP_*. */
  public int stopReason() { long[] r = new long[1]; Pager.walsegReaderStop(this, r, null, null); return (int) r[0]; }
  /** Where the data ends or the damage starts. */
  public long stopOffset() { long[] o = new long[1]; Pager.walsegReaderStop(this, null, o, null); return o[0]; }
  public long lastLsn() { long[] l = new long[1]; Pager.walsegReaderStop(this, null, null, l); return l[0]; }
  /** Why the reader stopped, in words ("" for a clean end). */
  public String stopDetail() { return WalsegEntry.detail((buf, len) -> Pager.walsegReaderStopDetail(this, buf, len)); }
  public void releasePages() { Pager.walsegReaderReleasePages(this); }
%}
}
%extend pager_walseg_replay {
%proxycode %{
  /** Replays the records of dir with LSN >= fromLsn (0: from the oldest); opts may be null. */
  public static WalsegReplay open(String dir, long fromLsn, WalsegReaderOptions opts) {
    return Pager.walsegReplayOpen(dir, fromLsn, opts);
  }
  /** The next record (payload copied), or null once the replay stopped. The replay holds
   *  one segment at a time (the C view is valid only until the next call; the copy stays):
   *  next() holds the replay exclusively until the payload is copied. */
  public WalsegEntry next() {
    swigLockForClose();
    try (WalsegRecord rec = new WalsegRecord()) {
      long[] found = new long[1];
      Pager.walsegReplayNext(this, rec, found);
      return found[0] == 0 ? null : WalsegEntry.copyOf(rec);
    } finally {
      swigGuard.writeLock().unlock();
    }
  }
  public int stopReason() { long[] r = new long[1]; Pager.walsegReplayStop(this, r, null, null, null); return (int) r[0]; }
  public long lastLsn() { long[] l = new long[1]; Pager.walsegReplayStop(this, null, null, null, l); return l[0]; }
  /** Why the replay stopped, in words ("" for a clean end). */
  public String stopDetail() { return WalsegEntry.detail((buf, len) -> Pager.walsegReplayStopDetail(this, buf, len)); }
%}
}
#endif

/* (section: cold) */
/* A pager_cold is a handle (Java: class ColdPager); the bindings open it through
 * pagerswig_cold_open (options as two arguments: the struct's const char * field would make
 * SWIG keep a copy of a Go/Java string). Handles outlive their pager (pager.h "Lifetimes"). */
#if defined(SWIGJAVA)
%rename(ColdPager) pager_cold;
#endif
%pager_handle(pager_cold, pager_cold_close)
%ignore pager_cold_options;
%ignore pager_cold_options_init;
%ignore pager_cold_open;
%pager_factory(pagerswig_cold_open, pager_cold)
%pager_status(pager_cold_set_scratch_dir)
%pager_status(pager_cold_scratch_dir)
%apply (char *BUFFER, uint64_t CAPACITY) { (char *buf, uint64_t buf_len) }
%apply uint64_t *OUT { uint64_t *len_out }
%pager_status(pager_cold_set_backend)
%pager_status(pager_cold_backend)
%apply uint32_t *OUT { uint32_t *backend_out }
%pager_handle(pager_cold_handle, pager_cold_free)
%pager_options(pager_cold_pageout_options, pager_cold_pageout_options_init)
/* The constructor (Go NewPager_cold_stats(), Java new ColdStats()) calls pager_cold_stats_init
 * (struct_size of the struct and of both nested ones). */
%pager_options(pager_cold_stats, pager_cold_stats_init)
%pager_struct(pager_cold_backend_stats)
%pager_status(pager_cold_get_stats)
/* Not wrapped: chunk and range arrays hold pointers (cgo may not pass Go memory holding Go
 * pointers) -- the pagerswig_cold_* helpers below take one buffer and a flat range list
 * instead; the ownership-transferring pageout (its free callback would run on any thread,
 * after the call); the taken-buffer API (take copies into a caller buffer instead). */
%ignore pager_cold_chunk;
%ignore pager_cold_owned_chunk;
%ignore pager_cold_range;
%ignore pager_cold_free_fn;
%ignore pager_cold_pageout;
%ignore pager_cold_pageout_with;
%ignore pager_cold_pageout_owned;
%ignore pager_cold_read_at_many;
%ignore pager_cold_take_buffer;
%ignore pager_cold_buffer_data;
%ignore pager_cold_buffer_len;
%ignore pager_cold_buffer_free;
/* A C callback per scratch directory: Go collects in C (bindings/go/reap_list.go), Java calls
 * a sink over JNI (pagerswig_java_cold_reap in java.i), Rust binds it directly. */
%ignore pager_cold_reap;
%ignore pager_cold_scratch_fn;
/* A C callback per frame of a -wal sidecar: pagerctl's (`pagerctl dump DB-wal --frame N`);
 * not bound yet. */
%ignore pager_wal_scan_frames;
%ignore pager_wal_scan_options_init;
%ignore pager_wal_scan_summary_init;
%ignore pager_wal_scan_options;
%ignore pager_wal_scan_summary;
%ignore pager_wal_frame_info;
%ignore pager_wal_frame_fn;
/* take consumes the handle on success: Go's ColdHandle.Take and Java's ColdHandle.take()
 * drop their pointer then; the raw Java method is package-private so that the proxy cannot
 * be left owning a freed handle. */
%pager_status(pager_cold_take)
%pager_status(pager_cold_read_at)
%apply (void *BUFFER, uint64_t CAPACITY) { (void *dst, uint64_t dst_len) }
#if defined(SWIGJAVA)
%javamethodmodifiers pager_cold_take "";
#endif
%pager_factory(pagerswig_cold_pageout, pager_cold_handle)
%pager_status(pagerswig_cold_read_at_many)
%apply (const void *BYTES, uint64_t LENGTH) { (const void *src, uint64_t src_len) }
%apply (const uint64_t *IDS, size_t COUNT) { (const uint64_t *offset_len_pairs, size_t words) }
%feature("action") pagerswig_cold_read_at_many
%{ result = (int)pagerswig_cold_read_at_many(arg1, (const uint64_t *)arg2, arg3, arg4, arg5); %}
%inline %{
/* pager_cold_open with backend (0: swap) and scratch_root (NULL or "": none yet). */
int pagerswig_cold_open(uint32_t backend, const char *scratch_root, pager_cold **out) {
  pager_cold_options opts;
  pager_cold_options_init(&opts);
  opts.backend = backend;
  opts.scratch_root = scratch_root && *scratch_root ? scratch_root : NULL;
  return pager_cold_open(&opts, out);
}
/* pager_cold_pageout_with of one chunk src[0..src_len) (the bytes are copied; a file
 * pageout with checksums gets one checksum for the whole buffer). opts may be NULL. */
int pagerswig_cold_pageout(pager_cold *c, uint32_t backend, const void *src, uint64_t src_len,
                           const pager_cold_pageout_options *opts, pager_cold_handle **out) {
  pager_cold_chunk chunk;
  chunk.data = src;
  chunk.len = src_len;
  return pager_cold_pageout_with(c, backend, &chunk, 1, opts, out);
}
/* pager_cold_read_at_many with the ranges given as words/2 (offset, len) pairs.
 * INVALID (no message) for an odd word count, NOMEM if the range array cannot be made. */
int pagerswig_cold_read_at_many(const pager_cold_handle *h, const uint64_t *offset_len_pairs,
                                size_t words, void *dst, uint64_t dst_len) {
  pager_cold_range *ranges;
  size_t i, n = words / 2;
  int rc;
  if (words % 2) return PAGER_ERR_INVALID;
  ranges = (pager_cold_range *)malloc((n ? n : 1) * sizeof *ranges);
  if (!ranges) return PAGER_ERR_NOMEM;
  for (i = 0; i < n; i++) {
    ranges[i].offset = offset_len_pairs[2 * i];
    ranges[i].len = offset_len_pairs[2 * i + 1];
  }
  rc = pager_cold_read_at_many(h, ranges, n, dst, dst_len);
  free(ranges);
  return rc;
}
%}
#if defined(SWIGJAVA)
%extend pager_cold {
%proxycode %{
  /** Opens a cold pager: backend is PagerConstants.COLD_BACKEND_SWAP (or 0) or
   * COLD_BACKEND_FILE; scratchRoot may be null (no file backend until setScratchDir). */
  public static ColdPager open(int backend, String scratchRoot) {
    return Pager.pagerswigColdOpen(backend, scratchRoot);
  }
  /** Configures the scratch root (once per pager; another root later throws ERR_EXISTS). */
  public void setScratchDir(String root) { Pager.coldSetScratchDir(this, root); }
  /** This pager's private scratch directory ("" before one was set). */
  public String scratchDir() {
    long[] n = new long[1];
    byte[] buf = new byte[256];
    for (;;) {
      Pager.coldScratchDir(this, buf, n);
      if (n[0] < buf.length) {
        return new String(buf, 0, (int) n[0], java.nio.charset.StandardCharsets.UTF_8);
      }
      buf = new byte[(int) n[0] + 1]; // truncated: again with the full length
    }
  }
  /** Sets this pager's default backend (COLD_BACKEND_SWAP or COLD_BACKEND_FILE). */
  public void setBackend(int backend) { Pager.coldSetBackend(this, backend); }
  /** This pager's default backend. */
  public int backend() { long[] b = new long[1]; Pager.coldBackend(this, b); return (int) b[0]; }
  /** Pages out a copy of data on backend (PagerConstants.COLD_BACKEND_*, 0: this pager's
   * default); opts may be null. The handle stays usable after this pager is closed. */
  public ColdHandle pageout(int backend, byte[] data, ColdPageoutOptions opts) {
    return Pager.pagerswigColdPageout(this, backend, data, opts);
  }
  /** This pager's counters; close() the result. */
  public ColdStats stats() {
    ColdStats s = new ColdStats();
    Pager.coldGetStats(this, s);
    return s;
  }
%}
}
%extend pager_cold_handle {
%proxycode %{
  /** The handle's length in bytes. */
  public long length() { return Pager.coldLen(this); }
  /** PagerConstants.COLD_BACKEND_SWAP or COLD_BACKEND_FILE. */
  public int backend() { return (int) Pager.coldBackendOf(this); }
  /** Copies [offset, offset + dst.length) into dst. */
  public void readAt(long offset, byte[] dst) { Pager.coldReadAt(this, offset, dst); }
  /** Reads ranges ({offset, len} pairs) one after the other into a new array. */
  public byte[] readAtMany(long[] offsetLenPairs) {
    long total = 0;
    for (int i = 1; i < offsetLenPairs.length; i += 2) total += offsetLenPairs[i];
    if (total > Integer.MAX_VALUE - 8) {
      throw new PagerException(PagerConstants.ERR_TOO_LARGE, "PAGER_ERR_TOO_LARGE",
          total + " bytes requested, more than a Java array holds");
    }
    byte[] dst = new byte[(int) total];
    Pager.pagerswigColdReadAtMany(this, offsetLenPairs, dst);
    return dst;
  }
  /** Returns the whole content and frees the handle (on failure it stays open). Waits for
   * the reads in progress (the exclusive hold, as close()). */
  public byte[] take() {
    swigLockForClose();
    try {
      long len = length();
      if (len > Integer.MAX_VALUE - 8) {
        throw new PagerException(PagerConstants.ERR_TOO_LARGE, "PAGER_ERR_TOO_LARGE",
            len + " bytes, more than a Java array holds");
      }
      byte[] dst = new byte[(int) len];
      Pager.coldTake(this, dst);
      swigForgetNative();
      swigCPtr = 0; // consumed by the library
      swigCMemOwn = false;
      return dst;
    } finally {
      swigGuard.writeLock().unlock();
    }
  }
%}
}
#endif

/* (section: snapshot) */
/* uint32_t arrays: `(const uint32_t *P, uint64_t N)` in, `(uint32_t *P, uint64_t CAP)` out.
 * Go []uint32 (no copy); Java int[] (slots are < 2^31; the output array is copied back). */
#if defined(SWIGGO)
%typemap(gotype) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) "[]uint32"
%typemap(in) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) %{
  $1 = ($1_ltype)$input.array;
  $2 = ($2_ltype)$input.len;
%}
#endif
#if defined(SWIGJAVA)
%typemap(jni) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) "jintArray"
%typemap(jtype) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) "int[]"
%typemap(jstype) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) "int[]"
%typemap(javain) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) "$javainput"
%typemap(in) (const uint32_t *U32S, uint64_t COUNT), (uint32_t *U32S_OUT, uint64_t CAPACITY) {
  $1 = 0;
  $2 = 0;
  if ($input) {
    $1 = ($1_ltype)JCALL2(GetIntArrayElements, jenv, $input, 0);
    if (!$1) return $null;
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
  }
}
%typemap(freearg) (const uint32_t *U32S, uint64_t COUNT) {
  if ($1) JCALL3(ReleaseIntArrayElements, jenv, $input, (jint *)$1, JNI_ABORT);
}
%typemap(freearg) (uint32_t *U32S_OUT, uint64_t CAPACITY) {
  if ($1) JCALL3(ReleaseIntArrayElements, jenv, $input, (jint *)$1, 0);
}
#endif
%pager_options(pager_cache_meta, pager_cache_meta_init)
%pager_status(pager_cache_meta_page_bytes)
%apply uint64_t *OUT { uint64_t *k_page_bytes_out, uint64_t *v_page_bytes_out }
%pager_handle(pager_refengine, pager_refengine_free)
%pager_factory(pager_refengine_create, pager_refengine)
%pager_status(pager_refengine_meta)
%pager_status(pager_refengine_capacity_pages)
%apply uint32_t *OUT { uint32_t *capacity_pages_out }
%pager_status(pager_refengine_alloc_page)
%apply uint32_t *OUT { uint32_t *slot_out }
%pager_status(pager_refengine_free_page)
%pager_status(pager_refengine_write_page)
%apply (const void *BYTES, uint64_t LENGTH) { (const void *k, uint64_t k_bytes),
                                              (const void *v, uint64_t v_bytes) }
%pager_status(pager_refengine_read_page)
%apply (void *BUFFER, uint64_t CAPACITY) { (void *k, uint64_t k_bytes),
                                           (void *v, uint64_t v_bytes) }
%apply (const void *BYTES, uint64_t LENGTH) { (const char *id, uint64_t id_bytes) }
%apply (const uint32_t *U32S, uint64_t COUNT) { (const uint32_t *pages, uint64_t page_count) }
%apply (uint32_t *U32S_OUT, uint64_t CAPACITY) { (uint32_t *seq_pages_out, uint64_t seq_pages_capacity) }
%apply uint64_t *OUT { uint64_t *page_count_out, uint64_t *fingerprint_out }
%apply uint32_t *OUT { uint32_t *fill_last_page_out }
%pager_status(pager_refengine_set_seq)
%pager_status(pager_refengine_remove_seq)
%pager_status(pager_refengine_get_seq)
%pager_options(pager_refengine_stats, pager_refengine_stats_init)
%pager_status(pager_refengine_get_stats)
%pager_status(pager_refengine_fingerprint)
%pager_status(pager_refengine_fail_callback)
%pager_status(pager_snapshot_verify)
%pager_status(pager_snapshot_inspect)
%pager_options(pager_snapshot_info, pager_snapshot_info_init)
/* Snapshot options: the progress callback is not bound (Go/Java adapters would need a
 * trampoline); parent_path is owned by the struct (set_parent_path copies it). */
%ignore pager_snapshot_options::progress;
/* C callbacks over a snapshot's tables: Go collects in C (bindings/go/reap_list.go), Java
 * calls a sink over JNI (pagerswig_java_snapshot_list in java.i), Rust binds it directly. */
%ignore pager_snapshot_list;
%ignore pager_snapshot_page;
%ignore pager_snapshot_seq;
%ignore pager_snapshot_page_fn;
%ignore pager_snapshot_seq_fn;
%ignore pager_snapshot_options::progress_ctx;
%ignore pager_snapshot_options::parent_path;
%pager_struct(pager_snapshot_options)
%extend pager_snapshot_options {
  pager_snapshot_options() {
    pager_snapshot_options *o = (pager_snapshot_options *)calloc(1, sizeof(pager_snapshot_options));
    if (o) pager_snapshot_options_init(o);
    return o;
  }
  ~pager_snapshot_options() {
    free((void *)$self->parent_path);
    free($self);
  }
  /* Capture incrementally against this parent snapshot (NULL: a full snapshot). Returns 0
   * or PAGER_ERR_NOMEM. */
  int set_parent_path(const char *path) {
    char *copy = NULL;
    if (path) {
      copy = (char *)malloc(strlen(path) + 1);
      if (!copy) return PAGER_ERR_NOMEM;
      strcpy(copy, path);
    }
    free((void *)$self->parent_path);
    $self->parent_path = copy;
    return PAGER_OK;
  }
}
/* The adapter plumbing (ops tables of C callbacks, sinks, sequences with borrowed pointers)
 * is not bound as such: the reference engine is captured and restored through the
 * pagerswig_snapshot_*_refengine helpers, which fill its ops in C; engines written in Java
 * go through pagerswig_java_snapshot_engine in java.i (JNI trampolines below), engines written in Go through
 * bindings/go/snapshot_engine.{go,c} (cgo trampolines, not SWIG). Rust binds all of it. */
%ignore pager_cache_ops;
%ignore pager_page_segment;  /* page_buffers (zero-copy restore) is not bound in Go/Java yet */
%ignore pager_cache_sink;
%ignore pager_cache_sink_add_pages;
%ignore pager_cache_sink_add_seq;
%ignore pager_logical_seq;
%ignore pager_snapshot_progress_fn;
%ignore pager_snapshot_capture;
%ignore pager_snapshot_capture_fd;
%ignore pager_snapshot_restore;
%ignore pager_refengine_ops;
%pager_status(pagerswig_snapshot_capture_refengine)
%pager_status(pagerswig_snapshot_restore_refengine)
%inline %{
/* pager_snapshot_capture of a reference engine (its own ops). opts may be NULL. */
int pagerswig_snapshot_capture_refengine(pager_refengine *engine, const char *path,
                                         const pager_snapshot_options *opts) {
  pager_cache_ops ops;
  int rc;
  memset(&ops, 0, sizeof ops);
  rc = pager_refengine_ops(engine, &ops);
  return rc != PAGER_OK ? rc : pager_snapshot_capture(&ops, path, opts);
}
/* pager_snapshot_restore into a reference engine. opts may be NULL. */
int pagerswig_snapshot_restore_refengine(pager_refengine *engine, const char *path,
                                         const pager_snapshot_options *opts) {
  pager_cache_ops ops;
  int rc;
  memset(&ops, 0, sizeof ops);
  rc = pager_refengine_ops(engine, &ops);
  return rc != PAGER_OK ? rc : pager_snapshot_restore(&ops, path, opts);
}
%}
#if defined(SWIGJAVA)
/* Engines written in Java: dev.libpager.SnapshotEngine driven through C trampolines that
 * call its methods over JNI on the calling thread. A SnapshotEngine.Failure becomes its
 * adapter code; any other throwable fails the callback (code -1), is kept as a global
 * reference and rethrown when the operation returns (before the PagerException, which the
 * ret typemap then does not raise: an exception is already pending). */
%typemap(in, numinputs=0) JNIEnv *JENV "$1 = jenv;"
%typemap(jni) jobject ENGINE "jobject"
%typemap(jtype) jobject ENGINE "SnapshotEngine"
%typemap(jstype) jobject ENGINE "SnapshotEngine"
%typemap(javain) jobject ENGINE "$javainput"
%typemap(in) jobject ENGINE "$1 = $input;"
%apply JNIEnv *JENV { JNIEnv *env }
%apply jobject ENGINE { jobject engine }
%{
typedef struct PagerJEngine {
  JNIEnv *env;
  jobject engine;
  jclass cls;
  jthrowable pending; /* global ref: a non-Failure throwable to rethrow */
} PagerJEngine;

/* After a Java call: 0, or the adapter code (exception cleared, kept if not a Failure). */
static int PagerJ_Check(PagerJEngine *c) {
  JNIEnv *env = c->env;
  jthrowable t;
  jclass failure;
  int code = -1;
  if (!(*env)->ExceptionCheck(env)) return 0;
  t = (*env)->ExceptionOccurred(env);
  (*env)->ExceptionClear(env);
  failure = (*env)->FindClass(env, "dev/libpager/SnapshotEngine$Failure");
  if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
  if (failure && (*env)->IsInstanceOf(env, t, failure)) {
    jmethodID m = (*env)->GetMethodID(env, failure, "code", "()I");
    if (m) code = (int)(*env)->CallIntMethod(env, t, m);
    if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
    if (code == 0) code = -1;
  } else {
    if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env);
    if (!c->pending) c->pending = (jthrowable)(*env)->NewGlobalRef(env, t);
  }
  if (failure) (*env)->DeleteLocalRef(env, failure);
  (*env)->DeleteLocalRef(env, t);
  return code;
}

static jmethodID PagerJ_Method(PagerJEngine *c, const char *name, const char *sig) {
  return (*c->env)->GetMethodID(c->env, c->cls, name, sig);
}

static int PagerJ_Void(void *ctx, const char *name) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  jmethodID m = PagerJ_Method(c, name, "()V");
  if (!m) return PagerJ_Check(c);
  (*c->env)->CallVoidMethod(c->env, c->engine, m);
  return PagerJ_Check(c);
}
static int PagerJ_pause(void *ctx) { return PagerJ_Void(ctx, "pause"); }
static int PagerJ_resume(void *ctx) { return PagerJ_Void(ctx, "resume"); }

static int PagerJ_meta(void *ctx, pager_cache_meta *meta) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, "meta", "()Ldev/libpager/CacheMeta;");
  jobject obj;
  jclass mc;
  jmethodID getp;
  jlong p;
  int rc;
  if (!m) return PagerJ_Check(c);
  obj = (*env)->CallObjectMethod(env, c->engine, m);
  if ((rc = PagerJ_Check(c)) != 0) return rc;
  if (!obj) return -1;
  mc = (*env)->FindClass(env, "dev/libpager/CacheMeta");
  getp = mc ? (*env)->GetStaticMethodID(env, mc, "getCPtr", "(Ldev/libpager/CacheMeta;)J") : NULL;
  if (!getp) return PagerJ_Check(c);
  p = (*env)->CallStaticLongMethod(env, mc, getp, obj);
  if ((rc = PagerJ_Check(c)) != 0) return rc;
  if (!p) return -1;
  {
    const pager_cache_meta *src = *(const pager_cache_meta **)&p;
    meta->tokens_per_page = src->tokens_per_page;
    meta->layers = src->layers;
    meta->kv_heads = src->kv_heads;
    meta->head_dim = src->head_dim;
    meta->dtype = src->dtype;
  }
  (*env)->DeleteLocalRef(env, mc);
  (*env)->DeleteLocalRef(env, obj);
  return 0;
}

static int PagerJ_occupied(void *ctx, pager_cache_sink *sink) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, "occupiedPages", "()[I");
  jintArray arr;
  jint *pages;
  int rc;
  if (!m) return PagerJ_Check(c);
  arr = (jintArray)(*env)->CallObjectMethod(env, c->engine, m);
  if ((rc = PagerJ_Check(c)) != 0) return rc;
  if (!arr) return 0;
  pages = (*env)->GetIntArrayElements(env, arr, NULL);
  if (!pages) return PagerJ_Check(c);
  rc = pager_cache_sink_add_pages(sink, (const uint32_t *)pages,
                                  (uint64_t)(*env)->GetArrayLength(env, arr));
  (*env)->ReleaseIntArrayElements(env, arr, pages, JNI_ABORT);
  (*env)->DeleteLocalRef(env, arr);
  return rc ? -1 : 0; /* a failed add fails the operation with its own code */
}

static int PagerJ_seqs(void *ctx, pager_cache_sink *sink) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, "logicalSeqs", "()[Ldev/libpager/EngineSeq;");
  jclass sc = (*env)->FindClass(env, "dev/libpager/EngineSeq");
  jfieldID fid, fpages, ffill;
  jobjectArray arr;
  jsize i, n;
  int rc;
  if (!m || !sc) return PagerJ_Check(c);
  fid = (*env)->GetFieldID(env, sc, "id", "[B");
  fpages = fid ? (*env)->GetFieldID(env, sc, "pages", "[I") : NULL;
  ffill = fpages ? (*env)->GetFieldID(env, sc, "fillLastPage", "I") : NULL;
  if (!ffill) return PagerJ_Check(c);
  arr = (jobjectArray)(*env)->CallObjectMethod(env, c->engine, m);
  if ((rc = PagerJ_Check(c)) != 0) return rc;
  if (!arr) return 0;
  n = (*env)->GetArrayLength(env, arr);
  for (i = 0; i < n && rc == 0; i++) {
    jobject s = (*env)->GetObjectArrayElement(env, arr, i);
    jbyteArray id = s ? (jbyteArray)(*env)->GetObjectField(env, s, fid) : NULL;
    jintArray pages = s ? (jintArray)(*env)->GetObjectField(env, s, fpages) : NULL;
    jbyte *idp = id ? (*env)->GetByteArrayElements(env, id, NULL) : NULL;
    jint *pp = pages ? (*env)->GetIntArrayElements(env, pages, NULL) : NULL;
    if (!s || (id && !idp) || (pages && !pp)) {
      rc = PagerJ_Check(c);
      if (rc == 0) rc = -1;
    } else {
      rc = pager_cache_sink_add_seq(sink, (const char *)idp,
                                    id ? (uint64_t)(*env)->GetArrayLength(env, id) : 0,
                                    (const uint32_t *)pp,
                                    pages ? (uint64_t)(*env)->GetArrayLength(env, pages) : 0,
                                    (uint32_t)(*env)->GetIntField(env, s, ffill));
      if (rc) rc = -1;
    }
    if (pp) (*env)->ReleaseIntArrayElements(env, pages, pp, JNI_ABORT);
    if (idp) (*env)->ReleaseByteArrayElements(env, id, idp, JNI_ABORT);
    if (pages) (*env)->DeleteLocalRef(env, pages);
    if (id) (*env)->DeleteLocalRef(env, id);
    if (s) (*env)->DeleteLocalRef(env, s);
  }
  (*env)->DeleteLocalRef(env, arr);
  (*env)->DeleteLocalRef(env, sc);
  return rc;
}

static int PagerJ_Page(PagerJEngine *c, const char *name, uint32_t page, void *k, uint64_t kn,
                       void *v, uint64_t vn, int read_only) {
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, name, "(ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)V");
  jobject kb, vb;
  int rc;
  if (!m) return PagerJ_Check(c);
  kb = (*env)->NewDirectByteBuffer(env, k, (jlong)kn);
  vb = kb ? (*env)->NewDirectByteBuffer(env, v, (jlong)vn) : NULL;
  if (!vb) return PagerJ_Check(c);
  if (read_only) {
    jclass bc = (*env)->FindClass(env, "java/nio/ByteBuffer");
    jmethodID ro = bc ? (*env)->GetMethodID(env, bc, "asReadOnlyBuffer", "()Ljava/nio/ByteBuffer;") : NULL;
    jobject kr, vr;
    if (!ro) return PagerJ_Check(c);
    kr = (*env)->CallObjectMethod(env, kb, ro);
    if ((rc = PagerJ_Check(c)) != 0) return rc;
    vr = (*env)->CallObjectMethod(env, vb, ro);
    if ((rc = PagerJ_Check(c)) != 0) return rc;
    (*env)->DeleteLocalRef(env, kb);
    (*env)->DeleteLocalRef(env, vb);
    (*env)->DeleteLocalRef(env, bc);
    kb = kr;
    vb = vr;
  }
  (*env)->CallVoidMethod(env, c->engine, m, (jint)page, kb, vb);
  rc = PagerJ_Check(c);
  (*env)->DeleteLocalRef(env, kb);
  (*env)->DeleteLocalRef(env, vb);
  return rc;
}
static int PagerJ_read(void *ctx, uint32_t page, void *k, uint64_t kn, void *v, uint64_t vn) {
  return PagerJ_Page((PagerJEngine *)ctx, "readPage", page, k, kn, v, vn, 0);
}
static int PagerJ_write(void *ctx, uint32_t page, const void *k, uint64_t kn, const void *v,
                        uint64_t vn) {
  return PagerJ_Page((PagerJEngine *)ctx, "writePage", page, (void *)k, kn, (void *)v, vn, 1);
}

static int PagerJ_alloc(void *ctx, uint32_t *slots, uint64_t count) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, "allocatePages", "([I)V");
  jintArray arr;
  int rc;
  if (!m) return PagerJ_Check(c);
  if (count > 0x7fffffffu) return -1;
  arr = (*env)->NewIntArray(env, (jsize)count);
  if (!arr) return PagerJ_Check(c);
  (*env)->CallVoidMethod(env, c->engine, m, arr);
  if ((rc = PagerJ_Check(c)) == 0) {
    (*env)->GetIntArrayRegion(env, arr, 0, (jsize)count, (jint *)slots);
    rc = PagerJ_Check(c);
  }
  (*env)->DeleteLocalRef(env, arr);
  return rc;
}

static int PagerJ_release(void *ctx, const uint32_t *slots, uint64_t count) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, "releasePages", "([I)V");
  jintArray arr;
  int rc;
  if (!m) return PagerJ_Check(c);
  if (count > 0x7fffffffu) return -1;
  arr = (*env)->NewIntArray(env, (jsize)count);
  if (!arr) return PagerJ_Check(c);
  (*env)->SetIntArrayRegion(env, arr, 0, (jsize)count, (const jint *)slots);
  (*env)->CallVoidMethod(env, c->engine, m, arr);
  rc = PagerJ_Check(c);
  (*env)->DeleteLocalRef(env, arr);
  return rc;
}

static int PagerJ_install(void *ctx, const pager_logical_seq *seqs, uint64_t count) {
  PagerJEngine *c = (PagerJEngine *)ctx;
  JNIEnv *env = c->env;
  jmethodID m = PagerJ_Method(c, "installLogicalSeqs", "([Ldev/libpager/EngineSeq;)V");
  jclass sc = (*env)->FindClass(env, "dev/libpager/EngineSeq");
  jmethodID ctor = sc ? (*env)->GetMethodID(env, sc, "<init>", "([B[II)V") : NULL;
  jobjectArray arr;
  uint64_t i;
  int rc;
  if (!m || !ctor) return PagerJ_Check(c);
  if (count > 0x7fffffffu) return -1;
  arr = (*env)->NewObjectArray(env, (jsize)count, sc, NULL);
  if (!arr) return PagerJ_Check(c);
  for (i = 0; i < count; i++) {
    jbyteArray id = (*env)->NewByteArray(env, (jsize)seqs[i].id_bytes);
    jintArray pages = id ? (*env)->NewIntArray(env, (jsize)seqs[i].page_count) : NULL;
    jobject s;
    if (!pages) return PagerJ_Check(c);
    (*env)->SetByteArrayRegion(env, id, 0, (jsize)seqs[i].id_bytes, (const jbyte *)seqs[i].id);
    if (seqs[i].page_count)
      (*env)->SetIntArrayRegion(env, pages, 0, (jsize)seqs[i].page_count, (const jint *)seqs[i].pages);
    s = (*env)->NewObject(env, sc, ctor, id, pages, (jint)seqs[i].fill_last_page);
    if (!s) return PagerJ_Check(c);
    (*env)->SetObjectArrayElement(env, arr, (jsize)i, s);
    (*env)->DeleteLocalRef(env, s);
    (*env)->DeleteLocalRef(env, pages);
    (*env)->DeleteLocalRef(env, id);
  }
  (*env)->CallVoidMethod(env, c->engine, m, arr);
  rc = PagerJ_Check(c);
  (*env)->DeleteLocalRef(env, arr);
  (*env)->DeleteLocalRef(env, sc);
  return rc;
}
%}
#endif
#if defined(SWIGJAVA)
%extend pager_refengine {
%proxycode %{
  /** An engine of capacityPages slots with the geometry meta. */
  public static Refengine create(CacheMeta meta, long capacityPages) { return Pager.refengineCreate(meta, capacityPages); }
  public int allocPage() { long[] s = new long[1]; Pager.refengineAllocPage(this, s); return (int) s[0]; }
  /** The number of slots the engine was created with. */
  public int capacityPages() { long[] c = new long[1]; Pager.refengineCapacityPages(this, c); return (int) c[0]; }
  public void freePage(int slot) { Pager.refengineFreePage(this, slot); }
  public void writePage(int slot, byte[] k, byte[] v) { Pager.refengineWritePage(this, slot, k, v); }
  public void readPage(int slot, byte[] k, byte[] v) { Pager.refengineReadPage(this, slot, k, v); }
  public void setSeq(byte[] id, int[] pages, int fillLastPage) { Pager.refengineSetSeq(this, id, pages, fillLastPage); }
  /** The page slots of sequence id. */
  public int[] getSeq(byte[] id) {
    long[] n = new long[1], fill = new long[1];
    Pager.refengineGetSeq(this, id, null, n, fill);
    int[] pages = new int[(int) n[0]];
    Pager.refengineGetSeq(this, id, pages, n, fill);
    return pages;
  }
  /** Occupied slots, sequences, paused (pager_refengine_get_stats); close the result. */
  public RefengineStats stats() {
    RefengineStats s = new RefengineStats();
    try {
      Pager.refengineGetStats(this, s);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }
  public long occupiedPages() { try (RefengineStats s = stats()) { return s.getOccupiedPages(); } }
  /** XXH3-64 of the logical content (independent of slot placement). */
  public long fingerprint() { long[] f = new long[1]; Pager.refengineFingerprint(this, f); return f[0]; }
  /** Writes a snapshot of this engine to path (opts may be null). */
  public void capture(String path, SnapshotOptions opts) { Pager.pagerswigJavaSnapshotRefengine(this, 0, path, -1, opts, SnapshotOptions.progressOf(opts)); }
  /** Restores the snapshot at path into this engine (opts may be null). */
  public void restore(String path, SnapshotOptions opts) { Pager.pagerswigJavaSnapshotRefengine(this, 1, path, -1, opts, SnapshotOptions.progressOf(opts)); }
%}
}
#endif

/* (section: check) */
/* Format detection and the read-only checks: plain status calls with a result struct whose
 * text fields (char arrays) read as strings. */
%apply uint32_t *OUT { uint32_t *format_out }
%pager_status(pager_format_detect)
%pager_status(pager_file_check)
%pager_status(pager_wal_check)
%pager_status(pager_walseg_check)
%pager_status(pager_snapshot_check)
%pager_options(pager_check_report, pager_check_report_init)

/* Every component's section above is written. A NEW component's prefix goes into an ignore
 * list here until its section is, so a new C function can never break the Go or Java build
 * with a wrapper nobody designed:
 *   %rename("$ignore", regextarget=1, fullname=1) "^pager_newcomp_";
 * Remove it in the same change that fills in the section. */

/* Java-only API (ByteBuffer and Path overloads, the bindings of the callback and ownership
 * functions, sub-pages): java.i, after the sections whose macros it relies on. */
#if defined(SWIGJAVA)
%include "java.i"
#endif

/* ---- 5. the header ------------------------------------------------------------------- */

/* Not wrapped: the binding reads the detail message itself, inside the failing call. */
%ignore pager_last_error;

%include "pager.h"
