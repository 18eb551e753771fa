package pager_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"libpager.dev/pager"
)

// newWalWithPage creates a 1024-byte-page Wal whose page 1 holds fill and app header hdr.
func newWalWithPage(t *testing.T, fill byte, hdr string) *pager.Wal {
	t.Helper()
	opts := pager.DefaultWalOptions()
	opts.PageSize = 1024
	w, err := pager.CreateWal(filepath.Join(t.TempDir(), "db"), &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	commitPage(t, w, fill, hdr)
	return w
}

func commitPage(t *testing.T, w *pager.Wal, fill byte, hdr string) {
	t.Helper()
	h := make([]byte, pager.WalAppHeaderSize)
	copy(h, hdr)
	if err := w.StagePage(1, bytes.Repeat([]byte{fill}, 1024)); err != nil {
		t.Fatal(err)
	}
	if err := w.StageAppHeader(h); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestReadTxnDoesNotSeeACommitAfterBegin(t *testing.T) {
	w := newWalWithPage(t, 0x11, "old")
	txn, err := w.BeginRead()
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	commitPage(t, w, 0x22, "new")
	if err := w.SetPageCount(5); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := txn.ReadPage(1)
	if err != nil || got[0] != 0x11 || got[1023] != 0x11 {
		t.Fatalf("txn.ReadPage(1) = %x.., %v; want the snapshot's 0x11", got[:1], err)
	}
	if n, err := txn.PageCount(); err != nil || n != 2 {
		t.Fatalf("txn.PageCount() = %d, %v; want 2", n, err)
	}
	if h, err := txn.ReadAppHeader(); err != nil || string(h[:3]) != "old" {
		t.Fatalf("txn.ReadAppHeader() = %q, %v; want old", h[:3], err)
	}
	outside, err := w.ReadPage(1)
	if err != nil || outside[0] != 0x22 {
		t.Fatalf("w.ReadPage(1) = %x.., %v; want the new commit's 0x22", outside[:1], err)
	}
	if n, _ := w.PageCount(); n != 5 {
		t.Fatalf("w.PageCount() = %d, want 5", n)
	}
	buf := make([]byte, 1024)
	if err := txn.ReadPageInto(1, buf); err != nil || buf[0] != 0x11 {
		t.Fatalf("ReadPageInto = %x.., %v", buf[:1], err)
	}
	// A passive checkpoint must leave the frames the reader needs; Stats says so.
	if _, err := w.Checkpoint(pager.CheckpointPassive); err != nil {
		t.Fatal(err)
	}
	st, err := w.Stats()
	if err != nil || st.ReadersActive != 1 || st.FramesLeft == 0 {
		t.Fatalf("Stats() = %+v, %v; want ReadersActive 1, FramesLeft > 0", st, err)
	}
	if got, _ := txn.ReadPage(1); got[0] != 0x11 {
		t.Fatalf("after checkpoint txn.ReadPage(1)[0] = %x, want 0x11", got[0])
	}
	txn.Close()
	if st, _ := w.Stats(); st.ReadersActive != 0 {
		t.Fatalf("ReadersActive after Close = %d, want 0", st.ReadersActive)
	}
}

func TestReadTxnBadArgumentsAreLibraryErrors(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	txn, err := w.BeginRead()
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	_, err = txn.ReadPage(0)
	requireCode(t, err, pager.ErrReserved)
	_, err = txn.ReadPage(2)
	requireCode(t, err, pager.ErrNotFound)
	requireCode(t, txn.ReadPageInto(1, make([]byte, 10)), pager.ErrInvalid)
	requireCode(t, txn.ReadPageInto(1, nil), pager.ErrInvalid)
}

func TestReadTxnUseAfterCloseIsClosedError(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	txn, err := w.BeginRead()
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := txn.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	_, err = txn.ReadPage(1)
	var ce *pager.ClosedError
	if !errors.As(err, &ce) || ce.Handle != "ReadTxn" || !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("ReadPage after Close = %v, want a ClosedError naming ReadTxn", err)
	}
	if _, err := txn.PageCount(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("PageCount after Close = %v", err)
	}
	if _, err := txn.ReadAppHeader(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("ReadAppHeader after Close = %v", err)
	}
}

func TestReadTxnAfterItsWalClosedReturnsTheLibrarysClosedError(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	txn, err := w.BeginRead()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = txn.ReadPage(1)
	var ce *pager.ClosedError
	var pe *pager.Error
	if !errors.As(err, &ce) || ce.Handle != "Wal" || !errors.As(err, &pe) ||
		pe.Code != pager.CodeInvalid || !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("ReadPage after the Wal's Close = %v, want a ClosedError naming Wal wrapping INVALID", err)
	}
	if _, err := txn.PageCount(); !errors.Is(err, pager.ErrInvalid) {
		t.Fatalf("PageCount = %v", err)
	}
	if _, err := txn.ReadAppHeader(); !errors.Is(err, pager.ErrInvalid) {
		t.Fatalf("ReadAppHeader = %v", err)
	}
	if err := txn.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.BeginRead(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("BeginRead on a closed Wal = %v", err)
	}
}

func TestReadTxnConcurrentReadsWhileWriterCommitsSeeOneSnapshot(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	txn, err := w.BeginRead()
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1024)
			for i := 0; i < 200; i++ {
				if err := txn.ReadPageInto(1, buf); err != nil {
					errs <- err
					return
				}
				if buf[0] != 0x11 || buf[1023] != 0x11 {
					errs <- errors.New("reader saw a byte of a later commit")
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		commitPage(t, w, byte(0x20+i), "")
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestReadTxnCloseWhileReadsRunNeverCrashes(t *testing.T) {
	for round := 0; round < 20; round++ {
		w := newWalWithPage(t, 0x11, "")
		txn, err := w.BeginRead()
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 1024)
				for i := 0; i < 100; i++ {
					err := txn.ReadPageInto(1, buf)
					if err != nil && !errors.Is(err, pager.ErrClosed) {
						t.Errorf("read during close: %v", err)
						return
					}
				}
			}()
		}
		if round%2 == 0 {
			w.Close()
		}
		txn.Close()
		w.Close()
		wg.Wait()
	}
}

func TestWalViewClosesTheTxnAndReturnsFnsError(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	var kept *pager.ReadTxn
	sentinel := errors.New("stop")
	err := w.View(func(txn *pager.ReadTxn) error {
		kept = txn
		if n, err := txn.PageCount(); err != nil || n != 2 {
			t.Errorf("PageCount in View = %d, %v", n, err)
		}
		if st, _ := w.Stats(); st.ReadersActive != 1 {
			t.Errorf("ReadersActive inside View = %d", st.ReadersActive)
		}
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("View = %v, want fn's error", err)
	}
	if _, err := kept.PageCount(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("txn after View returned = %v, want closed", err)
	}
	if st, _ := w.Stats(); st.ReadersActive != 0 {
		t.Fatalf("ReadersActive after View = %d", st.ReadersActive)
	}
}

func TestForgottenReadTxnEndsAfterGC(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	func() {
		txn, err := w.BeginRead()
		if err != nil {
			t.Fatal(err)
		}
		_ = txn // forgotten: no Close
	}()
	for i := 0; i < 100; i++ {
		runtime.GC()
		st, err := w.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.ReadersActive == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("a forgotten ReadTxn was never freed (ReadersActive stays 1)")
}

func TestClosedReadTxnIsNotFreedAgainByGC(t *testing.T) {
	w := newWalWithPage(t, 0x11, "")
	for i := 0; i < 20; i++ {
		txn, err := w.BeginRead()
		if err != nil {
			t.Fatal(err)
		}
		if err := txn.Close(); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
	}
	runtime.GC()
	if st, err := w.Stats(); err != nil || st.ReadersActive != 0 {
		t.Fatalf("Stats() = %+v, %v", st, err)
	}
}
