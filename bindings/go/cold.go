package pager

import (
	"fmt"
	"io"

	"libpager.dev/pager/internal/capi"
)

// Cold pager (pager_cold_*): byte ranges paged out of RAM (swap backend: kept in memory and
// advised cold; file backend: written to scratch files) and read back by range.
// Not bound: the ownership-transferring pageout (pager_cold_pageout_owned: its free
// callback would have to call into Go from any thread) and the taken-buffer API.

// Backends of pager.h.
var (
	ColdBackendDefault = uint32(capi.PAGER_COLD_BACKEND_DEFAULT)
	ColdBackendSwap    = uint32(capi.PAGER_COLD_BACKEND_SWAP)
	ColdBackendFile    = uint32(capi.PAGER_COLD_BACKEND_FILE)
)

// ColdOptions are the settings of OpenCold (pager_cold_options).
type ColdOptions struct {
	Backend     uint32 // ColdBackendSwap (also 0) or ColdBackendFile: the pager's default
	ScratchRoot string // "" (none yet: the file backend needs SetScratchDir) or a root directory
}

// ColdPager is one cold pager (pager_cold). Pagers are independent of each other. Its handles
// stay usable after Close until each is taken or closed itself. Close may run while other
// goroutines call the pager: it waits for them, and later calls return a *ClosedError.
type ColdPager struct{ h handle }

// OpenCold opens a cold pager; opts may be nil (swap backend, no scratch directory).
func OpenCold(opts *ColdOptions) (*ColdPager, error) {
	var o ColdOptions
	if opts != nil {
		o = *opts
	}
	var c uintptr
	if err := capi.Pagerswig_cold_open(o.Backend, o.ScratchRoot, &c); err != nil {
		return nil, err
	}
	p := &ColdPager{}
	return own(p, &p.h, c, "ColdPager", capi.Pager_cold_close), nil
}

// Close releases the pager (live handles keep working). Idempotent.
func (p *ColdPager) Close() error {
	return p.h.release(func(c uintptr) error { capi.Pager_cold_close(c); return nil })
}

// SetScratchDir configures the file backend's scratch root (once per pager; another root
// later is ErrExists). Two pagers may share a root: each gets its own private directory.
func (p *ColdPager) SetScratchDir(root string) error {
	return p.h.do(func(c uintptr) error { return capi.Pager_cold_set_scratch_dir(c, root) })
}

// ScratchDir is this pager's private scratch directory ("" before one was set).
func (p *ColdPager) ScratchDir() (string, error) {
	var n uint64
	buf := make([]byte, 256)
	for {
		if err := p.h.do(func(c uintptr) error { return capi.Pager_cold_scratch_dir(c, buf, &n) }); err != nil {
			return "", err
		}
		if n < uint64(len(buf)) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, n+1) // truncated: again with the full length
	}
}

// SetBackend sets the pager's default backend (ColdBackendSwap or ColdBackendFile).
func (p *ColdPager) SetBackend(backend uint32) error {
	return p.h.do(func(c uintptr) error { return capi.Pager_cold_set_backend(c, backend) })
}

// Backend is the pager's default backend.
func (p *ColdPager) Backend() (uint32, error) {
	var b uint32
	err := p.h.do(func(c uintptr) error { return capi.Pager_cold_backend(c, &b) })
	return b, err
}

// ColdPageoutOptions mirrors pager_cold_pageout_options.
type ColdPageoutOptions struct {
	Checksums        bool // file backend: verify every chunk a read touches
	FallbackToMemory bool // keep the bytes in memory if the scratch write fails
}

// ColdHandle owns paged-out bytes. Reads may run concurrently; Take and Close consume it
// (they wait for the reads in progress; later calls return a *ClosedError). It keeps working
// after its ColdPager is closed.
type ColdHandle struct{ h handle }

// Pageout pages out a copy of the concatenation of chunks on backend (ColdBackendDefault:
// the pager's default). More than one chunk is concatenated in Go first (one extra copy).
// opts may be nil.
func (p *ColdPager) Pageout(backend uint32, opts *ColdPageoutOptions, chunks ...[]byte) (*ColdHandle, error) {
	var data []byte
	if len(chunks) == 1 {
		data = chunks[0]
	} else {
		for _, c := range chunks {
			data = append(data, c...)
		}
	}
	var c capi.Pager_cold_pageout_options
	if opts != nil {
		c = capi.NewPager_cold_pageout_options()
		defer capi.DeletePager_cold_pageout_options(c)
		if opts.Checksums {
			c.SetChecksums(1)
		}
		if opts.FallbackToMemory {
			c.SetFallback_to_memory(1)
		}
	}
	var h uintptr
	if err := p.h.do(func(cp uintptr) error { return capi.Pagerswig_cold_pageout(cp, backend, data, c, &h) }); err != nil {
		return nil, err
	}
	ch := &ColdHandle{}
	return own(ch, &ch.h, h, "ColdHandle", capi.Pager_cold_free), nil
}

// Len is the handle's length in bytes (0 once closed or taken).
func (c *ColdHandle) Len() uint64 {
	var n uint64
	_ = c.h.do(func(h uintptr) error { n = capi.Pager_cold_len(h); return nil })
	return n
}

// Backend is ColdBackendSwap or ColdBackendFile (0 once closed or taken).
func (c *ColdHandle) Backend() uint32 {
	var b uint32
	_ = c.h.do(func(h uintptr) error { b = capi.Pager_cold_backend_of(h); return nil })
	return b
}

// ReadAt implements io.ReaderAt: it copies [off, off+len(dst)) into dst. A read that
// reaches past the end copies the bytes before it and returns io.EOF with their count.
// Reads may run concurrently (io.ReaderAt's contract); a negative offset is ErrRange.
func (c *ColdHandle) ReadAt(dst []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Code: CodeRange, Message: fmt.Sprintf("negative offset %d", off)}
	}
	n := 0
	err := c.h.do(func(h uintptr) error {
		size := capi.Pager_cold_len(h)
		if uint64(off) >= size {
			if len(dst) == 0 {
				return nil
			}
			return io.EOF
		}
		n = int(min(uint64(len(dst)), size-uint64(off)))
		if err := capi.Pager_cold_read_at(h, uint64(off), dst[:n]); err != nil {
			n = 0
			return err
		}
		if n < len(dst) {
			return io.EOF
		}
		return nil
	})
	return n, err
}

// ColdRange is [Offset, Offset+Len) of a handle.
type ColdRange struct{ Offset, Len uint64 }

// ReadAtMany reads the ranges one after the other into a new slice (request order).
func (c *ColdHandle) ReadAtMany(ranges ...ColdRange) ([]byte, error) {
	pairs := make([]uint64, 0, 2*len(ranges))
	var total uint64
	for _, r := range ranges {
		pairs = append(pairs, r.Offset, r.Len)
		total += r.Len
		if total < r.Len || total > 1<<40 {
			return nil, &Error{Code: CodeTooLarge, Message: fmt.Sprintf("ranges total more than %d bytes", uint64(1)<<40)}
		}
	}
	dst := make([]byte, total)
	if err := c.h.do(func(h uintptr) error { return capi.Pagerswig_cold_read_at_many(h, pairs, dst) }); err != nil {
		return nil, err
	}
	return dst, nil
}

// Take returns the whole content and frees the handle (on failure it stays open). It waits
// for the reads in progress.
func (c *ColdHandle) Take() ([]byte, error) {
	var dst []byte
	err := c.h.consume(func(h uintptr) (bool, error) {
		dst = make([]byte, capi.Pager_cold_len(h))
		if err := capi.Pager_cold_take(h, dst); err != nil {
			return false, err
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return dst, nil
}

// Close frees the handle and its storage, after the reads in progress. Idempotent.
func (c *ColdHandle) Close() error {
	return c.h.release(func(h uintptr) error { capi.Pager_cold_free(h); return nil })
}

// ColdBackendStats are one backend's counters.
type ColdBackendStats struct {
	LiveHandleCount, LiveBytes, PageoutCount, PagedOutBytes, PagedInBytes, ReadCount uint64
}

// ColdStats are a pager's counters (a subset of pager_cold_stats).
type ColdStats struct {
	Swap, File                                           ColdBackendStats
	ScratchAllocatedBytes, ScratchFileCount              uint64
	FallbackCount, WriteErrorCount, ChecksumFailureCount uint64
}

func backendStats(b capi.Pager_cold_backend_stats) ColdBackendStats {
	return ColdBackendStats{b.GetLive_handle_count(), b.GetLive_bytes(), b.GetPageout_count(),
		b.GetPaged_out_bytes(), b.GetPaged_in_bytes(), b.GetRead_count()}
}

// Stats returns the pager's counters.
func (p *ColdPager) Stats() (ColdStats, error) {
	c := capi.NewPager_cold_stats()
	defer capi.DeletePager_cold_stats(c)
	if err := p.h.do(func(cp uintptr) error { return capi.Pager_cold_get_stats(cp, c) }); err != nil {
		return ColdStats{}, err
	}
	return ColdStats{
		Swap: backendStats(c.GetSwap()), File: backendStats(c.GetFile()),
		ScratchAllocatedBytes: c.GetScratch_allocated_bytes(), ScratchFileCount: c.GetScratch_file_count(),
		FallbackCount: c.GetFallback_count(), WriteErrorCount: c.GetWrite_error_count(),
		ChecksumFailureCount: c.GetChecksum_failure_count(),
	}, nil
}
