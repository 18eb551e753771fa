package pager_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"libpager.dev/pager"
)

// Closing a RefEngine from inside its own snapshot callback (the Progress func runs on the
// goroutine that called Capture/Restore, inside the engine's call). Before the fix Close
// waited for that very call to return: a deadlock. Close is now deferred to the end of the
// call: it returns nil at once, later calls (in the callback too) fail with ErrClosed, and
// the engine is freed when the Capture/Restore returns.

// withinDeadline runs f on its own goroutine and fails the test if it has not returned
// within d (the deadlock this file is about), instead of hanging the whole suite.
func withinDeadline(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %v: Close from inside the callback deadlocked", d)
	}
}

// engineToClose is filledRefEngine without the cleanup that closes it: the tests close it
// themselves, and on a deadlock a cleanup's Close would hang the suite behind the stuck call.
func engineToClose(t *testing.T) *pager.RefEngine {
	t.Helper()
	e, err := pager.NewRefEngine(meta, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetSeq([]byte("s"), fillEngine(t, e, 1, 100), 2); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCloseInsideCaptureProgressCallbackDoesNotDeadlock(t *testing.T) {
	e := engineToClose(t)
	path := filepath.Join(t.TempDir(), "snap")
	var closeErr, innerErr, capErr error
	calls := 0
	withinDeadline(t, 20*time.Second, func() {
		capErr = e.Capture(path, &pager.SnapshotOptions{Progress: func(d, tot uint64) bool {
			calls++
			if calls == 1 {
				closeErr = e.Close()
				_, innerErr = e.Fingerprint()
			}
			return true
		}})
	})
	if closeErr != nil {
		t.Fatalf("Close inside the callback: %v", closeErr)
	}
	if !errors.Is(innerErr, pager.ErrClosed) {
		t.Fatalf("a call after the deferred Close, inside the callback: %v, want ErrClosed", innerErr)
	}
	// The capture that was running finishes with the engine it started with.
	if capErr != nil {
		t.Fatalf("the capture the Close ran inside: %v", capErr)
	}
	if err := pager.VerifySnapshot(path); err != nil {
		t.Fatalf("the snapshot written around the Close: %v", err)
	}
	if _, err := e.Fingerprint(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("after the capture returned: %v, want ErrClosed", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}

func TestCloseInsideRestoreProgressCallbackDoesNotDeadlock(t *testing.T) {
	src := filledRefEngine(t)
	path := filepath.Join(t.TempDir(), "snap")
	if err := src.Capture(path, nil); err != nil {
		t.Fatal(err)
	}
	r, err := pager.NewRefEngine(meta, 16)
	if err != nil {
		t.Fatal(err)
	}
	var closeErr, restoreErr error
	withinDeadline(t, 20*time.Second, func() {
		restoreErr = r.RestoreContext(context.Background(), path, &pager.SnapshotOptions{
			Progress: func(d, tot uint64) bool {
				if err := r.Close(); err != nil {
					closeErr = err
				}
				return true
			}})
	})
	if closeErr != nil || restoreErr != nil {
		t.Fatalf("Close inside the restore callback: %v; restore: %v", closeErr, restoreErr)
	}
	if _, err := r.Stats(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("after the restore returned: %v, want ErrClosed", err)
	}
}

func TestCloseInsideCaptureToProgressCallbackDoesNotDeadlock(t *testing.T) {
	e := engineToClose(t)
	var buf bytes.Buffer
	var capErr error
	withinDeadline(t, 20*time.Second, func() {
		capErr = e.CaptureTo(context.Background(), &buf, &pager.SnapshotOptions{
			Progress: func(d, tot uint64) bool { _ = e.Close(); return true }})
	})
	if capErr != nil || buf.Len() == 0 {
		t.Fatalf("CaptureTo with a Close in its callback: %v (%d bytes)", capErr, buf.Len())
	}
	if err := e.Capture(filepath.Join(t.TempDir(), "again"), nil); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("a capture after the deferred Close: %v, want ErrClosed", err)
	}
}

// A Close from another goroutine while a capture with callbacks runs is deferred the same
// way (the binding cannot tell goroutines apart): it returns at once, new calls fail, and
// the running capture completes.
func TestCloseFromAnotherGoroutineDuringACallbackCallIsDeferredNotBlocking(t *testing.T) {
	e := engineToClose(t)
	path := filepath.Join(t.TempDir(), "snap")
	inCallback := make(chan struct{})
	release := make(chan struct{})
	capDone := make(chan error, 1)
	first := true
	go func() {
		capDone <- e.Capture(path, &pager.SnapshotOptions{Progress: func(d, tot uint64) bool {
			if first {
				first = false
				close(inCallback)
				<-release
			}
			return true
		}})
	}()
	<-inCallback
	withinDeadline(t, 20*time.Second, func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close during the capture: %v", err)
		}
	})
	if _, err := e.Fingerprint(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("a call after Close, while the capture still runs: %v", err)
	}
	close(release)
	if err := <-capDone; err != nil {
		t.Fatalf("the running capture: %v", err)
	}
}

// A panic in the Progress func after a Close inside it: the panic is re-raised through the
// Capture (not swallowed or turned into a hang by the deferred Close) and the engine is closed.
func TestPanicInProgressAfterCloseIsReraisedAndTheEngineStaysClosed(t *testing.T) {
	e := engineToClose(t)
	func() {
		defer func() {
			if r := recover(); r != "after close" {
				t.Fatalf("recovered %v, want the Progress panic", r)
			}
		}()
		_ = e.Capture(filepath.Join(t.TempDir(), "snap"), &pager.SnapshotOptions{
			Progress: func(d, tot uint64) bool { _ = e.Close(); panic("after close") }})
	}()
	if _, err := e.Fingerprint(); !errors.Is(err, pager.ErrClosed) {
		t.Fatalf("after the panicking capture: %v", err)
	}
}
