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
 * Conventions (C API 0.2). Each rule is stated once, here; every function below follows it.
 * tests/header_lint.py checks the mechanical ones on every `make test`.
 * ---------------------------------------------------------------------------------------
 *
 * C1 Return values. Every function that can fail returns `int`: PAGER_OK (0) or one of the
 *    PAGER_ERR_* codes. Codes are stable and never reused. pager_errstr() names a code;
 *    pager_last_error() gives the calling thread's detail message for its last failed call
 *    (which path, page, offset, expected and found values). Functions that cannot fail return
 *    void (release functions, *_init) or the value itself (pager_version).
 *
 * C2 Last error. Every function clears the calling thread's pager_last_error() on entry,
 *    except the four that read it or describe the library: pager_errstr, pager_last_error,
 *    pager_version and pager_version_string. After a successful call it is "".
 *
 * C3 Errors, not aborts. A violated precondition (NULL pointer, range out of bounds,
 *    overlapping ranges, double free, a reserved page, a count that would overflow) is an
 *    error code with a message, checked before any work or I/O. No C++ exception ever crosses
 *    this header; an allocation failure is PAGER_ERR_NOMEM. PAGER_ERR_INTERNAL only ever
 *    means a bug in libpager.
 *
 * C4 Handles and lifetimes. Opaque pointers created through an out-parameter and released
 *    by one NULL-safe function: `_close` for a handle on a file or directory (pager_file,
 *    pager_wal, pager_walseg_writer/_reader/_replay, pager_cold), `_free` for everything else
 *    (iterators, transactions, sub-page allocators, paged-out handles, buffers, engines).
 *    Release functions return void, except pager_walseg_writer_close, which writes and syncs
 *    and so returns a status (it releases the writer either way). A release function must
 *    not run concurrently with another call on the same handle; every other function on a
 *    handle whose parent was closed fails with PAGER_ERR_INVALID ("closed").
 *
 * C5 Out-parameters come last. On failure every out-parameter is left untouched (the
 *    caller's bytes are not written), with no exception. An optional out-parameter says
 *    "may be NULL".
 *
 * C6 Buffers and lists. A pointer is always followed by its length: (buf, buf_len),
 *    (ids, count), (ids_out, count). Lengths and counts are uint64_t. A buffer whose length
 *    the call fixes (a page, an application header, a K or V page) must have exactly that
 *    length; a buffer that receives a variable amount must be at least as long as the
 *    amount, and a longer one is accepted. Either violation is PAGER_ERR_INVALID, naming
 *    both lengths. Input buffers are only read during the call; the library keeps no caller
 *    pointer after a call returns unless the function says so (and then until when).
 *
 * C7 Strings out. A function returning text copies it NUL-terminated into (buf, buf_len),
 *    truncated to fit as snprintf does, and sets *len_out (may be NULL) to the full length
 *    without the NUL; buf may be NULL when buf_len is 0. It returns PAGER_OK either way:
 *    *len_out >= buf_len means the text was truncated.
 *
 * C8 Growable structs. Every struct that crosses this header and may grow begins with
 *    `uint32_t struct_size` -- nested ones too. Options structs (in) are filled by the
 *    matching `void pager_*_options_init(T *)` (NULL-safe, no-op on NULL), which writes
 *    sizeof(T as compiled into your program) and defaults that are right for both create and
 *    open (a size field of 0 means "the file's" on open). Result structs (out: stats, info)
 *    are prepared with `void pager_*_init(T *)` the same way; the library writes at most
 *    struct_size bytes and sets struct_size to the number it wrote. A struct_size below the
 *    struct's size in the first version that had it (0.2 for every struct here) is
 *    PAGER_ERR_INVALID. A library newer than your program uses defaults for fields past your
 *    struct_size; a library older than your program accepts the struct only if every byte it
 *    does not know is zero (else PAGER_ERR_INVALID), and that includes callback tables, so a
 *    callback a newer caller sets is never silently ignored. A NULL options pointer means
 *    "all defaults". Fields are only ever appended.
 *
 * C9 Names. pager_<component>_<verb>[_<object>]. Geometry and counters of a handle are
 *    getters `int pager_X_<quantity>(h, T *out)`; statistics are one struct read by
 *    `int pager_X_get_stats(h, pager_X_stats *out)`. Units end the name (_bytes, _ms, _us).
 *    Every handle reports its own geometry: no function takes a second handle only to learn
 *    a size.
 *
 * C10 Thread safety. Unless a function's comment says otherwise, a handle may be used from
 *    several threads: calls on one handle are serialized internally. pager_last_error() is
 *    per thread. Functions without a handle are safe to call from any thread. There is no
 *    global mutable state: two users of libpager in one process never see each other.
 *
 * C11 Durability failures. A failed fsync/fdatasync/msync is never retried: the handle
 *    becomes poisoned and every later mutation returns PAGER_ERR_POISONED until it is
 *    closed. Reopen to recover; recovery decides what was durable.
 *
 * C12 Integer widths. Sizes, offsets and counts are fixed-width (uint32_t, uint64_t; never
 *    size_t, long or int for a size); there are no varargs; every callback is paired with a
 *    `void *ctx` passed back unchanged.
 *
 * C13 Versions. 0.x: every minor version may change the ABI, so the SONAME carries the minor
 *    (libpager.so.0.2). Policy and the gate that enforces it: doc/abi.md; history:
 *    CHANGELOG.md.
 */
#ifndef PAGER_H
#define PAGER_H

#include <stddef.h>
#include <stdint.h>

/* ---- version ------------------------------------------------------------------------ */

#define PAGER_VERSION_MAJOR 0
#define PAGER_VERSION_MINOR 2
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
  PAGER_ERR_VERSION = 6,      /* a format version or required feature this build lacks, or
                                 a format version other than the one the caller expects    */
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
/*
 * A pager_file is a file of fixed-size pages mapped into memory. Page 0 holds the
 * superblock, pages 1 and 2 the A/B metadata; the allocation bitmap (any number of bitmap
 * pages) and the protected-page directory live in "shadowed" internal pages. Every
 * alloc/free (single or bulk) and every transaction commit is one crash-safe commit with one
 * durable flush (fdatasync): after a crash the file opens at the last committed state or the
 * one before it. Format and protocol: doc/format/page-file.md.
 *
 * Limits. The page space never passes max_size_bytes (at most 2^46 bytes, the address space
 * reserved for the mapping), so a file holds at most 2^46 / page_size pages: 2^36 pages of
 * 1 KiB, 2^34 of 4 KiB, 2^31 of 32 KiB, 2^30 of 64 KiB. The protected-page directory holds
 * at most 1,344 protected pages at 1 KiB pages, 6,000 at 2 KiB, 25,048 at 4 KiB, 102,312 at
 * 8 KiB, 414,528 at 16 KiB, 1,668,720 at 32 KiB and 6,692,056 at 64 KiB.
 *
 * Page ids are uint64_t page numbers; ids 0..2 and the internal pages are never handed out.
 * Protected page ids are a separate namespace starting at 1.
 *
 * Thread safety: every function on one pager_file (and its iterators, transactions and
 * sub-page allocators) may be called from several threads; calls are serialized internally.
 * Writing page bytes through pointers is the caller's business (no locking applies to it).
 *
 * Lifetimes: iterators, transactions and sub-page allocators keep the file's state alive;
 * after pager_file_close() their functions fail with PAGER_ERR_INVALID ("closed"), and they
 * must still be released with their own _free function.
 */
typedef struct pager_file pager_file;
typedef struct pager_file_iter pager_file_iter;
typedef struct pager_file_txn pager_file_txn;
typedef struct pager_file_subpages pager_file_subpages;

typedef struct pager_file_options {
  uint32_t struct_size;         /* sizeof(pager_file_options), set by _init (0.2: 40 bytes,
                                   0.3: 48)                                                  */
  uint32_t page_size;           /* create: bytes per page, a power of two in [1024, 65536];
                                   0 (the default) means 4096. open: the page size the caller
                                   expects; 0 (the default) accepts the file's.              */
  uint64_t max_size_bytes;      /* address space reserved for the mapping, in [1, 2^46]; the
                                   file never grows past it (default 2^40 = 1 TiB)            */
  int64_t lock_timeout_ms;      /* 0 (default): PAGER_ERR_BUSY at once if another process holds
                                   a conflicting lock; > 0: wait up to this long; -1: forever  */
  uint64_t initial_page_count;  /* create: pages in the first page space (default 64)         */
  uint32_t read_only;           /* open: 1 = read-only (shared lock, mutations refused)       */
  uint32_t format_version;      /* (0.2: "reserved", which had to be 0.) create: 0 (the
                                   default) or 2 = format 2, the journaled file; 1 = format 1,
                                   commits in place, no "<path>-journal" (doc/file.md,
                                   "Choosing the format and the lap"). open: the format the
                                   caller expects; 0 (the default) accepts the file's, 1 or 2
                                   makes any other PAGER_ERR_VERSION. Any other value is
                                   INVALID.                                                   */
  /* Since 0.3.0 (a struct_size of 40 leaves it out: the default): */
  uint64_t journal_lap_bytes;   /* format 2: bytes of journal between two checkpoints (the
                                   main file's fdatasync, after which the journal starts
                                   over); 0 (the default) means 64 MiB, else it must be in
                                   [2^20 (1 MiB), 2^40]. A larger lap means fewer
                                   checkpoints but a larger "-journal" (at most the lap plus
                                   one batch) and a longer replay after a crash. Not stored
                                   in the file: on open it applies to this handle only. Must
                                   be 0 with format_version 1; ignored when format_version 0
                                   opens a format-1 file.                                    */
} pager_file_options;

/*
 * pager_file_options_init -- fills *opts with struct_size and the defaults above, right for
 * both create and open (page_size 0: 4096 on create, the file's on open).
 * NULL-safe (does nothing). Clears the last error. Errors: none.
 */
PAGER_API void pager_file_options_init(pager_file_options *opts) PAGER_NOEXCEPT;

/*
 * pager_file_create -- creates a new page file at path (fails if it exists), takes the
 * exclusive lock, writes the superblock and the first metadata, syncs the file and its
 * directory, and returns a read-write handle in *out. opts may be NULL (defaults). By
 * default (opts->format_version 0 or 2) the file is format 2: commits and
 * pager_file_sync_pages go through its journal, the sidecar "<path>-journal" (created empty
 * here, replacing a leftover of that name), which belongs to the file: copy or remove both
 * (after a clean close the journal holds nothing); opts->journal_lap_bytes sets how often the
 * journal restarts. With opts->format_version 1 the file is format 1: commits write in place
 * and no journal is created.
 * Errors: INVALID (NULL path/out, bad page size, bad options struct: struct_size below 40,
 * unknown non-zero bytes, format_version not 0, 1 or 2, journal_lap_bytes not 0 and outside
 * [2^20, 2^40] or not 0 with format_version 1, read_only > 1, lock_timeout_ms < -1,
 * max_size_bytes 0 or above 2^46), EXISTS (path exists), TOO_LARGE (initial space exceeds
 * max_size_bytes), BUSY, IO, NOSPC, NOMEM (also when max_size_bytes of address space cannot
 * be reserved: a ulimit -v, or ThreadSanitizer, which cannot map 1 TiB -- lower
 * max_size_bytes), NOT_FOUND (no such directory), READONLY (permission). On failure a partly
 * created file may remain; it is not a valid page file (open reports CORRUPT) and the caller
 * may delete it. Ownership: *out is released with pager_file_close().
 */
PAGER_API int pager_file_create(const char *path, const pager_file_options *opts,
                                pager_file **out) PAGER_NOEXCEPT;

/*
 * pager_file_open -- opens an existing page file: read-write with an exclusive lock (one
 * read-write opener per file across processes), or read-only (opts->read_only = 1) with a
 * shared lock (many readers, no writer). Recovery picks the newest metadata copy whose whole
 * state verifies (bitmap copies, directory entries and protected contents) and falls back to
 * the other copy otherwise. A read-write open of a format-2 file first applies what its
 * journal holds after a crash (and syncs the file); it then makes one durable "epoch" commit
 * (one fdatasync). A read-only handle sees the state as of its open; after a crash it sees the
 * journal's commits without writing anything (it keeps a private copy of the pages they
 * changed while it is open). Format-1 files (no journal) open as before. The handle of a
 * format-2 file checkpoints every opts->journal_lap_bytes of journal (0: 64 MiB); the file
 * does not store the lap, so each open chooses its own.
 * Errors: INVALID (as for create), NOT_FOUND, BUSY (lock held; after lock_timeout_ms if
 * > 0), PAGE_SIZE (opts->page_size != 0 and differs from the file's), VERSION (the file's
 * format version is unknown to this build, or opts->format_version != 0 and differs from the
 * file's; nothing is written), CORRUPT (no consistent
 * state; the message says why for each metadata copy), TOO_LARGE (file larger than
 * max_size_bytes), IO, NOSPC, NOMEM (as for create), READONLY (no write permission for a
 * read-write open). Ownership: *out is released with pager_file_close().
 */
PAGER_API int pager_file_open(const char *path, const pager_file_options *opts,
                              pager_file **out) PAGER_NOEXCEPT;

/*
 * pager_file_close -- unmaps, unlocks and closes. Every commit is already durable. A
 * read-write handle of a format-2 file whose journal holds commits first syncs the file
 * (pages written through the mapping included) and empties the journal; if that fails,
 * nothing is lost: the next read-write open applies the journal. Page pointers become invalid; open transactions of the
 * file can no longer commit. NULL-safe. Clears the last error. Errors: none.
 * Not to be called concurrently with other calls on the same handle.
 */
PAGER_API void pager_file_close(pager_file *f) PAGER_NOEXCEPT;

/*
 * pager_file_page_size / page_count / free_page_count / protected_count -- the page size in
 * bytes; the pages in the page space (the file grows it as needed); the free pages in it;
 * the protected pages in use. Errors: INVALID (NULL, closed).
 */
PAGER_API int pager_file_page_size(pager_file *f, uint32_t *page_size_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_page_count(pager_file *f, uint64_t *count_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_free_page_count(pager_file *f, uint64_t *count_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_protected_count(pager_file *f, uint64_t *count_out) PAGER_NOEXCEPT;

/* Counters of a page-file handle since it was opened (pager_file_get_stats). Growable (C8):
 * fields are only ever appended. */
typedef struct pager_file_stats {
  uint32_t struct_size;       /* set by pager_file_stats_init; written back by the library  */
  uint32_t format_version;    /* the file's format: 1 (commits in place) or 2 (page journal) */
  uint64_t syncs;             /* fdatasync calls made: one per commit (allocation, free,
                                 transaction) and per pager_file_sync_pages, plus the
                                 checkpoints'                                                */
  uint64_t checkpoints;       /* format 2: main-file syncs that restarted the journal (one per
                                 journal lap); 0 in format 1                                 */
  uint64_t journal_bytes;     /* format 2: bytes of journal written since the last checkpoint
                                 (where the next batch goes); 0 in format 1                  */
  uint64_t journal_lap_bytes; /* format 2: this handle's lap (pager_file_options); 0 in
                                 format 1                                                    */
} pager_file_stats;

/*
 * pager_file_stats_init -- prepares *stats for pager_file_get_stats: struct_size =
 * sizeof(pager_file_stats), every other field 0. NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_file_stats_init(pager_file_stats *stats) PAGER_NOEXCEPT;

/*
 * pager_file_get_stats -- writes the handle's counters into *stats_out (C8: at most
 * stats_out->struct_size bytes, which must cover the first version's fields; struct_size is
 * set to the bytes written). With them a caller sees that a commit costs one flush and when
 * the journal checkpoints. Works on a read-only handle (its counters stay 0). Thread safety:
 * any thread, as every call on the handle.
 * Errors: INVALID (NULL, closed, struct_size below the first version's 40 bytes).
 */
PAGER_API int pager_file_get_stats(pager_file *f, pager_file_stats *stats_out) PAGER_NOEXCEPT;

/*
 * pager_file_alloc -- allocates one page (the lowest free one, growing the page space if
 * none is free), reserves its disk blocks (fallocate: a full disk is NOSPC, never SIGBUS)
 * and commits. The page's bytes are unspecified (a reused page keeps old bytes).
 * Errors: INVALID (NULL, closed), READONLY, POISONED, NOSPC, FULL (max_size_bytes reached),
 * IO, NOMEM. An IO error during the commit poisons the handle.
 */
PAGER_API int pager_file_alloc(pager_file *f, uint64_t *page_id_out) PAGER_NOEXCEPT;

/*
 * pager_file_alloc_bulk -- allocates count pages in one commit, all or nothing; writes
 * their ids to page_ids_out[0..count) (caller-provided). count 0 does nothing. A count
 * that cannot fit in max_size_bytes is FULL at once, before any work.
 * Errors: as pager_file_alloc, plus INVALID (NULL page_ids_out with count > 0, or a count
 * whose list cannot fit in memory). On error no page is allocated and page_ids_out is
 * untouched.
 */
PAGER_API int pager_file_alloc_bulk(pager_file *f, uint64_t *page_ids_out,
                                    uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_free -- frees an allocated regular page and commits. Pointers to it become
 * dangling (the bytes stay mapped, but the page may be handed out again).
 * Errors: INVALID (NULL, closed), READONLY, POISONED, RANGE (past the page space), RESERVED
 * (page 0..2, an internal page, or a protected page's backing page), DOUBLE_FREE (not
 * allocated), IO, NOSPC, NOMEM.
 */
PAGER_API int pager_file_free(pager_file *f, uint64_t page_id) PAGER_NOEXCEPT;

/*
 * pager_file_free_bulk -- frees count pages in one commit. Every id is validated first (in
 * list order): RANGE, RESERVED, DOUBLE_FREE as for pager_file_free, DUPLICATE if an id
 * appears twice; on any error nothing changes and the message names the list position and
 * the offending id. Errors: those, plus INVALID (NULL, closed, NULL page_ids with count > 0,
 * a count whose list cannot fit in memory), READONLY, POISONED, IO, NOSPC, NOMEM.
 */
PAGER_API int pager_file_free_bulk(pager_file *f, const uint64_t *page_ids,
                                   uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_grow -- grows the page space to at least page_count pages (sparse: blocks are
 * reserved only when pages are handed out) and commits. Smaller counts do nothing.
 * Errors: INVALID (NULL, closed), READONLY, POISONED, FULL (past max_size_bytes), NOSPC, IO,
 * NOMEM.
 */
PAGER_API int pager_file_grow(pager_file *f, uint64_t page_count) PAGER_NOEXCEPT;

/*
 * pager_file_page / pager_file_page_const -- a pointer to an allocated regular page's
 * page_size mapped bytes (writable, or read-only; the writable form needs a read-write
 * handle). The pointer stays valid while the file grows, until the page is freed or the file
 * closed. Writes through it reach the disk when the kernel writes them back, or durably with
 * pager_file_sync_pages().
 * Errors: INVALID (NULL, closed), READONLY (writable form on a read-only handle), RANGE,
 * RESERVED, NOT_FOUND (not allocated).
 */
PAGER_API int pager_file_page(pager_file *f, uint64_t page_id, void **data_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_page_const(pager_file *f, uint64_t page_id,
                                    const void **data_out) PAGER_NOEXCEPT;

/*
 * pager_file_sync_pages -- makes the bytes of the listed allocated pages durable: when it
 * returns PAGER_OK, every byte written to them through the mapping before the call survives a
 * crash or power loss. Costs one device flush whatever the number and spread of the pages:
 * format 2 copies the pages' bytes (as they are during the call) into one sequential write to
 * the journal and one fdatasync of it (plus, once per 64 MiB of journal, an fdatasync of the
 * file); format 1 makes one fdatasync of the file, which also writes back other dirty pages.
 * Pages not listed are not promised durable. On a failure nothing is promised about the
 * listed bytes. A failure is never retried: it poisons the handle (except NOSPC before
 * anything was written: the handle stays usable).
 * Errors: INVALID (NULL, closed, NULL page_ids with count > 0, a count whose list cannot fit
 * in memory), READONLY, POISONED, RANGE, RESERVED, NOT_FOUND, IO, NOSPC (the journal could
 * not grow).
 */
PAGER_API int pager_file_sync_pages(pager_file *f, const uint64_t *page_ids,
                                    uint64_t count) PAGER_NOEXCEPT;

/*
 * Access-pattern advice for the mapping (pager_file_advise). A fault on a page that is not in
 * the operating system's page cache makes the kernel read that page and, by default, a
 * read-ahead window around it (the block device's read_ahead_kb: often 128 KiB, 8 MiB on
 * some virtual machines), which is wasted when the caller touches pages at random. Advice
 * is a hint about how the caller will touch pages: it never changes a byte of the file,
 * what is durable, or a pointer handed out.
 *   PAGER_FILE_ADVICE_NORMAL     the kernel's default read-ahead (MADV_NORMAL).
 *   PAGER_FILE_ADVICE_RANDOM     a fault reads its page only, no read-ahead (MADV_RANDOM;
 *                                LMDB's MDB_NORDAHEAD).
 *   PAGER_FILE_ADVICE_SEQUENTIAL aggressive read-ahead; pages behind a fault may be dropped
 *                                from the page cache sooner (MADV_SEQUENTIAL).
 *   PAGER_FILE_ADVICE_WILLNEED   starts reading the range into the page cache now, in the
 *                                background; one-shot (MADV_WILLNEED).
 *   PAGER_FILE_ADVICE_DONTNEED   drops this process's page-table entries for the range
 *                                (MADV_DONTNEED on a shared file mapping): the next touch
 *                                faults again and reads the page cache (or the file). Pages
 *                                written through the mapping stay dirty in the page cache and
 *                                reach the file as before; nothing is lost or made durable.
 *                                One-shot.
 * NORMAL, RANDOM and SEQUENTIAL last until the next advice on the same pages or the close.
 */
enum {
  PAGER_FILE_ADVICE_NORMAL = 0,
  PAGER_FILE_ADVICE_RANDOM = 1,
  PAGER_FILE_ADVICE_SEQUENTIAL = 2,
  PAGER_FILE_ADVICE_WILLNEED = 3,
  PAGER_FILE_ADVICE_DONTNEED = 4
};

/*
 * pager_file_advise -- advises the kernel how the caller will touch the mapped pages
 * [first_page, first_page + page_count) (any pages of the page space: allocated, free or
 * internal). page_count 0 with first_page 0 advises the whole file, as does a range that
 * covers every page: a file-wide NORMAL, RANDOM or SEQUENTIAL is remembered by the handle and
 * also applied to the pages the file grows by later (pager_file_grow, allocations), until the
 * next file-wide advice; advice for fewer pages is not remembered (pages added later get the
 * file-wide advice). page_count 0 with
 * another first_page is an empty range: PAGER_OK, nothing done (RANGE past the page space).
 * Advice belongs to this handle and process: it is not stored in the file, and other handles
 * and processes are not affected. It is not a mutation, so it is accepted on a read-only or a
 * poisoned handle. A kernel that refuses the advice is reported (IO), so a caller who relies on
 * RANDOM learns it did not apply; the mapping is then as before the call.
 * Errors: INVALID (NULL, closed, an advice that is not a PAGER_FILE_ADVICE_* value), RANGE
 * (first_page + page_count past the page space, or overflowing), IO (the kernel refused the
 * advice; the message carries its reason), NOMEM.
 * Thread safety: as every pager_file function (serialized with growth of the mapping).
 */
PAGER_API int pager_file_advise(pager_file *f, uint64_t first_page, uint64_t page_count,
                                uint32_t advice) PAGER_NOEXCEPT;

/*
 * Protected pages: page_size bytes that change only through a write transaction whose commit
 * is crash-safe: after any crash every page of a transaction reads as its old content or
 * every page reads as its new content, never a mix. Each uses two backing pages and a
 * directory entry, all verified on open.
 *
 * pager_file_protected_alloc / _alloc_bulk -- allocates protected pages (content: zeros) in
 * one commit, all or nothing. Ids go to *id_out / ids_out[0..count). A count that the
 * directory or max_size_bytes cannot hold is FULL at once, before any work.
 * Errors: INVALID (NULL, closed, NULL ids_out with count > 0, a count whose list cannot fit
 * in memory), READONLY, POISONED, NOSPC, FULL (directory full or max_size_bytes), IO, NOMEM.
 */
PAGER_API int pager_file_protected_alloc(pager_file *f, uint64_t *id_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_protected_alloc_bulk(pager_file *f, uint64_t *ids_out,
                                              uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_protected_free / _free_bulk -- frees protected pages (and their backing pages)
 * in one commit. Ids are validated first: RANGE (0 or outside the directory), DOUBLE_FREE
 * (not allocated), DUPLICATE, BUSY (held by an open transaction); on error nothing changes.
 * Errors: those, plus INVALID (NULL, closed, NULL ids with count > 0, a count whose list
 * cannot fit in memory), READONLY, POISONED, IO, NOSPC, NOMEM.
 */
PAGER_API int pager_file_protected_free(pager_file *f, uint64_t id) PAGER_NOEXCEPT;
PAGER_API int pager_file_protected_free_bulk(pager_file *f, const uint64_t *ids,
                                             uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_protected_read -- copies the committed content of protected page id into buf;
 * buf_len must be exactly the page size. Works on a read-only handle.
 * Errors: INVALID (NULL, closed, buf_len != page size), RANGE, NOT_FOUND (not allocated).
 */
PAGER_API int pager_file_protected_read(pager_file *f, uint64_t id, void *buf,
                                        uint64_t buf_len) PAGER_NOEXCEPT;

/*
 * Write transactions over protected pages. A transaction is begun on the file and holds any
 * number of protected pages, each with a private writable copy; pager_file_txn_commit makes
 * every copy its page's content in one commit (all pages or none, also across a crash).
 * A page is held by at most one open transaction; it cannot be freed while held. A
 * transaction ends at its commit (whether it succeeds or not) or at pager_file_txn_free.
 * A transaction may also allocate new protected pages (pager_file_txn_alloc_page) and free
 * allocated ones (pager_file_txn_free_page): the allocator changes, the new pages' contents,
 * the rewritten pages and the frees become durable together in the commit (one fdatasync)
 * or not at all. Until then a page allocated in the transaction is invisible to everyone
 * else (not readable, not iterated, not counted, never handed to another allocation) and a
 * page it frees stays allocated and held (no one can add, write, free or reuse it).
 * Thread safety: as any handle (calls on one transaction are serialized); the bytes of a
 * copy are the caller's business.
 *
 * pager_file_txn_begin -- starts an empty transaction on f.
 * Errors: INVALID (NULL, closed), READONLY, POISONED, NOMEM.
 * Ownership: free *txn_out with pager_file_txn_free().
 */
PAGER_API int pager_file_txn_begin(pager_file *f, pager_file_txn **txn_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_add -- adds protected page id to the transaction and returns its private
 * writable copy (page_size bytes, holding the page's committed content). Adding a page the
 * transaction already holds returns its existing copy (with the caller's changes). The
 * pointer stays valid until pager_file_txn_free().
 * Errors: INVALID (NULL, closed, transaction ended), POISONED, RANGE (0 or outside the
 * directory), NOT_FOUND (not allocated), BUSY (another open transaction holds the page),
 * NOMEM.
 */
PAGER_API int pager_file_txn_add(pager_file_txn *txn, uint64_t id,
                                 void **data_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_write -- sets the transaction's copy of protected page id to buf (buf_len
 * must be exactly the page size), adding the page as pager_file_txn_add does but without
 * reading its committed content: a blind write, for a caller that replaces whole pages (as
 * SQLite's pager skips the read of a page it will overwrite). A page the transaction already
 * holds (added, written or allocated in it) has its copy overwritten. The commit makes the
 * copy the page's content; pager_file_txn_data returns it until pager_file_txn_free(). buf
 * is the caller's and is copied before the call returns (it may be the copy itself).
 * Errors: INVALID (NULL, closed, transaction ended, buf_len != page size), POISONED, RANGE
 * (0 or outside the directory), NOT_FOUND (not allocated, or freed by this transaction),
 * BUSY (another open transaction holds the page), NOMEM. On an error the transaction is as
 * before the call.
 */
PAGER_API int pager_file_txn_write(pager_file_txn *txn, uint64_t id, const void *buf,
                                   uint64_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_file_txn_alloc_page -- allocates a new protected page inside the transaction: writes
 * its id to *id_out and its private writable copy (page_size bytes, all zeros) to *data_out;
 * the commit makes the copy the new page's content. Until the commit the id is reserved for
 * this transaction only (the lowest free directory entry not reserved by another open
 * transaction); an abort (pager_file_txn_free without a commit) gives it back, leaving the
 * allocator exactly as before. Its backing pages are taken at the commit (which reports FULL
 * or NOSPC if the page space cannot hold them). The pointer stays valid until
 * pager_file_txn_free(); pager_file_txn_add and _data of the id return the same copy.
 * Errors: INVALID (NULL, closed, transaction ended), POISONED, FULL (the directory, counting
 * the pages open transactions allocated, is full, or max_size_bytes cannot hold two more
 * backing pages), NOMEM.
 */
PAGER_API int pager_file_txn_alloc_page(pager_file_txn *txn, uint64_t *id_out,
                                        void **data_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_free_page -- frees protected page id at the commit (its backing pages too).
 * Until the commit is durable the page stays allocated and held by this transaction, so no
 * one else can add, write, free or reuse it; an abort leaves it allocated with its content.
 * A page this transaction added is dropped from it (its copy is no longer committed, the
 * pointer stays valid until pager_file_txn_free()); a page it allocated is given back at once
 * (nothing of it is committed). Named _free_page, not _free: pager_file_txn_free is the
 * transaction's release function (C4), this is a mutation inside it (C9 verb + object).
 * Errors: INVALID (NULL, closed, transaction ended), POISONED, RANGE (0 or outside the
 * directory), DOUBLE_FREE (not allocated, or already freed by this transaction), BUSY
 * (another open transaction holds the page), NOMEM.
 */
PAGER_API int pager_file_txn_free_page(pager_file_txn *txn, uint64_t id) PAGER_NOEXCEPT;

/*
 * pager_file_txn_data -- the copy of page id that the transaction holds (page_size bytes,
 * valid until pager_file_txn_free()).
 * Errors: INVALID (NULL, closed, transaction ended), NOT_FOUND (the page is not in the
 * transaction).
 */
PAGER_API int pager_file_txn_data(pager_file_txn *txn, uint64_t id,
                                  void **data_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_page_size -- bytes per page (and per copy) of the transaction's file.
 * pager_file_txn_page_count -- the pages the transaction holds: added, allocated and to be
 * freed (a page allocated and freed in it no longer counts); 0 once it has ended.
 * Errors: INVALID (NULL, closed).
 */
PAGER_API int pager_file_txn_page_size(pager_file_txn *txn,
                                       uint32_t *page_size_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_txn_page_count(pager_file_txn *txn, uint64_t *count_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_commit -- makes every copy its protected page's content atomically: writes
 * each copy to its page's inactive backing page (a new page's to its first backing page),
 * then flips all their directory entries, the new pages' entries, the freed pages' entries
 * and the allocation bitmap in one metadata commit with one fdatasync. After any crash every
 * page of the transaction and the allocator read old or all read new. A transaction with no
 * pages commits nothing. Ends the transaction whether it succeeds or not (free it
 * afterwards).
 * Errors: INVALID (NULL, closed, already ended), POISONED, FULL (max_size_bytes cannot hold
 * the new pages' backing pages) and NOSPC or IO while reserving them (nothing written, the
 * file and the handle as before), IO or NOSPC once writing began (poisons the handle), NOMEM.
 */
PAGER_API int pager_file_txn_commit(pager_file_txn *txn) PAGER_NOEXCEPT;

/*
 * pager_file_txn_free -- ends the transaction if still open (abort: nothing is written,
 * its pages are released) and frees it. NULL-safe. Clears the last error. Errors: none.
 */
PAGER_API void pager_file_txn_free(pager_file_txn *txn) PAGER_NOEXCEPT;

/*
 * Iterators: cursors over allocated regular pages (internal pages never appear) or over
 * protected page ids, in increasing order. An iterator sees the state as it is at each next
 * call: ids below the cursor are not revisited; pages allocated beyond it appear.
 *
 * pager_file_iter_pages / pager_file_iter_protected -- a cursor at the start.
 * Errors: INVALID (NULL, closed), NOMEM. Ownership: free with pager_file_iter_free().
 */
PAGER_API int pager_file_iter_pages(pager_file *f, pager_file_iter **it_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_iter_protected(pager_file *f, pager_file_iter **it_out) PAGER_NOEXCEPT;

/*
 * pager_file_iter_next -- advances: *found_out = 1 and *id_out = the next id, or
 * *found_out = 0 (and *id_out untouched) at the end. Errors: INVALID (NULL, file closed).
 */
PAGER_API int pager_file_iter_next(pager_file_iter *it, uint64_t *id_out,
                                   uint32_t *found_out) PAGER_NOEXCEPT;

/* pager_file_iter_free -- NULL-safe. Clears the last error. Errors: none. */
PAGER_API void pager_file_iter_free(pager_file_iter *it) PAGER_NOEXCEPT;

/*
 * Sub-page allocator: splits regular pages of a file into slots of sub_page_size bytes, a
 * power of two with 1 to 64 slots per page (slot_count = page_size / sub_page_size). A
 * sub-page id is parent_page * 64 + slot, slot < slot_count. Its state is in memory only:
 * after a restart, rebuild it with pager_file_subpage_mark_used() from your own records.
 * Parent pages come from (and return to, when empty) the file with ordinary commits.
 * Reading works on a read-only file: create, mark_used, pager_file_subpage_const and the
 * getters; allocating, freeing and the writable pointer need a read-write file.
 *
 * pager_file_subpages_create -- a new, empty allocator over f.
 * Errors: INVALID (NULL, closed, sub_page_size not a power of two giving 1..64 slots), NOMEM.
 * Ownership: free with pager_file_subpages_free().
 */
PAGER_API int pager_file_subpages_create(pager_file *f, uint32_t sub_page_size,
                                         pager_file_subpages **out) PAGER_NOEXCEPT;
/*
 * pager_file_subpages_free -- frees the allocator (the file keeps its pages). NULL-safe.
 * Clears the last error. Errors: none.
 */
PAGER_API void pager_file_subpages_free(pager_file_subpages *s) PAGER_NOEXCEPT;

/*
 * pager_file_subpages_sub_page_size -- bytes per sub-page; pager_file_subpages_slot_count --
 * sub-pages per parent page. Errors: INVALID (NULL, closed).
 */
PAGER_API int pager_file_subpages_sub_page_size(pager_file_subpages *s,
                                                uint32_t *size_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_subpages_slot_count(pager_file_subpages *s,
                                             uint32_t *count_out) PAGER_NOEXCEPT;

/*
 * pager_file_subpage_alloc / _alloc_bulk -- allocates sub-pages (all or nothing), taking new
 * parent pages from the file in one commit when needed. A count needing more parent pages
 * than max_size_bytes allows is FULL at once.
 * Errors: INVALID (NULL, closed, NULL ids_out with count > 0, a count whose list cannot fit
 * in memory), READONLY, POISONED, NOSPC, FULL, IO, NOMEM.
 */
PAGER_API int pager_file_subpage_alloc(pager_file_subpages *s, uint64_t *id_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_subpage_alloc_bulk(pager_file_subpages *s, uint64_t *ids_out,
                                            uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_subpage_free / _free_bulk -- frees sub-pages, all or nothing, validating every id
 * first: RESERVED (parent is page 0..2 or internal), RANGE (parent past the page space or slot
 * >= slot_count), DOUBLE_FREE (not allocated), DUPLICATE. Parents left empty are freed in the
 * file in one commit. Errors: those, plus INVALID (NULL, closed, NULL ids with count > 0, a
 * count whose list cannot fit in memory), READONLY, POISONED, IO, NOSPC, NOMEM.
 */
PAGER_API int pager_file_subpage_free(pager_file_subpages *s, uint64_t id) PAGER_NOEXCEPT;
PAGER_API int pager_file_subpage_free_bulk(pager_file_subpages *s, const uint64_t *ids,
                                           uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_subpage_mark_used -- rebuild after a restart: marks sub-pages as allocated (in
 * memory only; works on a read-only or poisoned file). Each parent must be an allocated
 * regular page of the file. All or nothing. Errors: INVALID (NULL, closed, NULL ids with
 * count > 0, a count whose list cannot fit in memory), RESERVED, RANGE, NOT_FOUND (parent not
 * allocated), EXISTS (already marked), DUPLICATE, NOMEM.
 */
PAGER_API int pager_file_subpage_mark_used(pager_file_subpages *s, const uint64_t *ids,
                                           uint64_t count) PAGER_NOEXCEPT;

/*
 * pager_file_subpage / pager_file_subpage_const -- a pointer to an allocated sub-page's bytes
 * (sub_page_size), writable or read-only, valid until it is freed or the file closed.
 * Errors: INVALID (NULL, closed), READONLY (writable form on a read-only file), RANGE,
 * RESERVED, NOT_FOUND (not allocated).
 */
PAGER_API int pager_file_subpage(pager_file_subpages *s, uint64_t id,
                                 void **data_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_subpage_const(pager_file_subpages *s, uint64_t id,
                                       const void **data_out) PAGER_NOEXCEPT;

/* pager_file_subpage_count -- sub-pages currently allocated. Errors: INVALID (NULL, closed). */
PAGER_API int pager_file_subpage_count(pager_file_subpages *s,
                                       uint64_t *count_out) PAGER_NOEXCEPT;

/* ======================================================================================
 * WAL pager (pager_wal_*)
 * ====================================================================================== */

/* (section: wal) */
/*
 * A page store whose writes are staged in memory, committed atomically into a sidecar log
 * `<path>-wal` with one fdatasync, read back layered (staged -> committed WAL frames -> main
 * file), and checkpointed into the main file. One read-write opener and, at the same time,
 * any number of read-only openers per file, in this process or others: readers follow the
 * writer's commits through a shared index `<path>-shm` (open-file-description byte-range
 * locks; not for network filesystems). A second read-write opener gets PAGER_ERR_BUSY. Read
 * transactions (pager_wal_read_txn_*) pin a commit on any handle while the writer goes on
 * committing and checkpointing. On-disk format,
 * lock bytes, validity rules and recovery: doc/format/wal-pager.md; concurrency model:
 * doc/wal-pager.md.
 *
 * Pages. Page 0 holds the library's header; callers use pages 1 .. page_count-1, each
 * page_size bytes. The page count includes page 0, so an empty database has page count 1.
 * Pages inside the page count that were never written read as zeros. A fixed-size
 * application header area (PAGER_WAL_APP_HEADER_SIZE bytes) is committed atomically with
 * each transaction.
 *
 * Thread safety: every pager_wal_* call on one handle is serialized by the handle's mutex
 * (pager_wal_close excepted: it must not run concurrently with another call on the handle).
 *
 * Limits: page size a power of two in [512, 65536]; page numbers below 0xFFFFFFFF (so at most
 * 0xFFFFFFFF pages, page 0 counted).
 *
 * Reserved for pinned views (a later version adds them without changing anything here):
 * pager_wal_read_page stays the copying read. A later
 *   int pager_wal_view_page(pager_wal *h, uint32_t page_number, const void **data_out,
 *                           pager_wal_view **view_out);
 *   void pager_wal_view_free(pager_wal_view *view);
 * hands out a read-only pointer to the page's committed bytes, pinned by a view that holds a
 * read mark (the WAL frames it may point into are neither checkpointed over nor reused
 * until pager_wal_view_free). The names pager_wal_view* and the type pager_wal_view are
 * reserved for it.
 */

/* Bytes of the application header area. */
#define PAGER_WAL_APP_HEADER_SIZE 192

/*
 * Access modes (pager_wal_options.read_only, pager_wal_access_mode). PAGER_WAL_READ_ONLY_KEEP_
 * FILES (options only; the handle's mode is PAGER_WAL_READ_ONLY) is a read-only open that
 * writes no file at all, as a tool that inspects a database must: where a read-only open
 * would rebuild a stale shared index (after a crash, no writer open), it reads privately and
 * keeps writers out until it closes instead.
 */
enum { PAGER_WAL_READ_WRITE = 0, PAGER_WAL_READ_ONLY = 1, PAGER_WAL_READ_ONLY_KEEP_FILES = 2 };

/*
 * Durability (pager_wal_options.durability), with SQLite's meanings:
 *   PAGER_WAL_FULL   (default) a commit that returned PAGER_OK survives a power loss or an
 *                    operating-system crash: each commit ends with one fdatasync of the WAL.
 *   PAGER_WAL_NORMAL a commit survives a crash of the application process, but the last
 *                    commits before a power loss may be rolled back; the files are never
 *                    corrupted. Commits do not sync; the WAL is synced at checkpoint.
 */
enum { PAGER_WAL_FULL = 0, PAGER_WAL_NORMAL = 1 };

/*
 * Checkpoint modes (pager_wal_checkpoint_options.mode). A read transaction (of any handle or
 * process) begun before the last commit may still need the main file's current bytes; a
 * checkpoint never writes over them (commits never wait for readers). The WAL restarts from
 * its beginning only when no reader of another handle reads frames of it; until then a
 * checkpoint copies and the WAL keeps its frames.
 *   PAGER_WAL_CHECKPOINT_PASSIVE  (default; also what auto-checkpoints run) never waits: with
 *                                 no such reader it copies every committed frame, else it
 *                                 copies the frames older than every reader's snapshot
 *                                 (partial backfill, as SQLite's) and returns PAGER_OK with
 *                                 the pages copied (pager_wal_stats.frames_left says how
 *                                 many frames stay); the next checkpoint goes on from there.
 *   PAGER_WAL_CHECKPOINT_FULL     copies every frame. It first waits for such readers to end
 *                                 (up to pager_wal_options.lock_timeout_ms, then
 *                                 PAGER_ERR_BUSY with nothing copied).
 *   PAGER_WAL_CHECKPOINT_TRUNCATE as FULL, also waiting for every reader of other handles
 *                                 that reads WAL frames, then truncates the `-wal` file to zero bytes
 *                                 (synced) instead of keeping wal_keep_bytes of it; the next
 *                                 commit writes a new WAL header.
 */
enum {
  PAGER_WAL_CHECKPOINT_PASSIVE = 0,
  PAGER_WAL_CHECKPOINT_FULL = 1,
  PAGER_WAL_CHECKPOINT_TRUNCATE = 2
};

typedef struct pager_wal pager_wal;

typedef struct pager_wal_options {
  uint32_t struct_size;            /* sizeof(pager_wal_options), set by _options_init        */
  uint32_t page_size;              /* 0 (default): on create 4096, on open the file's; any
                                      other value must be a power of two in [512, 65536]
                                      (else PAGER_ERR_INVALID) and, on open, the file's
                                      page size (else PAGER_ERR_PAGE_SIZE)                  */
  uint32_t durability;             /* PAGER_WAL_FULL (default) or PAGER_WAL_NORMAL           */
  uint32_t cache_pages;            /* committed pages cached in memory when the main file or
                                      the WAL cannot be memory-mapped (reads of mapped files
                                      copy straight from the mapping and use no cache);
                                      default 1024; 0 = none                                 */
  uint32_t auto_checkpoint_frames; /* checkpoint (passive) after a commit leaves at least this
                                      many frames in the WAL; default 8192 (32 MiB of 4 KiB
                                      pages; doc/performance.md); 0 = off                   */
  uint32_t read_only;              /* open: 0 (default) read-write (exclusive lock), 1 read-
                                      only (shared lock), 2 read-only writing no file
                                      (PAGER_WAL_READ_ONLY_KEEP_FILES); create: must be 0   */
  uint64_t auto_checkpoint_bytes;  /* same, by WAL size in bytes; default 0 = off            */
  int64_t lock_timeout_ms;         /* 0 (default): PAGER_ERR_BUSY at once when another opener
                                      holds a conflicting lock; > 0: wait up to that long;
                                      -1: wait forever                                      */
  uint64_t wal_keep_bytes;         /* after a passive or full checkpoint the WAL is reused
                                      from its start and truncated only down to this size
                                      (default 32 MiB) or, while auto_checkpoint_frames is
                                      on, to the size it grew to (at most 3x the threshold),
                                      so later commits overwrite already-written blocks     */
  uint64_t wal_prewrite_bytes;     /* when the WAL must grow it is extended with zeros in
                                      steps of this size (default 1 MiB; 0 = only as far as
                                      each commit needs)                                    */
  /* 0.3 */
  uint32_t background_checkpoint;  /* 1: a thread of the read-write handle runs the
                                      automatic (passive) checkpoints, so commits only append
                                      frames; the page copy and the main file's sync run
                                      beside commits and reads. A commit waits for it only
                                      while the WAL holds 2x the auto-checkpoint threshold
                                      and it can still shorten it (no reader holds the frames
                                      back; pager_wal_stats.checkpoint_waits counts such
                                      commits). Started at open, joined by pager_wal_close.
                                      After fork() the child has no such thread: it must not
                                      call any pager_wal_* function on an inherited handle
                                      (pager_wal_close included); it opens its own.
                                      0 (default): the commit that crosses the threshold runs
                                      the checkpoint, as in 0.2. Read-only opens ignore it.
                                      Other values: PAGER_ERR_INVALID                       */
  uint32_t reserved;               /* must be 0                                              */
} pager_wal_options;

/* Options of one pager_wal_checkpoint call. */
typedef struct pager_wal_checkpoint_options {
  uint32_t struct_size; /* sizeof(...), set by pager_wal_checkpoint_options_init        */
  uint32_t mode;        /* PAGER_WAL_CHECKPOINT_PASSIVE (default), _FULL or _TRUNCATE      */
} pager_wal_checkpoint_options;

/* Statistics since the handle was opened (pager_wal_get_stats). */
typedef struct pager_wal_stats {
  uint32_t struct_size;        /* set by pager_wal_stats_init; written back by the library */
  int32_t last_checkpoint_error; /* PAGER_ERR_* of the last checkpoint that failed for lack
                                    of space or memory (0: none since open); see
                                    pager_wal_commit                                       */
  uint64_t cache_hits;         /* committed-page reads served from the page cache          */
  uint64_t cache_misses;       /* committed-page reads that went to the WAL or main file   */
  uint64_t commits;            /* commits that wrote frames                                */
  uint64_t frames_written;     /* WAL frames written, page-0 frames included               */
  uint64_t checkpoints;        /* checkpoints run (explicit, automatic, at open)           */
  uint64_t pages_checkpointed; /* data pages copied into the main file                    */
  uint64_t syncs;              /* fsync/fdatasync calls that succeeded                     */
  uint64_t bytes_synced;       /* bytes written to either file and then made durable      */
  uint64_t wal_frames;         /* valid frames in the WAL now                              */
  uint64_t checkpoint_failures; /* checkpoints (explicit, automatic, at open) that failed for
                                   lack of space or memory and left the WAL as it was       */
  /* 0.3 */
  uint64_t frames_left;        /* frames the last checkpoint could not copy into the main
                                  file because a read transaction still needed its older
                                  bytes (0: none)                                          */
  uint64_t readers_active;     /* read transactions open on the handle now, plus other
                                  handles and processes reading (live read marks)          */
  uint64_t checkpoint_waits;   /* commits that waited for the background checkpointer
                                  (pager_wal_options.background_checkpoint): because the WAL
                                  reached its limit (backpressure), or because a call of the
                                  transaction (stage, set page count, app header, commit)
                                  waited while the thread held the handle (its final step:
                                  the last frames, the main header, the WAL restart; or a
                                  copy's setup); each commit counted once                  */
  uint64_t wal_restarts;       /* WAL restarts (new generations) since open                */
} pager_wal_stats;

/*
 * pager_wal_options_init -- writes struct_size and every default into *opts (page_size 0:
 * 4096 on create, the file's on open; read-write). NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_wal_options_init(pager_wal_options *opts) PAGER_NOEXCEPT;

/*
 * pager_wal_checkpoint_options_init -- writes struct_size and the defaults (mode
 * PAGER_WAL_CHECKPOINT_PASSIVE) into *opts. NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_wal_checkpoint_options_init(pager_wal_checkpoint_options *opts)
    PAGER_NOEXCEPT;

/*
 * pager_wal_stats_init -- prepares *stats for pager_wal_get_stats: struct_size =
 * sizeof(pager_wal_stats), every counter 0. NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_wal_stats_init(pager_wal_stats *stats) PAGER_NOEXCEPT;

/*
 * pager_wal_create -- creates a new database: the main file at path (page 0 only, page count
 * 1) and an empty sidecar `<path>-wal` (a stale sidecar at that path is replaced). Both are
 * synced, and so is their directory. The handle is read-write and holds the exclusive lock.
 * opts may be NULL (defaults); opts->read_only must be 0. *out receives the handle; release
 * it with pager_wal_close.
 * Errors: PAGER_ERR_INVALID (NULL path/out; opts->struct_size below the 0.2 size, unknown
 * trailing bytes not zero, page size neither 0 nor a power of two in [512, 65536],
 * durability not FULL/NORMAL, read_only not 0, background_checkpoint not 0 or 1, reserved not 0,
 * lock_timeout_ms below -1), PAGER_ERR_EXISTS
 * (path exists), PAGER_ERR_NOT_FOUND (directory missing), PAGER_ERR_BUSY (another opener
 * locked the new file first), PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_READONLY (no
 * permission), PAGER_ERR_NOMEM. If a failure happens after the main file was written
 * (creating the sidecar), the main file stays: open it (a missing sidecar is recreated) or
 * remove it.
 */
PAGER_API int pager_wal_create(const char *path, const pager_wal_options *opts,
                               pager_wal **out) PAGER_NOEXCEPT;

/*
 * pager_wal_open -- opens an existing database; opts may be NULL (defaults: read-write, the
 * file's page size). Read-write (opts->read_only 0) takes the writer lock (one read-write
 * handle per file); recovery checkpoints the committed frames of the WAL into the main file
 * and starts a new WAL generation (creating the sidecar if it is missing or empty) -- unless
 * readers of other handles still use the WAL, then it appends to the recovered generation.
 * Read-only (opts->read_only 1) opens beside a writer; the WAL's committed frames are
 * indexed, not copied; a missing or empty sidecar is fine and is never created. Both open
 * (creating if needed) the shared index `<path>-shm`. A read-only opener that finds the index
 * stale (after a crash) while no writer is open rebuilds it from its WAL scan when no other
 * handle uses it, as a writer's open would (a read-write open meanwhile waits until it has
 * published: up to 5 s, or lock_timeout_ms if longer); one that cannot open it read-write
 * (an unwritable directory), finds it missing, cannot grow it (a full disk), is not alone on
 * a stale one, or was opened with read_only PAGER_WAL_READ_ONLY_KEEP_FILES (which writes no
 * file) reads privately and keeps writers out while open (their open is PAGER_ERR_BUSY,
 * saying so), or gets PAGER_ERR_BUSY naming the index if a writer is already open. Memory:
 * the main file is never loaded; the WAL is scanned once (one batch of frames at a time; a
 * reader that rebuilds or reads privately checks once more that no writer came and went
 * meanwhile) to index page -> latest committed frame.
 * *out receives the handle; release it with pager_wal_close.
 * Errors: PAGER_ERR_INVALID (NULL path/out; opts->struct_size below the 0.2 size, unknown
 * trailing bytes not zero, page size neither 0 nor a power of two in [512, 65536],
 * durability not FULL/NORMAL, read_only not 0, 1 or 2, background_checkpoint not 0 or 1,
 * reserved not 0, lock_timeout_ms below -1),
 * PAGER_ERR_NOT_FOUND (no such file), PAGER_ERR_BUSY (read-write: another read-write
 * handle, or a read-only one reading privately, is open and lock_timeout_ms passed;
 * read-only: see above), PAGER_ERR_CORRUPT (no valid header copy, damaged WAL header, main
 * file shorter than its header says), PAGER_ERR_VERSION (a newer format),
 * PAGER_ERR_PAGE_SIZE (opts->page_size is not 0 and differs from the file's), PAGER_ERR_IO
 * and PAGER_ERR_NOSPC (also when the read-write recovery checkpoint fails with a failed sync
 * or I/O error; no handle is returned and the files are as a crash at that point would leave
 * them), PAGER_ERR_READONLY (read-write without permission to write), PAGER_ERR_NOMEM.
 * A full disk: a read-write open whose recovery checkpoint runs out of space (or memory) still
 * succeeds;
 * the checkpoint is deferred (new commits append to the recovered WAL, the next commit or
 * checkpoint retries it; stats: checkpoint_failures, last_checkpoint_error). A read-write open
 * refuses a main file shorter than its header and WAL need (PAGER_ERR_CORRUPT, nothing
 * written), since its checkpoint would extend it with zeros; open it read-only to salvage.
 */
PAGER_API int pager_wal_open(const char *path, const pager_wal_options *opts,
                             pager_wal **out) PAGER_NOEXCEPT;

/*
 * pager_wal_close -- releases the handle, its lock and its memory. Staged changes are
 * discarded; nothing is synced (committed data is already in the WAL). NULL-safe. Clears
 * the last error. The handle must not be in use by another thread. Errors: none.
 */
PAGER_API void pager_wal_close(pager_wal *h) PAGER_NOEXCEPT;

/*
 * pager_wal_access_mode -- *mode_out = PAGER_WAL_READ_WRITE or PAGER_WAL_READ_ONLY.
 * Errors: PAGER_ERR_INVALID (NULL argument).
 */
PAGER_API int pager_wal_access_mode(pager_wal *h, uint32_t *mode_out) PAGER_NOEXCEPT;

/* pager_wal_page_size -- *bytes_out = the page size. Errors: PAGER_ERR_INVALID (NULL). */
PAGER_API int pager_wal_page_size(pager_wal *h, uint32_t *bytes_out) PAGER_NOEXCEPT;

/*
 * pager_wal_page_count -- *count_out = the page count including staged changes (page 0
 * counted). Errors: PAGER_ERR_INVALID (NULL argument).
 */
PAGER_API int pager_wal_page_count(pager_wal *h, uint32_t *count_out) PAGER_NOEXCEPT;

/*
 * pager_wal_read_page -- copies page page_number into buf: its staged content if any, else
 * its latest committed content (WAL, then main file). buf_len must equal the page size.
 * buf is untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL h/buf, buf_len != page size), PAGER_ERR_RESERVED (page 0),
 * PAGER_ERR_NOT_FOUND (page_number >= page count), PAGER_ERR_IO, PAGER_ERR_CORRUPT (the
 * main file or the WAL ends before the page), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_read_page(pager_wal *h, uint32_t page_number, void *buf,
                                  uint64_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_wal_stage_page -- stages data (data_len == page size; copied) as the new content of
 * page_number, in memory only until pager_wal_commit. Staging a page at or past the page
 * count grows it to page_number + 1 (pages in between read as zeros). Works on read-only
 * handles too (the bytes stay in memory; commit is refused).
 * Errors: PAGER_ERR_INVALID (NULL h/data, data_len != page size), PAGER_ERR_RESERVED
 * (page 0), PAGER_ERR_RANGE (page_number 0xFFFFFFFF), PAGER_ERR_POISONED, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_stage_page(pager_wal *h, uint32_t page_number, const void *data,
                                   uint64_t data_len) PAGER_NOEXCEPT;

/* pager_wal_clear_staged -- discards every staged page, page count and app header change
 * (rollback). Errors: PAGER_ERR_INVALID (NULL h). */
PAGER_API int pager_wal_clear_staged(pager_wal *h) PAGER_NOEXCEPT;

/*
 * pager_wal_set_page_count -- stages a new page count (>= 1, page 0 counted). Shrinking
 * hides pages >= page_count at once (staged ones are dropped) and frees them from the main
 * file at the next checkpoint; growing again exposes zeros, never the hidden bytes.
 * Errors: PAGER_ERR_INVALID (NULL h, page_count 0), PAGER_ERR_POISONED.
 */
PAGER_API int pager_wal_set_page_count(pager_wal *h, uint32_t page_count) PAGER_NOEXCEPT;

/*
 * pager_wal_read_app_header -- copies the application header area (staged if changed, else
 * committed) into buf; buf_len must be PAGER_WAL_APP_HEADER_SIZE.
 * Errors: PAGER_ERR_INVALID (NULL h/buf, buf_len != PAGER_WAL_APP_HEADER_SIZE).
 */
PAGER_API int pager_wal_read_app_header(pager_wal *h, void *buf,
                                        uint64_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_wal_stage_app_header -- stages new application header bytes (data_len must be
 * PAGER_WAL_APP_HEADER_SIZE; copied), committed atomically with the next commit.
 * Errors: PAGER_ERR_INVALID (NULL h/data, data_len != PAGER_WAL_APP_HEADER_SIZE),
 * PAGER_ERR_POISONED.
 */
PAGER_API int pager_wal_stage_app_header(pager_wal *h, const void *data,
                                         uint64_t data_len) PAGER_NOEXCEPT;

/*
 * pager_wal_commit -- commits the staged changes as one transaction: one frame per staged
 * page whose bytes differ from its committed content, plus a page-0 frame if the application
 * header changed or no data frame would carry the commit; the last frame is the commit
 * frame (it carries the new page count). The comparison never reads the main file: a staged
 * page whose committed bytes the handle knows only from there (not in its cache, hash not
 * kept) gets a frame without a comparison, so restaging unchanged bytes may cost a frame,
 * never a random disk read. Under PAGER_WAL_FULL the frames are written with one fdatasync
 * before this returns; a commit of 64 KiB of frames or more first starts their writeback
 * and moves its pages into the handle's cache while the device writes (no other handle sees
 * them before the fdatasync returns). Nothing staged or nothing known to have changed: PAGER_OK,
 * *frames_out = 0, no I/O. If the WAL then passes an auto-checkpoint threshold a passive
 * checkpoint runs; its failure does not fail the commit: lack of space or memory is counted
 * (pager_wal_stats.checkpoint_failures, last_checkpoint_error) and the checkpoint is retried
 * after the next commit; a failed sync or I/O error poisons the handle, and the next mutation
 * returns PAGER_ERR_POISONED. With pager_wal_options.background_checkpoint the handle's
 * thread runs that checkpoint instead (same failure rules: lack of space or memory counted
 * and retried after the next commit, a failed sync poisons), and the commit first waits for
 * it while the WAL is at its limit (2x the threshold) and the thread can shorten it.
 * *frames_out (may be NULL) receives the number of data frames written; untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL h), PAGER_ERR_READONLY (read-only handle),
 * PAGER_ERR_POISONED (an earlier failure), PAGER_ERR_IO, PAGER_ERR_NOSPC or
 * PAGER_ERR_CORRUPT while reading committed pages to compare (the handle is unchanged and the
 * changes stay staged), PAGER_ERR_NOSPC or PAGER_ERR_NOMEM while writing frames (nothing was
 * acknowledged: the handle stays usable and the changes stay staged -- commit again once
 * there is space, or clear them), PAGER_ERR_IO while writing or syncing frames, any failed
 * sync, and any error starting the writeback of written frames, PAGER_ERR_NOSPC included
 * (the handle is poisoned, the staged changes are dropped and its reads show the last commit
 * that returned OK -- reopen to learn what the WAL holds), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_commit(pager_wal *h, uint32_t *frames_out) PAGER_NOEXCEPT;

/*
 * pager_wal_checkpoint -- copies the latest committed content of every page in the WAL into
 * the main file and starts a new WAL generation: sync WAL -> write pages -> sync main ->
 * write the inactive header copy -> truncate to the page count -> sync main -> reset the WAL
 * (new salts, synced; PASSIVE/FULL keep wal_keep_bytes of the file for reuse, TRUNCATE cuts
 * it to zero bytes). opts may be NULL (PAGER_WAL_CHECKPOINT_PASSIVE); the modes are described
 * at PAGER_WAL_CHECKPOINT_PASSIVE. With an empty WAL it does nothing (TRUNCATE still cuts a
 * non-empty `-wal` file to zero bytes). Staged changes are untouched. *pages_out (may be
 * NULL) receives the number of data pages written into the main file; untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL h; opts->struct_size below the 0.2 size, unknown trailing
 * bytes not zero, mode not a PAGER_WAL_CHECKPOINT_* value), PAGER_ERR_READONLY (read-only
 * handle), PAGER_ERR_POISONED (an earlier failure), PAGER_ERR_NOSPC or PAGER_ERR_NOMEM (writing
 * pages into the main file ran out of space, or the copy out of memory: the WAL keeps every
 * frame, the handle stays usable, retry later), PAGER_ERR_IO or PAGER_ERR_CORRUPT (the WAL's
 * frames cannot be read back) -- these two, and any failed sync, poison the handle; the WAL
 * is never reset unless the main file was synced.
 */
PAGER_API int pager_wal_checkpoint(pager_wal *h, const pager_wal_checkpoint_options *opts,
                                   uint32_t *pages_out) PAGER_NOEXCEPT;

/*
 * pager_wal_get_stats -- fills *out with the handle's statistics. Prepare *out with
 * pager_wal_stats_init; the library writes at most out->struct_size bytes and sets
 * struct_size to the number it wrote. *out is untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL h/out, out->struct_size below the 0.2 size).
 */
PAGER_API int pager_wal_get_stats(pager_wal *h, pager_wal_stats *out) PAGER_NOEXCEPT;

/*
 * Read transactions (pager_wal_read_txn_*). A read transaction pins the last commit of its
 * handle as of pager_wal_read_txn_begin: every read through it sees that commit -- its pages,
 * page count and application header -- whatever the handle commits or checkpoints meanwhile,
 * until pager_wal_read_txn_free. Staged (uncommitted) changes are never seen. Reads through
 * the handle itself (pager_wal_read_page ...) keep seeing the latest state, staged included.
 * Any number of read transactions may be open on a handle, in any threads, beside its
 * writer; a transaction may be used from several threads (calls are serialized with the
 * handle's). While one is open and older than the last commit, checkpoints leave the WAL's
 * frames where they are (see PAGER_WAL_CHECKPOINT_PASSIVE/FULL), so the WAL grows: end
 * read transactions promptly. Cost: begin and free take the handle's mutex once each and
 * copy the application header; no I/O on the writer's handle; on a read-only handle begin
 * also reads the shared index and stores the handle's read mark there (no system call after
 * the first, which claims one of 256 read-mark slots: PAGER_ERR_BUSY when all are held).
 * Readers of every handle and process hold the writer's checkpoints back the same way.
 * Released by pager_wal_read_txn_free (C4: a transaction is freed; there is nothing to
 * commit). A transaction may outlive its handle: after pager_wal_close every call on it but
 * _free fails with PAGER_ERR_INVALID ("closed").
 */
typedef struct pager_wal_read_txn pager_wal_read_txn;

/*
 * pager_wal_read_txn_begin -- starts a read transaction on h pinning its last commit.
 * *txn_out receives it; release it with pager_wal_read_txn_free.
 * Errors: PAGER_ERR_INVALID (NULL h/txn_out), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_read_txn_begin(pager_wal *h, pager_wal_read_txn **txn_out) PAGER_NOEXCEPT;

/*
 * pager_wal_read_txn_read_page -- copies page page_number as of the transaction's commit into
 * buf; buf_len must equal the page size. buf is untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL txn/buf, buf_len != page size, handle closed),
 * PAGER_ERR_RESERVED (page 0), PAGER_ERR_NOT_FOUND (page_number >= the transaction's page
 * count), PAGER_ERR_IO, PAGER_ERR_CORRUPT (the main file or the WAL ends before the page),
 * PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_read_txn_read_page(pager_wal_read_txn *txn, uint32_t page_number,
                                           void *buf, uint64_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_wal_read_txn_view_page -- *data_out = a read-only pointer to page page_number's bytes
 * as of the transaction's commit (page-size bytes; no copy). The pointer stays valid until
 * pager_wal_read_txn_free(txn) or pager_wal_close of its handle, whichever comes first,
 * whatever the handle commits or checkpoints meanwhile; never write through it. Main-file
 * pages point into a read-only shared mapping of the main file, WAL frames into one of the
 * WAL. A transaction that viewed a WAL frame keeps the WAL from restarting until it is freed:
 * PASSIVE checkpoints still copy frames into the main file but keep the WAL (it grows);
 * FULL and TRUNCATE wait for the transaction like for a reader (see PAGER_WAL_CHECKPOINT_*),
 * then PAGER_ERR_BUSY. A page that reads as zeros points at a shared zero page. If the
 * library cannot map a file (an exotic file system or a file cut short from outside), the
 * view points at a copy the transaction owns until freed. A truncation of the main file or
 * the WAL from outside the library below a viewed page makes accessing the view raise
 * SIGBUS, as for any mapped file. Cost: one mutex hold and one hash lookup, no I/O after the
 * first view of a file. *data_out is untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL txn/data_out, handle closed), PAGER_ERR_RESERVED (page 0),
 * PAGER_ERR_NOT_FOUND (page_number >= the transaction's page count), PAGER_ERR_IO,
 * PAGER_ERR_CORRUPT (the main file or the WAL ends before the page), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_wal_read_txn_view_page(pager_wal_read_txn *txn, uint32_t page_number,
                                           const uint8_t **data_out) PAGER_NOEXCEPT;

/*
 * pager_wal_read_txn_page_count -- *count_out = the page count of the transaction's commit
 * (page 0 counted). Errors: PAGER_ERR_INVALID (NULL argument, handle closed).
 */
PAGER_API int pager_wal_read_txn_page_count(pager_wal_read_txn *txn,
                                            uint32_t *count_out) PAGER_NOEXCEPT;

/*
 * pager_wal_read_txn_read_app_header -- copies the application header of the transaction's
 * commit into buf; buf_len must be PAGER_WAL_APP_HEADER_SIZE. buf is untouched on failure.
 * Errors: PAGER_ERR_INVALID (NULL txn/buf, buf_len != PAGER_WAL_APP_HEADER_SIZE, handle
 * closed).
 */
PAGER_API int pager_wal_read_txn_read_app_header(pager_wal_read_txn *txn, void *buf,
                                                 uint64_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_wal_read_txn_free -- ends the read transaction and releases it (its read mark no
 * longer holds checkpoints back). NULL-safe. Must not run concurrently with another call on
 * the same transaction. Errors: none.
 */
PAGER_API void pager_wal_read_txn_free(pager_wal_read_txn *txn) PAGER_NOEXCEPT;

/*
 * Looking into the sidecar (pager_wal_scan_frames). Every frame of a "-wal" file as it lies
 * on disk, for tools (pagerctl dump) and for tests: the frames an open keeps, the valid tail
 * whose commit frame never became durable, and the frames past the first one that breaks
 * the chain, which an open never trusts. Read-only: no lock is taken, nothing is written or
 * created, no recovery runs; a writer appending at the same time may make the last frames
 * read as torn (scan again, or scan a copy).
 */

/* Where a frame stands (pager_wal_frame_info.state). */
enum {
  PAGER_WAL_FRAME_COMMITTED = 0,   /* in the chain up to the last valid commit frame: what an
                                      open keeps                                              */
  PAGER_WAL_FRAME_UNCOMMITTED = 1, /* valid and chained, but no valid commit frame ends its
                                      transaction (a commit that never became durable): an
                                      open drops it                                           */
  PAGER_WAL_FRAME_BEYOND = 2       /* at or after the first frame that breaks the chain (salts
                                      of another generation, checksum, malformed header, a
                                      page past its commit's page count): never trusted       */
};

/* Options of pager_wal_scan_frames (C8): prepare with pager_wal_scan_options_init. */
typedef struct pager_wal_scan_options {
  uint32_t struct_size; /* sizeof(pager_wal_scan_options), set by _init (first: 24 bytes)    */
  uint32_t reserved;    /* must be 0                                                          */
  uint64_t first_frame; /* index of the first frame passed to fn (default 0)                  */
  uint64_t max_frames;  /* at most this many frames passed to fn (default UINT64_MAX)         */
} pager_wal_scan_options;

/* One frame as pager_wal_scan_frames passes it (read-only, valid during the call). A result
 * struct (C8): struct_size is the number of bytes the library filled; read no field past it. */
typedef struct pager_wal_frame_info {
  uint32_t struct_size;
  uint32_t state;               /* PAGER_WAL_FRAME_*                                           */
  uint64_t index;               /* 0-based position in the sidecar                             */
  uint64_t offset_bytes;        /* byte offset of the frame's header in the sidecar            */
  uint32_t page_number;         /* 0: the application header frame; else a data page           */
  uint32_t commit_page_count;   /* 0: inside a transaction; > 0: a commit frame, and the page
                                   count after it                                              */
  uint32_t commit_floor_count;  /* commit frames: the lowest page count the transaction passed
                                   through; others 0                                           */
  uint32_t salt1;               /* the frame's salts, as stored                                */
  uint32_t salt2;
  uint32_t salts_match;         /* 1: the frame's salts are the sidecar header's (this
                                   generation); 0: another generation's or damage              */
  uint32_t checksum_valid;      /* 1: the stored checksum equals the one computed over this
                                   frame seeded with the previous frame's stored checksum (the
                                   header's for frame 0)                                       */
  uint32_t well_formed;         /* 1: the reserved field is 0 and the floor rule holds         */
  uint64_t checksum;            /* as stored                                                   */
  uint64_t computed_checksum;   /* as computed (see checksum_valid)                            */
  const void *page;             /* the frame's page bytes, as stored (whatever its state)      */
  uint64_t page_bytes;          /* = the page size                                             */
} pager_wal_frame_info;

/* What pager_wal_scan_frames found in the sidecar as a whole (C8 result struct: prepare with
 * pager_wal_scan_summary_init). */
typedef struct pager_wal_scan_summary {
  uint32_t struct_size;         /* set by pager_wal_scan_summary_init; written back           */
  uint32_t has_header;          /* 0: the sidecar is shorter than a header, or its header is all
                                   zeros (its creation never became durable): no frames, and
                                   the header fields below are 0                               */
  uint32_t page_size;           /* from the sidecar header                                     */
  uint32_t salt1;               /* the header's salts (this generation)                        */
  uint32_t salt2;
  uint32_t reserved;            /* 0                                                           */
  uint64_t base_checkpoint_seq; /* the main header copy this generation applies on top of      */
  uint64_t file_id;             /* the main file's id the sidecar belongs to                   */
  uint64_t file_bytes;          /* the sidecar's size                                          */
  uint64_t frame_slots;         /* whole frames the file holds (whatever their state)          */
  uint64_t committed_frames;    /* frames in state COMMITTED (frames [0, this))                */
  uint64_t chain_frames;        /* frames in state COMMITTED or UNCOMMITTED                    */
  uint64_t trailing_bytes;      /* bytes after the last whole frame (a torn append)            */
} pager_wal_scan_summary;

/* Called by pager_wal_scan_frames for each frame, in order. A non-zero return stops the scan. */
typedef int (*pager_wal_frame_fn)(void *ctx, const pager_wal_frame_info *frame);

/* pager_wal_scan_options_init -- struct_size and the defaults (first_frame 0, max_frames
 * UINT64_MAX). NULL-safe. Clears the last error. Errors: none. */
PAGER_API void pager_wal_scan_options_init(pager_wal_scan_options *opts) PAGER_NOEXCEPT;

/* pager_wal_scan_summary_init -- struct_size, zeroes elsewhere. NULL-safe. Clears the last
 * error. Errors: none. */
PAGER_API void pager_wal_scan_summary_init(pager_wal_scan_summary *summary) PAGER_NOEXCEPT;

/*
 * pager_wal_scan_frames -- reads the WAL sidecar and passes every frame from
 * opts->first_frame on (at most opts->max_frames) to fn (may be NULL: summary only), with its
 * header fields, its state (PAGER_WAL_FRAME_*: COMMITTED as pager_wal_open's recovery scan
 * decides it, the same code), its checksum verdict and its page bytes. path is the sidecar
 * (a name ending in "-wal", or a file starting with the sidecar's magic), or else the
 * database's main file, and then "<path>-wal" is scanned. opts may be NULL (defaults). *summary_out (may be NULL; prepared
 * with pager_wal_scan_summary_init) receives the totals on success: at most its struct_size
 * bytes are written and struct_size is set to that number; nothing is written on failure
 * (frames already passed to fn stay passed). Read-only (see above); the main file is not read.
 * Memory: one batch of frames, whatever the sidecar's size.
 * Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (NULL or empty path; a bad options struct: struct_size below 24,
 * unknown non-zero bytes, reserved != 0; summary_out's struct_size below 80),
 * PAGER_ERR_NOT_FOUND (no such path, or no "<path>-wal" beside a main file),
 * PAGER_ERR_CORRUPT (a damaged sidecar header: bad magic, checksum, page size, reserved
 * fields; a file that is not a sidecar at all is named so in the message), PAGER_ERR_VERSION (a sidecar
 * of another format version), PAGER_ERR_READONLY (permission denied), PAGER_ERR_IO,
 * PAGER_ERR_NOMEM, PAGER_ERR_CALLBACK (fn returned non-zero; its value and the frame index
 * are in the message).
 */
PAGER_API int pager_wal_scan_frames(const char *path, const pager_wal_scan_options *opts,
                                    pager_wal_frame_fn fn, void *ctx,
                                    pager_wal_scan_summary *summary_out) PAGER_NOEXCEPT;

/* ======================================================================================
 * WAL segments (pager_walseg_*)
 * ====================================================================================== */

/* (section: walseg) */

/*
 * A WAL segment log is a directory of segment files "<first LSN as 16 hex digits>.wal" plus
 * a "LOCK" file. Records carry a type, an LSN (consecutive across segments, never 0), a
 * payload and an XXH3-64 checksum; the byte format is doc/format/wal-segment.md.
 *
 * Record types are uint16_t: bits 0..14 are the type id (0 is reserved), bit 15
 * (PAGER_WALSEG_TYPE_REQUIRED) marks a type every reader must understand. A reader given a
 * list of known type ids skips unknown optional records and fails with PAGER_ERR_VERSION at
 * an unknown required one.
 */

/* Record type bit: readers that do not know this type must fail instead of skipping it. */
#define PAGER_WALSEG_TYPE_REQUIRED 0x8000u

/* Sync policies of a writer (pager_walseg_options.sync_policy). */
enum {
  PAGER_WALSEG_SYNC_EVERY_RECORD = 0, /* each append is durable when it returns            */
  PAGER_WALSEG_SYNC_GROUP = 1,        /* sync once group_bytes of unsynced appends accrue,
                                         or once the oldest is group_interval_us old (a
                                         background thread syncs a trailing record)         */
  PAGER_WALSEG_SYNC_EXPLICIT = 2      /* durable only after pager_walseg_sync (or rotation,
                                         or close)                                          */
};

/* Why a reader or replay stopped (pager_walseg_reader_stop / pager_walseg_replay_stop). */
enum {
  PAGER_WALSEG_STOP_NONE = 0,      /* not stopped: records may follow                      */
  PAGER_WALSEG_STOP_CLEAN_END = 1, /* the end of the data (end of file or zero tail)       */
  PAGER_WALSEG_STOP_TORN_TAIL = 2, /* an incomplete or damaged last write that was never
                                      synced; a writer reopening the log cuts it off        */
  PAGER_WALSEG_STOP_CORRUPT = 3    /* damage at the stop offset with durable records
                                      behind it, an LSN break, or a damaged sealed segment  */
};

/* Writer options. Initialize with pager_walseg_options_init(). */
typedef struct pager_walseg_options {
  uint32_t struct_size;
  uint32_t sync_policy;        /* PAGER_WALSEG_SYNC_*; default EVERY_RECORD                 */
  uint64_t segment_bytes;      /* rotate when the next record would pass this size; a record
                                  larger than it gets a segment of its own; [256, 2^40];
                                  default 64 MiB                                            */
  uint64_t group_bytes;        /* GROUP: sync when this many bytes are unsynced; >= 1;
                                  default 1 MiB                                             */
  uint64_t group_interval_us;  /* GROUP: sync when the oldest unsynced record is this old
                                  (checked at appends and by one background thread per
                                  writer); 0 = no time bound and no thread; default 1000    */
  uint64_t max_payload_bytes;  /* larger payloads fail with PAGER_ERR_TOO_LARGE before
                                  anything is written; [1, 2^32-65]; default 64 MiB         */
  uint64_t prewrite_bytes;     /* zero-fill the segment ahead of the records in steps of this
                                  many bytes so syncs overwrite instead of growing the file;
                                  0 = plain appends; multiple of 4096; default 1 MiB        */
  uint64_t buffer_bytes;       /* records are staged in a buffer of this size and written at
                                  flush; larger records are written directly; 0 = no
                                  staging; default 256 KiB                                  */
  uint64_t first_lsn;          /* LSN of the first record of a new log; default 1          */
  uint32_t create_if_missing;  /* 1 = create the directory if missing (default 1)          */
  uint32_t reserved0;          /* must be 0                                                 */
} pager_walseg_options;

/*
 * pager_walseg_options_init -- fills *opts with struct_size = sizeof(pager_walseg_options)
 * and the defaults above (right for a new log and for reopening one). NULL is a no-op.
 * Clears the last error. Errors: none. Thread safety: any thread.
 */
PAGER_API void pager_walseg_options_init(pager_walseg_options *opts) PAGER_NOEXCEPT;

typedef struct pager_walseg_writer pager_walseg_writer;

/*
 * pager_walseg_writer_open -- opens (or creates) the log directory `dir` for appending.
 * Takes an exclusive lock on <dir>/LOCK. Recovery: the last segment is scanned; a torn tail
 * (a write that was never synced) is cut off; the remaining records are rewritten and synced
 * (one read and write pass over the active segment, so that records an earlier failed fsync
 * lost are really durable) and appends continue after the last one. A corrupt last segment
 * (damage with durable records behind it) is not touched and fails the open.
 * opts: NULL for defaults; read only during the call. On success *out owns a writer; close
 * it with pager_walseg_writer_close(). On failure *out is untouched.
 * Errors: PAGER_ERR_INVALID (NULL dir/out; opts->struct_size below the 0.2 size, or a
 * non-zero byte past the struct this library knows; an option out of its range; reserved0
 * not 0), PAGER_ERR_NOT_FOUND (dir missing and create_if_missing = 0), PAGER_ERR_BUSY
 * (another writer holds the log), PAGER_ERR_CORRUPT (the last segment is damaged with
 * durable records behind it), PAGER_ERR_TOO_LARGE (the last segment is larger than this
 * process can map), PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_READONLY (the directory or a
 * segment is not writable), PAGER_ERR_NOMEM.
 * Thread safety: any thread.
 */
PAGER_API int pager_walseg_writer_open(const char *dir, const pager_walseg_options *opts,
                                       pager_walseg_writer **out) PAGER_NOEXCEPT;

/*
 * pager_walseg_append -- appends one record (type, data[0..len)) and, on success only, sets
 * *lsn_out to its LSN. Durability follows the sync policy. The payload is only read during
 * the call. The segment rotates first if the record would pass segment_bytes (the old
 * segment is sealed: synced, and the new one's directory entry synced).
 * Errors (*lsn_out untouched): PAGER_ERR_INVALID (NULL writer/lsn_out, NULL data with
 * len > 0, type id 0), PAGER_ERR_TOO_LARGE (len > max_payload_bytes; nothing written),
 * PAGER_ERR_POISONED (an earlier failure), PAGER_ERR_IO / PAGER_ERR_NOSPC (this call's write,
 * sync or rotation failed: the writer is now poisoned; whether this record survives is
 * decided by recovery), PAGER_ERR_NOT_FOUND / PAGER_ERR_EXISTS / PAGER_ERR_READONLY (only
 * when the directory was changed behind the writer's back so that rotation cannot create
 * the next segment; poisons too), PAGER_ERR_NOMEM.
 * Thread safety: calls on one writer are serialized.
 */
PAGER_API int pager_walseg_append(pager_walseg_writer *w, uint16_t type, const void *data,
                                  uint64_t len, uint64_t *lsn_out) PAGER_NOEXCEPT;

/*
 * pager_walseg_sync -- writes staged records and makes every appended record durable
 * (fdatasync). A failed write or sync is never retried: the writer is poisoned (C11).
 * Errors: PAGER_ERR_INVALID (NULL), PAGER_ERR_POISONED, PAGER_ERR_IO, PAGER_ERR_NOSPC
 * (both poison). Thread safety: serialized with the writer's other calls.
 */
PAGER_API int pager_walseg_sync(pager_walseg_writer *w) PAGER_NOEXCEPT;

/*
 * pager_walseg_flush -- writes staged records to the file (visible to readers opened
 * afterwards, not durable). Errors: PAGER_ERR_INVALID (NULL), PAGER_ERR_POISONED,
 * PAGER_ERR_IO, PAGER_ERR_NOSPC (both poison). Thread safety: serialized with the writer's
 * other calls.
 */
PAGER_API int pager_walseg_flush(pager_walseg_writer *w) PAGER_NOEXCEPT;

/*
 * pager_walseg_writer_lsns -- *next_lsn: the LSN the next append gets; *durable_lsn: every
 * record with LSN <= it is durable (next_lsn - 1 after a sync). Either pointer may be NULL.
 * Works on a poisoned writer too.
 * Errors (outputs untouched): PAGER_ERR_INVALID (NULL writer). Thread safety: any thread.
 */
PAGER_API int pager_walseg_writer_lsns(pager_walseg_writer *w, uint64_t *next_lsn,
                                       uint64_t *durable_lsn) PAGER_NOEXCEPT;

/*
 * pager_walseg_remove_before -- deletes sealed segments whose records all have LSN < lsn
 * (never the active segment), then syncs the directory; on success *removed_out (may be
 * NULL) counts them. Replays from a removed LSN then fail with PAGER_ERR_NOT_FOUND.
 * Errors (*removed_out untouched, even when some segments were already removed):
 * PAGER_ERR_INVALID (NULL writer), PAGER_ERR_POISONED, PAGER_ERR_IO (listing the directory,
 * removing a segment or syncing the directory failed; a failed remove or sync poisons),
 * PAGER_ERR_NOT_FOUND / PAGER_ERR_READONLY (a segment vanished or cannot be removed because
 * the directory was changed behind the writer's back; poisons), PAGER_ERR_NOMEM.
 * Thread safety: serialized with the writer's other calls.
 */
PAGER_API int pager_walseg_remove_before(pager_walseg_writer *w, uint64_t lsn,
                                         uint64_t *removed_out) PAGER_NOEXCEPT;

/*
 * pager_walseg_writer_close -- writes staged records, syncs, releases the lock and frees the
 * writer (always, even on error: w is invalid after the call). NULL is a no-op returning
 * PAGER_OK. The one release function that returns a status (C4).
 * Errors: PAGER_ERR_POISONED (an earlier failure; unsynced records may be lost, recovery
 * decides), PAGER_ERR_IO, PAGER_ERR_NOSPC (this final write or sync failed).
 * Thread safety: no other call on w may run concurrently.
 */
PAGER_API int pager_walseg_writer_close(pager_walseg_writer *w) PAGER_NOEXCEPT;

/* Reader options. Initialize with pager_walseg_reader_options_init(). */
typedef struct pager_walseg_reader_options {
  uint32_t struct_size;
  uint32_t reserved0;            /* must be 0                                               */
  const uint16_t *known_types;   /* type ids this reader understands (bit 15 ignored); NULL
                                    with a count of 0 = every type is known. Read only
                                    during open (the library keeps a copy).                 */
  uint64_t known_type_count;     /* entries in known_types                                  */
  uint64_t max_payload_bytes;    /* a record above it is PAGER_ERR_TOO_LARGE;
                                    [1, 2^32-65]; default 64 MiB                            */
  uint64_t expected_first_lsn;   /* LSN the segment's first record must have; 0 = from the
                                    file name if it is a segment name, else unchecked       */
} pager_walseg_reader_options;

/*
 * pager_walseg_reader_options_init -- fills *opts with struct_size =
 * sizeof(pager_walseg_reader_options) and the defaults (every type known, 64 MiB payload
 * limit, first LSN from the file name). NULL is a no-op. Clears the last error.
 * Errors: none. Thread safety: any thread.
 */
PAGER_API void pager_walseg_reader_options_init(pager_walseg_reader_options *opts) PAGER_NOEXCEPT;

/*
 * A record view. `data` points INTO the reader's read-only mapping (no copy); never write
 * through it. How long it stays valid: from pager_walseg_reader_next, until that reader is
 * closed; from pager_walseg_replay_next, until the next pager_walseg_replay_next call on the
 * same replay or its close, whichever comes first (a replay releases each segment once it
 * moves past it). Copy what you need longer.
 */
typedef struct pager_walseg_record {
  uint64_t lsn;
  uint64_t len;          /* payload bytes                                                  */
  uint64_t offset;       /* offset of the record's header in its segment                   */
  const uint8_t *data;   /* payload; NULL when len is 0                                    */
  uint16_t type;         /* as stored, including PAGER_WALSEG_TYPE_REQUIRED                */
  uint16_t reserved0;
  uint32_t reserved1;
} pager_walseg_record;

typedef struct pager_walseg_reader pager_walseg_reader;

/*
 * pager_walseg_reader_open -- maps the segment file `path` read-only and advises sequential
 * access. The file is not locked; bytes appended after open are not seen. opts: NULL for
 * defaults; read only during the call. On success *out owns a reader (one descriptor and one
 * mapping); close it with pager_walseg_reader_close(). On failure *out is untouched.
 * Errors: PAGER_ERR_INVALID (NULL path/out; opts->struct_size below the 0.2 size or a
 * non-zero unknown trailing byte; NULL known_types with a count > 0, or a count that cannot
 * fit in memory; max_payload_bytes out of range; reserved0 not 0), PAGER_ERR_NOT_FOUND,
 * PAGER_ERR_READONLY (permission denied), PAGER_ERR_IO, PAGER_ERR_NOMEM,
 * PAGER_ERR_TOO_LARGE (file larger than the address space allows). Thread safety: any thread.
 */
PAGER_API int pager_walseg_reader_open(const char *path, const pager_walseg_reader_options *opts,
                                       pager_walseg_reader **out) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_next -- sets *found to 1 and fills *rec with the next record, or sets
 * *found to 0 (and leaves *rec untouched) when the reader has stopped (see
 * pager_walseg_reader_stop). Unknown optional types are skipped. rec->data stays valid until
 * the reader is closed. Damaged bytes are never an error here: they are a stop reason.
 * Errors (sticky: every later call returns the same; *rec and *found untouched):
 * PAGER_ERR_VERSION (a record of an unknown required type), PAGER_ERR_TOO_LARGE (payload
 * above max_payload_bytes), and PAGER_ERR_INVALID (NULL r/rec/found; not sticky).
 * Thread safety: serialized per reader.
 */
PAGER_API int pager_walseg_reader_next(pager_walseg_reader *r, pager_walseg_record *rec,
                                       uint32_t *found) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_stop -- *reason: PAGER_WALSEG_STOP_*; *offset: where the data ends or
 * the damage starts; *last_lsn: the last valid record's LSN (0 if none). Pointers may be NULL.
 * Errors (outputs untouched): PAGER_ERR_INVALID (NULL reader).
 * Thread safety: serialized per reader.
 */
PAGER_API int pager_walseg_reader_stop(pager_walseg_reader *r, uint32_t *reason,
                                       uint64_t *offset, uint64_t *last_lsn) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_stop_detail -- the human-readable reason for the stop ("checksum
 * mismatch; valid record LSN 9 at offset 4096 follows ..."; "" for a clean end or before the
 * stop), as C7: copied NUL-terminated into (buf, buf_len), truncated to fit; *len_out (may be
 * NULL) gets the full length without the NUL; buf may be NULL when buf_len is 0. Returns
 * PAGER_OK also when it truncated (*len_out >= buf_len says so).
 * Errors (buf and *len_out untouched): PAGER_ERR_INVALID (NULL reader, NULL buf with
 * buf_len > 0). Thread safety: serialized per reader.
 */
PAGER_API int pager_walseg_reader_stop_detail(pager_walseg_reader *r, char *buf,
                                              uint64_t buf_len,
                                              uint64_t *len_out) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_position -- *offset: the current read offset; *len: the mapped file
 * length (the segment's size at open); *is_empty: 1 if len is 0. Pointers may be NULL.
 * *madvise_applied: 1 if the sequential-access advice was accepted by the kernel.
 * Errors (outputs untouched): PAGER_ERR_INVALID (NULL reader).
 * Thread safety: serialized per reader.
 */
PAGER_API int pager_walseg_reader_position(pager_walseg_reader *r, uint64_t *offset,
                                           uint64_t *len, uint32_t *is_empty,
                                           uint32_t *madvise_applied) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_release_pages -- drops the segment's pages from the process mapping and
 * the page cache (madvise + fadvise DONTNEED); call after reading it through. Views stay
 * valid (the bytes are read back from the file if touched).
 * Errors: PAGER_ERR_INVALID (NULL reader, or the kernel rejected the advice as invalid),
 * PAGER_ERR_IO (the kernel refused the advice otherwise). Thread safety: serialized per reader.
 */
PAGER_API int pager_walseg_reader_release_pages(pager_walseg_reader *r) PAGER_NOEXCEPT;

/* pager_walseg_reader_close -- unmaps, closes the descriptor and frees; every view becomes
 * invalid. NULL-safe; clears the last error. No other call on r may run concurrently.
 * Errors: none. */
PAGER_API void pager_walseg_reader_close(pager_walseg_reader *r) PAGER_NOEXCEPT;

typedef struct pager_walseg_replay pager_walseg_replay;

/*
 * pager_walseg_replay_open -- an iterator over the records of the log directory `dir` with
 * LSN >= from_lsn (0 = from the oldest segment). Segments wholly before from_lsn are skipped
 * by name, never opened. Segments are chained by LSN; a gap or a damaged sealed segment
 * stops the replay with PAGER_WALSEG_STOP_CORRUPT; only the last segment may end torn.
 * opts: NULL for defaults (expected_first_lsn is ignored: names decide); read only during
 * the call. On success *out owns a replay; close it with pager_walseg_replay_close(). On
 * failure *out is untouched.
 * Errors: PAGER_ERR_INVALID (NULL dir/out, bad options as pager_walseg_reader_open),
 * PAGER_ERR_NOT_FOUND (dir missing, or from_lsn is older than the oldest segment),
 * PAGER_ERR_READONLY (permission denied), PAGER_ERR_IO, PAGER_ERR_NOMEM,
 * PAGER_ERR_TOO_LARGE (the first segment is larger than this process can map).
 * Resources: one descriptor and one read-only mapping, of the segment being read: a segment
 * is released as soon as the replay moves past it, so any number of segments can be
 * replayed. Thread safety: any thread.
 */
PAGER_API int pager_walseg_replay_open(const char *dir, uint64_t from_lsn,
                                       const pager_walseg_reader_options *opts,
                                       pager_walseg_replay **out) PAGER_NOEXCEPT;

/*
 * pager_walseg_replay_next -- as pager_walseg_reader_next, across segments: *found = 1 and
 * *rec filled, or *found = 0 once the replay stopped (see pager_walseg_replay_stop).
 * rec->data stays valid until the NEXT pager_walseg_replay_next call on this replay or
 * pager_walseg_replay_close, whichever comes first (moving to the next segment unmaps the
 * previous one).
 * Errors (*rec and *found untouched): as pager_walseg_reader_next (PAGER_ERR_VERSION,
 * PAGER_ERR_TOO_LARGE sticky; PAGER_ERR_INVALID), plus, opening the next segment (not
 * sticky: the next call tries that segment again), PAGER_ERR_NOT_FOUND (removed meanwhile),
 * PAGER_ERR_READONLY (permission denied), PAGER_ERR_IO, PAGER_ERR_NOMEM, PAGER_ERR_TOO_LARGE.
 * Thread safety: serialized per replay.
 */
PAGER_API int pager_walseg_replay_next(pager_walseg_replay *it, pager_walseg_record *rec,
                                       uint32_t *found) PAGER_NOEXCEPT;

/*
 * pager_walseg_replay_stop -- *reason: PAGER_WALSEG_STOP_*; *segment_lsn: the first LSN
 * (name) of the segment where it stopped; *offset: the offset there; *last_lsn: the last
 * valid LSN seen (0 if none). Pointers may be NULL.
 * Errors (outputs untouched): PAGER_ERR_INVALID (NULL). Thread safety: serialized per replay.
 */
PAGER_API int pager_walseg_replay_stop(pager_walseg_replay *it, uint32_t *reason,
                                       uint64_t *segment_lsn, uint64_t *offset,
                                       uint64_t *last_lsn) PAGER_NOEXCEPT;

/*
 * pager_walseg_replay_stop_detail -- as pager_walseg_reader_stop_detail (C7: (buf, buf_len),
 * truncated, *len_out the full length, PAGER_OK), for a replay (the text names the segment
 * file; "" for a clean end or before the stop).
 * Errors (buf and *len_out untouched): PAGER_ERR_INVALID (NULL replay, NULL buf with
 * buf_len > 0). Thread safety: serialized per replay.
 */
PAGER_API int pager_walseg_replay_stop_detail(pager_walseg_replay *it, char *buf,
                                              uint64_t buf_len,
                                              uint64_t *len_out) PAGER_NOEXCEPT;

/* pager_walseg_replay_close -- unmaps the segment it holds, closes it and frees; every view
 * becomes invalid. NULL-safe; clears the last error. No other call on it may run
 * concurrently. Errors: none. */
PAGER_API void pager_walseg_replay_close(pager_walseg_replay *it) PAGER_NOEXCEPT;

/* ======================================================================================
 * Cold pager (pager_cold_*)
 * ====================================================================================== */

/* (section: cold) */
/*
 * The cold pager moves cold byte ranges out of RAM and reads any set of ranges back.
 * Semantics, range rules, scratch layout and thread safety: doc/cold-pager.md.
 *
 * A pager_cold (pager_cold_open) holds one configuration -- a default backend, at most one
 * scratch directory -- and its statistics. Pagers are independent: two pagers in one process
 * (two libraries, say) never share a directory, a counter or a default.
 *
 * Backends. PAGER_COLD_BACKEND_SWAP keeps the bytes in process memory and advises the kernel
 * that their whole pages are cold (MADV_COLD), so they go to swap first under pressure.
 * PAGER_COLD_BACKEND_FILE writes them to a few shared scratch files in the pager's private
 * directory (pager_cold_set_scratch_dir) and keeps no copy in memory. A handle keeps the
 * backend it was created with; pager_cold_backend_of() tells which.
 *
 * Range rules (pager_cold_read_at_many): output in request order; zero-length ranges are
 * ignored; a range past the handle's end is PAGER_ERR_RANGE; two ranges sharing a byte
 * (including duplicates) are PAGER_ERR_OVERLAP, and the message names both; every check
 * runs before any byte is read. Ranges adjacent in the handle are read with one read.
 *
 * Lifetimes (the cold pager's rule, an exception to C4's "closed"). A paged-out handle keeps
 * its pager's state alive: after pager_cold_close() every handle stays readable, takeable
 * and freeable, and its statistics keep being counted, until it is freed or taken; the
 * scratch directory is removed when the pager is closed and its last handle is gone. A taken
 * buffer (pager_cold_take_buffer) depends on nothing and lives until pager_cold_buffer_free.
 * pager_cold_close() itself only gives up the caller's reference.
 *
 * Thread safety. All functions may be called from any thread; calls on one pager may run
 * concurrently (pageouts run in parallel; pager_cold_close must not race any other call on
 * that pager). Reads of one handle (read_at, read_at_many, len, backend_of) may run
 * concurrently; take and free consume the handle and must not run concurrently with any
 * other call on that handle. Handles of one pager may be used from different threads.
 */

/* Backend identifiers (stable). DEFAULT is only a per-call choice: the pager's default. */
enum {
  PAGER_COLD_BACKEND_DEFAULT = 0,
  PAGER_COLD_BACKEND_SWAP = 1,
  PAGER_COLD_BACKEND_FILE = 2
};

typedef struct pager_cold pager_cold;               /* a cold pager (pager_cold_open)  */
typedef struct pager_cold_handle pager_cold_handle; /* paged-out bytes                  */
typedef struct pager_cold_buffer pager_cold_buffer; /* bytes handed back by take_buffer */

typedef struct pager_cold_options {
  uint32_t struct_size;     /* sizeof(pager_cold_options), set by _init                     */
  uint32_t backend;         /* the pager's default backend: PAGER_COLD_BACKEND_SWAP (the
                               default; 0 means SWAP too) or PAGER_COLD_BACKEND_FILE       */
  const char *scratch_root; /* NULL (default): no scratch directory yet -- the file backend
                               is unavailable until pager_cold_set_scratch_dir. Otherwise
                               pager_cold_open sets it up as pager_cold_set_scratch_dir
                               does. Only read during pager_cold_open.                      */
} pager_cold_options;

/*
 * pager_cold_options_init -- fills *opts with struct_size and the defaults (swap backend,
 * no scratch root). NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_cold_options_init(pager_cold_options *opts) PAGER_NOEXCEPT;

/*
 * pager_cold_open -- creates a cold pager with the options (NULL: defaults). With a
 * scratch_root, the pager's private scratch directory is created before this returns (see
 * pager_cold_set_scratch_dir); a failure there leaves nothing behind.
 * Ownership: *out belongs to the caller and is released with pager_cold_close.
 * Thread safety: any thread. The pager does its file I/O through the library's I/O layer as
 * it is when this call runs.
 * Errors: PAGER_ERR_INVALID (out NULL; a struct_size below the 0.2 size, or non-zero bytes
 * past what this library knows; backend not SWAP, FILE or 0; an empty scratch_root),
 * PAGER_ERR_NOMEM, and for a scratch_root those of pager_cold_set_scratch_dir:
 * PAGER_ERR_NOT_FOUND, PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_READONLY, PAGER_ERR_BUSY.
 * On failure *out is untouched.
 */
PAGER_API int pager_cold_open(const pager_cold_options *opts, pager_cold **out) PAGER_NOEXCEPT;

/*
 * pager_cold_close -- releases the caller's reference to the pager. Live handles are not
 * affected: they stay readable until freed or taken, and the scratch directory goes with the
 * last of them (see "Lifetimes" above). NULL-safe. Must not run concurrently with another
 * call on c; c must not be used afterwards. Errors: none.
 */
PAGER_API void pager_cold_close(pager_cold *c) PAGER_NOEXCEPT;

/* One input piece; a handle's logical content is its chunks concatenated in order. */
typedef struct pager_cold_chunk {
  const void *data; /* may be NULL only when len == 0 */
  uint64_t len;
} pager_cold_chunk;

/* Frees a buffer the library adopted (pager_cold_pageout_owned). Called exactly once per
 * buffer with the ctx, data and len given for it, from whichever thread releases it. It must
 * not call back into libpager. */
typedef void (*pager_cold_free_fn)(void *ctx, void *data, uint64_t len);

/* A caller buffer whose ownership passes to the library (pager_cold_pageout_owned). */
typedef struct pager_cold_owned_chunk {
  void *data; /* may be NULL only when len == 0 */
  uint64_t len;
  pager_cold_free_fn free_fn; /* required */
  void *free_ctx;             /* passed back to free_fn unchanged */
} pager_cold_owned_chunk;

/* A byte range of a handle: [offset, offset + len). */
typedef struct pager_cold_range {
  uint64_t offset;
  uint64_t len;
} pager_cold_range;

typedef struct pager_cold_pageout_options {
  uint32_t struct_size; /* sizeof(pager_cold_pageout_options), set by _init */
  /* Non-zero: the file backend stores an XXH3-64 checksum of every chunk (in memory, with
   * the handle) and verifies each chunk a read touches in full; a mismatch is
   * PAGER_ERR_CORRUPT. Reads that cover part of a chunk then read the whole chunk. Default 0. */
  uint32_t checksums;
  /* Non-zero: if writing to scratch storage fails (an I/O error, a full disk, the scratch
   * directory removed after it was set), the bytes stay in memory and the handle is a swap
   * handle; the failure is counted in pager_cold_stats.fallback_count. Default 0: the pageout
   * fails. A file pageout without any scratch directory set is PAGER_ERR_INVALID either way. */
  uint32_t fallback_to_memory;
} pager_cold_pageout_options;

/*
 * pager_cold_pageout_options_init -- fills *opts with struct_size and the defaults (all 0).
 * NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_cold_pageout_options_init(pager_cold_pageout_options *opts) PAGER_NOEXCEPT;

/*
 * pager_cold_set_backend -- sets the pager's default backend, used by pager_cold_pageout and
 * by PAGER_COLD_BACKEND_DEFAULT. Existing handles keep theirs. Atomic; any thread.
 * Errors: PAGER_ERR_INVALID (c NULL; backend not SWAP or FILE).
 */
PAGER_API int pager_cold_set_backend(pager_cold *c, uint32_t backend) PAGER_NOEXCEPT;

/*
 * pager_cold_backend -- the pager's default backend (PAGER_COLD_BACKEND_SWAP or _FILE) into
 * *backend_out. Atomic; any thread.
 * Errors: PAGER_ERR_INVALID (c or backend_out NULL). On failure *backend_out is untouched.
 */
PAGER_API int pager_cold_backend(pager_cold *c, uint32_t *backend_out) PAGER_NOEXCEPT;

/*
 * pager_cold_set_scratch_dir -- configures where the pager's file backend keeps its data:
 * creates root if it is missing (mode 0755; its parent must exist), then a private directory
 * for this pager inside it (mode 0700) guarded by a lock file that the pager holds locked
 * until its directory is removed (pager_cold_close and its last handle gone, or the process
 * exits). Directories under root left by processes that died (their lock is free) are
 * removed; directories of live pagers -- in this process or another -- are never touched.
 * Two pagers may use the same root or two roots: each gets its own private directory.
 * Once per pager: a failure leaves nothing configured and may be retried (with any path);
 * calling again with the same root succeeds without doing anything; with another root it
 * fails with PAGER_ERR_EXISTS.
 * Ownership: root is only read during the call. Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (c NULL, NULL or empty root), PAGER_ERR_EXISTS (this pager's
 * directory is already under another root), PAGER_ERR_NOT_FOUND (root's parent missing),
 * PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_READONLY or PAGER_ERR_BUSY (could not create and
 * lock the directory), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_cold_set_scratch_dir(pager_cold *c, const char *root) PAGER_NOEXCEPT;

/*
 * pager_cold_scratch_dir -- the path of the pager's private scratch directory ("" before a
 * successful pager_cold_set_scratch_dir), as convention C7 says: copied NUL-terminated into
 * (buf, buf_len), truncated to fit; *len_out (may be NULL) receives its full length without
 * the NUL; buf may be NULL when buf_len is 0. *len_out >= buf_len means it was truncated.
 * Errors: PAGER_ERR_INVALID (c NULL; buf NULL with buf_len > 0). On failure neither buf nor
 * *len_out is written.
 */
PAGER_API int pager_cold_scratch_dir(pager_cold *c, char *buf, uint64_t buf_len,
                                     uint64_t *len_out) PAGER_NOEXCEPT;

/*
 * pager_cold_pageout -- copies the concatenation of chunks[0..count) out of the caller's
 * memory into a new handle on the pager's default backend. count == 0 or a total length of 0
 * gives an empty handle without any I/O (and without needing a scratch directory).
 * Ownership: chunks and their bytes are only read during the call; *out belongs to the caller
 * and is released with pager_cold_free or consumed by a take. It keeps c's state alive
 * ("Lifetimes" above).
 * Errors: PAGER_ERR_INVALID (c or out NULL; chunks NULL with count > 0; a count too large for
 * any list in memory; a chunk with NULL data and a non-zero length; the file backend without
 * a scratch directory), PAGER_ERR_TOO_LARGE (lengths total more than INT64_MAX),
 * PAGER_ERR_NOMEM, and for the file backend PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_NOT_FOUND
 * (scratch directory removed), PAGER_ERR_READONLY (scratch directory no longer writable);
 * with fallback_to_memory those four become a swap handle instead. On failure *out is
 * untouched.
 */
PAGER_API int pager_cold_pageout(pager_cold *c, const pager_cold_chunk *chunks, uint64_t count,
                                 pager_cold_handle **out) PAGER_NOEXCEPT;

/*
 * pager_cold_pageout_with -- pager_cold_pageout with an explicit backend (or
 * PAGER_COLD_BACKEND_DEFAULT) and options (NULL: defaults). Reads the default only once, so
 * concurrent pager_cold_set_backend calls do not race with it.
 * Errors: those of pager_cold_pageout; PAGER_ERR_INVALID also for an unknown backend or a
 * bad options struct (struct_size below the 0.2 size, or non-zero bytes past what this
 * library knows: convention C8). On failure *out is untouched.
 */
PAGER_API int pager_cold_pageout_with(pager_cold *c, uint32_t backend,
                                      const pager_cold_chunk *chunks, uint64_t count,
                                      const pager_cold_pageout_options *opts,
                                      pager_cold_handle **out) PAGER_NOEXCEPT;

/*
 * pager_cold_pageout_owned -- pages out caller buffers without copying them for the swap
 * backend: on success the library owns every chunks[i].data and calls
 * chunks[i].free_fn(free_ctx, data, len) exactly once for each -- for the file backend before
 * this call returns (the bytes are on scratch storage), for the swap backend when the handle
 * is freed or taken (pager_cold_take_buffer of a one-chunk handle hands the very buffer back).
 * Zero-length chunks are freed before the call returns. On failure no free_fn has been called,
 * the caller still owns every buffer and *out is untouched. The chunks array itself is only
 * read during the call.
 * Errors: those of pager_cold_pageout_with; PAGER_ERR_INVALID also for a NULL free_fn or two
 * non-empty chunks that share a byte (a buffer would be freed twice).
 */
PAGER_API int pager_cold_pageout_owned(pager_cold *c, uint32_t backend,
                                       const pager_cold_owned_chunk *chunks, uint64_t count,
                                       const pager_cold_pageout_options *opts,
                                       pager_cold_handle **out) PAGER_NOEXCEPT;

/*
 * pager_cold_read_at -- copies [offset, offset + dst_len) of the handle into dst.
 * dst_len == 0 reads nothing (dst may then be NULL) even if offset is past the end.
 * Thread safety: concurrent reads of one handle are allowed.
 * Errors: PAGER_ERR_INVALID (h NULL, dst NULL with dst_len > 0), PAGER_ERR_RANGE (past the
 * end, overflow-safe), PAGER_ERR_IO (a failed or short scratch read), PAGER_ERR_CORRUPT (a
 * chunk failed its checksum), PAGER_ERR_NOMEM. On an I/O or checksum error dst may hold part
 * of the bytes (it is the output buffer, not an out-parameter to keep); the handle is
 * unchanged.
 */
PAGER_API int pager_cold_read_at(const pager_cold_handle *h, uint64_t offset, void *dst,
                                 uint64_t dst_len) PAGER_NOEXCEPT;

/*
 * pager_cold_read_at_many -- copies each ranges[i] of the handle into dst, one after the
 * other in request order (range i lands after the bytes of ranges 0..i-1). dst holds dst_len
 * bytes, at least the sum of the lengths (a longer dst is fine). Zero-length ranges are
 * ignored. All ranges are checked before any byte is read; ranges adjacent in the handle (in
 * any request order) are read with one read.
 * Thread safety: concurrent reads of one handle are allowed.
 * Errors: PAGER_ERR_INVALID (h NULL; ranges NULL with count > 0; a count too large for any
 * list in memory; dst_len smaller than the total; dst NULL with a non-zero total),
 * PAGER_ERR_RANGE (a range past the end, named in the message), PAGER_ERR_OVERLAP (two ranges
 * share a byte; both are named), PAGER_ERR_IO, PAGER_ERR_CORRUPT, PAGER_ERR_NOMEM. On an I/O
 * or checksum error dst may hold part of the bytes.
 */
PAGER_API int pager_cold_read_at_many(const pager_cold_handle *h, const pager_cold_range *ranges,
                                      uint64_t count, void *dst,
                                      uint64_t dst_len) PAGER_NOEXCEPT;

/*
 * pager_cold_take -- copies the whole content into dst (dst_len >= pager_cold_len(h); a
 * longer dst is fine), then frees the handle and its storage. On success h is gone; on
 * failure h is unchanged and still owned by the caller (free it or try again).
 * Errors: PAGER_ERR_INVALID (h NULL, dst_len too small, dst NULL with a non-empty handle),
 * PAGER_ERR_IO, PAGER_ERR_CORRUPT, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_cold_take(pager_cold_handle *h, void *dst, uint64_t dst_len) PAGER_NOEXCEPT;

/*
 * pager_cold_take_buffer -- returns the whole content as a buffer the caller owns, then frees
 * the handle. A swap handle holding one buffer (a one-chunk pageout, or an owned pageout of
 * one non-empty chunk) hands that buffer over without copying: for an owned chunk,
 * pager_cold_buffer_data() is the caller's original pointer and pager_cold_buffer_free()
 * calls its free_fn. Otherwise the bytes are read into a new buffer.
 * On success h is gone and *out must be released with pager_cold_buffer_free (it does not
 * depend on the pager); on failure h is unchanged and *out untouched.
 * Errors: PAGER_ERR_INVALID (h or out NULL), PAGER_ERR_NOMEM, PAGER_ERR_IO,
 * PAGER_ERR_CORRUPT.
 */
PAGER_API int pager_cold_take_buffer(pager_cold_handle *h,
                                     pager_cold_buffer **out) PAGER_NOEXCEPT;

/* The bytes of a taken buffer (NULL for an empty one or a NULL buffer); valid until
 * pager_cold_buffer_free. Thread safety: any thread. Errors: none. */
PAGER_API void *pager_cold_buffer_data(const pager_cold_buffer *b) PAGER_NOEXCEPT;
/* The length of a taken buffer in bytes (0 for NULL). Errors: none. */
PAGER_API uint64_t pager_cold_buffer_len(const pager_cold_buffer *b) PAGER_NOEXCEPT;
/* Releases a taken buffer (calls the adopted buffer's free_fn, if any). NULL-safe.
 * Errors: none. */
PAGER_API void pager_cold_buffer_free(pager_cold_buffer *b) PAGER_NOEXCEPT;

/*
 * pager_cold_free -- releases the handle and its storage without reading it: memory is
 * freed (adopted buffers through their free_fn), scratch space is returned (its blocks
 * punched out of the scratch file, or the file truncated; up to 1 MiB of freed extents per
 * scratch file are kept for the next pageout of the same size instead). NULL-safe. A failure
 * to punch is counted in pager_cold_stats.release_error_count; the space is reused either
 * way. Freeing the last handle of a closed pager removes its scratch directory.
 * Thread safety: no other call on h may run concurrently. Errors: none.
 */
PAGER_API void pager_cold_free(pager_cold_handle *h) PAGER_NOEXCEPT;

/* pager_cold_len -- the handle's length in bytes (0 for NULL). Errors: none. */
PAGER_API uint64_t pager_cold_len(const pager_cold_handle *h) PAGER_NOEXCEPT;

/* pager_cold_backend_of -- PAGER_COLD_BACKEND_SWAP or _FILE for a handle (a file pageout that
 * fell back to memory is SWAP); PAGER_COLD_BACKEND_DEFAULT (0) for NULL. Errors: none. */
PAGER_API uint32_t pager_cold_backend_of(const pager_cold_handle *h) PAGER_NOEXCEPT;

/* Per-backend counters (nested in pager_cold_stats; pager_cold_stats_init sets its
 * struct_size). */
typedef struct pager_cold_backend_stats {
  uint32_t struct_size;       /* sizeof(pager_cold_backend_stats), set by pager_cold_stats_init */
  uint32_t reserved0;
  uint64_t live_handle_count; /* handles not yet freed or taken                            */
  uint64_t live_bytes;        /* their total length                                        */
  uint64_t pageout_count;     /* handles ever created                                      */
  uint64_t paged_out_bytes;   /* bytes ever paged out                                      */
  uint64_t paged_in_bytes;    /* bytes ever returned by reads and takes                    */
  uint64_t read_count;        /* storage reads: one per coalesced scratch read (file),
                                 one per contiguous copy (swap)                            */
} pager_cold_backend_stats;

/* The counters of one pager (pager_cold_get_stats). Prepare with pager_cold_stats_init. */
typedef struct pager_cold_stats {
  uint32_t struct_size; /* sizeof(pager_cold_stats), set by pager_cold_stats_init */
  uint32_t reserved0;
  pager_cold_backend_stats swap;
  pager_cold_backend_stats file;
  uint64_t scratch_allocated_bytes; /* scratch extents in use by handles (4 KiB granules)  */
  uint64_t scratch_file_bytes;      /* lengths of the scratch files (holes included)       */
  uint64_t scratch_file_count;      /* scratch files open                                  */
  uint64_t punch_count;             /* extents whose blocks were punched out               */
  uint64_t truncate_count;          /* frees that shortened a scratch file instead         */
  uint64_t fallback_count;          /* file pageouts kept in memory after a write failed   */
  uint64_t write_error_count;       /* failed scratch writes                               */
  uint64_t release_error_count;     /* failed punches/truncates (space is reused anyway)   */
  uint64_t checksum_failure_count;  /* chunks that failed verification                     */
  uint64_t stale_dir_removed_count; /* scratch directories of dead processes removed       */
  uint64_t scratch_retained_bytes;  /* freed extents kept for reuse, not yet punched: at
                                       most 1 MiB per scratch file (doc/cold-pager.md)     */
  uint64_t retained_extent_count;   /* frees that went to that reuse pool                  */
} pager_cold_stats;

/*
 * pager_cold_stats_init -- zeroes *stats and sets its struct_size and the struct_size of
 * both nested pager_cold_backend_stats. NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_cold_stats_init(pager_cold_stats *stats) PAGER_NOEXCEPT;

/*
 * pager_cold_get_stats -- fills *out with the pager's counters (convention C8 for result
 * structs): out->struct_size and each nested struct_size must be at least their 0.2 sizes
 * (call pager_cold_stats_init); at most struct_size bytes of each are written and each
 * struct_size is set to the number written. Counters of handles still live after
 * pager_cold_close are not visible here any more. Each counter is exact once the calls that
 * change it have returned. Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (c or out NULL; a struct_size below its 0.2 size). On failure
 * *out is untouched.
 */
PAGER_API int pager_cold_get_stats(pager_cold *c, pager_cold_stats *out) PAGER_NOEXCEPT;

/* What pager_cold_reap found for one scratch directory (the state of its lock file). */
enum {
  PAGER_COLD_SCRATCH_LIVE = 0,    /* its owner process is alive (it holds the lock): kept     */
  PAGER_COLD_SCRATCH_STALE = 1,   /* its owner is gone; left in place (remove was 0)          */
  PAGER_COLD_SCRATCH_REMOVED = 2, /* its owner was gone; directory and lock file removed      */
  PAGER_COLD_SCRATCH_FAILED = 3   /* its owner was gone, but it could not be removed (an entry
                                     the library did not create, or permission)              */
};

/* Called by pager_cold_reap for each scratch lock file "<root>/libpager-cold-<random>" (its
 * directory is the same path plus ".d"); lock_path is valid during the call only. A non-zero
 * return stops the scan. */
typedef int (*pager_cold_scratch_fn)(void *ctx, const char *lock_path, uint32_t state);

/*
 * pager_cold_reap -- finds the private scratch directories a file-backend cold pager made
 * under root (pager_cold_set_scratch_dir) and tells which belong to dead processes: an owner
 * holds an exclusive lock on its lock file for the life of the directory and the kernel
 * releases it when the process dies, whatever its pid became, so liveness is the lock, never
 * an age or a pid. With remove 1 the directories of dead owners are removed (their data
 * files, the directory, then the lock file); with remove 0 nothing is removed (each unowned
 * lock is taken for an instant and released). Entries are visited in name order; fn (may be
 * NULL) gets each with its PAGER_COLD_SCRATCH_* state. A live owner is never touched.
 * Thread safety: any thread; safe beside live cold pagers in any process.
 * Errors: PAGER_ERR_INVALID (NULL or empty root, remove not 0 or 1), PAGER_ERR_NOT_FOUND
 * (root missing), PAGER_ERR_READONLY (permission denied listing root), PAGER_ERR_IO,
 * PAGER_ERR_NOMEM, PAGER_ERR_CALLBACK (fn returned non-zero; its value is in the message).
 */
PAGER_API int pager_cold_reap(const char *root, uint32_t remove, pager_cold_scratch_fn fn,
                              void *ctx) PAGER_NOEXCEPT;

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
 * one at a time, never concurrently. Worker threads (options.threads) only hash, compress
 * and decompress -- and, when the adapter sets page_buffers, read pages into the engine
 * memory page_buffers handed out (until restore returns).
 */

/* Element types of the cache. Values are stable; new ones are appended. */
enum {
  PAGER_DTYPE_BF16 = 1,     /* 2 bytes per element */
  PAGER_DTYPE_F16 = 2,      /* 2 bytes per element */
  PAGER_DTYPE_F32 = 3,      /* 4 bytes per element */
  PAGER_DTYPE_FP8_E4M3 = 4  /* 1 byte per element  */
};

/* The geometry of a paged KV cache. One K page holds, for every layer, tokens_per_page tokens
 * of kv_heads x head_dim elements (layer-major); a V page has the same size.
 * Growable (C8): prepare it with pager_cache_meta_init. */
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
 * NULL-safe (does nothing). Clears the last error. Errors: none.
 */
PAGER_API void pager_cache_meta_init(pager_cache_meta *meta) PAGER_NOEXCEPT;

/*
 * pager_cache_meta_page_bytes -- the size of one K page and of one V page:
 * layers * tokens_per_page * kv_heads * head_dim * sizeof(dtype) each.
 * Outputs are written only on success.
 * Errors: PAGER_ERR_INVALID (NULL argument; meta->struct_size below 0.2's, or non-zero bytes
 * past the struct this library knows; a zero field, an unknown dtype, or a page larger than
 * 2^32 bytes -- the message names the field).
 * Thread safety: any thread.
 */
PAGER_API int pager_cache_meta_page_bytes(const pager_cache_meta *meta,
                                          uint64_t *k_page_bytes_out,
                                          uint64_t *v_page_bytes_out) PAGER_NOEXCEPT;

/* A logical sequence (one request): its id, the engine page slots holding its tokens in
 * order, and how many tokens the last page holds (0..tokens_per_page; 0 when it has no
 * pages). Pointers are borrowed: valid only during the call that passes them. Passed as an
 * array (install_logical_seqs), so its layout is fixed: it never grows. */
typedef struct pager_logical_seq {
  const char *id;         /* id bytes (need not be NUL-terminated; may contain NUL) */
  uint64_t id_bytes;      /* 1..65536                                                 */
  const uint32_t *pages;  /* page slots, in token order; may be NULL if page_count == 0 */
  uint64_t page_count;
  uint32_t fill_last_page;
  uint32_t reserved;      /* 0 */
} pager_logical_seq;

/* One piece of engine memory holding part of a page (page_buffers, restore). Passed as an
 * array, so its layout is fixed: it never grows. */
typedef struct pager_page_segment {
  void *data;     /* where the bytes go; not NULL                                      */
  uint64_t bytes; /* >= 1                                                               */
} pager_page_segment;

/* Where an adapter reports lists (occupied pages, sequences). The library owns it and its
 * storage; it is valid only during the callback that receives it. */
typedef struct pager_cache_sink pager_cache_sink;

/*
 * pager_cache_sink_add_pages -- reports count occupied page slots (call as often as needed).
 * pager_cache_sink_add_seq -- reports one logical sequence (the library copies everything).
 * Only valid inside the occupied_pages / logical_seqs callback that received the sink.
 * Thread safety: on the thread running that callback only.
 * Errors: PAGER_ERR_INVALID (NULL sink, NULL pointer with a non-zero length, id_bytes
 * outside 1..65536, a sink of the wrong kind), PAGER_ERR_TOO_LARGE (more than 2^32-1 pages
 * in total, or in one sequence), PAGER_ERR_NOMEM. A failed add also fails the enclosing
 * capture/restore with that error even if the callback then returns 0.
 */
PAGER_API int pager_cache_sink_add_pages(pager_cache_sink *sink, const uint32_t *pages,
                                         uint64_t count) PAGER_NOEXCEPT;
PAGER_API int pager_cache_sink_add_seq(pager_cache_sink *sink, const char *id, uint64_t id_bytes,
                                       const uint32_t *pages, uint64_t page_count,
                                       uint32_t fill_last_page) PAGER_NOEXCEPT;

/*
 * The engine adapter. Every callback returns 0 on success; any other value is the adapter's
 * own code: the operation stops with PAGER_ERR_CALLBACK and the detail message names the
 * callback and that code ("callback read_page(page 17) failed with adapter code -5").
 * A growable struct checked like an options struct (C8): zero it, set struct_size =
 * sizeof(pager_cache_ops), then the callbacks. struct_size below the 0.2 size, or a non-zero
 * byte past the struct this library knows (a callback it would not call), is
 * PAGER_ERR_INVALID. Every callback is required except the ones marked optional.
 * ctx is passed back to every callback unchanged. Buffers passed to callbacks are owned by
 * the library and valid only during the call; the adapter never frees anything the library
 * gave it.
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
  /* Allocate count free slots and write their indices into slots_out[0..count). */
  int (*allocate_pages)(void *ctx, uint32_t *slots_out, uint64_t count);
  /* Store a page into a slot that allocate_pages returned. */
  int (*write_page)(void *ctx, uint32_t page, const void *k, uint64_t k_bytes, const void *v,
                    uint64_t v_bytes);
  /* Install sequences (page lists already refer to the new slots). Called once. */
  int (*install_logical_seqs)(void *ctx, const pager_logical_seq *seqs, uint64_t count);
  /* Optional (may be NULL). Free slots that allocate_pages returned: called once, with every
   * slot of that allocate_pages call, when a restore fails after allocate_pages succeeded
   * (a damaged page found as it is read, a write_page or install_logical_seqs failure, a
   * progress error), before resume. Not
   * called when the restore refuses allocate_pages' own answer (a slot returned twice or one
   * that holds data: those slots are not trusted). See pager_snapshot_restore. */
  int (*release_pages)(void *ctx, const uint32_t *slots, uint64_t count);
  /* Optional (may be NULL; appended in 0.3). Zero-copy restore: where slot's bytes live in
   * engine memory, so restore reads the snapshot straight into them instead of calling
   * write_page. Write up to segment_capacity segments into segments_out and set
   * *segment_count_out to how many the page needs; the segments, concatenated in order, are
   * the page as write_page receives it (the K page's bytes, then the V page's; a segment
   * may span the K/V boundary). If *segment_count_out > segment_capacity (the first call
   * offers 2 * layers), only the count is read and the callback is called once more for
   * that slot with that capacity. Called for every slot allocate_pages returned, after
   * allocate_pages and before any page is read.
   * The memory must stay valid and untouched by the engine until pager_snapshot_restore
   * returns: the library writes it from its worker threads. Each segment is >= 1 byte and
   * not NULL, the total is k_page_bytes + v_page_bytes, and no byte belongs to two segments
   * of the restore (PAGER_ERR_INVALID, PAGER_ERR_OVERLAP otherwise). Each page is verified
   * in place (checksum; content hash of a compressed page) before restore goes on; a page
   * that fails is overwritten with zeros before release_pages, so no byte that failed
   * verification stays in engine memory. See pager_snapshot_restore. */
  int (*page_buffers)(void *ctx, uint32_t slot, pager_page_segment *segments_out,
                      uint64_t segment_capacity, uint64_t *segment_count_out);
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
  uint64_t copy_out_budget_bytes; /* capture: when every occupied page (K + V bytes) fits in
                              this many bytes, pages are copied into memory while the engine
                              is paused, the engine is resumed, and only then is the output
                              written. When they do not fit, the capture behaves as with 0.
                              0 (the default) = off: the engine stays paused while the pages
                              are written to the output.                                     */
} pager_snapshot_options;

/* pager_snapshot_options_init -- struct_size and the defaults (right for capture, restore and
 * verify). NULL-safe. Clears the last error. Errors: none. */
PAGER_API void pager_snapshot_options_init(pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_capture -- pause the engine, read its occupied pages and sequences, write
 * them as one snapshot file at path, resume. The file is written under a temporary name in
 * the same directory, fsynced, renamed over path, and the directory fsynced: a crash leaves
 * either the earlier file at path or the complete new one. The engine is resumed whatever
 * fails (the first error is returned).
 * How long the engine is paused: from pause until every page has been read AND written to
 * the output (header and pages; the tables, trailer, fsync and rename come after resume) --
 * so a slow disk or a slow capture_fd reader keeps the engine paused. With
 * opts->copy_out_budget_bytes >= (occupied pages x (k_page_bytes + v_page_bytes)) the pages
 * are copied into library memory under the pause instead (using up to that many bytes), the
 * engine is resumed, and the whole output is written after resume. That shortens the pause
 * when the output is slower than memory (a pipe or socket reader, a throttled disk); into a
 * file on an idle page cache it can lengthen it (the copy's fresh memory is faulted in while
 * paused): doc/snapshot.md has measurements.
 * With parent_path the snapshot is incremental: pages whose content hash (XXH3-128) appears
 * in the parent are stored as references; restoring it needs the parent chain.
 * Progress: bytes = the page bytes read from the engine; a non-zero return cancels: the
 * engine is resumed, the temporary file removed, path untouched.
 * Errors: PAGER_ERR_INVALID (NULL ops or path, an empty path or one naming no file, bad
 * options or options struct_size, a bad ops struct_size or non-zero unknown ops bytes, a
 * missing required callback, a bad meta, a sequence naming a page that occupied_pages did
 * not report, fill > tokens per page, a sink misused), PAGER_ERR_DUPLICATE (a page or a
 * sequence id reported twice), PAGER_ERR_CALLBACK, PAGER_ERR_CANCELLED, PAGER_ERR_IO,
 * PAGER_ERR_NOSPC, PAGER_ERR_NOMEM, PAGER_ERR_TOO_LARGE (more than 2^32-1 pages),
 * PAGER_ERR_NOT_FOUND (path's directory does not exist), PAGER_ERR_READONLY (no permission
 * to create a file there, or a read-only file system), and with parent_path the errors of
 * pager_snapshot_inspect for the parent plus PAGER_ERR_MISMATCH (the parent's geometry
 * differs); PAGER_ERR_INTERNAL (compression failed: a bug).
 * Thread safety: any thread; the adapter is called on the calling thread only.
 */
PAGER_API int pager_snapshot_capture(const pager_cache_ops *ops, const char *path,
                                     const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_capture_fd -- the same snapshot written sequentially to an open descriptor
 * (a pipe or a socket; a regular file is written from offset 0); no temporary file, no
 * rename. The descriptor stays open and owned by the caller; it is fsynced only if
 * opts->sync_fd. On failure a partial stream may have been written (the reader detects it:
 * no valid trailer). parent_path, if given, is stored as given and resolved by restore
 * relative to the directory of the file the stream ends up in (and by capture relative to
 * the current directory). A reader that drains the descriptor slowly keeps the engine paused
 * unless the pages fit in opts->copy_out_budget_bytes (see pager_snapshot_capture).
 * Errors: as pager_snapshot_capture, plus PAGER_ERR_INVALID for fd < 0.
 */
PAGER_API int pager_snapshot_capture_fd(const pager_cache_ops *ops, int fd,
                                        const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_restore -- verify the structure of the snapshot at path (header, trailer,
 * tables, and every parent of an incremental chain) before calling any callback; then compare
 * the geometry field by field (PAGER_ERR_MISMATCH naming the field and both values); pause;
 * refuse an engine that already holds pages unless allow_nonempty (PAGER_ERR_EXISTS; also
 * when a sequence id already exists in the engine); allocate_pages(n); read each page once,
 * verify it (checksum, and content hash if compressed) and only then write it into the slot
 * returned for it; install every sequence with its pages renamed to the new slots; resume
 * (always, once paused). The engine never receives a byte that failed or skipped
 * verification. A damaged page is PAGER_ERR_CORRUPT after allocate_pages: it takes the
 * failure path below (release_pages gets every slot, no sequence is installed), so the
 * engine ends as it began. To check a file completely without an engine:
 * pager_snapshot_verify.
 * With ops->page_buffers set (zero-copy), write_page is not called: after allocate_pages
 * the library asks page_buffers for every slot's segments, checks them, then reads each
 * page's stored bytes straight into them (a compressed page is decompressed into them) and
 * verifies it there; a page that fails verification is zeroed in place before the failure
 * path below, so engine memory never keeps a byte that failed verification, and the slots
 * only become part of a sequence once every page passed. With page_buffers NULL the bytes
 * go through a library buffer to write_page as before.
 * Progress: bytes = stored bytes read and verified plus page bytes written. Cancellation
 * is honoured until allocate_pages is called (the engine is then untouched apart from
 * pause/resume); after that the restore runs to completion (progress is still reported).
 * Failure after allocate_pages: no sequence is installed by the library, and release_pages
 * (if set) is called once with every slot allocate_pages returned, before resume, so the
 * engine holds what it held before. If release_pages is NULL, or fails (the detail message
 * then names it and its code after the first error, which is the one returned), the slots
 * stay allocated: the adapter must reclaim them itself. An engine whose install_logical_seqs
 * fails must not keep any sequence it installed in that call.
 * Errors: PAGER_ERR_INVALID (NULL ops or path, bad options, ops struct_size or unknown ops
 * bytes, a missing required callback, a sink misused), PAGER_ERR_NOT_FOUND (no file, or a
 * missing parent), PAGER_ERR_CORRUPT (any damaged byte, truncation, a parent whose id does
 * not match), PAGER_ERR_VERSION, PAGER_ERR_MISMATCH, PAGER_ERR_EXISTS, PAGER_ERR_CALLBACK,
 * PAGER_ERR_DUPLICATE (allocate_pages returned a slot twice, or occupied_pages reported one
 * twice), PAGER_ERR_OVERLAP (allocate_pages returned a slot that holds data, or two
 * page_buffers segments share a byte), PAGER_ERR_INVALID also for page_buffers segments
 * that are NULL, empty or do not add up to the page size (after allocate_pages: the
 * failure path below),
 * PAGER_ERR_TOO_LARGE (the engine reports more than 2^32-1 pages), PAGER_ERR_CANCELLED,
 * PAGER_ERR_IO, PAGER_ERR_READONLY (permission to read the file denied), PAGER_ERR_NOMEM.
 * Thread safety: any thread; the adapter is called on the calling thread only.
 */
PAGER_API int pager_snapshot_restore(const pager_cache_ops *ops, const char *path,
                                     const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/*
 * pager_snapshot_verify -- every check restore makes, without an engine: the structure and
 * every stored blob's checksum of the file and of its whole parent chain (also blobs that
 * restore would not read). Thread safety: any thread.
 * Errors: as restore's verification (PAGER_ERR_INVALID, NOT_FOUND, CORRUPT, VERSION,
 * CANCELLED, IO, READONLY (permission denied), NOMEM).
 */
PAGER_API int pager_snapshot_verify(const char *path,
                                    const pager_snapshot_options *opts) PAGER_NOEXCEPT;

/* What pager_snapshot_inspect reports. A result struct (C8) with a nested one (meta): prepare
 * both with pager_snapshot_info_init. */
typedef struct pager_snapshot_info {
  uint32_t struct_size;        /* set by pager_snapshot_info_init                            */
  uint32_t format_version;
  pager_cache_meta meta;       /* its own struct_size, also set by pager_snapshot_info_init  */
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

/* pager_snapshot_info_init -- struct_size and meta.struct_size, zeroes elsewhere. NULL-safe.
 * Clears the last error. Errors: none. */
PAGER_API void pager_snapshot_info_init(pager_snapshot_info *info) PAGER_NOEXCEPT;

/*
 * pager_snapshot_inspect -- geometry, counts and ids of the snapshot at path, without an
 * engine. Checks the header, trailer and tables (their checksums and bounds) but not the
 * page bytes (use pager_snapshot_verify). Writes min(info->struct_size, sizeof) bytes and
 * sets info->struct_size to that number; the nested info->meta is written the same way
 * within its own struct_size (min(meta.struct_size, sizeof(pager_cache_meta)) bytes).
 * Nothing is written on failure. Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (NULL argument, empty path, info->struct_size or
 * info->meta.struct_size below 0.2's), PAGER_ERR_NOT_FOUND, PAGER_ERR_CORRUPT,
 * PAGER_ERR_VERSION, PAGER_ERR_IO, PAGER_ERR_READONLY (permission denied), PAGER_ERR_NOMEM.
 */
PAGER_API int pager_snapshot_inspect(const char *path, pager_snapshot_info *info) PAGER_NOEXCEPT;

/* Page-table entry flags (pager_snapshot_page.flags). */
enum {
  PAGER_SNAPSHOT_PAGE_COMPRESSED = 1, /* the stored bytes are one zstd frame of K || V        */
  PAGER_SNAPSHOT_PAGE_IN_PARENT = 2   /* no bytes here: the parent chain holds the content    */
};

/* One entry of a snapshot's page table, as pager_snapshot_list passes it (read-only, valid
 * during the call). A result struct (C8): struct_size is the number of bytes the library
 * filled; read no field past it. */
typedef struct pager_snapshot_page {
  uint32_t struct_size;
  uint32_t engine_page;      /* the slot the page had in the captured engine (informative)   */
  uint32_t flags;            /* PAGER_SNAPSHOT_PAGE_*                                        */
  uint32_t reserved0;        /* 0                                                            */
  uint64_t index;            /* position in the page table (what sequences refer to)         */
  uint64_t offset_bytes;     /* file offset of the stored bytes (0 when in a parent)         */
  uint64_t stored_bytes;     /* length of the stored bytes (0 when in a parent)              */
  uint64_t stored_checksum;  /* XXH3-64 of the stored bytes (0 when in a parent)             */
  uint64_t content_hash_lo;  /* XXH3-128 of the uncompressed K page || V page: equal hashes  */
  uint64_t content_hash_hi;  /*   mean equal content, across snapshots too                   */
} pager_snapshot_page;

/* One sequence of a snapshot, as pager_snapshot_list passes it (read-only, valid during the
 * call). A result struct (C8) like pager_snapshot_page. */
typedef struct pager_snapshot_seq {
  uint32_t struct_size;
  uint32_t fill_last_page;   /* tokens in the sequence's last page                           */
  const char *id;            /* the sequence id's bytes (not NUL-terminated)                 */
  uint64_t id_bytes;
  const uint32_t *pages;     /* page-table positions of its pages, in order                  */
  uint64_t page_count;
} pager_snapshot_seq;

/* Callbacks of pager_snapshot_list; a non-zero return stops the listing. */
typedef int (*pager_snapshot_page_fn)(void *ctx, const pager_snapshot_page *page);
typedef int (*pager_snapshot_seq_fn)(void *ctx, const pager_snapshot_seq *seq);

/*
 * pager_snapshot_list -- the page table (every entry, in order, to page_fn) and then the
 * sequence table (every sequence, in order, to seq_fn) of the snapshot at path, after the
 * checks pager_snapshot_inspect makes (header, trailer, tables; not the page bytes). Either
 * callback may be NULL. Read-only; the parent chain is not opened (an entry in a parent says
 * PAGER_SNAPSHOT_PAGE_IN_PARENT and carries its content hash). Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (NULL or empty path), PAGER_ERR_NOT_FOUND, PAGER_ERR_CORRUPT,
 * PAGER_ERR_VERSION, PAGER_ERR_IO, PAGER_ERR_READONLY (permission denied), PAGER_ERR_NOMEM,
 * PAGER_ERR_CALLBACK (a callback returned non-zero; its value is in the message).
 */
PAGER_API int pager_snapshot_list(const char *path, pager_snapshot_page_fn page_fn,
                                  pager_snapshot_seq_fn seq_fn, void *ctx) PAGER_NOEXCEPT;

/*
 * Reference engine: an in-memory paged KV cache laid out like vLLM's (for each layer, one K
 * tensor and one V tensor of [capacity_pages][tokens_per_page][kv_heads][head_dim]), with
 * page slots that can be allocated and freed in any order, named sequences, and the
 * pager_cache_ops to snapshot it (release_pages included). Used by tests, examples and the
 * bindings' tests.
 * A handle may be used from several threads (calls are serialized). While paused by its ops,
 * the mutating functions below return PAGER_ERR_BUSY. Its callbacks return pager error codes
 * as adapter codes (e.g. allocate_pages returns PAGER_ERR_FULL when out of slots).
 */
typedef struct pager_refengine pager_refengine;

/*
 * pager_refengine_create -- an engine of capacity_pages slots (1..2^31), all free, zeroed.
 * Errors: PAGER_ERR_INVALID (NULL argument, bad meta -- as pager_cache_meta_page_bytes --,
 * capacity outside 1..2^31), PAGER_ERR_NOMEM, PAGER_ERR_TOO_LARGE (capacity * page bytes
 * above 2^46). *out (written only on success) is owned by the caller: pager_refengine_free.
 */
PAGER_API int pager_refengine_create(const pager_cache_meta *meta, uint32_t capacity_pages,
                                     pager_refengine **out) PAGER_NOEXCEPT;
/* pager_refengine_free -- NULL-safe. Must not be called while a capture/restore uses it, nor
 * concurrently with another call on it. Clears the last error. Errors: none. */
PAGER_API void pager_refengine_free(pager_refengine *engine) PAGER_NOEXCEPT;

/* pager_refengine_ops -- fills *ops_out with the engine's adapter (ctx = engine; every
 * callback set, release_pages and page_buffers included: restore reads straight into the
 * engine's tensors; set ops_out->page_buffers = NULL for the copying path through write_page): sizeof(pager_cache_ops) bytes. The ops stay valid
 * while the engine lives. Errors: PAGER_ERR_INVALID (NULL argument). */
PAGER_API int pager_refengine_ops(pager_refengine *engine, pager_cache_ops *ops_out) PAGER_NOEXCEPT;

/* pager_refengine_meta -- the engine's geometry into *meta_out, a result struct (C8:
 * prepare it with pager_cache_meta_init; min(struct_size, sizeof) bytes written).
 * Errors: PAGER_ERR_INVALID (NULL argument, meta_out->struct_size below 0.2's). */
PAGER_API int pager_refengine_meta(pager_refengine *engine,
                                   pager_cache_meta *meta_out) PAGER_NOEXCEPT;

/* pager_refengine_capacity_pages -- the number of slots the engine was created with.
 * Errors: PAGER_ERR_INVALID (NULL argument). */
PAGER_API int pager_refengine_capacity_pages(pager_refengine *engine,
                                             uint32_t *capacity_pages_out) PAGER_NOEXCEPT;

/* pager_refengine_alloc_page -- the lowest free slot, now occupied (zeroed).
 * Errors: PAGER_ERR_INVALID (NULL argument), PAGER_ERR_FULL, PAGER_ERR_BUSY (paused). */
PAGER_API int pager_refengine_alloc_page(pager_refengine *engine,
                                         uint32_t *slot_out) PAGER_NOEXCEPT;

/* pager_refengine_free_page -- frees an occupied slot (it must belong to no sequence).
 * Errors: PAGER_ERR_INVALID (NULL engine), PAGER_ERR_RANGE, PAGER_ERR_DOUBLE_FREE,
 * PAGER_ERR_BUSY (paused, or used by a sequence -- the message says which). */
PAGER_API int pager_refengine_free_page(pager_refengine *engine, uint32_t slot) PAGER_NOEXCEPT;

/* pager_refengine_write_page / read_page -- page contents in the adapter's layout (layer-major
 * K page, V page); k_bytes and v_bytes must each be exactly the meta's page bytes (C6).
 * read_page writes k and v only on success.
 * Errors: PAGER_ERR_INVALID (NULL argument, a length that is not the page size),
 * PAGER_ERR_RANGE (slot >= capacity), PAGER_ERR_NOT_FOUND (slot free), PAGER_ERR_BUSY (write
 * while paused), PAGER_ERR_NOMEM (read_page copies through a library buffer). */
PAGER_API int pager_refengine_write_page(pager_refengine *engine, uint32_t slot, const void *k,
                                         uint64_t k_bytes, const void *v,
                                         uint64_t v_bytes) PAGER_NOEXCEPT;
PAGER_API int pager_refengine_read_page(pager_refengine *engine, uint32_t slot, void *k,
                                        uint64_t k_bytes, void *v,
                                        uint64_t v_bytes) PAGER_NOEXCEPT;

/* pager_refengine_set_seq -- adds or replaces the sequence id with the given occupied pages.
 * Errors: PAGER_ERR_INVALID (NULL engine or id, id_bytes outside 1..65536, NULL pages with
 * page_count > 0, a page_count that cannot fit in memory, fill > tokens_per_page or fill
 * without pages), PAGER_ERR_RANGE (a page >= capacity), PAGER_ERR_NOT_FOUND (a free page),
 * PAGER_ERR_BUSY (paused), PAGER_ERR_NOMEM. */
PAGER_API int pager_refengine_set_seq(pager_refengine *engine, const char *id, uint64_t id_bytes,
                                      const uint32_t *pages, uint64_t page_count,
                                      uint32_t fill_last_page) PAGER_NOEXCEPT;
/* pager_refengine_remove_seq -- Errors: PAGER_ERR_INVALID (NULL engine or id, id_bytes
 * outside 1..65536), PAGER_ERR_NOT_FOUND, PAGER_ERR_BUSY (paused). */
PAGER_API int pager_refengine_remove_seq(pager_refengine *engine, const char *id,
                                         uint64_t id_bytes) PAGER_NOEXCEPT;

/* pager_refengine_get_seq -- the pages of sequence id: *page_count_out is set to its length
 * and the pages are copied into seq_pages_out[0..length). seq_pages_capacity 0
 * (seq_pages_out may then be NULL) only reports the length (and fill); a non-zero
 * seq_pages_capacity below the length is PAGER_ERR_INVALID (C6). fill_last_page_out may be NULL. Nothing is written on failure.
 * Errors: PAGER_ERR_INVALID (NULL engine, id or page_count_out, id_bytes outside 1..65536,
 * NULL seq_pages_out with a non-zero capacity, capacity too small), PAGER_ERR_NOT_FOUND,
 * PAGER_ERR_NOMEM. */
PAGER_API int pager_refengine_get_seq(pager_refengine *engine, const char *id, uint64_t id_bytes,
                                      uint32_t *seq_pages_out, uint64_t seq_pages_capacity,
                                      uint64_t *page_count_out,
                                      uint32_t *fill_last_page_out) PAGER_NOEXCEPT;

/* Statistics of a reference engine (a result struct, C8). */
typedef struct pager_refengine_stats {
  uint32_t struct_size;    /* set by pager_refengine_stats_init                  */
  uint32_t paused;         /* 1 while paused by its ops (between pause and resume) */
  uint64_t occupied_pages; /* slots holding data                                  */
  uint64_t seq_count;      /* live sequences                                      */
} pager_refengine_stats;

/* pager_refengine_stats_init -- struct_size, zeroes elsewhere. NULL-safe. Clears the last
 * error. Errors: none. */
PAGER_API void pager_refengine_stats_init(pager_refengine_stats *stats) PAGER_NOEXCEPT;

/* pager_refengine_get_stats -- occupied slots, sequences, and whether the engine is paused.
 * Writes min(out->struct_size, sizeof) bytes and sets out->struct_size to that number.
 * Errors: PAGER_ERR_INVALID (NULL argument, out->struct_size below 0.2's). */
PAGER_API int pager_refengine_get_stats(pager_refengine *engine,
                                        pager_refengine_stats *out) PAGER_NOEXCEPT;

/* pager_refengine_fingerprint -- XXH3-64 over the logical content: every sequence in id order
 * (its id, fill, and the bytes of its pages in order), independent of which slots hold them.
 * Two engines holding the same sequences with the same page contents have the same value.
 * Errors: PAGER_ERR_INVALID (NULL argument), PAGER_ERR_NOMEM. */
PAGER_API int pager_refengine_fingerprint(pager_refengine *engine,
                                          uint64_t *fingerprint_out) PAGER_NOEXCEPT;

/* pager_refengine_fail_callback -- fault injection for tests: the next call (after skip
 * successful calls) of the callback named name ("meta", "pause", "resume", "occupied_pages",
 * "logical_seqs", "read_page", "allocate_pages", "write_page", "install_logical_seqs",
 * "release_pages", "page_buffers") returns adapter_code (non-zero) instead of running, once. name NULL
 * clears it. Errors: PAGER_ERR_INVALID (NULL engine, unknown name, adapter_code 0). */
PAGER_API int pager_refengine_fail_callback(pager_refengine *engine, const char *name,
                                            uint32_t skip, int adapter_code) PAGER_NOEXCEPT;

/* ======================================================================================
 * Format detection and verification (pager_format_detect, pager_*_check)
 * ====================================================================================== */

/* (section: check) */
/*
 * Looking into a file without writing a program (what tools/pagerctl prints). Every check is
 * read-only: it opens what it reads without write access, takes only a shared lock where the
 * component has one, runs no recovery that writes, no checkpoint, and creates no file
 * (no sidecar, no lock file). It reuses the component's own readers and open-time recovery,
 * so it accepts exactly what the library accepts.
 *
 * A check returns PAGER_OK when it could tell: the verdict is report->damage_code (PAGER_OK:
 * clean; PAGER_ERR_CORRUPT: damaged, with where and which rule). It returns an error code,
 * writing nothing, when it could not tell: the path is missing (NOT_FOUND), locked by a
 * writer (BUSY), of a format version this build does not know (VERSION), unreadable (IO,
 * READONLY for permission denied), or not of the function's format (INVALID).
 *
 * The leftovers a crash leaves and that recovery discards by design are not damage: an
 * uncommitted WAL tail, a torn last record of a WAL segment, bitmap or directory copies newer
 * than the page file's meta. report->interrupted says such leftovers were found.
 */

/* What pager_format_detect finds (by the magic at the start of the file). */
enum {
  PAGER_FORMAT_UNKNOWN = 0,        /* not a libpager file (or an empty one)                   */
  PAGER_FORMAT_FILE = 1,           /* a page file (pager_file_)                               */
  PAGER_FORMAT_WAL_MAIN = 2,       /* a WAL pager's main file (pager_wal_)                    */
  PAGER_FORMAT_WAL_LOG = 3,        /* a WAL pager's "<main>-wal" sidecar                      */
  PAGER_FORMAT_WALSEG_SEGMENT = 4, /* one WAL segment file (pager_walseg_)                    */
  PAGER_FORMAT_WALSEG_DIR = 5,     /* a directory holding WAL segment files                   */
  PAGER_FORMAT_SNAPSHOT = 6,       /* a KV-cache snapshot (pager_snapshot_)                   */
  PAGER_FORMAT_WAL_SHM = 7,        /* a WAL pager's "<main>-shm" shared index (a cache of the
                                      WAL, rebuilt whenever it cannot be believed)            */
  PAGER_FORMAT_FILE_JOURNAL = 8    /* a page file's "<main>-journal" (format version 2; since
                                      0.3.0; checked with its page file)                      */
};

/* pager_check_report.index_state: the WAL pager's shared index "<main>-shm" as a check
 * found it. Never damage: the index is a cache that every open verifies and rebuilds. */
enum {
  PAGER_WAL_INDEX_NONE = 0,    /* no -shm file (no handle attached since it was removed)     */
  PAGER_WAL_INDEX_CURRENT = 1, /* its header is intact and describes the WAL as scanned      */
  PAGER_WAL_INDEX_STALE = 2    /* garbled, of another file or version, or behind the WAL: the
                                  next open rebuilds it                                      */
};

/*
 * pager_format_detect -- which libpager format the file (or directory) at path holds, by its
 * magic: the first 8 bytes (page file, WAL main file -- either header copy --, WAL sidecar,
 * WAL shared index, snapshot, page file journal), the first record's magic (a WAL segment; an empty file with a
 * segment name counts as one), or, for a directory, at least one segment-named file in it. A
 * file named "<main>-wal" or "<main>-shm" whose main file is a WAL pager's is its sidecar or
 * index whatever its bytes (a truncated sidecar is empty; an index is never synced, so a crash
 * can leave it empty or garbled). A file named "<main>-journal" whose main file is a page
 * file is its journal whatever its bytes (a clean close zeroes its head); one beginning with
 * a journal batch's magic is one whatever its name. Anything else, an empty file included, is
 * PAGER_FORMAT_UNKNOWN with PAGER_OK. Reads at most 264 bytes;
 * never writes. Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (NULL argument, empty path), PAGER_ERR_NOT_FOUND,
 * PAGER_ERR_READONLY (permission denied), PAGER_ERR_IO, PAGER_ERR_NOMEM.
 */
PAGER_API int pager_format_detect(const char *path, uint32_t *format_out) PAGER_NOEXCEPT;

/* What a check found. A result struct (C8): prepare it with pager_check_report_init.
 * Fields a format does not have stay 0. Text fields are NUL-terminated (truncated to fit). */
typedef struct pager_check_report {
  uint32_t struct_size;      /* set by pager_check_report_init                              */
  uint32_t format;           /* PAGER_FORMAT_*                                              */
  uint32_t format_version;   /* from the file's header or first record                      */
  uint32_t page_size;        /* bytes (page file, WAL pager)                                */
  uint64_t file_bytes;       /* the file; WAL pager: main + sidecar; directory: all segments */
  uint64_t generation;       /* page file: meta generation; WAL pager: the main header's
                                checkpoint sequence; snapshot: its id                       */
  uint64_t page_count;       /* page file: page space; WAL pager: committed pages (page 0
                                included); snapshot: pages it restores                      */
  uint64_t free_page_count;  /* page file: pages free in the page space                     */
  uint64_t protected_count;  /* page file: protected pages in use                           */
  uint64_t frame_count;      /* WAL pager: committed frames in the sidecar                  */
  uint64_t record_count;     /* WAL segments: valid records; snapshot: sequences            */
  uint64_t segment_count;    /* WAL segments: segment files                                 */
  uint64_t first_lsn;        /* WAL segments: LSN of the first valid record (0: none)       */
  uint64_t last_lsn;         /* WAL segments: LSN of the last valid record (0: none)        */
  uint32_t interrupted;      /* 1: leftovers of an interrupted write were found (not damage);
                                with damage_code PAGER_OK the damage_* fields below then
                                describe the first of them                                   */
  int32_t damage_code;       /* PAGER_OK: clean; PAGER_ERR_CORRUPT: damaged                 */
  uint64_t damage_offset;    /* byte offset of the first damage in damage_file;
                                UINT64_MAX when the check cannot name one byte; 0 and
                                damage_file "" when there is nothing to describe            */
  char damage_file[256];     /* the file holding the damage ("" when clean)                 */
  char damage_rule[64];      /* the format doc's rule that failed ("superblock", "meta",
                                "state", "wal-header", "frame", "record", "lsn", ...)       */
  char damage_detail[512];   /* what failed, expected and found                             */
  /* Since 0.3.0 (struct_size tells whether the library wrote them): */
  uint32_t index_state;      /* WAL pager: PAGER_WAL_INDEX_* of "<main>-shm"                */
  uint32_t index_readers;    /* WAL pager: read marks in the index held by live handles     */
  uint64_t journal_bytes;    /* page file of format version 2: its "<main>-journal" file's
                                size (0: none)                                              */
  uint64_t journal_batches;  /* page file of format version 2: committed batches of the
                                journal not yet applied to the file (a read-write open
                                applies them; doc/format/page-journal.md)                   */
  uint64_t journal_pages;    /* page images in those batches                                */
} pager_check_report;

/* pager_check_report_init -- struct_size, zeroes elsewhere. NULL-safe. Clears the last
 * error. Errors: none. */
PAGER_API void pager_check_report_init(pager_check_report *report) PAGER_NOEXCEPT;

/*
 * pager_file_check, pager_wal_check, pager_walseg_check, pager_snapshot_check -- every
 * checksum and invariant of the format, as the component's own open and recovery check them
 * (pager_file_open's recovery with its state verification; pager_wal_open's header choice and
 * WAL scan; the WAL segment reader and the log replay across segments; pager_snapshot_verify
 * and pager_snapshot_inspect), plus the file's header, sizes and counts, into *report.
 * pager_wal_check takes the main file's path (or the sidecar's or the index's: its "-wal" or
 * "-shm" is dropped) and checks both files; pager_file_check likewise takes a page file's
 * "-journal" (dropped) and reports its journal (journal_bytes, journal_batches,
 * journal_pages); it also reports the shared index (index_state,
 * index_readers; a stale index is not damage: the next open rebuilds it). pager_walseg_check takes one segment file or a directory of segments.
 * What a crash leaves and recovery discards is not damage: pager_file_check reports the meta
 * slot recovery did not use as interrupted (report->interrupted, rule "meta", its offset) when
 * an interrupted commit of the next generation (or an interrupted epoch commit, or a torn write
 * of either) can leave those bytes, and as damage when no crash can (an older meta failing
 * its checksum, a generation far past the recovered one, a checksum-valid page contradicting
 * the superblock, garbage); doc/format/page-file.md, "What check reports", lists every case,
 * including the one the bytes cannot decide (reported interrupted, as recovery treats it).
 * Read-only (see the section comment). Writes min(report->struct_size, sizeof) bytes and sets
 * report->struct_size to that number; nothing is written on failure.
 * Thread safety: any thread.
 * Errors: PAGER_ERR_INVALID (NULL argument, empty path, report->struct_size below its first
 * version's, a file of another format), PAGER_ERR_NOT_FOUND, PAGER_ERR_BUSY (a writer holds
 * the lock), PAGER_ERR_VERSION, PAGER_ERR_READONLY (permission denied), PAGER_ERR_IO,
 * PAGER_ERR_NOMEM.
 */
PAGER_API int pager_file_check(const char *path, pager_check_report *report) PAGER_NOEXCEPT;
PAGER_API int pager_wal_check(const char *path, pager_check_report *report) PAGER_NOEXCEPT;
PAGER_API int pager_walseg_check(const char *path, pager_check_report *report) PAGER_NOEXCEPT;
PAGER_API int pager_snapshot_check(const char *path, pager_check_report *report) PAGER_NOEXCEPT;

PAGER_EXTERN_C_END

#endif /* PAGER_H */
