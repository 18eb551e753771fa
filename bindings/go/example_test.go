package pager_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"time"

	"libpager.dev/pager"
)

// tempDir makes a scratch directory for an example (removed by the returned func).
func tempDir() (string, func()) {
	dir, err := os.MkdirTemp("", "pager-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir, func() { os.RemoveAll(dir) }
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

// Errors carry the stable code and the detail message; errors.Is matches the code, and the
// io/fs sentinels for a missing or an existing file.
func Example_errors() {
	dir, done := tempDir()
	defer done()
	_, err := pager.OpenWal(filepath.Join(dir, "missing"), nil)
	fmt.Println(errors.Is(err, fs.ErrNotExist), errors.Is(err, pager.ErrNotFound), errors.Is(err, pager.ErrBusy))
	var pe *pager.Error
	if errors.As(err, &pe) {
		fmt.Println(int(pe.Code), pe.Code)
	}
	// Output:
	// true true false
	// 17 PAGER_ERR_NOT_FOUND
}

func ExampleErrString() {
	fmt.Println(pager.ErrString(pager.CodeCorrupt))
	fmt.Println(pager.ErrString(-1))
	// Output:
	// PAGER_ERR_CORRUPT
	// PAGER_ERR_UNKNOWN
}

// A WAL pager: stage pages, commit them atomically, read them back after a reopen.
func ExampleCreateWal() {
	dir, done := tempDir()
	defer done()
	path := filepath.Join(dir, "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	page := make([]byte, 4096)
	copy(page, "hello, wal")
	if err := w.StagePage(1, page); err != nil {
		log.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		log.Fatal(err)
	}
	w.Close()

	w, err = pager.OpenWal(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	back, _ := w.ReadPage(1)
	n, _ := w.PageCount()
	fmt.Println(string(bytes.TrimRight(back, "\x00")), n)
	// Output: hello, wal 2
}

// Waiting for a lock another opener holds, until a context is done.
func ExampleOpenWalContext() {
	dir, done := tempDir()
	defer done()
	path := filepath.Join(dir, "db")
	holder, _ := pager.CreateWal(path, nil)
	time.AfterFunc(50*time.Millisecond, func() { holder.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	w, err := pager.OpenWalContext(ctx, path, nil) // waits for holder.Close
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	fmt.Println("opened after the holder closed")
	// Output: opened after the holder closed
}

// A segmented record log: append, then replay every record with range-over-func.
func ExampleWalsegReplay_Records() {
	dir, done := tempDir()
	defer done()
	w, err := pager.OpenWalsegWriter(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []string{"put a=1", "put b=2", "del a"} {
		if _, err := w.Append(1, []byte(s)); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil { // the final sync's status
		log.Fatal(err)
	}

	replay, err := pager.OpenWalsegReplay(dir, 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer replay.Close()
	for rec, err := range replay.Records() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Lsn, string(rec.Data))
	}
	reason, _, _, _, _ := replay.Stop()
	fmt.Println("stopped:", reason)
	// Output:
	// 1 put a=1
	// 2 put b=2
	// 3 del a
	// stopped: clean end
}

// A page file: allocate pages, write through io.WriterAt, iterate the allocated pages.
func ExamplePageFile() {
	dir, done := tempDir()
	defer done()
	f, err := pager.CreateFile(filepath.Join(dir, "pages"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ids, _ := f.AllocBulk(3)
	for i, id := range ids {
		fmt.Fprintf(io.NewOffsetWriter(f.Page(id), 0), "page %d", i)
	}
	if err := f.SyncPages(ids...); err != nil {
		log.Fatal(err)
	}
	for id, err := range f.Pages() {
		if err != nil {
			log.Fatal(err)
		}
		buf := make([]byte, 6)
		f.Page(id).ReadAt(buf, 0)
		fmt.Println(string(buf))
	}
	// Output:
	// page 0
	// page 1
	// page 2
}

// Protected pages change crash-safely in transactions.
func ExamplePageFile_Begin() {
	dir, done := tempDir()
	defer done()
	f, _ := pager.CreateFile(filepath.Join(dir, "pages"), nil)
	defer f.Close()
	a, _ := f.ProtectedAlloc()
	b, _ := f.ProtectedAlloc()
	txn, err := f.Begin()
	if err != nil {
		log.Fatal(err)
	}
	defer txn.Close()
	txn.Add(a)
	txn.Add(b)
	txn.WriteAt(a, 0, []byte("debit"))
	txn.WriteAt(b, 0, []byte("credit"))
	if err := txn.Commit(); err != nil { // both pages or neither after a crash
		log.Fatal(err)
	}
	pa, _ := f.ProtectedRead(a)
	pb, _ := f.ProtectedRead(b)
	fmt.Println(string(pa[:5]), string(pb[:6]))
	// Output: debit credit
}

// Sub-pages: small objects packed into pages.
func ExamplePageFile_Subpages() {
	dir, done := tempDir()
	defer done()
	f, _ := pager.CreateFile(filepath.Join(dir, "pages"), nil)
	defer f.Close()
	s, err := f.Subpages(512)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ids, _ := s.AllocBulk(3)
	s.WriteAt(ids[1], 0, []byte("small object"))
	buf := make([]byte, 12)
	s.ReadAt(ids[1], 0, buf)
	slots, _ := s.SlotCount()
	fmt.Println(string(buf), slots, ids[0]/64 == ids[2]/64)
	// Output: small object 8 true
}

// The cold pager: page bytes out of RAM and read ranges back (a ColdHandle is an
// io.ReaderAt).
func ExampleColdPager_Pageout() {
	dir, done := tempDir()
	defer done()
	cp, err := pager.OpenCold(&pager.ColdOptions{ScratchRoot: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer cp.Close()
	h, err := cp.Pageout(pager.ColdBackendFile, nil, []byte("cold bytes, "), []byte("read back later"))
	if err != nil {
		log.Fatal(err)
	}
	part, _ := io.ReadAll(io.NewSectionReader(h, 12, 4))
	all, _ := h.Take()
	fmt.Printf("%s | %s\n", part, all)
	// Output: read | cold bytes, read back later
}

// Zero-copy: C memory handed to the library and handed back.
func ExampleColdPager_PageoutOwned() {
	cp, _ := pager.OpenCold(nil)
	defer cp.Close()
	b, _ := pager.NewColdBuffer(12)
	copy(b.Bytes(), "no copy ever")
	h, err := cp.PageoutOwned(pager.ColdBackendSwap, nil, b) // b belongs to the library now
	if err != nil {
		log.Fatal(err)
	}
	back, _ := h.TakeBuffer() // the same memory, owned by the caller again
	defer back.Free()
	fmt.Println(string(back.Bytes()))
	// Output: no copy ever
}

// A KV-cache snapshot of the reference engine, with progress, restored into another engine.
func ExampleRefEngine_Capture() {
	dir, done := tempDir()
	defer done()
	m := pager.CacheMeta{TokensPerPage: 16, Layers: 2, KvHeads: 2, HeadDim: 64, Dtype: pager.DtypeF16}
	kb, vb, _ := m.PageBytes()
	e, _ := pager.NewRefEngine(m, 8)
	defer e.Close()
	slot, _ := e.AllocPage()
	e.WritePage(slot, bytes.Repeat([]byte{1}, int(kb)), bytes.Repeat([]byte{2}, int(vb)))
	e.SetSeq([]byte("request-1"), []uint32{slot}, 5)

	path := filepath.Join(dir, "kv.snap")
	var last uint64
	err := e.Capture(path, &pager.SnapshotOptions{Progress: func(done, total uint64) bool {
		last = done
		return true // false cancels
	}})
	if err != nil {
		log.Fatal(err)
	}
	other, _ := pager.NewRefEngine(m, 8)
	defer other.Close()
	if err := other.Restore(path, nil); err != nil {
		log.Fatal(err)
	}
	a, _ := e.Fingerprint()
	b, _ := other.Fingerprint()
	pages, fill, _ := other.Seq([]byte("request-1"))
	fmt.Println(a == b, len(pages), fill, last == kb+vb)
	// Output: true 1 5 true
}

// Read-only checks of any libpager file.
func ExampleCheckWal() {
	dir, done := tempDir()
	defer done()
	path := filepath.Join(dir, "db")
	w, _ := pager.CreateWal(path, nil)
	w.Close()
	format, _ := pager.DetectFormat(path)
	report, err := pager.CheckWal(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(format, report.Damaged)
	// Output: WAL main file false
}
