package pager

// #cgo pkg-config: pager
// #include <stdlib.h>
// #include "snapshot_engine.h"
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// Engine is a KV-cache engine written in Go, snapshotted by CaptureEngine / RestoreEngine
// (the Go form of pager_cache_ops). Callbacks run on the goroutine that called
// CaptureEngine/RestoreEngine, one at a time. Slices passed to callbacks (k, v, slots,
// sequence ids and pages) are C memory valid only during the callback: copy what you keep.
// Return an *EngineError to choose the adapter code; any other error is code -1. A panic
// in a callback fails the operation and is re-raised once it has returned.
type Engine interface {
	Meta() (CacheMeta, error)
	Pause() error
	Resume() error
	OccupiedPages(add func(pages []uint32) error) error
	LogicalSeqs(add func(id []byte, pages []uint32, fillLastPage uint32) error) error
	ReadPage(page uint32, k, v []byte) error
	AllocatePages(slots []uint32) error
	WritePage(page uint32, k, v []byte) error
	InstallLogicalSeqs(seqs []LogicalSeq) error
}

// SlotReleaser is implemented by an Engine that can give back slots AllocatePages returned
// (pager_cache_ops.release_pages). RestoreEngine calls it once, with every slot of the
// allocation, when the restore fails after AllocatePages; an Engine without it keeps those
// slots allocated.
type SlotReleaser interface {
	ReleasePages(slots []uint32) error
}

// LogicalSeq is a sequence handed to Engine.InstallLogicalSeqs (C memory; copy to keep).
type LogicalSeq struct {
	ID           []byte
	Pages        []uint32
	FillLastPage uint32
}

// EngineError makes a callback fail with the adapter code Code (non-zero).
type EngineError struct{ Code int }

func (e *EngineError) Error() string { return fmt.Sprintf("engine adapter code %d", e.Code) }

const panicCode = -0x70414e43

type engineCtx struct {
	e     Engine
	panic any
}

func (c *engineCtx) run(f func() error) (code C.int) {
	if c.panic != nil {
		return panicCode
	}
	defer func() {
		if p := recover(); p != nil {
			c.panic = p
			code = panicCode
		}
	}()
	return codeOf(f())
}

func codeOf(err error) C.int {
	if err == nil {
		return 0
	}
	var ee *EngineError
	if errors.As(err, &ee) && ee.Code != 0 {
		return C.int(ee.Code)
	}
	return -1
}

func ctxOf(h C.uintptr_t) *engineCtx { return cgo.Handle(h).Value().(*engineCtx) }

func cBytes(p unsafe.Pointer, n C.uint64_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), int(n))
}

func cU32s(p *C.uint32_t, n C.uint64_t) []uint32 {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Pointer(p)), int(n))
}

//export pagergoMeta
func pagergoMeta(h C.uintptr_t, meta *C.pager_cache_meta) C.int {
	return ctxOf(h).run(func() error {
		m, err := ctxOf(h).e.Meta()
		if err != nil {
			return err
		}
		meta.tokens_per_page = C.uint32_t(m.TokensPerPage)
		meta.layers = C.uint32_t(m.Layers)
		meta.kv_heads = C.uint32_t(m.KvHeads)
		meta.head_dim = C.uint32_t(m.HeadDim)
		meta.dtype = C.uint32_t(m.Dtype)
		return nil
	})
}

//export pagergoPause
func pagergoPause(h C.uintptr_t) C.int { return ctxOf(h).run(ctxOf(h).e.Pause) }

//export pagergoResume
func pagergoResume(h C.uintptr_t) (code C.int) {
	c := ctxOf(h) // resume runs even after a panic elsewhere
	defer func() {
		if p := recover(); p != nil {
			if c.panic == nil {
				c.panic = p
			}
			code = panicCode
		}
	}()
	return codeOf(c.e.Resume())
}

// sinkStatus reads pager_last_error in a second cgo call, which is safe only here: inside a
// C-to-Go callback the goroutine is locked to the C thread that called it.
func sinkStatus(rc C.int) error {
	if rc == 0 {
		return nil
	}
	return &Error{Code: ErrorCode(rc), Message: C.GoString(C.pager_last_error())}
}

//export pagergoOccupied
func pagergoOccupied(h C.uintptr_t, sink *C.pager_cache_sink) C.int {
	return ctxOf(h).run(func() error {
		return ctxOf(h).e.OccupiedPages(func(pages []uint32) error {
			if len(pages) == 0 {
				return nil
			}
			return sinkStatus(C.pager_cache_sink_add_pages(sink, (*C.uint32_t)(unsafe.Pointer(&pages[0])), C.uint64_t(len(pages))))
		})
	})
}

//export pagergoSeqs
func pagergoSeqs(h C.uintptr_t, sink *C.pager_cache_sink) C.int {
	return ctxOf(h).run(func() error {
		return ctxOf(h).e.LogicalSeqs(func(id []byte, pages []uint32, fill uint32) error {
			var idp *C.char
			var pp *C.uint32_t
			if len(id) > 0 {
				idp = (*C.char)(unsafe.Pointer(&id[0]))
			}
			if len(pages) > 0 {
				pp = (*C.uint32_t)(unsafe.Pointer(&pages[0]))
			}
			return sinkStatus(C.pager_cache_sink_add_seq(sink, idp, C.uint64_t(len(id)), pp, C.uint64_t(len(pages)), C.uint32_t(fill)))
		})
	})
}

//export pagergoRead
func pagergoRead(h C.uintptr_t, page C.uint32_t, k unsafe.Pointer, kn C.uint64_t, v unsafe.Pointer, vn C.uint64_t) C.int {
	return ctxOf(h).run(func() error { return ctxOf(h).e.ReadPage(uint32(page), cBytes(k, kn), cBytes(v, vn)) })
}

//export pagergoAlloc
func pagergoAlloc(h C.uintptr_t, slots *C.uint32_t, count C.uint64_t) C.int {
	return ctxOf(h).run(func() error { return ctxOf(h).e.AllocatePages(cU32s(slots, count)) })
}

//export pagergoRelease
func pagergoRelease(h C.uintptr_t, slots *C.uint32_t, count C.uint64_t) C.int {
	return ctxOf(h).run(func() error {
		return ctxOf(h).e.(SlotReleaser).ReleasePages(cU32s(slots, count))
	})
}

//export pagergoWrite
func pagergoWrite(h C.uintptr_t, page C.uint32_t, k unsafe.Pointer, kn C.uint64_t, v unsafe.Pointer, vn C.uint64_t) C.int {
	return ctxOf(h).run(func() error { return ctxOf(h).e.WritePage(uint32(page), cBytes(k, kn), cBytes(v, vn)) })
}

//export pagergoInstall
func pagergoInstall(h C.uintptr_t, seqs *C.pager_logical_seq, count C.uint64_t) C.int {
	return ctxOf(h).run(func() error {
		var list []LogicalSeq
		if seqs != nil && count > 0 {
			for _, s := range unsafe.Slice(seqs, int(count)) {
				list = append(list, LogicalSeq{
					ID:           cBytes(unsafe.Pointer(s.id), C.uint64_t(s.id_bytes)),
					Pages:        cU32s(s.pages, s.page_count),
					FillLastPage: uint32(s.fill_last_page),
				})
			}
		}
		return ctxOf(h).e.InstallLogicalSeqs(list)
	})
}

func runEngine(e Engine, restore bool, path string, opts *SnapshotOptions) error {
	if opts == nil {
		opts = &SnapshotOptions{}
	}
	ctx := &engineCtx{e: e}
	h := cgo.NewHandle(ctx)
	defer h.Delete()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var parent *C.char
	if opts.ParentPath != "" {
		parent = C.CString(opts.ParentPath)
		defer C.free(unsafe.Pointer(parent))
	}
	var r, releases C.int
	if restore {
		r = 1
	}
	if _, ok := e.(SlotReleaser); ok {
		releases = 1
	}
	var allow C.uint32_t
	if opts.AllowNonempty {
		allow = 1
	}
	msg := make([]byte, 1024)
	rc := C.pagergo_snapshot_run(C.uintptr_t(h), r, releases, cpath, C.uint32_t(opts.Compression),
		C.int32_t(opts.ZstdLevel), C.uint32_t(opts.Threads), allow,
		C.uint64_t(opts.CopyOutBudgetBytes), parent,
		(*C.char)(unsafe.Pointer(&msg[0])), C.uint64_t(len(msg)))
	if ctx.panic != nil {
		panic(ctx.panic)
	}
	if rc != 0 {
		if i := bytes.IndexByte(msg, 0); i >= 0 {
			msg = msg[:i]
		}
		return &Error{Code: ErrorCode(rc), Message: string(msg)}
	}
	return nil
}

// CaptureEngine writes a snapshot of a Go engine to path. opts may be nil.
func CaptureEngine(e Engine, path string, opts *SnapshotOptions) error {
	return runEngine(e, false, path, opts)
}

// RestoreEngine verifies the snapshot at path and restores it into a Go engine.
func RestoreEngine(e Engine, path string, opts *SnapshotOptions) error {
	return runEngine(e, true, path, opts)
}
