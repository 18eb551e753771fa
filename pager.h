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
 * pager_walseg_options_init -- fills *opts with the defaults and struct_size.
 * Errors: PAGER_ERR_INVALID (opts NULL).
 */
PAGER_API int pager_walseg_options_init(pager_walseg_options *opts) PAGER_NOEXCEPT;

typedef struct pager_walseg_writer pager_walseg_writer;

/*
 * pager_walseg_writer_open -- opens (or creates) the log directory `dir` for appending.
 * Takes an exclusive lock on <dir>/LOCK. Recovery: the last segment is scanned; a torn tail
 * (a write that was never synced) is cut off; the remaining records are rewritten and synced
 * (one read and write pass over the active segment, so that records an earlier failed fsync
 * lost are really durable) and appends continue after the last one. A corrupt last segment
 * (damage with durable records behind it) is not touched and fails the open.
 * opts: NULL for defaults. On success *out owns a writer; close it with
 * pager_walseg_writer_close().
 * Errors: PAGER_ERR_INVALID (NULL dir/out, bad option), PAGER_ERR_NOT_FOUND (dir missing and
 * create_if_missing = 0), PAGER_ERR_BUSY (another writer holds the log), PAGER_ERR_CORRUPT,
 * PAGER_ERR_IO, PAGER_ERR_NOSPC, PAGER_ERR_READONLY, PAGER_ERR_NOMEM.
 * Thread safety: any thread.
 */
PAGER_API int pager_walseg_writer_open(const char *dir, const pager_walseg_options *opts,
                                       pager_walseg_writer **out) PAGER_NOEXCEPT;

/*
 * pager_walseg_append -- appends one record (type, data[0..len)) and sets *lsn_out to its
 * LSN. Durability follows the sync policy. The payload is only read during the call.
 * The segment rotates first if the record would pass segment_bytes (the old segment is
 * sealed: synced, and the new one's directory entry synced).
 * Errors: PAGER_ERR_INVALID (NULL writer/lsn_out, NULL data with len > 0, type id 0),
 * PAGER_ERR_TOO_LARGE (len > max_payload_bytes; nothing written), PAGER_ERR_POISONED (an
 * earlier failure), PAGER_ERR_IO / PAGER_ERR_NOSPC (this call's write or sync failed: the
 * writer is now poisoned; whether this record survives is decided by recovery).
 * Thread safety: calls on one writer are serialized.
 */
PAGER_API int pager_walseg_append(pager_walseg_writer *w, uint16_t type, const void *data,
                                  uint64_t len, uint64_t *lsn_out) PAGER_NOEXCEPT;

/*
 * pager_walseg_sync -- writes staged records and makes every appended record durable
 * (fdatasync). A failed sync is never retried: the writer is poisoned.
 * Errors: PAGER_ERR_INVALID (NULL), PAGER_ERR_POISONED, PAGER_ERR_IO, PAGER_ERR_NOSPC.
 * Thread safety: serialized with the writer's other calls.
 */
PAGER_API int pager_walseg_sync(pager_walseg_writer *w) PAGER_NOEXCEPT;

/*
 * pager_walseg_flush -- writes staged records to the file (visible to readers opened
 * afterwards, not durable). Errors: as pager_walseg_sync.
 */
PAGER_API int pager_walseg_flush(pager_walseg_writer *w) PAGER_NOEXCEPT;

/*
 * pager_walseg_writer_lsns -- *next_lsn: the LSN the next append gets; *durable_lsn: every
 * record with LSN <= it is durable (next_lsn - 1 after a sync). Either pointer may be NULL.
 * Errors: PAGER_ERR_INVALID (NULL writer). Thread safety: any thread.
 */
PAGER_API int pager_walseg_writer_lsns(pager_walseg_writer *w, uint64_t *next_lsn,
                                       uint64_t *durable_lsn) PAGER_NOEXCEPT;

/*
 * pager_walseg_remove_before -- deletes sealed segments whose records all have LSN < lsn
 * (never the active segment), then syncs the directory; *removed_out (may be NULL) counts
 * them. Replays from a removed LSN then fail with PAGER_ERR_NOT_FOUND.
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_POISONED, PAGER_ERR_IO (poisons).
 */
PAGER_API int pager_walseg_remove_before(pager_walseg_writer *w, uint64_t lsn,
                                         uint64_t *removed_out) PAGER_NOEXCEPT;

/*
 * pager_walseg_writer_close -- writes staged records, syncs, releases the lock and frees the
 * writer (always, even on error). NULL is a no-op returning PAGER_OK.
 * Errors: PAGER_ERR_POISONED (unsynced records may be lost; recovery decides),
 * PAGER_ERR_IO, PAGER_ERR_NOSPC. Thread safety: no other call on w may run concurrently.
 */
PAGER_API int pager_walseg_writer_close(pager_walseg_writer *w) PAGER_NOEXCEPT;

/* Reader options. Initialize with pager_walseg_reader_options_init(). */
typedef struct pager_walseg_reader_options {
  uint32_t struct_size;
  uint32_t known_type_count;     /* entries in known_types                                  */
  const uint16_t *known_types;   /* type ids this reader understands (bit 15 ignored); NULL
                                    = every type is known. Read only during open.           */
  uint64_t max_payload_bytes;    /* a record above it is PAGER_ERR_TOO_LARGE; default 64 MiB */
  uint64_t expected_first_lsn;   /* LSN the segment's first record must have; 0 = from the
                                    file name if it is a segment name, else unchecked       */
} pager_walseg_reader_options;

/* Errors: PAGER_ERR_INVALID (opts NULL). */
PAGER_API int pager_walseg_reader_options_init(pager_walseg_reader_options *opts) PAGER_NOEXCEPT;

/*
 * A record view. `data` points INTO the reader's read-only mapping (no copy): valid until
 * the reader or replay that returned it is closed; never write through it.
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
 * access. The file is not locked; bytes appended after open are not seen.
 * Errors: PAGER_ERR_INVALID (NULL, bad option), PAGER_ERR_NOT_FOUND, PAGER_ERR_IO,
 * PAGER_ERR_NOMEM, PAGER_ERR_TOO_LARGE (file larger than the address space allows).
 */
PAGER_API int pager_walseg_reader_open(const char *path, const pager_walseg_reader_options *opts,
                                       pager_walseg_reader **out) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_next -- sets *found to 1 and fills *rec with the next record, or sets
 * *found to 0 when the reader has stopped (see pager_walseg_reader_stop). Unknown optional
 * types are skipped. Errors (sticky; *found = 0): PAGER_ERR_VERSION (a record of an unknown
 * required type), PAGER_ERR_TOO_LARGE (payload above max_payload_bytes), PAGER_ERR_INVALID
 * (NULL). Damaged bytes are never an error here: they are a stop reason.
 * Thread safety: serialized per reader.
 */
PAGER_API int pager_walseg_reader_next(pager_walseg_reader *r, pager_walseg_record *rec,
                                       uint32_t *found) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_stop -- *reason: PAGER_WALSEG_STOP_*; *offset: where the data ends or
 * the damage starts; *last_lsn: the last valid record's LSN (0 if none). Pointers may be NULL.
 * Errors: PAGER_ERR_INVALID (NULL reader).
 */
PAGER_API int pager_walseg_reader_stop(pager_walseg_reader *r, uint32_t *reason,
                                       uint64_t *offset, uint64_t *last_lsn) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_stop_detail -- the human-readable reason for the stop ("checksum
 * mismatch; valid record LSN 9 at offset 4096 follows ..."; "" for a clean end or before the
 * stop), copied NUL-terminated into buf[0..capacity) and truncated to fit; *len_out (may be
 * NULL) gets its full length without the NUL. buf may be NULL when capacity is 0.
 * Errors: PAGER_ERR_INVALID (NULL reader, NULL buf with capacity > 0).
 */
PAGER_API int pager_walseg_reader_stop_detail(pager_walseg_reader *r, char *buf,
                                              uint64_t capacity,
                                              uint64_t *len_out) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_position -- *offset: the current read offset; *len: the mapped file
 * length (the segment's size at open); *is_empty: 1 if len is 0. Pointers may be NULL.
 * *madvise_applied: 1 if the sequential-access advice was accepted by the kernel.
 * Errors: PAGER_ERR_INVALID (NULL reader).
 */
PAGER_API int pager_walseg_reader_position(pager_walseg_reader *r, uint64_t *offset,
                                           uint64_t *len, uint32_t *is_empty,
                                           uint32_t *madvise_applied) PAGER_NOEXCEPT;

/*
 * pager_walseg_reader_release_pages -- drops the segment's pages from the process mapping and
 * the page cache (madvise + fadvise DONTNEED); call after reading it through. Views stay
 * valid (the bytes are read back from the file if touched).
 * Errors: PAGER_ERR_INVALID (NULL), PAGER_ERR_IO (the kernel refused the advice).
 */
PAGER_API int pager_walseg_reader_release_pages(pager_walseg_reader *r) PAGER_NOEXCEPT;

/* pager_walseg_reader_close -- unmaps and frees; every view becomes invalid. NULL-safe. */
PAGER_API void pager_walseg_reader_close(pager_walseg_reader *r) PAGER_NOEXCEPT;

typedef struct pager_walseg_replay pager_walseg_replay;

/*
 * pager_walseg_replay_open -- an iterator over the records of the log directory `dir` with
 * LSN >= from_lsn (0 = from the oldest segment). Segments wholly before from_lsn are skipped
 * by name, never opened. Segments are chained by LSN; a gap or a damaged sealed segment
 * stops the replay with PAGER_WALSEG_STOP_CORRUPT; only the last segment may end torn.
 * opts: NULL for defaults (expected_first_lsn is ignored: names decide).
 * Errors: PAGER_ERR_INVALID, PAGER_ERR_NOT_FOUND (dir missing, or from_lsn is older than
 * the oldest segment), PAGER_ERR_IO, PAGER_ERR_NOMEM.
 * Resources: one descriptor and one read-only mapping per segment visited, held until close.
 */
PAGER_API int pager_walseg_replay_open(const char *dir, uint64_t from_lsn,
                                       const pager_walseg_reader_options *opts,
                                       pager_walseg_replay **out) PAGER_NOEXCEPT;

/* pager_walseg_replay_next -- as pager_walseg_reader_next, across segments. Views stay valid
 * until pager_walseg_replay_close. Errors: as pager_walseg_reader_next, plus PAGER_ERR_IO
 * opening the next segment. */
PAGER_API int pager_walseg_replay_next(pager_walseg_replay *it, pager_walseg_record *rec,
                                       uint32_t *found) PAGER_NOEXCEPT;

/*
 * pager_walseg_replay_stop -- *reason: PAGER_WALSEG_STOP_*; *segment_lsn: the first LSN
 * (name) of the segment where it stopped; *offset: the offset there; *last_lsn: the last
 * valid LSN seen (0 if none). Pointers may be NULL. Errors: PAGER_ERR_INVALID (NULL).
 */
PAGER_API int pager_walseg_replay_stop(pager_walseg_replay *it, uint32_t *reason,
                                       uint64_t *segment_lsn, uint64_t *offset,
                                       uint64_t *last_lsn) PAGER_NOEXCEPT;

/* pager_walseg_replay_stop_detail -- as pager_walseg_reader_stop_detail, for a replay (the
 * text names the segment file). */
PAGER_API int pager_walseg_replay_stop_detail(pager_walseg_replay *it, char *buf,
                                              uint64_t capacity,
                                              uint64_t *len_out) PAGER_NOEXCEPT;

/* pager_walseg_replay_close -- unmaps every visited segment and frees. NULL-safe. */
PAGER_API void pager_walseg_replay_close(pager_walseg_replay *it) PAGER_NOEXCEPT;

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
