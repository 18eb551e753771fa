package pager_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"libpager.dev/pager"
)

func writeLog(t *testing.T, dir string, n int) {
	t.Helper()
	opts := pager.DefaultWalsegOptions()
	opts.SegmentBytes = 4096
	w, err := pager.OpenWalsegWriter(dir, &opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := w.Append(1, bytes.Repeat([]byte{byte(i)}, 50+i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReplayRecordsYieldsEveryRecordThenStops(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	writeLog(t, dir, 30)
	it, err := pager.OpenWalsegReplay(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for rec, err := range it.Records() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if rec.Lsn != uint64(n) || !bytes.Equal(rec.Data, bytes.Repeat([]byte{byte(n)}, 50+n)) {
			t.Fatalf("record %d: lsn %d", n, rec.Lsn)
		}
	}
	reason, _, _, last, err := it.Stop()
	if n != 30 || err != nil || reason != pager.WalsegStopCleanEnd || last != 30 {
		t.Fatalf("%d records, stop %v at %d, %v", n, reason, last, err)
	}
}

func TestReplayRecordsBreakLeavesTheRestForNext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	writeLog(t, dir, 10)
	it, err := pager.OpenWalsegReplay(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for rec, err := range it.Records() {
		if err != nil || rec.Lsn == 4 {
			break
		}
	}
	rec, ok, err := it.Next()
	if !ok || err != nil || rec.Lsn != 5 {
		t.Fatalf("after breaking at 4: Next = %d, %v, %v", rec.Lsn, ok, err)
	}
}

func TestRecordsOfAClosedReplayYieldClosedErrorOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	writeLog(t, dir, 3)
	it, err := pager.OpenWalsegReplay(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	it.Close()
	calls := 0
	for _, err := range it.Records() {
		calls++
		if !errors.Is(err, pager.ErrClosed) {
			t.Fatalf("got %v, want ErrClosed", err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d yields, want one error", calls)
	}
}

func TestReaderRecordsAndPosition(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	writeLog(t, dir, 5)
	r, err := pager.OpenWalsegReader(filepath.Join(dir, fmt.Sprintf("%016x.wal", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pos, err := r.Position()
	if err != nil || pos.Empty || pos.Len == 0 {
		t.Fatalf("Position() before reading = %+v, %v", pos, err)
	}
	start := pos.Offset
	var lsns []uint64
	for rec, err := range r.Records() {
		if err != nil {
			t.Fatal(err)
		}
		lsns = append(lsns, rec.Lsn)
	}
	after, err := r.Position()
	if err != nil || len(lsns) != 5 || after.Offset <= start || after.Len != pos.Len {
		t.Fatalf("lsns %v, position %+v -> %+v, %v", lsns, pos, after, err)
	}
}

func newFile(t *testing.T) *pager.PageFile {
	t.Helper()
	f, err := pager.CreateFile(filepath.Join(t.TempDir(), "pages"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestFilePagesIteratesLiveAndProtectedSeparately(t *testing.T) {
	f := newFile(t)
	ids, err := f.AllocBulk(4)
	if err != nil {
		t.Fatal(err)
	}
	prot, err := f.ProtectedAllocBulk(3)
	if err != nil {
		t.Fatal(err)
	}
	var seen []uint64
	for id, err := range f.Pages() {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, id)
		if len(seen) == 1 { // the cursor is live: a page allocated beyond it appears
			more, err := f.Alloc()
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, more)
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Fatalf("Pages() = %v, want %v", seen, ids)
	}
	var pseen []uint64
	for id, err := range f.ProtectedPages() {
		if err != nil {
			t.Fatal(err)
		}
		pseen = append(pseen, id)
	}
	if n, err := f.ProtectedCount(); fmt.Sprint(pseen) != fmt.Sprint(prot) || n != 3 || err != nil {
		t.Fatalf("ProtectedPages() = %v (count %d, %v), want %v", pseen, n, err, prot)
	}
	if err := f.ProtectedFreeBulk(prot...); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.ProtectedCount(); n != 0 {
		t.Fatalf("ProtectedCount after FreeBulk = %d", n)
	}
}

func TestFilePagesAfterCloseInTheLoopYieldsClosedError(t *testing.T) {
	f := newFile(t)
	if _, err := f.AllocBulk(3); err != nil {
		t.Fatal(err)
	}
	var last error
	n := 0
	for _, err := range f.Pages() {
		n++
		last = err
		if err == nil {
			f.Close() // the body may call the file: nothing is held between steps
		}
	}
	if n != 2 || !errors.Is(last, pager.ErrClosed) {
		t.Fatalf("%d yields, last %v; want a page, then ErrClosed", n, last)
	}
}

func TestPageIsAReaderAtAndWriterAtOfOnePage(t *testing.T) {
	f := newFile(t)
	id, err := f.Alloc()
	if err != nil {
		t.Fatal(err)
	}
	pg := f.Page(id)
	if n, err := pg.WriteAt([]byte("hello"), 4090); n != 5 || err != nil {
		t.Fatalf("WriteAt at the end = %d, %v", n, err)
	}
	if n, err := pg.WriteAt([]byte("toolong"), 4090); n != 0 || !errors.Is(err, pager.ErrRange) {
		t.Fatalf("WriteAt past the end = %d, %v; want 0, ErrRange", n, err)
	}
	all, err := io.ReadAll(io.NewSectionReader(pg, 0, 1<<20))
	if err != nil || len(all) != 4096 || string(all[4090:4095]) != "hello" || all[4095] != 0 {
		t.Fatalf("ReadAll of the page: %d bytes, %v", len(all), err)
	}
	buf := make([]byte, 10)
	if n, err := pg.ReadAt(buf, 4090); n != 6 || err != io.EOF || string(buf[:5]) != "hello" {
		t.Fatalf("ReadAt across the end = %d, %v", n, err)
	}
	if n, err := pg.ReadAt(buf, 4096); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt at the end = %d, %v", n, err)
	}
	if _, err := f.Page(9999).ReadAt(buf, 0); !errors.Is(err, pager.ErrRange) && !errors.Is(err, pager.ErrNotFound) {
		t.Fatalf("ReadAt of an unallocated page: %v", err)
	}
}

func TestSubpagesAllocWriteReadFreeAndRebuild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	f, err := pager.CreateFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Subpages(256)
	if err != nil {
		t.Fatal(err)
	}
	size, err1 := s.SubPageSize()
	slots, err2 := s.SlotCount()
	if size != 256 || slots != 16 || err1 != nil || err2 != nil {
		t.Fatalf("geometry %d x %d (%v, %v)", size, slots, err1, err2)
	}
	ids, err := s.AllocBulk(20) // two parents
	if err != nil {
		t.Fatal(err)
	}
	one, err := s.Alloc()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range append(ids, one) {
		if err := s.WriteAt(id, 0, []byte(fmt.Sprintf("sub %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WriteAt(one, 250, []byte("1234567")); !errors.Is(err, pager.ErrRange) {
		t.Fatalf("WriteAt past the sub-page: %v", err)
	}
	got := make([]byte, 6)
	if err := s.ReadAt(ids[17], 0, got); err != nil || string(got) != "sub 17" {
		t.Fatalf("ReadAt = %q, %v", got, err)
	}
	if err := s.Free(ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Free(ids[0]); !errors.Is(err, pager.ErrDoubleFree) {
		t.Fatalf("second Free: %v, want ErrDoubleFree", err)
	}
	if err := s.FreeBulk(ids[1:3]...); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(); n != 18 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}
	parents := map[uint64]bool{}
	for _, id := range append(ids[3:], one) {
		parents[id/64] = true
	}
	if err := f.SyncPages(keys(parents)...); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f.Close()
	if _, err := s.Count(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("Count after Close: %v", err)
	}

	// After a reopen the allocator is rebuilt from the caller's records.
	f, err = pager.OpenFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err = f.Subpages(256)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.MarkUsed(append(ids[3:], one)...); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadAt(ids[17], 0, got); err != nil || string(got) != "sub 17" {
		t.Fatalf("after reopen ReadAt = %q, %v", got, err)
	}
	if err := s.MarkUsed(one); !errors.Is(err, pager.ErrExists) {
		t.Fatalf("MarkUsed twice: %v", err)
	}
	f.Close()
	if _, err := s.Alloc(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("Alloc after the file's Close: %v, want ErrClosed", err)
	}
}

func keys(m map[uint64]bool) []uint64 {
	var out []uint64
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPageoutOwnedSwapHandsTheSameMemoryBack(t *testing.T) {
	p, _ := openCold(t, pager.ColdBackendSwap)
	b, err := pager.NewColdBuffer(10000)
	if err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	for i := range data {
		data[i] = byte(i * 7)
	}
	want := bytes.Clone(data)
	addr := unsafe.Pointer(&data[0])
	h, err := p.PageoutOwned(pager.ColdBackendSwap, nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if b.Bytes() != nil || b.Len() != 0 {
		t.Fatal("a buffer given away still shows its bytes")
	}
	part := make([]byte, 100)
	if n, err := h.ReadAt(part, 5000); n != 100 || err != nil || !bytes.Equal(part, want[5000:5100]) {
		t.Fatalf("ReadAt = %d, %v", n, err)
	}
	back, err := h.TakeBuffer()
	if err != nil {
		t.Fatal(err)
	}
	defer back.Free()
	got := back.Bytes()
	if !bytes.Equal(got, want) || unsafe.Pointer(&got[0]) != addr {
		t.Fatalf("TakeBuffer: equal %v, same memory %v", bytes.Equal(got, want), unsafe.Pointer(&got[0]) == addr)
	}
	if h.Len() != 0 {
		t.Fatal("the handle survived TakeBuffer")
	}
	if _, err := h.TakeBuffer(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("TakeBuffer twice: %v", err)
	}
}

func TestPageoutOwnedFileBackendAndSeveralBuffers(t *testing.T) {
	p, _ := openCold(t, pager.ColdBackendFile)
	var bufs []*pager.ColdBuffer
	var want []byte
	for i := 0; i < 3; i++ {
		b, err := pager.NewColdBuffer(3000 + i)
		if err != nil {
			t.Fatal(err)
		}
		copy(b.Bytes(), bytes.Repeat([]byte{byte('a' + i)}, 3000+i))
		want = append(want, b.Bytes()...)
		bufs = append(bufs, b)
	}
	h, err := p.PageoutOwned(pager.ColdBackendFile, &pager.ColdPageoutOptions{Checksums: true}, bufs...)
	if err != nil {
		t.Fatal(err)
	}
	if h.Len() != uint64(len(want)) || h.Backend() != pager.ColdBackendFile {
		t.Fatalf("handle of %d bytes on backend %d", h.Len(), h.Backend())
	}
	back, err := h.TakeBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Bytes(), want) {
		t.Fatal("TakeBuffer of a file handle: wrong bytes")
	}
	back.Free()
	back.Free() // idempotent
	if back.Bytes() != nil {
		t.Fatal("a freed buffer still shows its bytes")
	}
}

func TestPageoutOwnedRefusesABufferGivenTwiceOrFreed(t *testing.T) {
	p, _ := openCold(t, pager.ColdBackendSwap)
	b, _ := pager.NewColdBuffer(16)
	defer b.Free()
	if _, err := p.PageoutOwned(pager.ColdBackendSwap, nil, b, b); !errors.Is(err, pager.ErrInvalid) {
		t.Fatalf("the same buffer twice: %v", err)
	}
	if b.Len() != 16 {
		t.Fatal("a refused pageout took the buffer")
	}
	freed, _ := pager.NewColdBuffer(8)
	freed.Free()
	if _, err := p.PageoutOwned(pager.ColdBackendSwap, nil, freed); !errors.Is(err, pager.ErrInvalid) {
		t.Fatalf("a freed buffer: %v", err)
	}
	p.Close()
	if _, err := p.PageoutOwned(pager.ColdBackendSwap, nil, b); !errors.Is(err, pager.ErrClosed) || b.Len() != 16 {
		t.Fatalf("on a closed pager: %v (buffer %d bytes)", err, b.Len())
	}
}

func filledRefEngine(t *testing.T) *pager.RefEngine {
	t.Helper()
	e, err := pager.NewRefEngine(meta, 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	slots := fillEngine(t, e, 1, 100)
	if err := e.SetSeq([]byte("s"), slots, 2); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSnapshotProgressReachesTheTotal(t *testing.T) {
	e := filledRefEngine(t)
	path := filepath.Join(t.TempDir(), "snap")
	var calls int
	var done, total uint64
	opts := &pager.SnapshotOptions{Progress: func(d, tot uint64) bool {
		calls++
		done, total = d, tot
		return true
	}}
	if err := e.Capture(path, opts); err != nil {
		t.Fatal(err)
	}
	if calls == 0 || total == 0 || done != total {
		t.Fatalf("capture progress: %d calls, %d of %d", calls, done, total)
	}
	calls = 0
	r, _ := pager.NewRefEngine(meta, 16)
	defer r.Close()
	if err := r.Restore(path, opts); err != nil {
		t.Fatal(err)
	}
	if calls == 0 || done != total {
		t.Fatalf("restore progress: %d calls, %d of %d", calls, done, total)
	}
}

func TestSnapshotProgressFalseCancelsAndLeavesNoFile(t *testing.T) {
	e := filledRefEngine(t)
	path := filepath.Join(t.TempDir(), "snap")
	err := e.Capture(path, &pager.SnapshotOptions{Progress: func(d, tot uint64) bool { return false }})
	if !errors.Is(err, pager.ErrCancelled) {
		t.Fatalf("Capture cancelled by progress: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a cancelled capture left %s (%v)", path, err)
	}
	if st, _ := e.Stats(); st.Paused {
		t.Fatal("the engine stayed paused")
	}
}

func TestCaptureContextCancelledMatchesContextAndErrCancelled(t *testing.T) {
	e := filledRefEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := e.CaptureContext(ctx, filepath.Join(t.TempDir(), "snap"), nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, pager.ErrCancelled) {
		t.Fatalf("CaptureContext with a cancelled context: %v", err)
	}
}

func TestSnapshotProgressPanicIsReraisedAfterTheCall(t *testing.T) {
	e := filledRefEngine(t)
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the progress panic", r)
		}
		if st, _ := e.Stats(); st.Paused {
			t.Fatal("the engine stayed paused")
		}
	}()
	_ = e.Capture(filepath.Join(t.TempDir(), "snap"), &pager.SnapshotOptions{
		Progress: func(d, tot uint64) bool { panic("boom") }})
	t.Fatal("no panic")
}

func TestCaptureToWriterAndFileRestore(t *testing.T) {
	e := filledRefEngine(t)
	want, _ := e.Fingerprint()
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := e.CaptureTo(context.Background(), &buf, nil); err != nil {
		t.Fatal(err)
	}
	fromPipe := filepath.Join(dir, "pipe.snap")
	if err := os.WriteFile(fromPipe, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile := filepath.Join(dir, "file.snap")
	out, err := os.Create(fromFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CaptureTo(context.Background(), out, &pager.SnapshotOptions{SyncFd: true}); err != nil {
		t.Fatal(err)
	}
	out.Close()
	for _, path := range []string{fromPipe, fromFile} {
		r, _ := pager.NewRefEngine(meta, 16)
		if err := r.Restore(path, nil); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got, _ := r.Fingerprint(); got != want {
			t.Fatalf("%s: fingerprint %x, want %x", path, got, want)
		}
		r.Close()
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestCaptureToAFailingWriterReturnsItsError(t *testing.T) {
	e := filledRefEngine(t)
	err := e.CaptureTo(context.Background(), failingWriter{}, nil)
	if err == nil || err.Error() != "disk on fire" {
		t.Fatalf("CaptureTo a failing writer: %v", err)
	}
}

func TestGoEngineCaptureToRestores(t *testing.T) {
	var buf bytes.Buffer
	if err := pager.CaptureEngineTo(context.Background(), sourceEngine(), &buf, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snap")
	os.WriteFile(path, buf.Bytes(), 0o600)
	dst := newMapEngine()
	if err := pager.RestoreEngineContext(context.Background(), dst, path, nil); err != nil {
		t.Fatal(err)
	}
	if len(dst.pages) != 3 {
		t.Fatalf("restored %d pages", len(dst.pages))
	}
}

func TestRefEngineMetaAndCapacity(t *testing.T) {
	e, err := pager.NewRefEngine(meta, 12)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	m, err1 := e.Meta()
	n, err2 := e.CapacityPages()
	if m != meta || n != 12 || err1 != nil || err2 != nil {
		t.Fatalf("Meta %+v (%v), CapacityPages %d (%v)", m, err1, n, err2)
	}
}
