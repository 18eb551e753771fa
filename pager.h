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
/*
 * A pager_file is a file of fixed-size pages mapped into memory. Page 0 holds the
 * superblock, pages 1 and 2 the A/B metadata; the allocation bitmap (any size, up to 2^32
 * pages and beyond) and the protected-page directory live in "shadowed" internal pages. Every
 * alloc/free (single or bulk) is one crash-safe commit with one durable flush (fdatasync):
 * after a crash the file opens at the last committed state or the one before it. Format and
 * protocol: doc/format/page-file.md.
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
 * must still be freed with their own free/close function.
 */
typedef struct pager_file pager_file;
typedef struct pager_file_iter pager_file_iter;
typedef struct pager_file_txn pager_file_txn;
typedef struct pager_file_subpages pager_file_subpages;

typedef struct pager_file_options {
  uint32_t struct_size;         /* sizeof(pager_file_options), set by _init                    */
  uint32_t page_size;           /* create: bytes per page, a power of two in [1024, 65536]
                                   (default 4096). open: the page size the caller expects;
                                   0 (the default for open) accepts the file's.              */
  uint64_t max_size_bytes;      /* address space reserved for the mapping; the file never grows
                                   past it (default 2^40 = 1 TiB)                             */
  int64_t lock_timeout_ms;      /* 0 (default): PAGER_ERR_BUSY at once if another process holds
                                   a conflicting lock; > 0: wait up to this long; -1: forever  */
  uint64_t initial_page_count;  /* create: pages in the first page space (default 64)         */
  uint32_t read_only;           /* open: 1 = read-only (shared lock, mutations refused)       */
  uint32_t reserved;            /* must be 0                                                  */
} pager_file_options;

/*
 * pager_file_options_init -- fills *opts with struct_size and the defaults above
 * (page_size 4096 for create; pager_file_open treats any page_size as "expected").
 * NULL-safe (does nothing). Errors: none.
 */
PAGER_API void pager_file_options_init(pager_file_options *opts) PAGER_NOEXCEPT;

/*
 * pager_file_create -- creates a new page file at path (fails if it exists), takes the
 * exclusive lock, writes the superblock and the first metadata, syncs the file and its
 * directory, and returns a read-write handle in *out. opts may be NULL (defaults).
 * Errors: INVALID (NULL path/out, bad page size, bad options struct), EXISTS (path exists),
 * TOO_LARGE (initial space exceeds max_size_bytes), BUSY, IO, NOSPC, NOMEM (also when
 * max_size_bytes of address space cannot be reserved: a ulimit -v, or ThreadSanitizer, which
 * cannot map 1 TiB -- lower max_size_bytes), NOT_FOUND (no such directory), READONLY
 * (permission). On failure a partly created file may remain; it
 * is not a valid page file (open reports CORRUPT) and the caller may delete it.
 * Ownership: *out is released with pager_file_close().
 */
PAGER_API int pager_file_create(const char *path, const pager_file_options *opts,
                                pager_file **out) PAGER_NOEXCEPT;

/*
 * pager_file_open -- opens an existing page file: read-write with an exclusive lock (one
 * read-write opener per file across processes), or read-only (opts->read_only = 1) with a
 * shared lock (many readers, no writer). Recovery picks the newest metadata copy whose whole
 * state verifies (bitmap copies, directory entries and protected contents) and falls back to
 * the other copy otherwise. A read-write open then makes one durable "epoch" commit (one
 * fdatasync). A read-only handle sees the state as of its open.
 * Errors: INVALID, NOT_FOUND, BUSY (lock held; after lock_timeout_ms if > 0), PAGE_SIZE
 * (opts->page_size != 0 and differs from the file's), CORRUPT (no consistent state; the
 * message says why for each metadata copy), VERSION, TOO_LARGE (file larger than
 * max_size_bytes), IO, NOMEM (as for create), READONLY (no write permission for a read-write
 * open).
 */
PAGER_API int pager_file_open(const char *path, const pager_file_options *opts,
                              pager_file **out) PAGER_NOEXCEPT;

/*
 * pager_file_close -- unmaps, unlocks and closes. Every commit is already durable, so close
 * writes nothing. Page pointers become invalid. NULL-safe. Errors: none.
 * Not to be called concurrently with other calls on the same handle.
 */
PAGER_API void pager_file_close(pager_file *f) PAGER_NOEXCEPT;

/*
 * pager_file_page_size / page_count / free_page_count / protected_count -- the page size in
 * bytes; the pages in the page space (the file grows it as needed); the free pages in it;
 * the protected pages in use. Errors: INVALID (NULL, closed).
 */
PAGER_API int pager_file_page_size(pager_file *f, uint32_t *out) PAGER_NOEXCEPT;
PAGER_API int pager_file_page_count(pager_file *f, uint64_t *out) PAGER_NOEXCEPT;
PAGER_API int pager_file_free_page_count(pager_file *f, uint64_t *out) PAGER_NOEXCEPT;
PAGER_API int pager_file_protected_count(pager_file *f, uint64_t *out) PAGER_NOEXCEPT;

/*
 * pager_file_alloc -- allocates one page (the lowest free one, growing the page space if
 * none is free), reserves its disk blocks (fallocate: a full disk is NOSPC, never SIGBUS)
 * and commits. The page's bytes are unspecified (a reused page keeps old bytes).
 * Errors: INVALID, READONLY, POISONED, NOSPC, FULL (max_size_bytes reached), IO, NOMEM.
 * An IO error during the commit poisons the handle.
 */
PAGER_API int pager_file_alloc(pager_file *f, uint64_t *page_id_out) PAGER_NOEXCEPT;

/*
 * pager_file_alloc_bulk -- allocates count pages in one commit, all or nothing; writes
 * their ids to page_ids_out[0..count) (caller-provided). count 0 does nothing.
 * Errors: as pager_file_alloc. On error no page is allocated and page_ids_out is untouched.
 */
PAGER_API int pager_file_alloc_bulk(pager_file *f, size_t count,
                                    uint64_t *page_ids_out) PAGER_NOEXCEPT;

/*
 * pager_file_free -- frees an allocated regular page and commits. Pointers to it become
 * dangling (the bytes stay mapped, but the page may be handed out again).
 * Errors: INVALID, READONLY, POISONED, RANGE (past the page space), RESERVED (page 0..2, an
 * internal page, or a protected page's backing page), DOUBLE_FREE (not allocated), IO.
 */
PAGER_API int pager_file_free(pager_file *f, uint64_t page_id) PAGER_NOEXCEPT;

/*
 * pager_file_free_bulk -- frees count pages in one commit. Every id is validated first (in
 * list order): RANGE, RESERVED, DOUBLE_FREE as for pager_file_free, DUPLICATE if an id
 * appears twice; on any error nothing changes and the message names the list position and
 * the offending id. Errors: those, plus INVALID (NULL ids with count > 0), READONLY,
 * POISONED, IO.
 */
PAGER_API int pager_file_free_bulk(pager_file *f, const uint64_t *page_ids,
                                   size_t count) PAGER_NOEXCEPT;

/*
 * pager_file_grow -- grows the page space to at least page_count pages (sparse: blocks are
 * reserved only when pages are handed out) and commits. Smaller counts do nothing.
 * Errors: INVALID, READONLY, POISONED, FULL (past max_size_bytes), NOSPC, IO.
 */
PAGER_API int pager_file_grow(pager_file *f, uint64_t page_count) PAGER_NOEXCEPT;

/*
 * pager_file_page / pager_file_page_const -- a pointer to an allocated regular page's
 * page_size mapped bytes (writable, or read-only; the writable form needs a read-write
 * handle). The pointer stays valid while the file grows, until the page is freed or the file
 * closed. Writes through it reach the disk when the kernel writes them back, or durably with
 * pager_file_sync_pages().
 * Errors: INVALID, READONLY (writable form on a read-only handle), RANGE, RESERVED,
 * NOT_FOUND (not allocated).
 */
PAGER_API int pager_file_page(pager_file *f, uint64_t page_id, void **data_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_page_const(pager_file *f, uint64_t page_id,
                                    const void **data_out) PAGER_NOEXCEPT;

/*
 * pager_file_sync_pages -- makes the bytes of the listed allocated pages durable (msync of
 * coalesced runs). A failure is never retried: it poisons the handle.
 * Errors: INVALID, READONLY, POISONED, RANGE, RESERVED, NOT_FOUND, IO.
 */
PAGER_API int pager_file_sync_pages(pager_file *f, const uint64_t *page_ids,
                                    size_t count) PAGER_NOEXCEPT;

/*
 * Protected pages: page_size bytes that change only through a write transaction whose commit
 * is crash-safe: after any crash a protected page reads as its old or its new content, never a
 * mix. Each uses two backing pages and a directory entry, all verified on open.
 *
 * pager_file_protected_alloc / _alloc_bulk -- allocates protected pages (content: zeros) in
 * one commit, all or nothing. Ids go to *id_out / ids_out[0..count).
 * Errors: INVALID, READONLY, POISONED, NOSPC, FULL (directory full or max_size_bytes), IO.
 */
PAGER_API int pager_file_protected_alloc(pager_file *f, uint64_t *id_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_protected_alloc_bulk(pager_file *f, size_t count,
                                              uint64_t *ids_out) PAGER_NOEXCEPT;

/*
 * pager_file_protected_free / _free_bulk -- frees protected pages (and their backing pages)
 * in one commit. Ids are validated first: RANGE (0 or outside the directory), DOUBLE_FREE
 * (not allocated), DUPLICATE, BUSY (an open transaction); on error nothing changes.
 * Errors: those, plus INVALID, READONLY, POISONED, IO.
 */
PAGER_API int pager_file_protected_free(pager_file *f, uint64_t id) PAGER_NOEXCEPT;
PAGER_API int pager_file_protected_free_bulk(pager_file *f, const uint64_t *ids,
                                             size_t count) PAGER_NOEXCEPT;

/*
 * pager_file_protected_read -- copies the committed content (page_size bytes) into buf,
 * which must hold at least page_size bytes (buf_len). Errors: INVALID (NULL, buf_len too
 * small), RANGE, NOT_FOUND (not allocated).
 */
PAGER_API int pager_file_protected_read(pager_file *f, uint64_t id, void *buf,
                                        size_t buf_len) PAGER_NOEXCEPT;

/*
 * pager_file_protected_begin -- starts a write transaction on a protected page: a private,
 * writable copy of its content (see pager_file_txn_data). At most one open transaction per
 * protected page. Errors: INVALID, READONLY, POISONED, RANGE, NOT_FOUND, BUSY (another open
 * transaction on this page), NOMEM. Ownership: free *txn_out with pager_file_txn_free().
 */
PAGER_API int pager_file_protected_begin(pager_file *f, uint64_t id,
                                         pager_file_txn **txn_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_data -- the transaction's writable copy (page_size bytes), valid until
 * pager_file_txn_free(). Errors: INVALID (NULL, transaction already ended).
 */
PAGER_API int pager_file_txn_data(pager_file_txn *txn, void **data_out) PAGER_NOEXCEPT;

/*
 * pager_file_txn_commit -- makes the copy the protected page's content: writes it to the
 * inactive backing page, flips the directory entry and commits with one fdatasync. Ends the
 * transaction whether it succeeds or not (free it afterwards).
 * Errors: INVALID (NULL, already ended, file closed), READONLY, POISONED, IO (poisons).
 */
PAGER_API int pager_file_txn_commit(pager_file_txn *txn) PAGER_NOEXCEPT;

/*
 * pager_file_txn_free -- ends the transaction if still open (abort: nothing is written) and
 * frees it. NULL-safe. Errors: none.
 */
PAGER_API void pager_file_txn_free(pager_file_txn *txn) PAGER_NOEXCEPT;

/*
 * Iterators: cursors over allocated regular pages (internal pages never appear) or over
 * protected page ids, in increasing order. An iterator sees the state as it is at each next
 * call: ids below the cursor are not revisited; pages allocated beyond it appear.
 *
 * pager_file_iter_pages / pager_file_iter_protected -- a cursor at the start.
 * Errors: INVALID, NOMEM. Ownership: free with pager_file_iter_free().
 */
PAGER_API int pager_file_iter_pages(pager_file *f, pager_file_iter **it_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_iter_protected(pager_file *f, pager_file_iter **it_out) PAGER_NOEXCEPT;

/*
 * pager_file_iter_next -- advances: *found_out = 1 and *id_out = the next id, or
 * *found_out = 0 (and *id_out untouched) at the end. Errors: INVALID (NULL, file closed).
 */
PAGER_API int pager_file_iter_next(pager_file_iter *it, uint64_t *id_out,
                                   uint32_t *found_out) PAGER_NOEXCEPT;

/* pager_file_iter_free -- NULL-safe. Errors: none. */
PAGER_API void pager_file_iter_free(pager_file_iter *it) PAGER_NOEXCEPT;

/*
 * Sub-page allocator: splits regular pages of a file into 2..64 power-of-two slots of
 * sub_page_size bytes. Its state is in memory only: after a restart, rebuild it with
 * pager_file_subpage_mark_used() from your own records. Parent pages come from (and return
 * to, when empty) the file with ordinary commits. A sub-page id is parent_page * 64 + slot.
 *
 * pager_file_subpages_create -- sub_page_size must be a power of two with
 * page_size / sub_page_size in [1, 64]. Errors: INVALID, NOMEM.
 * Ownership: close with pager_file_subpages_close().
 */
PAGER_API int pager_file_subpages_create(pager_file *f, uint32_t sub_page_size,
                                         pager_file_subpages **out) PAGER_NOEXCEPT;
/* pager_file_subpages_close -- frees the allocator (the file keeps its pages). NULL-safe. */
PAGER_API void pager_file_subpages_close(pager_file_subpages *s) PAGER_NOEXCEPT;

/*
 * pager_file_subpage_alloc / _alloc_bulk -- allocates sub-pages (all or nothing), taking new
 * parent pages from the file in one commit when needed.
 * Errors: INVALID, READONLY, POISONED, NOSPC, FULL, IO, NOMEM.
 */
PAGER_API int pager_file_subpage_alloc(pager_file_subpages *s, uint64_t *id_out) PAGER_NOEXCEPT;
PAGER_API int pager_file_subpage_alloc_bulk(pager_file_subpages *s, size_t count,
                                            uint64_t *ids_out) PAGER_NOEXCEPT;

/*
 * pager_file_subpage_free / _free_bulk -- frees sub-pages, all or nothing, validating every id
 * first: RESERVED (parent is page 0..2 or internal), RANGE (parent past the page space or slot
 * past the last slot), DOUBLE_FREE (not allocated), DUPLICATE. Parents left empty are freed
 * in the file in one commit. Errors: those, plus INVALID, READONLY, POISONED, IO.
 */
PAGER_API int pager_file_subpage_free(pager_file_subpages *s, uint64_t id) PAGER_NOEXCEPT;
PAGER_API int pager_file_subpage_free_bulk(pager_file_subpages *s, const uint64_t *ids,
                                           size_t count) PAGER_NOEXCEPT;

/*
 * pager_file_subpage_mark_used -- rebuild after a restart: marks sub-pages as allocated. Each
 * parent must be an allocated regular page of the file. All or nothing. Errors: RESERVED,
 * RANGE, NOT_FOUND (parent not allocated), EXISTS (already marked), DUPLICATE, INVALID.
 */
PAGER_API int pager_file_subpage_mark_used(pager_file_subpages *s, const uint64_t *ids,
                                           size_t count) PAGER_NOEXCEPT;

/*
 * pager_file_subpage -- a pointer to an allocated sub-page's bytes (sub_page_size), valid
 * until it is freed or the file closed. Errors: INVALID, READONLY (read-only file), RANGE,
 * RESERVED, NOT_FOUND (not allocated).
 */
PAGER_API int pager_file_subpage(pager_file_subpages *s, uint64_t id,
                                 void **data_out) PAGER_NOEXCEPT;

/* pager_file_subpage_count -- sub-pages currently allocated. Errors: INVALID. */
PAGER_API int pager_file_subpage_count(pager_file_subpages *s, uint64_t *out) PAGER_NOEXCEPT;

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

PAGER_EXTERN_C_END

#endif /* PAGER_H */
