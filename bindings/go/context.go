package pager

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Opens that may wait on a lock, with a context.Context. A PageFile, a Wal and a
// WalsegWriter take a file lock at open; another opener holding it makes the open ErrBusy
// at once (the default), or wait up to LockTimeoutMs inside the library, where no context
// can reach it. The *Context variants wait until ctx is done instead: they retry with a
// bounded lock wait (at most lockPollInterval per attempt, less near ctx's deadline), so a
// cancellation is seen within that interval. A positive opts.LockTimeoutMs still bounds the
// total wait (then the error is the library's ErrBusy); when ctx ends first the error
// matches both ErrBusy and ctx.Err() (context.Canceled or context.DeadlineExceeded).

// lockPollInterval bounds one attempt's lock wait in the *Context opens.
const lockPollInterval = 50 * time.Millisecond

// OpenFileContext is OpenFile waiting for a lock held by another opener until ctx is done.
func OpenFileContext(ctx context.Context, path string, opts *FileOptions) (*PageFile, error) {
	o := DefaultFileOptions()
	if opts != nil {
		o = *opts
	}
	return openWaiting(ctx, o.LockTimeoutMs, true, func(waitMs int64) (*PageFile, error) {
		o.LockTimeoutMs = waitMs
		return OpenFile(path, &o)
	})
}

// OpenWalContext is OpenWal waiting for a lock held by another opener until ctx is done.
func OpenWalContext(ctx context.Context, path string, opts *WalOptions) (*Wal, error) {
	o := DefaultWalOptions()
	if opts != nil {
		o = *opts
	}
	return openWaiting(ctx, o.LockTimeoutMs, true, func(waitMs int64) (*Wal, error) {
		o.LockTimeoutMs = waitMs
		return OpenWal(path, &o)
	})
}

// OpenWalsegWriterContext is OpenWalsegWriter waiting for the directory's lock (held by
// another writer) until ctx is done. The library has no lock wait here: it polls every
// lockPollInterval.
func OpenWalsegWriterContext(ctx context.Context, dir string, opts *WalsegOptions) (*WalsegWriter, error) {
	return openWaiting(ctx, 0, false, func(int64) (*WalsegWriter, error) {
		return OpenWalsegWriter(dir, opts)
	})
}

// openWaiting calls open until it is not ErrBusy, ctx is done, or limitMs (> 0) passed.
// libraryWaits: open waits up to waitMs for the lock itself; else openWaiting sleeps.
func openWaiting[T any](ctx context.Context, limitMs int64, libraryWaits bool,
	open func(waitMs int64) (*T, error)) (*T, error) {
	var limit time.Time
	if limitMs > 0 {
		limit = time.Now().Add(time.Duration(limitMs) * time.Millisecond)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wait := lockPollInterval
		if d, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(d))
		}
		if !limit.IsZero() {
			wait = min(wait, time.Until(limit))
		}
		wait = max(wait, time.Millisecond)
		var waitMs int64
		if libraryWaits {
			waitMs = wait.Milliseconds()
		}
		t, err := open(waitMs)
		if err == nil || !errors.Is(err, ErrBusy) {
			return t, err
		}
		if !limit.IsZero() && !time.Now().Before(limit) {
			return nil, err
		}
		if !libraryWaits {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-timer.C:
			}
			timer.Stop()
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
	}
}
