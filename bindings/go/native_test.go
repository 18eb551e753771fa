package pager_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"libpager.dev/pager"
	"libpager.dev/pager/internal/capi"
)

// Forgotten handles: a handle dropped without Close is released by its cleanup after the
// garbage collector noticed, so its lock no longer blocks another opener.

// forget opens a handle in a frame that returns nothing of it.
//
//go:noinline
func forget(t *testing.T, open func() (any, error)) {
	t.Helper()
	if _, err := open(); err != nil {
		t.Fatal(err)
	}
}

// reopenAfterGC retries open (which must fail ErrBusy first, proving the forgotten handle
// held the lock) with a GC before each try, for up to 10 s.
func reopenAfterGC(t *testing.T, open func() (func(), error)) {
	t.Helper()
	if closeFn, err := open(); err == nil {
		closeFn()
		t.Fatal("a second open succeeded while the first handle was still unreleased")
	} else if !errors.Is(err, pager.ErrBusy) {
		t.Fatalf("second open: %v, want ErrBusy", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		closeFn, err := open()
		if err == nil {
			closeFn()
			return
		}
		if !errors.Is(err, pager.ErrBusy) || time.Now().After(deadline) {
			t.Fatalf("the forgotten handle's lock was not released after GC: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestForgottenWalReleasesItsLockAfterGC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	forget(t, func() (any, error) { return pager.CreateWal(path, nil) })
	reopenAfterGC(t, func() (func(), error) {
		w, err := pager.OpenWal(path, nil)
		if err != nil {
			return nil, err
		}
		return func() { w.Close() }, nil
	})
}

func TestForgottenPageFileReleasesItsLockAfterGC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	forget(t, func() (any, error) { return pager.CreateFile(path, nil) })
	reopenAfterGC(t, func() (func(), error) {
		f, err := pager.OpenFile(path, nil)
		if err != nil {
			return nil, err
		}
		return func() { f.Close() }, nil
	})
}

func TestForgottenWalsegWriterReleasesItsLockAfterGC(t *testing.T) {
	dir := t.TempDir()
	opts := pager.DefaultWalsegOptions()
	opts.CreateIfMissing = true
	forget(t, func() (any, error) { return pager.OpenWalsegWriter(dir, &opts) })
	reopenAfterGC(t, func() (func(), error) {
		w, err := pager.OpenWalsegWriter(dir, &opts)
		if err != nil {
			return nil, err
		}
		return func() { w.Close() }, nil
	})
}

// Close stops the cleanup: GC after Close must not free the native object a second time
// (a double free aborts the process in glibc), and the reopened file's lock must hold.
func TestClosedHandleIsNotReleasedAgainByGC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	for i := 0; i < 20; i++ {
		var w *pager.Wal
		var err error
		if i == 0 {
			w, err = pager.CreateWal(path, nil)
		} else {
			w, err = pager.OpenWal(path, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
	}
	w, err := pager.OpenWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	runtime.GC()
	runtime.GC()
	if _, err := pager.OpenWal(path, nil); !errors.Is(err, pager.ErrBusy) {
		t.Fatalf("a second open while the first is open: %v, want ErrBusy", err)
	}
}

func TestMissingAndExistingFilesMatchFsErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := pager.OpenWal(filepath.Join(dir, "missing"), nil)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, os.ErrNotExist) || !errors.Is(err, pager.ErrNotFound) {
		t.Fatalf("OpenWal of a missing file: %v, want fs.ErrNotExist", err)
	}
	_, err = pager.OpenFile(filepath.Join(dir, "missing"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenFile of a missing file: %v, want fs.ErrNotExist", err)
	}
	path := filepath.Join(dir, "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = pager.CreateWal(path, nil)
	if !errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("CreateWal over an existing file: %v, want fs.ErrExist", err)
	}
	ro := pager.DefaultWalOptions()
	ro.ReadOnly = true
	r, err := pager.OpenWal(path, &ro)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = r.StagePage(1, make([]byte, 4096))
	if err == nil {
		_, err = r.Commit()
	}
	if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, pager.ErrReadOnly) {
		t.Fatalf("a mutation on a read-only handle: %v, want fs.ErrPermission", err)
	}
}

func TestErrorCodeStringIsTheSymbolicName(t *testing.T) {
	if got := pager.CodeBusy.String(); got != "PAGER_ERR_BUSY" {
		t.Fatalf("CodeBusy.String() = %q", got)
	}
	if got := pager.ErrorCode(999).String(); got != "PAGER_ERR_UNKNOWN" {
		t.Fatalf("ErrorCode(999).String() = %q", got)
	}
}

func TestStopReasonValuesMatchTheHeader(t *testing.T) {
	cases := []struct {
		r      pager.StopReason
		header int
		name   string
	}{
		{pager.WalsegStopNone, capi.PAGER_WALSEG_STOP_NONE, "none"},
		{pager.WalsegStopCleanEnd, capi.PAGER_WALSEG_STOP_CLEAN_END, "clean end"},
		{pager.WalsegStopTornTail, capi.PAGER_WALSEG_STOP_TORN_TAIL, "torn tail"},
		{pager.WalsegStopCorrupt, capi.PAGER_WALSEG_STOP_CORRUPT, "corrupt"},
	}
	for _, c := range cases {
		if int(c.r) != c.header || c.r.String() != c.name {
			t.Errorf("StopReason %d %q, header %d %q", uint32(c.r), c.r.String(), c.header, c.name)
		}
	}
	if got := pager.StopReason(9).String(); got != "StopReason(9)" {
		t.Errorf("StopReason(9).String() = %q", got)
	}
}

// Context opens: waiting for a lock until the holder closes, and giving up on cancel.

func TestOpenWalContextWaitsUntilTheHolderCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { w.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	w2, err := pager.OpenWalContext(ctx, path, nil)
	if err != nil {
		t.Fatalf("OpenWalContext: %v", err)
	}
	w2.Close()
	if time.Since(start) < 150*time.Millisecond {
		t.Fatalf("opened after %v, before the holder closed", time.Since(start))
	}
}

func TestOpenWalContextReturnsWhenCancelledWhileLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = pager.OpenWalContext(ctx, path, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, pager.ErrBusy) {
		t.Fatalf("OpenWalContext cancelled: %v, want context.Canceled and ErrBusy", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned %v after the cancel", d)
	}
}

func TestOpenFileContextHonoursItsDeadlineAndLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	f, err := pager.CreateFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = pager.OpenFileContext(ctx, path, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, pager.ErrBusy) {
		t.Fatalf("OpenFileContext past its deadline: %v", err)
	}
	opts := pager.DefaultFileOptions()
	opts.LockTimeoutMs = 120
	start := time.Now()
	_, err = pager.OpenFileContext(context.Background(), path, &opts)
	if !errors.Is(err, pager.ErrBusy) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("OpenFileContext past LockTimeoutMs: %v, want the library's ErrBusy", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 3*time.Second {
		t.Fatalf("LockTimeoutMs 120 gave up after %v", d)
	}
}

func TestOpenWalsegWriterContextWaitsForTheDirectoryLock(t *testing.T) {
	dir := t.TempDir()
	opts := pager.DefaultWalsegOptions()
	opts.CreateIfMissing = true
	w, err := pager.OpenWalsegWriter(dir, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pager.OpenWalsegWriter(dir, &opts); !errors.Is(err, pager.ErrBusy) {
		t.Fatalf("second writer: %v, want ErrBusy", err)
	}
	time.AfterFunc(150*time.Millisecond, func() { w.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w2, err := pager.OpenWalsegWriterContext(ctx, dir, &opts)
	if err != nil {
		t.Fatalf("OpenWalsegWriterContext: %v", err)
	}
	w2.Close()
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := pager.OpenWalsegWriterContext(ctx2, dir, &opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("with a cancelled context: %v", err)
	}
}
