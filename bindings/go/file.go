package pager

import (
	"fmt"

	"libpager.dev/pager/capi"
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
}

// DefaultFileOptions returns what pager_file_options_init writes.
func DefaultFileOptions() FileOptions {
	c := capi.NewPager_file_options()
	defer capi.DeletePager_file_options(c)
	return FileOptions{
		PageSize: c.GetPage_size(), MaxSizeBytes: c.GetMax_size_bytes(),
		LockTimeoutMs: c.GetLock_timeout_ms(), InitialPageCount: c.GetInitial_page_count(),
		ReadOnly: c.GetRead_only() != 0,
	}
}

func (o *FileOptions) toC() capi.Pager_file_options {
	c := capi.NewPager_file_options()
	c.SetPage_size(o.PageSize)
	c.SetMax_size_bytes(o.MaxSizeBytes)
	c.SetLock_timeout_ms(o.LockTimeoutMs)
	c.SetInitial_page_count(o.InitialPageCount)
	if o.ReadOnly {
		c.SetRead_only(1)
	}
	return c
}

// PageFile is an open page file. Methods may be called from several goroutines; Close
// must not run concurrently with them.
type PageFile struct{ h uintptr }

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
	return &PageFile{h: h}, nil
}

// CreateFile creates a new page file (fails with ErrExists); opts may be nil.
func CreateFile(path string, opts *FileOptions) (*PageFile, error) { return openFile(path, true, opts) }

// OpenFile opens a page file (read-write unless opts.ReadOnly); opts may be nil.
func OpenFile(path string, opts *FileOptions) (*PageFile, error) { return openFile(path, false, opts) }

// Close unmaps, unlocks and closes (every commit is already durable). Idempotent.
func (f *PageFile) Close() error {
	if f.h != 0 {
		capi.Pager_file_close(f.h)
		f.h = 0
	}
	return nil
}

// PageSize is the page size in bytes.
func (f *PageFile) PageSize() (int, error) {
	var v uint32
	err := capi.Pager_file_page_size(f.h, &v)
	return int(v), err
}

// PageCount counts the pages of the page space.
func (f *PageFile) PageCount() (uint64, error) {
	var v uint64
	err := capi.Pager_file_page_count(f.h, &v)
	return v, err
}

// FreePageCount counts the free pages of the page space.
func (f *PageFile) FreePageCount() (uint64, error) {
	var v uint64
	err := capi.Pager_file_free_page_count(f.h, &v)
	return v, err
}

// Alloc allocates one page (one durable commit) and returns its id.
func (f *PageFile) Alloc() (uint64, error) {
	var id uint64
	err := capi.Pager_file_alloc(f.h, &id)
	return id, err
}

// AllocBulk allocates n pages in one commit, all or nothing.
func (f *PageFile) AllocBulk(n int) ([]uint64, error) {
	ids := make([]uint64, n)
	if err := capi.Pager_file_alloc_bulk(f.h, ids); err != nil {
		return nil, err
	}
	return ids, nil
}

// Free frees a page (one commit).
func (f *PageFile) Free(id uint64) error { return capi.Pager_file_free(f.h, id) }

// FreeBulk frees pages in one commit, all or nothing.
func (f *PageFile) FreeBulk(ids []uint64) error { return capi.Pager_file_free_bulk(f.h, ids) }

// Grow grows the page space to at least n pages.
func (f *PageFile) Grow(n uint64) error { return capi.Pager_file_grow(f.h, n) }

func (f *PageFile) span(offset uint64, n int) error {
	size, err := f.PageSize()
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
	if err := f.span(offset, len(dst)); err != nil {
		return err
	}
	return capi.Pagerswig_file_page_read(f.h, id, offset, dst)
}

// ReadPage returns a copy of the whole page.
func (f *PageFile) ReadPage(id uint64) ([]byte, error) {
	size, err := f.PageSize()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	if err := f.ReadAt(id, 0, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// WriteAt copies src into the page at offset (durable after SyncPages).
func (f *PageFile) WriteAt(id, offset uint64, src []byte) error {
	if err := f.span(offset, len(src)); err != nil {
		return err
	}
	return capi.Pagerswig_file_page_write(f.h, id, offset, src)
}

// SyncPages makes the listed pages' bytes durable.
func (f *PageFile) SyncPages(ids ...uint64) error { return capi.Pager_file_sync_pages(f.h, ids) }

// ProtectedAlloc allocates a protected page (content: zeros) and returns its id.
func (f *PageFile) ProtectedAlloc() (uint64, error) {
	var id uint64
	err := capi.Pager_file_protected_alloc(f.h, &id)
	return id, err
}

// ProtectedFree frees a protected page.
func (f *PageFile) ProtectedFree(id uint64) error { return capi.Pager_file_protected_free(f.h, id) }

// ProtectedRead returns a copy of a protected page's committed content.
func (f *PageFile) ProtectedRead(id uint64) ([]byte, error) {
	size, err := f.PageSize()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	if err := capi.Pager_file_protected_read(f.h, id, buf); err != nil {
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
	if err := txn.Add(id); err != nil {
		return err
	}
	if err := txn.WriteAt(id, 0, content); err != nil {
		return err
	}
	return txn.Commit()
}

// FileTxn is a write transaction over any number of protected pages: Commit makes every
// page's copy its content at once (after a crash all pages read old or all read new).
// Close it (it aborts if not committed). Methods may be called from several goroutines;
// Close must not run concurrently with them.
type FileTxn struct{ h uintptr }

// Begin starts a write transaction on the file.
func (f *PageFile) Begin() (*FileTxn, error) {
	var h uintptr
	if err := capi.Pager_file_txn_begin(f.h, &h); err != nil {
		return nil, err
	}
	return &FileTxn{h: h}, nil
}

// Add adds protected page id; its private copy starts as the committed content.
// ErrBusy if another open transaction holds the page.
func (t *FileTxn) Add(id uint64) error { return capi.Pagerswig_file_txn_add(t.h, id) }

// PageSize is the page size (the size of every copy) of the transaction's file.
func (t *FileTxn) PageSize() (int, error) {
	var v uint32
	err := capi.Pager_file_txn_page_size(t.h, &v)
	return int(v), err
}

// PageCount counts the pages the transaction holds (0 once it has ended).
func (t *FileTxn) PageCount() (uint64, error) {
	var v uint64
	err := capi.Pager_file_txn_page_count(t.h, &v)
	return v, err
}

// ReadAt copies bytes [offset, offset+len(dst)) of page id's copy into dst (ErrRange past
// the page).
func (t *FileTxn) ReadAt(id, offset uint64, dst []byte) error {
	if err := t.span(offset, len(dst)); err != nil {
		return err
	}
	return capi.Pagerswig_file_txn_read(t.h, id, offset, dst)
}

func (t *FileTxn) span(offset uint64, n int) error {
	size, err := t.PageSize()
	if err != nil {
		return err
	}
	return spanCheck(size, offset, n)
}

// WriteAt copies src into page id's copy at offset (ErrRange past the page).
func (t *FileTxn) WriteAt(id, offset uint64, src []byte) error {
	if err := t.span(offset, len(src)); err != nil {
		return err
	}
	return capi.Pagerswig_file_txn_write(t.h, id, offset, src)
}

// Commit writes every page of the transaction in one crash-safe commit and ends it.
func (t *FileTxn) Commit() error { return capi.Pager_file_txn_commit(t.h) }

// Close ends the transaction (an abort if it was not committed). Idempotent.
func (t *FileTxn) Close() error {
	if t.h != 0 {
		capi.Pager_file_txn_free(t.h)
		t.h = 0
	}
	return nil
}

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

// PageIDs lists the allocated regular pages in increasing order.
func (f *PageFile) PageIDs() ([]uint64, error) {
	var it uintptr
	if err := capi.Pager_file_iter_pages(f.h, &it); err != nil {
		return nil, err
	}
	return drainIter(it)
}

// ProtectedIDs lists the allocated protected page ids in increasing order.
func (f *PageFile) ProtectedIDs() ([]uint64, error) {
	var it uintptr
	if err := capi.Pager_file_iter_protected(f.h, &it); err != nil {
		return nil, err
	}
	return drainIter(it)
}
