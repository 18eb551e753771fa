package pager

// #cgo pkg-config: pager
// #include <stdlib.h>
// #include "snapshot_engine.h"
import "C"

import (
	"context"
	"io"

	"libpager.dev/pager/internal/capi"
)

// KV-cache snapshots (pager_snapshot_*) of the shipped reference engine (pager_refengine_*).
// Engines written in Go go through CaptureEngine / RestoreEngine (snapshot_engine.go, cgo
// trampolines with a runtime/cgo.Handle as ctx); the reference engine's adapter is filled in
// C (pager_refengine_ops). Progress and cancellation: SnapshotOptions.Progress and the
// *Context variants; capture_fd: CaptureTo (an io.Writer).

// Element types of pager.h.
var (
	DtypeBF16    = uint32(capi.PAGER_DTYPE_BF16)
	DtypeF16     = uint32(capi.PAGER_DTYPE_F16)
	DtypeF32     = uint32(capi.PAGER_DTYPE_F32)
	DtypeFP8E4M3 = uint32(capi.PAGER_DTYPE_FP8_E4M3)
)

// CacheMeta is the geometry of a paged KV cache.
type CacheMeta struct {
	TokensPerPage, Layers, KvHeads, HeadDim, Dtype uint32
}

func (m CacheMeta) toC() capi.Pager_cache_meta {
	c := capi.NewPager_cache_meta()
	c.SetTokens_per_page(m.TokensPerPage)
	c.SetLayers(m.Layers)
	c.SetKv_heads(m.KvHeads)
	c.SetHead_dim(m.HeadDim)
	c.SetDtype(m.Dtype)
	return c
}

// PageBytes returns the size of one K page and of one V page.
func (m CacheMeta) PageBytes() (k, v uint64, err error) {
	c := m.toC()
	defer capi.DeletePager_cache_meta(c)
	err = capi.Pager_cache_meta_page_bytes(c, &k, &v)
	return
}

// RefEngine is the library's in-memory reference KV-cache engine. Close may run while other
// goroutines call it: it waits for them, and later calls return a *ClosedError. Close while a
// Capture/Restore/CaptureTo with a SnapshotOptions.Progress func runs -- from inside that
// Progress func too -- is deferred: it returns nil at once, every later call fails with a
// *ClosedError, and the engine is freed when that operation returns (which completes with
// the engine it started with).
type RefEngine struct{ h handle }

// NewRefEngine makes an engine of capacity free, zeroed page slots.
func NewRefEngine(meta CacheMeta, capacity uint32) (*RefEngine, error) {
	c := meta.toC()
	defer capi.DeletePager_cache_meta(c)
	var h uintptr
	if err := capi.Pager_refengine_create(c, capacity, &h); err != nil {
		return nil, err
	}
	e := &RefEngine{}
	return own(e, &e.h, h, "RefEngine", capi.Pager_refengine_free), nil
}

// Close frees the engine. Idempotent.
func (e *RefEngine) Close() error {
	return e.h.release(func(p uintptr) error { capi.Pager_refengine_free(p); return nil })
}

// AllocPage occupies the lowest free slot.
func (e *RefEngine) AllocPage() (uint32, error) {
	var slot uint32
	err := e.h.do(func(p uintptr) error { return capi.Pager_refengine_alloc_page(p, &slot) })
	return slot, err
}

// FreePage frees an occupied slot that belongs to no sequence.
func (e *RefEngine) FreePage(slot uint32) error {
	return e.h.do(func(p uintptr) error { return capi.Pager_refengine_free_page(p, slot) })
}

// WritePage stores a page's K and V bytes (each exactly the meta's page bytes).
func (e *RefEngine) WritePage(slot uint32, k, v []byte) error {
	return e.h.do(func(p uintptr) error { return capi.Pager_refengine_write_page(p, slot, k, v) })
}

// ReadPage copies a page's K and V bytes into k and v.
func (e *RefEngine) ReadPage(slot uint32, k, v []byte) error {
	return e.h.do(func(p uintptr) error { return capi.Pager_refengine_read_page(p, slot, k, v) })
}

// SetSeq adds or replaces sequence id with the given occupied pages.
func (e *RefEngine) SetSeq(id []byte, pages []uint32, fillLastPage uint32) error {
	return e.h.do(func(p uintptr) error { return capi.Pager_refengine_set_seq(p, id, pages, fillLastPage) })
}

// RemoveSeq removes sequence id.
func (e *RefEngine) RemoveSeq(id []byte) error {
	return e.h.do(func(p uintptr) error { return capi.Pager_refengine_remove_seq(p, id) })
}

// Seq returns the pages of sequence id and the fill of its last page.
func (e *RefEngine) Seq(id []byte) ([]uint32, uint32, error) {
	var n uint64
	var fill uint32
	var pages []uint32
	err := e.h.do(func(p uintptr) error {
		if err := capi.Pager_refengine_get_seq(p, id, nil, &n, &fill); err != nil {
			return err
		}
		pages = make([]uint32, n)
		return capi.Pager_refengine_get_seq(p, id, pages, &n, &fill)
	})
	if err != nil {
		return nil, 0, err
	}
	return pages[:n], fill, nil
}

// RefEngineStats is pager_refengine_stats.
type RefEngineStats struct {
	OccupiedPages, SeqCount uint64
	Paused                  bool
}

// Stats returns the occupied slots, the number of sequences, and whether it is paused.
func (e *RefEngine) Stats() (RefEngineStats, error) {
	c := capi.NewPager_refengine_stats()
	defer capi.DeletePager_refengine_stats(c)
	if err := e.h.do(func(p uintptr) error { return capi.Pager_refengine_get_stats(p, c) }); err != nil {
		return RefEngineStats{}, err
	}
	return RefEngineStats{OccupiedPages: c.GetOccupied_pages(), SeqCount: c.GetSeq_count(),
		Paused: c.GetPaused() != 0}, nil
}

// Fingerprint is XXH3-64 over the logical content, independent of slot placement.
func (e *RefEngine) Fingerprint() (uint64, error) {
	var f uint64
	err := e.h.do(func(p uintptr) error { return capi.Pager_refengine_fingerprint(p, &f) })
	return f, err
}

// FailCallback makes the engine's next call of callback name (after skip successful ones)
// fail with adapterCode (fault injection for tests); name "" clears it.
func (e *RefEngine) FailCallback(name string, skip uint32, adapterCode int) error {
	return e.h.do(func(p uintptr) error { return capi.Pager_refengine_fail_callback(p, name, skip, adapterCode) })
}

// SnapshotOptions are the bound fields of pager_snapshot_options.
type SnapshotOptions struct {
	Compression   uint32 // capi.PAGER_SNAPSHOT_COMPRESS_*
	ZstdLevel     int32  // 0: the default
	Threads       uint32
	AllowNonempty bool   // restore into an engine that already holds pages
	ParentPath    string // capture incrementally against this snapshot
	// CopyOutBudgetBytes: capture copies the pages out while the engine is paused when they
	// all fit in this many bytes, resumes it, then writes (0: paused while writing).
	CopyOutBudgetBytes uint64
	// SyncFd: CaptureTo into an *os.File fsyncs it at the end (pager_snapshot_options.sync_fd).
	SyncFd bool
	// Progress, if set, is called on the calling goroutine with the bytes done and the total
	// (capture: page bytes read from the engine; restore: bytes verified plus page bytes
	// written); returning false cancels (ErrCancelled; a restore only until its pages are
	// allocated). A panic in it fails the operation and is re-raised after it returned.
	// Closing the engine from inside it is deferred to the end of the operation (RefEngine).
	Progress func(doneBytes, totalBytes uint64) bool
}

// Capture writes a snapshot of the engine to path (atomically replaced). opts may be nil.
func (e *RefEngine) Capture(path string, opts *SnapshotOptions) error {
	return e.CaptureContext(context.Background(), path, opts)
}

// CaptureContext is Capture cancelled when ctx is done (the error matches ErrCancelled and
// ctx.Err(); path is untouched).
func (e *RefEngine) CaptureContext(ctx context.Context, path string, opts *SnapshotOptions) error {
	return e.run(ctx, snapRun{mode: C.PAGERGO_CAPTURE, path: path}, opts)
}

// CaptureTo writes a snapshot as one stream to w (pager_snapshot_capture_fd): an *os.File's
// descriptor directly, any other io.Writer through a pipe. opts may be nil; ctx cancels.
func (e *RefEngine) CaptureTo(ctx context.Context, w io.Writer, opts *SnapshotOptions) error {
	return captureTo(w, func(fd int) error {
		return e.run(ctx, snapRun{mode: C.PAGERGO_CAPTURE_FD, fd: fd}, opts)
	})
}

// Restore verifies the snapshot at path and restores it into the engine. opts may be nil.
func (e *RefEngine) Restore(path string, opts *SnapshotOptions) error {
	return e.RestoreContext(context.Background(), path, opts)
}

// RestoreContext is Restore cancelled when ctx is done, until the pages are allocated.
func (e *RefEngine) RestoreContext(ctx context.Context, path string, opts *SnapshotOptions) error {
	return e.run(ctx, snapRun{mode: C.PAGERGO_RESTORE, path: path}, opts)
}

// run runs a snapshot operation on the engine. With a Progress func (Go code called inside
// the call) it is a callback call: a Close from inside the callback (or from any goroutine
// while it runs) is deferred to its end instead of deadlocking (handle.go).
func (e *RefEngine) run(ctx context.Context, r snapRun, opts *SnapshotOptions) error {
	call := func(p uintptr) error {
		r.engine, r.refengine = p, true
		return runSnapshot(ctx, r, opts, nil)
	}
	if opts != nil && opts.Progress != nil {
		return e.h.doCallback(call)
	}
	return e.h.do(call)
}

// Meta is the engine's geometry (pager_refengine_meta).
func (e *RefEngine) Meta() (CacheMeta, error) {
	c := capi.NewPager_cache_meta()
	defer capi.DeletePager_cache_meta(c)
	if err := e.h.do(func(p uintptr) error { return capi.Pager_refengine_meta(p, c) }); err != nil {
		return CacheMeta{}, err
	}
	return CacheMeta{c.GetTokens_per_page(), c.GetLayers(), c.GetKv_heads(), c.GetHead_dim(), c.GetDtype()}, nil
}

// CapacityPages is the number of slots the engine was created with.
func (e *RefEngine) CapacityPages() (uint32, error) {
	var n uint32
	err := e.h.do(func(p uintptr) error { return capi.Pager_refengine_capacity_pages(p, &n) })
	return n, err
}

// VerifySnapshot checks every checksum of the snapshot at path and of its parents.
func VerifySnapshot(path string) error { return capi.Pager_snapshot_verify(path, nil) }

// SnapshotInfo is what InspectSnapshot reports.
type SnapshotInfo struct {
	FormatVersion                                   uint32
	Meta                                            CacheMeta
	PageCount, StoredPageCount, SeqCount, FileBytes uint64
	SnapshotID, ParentSnapshotID                    uint64
}

// InspectSnapshot reads the geometry, counts and ids of the snapshot at path.
func InspectSnapshot(path string) (SnapshotInfo, error) {
	c := capi.NewPager_snapshot_info()
	defer capi.DeletePager_snapshot_info(c)
	if err := capi.Pager_snapshot_inspect(path, c); err != nil {
		return SnapshotInfo{}, err
	}
	m := c.GetMeta()
	return SnapshotInfo{
		FormatVersion: c.GetFormat_version(),
		Meta: CacheMeta{m.GetTokens_per_page(), m.GetLayers(), m.GetKv_heads(), m.GetHead_dim(),
			m.GetDtype()},
		PageCount: c.GetPage_count(), StoredPageCount: c.GetStored_page_count(),
		SeqCount: c.GetSeq_count(), FileBytes: c.GetFile_bytes(),
		SnapshotID: c.GetSnapshot_id(), ParentSnapshotID: c.GetParent_snapshot_id(),
	}, nil
}
