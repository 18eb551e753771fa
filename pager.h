/*
 * pager.h -- the one public header of libpager.
 *
 * libpager is a page-storage library: a C++17 core behind this C header. It has four
 * components, each with its own prefix:
 *
 *   pager_file_      a file of fixed-size, memory-mapped pages with crash-safe allocation
 *   pager_wal_       a page store committed atomically through a WAL sidecar
 *   pager_walseg_    a checksummed record log in segments and a zero-copy mmap reader
 *   pager_cold_      cold byte ranges paged out to scratch files or left for swap
 *   pager_snapshot_  capture and restore of a paged KV cache through an engine adapter
 *
 * ---------------------------------------------------------------------------------------
 * Conventions (they hold for every function below unless its comment says otherwise)
 * ---------------------------------------------------------------------------------------
 *
 * Return values. Every function that can fail returns `int`: PAGER_OK (0) or one of the
 *   PAGER_ERR_* codes. Codes are stable and never reused. pager_errstr() names a code;
 *   pager_last_error() gives the calling thread's detail message for its last failed call
 *   (which path, page, offset, expected and found values).
 *
 * Errors, not aborts. A violated precondition (NULL pointer, range out of bounds, overlapping
 *   ranges, double free, a reserved page, a page size mismatch) is an error code with a
 *   message. No C++ exception ever crosses this header; an allocation failure is
 *   PAGER_ERR_NOMEM.
 *
 * Handles. Opaque pointers created through an out-parameter (always the last parameter) and
 *   released by a NULL-safe close or free function. On failure an out-parameter is left
 *   untouched unless its function says otherwise.
 *
 * Options structs. Every options struct begins with `uint32_t struct_size`. Initialize it
 *   with the matching pager_*_options_init(), which writes sizeof(the struct as compiled into
 *   your program) and the defaults; then change fields. A library newer than your program
 *   reads only the first struct_size bytes and uses defaults for the rest; a library older
 *   than your program accepts the struct only if every byte it does not know is zero, and
 *   returns PAGER_ERR_INVALID otherwise. A NULL options pointer means "all defaults".
 *   Fields are only ever appended, never reordered or removed.
 *
 * Buffers. Input buffers are (pointer, length) pairs and are only read during the call.
 *   Output buffers are provided by the caller with their capacity. The library keeps no
 *   caller pointer after a call returns unless the function says so (and then says until
 *   when).
 *
 * Thread safety. Unless a function's comment says otherwise, a handle may be used from
 *   several threads: calls on one handle are serialized internally. pager_last_error() is
 *   per thread. Functions without a handle are safe to call from any thread.
 *
 * Durability failures. A failed fsync/fdatasync/msync is never retried: the handle becomes
 *   poisoned and every later mutation returns PAGER_ERR_POISONED until it is closed. Reopen
 *   to recover; recovery decides what was durable.
 *
 * Integer widths. Sizes, offsets and counts are fixed-width (uint32_t, uint64_t); there are
 *   no varargs; every callback is paired with a `void *ctx` passed back unchanged.
 */
#ifndef PAGER_H
#define PAGER_H

#include <stddef.h>
#include <stdint.h>

/* ---- version ------------------------------------------------------------------------ */

#define PAGER_VERSION_MAJOR 0
#define PAGER_VERSION_MINOR 1
#define PAGER_VERSION_PATCH 0
/* Encoded as MAJOR * 10000 + MINOR * 100 + PATCH, as pager_version() returns it. */
#define PAGER_VERSION_NUMBER \
  (PAGER_VERSION_MAJOR * 10000 + PAGER_VERSION_MINOR * 100 + PAGER_VERSION_PATCH)

/* ---- export and noexcept macros ----------------------------------------------------- */

#if defined(PAGER_BUILDING_LIBRARY)
#define PAGER_API __attribute__((visibility("default")))
#else
#define PAGER_API
#endif

#if defined(__cplusplus)
#define PAGER_NOEXCEPT noexcept
#define PAGER_EXTERN_C_BEGIN extern "C" {
#define PAGER_EXTERN_C_END }
#else
#define PAGER_NOEXCEPT
#define PAGER_EXTERN_C_BEGIN
#define PAGER_EXTERN_C_END
#endif

PAGER_EXTERN_C_BEGIN

/* ---- error codes (stable: never renumbered, never reused) --------------------------- */

enum {
  PAGER_OK = 0,
  PAGER_ERR_INVALID = 1,      /* a bad argument: NULL pointer, bad size, bad option value   */
  PAGER_ERR_IO = 2,           /* the operating system reported an I/O error                 */
  PAGER_ERR_NOMEM = 3,        /* memory or address space could not be allocated             */
  PAGER_ERR_NOSPC = 4,        /* the disk (or a quota) is full                              */
  PAGER_ERR_CORRUPT = 5,      /* bytes read from disk fail a magic, checksum or bound check */
  PAGER_ERR_VERSION = 6,      /* a format version or required feature this build lacks      */
  PAGER_ERR_PAGE_SIZE = 7,    /* the file's page size is not the one the caller expects     */
  PAGER_ERR_BUSY = 8,         /* a lock is held by another opener                           */
  PAGER_ERR_READONLY = 9,     /* a mutation on a read-only handle                           */
  PAGER_ERR_RANGE = 10,       /* an id, offset or range out of bounds                       */
  PAGER_ERR_OVERLAP = 11,     /* two ranges share a byte                                    */
  PAGER_ERR_DOUBLE_FREE = 12, /* freeing something that is not allocated                    */
  PAGER_ERR_RESERVED = 13,    /* a reserved page or id                                      */
  PAGER_ERR_FULL = 14,        /* a fixed capacity is exhausted                              */
  PAGER_ERR_POISONED = 15,    /* an earlier durability failure poisoned this handle         */
  PAGER_ERR_MISMATCH = 16,    /* snapshot geometry differs from the engine's                */
  PAGER_ERR_NOT_FOUND = 17,   /* no such file, page or entry                                */
  PAGER_ERR_EXISTS = 18,      /* the file or entry already exists                           */
  PAGER_ERR_CANCELLED = 19,   /* a progress callback asked to stop                          */
  PAGER_ERR_CALLBACK = 20,    /* an adapter callback failed (its code is in the message)    */
  PAGER_ERR_INTERNAL = 21,    /* a bug in libpager: please report the message               */
  PAGER_ERR_DUPLICATE = 22,   /* the same id appears twice in one list                      */
  PAGER_ERR_TOO_LARGE = 23    /* a length above a configured limit                          */
};

/* The number of error codes defined by this header version (codes are 0..PAGER_ERR_COUNT-1). */
#define PAGER_ERR_COUNT 24

/*
 * pager_errstr -- the stable symbolic name of an error code ("PAGER_ERR_IO").
 * Returns "PAGER_ERR_UNKNOWN" for a code this version does not define.
 * Ownership: a static string, never freed. Thread safety: any thread.
 * Errors: none.
 */
PAGER_API const char *pager_errstr(int code) PAGER_NOEXCEPT;

/*
 * pager_last_error -- the detail message of the calling thread's most recent failed call.
 * Every libpager call clears it on entry, so after a successful call it is "".
 * Ownership: owned by the library, valid until the calling thread's next libpager call.
 * Thread safety: per thread. Bindings must read it inside the same native call that
 * failed. Errors: none.
 */
PAGER_API const char *pager_last_error(void) PAGER_NOEXCEPT;

/*
 * pager_version -- the library's version as MAJOR * 10000 + MINOR * 100 + PATCH
 * (compare with PAGER_VERSION_NUMBER to detect a header/library skew).
 * Errors: none.
 */
PAGER_API uint32_t pager_version(void) PAGER_NOEXCEPT;

/*
 * pager_version_string -- the library's version as "MAJOR.MINOR.PATCH".
 * Ownership: a static string. Errors: none.
 */
PAGER_API const char *pager_version_string(void) PAGER_NOEXCEPT;

/* ======================================================================================
 * Mapped page file (pager_file_*)
 * ====================================================================================== */

/* (section: file) */

/* ======================================================================================
 * WAL pager (pager_wal_*)
 * ====================================================================================== */

/* (section: wal) */

/* ======================================================================================
 * WAL segments (pager_walseg_*)
 * ====================================================================================== */

/* (section: walseg) */

/* ======================================================================================
 * Cold pager (pager_cold_*)
 * ====================================================================================== */

/* (section: cold) */

/* ======================================================================================
 * KV-cache snapshot (pager_snapshot_*)
 * ====================================================================================== */

/* (section: snapshot) */

/*
 * A paged KV cache (the K and V tensors of an LLM inference engine, split into fixed-size
 * pages of tokens) is captured through an engine adapter -- a table of C callbacks,
 * pager_cache_ops -- into one self-checking snapshot file, and restored into a live engine
 * whose free slots may lie anywhere: restore writes each page into the slot the engine's
 * allocate_pages returned and rewrites every sequence's page list to those slots.
 * File format: doc/format/kv-snapshot.md. A reference engine (pager_refengine_*) ships with
 * the library for tests, examples and bindings.
 *
 * Threading: every adapter callback is called on the thread that called capture/restore,
 * one at a time, never concurrently. Worker threads (options.threads) only hash and compress.
 */

/* Element types of the cache. Values are stable; new ones are appended. */
enum {
  PAGER_DTYPE_BF16 = 1,     /* 2 bytes per element */
  PAGER_DTYPE_F16 = 2,      /* 2 bytes per element */
  PAGER_DTYPE_F32 = 3,      /* 4 bytes per element */
  PAGER_DTYPE_FP8_E4M3 = 4  /* 1 byte per element  */
};

/* The geometry of a paged KV cache. One K page holds, for every layer, tokens_per_page tokens
 * of kv_heads x head_dim elements (layer-major); a V page has the same size. */
typedef struct pager_cache_meta {
  uint32_t struct_size;     /* sizeof(pager_cache_meta); set by pager_cache_meta_init */
  uint32_t tokens_per_page; /* tokens per page (vLLM's block_size), >= 1                */
  uint32_t layers;          /* transformer layers, >= 1                                 */
  uint32_t kv_heads;        /* key/value heads per layer, >= 1                          */
  uint32_t head_dim;        /* elements per head, >= 1                                  */
  uint32_t dtype;           /* a PAGER_DTYPE_* value                                    */
} pager_cache_meta;

/*
 * pager_cache_meta_init -- sets struct_size and zeroes every other field.
 * NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_cache_meta_init(pager_cache_meta *meta) PAGER_NOEXCEPT;

/*
 * pager_cache_meta_page_bytes -- the size of one K page and of one V page:
 * layers * tokens_per_page * kv_heads * head_dim * sizeof(dtype) each.
 * Errors: PAGER_ERR_INVALID (NULL argument, a zero field, struct_size too small, an unknown
 * dtype, or a page larger than 2^32 bytes -- the message names the field).
 * Thread safety: any thread.
 */
PAGER_API int pager_cache_meta_page_bytes(const pager_cache_meta *meta, uint64_t *k_page_bytes,
                                          uint64_t *v_page_bytes) PAGER_NOEXCEPT;

/* A logical sequence (one request): its id, the engine page slots holding its tokens in
 * order, and how many tokens the last page holds (0..tokens_per_page; 0 when it has no
 * pages). Pointers are borrowed: valid only during the call that passes them. */
typedef struct pager_logical_seq {
  const char *id;         /* id bytes (need not be NUL-terminated; may contain NUL) */
  uint32_t id_bytes;      /* 1..65536                                                 */
  uint32_t fill_last_page;
  const uint32_t *pages;  /* page slots, in token order; may be NULL if page_count == 0 */
  uint64_t page_count;
} pager_logical_seq;

/* Where an adapter reports lists (occupied pages, sequences). The library owns it and its
 * storage; it is valid only during the callback that receives it. */
typedef struct pager_cache_sink pager_cache_sink;

/*
 * pager_cache_sink_add_pages -- reports count occupied page slots (call as often as needed).
 * pager_cache_sink_add_seq -- reports one logical sequence (the library copies everything).
 * Only valid inside the occupied_pages / logical_seqs callback that received the sink (a
 * sink of the wrong kind is PAGER_ERR_INVALID). Errors: PAGER_ERR_INVALID (NULL sink, NULL
 * pointer with a non-zero length, id_bytes out of range, wrong sink kind),
 * PAGER_ERR_TOO_LARGE (more than 2^32-1 pages), PAGER_ERR_NOMEM. A failed add also fails the
 * enclosing capture/restore with that error even if the callback then returns 0.
 */
PAGER_API int pager_cache_sink_add_pages(pager_cache_sink *sink, const uint32_t *pages,
                                         uint64_t count) PAGER_NOEXCEPT;
PAGER_API int pager_cache_sink_add_seq(pager_cache_sink *sink, const char *id, uint32_t id_bytes,
                                       const uint32_t *pages, uint64_t page_count,
                                       uint32_t fill_last_page) PAGER_NOEXCEPT;

/*
 * The engine adapter. Every callback returns 0 on success; any other value is the adapter's
 * own code: the operation stops with PAGER_ERR_CALLBACK and the detail message names the
 * callback and that code ("callback read_page(page 17) failed with adapter code -5").
 * Set struct_size = sizeof(pager_cache_ops) (zero the struct first). ctx is passed back to
 * every callback unchanged. Buffers passed to callbacks are owned by the library and valid
 * only during the call; the adapter never frees anything the library gave it.
 */
typedef struct pager_cache_ops {
  uint32_t struct_size;
  void *ctx;
  /* Fill *meta (the library has called pager_cache_meta_init on it). */
  int (*meta)(void *ctx, pager_cache_meta *meta);
  /* Stop the engine from changing its page table and pages (may be a no-op). */
  int (*pause)(void *ctx);
  /* Undo pause. Called exactly once after every successful pause, whatever else failed. */
  int (*resume)(void *ctx);
  /* Report every slot holding data through pager_cache_sink_add_pages. */
  int (*occupied_pages)(void *ctx, pager_cache_sink *sink);
  /* Report every live sequence through pager_cache_sink_add_seq. */
  int (*logical_seqs)(void *ctx, pager_cache_sink *sink);
  /* Copy page `page` into k (k_bytes) and v (v_bytes): exactly the sizes of the meta. */
  int (*read_page)(void *ctx, uint32_t page, void *k, uint64_t k_bytes, void *v,
                   uint64_t v_bytes);
  /* Allocate count free slots and write their indices into slots[0..count). */
  int (*allocate_pages)(void *ctx, uint64_t count, uint32_t *slots);
  /* Store a page into a slot that allocate_pages returned. */
  int (*write_page)(void *ctx, uint32_t page, const void *k, uint64_t k_bytes, const void *v,
                    uint64_t v_bytes);
  /* Install sequences (page lists already refer to the new slots). Called once. */
  int (*install_logical_seqs)(void *ctx, const pager_logical_seq *seqs, uint64_t count);
} pager_cache_ops;

/* Progress: called with bytes done and bytes total; return non-zero to cancel. */
typedef int (*pager_snapshot_progress_fn)(void *ctx, uint64_t done_bytes, uint64_t total_bytes);

enum {
  PAGER_SNAPSHOT_COMPRESS_NONE = 0,
  PAGER_SNAPSHOT_COMPRESS_ZSTD = 1
};

typedef struct pager_snapshot_options {
  uint32_t struct_size;
  uint32_t compression;    /* capture: PAGER_SNAPSHOT_COMPRESS_*; default NONE              */
  int32_t zstd_level;      /* capture with ZSTD: 1..19; default 3                            */
  uint32_t threads;        /* worker threads hashing/compressing/verifying; 0 = up to 4 (the
                              default), else 1..64                                            */
  uint32_t allow_nonempty; /* restore: 1 = the destination may already hold pages; default 0 */
  uint32_t sync_fd;        /* capture_fd: 1 = fsync the descriptor at the end; default 0     */
  const char *parent_path; /* capture: store only pages whose content is not in this parent
                              snapshot (absolute, or relative to the new snapshot's
                              directory); NULL = a full snapshot. Copied during the call.   */
  pager_snapshot_progress_fn progress; /* optional                                           */
  void *progress_ctx;
} pager_snapshot_options;

/* pager_snapshot_options_init -- struct_size and the defaults. NULL-safe. Errors: none. */
PAGER_API void pager_snapshot_options_init(pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_capture -- pause the engine, read its occupied pages and sequences, resume,
 * and write one snapshot file at path. The file is written under a temporary name in the same
 * directory, fsynced, renamed over path, and the directory fsynced: a crash leaves either the
 * earlier file at path or the complete new one. The engine is resumed whatever fails (the
 * first error is returned) and is paused only while pages are being read.
 * With parent_path the snapshot is incremental: pages whose content hash (XXH3-128) appears
 * in the parent are stored as references; restoring it needs the parent chain.
 * Progress: bytes = the page bytes read from the engine; a non-zero return cancels: the
 * engine is resumed, the temporary file removed, path untouched.
 * Errors: PAGER_ERR_INVALID (NULL argument, bad options, struct_size, a missing callback, a
 * bad meta, a sequence naming a page that occupied_pages did not report, fill > tokens per
 * page), PAGER_ERR_DUPLICATE (a page reported twice), PAGER_ERR_CALLBACK, PAGER_ERR_CANCELLED,
 * PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_NOMEM, PAGER_ERR_TOO_LARGE (more than 2^32-1
 * pages), and with parent_path the errors of pager_snapshot_inspect for the parent plus
 * PAGER_ERR_MISMATCH (the parent's geometry differs).
 * Thread safety: any thread; the adapter is called on the calling thread only.
 */
PAGER_API int pager_snapshot_capture(const pager_cache_ops *ops, const char *path,
                                     const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_capture_fd -- the same snapshot written sequentially to an open descriptor
 * (a pipe or a socket; a regular file is written from offset 0); no temporary file, no
 * rename. The
 * descriptor stays open and owned by the caller; it is fsynced only if opts->sync_fd. On
 * failure a partial stream may have been written (the reader detects it: no valid trailer).
 * parent_path, if given, is stored as given and resolved by restore relative to the
 * directory of the file the stream ends up in. Errors: as pager_snapshot_capture, plus
 * PAGER_ERR_INVALID for fd < 0.
 */
PAGER_API int pager_snapshot_capture_fd(const pager_cache_ops *ops, int fd,
                                        const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_restore -- verify the snapshot at path completely (header, trailer, tables,
 * every stored page's checksum, and every parent of an incremental chain) before calling any
 * callback; then compare the geometry field by field (PAGER_ERR_MISMATCH naming the field and
 * both values); pause; refuse an engine that already holds pages unless allow_nonempty
 * (PAGER_ERR_EXISTS; also when a sequence id already exists in the engine);
 * allocate_pages(n); write each page into the slot returned for it; install every sequence
 * with its pages renamed to the new slots; resume (always, once paused).
 * Progress: bytes = stored bytes verified plus page bytes written. Cancellation is honoured
 * until allocate_pages is called (the engine is then untouched apart from pause/resume);
 * after that the restore runs to completion (progress is still reported).
 * If a callback fails after allocate_pages, the slots allocated stay allocated (the ops have
 * no free) and no sequence is installed.
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_NOT_FOUND (no file, or a missing parent),
 * PAGER_ERR_CORRUPT (any damaged byte, truncation, a parent whose id does not match),
 * PAGER_ERR_VERSION, PAGER_ERR_MISMATCH, PAGER_ERR_EXISTS, PAGER_ERR_CALLBACK,
 * PAGER_ERR_DUPLICATE / PAGER_ERR_OVERLAP (allocate_pages returned a slot twice / a slot that
 * holds data), PAGER_ERR_CANCELLED, PAGER_ERR_IO, PAGER_ERR_NOMEM.
 * Thread safety: any thread; the adapter is called on the calling thread only.
 */
PAGER_API int pager_snapshot_restore(const pager_cache_ops *ops, const char *path,
                                     const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_verify -- the verification pass of restore without an engine: every
 * checksum of the file and of its parent chain. Errors: as restore's verification
 * (PAGER_ERR_INVALID, NOT_FOUND, CORRUPT, VERSION, CANCELLED, IO, NOMEM).
 */
PAGER_API int pager_snapshot_verify(const char *path,
                                    const pager_snapshot_options *opts) PAGER_NOEXCEPT;

typedef struct pager_snapshot_info {
  uint32_t struct_size;        /* set by pager_snapshot_info_init                            */
  uint32_t format_version;
  pager_cache_meta meta;
  uint64_t k_page_bytes;
  uint64_t v_page_bytes;
  uint64_t page_count;         /* pages the snapshot restores                               */
  uint64_t stored_page_count;  /* pages whose bytes are in this file (the rest: in parents) */
  uint64_t compressed_page_count;
  uint64_t seq_count;
  uint64_t created_us;         /* capture time, microseconds since the epoch                */
  uint64_t file_bytes;
  uint64_t snapshot_id;        /* random id of this snapshot                                */
  uint64_t parent_snapshot_id; /* 0 for a full snapshot                                     */
} pager_snapshot_info;

/* pager_snapshot_info_init -- struct_size, zeroes elsewhere. NULL-safe. Errors: none. */
PAGER_API void pager_snapshot_info_init(pager_snapshot_info *info) PAGER_NOEXCEPT;

/*
 * pager_snapshot_inspect -- geometry, counts and ids of the snapshot at path, without an
 * engine. Checks the header, trailer and tables (their checksums and bounds) but not the
 * page bytes (use pager_snapshot_verify). Writes min(info->struct_size, sizeof) bytes.
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_NOT_FOUND, PAGER_ERR_CORRUPT, PAGER_ERR_VERSION,
 * PAGER_ERR_IO, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_snapshot_inspect(const char *path, pager_snapshot_info *info) PAGER_NOEXCEPT;

/*
 * Reference engine: an in-memory paged KV cache laid out like vLLM's (for each layer, one K
 * tensor and one V tensor of [capacity_pages][tokens_per_page][kv_heads][head_dim]), with
 * page slots that can be allocated and freed in any order, named sequences, and the
 * pager_cache_ops to snapshot it. Used by tests, examples and the bindings' tests.
 * A handle may be used from several threads (calls are serialized). While paused by its ops,
 * the mutating functions below return PAGER_ERR_BUSY. Its callbacks return pager error codes
 * as adapter codes (e.g. allocate_pages returns PAGER_ERR_FULL when out of slots).
 */
typedef struct pager_refengine pager_refengine;

/*
 * pager_refengine_create -- an engine of capacity_pages slots (1..2^31), all free, zeroed.
 * Errors: PAGER_ERR_INVALID (bad meta or capacity), PAGER_ERR_NOMEM, PAGER_ERR_TOO_LARGE
 * (capacity * page bytes overflows). *out owned by the caller: pager_refengine_free.
 */
PAGER_API int pager_refengine_create(const pager_cache_meta *meta, uint32_t capacity_pages,
                                     pager_refengine **out) PAGER_NOEXCEPT;
/* pager_refengine_free -- NULL-safe. Must not be called while a capture/restore uses it. */
PAGER_API void pager_refengine_free(pager_refengine *engine) PAGER_NOEXCEPT;

/* pager_refengine_ops -- fills *ops with the engine's adapter (ctx = engine). The ops stay
 * valid while the engine lives. Errors: PAGER_ERR_INVALID (NULL). */
PAGER_API int pager_refengine_ops(pager_refengine *engine, pager_cache_ops *ops) PAGER_NOEXCEPT;

/* pager_refengine_alloc_page -- the lowest free slot, now occupied (zeroed).
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_FULL, PAGER_ERR_BUSY (paused). */
PAGER_API int pager_refengine_alloc_page(pager_refengine *engine, uint32_t *slot) PAGER_NOEXCEPT;

/* pager_refengine_free_page -- frees an occupied slot (it must belong to no sequence).
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_RANGE, PAGER_ERR_DOUBLE_FREE, PAGER_ERR_BUSY (paused
 * or used by a sequence -- the message says which). */
PAGER_API int pager_refengine_free_page(pager_refengine *engine, uint32_t slot) PAGER_NOEXCEPT;

/* pager_refengine_write_page / read_page -- page contents in the adapter's layout (layer-major
 * K page, V page), lengths must equal the meta's page bytes. Errors: PAGER_ERR_INVALID,
 * PAGER_ERR_RANGE, PAGER_ERR_NOT_FOUND (slot free), PAGER_ERR_PAGE_SIZE (length),
 * PAGER_ERR_BUSY (write while paused). */
PAGER_API int pager_refengine_write_page(pager_refengine *engine, uint32_t slot, const void *k,
                                         uint64_t k_bytes, const void *v,
                                         uint64_t v_bytes) PAGER_NOEXCEPT;
PAGER_API int pager_refengine_read_page(pager_refengine *engine, uint32_t slot, void *k,
                                        uint64_t k_bytes, void *v,
                                        uint64_t v_bytes) PAGER_NOEXCEPT;

/* pager_refengine_set_seq -- adds or replaces the sequence id with the given occupied pages.
 * Errors: PAGER_ERR_INVALID (bad id, fill > tokens_per_page), PAGER_ERR_NOT_FOUND (a free
 * page), PAGER_ERR_RANGE, PAGER_ERR_BUSY. */
PAGER_API int pager_refengine_set_seq(pager_refengine *engine, const char *id, uint32_t id_bytes,
                                      const uint32_t *pages, uint64_t page_count,
                                      uint32_t fill_last_page) PAGER_NOEXCEPT;
/* pager_refengine_remove_seq -- Errors: PAGER_ERR_INVALID, PAGER_ERR_NOT_FOUND, BUSY. */
PAGER_API int pager_refengine_remove_seq(pager_refengine *engine, const char *id,
                                         uint32_t id_bytes) PAGER_NOEXCEPT;

/* pager_refengine_get_seq -- the pages of sequence id: *page_count is set to its length; up to
 * capacity slots are copied into pages (pass capacity 0 to learn the length).
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_NOT_FOUND. */
PAGER_API int pager_refengine_get_seq(pager_refengine *engine, const char *id, uint32_t id_bytes,
                                      uint32_t *pages, uint64_t capacity, uint64_t *page_count,
                                      uint32_t *fill_last_page) PAGER_NOEXCEPT;

/* pager_refengine_stats -- occupied slots, sequences, and whether the engine is paused.
 * Any out-pointer may be NULL. Errors: PAGER_ERR_INVALID. */
PAGER_API int pager_refengine_stats(pager_refengine *engine, uint32_t *occupied_pages,
                                    uint32_t *seq_count, uint32_t *paused) PAGER_NOEXCEPT;

/* pager_refengine_fingerprint -- XXH3-64 over the logical content: every sequence in id order
 * (its id, fill, and the bytes of its pages in order), independent of which slots hold them.
 * Two engines holding the same sequences with the same page contents have the same value.
 * Errors: PAGER_ERR_INVALID. */
PAGER_API int pager_refengine_fingerprint(pager_refengine *engine,
                                          uint64_t *fingerprint) PAGER_NOEXCEPT;

/* pager_refengine_fail_callback -- fault injection for tests: the next call (after skip
 * successful calls) of the callback named name ("pause", "read_page", ...) returns
 * adapter_code (non-zero) instead of running, once. name NULL clears it.
 * Errors: PAGER_ERR_INVALID (unknown name, adapter_code 0). */
PAGER_API int pager_refengine_fail_callback(pager_refengine *engine, const char *name,
                                            uint32_t skip, int adapter_code) PAGER_NOEXCEPT;

PAGER_EXTERN_C_END

#endif /* PAGER_H */
