package pager

import (
	"errors"
	"fmt"
	"io"
	"iter"

	"libpager.dev/pager/internal/capi"
)

// Page-file additions: iterators, io.ReaderAt/io.WriterAt over one page, protected bulk
// calls and the sub-page allocator (pager_file_subpage*).

// Pages iterates the allocated regular pages in increasing order. The cursor is live
// (pager_file_iter_next): ids below it are not revisited, pages allocated beyond it appear.
// The file is not held between steps, so the loop body may call the file (or Close it: the
// next step then yields a *ClosedError). It ends after yielding an error (once).
func (f *PageFile) Pages() iter.Seq2[uint64, error] { return f.iterate(capi.Pager_file_iter_pages) }

// ProtectedPages iterates the allocated protected page ids, as Pages.
func (f *PageFile) ProtectedPages() iter.Seq2[uint64, error] {
	return f.iterate(capi.Pager_file_iter_protected)
}

func (f *PageFile) iterate(open func(p uintptr, it *uintptr) error) iter.Seq2[uint64, error] {
	return func(yield func(uint64, error) bool) {
		var it uintptr
		if err := f.h.do(func(p uintptr) error { return open(p, &it) }); err != nil {
			yield(0, err)
			return
		}
		defer capi.Pager_file_iter_free(it)
		for {
			var id uint64
			var found uint32
			err := f.h.do(func(uintptr) error { return capi.Pager_file_iter_next(it, &id, &found) })
			if err != nil {
				yield(0, err)
				return
			}
			if found == 0 || !yield(id, nil) {
				return
			}
		}
	}
}

// Page is one page of a PageFile as an io.ReaderAt and io.WriterAt over its page-size bytes
// (offsets within the page), e.g. for io.NewSectionReader. A read past the page end returns
// the bytes before it and io.EOF; a write is all or nothing (a span past the page end writes
// nothing and returns ErrRange). Written bytes are durable after PageFile.SyncPages.
type Page struct {
	f  *PageFile
	id uint64
}

// Page returns page id as an io.ReaderAt / io.WriterAt (no call is made until it is used).
func (f *PageFile) Page(id uint64) *Page { return &Page{f: f, id: id} }

var (
	_ io.ReaderAt = (*Page)(nil)
	_ io.WriterAt = (*Page)(nil)
	_ io.ReaderAt = (*ColdHandle)(nil)
)

// ReadAt implements io.ReaderAt.
func (pg *Page) ReadAt(dst []byte, off int64) (int, error) {
	n := 0
	err := pg.f.h.do(func(p uintptr) error {
		size, err := pageSizeOf(p)
		if err != nil {
			return err
		}
		if off < 0 {
			return &Error{Code: CodeRange, Message: fmt.Sprintf("negative offset %d", off)}
		}
		if off >= int64(size) {
			return io.EOF
		}
		n = min(len(dst), size-int(off))
		if err := capi.Pagerswig_file_page_read(p, pg.id, uint64(off), dst[:n]); err != nil {
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

// WriteAt implements io.WriterAt (all or nothing).
func (pg *Page) WriteAt(src []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Code: CodeRange, Message: fmt.Sprintf("negative offset %d", off)}
	}
	if err := pg.f.WriteAt(pg.id, uint64(off), src); err != nil {
		return 0, err
	}
	return len(src), nil
}

// ProtectedAllocBulk allocates n protected pages (all or nothing, one commit).
func (f *PageFile) ProtectedAllocBulk(n int) ([]uint64, error) {
	ids := make([]uint64, n)
	if err := f.h.do(func(p uintptr) error { return capi.Pager_file_protected_alloc_bulk(p, ids) }); err != nil {
		return nil, err
	}
	return ids, nil
}

// ProtectedFreeBulk frees protected pages (all or nothing, one commit).
func (f *PageFile) ProtectedFreeBulk(ids ...uint64) error {
	return f.h.do(func(p uintptr) error { return capi.Pager_file_protected_free_bulk(p, ids) })
}

// ProtectedCount counts the allocated protected pages.
func (f *PageFile) ProtectedCount() (uint64, error) { return f.u64(capi.Pager_file_protected_count) }

// FileStats mirrors pager_file_stats: the file's format and the handle's counters since it
// was opened. Syncs counts fdatasync calls (one per commit and per SyncPages, plus the
// checkpoints'); in format 2 Checkpoints counts journal checkpoints (one per lap),
// JournalBytes is where the next batch goes and JournalLapBytes is the handle's lap (all 0 in
// format 1).
type FileStats struct {
	FormatVersion                                     uint32
	Syncs, Checkpoints, JournalBytes, JournalLapBytes uint64
}

// Stats returns the handle's counters (pager_file_get_stats).
func (f *PageFile) Stats() (FileStats, error) {
	c := capi.NewPager_file_stats() // runs pager_file_stats_init
	defer capi.DeletePager_file_stats(c)
	if err := f.h.do(func(p uintptr) error { return capi.Pager_file_get_stats(p, c) }); err != nil {
		return FileStats{}, err
	}
	return FileStats{
		FormatVersion: c.GetFormat_version(), Syncs: c.GetSyncs(), Checkpoints: c.GetCheckpoints(),
		JournalBytes: c.GetJournal_bytes(), JournalLapBytes: c.GetJournal_lap_bytes(),
	}, nil
}

// Subpages is a sub-page allocator over a PageFile (pager_file_subpages): regular pages split
// into slots of SubPageSize bytes. Its state is in memory: after a reopen rebuild it with
// MarkUsed from your own records. Sub-page bytes are copied in and out (ReadAt / WriteAt).
// Methods may be called from several goroutines; Close waits for the calls in progress.
// After Close, and after its PageFile's Close, calls return a *ClosedError.
type Subpages struct {
	h    handle
	file *PageFile
}

// Subpages creates an empty allocator with subPageSize-byte slots (a power of two giving
// 1..64 slots per page).
func (f *PageFile) Subpages(subPageSize uint32) (*Subpages, error) {
	var h uintptr
	if err := f.h.do(func(p uintptr) error { return capi.Pager_file_subpages_create(p, subPageSize, &h) }); err != nil {
		return nil, err
	}
	s := &Subpages{file: f}
	return own(s, &s.h, h, "Subpages", capi.Pager_file_subpages_free), nil
}

// Close frees the allocator (the file keeps its pages). Idempotent.
func (s *Subpages) Close() error {
	return s.h.release(func(p uintptr) error { capi.Pager_file_subpages_free(p); return nil })
}

// do runs call; the library's INVALID "closed" (the file was closed) becomes a *ClosedError.
func (s *Subpages) do(call func(p uintptr) error) error {
	err := s.h.do(call)
	var pe *Error
	if errors.As(err, &pe) && pe.Code == CodeInvalid && s.file.h.isClosed() {
		return &ClosedError{Handle: "PageFile", Err: err}
	}
	return err
}

func (s *Subpages) u32(get func(p uintptr, v *uint32) error) (int, error) {
	var v uint32
	err := s.do(func(p uintptr) error { return get(p, &v) })
	return int(v), err
}

// SubPageSize is the bytes per sub-page.
func (s *Subpages) SubPageSize() (int, error) { return s.u32(capi.Pager_file_subpages_sub_page_size) }

// SlotCount is the sub-pages per parent page.
func (s *Subpages) SlotCount() (int, error) { return s.u32(capi.Pager_file_subpages_slot_count) }

// Count is the number of sub-pages allocated.
func (s *Subpages) Count() (uint64, error) {
	var v uint64
	err := s.do(func(p uintptr) error { return capi.Pager_file_subpage_count(p, &v) })
	return v, err
}

// Alloc allocates one sub-page (taking a new parent page in one commit when needed).
func (s *Subpages) Alloc() (uint64, error) {
	var id uint64
	err := s.do(func(p uintptr) error { return capi.Pager_file_subpage_alloc(p, &id) })
	return id, err
}

// AllocBulk allocates n sub-pages, all or nothing.
func (s *Subpages) AllocBulk(n int) ([]uint64, error) {
	ids := make([]uint64, n)
	if err := s.do(func(p uintptr) error { return capi.Pager_file_subpage_alloc_bulk(p, ids) }); err != nil {
		return nil, err
	}
	return ids, nil
}

// Free frees a sub-page (a parent left empty is freed in the file).
func (s *Subpages) Free(id uint64) error {
	return s.do(func(p uintptr) error { return capi.Pager_file_subpage_free(p, id) })
}

// FreeBulk frees sub-pages, all or nothing.
func (s *Subpages) FreeBulk(ids ...uint64) error {
	return s.do(func(p uintptr) error { return capi.Pager_file_subpage_free_bulk(p, ids) })
}

// MarkUsed marks sub-pages allocated (the rebuild after a reopen; memory only).
func (s *Subpages) MarkUsed(ids ...uint64) error {
	return s.do(func(p uintptr) error { return capi.Pager_file_subpage_mark_used(p, ids) })
}

func (s *Subpages) span(p uintptr, offset uint64, n int) error {
	var size uint32
	if err := capi.Pager_file_subpages_sub_page_size(p, &size); err != nil {
		return err
	}
	if offset > uint64(size) || uint64(n) > uint64(size)-offset {
		return &Error{Code: CodeRange, Message: fmt.Sprintf(
			"bytes [%d, %d) are outside a %d-byte sub-page", offset, offset+uint64(n), size)}
	}
	return nil
}

// ReadAt copies bytes [offset, offset+len(dst)) of sub-page id into dst (ErrRange past it).
func (s *Subpages) ReadAt(id, offset uint64, dst []byte) error {
	return s.do(func(p uintptr) error {
		if err := s.span(p, offset, len(dst)); err != nil {
			return err
		}
		return capi.Pagerswig_file_subpage_read(p, id, offset, dst)
	})
}

// WriteAt copies src into sub-page id at offset (durable after PageFile.SyncPages of its
// parent page, id / 64: a sub-page id is parent_page*64 + slot).
func (s *Subpages) WriteAt(id, offset uint64, src []byte) error {
	return s.do(func(p uintptr) error {
		if err := s.span(p, offset, len(src)); err != nil {
			return err
		}
		return capi.Pagerswig_file_subpage_write(p, id, offset, src)
	})
}
