package pager

import (
	"errors"

	"libpager.dev/pager/internal/capi"
)

// ReadTxn is a WAL read transaction (pager_wal_read_txn_*): it pins the last commit of its
// Wal as of BeginRead, so every read through it sees that commit -- its pages, page count and
// application header -- whatever the Wal commits or checkpoints meanwhile (snapshot
// isolation; staged changes are never seen). Reads through the Wal itself keep seeing the
// latest state.
//
// Thread safety: its methods may be called from several goroutines at once (the library
// serializes them with the Wal's calls); Close waits for the calls in progress. While an open
// ReadTxn is older than the Wal's last commit, checkpoints leave the WAL's frames in place
// (the WAL grows): Close it promptly, or use (*Wal).View.
//
// A ReadTxn may outlive its Wal: after the Wal's Close its calls return a *ClosedError
// naming the Wal (errors.Is(err, ErrClosed) and ErrInvalid, Err is the library's INVALID
// "closed"); Close still releases it. After its own Close, calls return a *ClosedError
// naming the ReadTxn. A ReadTxn that becomes unreachable without Close is freed by a cleanup.
type ReadTxn struct {
	h        handle
	wal      *Wal // to tell "the Wal is closed" from other ErrInvalid
	pageSize int  // the Wal's page size (fixed for the life of a handle)
}

// BeginRead starts a read transaction pinning the Wal's last commit. Close it when done.
func (w *Wal) BeginRead() (*ReadTxn, error) {
	var h uintptr
	var size uint32
	err := w.h.do(func(p uintptr) error {
		if err := capi.Pager_wal_page_size(p, &size); err != nil {
			return err
		}
		return capi.Pager_wal_read_txn_begin(p, &h)
	})
	if err != nil {
		return nil, err
	}
	t := &ReadTxn{wal: w, pageSize: int(size)}
	return own(t, &t.h, h, "ReadTxn", capi.Pager_wal_read_txn_free), nil
}

// View runs fn inside a read transaction and closes it when fn returns (or panics).
// Returns fn's error, else the error of beginning the transaction.
func (w *Wal) View(fn func(*ReadTxn) error) error {
	t, err := w.BeginRead()
	if err != nil {
		return err
	}
	defer t.Close()
	return fn(t)
}

// do runs call on the transaction while holding its Wal shared as well (pager.h:
// pager_wal_close must not run concurrently with another call; the Wal's Close waits for it).
// After the Wal's Close the call still reaches the library, which answers INVALID "closed";
// that becomes a *ClosedError naming the Wal, wrapping it. Lock order: the Wal, then the
// transaction (no call takes them the other way round; neither is taken twice).
func (t *ReadTxn) do(call func(p uintptr) error) error {
	w := &t.wal.h
	w.mu.RLock()
	walClosed := w.p == 0
	err := t.h.do(call)
	w.mu.RUnlock()
	var pe *Error
	if walClosed && errors.As(err, &pe) && pe.Code == CodeInvalid {
		return &ClosedError{Handle: "Wal", Err: err}
	}
	return err
}

// PageCount is the page count of the transaction's commit (page 0 counted).
func (t *ReadTxn) PageCount() (uint32, error) {
	var v uint32
	err := t.do(func(p uintptr) error { return capi.Pager_wal_read_txn_page_count(p, &v) })
	return v, err
}

// ReadPage returns a new slice with the page's content as of the transaction's commit
// (ErrNotFound at or past PageCount, ErrReserved for page 0).
func (t *ReadTxn) ReadPage(page uint32) ([]byte, error) {
	buf := make([]byte, t.pageSize)
	if err := t.ReadPageInto(page, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// ReadPageInto reads the page as of the transaction's commit into buf, whose length must be
// the page size (else ErrInvalid). buf is untouched on failure.
func (t *ReadTxn) ReadPageInto(page uint32, buf []byte) error {
	return t.do(func(p uintptr) error { return capi.Pager_wal_read_txn_read_page(p, page, buf) })
}

// ReadAppHeader returns the application header of the transaction's commit
// (WalAppHeaderSize bytes).
func (t *ReadTxn) ReadAppHeader() ([]byte, error) {
	buf := make([]byte, WalAppHeaderSize)
	if err := t.do(func(p uintptr) error { return capi.Pager_wal_read_txn_read_app_header(p, buf) }); err != nil {
		return nil, err
	}
	return buf, nil
}

// Close ends the transaction (checkpoints are no longer held back by it). Idempotent; it
// waits for calls running on other goroutines.
func (t *ReadTxn) Close() error {
	return t.h.release(func(p uintptr) error { capi.Pager_wal_read_txn_free(p); return nil })
}
