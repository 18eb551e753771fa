package pager

import (
	"errors"
	"fmt"

	"libpager.dev/pager/internal/capi"
)

// Mapped page file (pager_file_*). Go never holds a pointer into the mapping (a slice
// over it would dangle after Free or Close, and the GC cannot see it): page bytes are
// copied in and out with ReadAt / WriteAt, one native call each.

// FileOptions mirrors pager_file_options; start from DefaultFileOptions().
type FileOptions struct {
	PageSize         uint32 // create: power of two in [1024, 65536] (0 = 4096); open: expected (0 = any)
	MaxSizeBytes     uint64
	LockTimeoutMs    int64
	InitialPageCount uint64
	ReadOnly         bool
	// FormatVersion: create: 0 or 2 = the journaled format 2 (default), 1 = format 1 (in place,
	// no "-journal"); open: the format expected (0 = any; another fails with ErrVersion).
	FormatVersion uint32
	// JournalLapBytes: format 2: journal bytes between two checkpoints; 0 = 64 MiB, else
	// [1 MiB, 2^40]; must be 0 with FormatVersion 1. Not stored in the file (per handle).
	JournalLapBytes uint64
}

// DefaultFileOptions returns what pager_file_options_init writes.
func DefaultFileOptions() FileOptions {
	c := capi.NewPager_file_options()
	defer capi.DeletePager_file_options(c)
	return FileOptions{
		PageSize: c.GetPage_size(), MaxSizeBytes: c.GetMax_size_bytes(),
		LockTimeoutMs: c.GetLock_timeout_ms(), InitialPageCount: c.GetInitial_page_count(),
		ReadOnly: c.GetRead_only() != 0, FormatVersion: c.GetFormat_version(),
		JournalLapBytes: c.GetJournal_lap_bytes(),
	}
}

func (o *FileOptions) toC() capi.Pager_file_options {
	c := capi.NewPager_file_options()
	c.SetPage_size(o.PageSize)
	c.SetMax_size_bytes(o.MaxSizeBytes)
	c.SetLock_timeout_ms(o.LockTimeoutMs)
	c.SetInitial_page_count(o.InitialPageCount)
	c.SetFormat_version(o.FormatVersion)
	c.SetJournal_lap_bytes(o.JournalLapBytes)
	if o.ReadOnly {
		c.SetRead_only(1)
	}
	return c
}

// PageFile is an open page file. Methods may be called from several goroutines. Close may
// run concurrently with them: it waits for the calls in progress, and later calls return a
// *ClosedError (errors.Is(err, ErrClosed)).
type PageFile struct{ h handle }

func openFile(path string, create bool, opts *FileOptions) (*PageFile, error) {
	var c capi.Pager_file_options
	if opts != nil {
		c = opts.toC()
		defer capi.DeletePager_file_options(c)
	}
	var h uintptr
	var err error
	if create {
		err = capi.Pager_file_create(path, c, &h)
	} else {
		err = capi.Pager_file_open(path, c, &h)
	}
	if err != nil {
		return nil, err
	}
	f := &PageFile{}
	return own(f, &f.h, h, "PageFile", capi.Pager_file_close), nil
}

// CreateFile creates a new page file (fails with ErrExists); opts may be nil.
func CreateFile(path string, opts *FileOptions) (*PageFile, error) { return openFile(path, true, opts) }

// OpenFile opens a page file (read-write unless opts.ReadOnly); opts may be nil.
func OpenFile(path string, opts *FileOptions) (*PageFile, error) { return openFile(path, false, opts) }

// Close unmaps, unlocks and closes (every commit is already durable). Idempotent; it waits
// for calls running on other goroutines. Open transactions then fail with a *ClosedError.
func (f *PageFile) Close() error {
	return f.h.release(func(p uintptr) error { capi.Pager_file_close(p); return nil })
}

func pageSizeOf(p uintptr) (int, error) {
	var v uint32
	err := capi.Pager_file_page_size(p, &v)
	return int(v), err
}

// PageSize is the page size in bytes.
func (f *PageFile) PageSize() (int, error) {
	var n int
	err := f.h.do(func(p uintptr) (err error) { n, err = pageSizeOf(p); return })
	return n, err
}

func (f *PageFile) u64(get func(p uintptr, v *uint64) error) (uint64, error) {
	var v uint64
	err := f.h.do(func(p uintptr) error { return get(p, &v) })
	return v, err
}

// PageCount counts the pages of the page space.
func (f *PageFile) PageCount() (uint64, error) { return f.u64(capi.Pager_file_page_count) }

// FreePageCount counts the free pages of the page space.
func (f *PageFile) FreePageCount() (uint64, error) { return f.u64(capi.Pager_file_free_page_count) }

// Alloc allocates one page (one durable commit) and returns its id.
func (f *PageFile) Alloc() (uint64, error) { return f.u64(capi.Pager_file_alloc) }

// AllocBulk allocates n pages in one commit, all or nothing.
func (f *PageFile) AllocBulk(n int) ([]uint64, error) {
	ids := make([]uint64, n)
	if err := f.h.do(func(p uintptr) error { return capi.Pager_file_alloc_bulk(p, ids) }); err != nil {
		return nil, err
	}
	return ids, nil
}

// Free frees a page (one commit).
func (f *PageFile) Free(id uint64) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_free(p, id) })
}

// FreeBulk frees pages in one commit, all or nothing.
func (f *PageFile) FreeBulk(ids []uint64) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_free_bulk(p, ids) })
}

// Grow grows the page space to at least n pages.
func (f *PageFile) Grow(n uint64) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_grow(p, n) })
}

// Advice says how the caller will touch mapped pages (PageFile.Advise; PAGER_FILE_ADVICE_*).
type Advice uint32

const (
	AdviceNormal     Advice = 0 // the kernel's default read-ahead
	AdviceRandom     Advice = 1 // a fault reads its page only (no read-ahead)
	AdviceSequential Advice = 2 // aggressive read-ahead
	AdviceWillNeed   Advice = 3 // start reading the pages into the page cache now (one-shot)
	AdviceDontNeed   Advice = 4 // drop this process's page-table entries; no data is lost (one-shot)
)

// Advise advises the kernel how the pages [first, first+count) of the mapping will be
// touched; count 0 with first 0 is the whole file, and a file-wide AdviceNormal, AdviceRandom
// or AdviceSequential also covers the pages the file grows by later. It never changes a byte.
// ErrRange past the page space; ErrIO if the kernel refuses the advice.
func (f *PageFile) Advise(first, count uint64, a Advice) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_advise(p, first, count, uint32(a)) })
}

// spanOf checks [offset, offset+n) against the page size of the file p.
func spanOf(p uintptr, offset uint64, n int) error {
	size, err := pageSizeOf(p)
	if err != nil {
		return err
	}
	return spanCheck(size, offset, n)
}

// spanCheck is ErrRange (with a message) unless [offset, offset+n) lies in a size-byte page.
// The C helpers check the same bound themselves; this one names the bytes.
func spanCheck(size int, offset uint64, n int) error {
	if offset > uint64(size) || uint64(n) > uint64(size)-offset {
		return &Error{Code: CodeRange, Message: fmt.Sprintf(
			"bytes [%d, %d) are outside a %d-byte page", offset, offset+uint64(n), size)}
	}
	return nil
}

// ReadAt copies the page's bytes [offset, offset+len(dst)) into dst.
func (f *PageFile) ReadAt(id, offset uint64, dst []byte) error {
	return f.h.do(func(p uintptr) error {
		if err := spanOf(p, offset, len(dst)); err != nil {
			return err
		}
		return capi.Pagerswig_file_page_read(p, id, offset, dst)
	})
}

// ReadPage returns a copy of the whole page.
func (f *PageFile) ReadPage(id uint64) ([]byte, error) {
	var buf []byte
	err := f.h.do(func(p uintptr) error {
		size, err := pageSizeOf(p)
		if err != nil {
			return err
		}
		buf = make([]byte, size)
		return capi.Pagerswig_file_page_read(p, id, 0, buf)
	})
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// WriteAt copies src into the page at offset (durable after SyncPages).
func (f *PageFile) WriteAt(id, offset uint64, src []byte) error {
	return f.h.do(func(p uintptr) error {
		if err := spanOf(p, offset, len(src)); err != nil {
			return err
		}
		return capi.Pagerswig_file_page_write(p, id, offset, src)
	})
}

// SyncPages makes the listed pages' bytes durable.
func (f *PageFile) SyncPages(ids ...uint64) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_sync_pages(p, ids) })
}

// ProtectedAlloc allocates a protected page (content: zeros) and returns its id.
func (f *PageFile) ProtectedAlloc() (uint64, error) { return f.u64(capi.Pager_file_protected_alloc) }

// ProtectedFree frees a protected page.
func (f *PageFile) ProtectedFree(id uint64) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_protected_free(p, id) })
}

// ProtectedRead returns a copy of a protected page's committed content.
func (f *PageFile) ProtectedRead(id uint64) ([]byte, error) {
	var buf []byte
	err := f.h.do(func(p uintptr) error {
		size, err := pageSizeOf(p)
		if err != nil {
			return err
		}
		buf = make([]byte, size)
		return capi.Pager_file_protected_read(p, id, buf)
	})
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// ProtectedWrite replaces a protected page's content crash-safely (a one-page transaction):
// after a crash it reads as the old or the new content. content must be one page.
func (f *PageFile) ProtectedWrite(id uint64, content []byte) error {
	size, err := f.PageSize()
	if err != nil {
		return err
	}
	if len(content) != size {
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf(
			"protected page content is %d bytes, the page size is %d", len(content), size)}
	}
	txn, err := f.Begin()
	if err != nil {
		return err
	}
	defer txn.Close()
	if err := txn.WritePage(id, content); err != nil {
		return err
	}
	return txn.Commit()
}

// FileTxn is a write transaction over any number of protected pages: Commit makes every
// page's copy its content at once (after a crash all pages read old or all read new).
// Close it (it aborts if not committed). Methods may be called from several goroutines;
// Close waits for the calls in progress. After Close, and after its PageFile's Close,
// calls return a *ClosedError (errors.Is(err, ErrClosed)).
type FileTxn struct {
	h    handle
	file *PageFile // to tell "the file is closed" from other ErrInvalid
}

// Begin starts a write transaction on the file.
func (f *PageFile) Begin() (*FileTxn, error) {
	var h uintptr
	if err := f.h.do(func(p uintptr) error { return capi.Pager_file_txn_begin(p, &h) }); err != nil {
		return nil, err
	}
	t := &FileTxn{file: f}
	return own(t, &t.h, h, "FileTxn", capi.Pager_file_txn_free), nil
}

// do runs call on the transaction; the library's INVALID "closed" (its file was closed)
// becomes a *ClosedError naming the PageFile.
func (t *FileTxn) do(call func(p uintptr) error) error {
	err := t.h.do(call)
	var pe *Error
	if errors.As(err, &pe) && pe.Code == CodeInvalid && t.file.h.isClosed() {
		return &ClosedError{Handle: "PageFile", Err: err}
	}
	return err
}

// Add adds protected page id; its private copy starts as the committed content.
// ErrBusy if another open transaction holds the page.
func (t *FileTxn) Add(id uint64) error {
	return t.do(func(p uintptr) error { return capi.Pagerswig_file_txn_add(p, id) })
}

// WritePage sets page id's copy to page (exactly one page) without reading the committed
// content: a blind write, for a caller that replaces the whole page. It holds the page as Add
// does (ErrBusy if another open transaction holds it); a page the transaction already holds
// has its copy replaced. ErrInvalid for a page of another length.
func (t *FileTxn) WritePage(id uint64, page []byte) error {
	return t.do(func(p uintptr) error { return capi.Pager_file_txn_write(p, id, page) })
}

// AllocPage allocates a new protected page inside the transaction and returns its id; its
// copy starts as zeros (fill it with WriteAt). Until Commit the page is invisible to everyone
// else; Close without Commit gives the id back (the allocator is as before). ErrFull if the
// directory, counting pages open transactions allocated, is full.
func (t *FileTxn) AllocPage() (uint64, error) {
	var id uint64
	err := t.do(func(p uintptr) error { return capi.Pagerswig_file_txn_alloc_page(p, &id) })
	return id, err
}

// FreePage frees protected page id when the transaction commits (in the same crash-safe
// commit as its other pages). Until then the page stays allocated and held: other
// transactions get ErrBusy for it and nobody reuses it. A page this transaction allocated is
// given back at once. ErrDoubleFree if the page is not allocated or already freed here.
func (t *FileTxn) FreePage(id uint64) error {
	return t.do(func(p uintptr) error { return capi.Pager_file_txn_free_page(p, id) })
}

func txnPageSizeOf(p uintptr) (int, error) {
	var v uint32
	err := capi.Pager_file_txn_page_size(p, &v)
	return int(v), err
}

// PageSize is the page size (the size of every copy) of the transaction's file.
func (t *FileTxn) PageSize() (int, error) {
	var n int
	err := t.do(func(p uintptr) (err error) { n, err = txnPageSizeOf(p); return })
	return n, err
}

// PageCount counts the pages the transaction holds (0 once it has ended).
func (t *FileTxn) PageCount() (uint64, error) {
	var v uint64
	err := t.do(func(p uintptr) error { return capi.Pager_file_txn_page_count(p, &v) })
	return v, err
}

func txnSpanOf(p uintptr, offset uint64, n int) error {
	size, err := txnPageSizeOf(p)
	if err != nil {
		return err
	}
	return spanCheck(size, offset, n)
}

// ReadAt copies bytes [offset, offset+len(dst)) of page id's copy into dst (ErrRange past
// the page).
func (t *FileTxn) ReadAt(id, offset uint64, dst []byte) error {
	return t.do(func(p uintptr) error {
		if err := txnSpanOf(p, offset, len(dst)); err != nil {
			return err
		}
		return capi.Pagerswig_file_txn_read(p, id, offset, dst)
	})
}

// WriteAt copies src into page id's copy at offset (ErrRange past the page).
func (t *FileTxn) WriteAt(id, offset uint64, src []byte) error {
	return t.do(func(p uintptr) error {
		if err := txnSpanOf(p, offset, len(src)); err != nil {
			return err
		}
		return capi.Pagerswig_file_txn_write(p, id, offset, src)
	})
}

// Commit writes every page of the transaction in one crash-safe commit and ends it.
func (t *FileTxn) Commit() error { return t.do(capi.Pager_file_txn_commit) }

// Close ends the transaction (an abort if it was not committed). Idempotent; it waits for
// calls running on other goroutines.
func (t *FileTxn) Close() error {
	return t.h.release(func(p uintptr) error { capi.Pager_file_txn_free(p); return nil })
}

// drainIter lists an iterator's ids and frees it (the caller holds the file).
func drainIter(it uintptr) ([]uint64, error) {
	defer capi.Pager_file_iter_free(it)
	var ids []uint64
	for {
		var id uint64
		var found uint32
		if err := capi.Pager_file_iter_next(it, &id, &found); err != nil {
			return nil, err
		}
		if found == 0 {
			return ids, nil
		}
		ids = append(ids, id)
	}
}

// listIDs opens an iterator with open and drains it, holding the file throughout.
func (f *PageFile) listIDs(open func(p uintptr, it *uintptr) error) ([]uint64, error) {
	var ids []uint64
	err := f.h.do(func(p uintptr) error {
		var it uintptr
		if err := open(p, &it); err != nil {
			return err
		}
		var err error
		ids, err = drainIter(it)
		return err
	})
	return ids, err
}

// PageIDs lists the allocated regular pages in increasing order.
func (f *PageFile) PageIDs() ([]uint64, error) { return f.listIDs(capi.Pager_file_iter_pages) }

// ProtectedIDs lists the allocated protected page ids in increasing order.
func (f *PageFile) ProtectedIDs() ([]uint64, error) {
	return f.listIDs(capi.Pager_file_iter_protected)
}
