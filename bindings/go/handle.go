package pager

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// Closing a handle while other goroutines use it. Every handle type (Wal, PageFile, FileTxn,
// WalsegWriter/Reader/Replay, ColdPager, ColdHandle, RefEngine) keeps its native pointer in a
// handle: each call holds it shared (sync.RWMutex read lock) for the whole native call, Close
// holds it exclusively, releases the native object once and forgets the pointer. A call that
// starts after Close returns a *ClosedError; a call that is running when Close starts
// finishes first (Close waits for it). So closing during use is an error, never a crash or a
// call with a freed pointer. The shared hold is never taken twice by one call (Go's RWMutex
// is not reentrant: a nested RLock can deadlock behind a waiting Close).

// ErrClosed is the sentinel of a call on a closed handle: errors.Is(err, pager.ErrClosed)
// and errors.Is(err, os.ErrClosed) are both true for it (it is os.ErrClosed).
var ErrClosed = os.ErrClosed

// ClosedError is the error of a call on a closed handle (or on a transaction whose PageFile
// was closed): "pager: Wal is closed". It matches os.ErrClosed (pager.ErrClosed) and, as
// pager.h's "closed" does, ErrInvalid. Err is the library's own error when the library
// reported the closing (a child handle of a closed parent), else nil.
type ClosedError struct {
	Handle string // the closed type: "Wal", "PageFile", ...
	Err    error
}

func (e *ClosedError) Error() string {
	if e.Err != nil {
		return "pager: " + e.Handle + " is closed (" + e.Err.Error() + ")"
	}
	return "pager: " + e.Handle + " is closed"
}

// Is matches os.ErrClosed and ErrInvalid (PAGER_ERR_INVALID: the C API's "closed").
func (e *ClosedError) Is(target error) bool {
	if target == os.ErrClosed {
		return true
	}
	t, ok := target.(*Error)
	return ok && t.Code == CodeInvalid
}

// Unwrap is the library's error, if it reported the closing.
func (e *ClosedError) Unwrap() error { return e.Err }

// Forgotten handles. A handle that becomes unreachable without Close is released by a
// cleanup (runtime.AddCleanup on its owner, the *Wal, *PageFile...): the native object is
// freed, so its file lock, mapping and descriptors go too, some time after the garbage
// collector noticed. Close (or a consuming call such as ColdHandle.Take) stops the cleanup.
// The cleanup gets the native pointer only, never the owner (which would keep it alive).
// Close is still the way to release at a known moment (a lock another opener waits for,
// a walseg writer's final sync status).

// Closing a handle from inside its own callback. A call that runs Go callbacks while it holds
// the handle (RefEngine.Capture/Restore/CaptureTo with a Progress func or a context: the
// callback runs on the calling goroutine, inside the native call) registers itself with
// doCallback. Close while such a call runs cannot wait for it -- from the callback that
// would be a deadlock, and the binding cannot tell the callback's goroutine from another --
// so it is deferred: Close marks the handle closed at once (every later call, in the callback
// too, fails with a *ClosedError without waiting), returns nil, and the native object is
// released when the last such call returns. Calls made inside a callback before the Close
// work as usual (they never wait for an exclusive holder: no release waits while a callback
// call runs, and the handles with callback calls have no exclusive calls).

// handle is a native pointer guarded against Close running during a call.
type handle struct {
	mu      sync.RWMutex
	p       uintptr // 0 once closed
	name    string  // the Go type, for ClosedError
	cleanup runtime.Cleanup
	armed   bool // cleanup is registered and not yet stopped

	closing atomic.Bool           // Close has run (maybe deferred): no new call starts
	cb      sync.Mutex            // guards cbCalls, pending and the setting of closing
	cbCalls int                   // calls in progress that run Go callbacks (doCallback)
	pending func(p uintptr) error // a Close deferred to the end of the last of them
}

// own sets owner's handle h to the native pointer p and registers free(p) as the cleanup
// that runs if owner becomes unreachable before it is closed. Returns owner.
func own[T any](owner *T, h *handle, p uintptr, name string, free func(p uintptr)) *T {
	h.p, h.name = p, name
	h.cleanup = runtime.AddCleanup(owner, free, p)
	h.armed = true
	return owner
}

// disarm stops the cleanup once the native object was freed by a call (h.mu held).
func (h *handle) disarm() {
	if h.armed {
		h.cleanup.Stop()
		h.armed = false
	}
}

// do runs call with the pointer under the shared hold, or returns a *ClosedError.
func (h *handle) do(call func(p uintptr) error) error {
	if h.closing.Load() {
		return &ClosedError{Handle: h.name}
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.p == 0 {
		return &ClosedError{Handle: h.name}
	}
	return call(h.p)
}

// doCallback is do for a call that runs Go callbacks (see "Closing a handle from inside its
// own callback"): a Close while it runs is deferred to its end.
func (h *handle) doCallback(call func(p uintptr) error) error {
	h.cb.Lock()
	if h.closing.Load() {
		h.cb.Unlock()
		return &ClosedError{Handle: h.name}
	}
	h.cbCalls++
	h.cb.Unlock()
	defer h.endCallback() // also when a callback's panic is re-raised through the call
	return h.do(call)
}

// endCallback ends a doCallback call and runs a Close deferred to it if it was the last.
func (h *handle) endCallback() {
	h.cb.Lock()
	h.cbCalls--
	var free func(p uintptr) error
	if h.cbCalls == 0 {
		free, h.pending = h.pending, nil
	}
	h.cb.Unlock()
	if free != nil {
		_ = h.releaseNow(free) // the deferred Close already returned; nothing to report to
	}
}

// doExclusive runs call with the pointer under the exclusive hold (a call whose result must
// be used before another call on the handle runs, as a replay's record view).
func (h *handle) doExclusive(call func(p uintptr) error) error {
	return h.consume(func(p uintptr) (bool, error) { return false, call(p) })
}

// consume runs call with the pointer under the exclusive hold (for calls that may free the
// native object, as release and a cold Take do); call returns whether it freed it.
func (h *handle) consume(call func(p uintptr) (freed bool, err error)) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.p == 0 {
		return &ClosedError{Handle: h.name}
	}
	freed, err := call(h.p)
	if freed {
		h.p = 0
		h.disarm()
	}
	return err
}

// release frees the native object once, after every running call has returned; later
// releases return nil (Close is idempotent). While a doCallback call runs, the release is
// deferred to its end and release returns nil at once.
func (h *handle) release(free func(p uintptr) error) error {
	h.cb.Lock()
	if h.closing.Load() {
		h.cb.Unlock()
		return nil
	}
	h.closing.Store(true)
	if h.cbCalls > 0 {
		h.pending = free
		h.cb.Unlock()
		return nil
	}
	h.cb.Unlock()
	return h.releaseNow(free)
}

// releaseNow frees the native object once every running call has returned.
func (h *handle) releaseNow(free func(p uintptr) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.p == 0 {
		return nil
	}
	p := h.p
	h.p = 0
	h.disarm()
	return free(p)
}

// isClosed reports whether Close has run (a snapshot: it may change right after).
func (h *handle) isClosed() bool {
	if h.closing.Load() {
		return true
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.p == 0
}
