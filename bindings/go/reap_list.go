package pager

// The two 0.3 functions with callbacks, pager_cold_reap and pager_snapshot_list: C-side
// callbacks collect into C arrays (no Go pointer ever reaches C), copied into Go values after
// the call; the error message is copied inside the same C call (thread-local in the library).

// #cgo pkg-config: pager
// #include <stdlib.h>
// #include <string.h>
// #include "pager.h"
//
// typedef struct { char *path; uint32_t state; } pagergo_scratch;
// typedef struct { pagergo_scratch *v; size_t n, cap; int nomem; } pagergo_scratch_list;
//
// static int pagergo_scratch_cb(void *ctx, const char *lock_path, uint32_t state) {
//   pagergo_scratch_list *l = (pagergo_scratch_list *)ctx;
//   if (l->n == l->cap) {
//     size_t cap = l->cap ? l->cap * 2 : 8;
//     pagergo_scratch *v = (pagergo_scratch *)realloc(l->v, cap * sizeof *v);
//     if (!v) { l->nomem = 1; return 1; }
//     l->v = v; l->cap = cap;
//   }
//   char *p = strdup(lock_path);
//   if (!p) { l->nomem = 1; return 1; }
//   l->v[l->n].path = p; l->v[l->n].state = state; l->n++;
//   return 0;
// }
//
// static void pagergo_copy_msg(char *msg, uint64_t cap) {
//   const char *m = pager_last_error();
//   if (!m) m = "";
//   strncpy(msg, m, cap - 1); msg[cap - 1] = 0;
// }
//
// static int pagergo_cold_reap(const char *root, uint32_t remove, pagergo_scratch_list *l,
//                              char *msg, uint64_t cap) {
//   int rc = pager_cold_reap(root, remove, pagergo_scratch_cb, l);
//   if (l->nomem) { strncpy(msg, "out of memory collecting scratch entries", cap - 1); msg[cap - 1] = 0; return PAGER_ERR_NOMEM; }
//   if (rc != PAGER_OK) pagergo_copy_msg(msg, cap);
//   return rc;
// }
//
// static void pagergo_scratch_free(pagergo_scratch_list *l) {
//   for (size_t i = 0; i < l->n; i++) free(l->v[i].path);
//   free(l->v);
// }
//
// typedef struct { pager_snapshot_page p; } pagergo_page;
// typedef struct { char *id; uint64_t id_bytes; uint32_t *pages; uint64_t page_count; uint32_t fill; } pagergo_seq;
// typedef struct {
//   pagergo_page *pages; size_t np, capp;
//   pagergo_seq *seqs; size_t ns, caps;
//   int nomem;
// } pagergo_listing;
//
// static int pagergo_page_cb(void *ctx, const pager_snapshot_page *page) {
//   pagergo_listing *l = (pagergo_listing *)ctx;
//   if (l->np == l->capp) {
//     size_t cap = l->capp ? l->capp * 2 : 16;
//     pagergo_page *v = (pagergo_page *)realloc(l->pages, cap * sizeof *v);
//     if (!v) { l->nomem = 1; return 1; }
//     l->pages = v; l->capp = cap;
//   }
//   pager_snapshot_page *d = &l->pages[l->np].p;
//   memset(d, 0, sizeof *d);
//   size_t n = page->struct_size < sizeof *d ? page->struct_size : sizeof *d;
//   memcpy(d, page, n); /* C8: nothing past struct_size is read */
//   l->np++;
//   return 0;
// }
//
// static int pagergo_seq_cb(void *ctx, const pager_snapshot_seq *seq) {
//   pagergo_listing *l = (pagergo_listing *)ctx;
//   if (l->ns == l->caps) {
//     size_t cap = l->caps ? l->caps * 2 : 8;
//     pagergo_seq *v = (pagergo_seq *)realloc(l->seqs, cap * sizeof *v);
//     if (!v) { l->nomem = 1; return 1; }
//     l->seqs = v; l->caps = cap;
//   }
//   pagergo_seq *d = &l->seqs[l->ns];
//   d->id = (char *)malloc(seq->id_bytes ? seq->id_bytes : 1);
//   d->pages = (uint32_t *)malloc(seq->page_count ? seq->page_count * sizeof(uint32_t) : 1);
//   if (!d->id || !d->pages) { free(d->id); free(d->pages); l->nomem = 1; return 1; }
//   if (seq->id_bytes) memcpy(d->id, seq->id, seq->id_bytes);
//   if (seq->page_count) memcpy(d->pages, seq->pages, seq->page_count * sizeof(uint32_t));
//   d->id_bytes = seq->id_bytes; d->page_count = seq->page_count; d->fill = seq->fill_last_page;
//   l->ns++;
//   return 0;
// }
//
// static int pagergo_snapshot_list(const char *path, pagergo_listing *l, char *msg, uint64_t cap) {
//   int rc = pager_snapshot_list(path, pagergo_page_cb, pagergo_seq_cb, l);
//   if (l->nomem) { strncpy(msg, "out of memory collecting the snapshot tables", cap - 1); msg[cap - 1] = 0; return PAGER_ERR_NOMEM; }
//   if (rc != PAGER_OK) pagergo_copy_msg(msg, cap);
//   return rc;
// }
//
// static void pagergo_listing_free(pagergo_listing *l) {
//   for (size_t i = 0; i < l->ns; i++) { free(l->seqs[i].id); free(l->seqs[i].pages); }
//   free(l->seqs); free(l->pages);
// }
import "C"

import (
	"bytes"
	"fmt"
	"unsafe"
)

// ColdScratchState is what ReapColdScratch found for one scratch directory
// (PAGER_COLD_SCRATCH_*).
type ColdScratchState uint32

// The states of ReapColdScratch.
const (
	ColdScratchLive    ColdScratchState = C.PAGER_COLD_SCRATCH_LIVE    // owner alive (holds the lock): kept
	ColdScratchStale   ColdScratchState = C.PAGER_COLD_SCRATCH_STALE   // owner gone; left in place (remove false)
	ColdScratchRemoved ColdScratchState = C.PAGER_COLD_SCRATCH_REMOVED // owner gone; directory and lock file removed
	ColdScratchFailed  ColdScratchState = C.PAGER_COLD_SCRATCH_FAILED  // owner gone, but it could not be removed
)

// String is "live", "stale", "removed" or "failed".
func (s ColdScratchState) String() string {
	switch s {
	case ColdScratchLive:
		return "live"
	case ColdScratchStale:
		return "stale"
	case ColdScratchRemoved:
		return "removed"
	case ColdScratchFailed:
		return "failed"
	}
	return fmt.Sprintf("ColdScratchState(%d)", uint32(s))
}

// ColdScratch is one scratch directory found by ReapColdScratch.
type ColdScratch struct {
	LockPath string           // "<root>/libpager-cold-<random>"; the directory is LockPath + ".d"
	State    ColdScratchState // what was found (and done)
}

func cMsgError(rc C.int, msg []byte) error {
	if i := bytes.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	return &Error{Code: ErrorCode(rc), Message: string(msg)}
}

// ReapColdScratch lists the private scratch directories that file-backend cold pagers made
// under root, with the state of each (pager_cold_reap): an owner holds a lock on its lock
// file for the life of the directory, so the directory of a dead process is
// ColdScratchStale; with remove those are removed (ColdScratchRemoved). A live owner is
// never touched. Entries are in name order. A missing root is CodeNotFound
// (errors.Is(err, fs.ErrNotExist)). Safe from any goroutine, beside live pagers.
func ReapColdScratch(root string, remove bool) ([]ColdScratch, error) {
	croot := C.CString(root)
	defer C.free(unsafe.Pointer(croot))
	var r C.uint32_t
	if remove {
		r = 1
	}
	var l C.pagergo_scratch_list
	defer C.pagergo_scratch_free(&l)
	msg := make([]byte, 1024)
	rc := C.pagergo_cold_reap(croot, r, &l, (*C.char)(unsafe.Pointer(&msg[0])), C.uint64_t(len(msg)))
	if rc != 0 {
		return nil, cMsgError(rc, msg)
	}
	out := make([]ColdScratch, 0, int(l.n))
	for _, e := range unsafe.Slice(l.v, int(l.n)) {
		out = append(out, ColdScratch{LockPath: C.GoString(e.path), State: ColdScratchState(e.state)})
	}
	return out, nil
}

// SnapshotPage is one entry of a snapshot's page table (pager_snapshot_page).
type SnapshotPage struct {
	Index          uint64 // position in the page table (what sequences refer to)
	EnginePage     uint32 // the slot the page had in the captured engine (informative)
	Compressed     bool   // the stored bytes are one zstd frame of K || V
	InParent       bool   // no bytes here: the parent chain holds the content
	OffsetBytes    uint64 // file offset of the stored bytes (0 when in a parent)
	StoredBytes    uint64 // length of the stored bytes (0 when in a parent)
	StoredChecksum uint64 // XXH3-64 of the stored bytes (0 when in a parent)
	ContentHashLo  uint64 // XXH3-128 of the uncompressed K page || V page (low half);
	ContentHashHi  uint64 // equal hashes mean equal content, across snapshots too
}

// SnapshotSeq is one sequence of a snapshot (pager_snapshot_seq).
type SnapshotSeq struct {
	ID           []byte   // the sequence id
	Pages        []uint32 // page-table positions of its pages, in order
	FillLastPage uint32   // tokens in its last page
}

// SnapshotListing is the page table and the sequence table of a snapshot (ListSnapshot).
type SnapshotListing struct {
	Pages []SnapshotPage
	Seqs  []SnapshotSeq
}

// ListSnapshot reads the page table and the sequence table of the snapshot at path
// (pager_snapshot_list) after the checks InspectSnapshot makes (not the page bytes).
// Read-only; the parent chain is not opened (an entry stored in a parent has InParent).
// A missing file is CodeNotFound (errors.Is(err, fs.ErrNotExist)). Safe from any goroutine.
func ListSnapshot(path string) (SnapshotListing, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var l C.pagergo_listing
	defer C.pagergo_listing_free(&l)
	msg := make([]byte, 1024)
	rc := C.pagergo_snapshot_list(cpath, &l, (*C.char)(unsafe.Pointer(&msg[0])), C.uint64_t(len(msg)))
	if rc != 0 {
		return SnapshotListing{}, cMsgError(rc, msg)
	}
	out := SnapshotListing{Pages: make([]SnapshotPage, 0, int(l.np)), Seqs: make([]SnapshotSeq, 0, int(l.ns))}
	for _, e := range unsafe.Slice(l.pages, int(l.np)) {
		p := e.p
		out.Pages = append(out.Pages, SnapshotPage{
			Index: uint64(p.index), EnginePage: uint32(p.engine_page),
			Compressed:  p.flags&C.PAGER_SNAPSHOT_PAGE_COMPRESSED != 0,
			InParent:    p.flags&C.PAGER_SNAPSHOT_PAGE_IN_PARENT != 0,
			OffsetBytes: uint64(p.offset_bytes), StoredBytes: uint64(p.stored_bytes),
			StoredChecksum: uint64(p.stored_checksum),
			ContentHashLo:  uint64(p.content_hash_lo), ContentHashHi: uint64(p.content_hash_hi),
		})
	}
	for _, s := range unsafe.Slice(l.seqs, int(l.ns)) {
		pages := make([]uint32, int(s.page_count))
		if s.page_count > 0 {
			copy(pages, unsafe.Slice((*uint32)(unsafe.Pointer(s.pages)), int(s.page_count)))
		}
		out.Seqs = append(out.Seqs, SnapshotSeq{
			ID: C.GoBytes(unsafe.Pointer(s.id), C.int(s.id_bytes)), Pages: pages, FillLastPage: uint32(s.fill),
		})
	}
	return out, nil
}
