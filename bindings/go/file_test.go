package pager_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"libpager.dev/pager"
)

func TestFileAllocWriteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	opts := pager.DefaultFileOptions()
	opts.PageSize = 4096
	f, err := pager.CreateFile(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.Alloc()
	if err != nil {
		t.Fatal(err)
	}
	more, err := f.AllocBulk(3)
	if err != nil || len(more) != 3 {
		t.Fatalf("AllocBulk: %v %v", more, err)
	}
	if err := f.WriteAt(id, 100, []byte("hello page")); err != nil {
		t.Fatal(err)
	}
	if err := f.SyncPages(id); err != nil {
		t.Fatal(err)
	}
	if err := f.FreeBulk(more[1:]); err != nil {
		t.Fatal(err)
	}
	pid, err := f.ProtectedAlloc()
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte{0x5a}, 4096)
	if err := f.ProtectedWrite(pid, content); err != nil {
		t.Fatal(err)
	}
	f.Close()

	ro := pager.DefaultFileOptions()
	ro.ReadOnly = true
	ro.PageSize = 4096
	g, err := pager.OpenFile(path, &ro)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	got := make([]byte, 10)
	if err := g.ReadAt(id, 100, got); err != nil || string(got) != "hello page" {
		t.Fatalf("ReadAt after reopen = %q, %v", got, err)
	}
	ids, err := g.PageIDs()
	if err != nil || !reflect.DeepEqual(ids, []uint64{id, more[0]}) {
		t.Fatalf("PageIDs() = %v, %v; want [%d %d]", ids, err, id, more[0])
	}
	pids, err := g.ProtectedIDs()
	if err != nil || !reflect.DeepEqual(pids, []uint64{pid}) {
		t.Fatalf("ProtectedIDs() = %v, %v", pids, err)
	}
	p, err := g.ProtectedRead(pid)
	if err != nil || !bytes.Equal(p, content) {
		t.Fatalf("ProtectedRead: %v", err)
	}
	err = g.WriteAt(id, 0, []byte("x"))
	requireCode(t, err, pager.ErrReadOnly)
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pages")
	f, err := pager.CreateFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := f.Alloc()
	if err := f.Free(id); err != nil {
		t.Fatal(err)
	}
	requireCode(t, f.Free(id), pager.ErrDoubleFree)
	requireCode(t, f.Free(0), pager.ErrReserved)
	_, err = f.ReadPage(id)
	requireCode(t, err, pager.ErrNotFound)
	id2, _ := f.Alloc()
	requireCode(t, f.FreeBulk([]uint64{id2, id2}), pager.ErrDuplicate)
	requireCode(t, f.WriteAt(id2, 4090, make([]byte, 10)), pager.ErrRange) // checked in Go
	_, err = pager.OpenFile(path, nil)
	requireCode(t, err, pager.ErrBusy)
	f.Close()
	wrong := pager.DefaultFileOptions()
	wrong.PageSize = 8192
	_, err = pager.OpenFile(path, &wrong)
	requireCode(t, err, pager.ErrPageSize)
	_, err = pager.CreateFile(path, nil)
	requireCode(t, err, pager.ErrExists)
}

// FormatVersion 1 makes a file without "-journal"; open asserting the other format fails with
// ErrVersion; a lap outside [1 MiB, 2^40] or beside format 1 is ErrInvalid.
func TestFileFormatVersionAndJournalLapOptions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pages")
	if d := pager.DefaultFileOptions(); d.FormatVersion != 0 || d.JournalLapBytes != 0 {
		t.Fatalf("defaults: FormatVersion %d JournalLapBytes %d, want 0 0", d.FormatVersion, d.JournalLapBytes)
	}
	one := pager.DefaultFileOptions()
	one.FormatVersion = 1
	one.JournalLapBytes = 1 << 20
	_, err := pager.CreateFile(path, &one)
	requireCode(t, err, pager.ErrInvalid)
	one.JournalLapBytes = 0
	f, err := pager.CreateFile(path, &one)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.Stat(path + "-journal"); !os.IsNotExist(err) {
		t.Fatalf("format 1 left a journal: %v", err)
	}
	if r, err := pager.CheckFile(path); err != nil || r.FormatVersion != 1 {
		t.Fatalf("CheckFile: format version %d, %v; want 1", r.FormatVersion, err)
	}
	two := pager.DefaultFileOptions()
	two.FormatVersion = 2
	_, err = pager.OpenFile(path, &two)
	requireCode(t, err, pager.ErrVersion)
	lap := pager.DefaultFileOptions()
	lap.JournalLapBytes = 1<<20 - 1
	_, err = pager.CreateFile(filepath.Join(dir, "small"), &lap)
	requireCode(t, err, pager.ErrInvalid)
	lap.JournalLapBytes = 1 << 20
	g, err := pager.CreateFile(filepath.Join(dir, "small"), &lap)
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
}

// A transaction's copies are bounded by the transaction's own page size. The old helpers
// took a second *pager_file "to learn the page size": given a file with larger pages they
// copied past the end of the transaction's buffer. Now an oversized write is ErrRange.
func TestFileTxnCopyIsBoundedByTheTransactionsOwnPageSize(t *testing.T) {
	dir := t.TempDir()
	small := pager.DefaultFileOptions()
	small.PageSize = 1024
	small.MaxSizeBytes = 1 << 30
	f, err := pager.CreateFile(filepath.Join(dir, "small"), &small)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	big := pager.DefaultFileOptions()
	big.PageSize = 8192
	big.MaxSizeBytes = 1 << 30
	g, err := pager.CreateFile(filepath.Join(dir, "big"), &big)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	pid, err := f.ProtectedAlloc()
	if err != nil {
		t.Fatal(err)
	}
	txn, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	if err := txn.Add(pid); err != nil {
		t.Fatal(err)
	}
	if size, err := txn.PageSize(); err != nil || size != 1024 {
		t.Fatalf("txn.PageSize() = %d, %v; want 1024", size, err)
	}
	gsize, _ := g.PageSize()
	requireCode(t, txn.WriteAt(pid, 0, make([]byte, gsize)), pager.ErrRange)
	requireCode(t, txn.WriteAt(pid, 1000, make([]byte, 100)), pager.ErrRange)
	requireCode(t, txn.ReadAt(pid, 0, make([]byte, 1025)), pager.ErrRange)
	if err := txn.WriteAt(pid, 1000, []byte("end")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	p, err := f.ProtectedRead(pid)
	if err != nil || string(p[1000:1003]) != "end" {
		t.Fatalf("ProtectedRead = %q, %v", p[1000:1003], err)
	}
}

func TestFileTxnCommitsManyPagesTogether(t *testing.T) {
	f, a, b, txn := fileWithTwoProtectedPagesAndATxn(t)
	for _, id := range []uint64{a, b} {
		if err := txn.Add(id); err != nil {
			t.Fatal(err)
		}
		if err := txn.WriteAt(id, 0, []byte{byte(id)}); err != nil {
			t.Fatal(err)
		}
	}
	other, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	requireCode(t, other.Add(a), pager.ErrBusy)
	other.Close()
	if n, err := txn.PageCount(); err != nil || n != 2 {
		t.Fatalf("PageCount() = %d, %v", n, err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint64{a, b} {
		p, err := f.ProtectedRead(id)
		if err != nil || p[0] != byte(id) {
			t.Fatalf("ProtectedRead(%d) = %v, %v", id, p[0], err)
		}
	}
}

func TestFileTxnAllocPageIsInvisibleUntilCommitAndAbortGivesItBack(t *testing.T) {
	f, err := pager.CreateFile(filepath.Join(t.TempDir(), "pages"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, _ := f.ProtectedAlloc()
	txn, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	id, err := txn.AllocPage()
	if err != nil || id == first {
		t.Fatalf("AllocPage() = %d, %v", id, err)
	}
	if err := txn.WriteAt(id, 0, []byte("born")); err != nil {
		t.Fatal(err)
	}
	_, err = f.ProtectedRead(id)
	requireCode(t, err, pager.ErrNotFound)
	txn.Close() // abort
	again, err := f.ProtectedAlloc()
	if err != nil || again != id {
		t.Fatalf("after the abort ProtectedAlloc() = %d, %v; want the given-back id %d", again, err, id)
	}
	txn, err = f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	id2, err := txn.AllocPage()
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.WriteAt(id2, 0, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	p, err := f.ProtectedRead(id2)
	if err != nil || string(p[:3]) != "new" {
		t.Fatalf("ProtectedRead(%d) = %q, %v", id2, p[:3], err)
	}
}

func TestFileTxnFreePageHoldsThePageUntilCommit(t *testing.T) {
	f, err := pager.CreateFile(filepath.Join(t.TempDir(), "pages"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, _ := f.ProtectedAlloc()
	txn, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	if err := txn.FreePage(a); err != nil {
		t.Fatal(err)
	}
	requireCode(t, txn.FreePage(a), pager.ErrDoubleFree)
	other, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	requireCode(t, other.Add(a), pager.ErrBusy)
	other.Close()
	if _, err := f.ProtectedRead(a); err != nil {
		t.Fatalf("before the commit the page is still allocated: %v", err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	_, err = f.ProtectedRead(a)
	requireCode(t, err, pager.ErrNotFound)
}

func TestFileAdvise(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	opts := pager.DefaultFileOptions()
	opts.PageSize = 4096
	f, err := pager.CreateFile(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.Alloc()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteAt(id, 0, []byte("keep")); err != nil {
		t.Fatal(err)
	}
	for _, a := range []pager.Advice{pager.AdviceRandom, pager.AdviceSequential, pager.AdviceWillNeed,
		pager.AdviceDontNeed, pager.AdviceNormal} {
		if err := f.Advise(0, 0, a); err != nil {
			t.Fatalf("Advise(0, 0, %d): %v", a, err)
		}
	}
	if err := f.Advise(id, 1, pager.AdviceDontNeed); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 4)
	if err := f.ReadAt(id, 0, got); err != nil || string(got) != "keep" {
		t.Fatalf("after DontNeed: %q %v", got, err)
	}
	requireCode(t, f.Advise(0, 1<<40, pager.AdviceRandom), pager.ErrRange)
	requireCode(t, f.Advise(0, 0, pager.Advice(9)), pager.ErrInvalid)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	requireClosedError(t, "PageFile", f.Advise(0, 0, pager.AdviceRandom))
}

// WritePage replaces whole pages without an Add: the commit makes exactly those bytes the
// pages' content; a page of the wrong length is ErrInvalid and leaves the transaction empty.
func TestFileTxnWritePageCommitsTheWrittenBytesWithoutAnAdd(t *testing.T) {
	f, a, b, txn := fileWithTwoProtectedPagesAndATxn(t)
	requireCode(t, txn.WritePage(a, make([]byte, 100)), pager.ErrInvalid)
	if n, err := txn.PageCount(); err != nil || n != 0 {
		t.Fatalf("PageCount() after a refused write = %d, %v; want 0", n, err)
	}
	pages := map[uint64][]byte{a: bytes.Repeat([]byte{0xa1}, 4096), b: bytes.Repeat([]byte{0xb2}, 4096)}
	for id, page := range pages {
		if err := txn.WritePage(id, page); err != nil {
			t.Fatal(err)
		}
	}
	other, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	requireCode(t, other.WritePage(a, pages[a]), pager.ErrBusy)
	other.Close()
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	for id, want := range pages {
		got, err := f.ProtectedRead(id)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("ProtectedRead(%d) = %x.., %v; want %x..", id, got[:4], err, want[:4])
		}
	}
	requireCode(t, txn.WritePage(a, pages[a]), pager.ErrInvalid) // the transaction has ended
}

// WritePage on a closed transaction, or on a transaction of a closed file, is ErrClosed.
func TestFileTxnWritePageAfterCloseIsErrClosed(t *testing.T) {
	f, a, _, txn := fileWithTwoProtectedPagesAndATxn(t)
	page := make([]byte, 4096)
	txn.Close()
	if err := txn.WritePage(a, page); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("WritePage after the transaction's Close: %v, want ErrClosed", err)
	}
	other, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	f.Close()
	if err := other.WritePage(a, page); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("WritePage after the file's Close: %v, want ErrClosed", err)
	}
}

// Stats counts one fdatasync per commit and per SyncPages, and reports the format.
func TestFileStatsCountOneSyncPerCommit(t *testing.T) {
	f, err := pager.CreateFile(filepath.Join(t.TempDir(), "pages"), nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := f.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if before.FormatVersion != 2 || before.JournalLapBytes != 64<<20 {
		t.Fatalf("Stats() = %+v; want format 2 with the 64 MiB lap", before)
	}
	id, err := f.Alloc()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteAt(id, 0, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := f.SyncPages(id); err != nil {
		t.Fatal(err)
	}
	after, err := f.Stats()
	if err != nil || after.Syncs != before.Syncs+2 || after.JournalBytes <= before.JournalBytes {
		t.Fatalf("Stats() after an alloc and a SyncPages = %+v, %v; before %+v", after, err, before)
	}
	f.Close()
	if _, err := f.Stats(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("Stats() after Close = %v; want ErrClosed", err)
	}
}

// fileWithTwoProtectedPagesAndATxn creates a page file with protected pages a and b and
// begins a transaction on it; the test's cleanup closes both.
func fileWithTwoProtectedPagesAndATxn(t *testing.T) (*pager.PageFile, uint64, uint64, *pager.FileTxn) {
	t.Helper()
	f, err := pager.CreateFile(filepath.Join(t.TempDir(), "pages"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	a, _ := f.ProtectedAlloc()
	b, _ := f.ProtectedAlloc()
	txn, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { txn.Close() })
	return f, a, b, txn
}
