package pager

// #cgo pkg-config: pager
// #include <stdlib.h>
// #include "snapshot_engine.h"
import "C"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
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

// progressCtx is the Go side of a snapshot's progress callback (progress_ctx is its
// cgo.Handle): the caller's Progress func and context.
type progressCtx struct {
	fn    func(doneBytes, totalBytes uint64) bool
	ctx   context.Context
	panic any
}

//export pagergoProgress
func pagergoProgress(h C.uintptr_t, done, total C.uint64_t) (code C.int) {
	p := cgo.Handle(h).Value().(*progressCtx)
	if p.panic != nil {
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			p.panic = r
			code = 1
		}
	}()
	if p.ctx != nil && p.ctx.Err() != nil {
		return 1
	}
	if p.fn != nil && !p.fn(uint64(done), uint64(total)) {
		return 1
	}
	return 0
}

// snapRun is one snapshot operation: the engine (a Go engine's cgo.Handle or a
// pager_refengine pointer), the mode, and where.
type snapRun struct {
	engine    uintptr
	refengine bool
	releases  bool
	mode      C.int // C.PAGERGO_*
	path      string
	fd        int
}

// runSnapshot runs r with opts (nil: defaults); ctx (may be nil) cancels it through the
// progress callback. A panic in a Go callback is re-raised here, after the call returned.
func runSnapshot(ctx context.Context, r snapRun, opts *SnapshotOptions, ectx *engineCtx) error {
	if opts == nil {
		opts = &SnapshotOptions{}
	}
	var s C.pagergo_snap
	s.engine = C.uintptr_t(r.engine)
	if r.refengine {
		s.refengine = 1
	}
	if r.releases {
		s.releases = 1
	}
	s.mode = r.mode
	s.fd = C.int(r.fd)
	if r.mode != C.PAGERGO_CAPTURE_FD {
		s.path = C.CString(r.path)
		defer C.free(unsafe.Pointer(s.path))
	}
	if opts.ParentPath != "" {
		s.parent_path = C.CString(opts.ParentPath)
		defer C.free(unsafe.Pointer(s.parent_path))
	}
	s.compression = C.uint32_t(opts.Compression)
	s.zstd_level = C.int32_t(opts.ZstdLevel)
	s.threads = C.uint32_t(opts.Threads)
	if opts.AllowNonempty {
		s.allow_nonempty = 1
	}
	if opts.SyncFd {
		s.sync_fd = 1
	}
	s.copy_out_budget_bytes = C.uint64_t(opts.CopyOutBudgetBytes)
	var prog *progressCtx
	if opts.Progress != nil || (ctx != nil && ctx.Done() != nil) {
		prog = &progressCtx{fn: opts.Progress, ctx: ctx}
		ph := cgo.NewHandle(prog)
		defer ph.Delete()
		s.progress = C.uintptr_t(ph)
	}
	msg := make([]byte, 1024)
	rc := C.pagergo_snapshot(&s, (*C.char)(unsafe.Pointer(&msg[0])), C.uint64_t(len(msg)))
	if ectx != nil && ectx.panic != nil {
		panic(ectx.panic)
	}
	if prog != nil && prog.panic != nil {
		panic(prog.panic)
	}
	if rc == 0 {
		return nil
	}
	if i := bytes.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	err := error(&Error{Code: ErrorCode(rc), Message: string(msg)})
	if ctx != nil && ctx.Err() != nil && ErrorCode(rc) == CodeCancelled {
		return fmt.Errorf("%w (%w)", err, ctx.Err())
	}
	return err
}

// captureTo runs a capture into w through capture(fd): an *os.File directly (its descriptor,
// written from its current state as pager_snapshot_capture_fd says), anything else through a
// pipe drained by a goroutine. When w fails the pipe is still drained (the library never sees
// EPIPE) and w's error is returned.
func captureTo(w io.Writer, capture func(fd int) error) error {
	if f, ok := w.(*os.File); ok {
		err := capture(int(f.Fd()))
		runtime.KeepAlive(f)
		return err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(w, pr)
		if err != nil {
			_, _ = io.Copy(io.Discard, pr)
		}
		copied <- err
	}()
	err = capture(int(pw.Fd()))
	runtime.KeepAlive(pw)
	closeErr := pw.Close()
	copyErr := <-copied
	_ = pr.Close()
	if err != nil {
		return err
	}
	if copyErr != nil {
		return copyErr
	}
	return closeErr
}

func runEngine(ctx context.Context, e Engine, r snapRun, opts *SnapshotOptions) error {
	ec := &engineCtx{e: e}
	h := cgo.NewHandle(ec)
	defer h.Delete()
	r.engine = uintptr(h)
	_, r.releases = e.(SlotReleaser)
	return runSnapshot(ctx, r, opts, ec)
}

// CaptureEngine writes a snapshot of a Go engine to path. opts may be nil.
func CaptureEngine(e Engine, path string, opts *SnapshotOptions) error {
	return CaptureEngineContext(context.Background(), e, path, opts)
}

// CaptureEngineContext is CaptureEngine cancelled when ctx is done (the error then matches
// both ErrCancelled and ctx.Err(); the engine is resumed and path untouched).
func CaptureEngineContext(ctx context.Context, e Engine, path string, opts *SnapshotOptions) error {
	return runEngine(ctx, e, snapRun{mode: C.PAGERGO_CAPTURE, path: path}, opts)
}

// CaptureEngineTo writes a snapshot of a Go engine as one stream to w
// (pager_snapshot_capture_fd: an *os.File's descriptor directly, any other io.Writer through
// a pipe). opts.SyncFd fsyncs an *os.File at the end. ctx cancels as in CaptureEngineContext
// (w may then hold a partial stream, which restore refuses).
func CaptureEngineTo(ctx context.Context, e Engine, w io.Writer, opts *SnapshotOptions) error {
	return captureTo(w, func(fd int) error {
		return runEngine(ctx, e, snapRun{mode: C.PAGERGO_CAPTURE_FD, fd: fd}, opts)
	})
}

// RestoreEngine verifies the snapshot at path and restores it into a Go engine.
func RestoreEngine(e Engine, path string, opts *SnapshotOptions) error {
	return RestoreEngineContext(context.Background(), e, path, opts)
}

// RestoreEngineContext is RestoreEngine cancelled when ctx is done -- until the engine's
// AllocatePages is called; after that the restore runs to completion (pager.h).
func RestoreEngineContext(ctx context.Context, e Engine, path string, opts *SnapshotOptions) error {
	return runEngine(ctx, e, snapRun{mode: C.PAGERGO_RESTORE, path: path}, opts)
}
