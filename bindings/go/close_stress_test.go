package pager_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"libpager.dev/pager"
)

// Closing a handle while goroutines use it is an error for the late calls, never a crash, a
// data race or a wrong answer. Each test opens a handle per round, starts closeReaders
// goroutines that loop on reads (each checks the bytes it got), closes the handle after a
// random pause, and requires every call to return the right bytes or the closed error of
// its type. Before the handles were guarded, the Wal and PageFile rounds crashed in cgo
// (SIGSEGV) or answered "the page size is 0", and `-race` reported the handle field.

const (
	closeRounds  = 200
	closeReaders = 4
)

// closeRound is one round: read is called in a loop by each reader (nil: a correct
// answer); closeFn closes the handle.
type closeRound struct {
	read    func() error
	closeFn func() error
}

// requireClosedError fails unless err is the closed error of handle type name.
func requireClosedError(t *testing.T, name string, err error) {
	t.Helper()
	want := "pager: " + name + " is closed"
	if !errors.Is(err, os.ErrClosed) || !errors.Is(err, pager.ErrClosed) || err.Error() != want {
		t.Errorf("got %v; want %q (errors.Is os.ErrClosed)", err, want)
	}
}

// stressClose runs closeRounds rounds of open, concurrent reads, close at a random moment.
func stressClose(t *testing.T, name string, open func(round int) closeRound) {
	var ok atomic.Int64
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < closeRounds && !t.Failed(); round++ {
		r := open(round)
		var wg sync.WaitGroup
		for i := 0; i < closeReaders; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					err := r.read()
					if err == nil {
						ok.Add(1)
						continue
					}
					requireClosedError(t, name, err)
					return
				}
			}()
		}
		time.Sleep(time.Duration(rng.Intn(400)) * time.Microsecond)
		if err := r.closeFn(); err != nil {
			t.Errorf("round %d: Close() = %v", round, err)
		}
		wg.Wait()
		if err := r.closeFn(); err != nil {
			t.Errorf("round %d: a second Close() = %v; want nil", round, err)
		}
		requireClosedError(t, name, r.read())
	}
	if ok.Load() == 0 {
		t.Fatal("no read succeeded before a close: the test proves nothing")
	}
}

func pattern(page int, size int) []byte {
	return bytes.Repeat([]byte{byte(page*31 + 7)}, size)
}

func TestWalCloseDuringReadsIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	opts := pager.DefaultWalOptions()
	opts.PageSize = 1024
	w, err := pager.CreateWal(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	for p := 1; p <= 4; p++ {
		if err := w.StagePage(uint32(p), pattern(p, 1024)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	ro := pager.DefaultWalOptions()
	ro.ReadOnly = true
	stressClose(t, "Wal", func(round int) closeRound {
		w, err := pager.OpenWal(path, &ro)
		if err != nil {
			t.Fatal(err)
		}
		var n atomic.Uint32
		return closeRound{
			read: func() error {
				p := 1 + n.Add(1)%4
				got, err := w.ReadPage(p)
				if err == nil && !bytes.Equal(got, pattern(int(p), 1024)) {
					return fmt.Errorf("page %d: wrong bytes", p)
				}
				return err
			},
			closeFn: w.Close,
		}
	})
}

func TestFileCloseDuringReadsIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	f, err := pager.CreateFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := f.AllocBulk(4)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := f.PageSize()
	for _, id := range ids {
		if err := f.WriteAt(id, 0, pattern(int(id), size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SyncPages(ids...); err != nil {
		t.Fatal(err)
	}
	f.Close()
	stressClose(t, "PageFile", func(round int) closeRound {
		f, err := pager.OpenFile(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n atomic.Uint32
		return closeRound{
			read: func() error {
				i := n.Add(1)
				id := ids[i%4]
				if i%2 == 0 {
					got, err := f.ReadPage(id)
					if err == nil && !bytes.Equal(got, pattern(int(id), size)) {
						return fmt.Errorf("page %d: wrong bytes", id)
					}
					return err
				}
				got := make([]byte, 100)
				err := f.ReadAt(id, uint64(size-100), got)
				if err == nil && !bytes.Equal(got, pattern(int(id), 100)) {
					return fmt.Errorf("page %d: wrong tail bytes", id)
				}
				return err
			},
			closeFn: f.Close,
		}
	})
}

// A transaction of a closed PageFile answers the closed error too (the library's INVALID
// "closed", named after the PageFile), and can still be closed.
func TestFileTxnOfAClosedFileSaysClosed(t *testing.T) {
	f, err := pager.CreateFile(filepath.Join(t.TempDir(), "pages"), nil)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := f.ProtectedAlloc()
	if err != nil {
		t.Fatal(err)
	}
	txn, err := f.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Add(pid); err != nil {
		t.Fatal(err)
	}
	f.Close()
	err = txn.Commit()
	var pe *pager.Error
	if !errors.Is(err, pager.ErrClosed) || !errors.As(err, &pe) || pe.Code != pager.CodeInvalid {
		t.Fatalf("Commit after the file's Close = %v; want the closed error wrapping INVALID", err)
	}
	if err := txn.Close(); err != nil {
		t.Fatal(err)
	}
	requireClosedError(t, "FileTxn", txn.Commit())
	requireClosedError(t, "PageFile", f.Grow(10))
}

func TestWalsegReplayCloseDuringNextIsAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	opts := pager.DefaultWalsegOptions()
	opts.SegmentBytes = 4096
	w, err := pager.OpenWalsegWriter(dir, &opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 60; i++ {
		if _, err := w.Append(1, pattern(i, 200)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	requireClosedError(t, "WalsegWriter", w.Sync())
	stressClose(t, "WalsegReplay", func(round int) closeRound {
		it, err := pager.OpenWalsegReplay(dir, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		return closeRound{
			read: func() error {
				rec, ok, err := it.Next()
				if err != nil {
					return err
				}
				if !ok { // the end: keep asking why
					_, err = it.StopDetail()
					return err
				}
				if !bytes.Equal(rec.Data, pattern(int(rec.Lsn), 200)) {
					return fmt.Errorf("record %d: wrong bytes", rec.Lsn)
				}
				return nil
			},
			closeFn: it.Close,
		}
	})
}

// Reads race Close or Take of a cold handle; the handle keeps working after its pager closed.
func TestColdHandleCloseDuringReadsIsAnError(t *testing.T) {
	p, _ := openCold(t, pager.ColdBackendFile)
	data := pattern(3, 64<<10)
	stressClose(t, "ColdHandle", func(round int) closeRound {
		h, err := p.Pageout(pager.ColdBackendDefault, nil, data)
		if err != nil {
			t.Fatal(err)
		}
		closeFn := h.Close
		if round%2 == 1 {
			closeFn = func() error {
				got, err := h.Take()
				var closed *pager.ClosedError
				if errors.As(err, &closed) {
					return nil // the second call of the round
				}
				if err == nil && !bytes.Equal(got, data) {
					return errors.New("Take: wrong bytes")
				}
				return err
			}
		}
		return closeRound{
			read: func() error {
				dst := make([]byte, 4096)
				_, err := h.ReadAt(dst, 8192)
				if err == nil && !bytes.Equal(dst, data[:4096]) {
					return errors.New("ReadAt: wrong bytes")
				}
				return err
			},
			closeFn: closeFn,
		}
	})
	p.Close()
	requireClosedError(t, "ColdPager", p.SetBackend(pager.ColdBackendSwap))
}

func TestColdPagerCloseDuringPageoutsIsAnError(t *testing.T) {
	stressClose(t, "ColdPager", func(round int) closeRound {
		p, err := pager.OpenCold(nil)
		if err != nil {
			t.Fatal(err)
		}
		return closeRound{
			read: func() error {
				h, err := p.Pageout(pager.ColdBackendDefault, nil, []byte("cold bytes"))
				if err != nil {
					return err
				}
				defer h.Close()
				got, err := h.Take() // works after the pager closed
				if err != nil || string(got) != "cold bytes" {
					return fmt.Errorf("Take = %q, %v", got, err)
				}
				return nil
			},
			closeFn: p.Close,
		}
	})
}

func TestRefEngineCloseDuringReadsIsAnError(t *testing.T) {
	ref, err := pager.NewRefEngine(meta, 8)
	if err != nil {
		t.Fatal(err)
	}
	fillEngine(t, ref, 1, 2)
	want, _ := ref.Fingerprint()
	ref.Close()
	stressClose(t, "RefEngine", func(round int) closeRound {
		e, err := pager.NewRefEngine(meta, 8)
		if err != nil {
			t.Fatal(err)
		}
		fillEngine(t, e, 1, 2)
		return closeRound{
			read: func() error {
				got, err := e.Fingerprint()
				if err == nil && got != want {
					return fmt.Errorf("Fingerprint = %x, want %x", got, want)
				}
				return err
			},
			closeFn: e.Close,
		}
	})
}
