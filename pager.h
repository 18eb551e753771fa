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
/*
 * A page store whose writes are staged in memory, committed atomically into a sidecar log
 * `<path>-wal` with one fdatasync, read back layered (staged -> committed WAL frames -> main
 * file), and checkpointed into the main file. One read-write opener or any number of
 * read-only openers per file, across processes (flock on the main file). On-disk format,
 * validity rules and recovery: doc/format/wal-pager.md.
 *
 * Pages. Page 0 holds the library's header; callers use pages 1 .. page_count-1, each
 * page_size bytes. The page count includes page 0, so an empty database has page count 1.
 * Pages inside the page count that were never written read as zeros. A fixed-size
 * application header area (PAGER_WAL_APP_HEADER_SIZE bytes) is committed atomically with
 * each transaction.
 *
 * Thread safety: every pager_wal_* call on one handle is serialized by the handle's mutex.
 */

/* Bytes of the application header area. */
#define PAGER_WAL_APP_HEADER_SIZE 192

/* Access modes (pager_wal_open_with_mode, pager_wal_access_mode). */
enum { PAGER_WAL_READ_WRITE = 0, PAGER_WAL_READ_ONLY = 1 };

/*
 * Durability (pager_wal_options.durability), with SQLite's meanings:
 *   PAGER_WAL_FULL   (default) a commit that returned PAGER_OK survives a power loss or an
 *                    operating-system crash: each commit ends with one fdatasync of the WAL.
 *   PAGER_WAL_NORMAL a commit survives a crash of the application process, but the last
 *                    commits before a power loss may be rolled back; the files are never
 *                    corrupted. Commits do not sync; the WAL is synced at checkpoint.
 */
enum { PAGER_WAL_FULL = 0, PAGER_WAL_NORMAL = 1 };

typedef struct pager_wal pager_wal;

typedef struct pager_wal_options {
  uint32_t struct_size;            /* sizeof(pager_wal_options), set by _options_init        */
  uint32_t page_size;              /* create: power of two in [512, 65536], default 4096;
                                      open: 0 (default) accepts the file's, any other value
                                      must match it (else PAGER_ERR_PAGE_SIZE)               */
  uint32_t durability;             /* PAGER_WAL_FULL (default) or PAGER_WAL_NORMAL           */
  uint32_t cache_pages;            /* committed pages cached in memory, default 1024; 0 = none */
  uint32_t auto_checkpoint_frames; /* checkpoint after a commit leaves at least this many
                                      frames in the WAL; default 1000; 0 = off               */
  uint32_t reserved;               /* must be 0                                              */
  uint64_t auto_checkpoint_bytes;  /* same, by WAL size in bytes; default 0 = off            */
  int64_t lock_timeout_ms;         /* 0 (default): PAGER_ERR_BUSY at once when another opener
                                      holds a conflicting lock; > 0: wait up to that long;
                                      -1: wait forever                                      */
  uint64_t wal_keep_bytes;         /* after a checkpoint the WAL is reused from its start and
                                      truncated only down to this size (default 16 MiB), so
                                      later commits overwrite already-written blocks        */
  uint64_t wal_prewrite_bytes;     /* when the WAL must grow it is extended with zeros in
                                      steps of this size (default 1 MiB; 0 = only as far as
                                      each commit needs)                                    */
} pager_wal_options;

/* Statistics since the handle was opened (pager_wal_get_stats). */
typedef struct pager_wal_stats {
  uint32_t struct_size;        /* set by the caller to sizeof(pager_wal_stats)             */
  uint32_t reserved;           /* written as 0                                             */
  uint64_t cache_hits;         /* committed-page reads served from the page cache          */
  uint64_t cache_misses;       /* committed-page reads that went to the WAL or main file   */
  uint64_t commits;            /* commits that wrote frames                                */
  uint64_t frames_written;     /* WAL frames written, page-0 frames included               */
  uint64_t checkpoints;        /* checkpoints run (explicit, automatic, at open)           */
  uint64_t pages_checkpointed; /* data pages copied into the main file                    */
  uint64_t syncs;              /* fsync/fdatasync calls that succeeded                     */
  uint64_t bytes_synced;       /* bytes written to either file and then made durable      */
  uint64_t wal_frames;         /* valid frames in the WAL now                              */
} pager_wal_stats;

/*
 * pager_wal_options_init -- writes struct_size and every default into *opts.
 * Errors: PAGER_ERR_INVALID (opts is NULL).
 */
PAGER_API int pager_wal_options_init(pager_wal_options *opts) PAGER_NOEXCEPT;

/*
 * pager_wal_create -- creates a new database: the main file at path (page 0 only, page count
 * 1) and an empty sidecar `<path>-wal` (a stale sidecar at that path is replaced). Both are
 * synced, and so is their directory. The handle is read-write and holds the exclusive lock.
 * opts may be NULL (defaults). *out receives the handle; free it with pager_wal_close.
 * Errors: PAGER_ERR_INVALID (NULL path/out, bad option), PAGER_ERR_EXISTS (path exists),
 * PAGER_ERR_NOT_FOUND (directory missing), PAGER_ERR_BUSY, PAGER_ERR_IO, PAGER_ERR_NOSPC,
 * PAGER_ERR_READONLY (no permission), PAGER_ERR_NOMEM. If a failure happens after the main
 * file was written (creating the sidecar), the main file stays: open it (a missing sidecar
 * is recreated) or remove it.
 */
PAGER_API int pager_wal_create(const char *path, const pager_wal_options *opts,
                               pager_wal **out) PAGER_NOEXCEPT;

/*
 * pager_wal_open -- opens an existing database read-write (pager_wal_open_with_mode with
 * PAGER_WAL_READ_WRITE). Recovery: the committed frames of the WAL are checkpointed into the
 * main file and a new WAL generation is started (creating the sidecar if it is missing).
 * Errors: as pager_wal_open_with_mode.
 */
PAGER_API int pager_wal_open(const char *path, const pager_wal_options *opts,
                             pager_wal **out) PAGER_NOEXCEPT;

/*
 * pager_wal_open_read_only -- opens an existing database read-only (shared lock). The WAL's
 * committed frames are indexed, not copied; a missing sidecar is fine and is never created.
 * Errors: as pager_wal_open_with_mode.
 */
PAGER_API int pager_wal_open_read_only(const char *path, const pager_wal_options *opts,
                                       pager_wal **out) PAGER_NOEXCEPT;

/*
 * pager_wal_open_with_mode -- opens an existing database. mode is PAGER_WAL_READ_WRITE
 * (exclusive lock) or PAGER_WAL_READ_ONLY (shared lock). Memory: the main file is never
 * loaded; the WAL is scanned once (one batch of frames at a time) to index page -> latest
 * committed frame.
 * Errors: PAGER_ERR_INVALID (NULL path/out, bad mode or option), PAGER_ERR_NOT_FOUND (no such
 * file), PAGER_ERR_BUSY (a conflicting lock is held and lock_timeout_ms passed),
 * PAGER_ERR_CORRUPT (no valid header copy, damaged WAL header, main file shorter than its
 * header says), PAGER_ERR_VERSION (a newer format), PAGER_ERR_PAGE_SIZE (opts->page_size
 * differs from the file's), PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_READONLY (no
 * permission to write), PAGER_ERR_POISONED (read-write: the recovery checkpoint's sync
 * failed), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_open_with_mode(const char *path, uint32_t mode,
                                       const pager_wal_options *opts,
                                       pager_wal **out) PAGER_NOEXCEPT;

/*
 * pager_wal_close -- releases the handle, its lock and its memory. Staged changes are
 * discarded; nothing is synced (committed data is already in the WAL). NULL is a no-op.
 * The handle must not be in use by another thread.
 */
PAGER_API void pager_wal_close(pager_wal *h) PAGER_NOEXCEPT;

/*
 * pager_wal_access_mode -- *out_mode = PAGER_WAL_READ_WRITE or PAGER_WAL_READ_ONLY.
 * Errors: PAGER_ERR_INVALID (NULL argument).
 */
PAGER_API int pager_wal_access_mode(pager_wal *h, uint32_t *out_mode) PAGER_NOEXCEPT;

/* pager_wal_page_size -- *out_bytes = the page size. Errors: PAGER_ERR_INVALID. */
PAGER_API int pager_wal_page_size(pager_wal *h, uint32_t *out_bytes) PAGER_NOEXCEPT;

/*
 * pager_wal_page_count -- *out_count = the page count including staged changes (page 0
 * counted). Errors: PAGER_ERR_INVALID.
 */
PAGER_API int pager_wal_page_count(pager_wal *h, uint32_t *out_count) PAGER_NOEXCEPT;

/*
 * pager_wal_read_page -- copies page page_number into buf: its staged content if any, else
 * its latest committed content (WAL, then main file). buf_len must equal the page size.
 * Errors: PAGER_ERR_INVALID (NULL), PAGER_ERR_PAGE_SIZE (buf_len != page size),
 * PAGER_ERR_RESERVED (page 0), PAGER_ERR_NOT_FOUND (page_number >= page count),
 * PAGER_ERR_IO, PAGER_ERR_CORRUPT (the main file ends before the page).
 */
PAGER_API int pager_wal_read_page(pager_wal *h, uint32_t page_number, void *buf,
                                  size_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_wal_stage_page -- stages data (len == page size, copied) as the new content of
 * page_number, in memory only until pager_wal_commit. Staging a page at or past the page
 * count grows it to page_number + 1 (pages in between read as zeros). Works on read-only
 * handles too (the bytes stay in memory; commit is refused).
 * Errors: PAGER_ERR_INVALID (NULL), PAGER_ERR_PAGE_SIZE, PAGER_ERR_RESERVED (page 0),
 * PAGER_ERR_RANGE (page_number 0xFFFFFFFF), PAGER_ERR_POISONED, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_stage_page(pager_wal *h, uint32_t page_number, const void *data,
                                   size_t len) PAGER_NOEXCEPT;

/* pager_wal_clear_staged -- discards every staged page, page count and app header change
 * (rollback). Errors: PAGER_ERR_INVALID (NULL). */
PAGER_API int pager_wal_clear_staged(pager_wal *h) PAGER_NOEXCEPT;

/*
 * pager_wal_set_page_count -- stages a new page count (>= 1, page 0 counted). Shrinking
 * hides pages >= page_count at once (staged ones are dropped) and frees them from the main
 * file at the next checkpoint; growing again exposes zeros, never the hidden bytes.
 * Errors: PAGER_ERR_INVALID (NULL, page_count 0), PAGER_ERR_POISONED, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_set_page_count(pager_wal *h, uint32_t page_count) PAGER_NOEXCEPT;

/*
 * pager_wal_read_app_header -- copies the application header area (staged if changed, else
 * committed) into buf; len must be PAGER_WAL_APP_HEADER_SIZE.
 * Errors: PAGER_ERR_INVALID (NULL, wrong len).
 */
PAGER_API int pager_wal_read_app_header(pager_wal *h, void *buf, size_t len) PAGER_NOEXCEPT;

/*
 * pager_wal_stage_app_header -- stages new application header bytes (len must be
 * PAGER_WAL_APP_HEADER_SIZE), committed atomically with the next commit.
 * Errors: PAGER_ERR_INVALID (NULL, wrong len), PAGER_ERR_POISONED.
 */
PAGER_API int pager_wal_stage_app_header(pager_wal *h, const void *data,
                                         size_t len) PAGER_NOEXCEPT;

/*
 * pager_wal_commit -- commits the staged changes as one transaction: one frame per staged
 * page whose bytes differ from its committed content, plus a page-0 frame if the application
 * header changed or no data frame would carry the commit; the last frame is the commit
 * frame (it carries the new page count). Under PAGER_WAL_FULL the frames are written with
 * one fdatasync before this returns. Nothing staged or nothing changed: PAGER_OK, *out_frames
 * = 0, no I/O. If the WAL then passes an auto-checkpoint threshold a checkpoint runs; its
 * failure does not fail the commit (a failed sync poisons the handle for later calls).
 * *out_frames (may be NULL) receives the number of data frames written.
 * Errors: PAGER_ERR_INVALID (NULL h), PAGER_ERR_READONLY, PAGER_ERR_POISONED, PAGER_ERR_IO
 * or PAGER_ERR_NOSPC (reading committed pages: handle unchanged, changes stay staged;
 * writing or syncing frames: the handle is poisoned, the staged changes are dropped --
 * reopen to learn what the WAL holds), PAGER_ERR_CORRUPT, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_commit(pager_wal *h, uint32_t *out_frames) PAGER_NOEXCEPT;

/*
 * pager_wal_checkpoint -- copies the latest committed content of every page in the WAL into
 * the main file and starts a new WAL generation: sync WAL -> write pages -> sync main ->
 * write the inactive header copy -> truncate to the page count -> sync main -> reset the WAL
 * (new salts, synced; the file is kept for reuse). Idempotent: with an empty WAL it does
 * nothing. Staged changes are untouched. *out_pages (may be NULL) receives the number of
 * data pages written into the main file.
 * Errors: PAGER_ERR_INVALID (NULL h), PAGER_ERR_READONLY, PAGER_ERR_POISONED, PAGER_ERR_IO,
 * PAGER_ERR_NOSPC (any failure poisons the handle; the WAL is never reset unless the main
 * file was synced), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_checkpoint(pager_wal *h, uint32_t *out_pages) PAGER_NOEXCEPT;

/*
 * pager_wal_get_stats -- fills *out with the handle's statistics. The caller sets
 * out->struct_size = sizeof(pager_wal_stats); the library writes at most that many bytes.
 * Errors: PAGER_ERR_INVALID (NULL, struct_size below 8).
 */
PAGER_API int pager_wal_get_stats(pager_wal *h, pager_wal_stats *out) PAGER_NOEXCEPT;

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

PAGER_EXTERN_C_END

#endif /* PAGER_H */
