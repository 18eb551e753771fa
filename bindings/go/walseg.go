package pager

import (
	"iter"
	"strconv"

	"libpager.dev/pager/internal/capi"
)

// WAL segments (pager_walseg_*): a checksummed record log in a directory of segment files.
// Readers map segments read-only; the Go layer COPIES each payload into a new []byte (a
// C view dangles once the reader is closed -- or, for a replay, at its next Next, which may
// unmap the previous segment -- and cgo forbids keeping it).

// Sync policies, stop reasons and the required-type bit of pager.h.
var (
	WalsegSyncEveryRecord = uint32(capi.PAGER_WALSEG_SYNC_EVERY_RECORD)
	WalsegSyncGroup       = uint32(capi.PAGER_WALSEG_SYNC_GROUP)
	WalsegSyncExplicit    = uint32(capi.PAGER_WALSEG_SYNC_EXPLICIT)
)

// StopReason tells why a WalsegReader or WalsegReplay stopped (PAGER_WALSEG_STOP_*; the values
// are pager.h's, checked by TestStopReasonValuesMatchTheHeader).
type StopReason uint32

const (
	WalsegStopNone     StopReason = 0 // not stopped: records may follow
	WalsegStopCleanEnd StopReason = 1 // the end of the data (end of file or zero tail)
	WalsegStopTornTail StopReason = 2 // an incomplete last write that was never acknowledged
	WalsegStopCorrupt  StopReason = 3 // damage with durable records after it (or before the end)
)

// String is "none", "clean end", "torn tail", "corrupt" (or "StopReason(n)").
func (r StopReason) String() string {
	switch r {
	case WalsegStopNone:
		return "none"
	case WalsegStopCleanEnd:
		return "clean end"
	case WalsegStopTornTail:
		return "torn tail"
	case WalsegStopCorrupt:
		return "corrupt"
	}
	return "StopReason(" + strconv.FormatUint(uint64(r), 10) + ")"
}

// WalsegTypeRequired marks a record type every reader must understand.
const WalsegTypeRequired uint16 = 0x8000

// WalsegOptions mirrors pager_walseg_options; start from DefaultWalsegOptions().
type WalsegOptions struct {
	SyncPolicy      uint32
	SegmentBytes    uint64
	GroupBytes      uint64
	GroupIntervalUs uint64
	MaxPayloadBytes uint64
	PrewriteBytes   uint64
	BufferBytes     uint64
	FirstLsn        uint64
	CreateIfMissing bool
}

// DefaultWalsegOptions returns what pager_walseg_options_init writes.
func DefaultWalsegOptions() WalsegOptions {
	c := capi.NewPager_walseg_options()
	defer capi.DeletePager_walseg_options(c)
	return WalsegOptions{
		SyncPolicy: c.GetSync_policy(), SegmentBytes: c.GetSegment_bytes(),
		GroupBytes: c.GetGroup_bytes(), GroupIntervalUs: c.GetGroup_interval_us(),
		MaxPayloadBytes: c.GetMax_payload_bytes(), PrewriteBytes: c.GetPrewrite_bytes(),
		BufferBytes: c.GetBuffer_bytes(), FirstLsn: c.GetFirst_lsn(),
		CreateIfMissing: c.GetCreate_if_missing() != 0,
	}
}

func (o *WalsegOptions) toC() capi.Pager_walseg_options {
	c := capi.NewPager_walseg_options()
	c.SetSync_policy(o.SyncPolicy)
	c.SetSegment_bytes(o.SegmentBytes)
	c.SetGroup_bytes(o.GroupBytes)
	c.SetGroup_interval_us(o.GroupIntervalUs)
	c.SetMax_payload_bytes(o.MaxPayloadBytes)
	c.SetPrewrite_bytes(o.PrewriteBytes)
	c.SetBuffer_bytes(o.BufferBytes)
	c.SetFirst_lsn(o.FirstLsn)
	var create uint32
	if o.CreateIfMissing {
		create = 1
	}
	c.SetCreate_if_missing(create)
	return c
}

// WalsegWriter appends records to a log directory (exclusive lock on <dir>/LOCK). Its methods
// may be called from several goroutines; Close waits for the calls in progress, and later
// calls return a *ClosedError (errors.Is(err, ErrClosed)).
type WalsegWriter struct{ h handle }

// OpenWalsegWriter opens (or creates) the log directory dir; opts may be nil (defaults).
func OpenWalsegWriter(dir string, opts *WalsegOptions) (*WalsegWriter, error) {
	var c capi.Pager_walseg_options
	if opts != nil {
		c = opts.toC()
		defer capi.DeletePager_walseg_options(c)
	}
	var h uintptr
	if err := capi.Pager_walseg_writer_open(dir, c, &h); err != nil {
		return nil, err
	}
	w := &WalsegWriter{}
	return own(w, &w.h, h, "WalsegWriter", func(p uintptr) { _ = capi.Pager_walseg_writer_close(p) }), nil
}

// Append appends one record and returns its LSN.
func (w *WalsegWriter) Append(recordType uint16, data []byte) (uint64, error) {
	var lsn uint64
	err := w.h.do(func(p uintptr) error { return capi.Pager_walseg_append(p, recordType, data, &lsn) })
	return lsn, err
}

// Sync makes every appended record durable.
func (w *WalsegWriter) Sync() error { return w.h.do(capi.Pager_walseg_sync) }

// Flush writes staged records to the file (visible to new readers, not durable).
func (w *WalsegWriter) Flush() error { return w.h.do(capi.Pager_walseg_flush) }

// Lsns returns the LSN the next append gets and the highest durable LSN.
func (w *WalsegWriter) Lsns() (next, durable uint64, err error) {
	err = w.h.do(func(p uintptr) error { return capi.Pager_walseg_writer_lsns(p, &next, &durable) })
	return
}

// RemoveBefore deletes sealed segments whose records all have LSN < lsn.
func (w *WalsegWriter) RemoveBefore(lsn uint64) (uint64, error) {
	var n uint64
	err := w.h.do(func(p uintptr) error { return capi.Pager_walseg_remove_before(p, lsn, &n) })
	return n, err
}

// Close writes staged records, syncs, unlocks and frees (the handle is gone even on error).
// It waits for calls running on other goroutines; a second Close returns nil.
func (w *WalsegWriter) Close() error { return w.h.release(capi.Pager_walseg_writer_close) }

// WalsegReaderOptions mirrors pager_walseg_reader_options.
type WalsegReaderOptions struct {
	KnownTypes       []uint16 // nil: every type is known
	MaxPayloadBytes  uint64   // 0: the library default
	ExpectedFirstLsn uint64
}

func (o *WalsegReaderOptions) toC() (capi.Pager_walseg_reader_options, error) {
	c := capi.NewPager_walseg_reader_options()
	for _, t := range o.KnownTypes {
		if rc := c.Add_known_type(t); rc != 0 {
			capi.DeletePager_walseg_reader_options(c)
			return nil, &Error{Code: ErrorCode(rc), Message: "copying the known type list"}
		}
	}
	if o.MaxPayloadBytes != 0 {
		c.SetMax_payload_bytes(o.MaxPayloadBytes)
	}
	c.SetExpected_first_lsn(o.ExpectedFirstLsn)
	return c, nil
}

// WalsegRecord is one record; Data is a copy of the payload.
type WalsegRecord struct {
	Lsn    uint64
	Type   uint16 // as stored, including WalsegTypeRequired
	Offset uint64 // of the record's header in its segment
	Data   []byte
}

func copyRecord(rec capi.Pager_walseg_record) WalsegRecord {
	data := make([]byte, rec.GetLen())
	rec.Copy_data(data)
	return WalsegRecord{Lsn: rec.GetLsn(), Type: rec.GetRecord_type(), Offset: rec.GetOffset(), Data: data}
}

// WalsegReader reads one segment file through a read-only mapping. Close may run while other
// goroutines call it (they finish first; later calls return a *ClosedError).
type WalsegReader struct{ h handle }

// OpenWalsegReader maps the segment file path; opts may be nil.
func OpenWalsegReader(path string, opts *WalsegReaderOptions) (*WalsegReader, error) {
	var c capi.Pager_walseg_reader_options
	if opts != nil {
		var err error
		if c, err = opts.toC(); err != nil {
			return nil, err
		}
		defer capi.DeletePager_walseg_reader_options(c)
	}
	var h uintptr
	if err := capi.Pager_walseg_reader_open(path, c, &h); err != nil {
		return nil, err
	}
	r := &WalsegReader{}
	return own(r, &r.h, h, "WalsegReader", capi.Pager_walseg_reader_close), nil
}

// Next returns the next record (ok = true), or ok = false once the reader stopped
// (see Stop). Errors are sticky (ErrVersion for an unknown required type).
func (r *WalsegReader) Next() (rec WalsegRecord, ok bool, err error) {
	return nextRecord(r.h.do, capi.Pager_walseg_reader_next)
}

// nextRecord runs one next call (reader or replay) into a temporary C record and copies it
// out inside hold (the view dangles once the reader is closed, or at a replay's next Next).
func nextRecord(hold func(func(uintptr) error) error, next func(uintptr, capi.Pager_walseg_record, *uint32) error) (WalsegRecord, bool, error) {
	c := capi.NewPager_walseg_record()
	defer capi.DeletePager_walseg_record(c)
	var rec WalsegRecord
	var found uint32
	err := hold(func(p uintptr) error {
		if err := next(p, c, &found); err != nil || found == 0 {
			return err
		}
		rec = copyRecord(c)
		return nil
	})
	if err != nil || found == 0 {
		return WalsegRecord{}, false, err
	}
	return rec, true, nil
}

// Stop tells why the reader stopped (WalsegStop*), where, and the last valid LSN.
func (r *WalsegReader) Stop() (reason StopReason, offset, lastLsn uint64, err error) {
	var c uint32
	err = r.h.do(func(p uintptr) error { return capi.Pager_walseg_reader_stop(p, &c, &offset, &lastLsn) })
	return StopReason(c), offset, lastLsn, err
}

// WalsegPosition is where a reader is in its segment (pager_walseg_reader_position).
type WalsegPosition struct {
	Offset         uint64 // the current read offset
	Len            uint64 // the mapped file length (the segment's size at open)
	Empty          bool   // Len is 0
	MadviseApplied bool   // the kernel accepted the sequential-access advice
}

// Position reports the read offset and the mapping's length.
func (r *WalsegReader) Position() (WalsegPosition, error) {
	var pos WalsegPosition
	var empty, advised uint32
	err := r.h.do(func(p uintptr) error {
		return capi.Pager_walseg_reader_position(p, &pos.Offset, &pos.Len, &empty, &advised)
	})
	if err != nil {
		return WalsegPosition{}, err
	}
	pos.Empty, pos.MadviseApplied = empty != 0, advised != 0
	return pos, nil
}

// Records iterates the reader's remaining records (each Data a copy):
//
//	for rec, err := range r.Records() { if err != nil { ... }; use(rec) }
//
// It ends when the reader stops (then Stop says why) or after yielding an error (once).
func (r *WalsegReader) Records() iter.Seq2[WalsegRecord, error] { return records(r.Next) }

// Records iterates the replay's remaining records across segments, as WalsegReader.Records.
func (it *WalsegReplay) Records() iter.Seq2[WalsegRecord, error] { return records(it.Next) }

func records(next func() (WalsegRecord, bool, error)) iter.Seq2[WalsegRecord, error] {
	return func(yield func(WalsegRecord, error) bool) {
		for {
			rec, ok, err := next()
			if err != nil {
				yield(WalsegRecord{}, err)
				return
			}
			if !ok || !yield(rec, nil) {
				return
			}
		}
	}
}

// ReleasePages drops the segment's pages from memory and the page cache.
func (r *WalsegReader) ReleasePages() error { return r.h.do(capi.Pager_walseg_reader_release_pages) }

// Close unmaps and frees, after the calls in progress. Idempotent.
func (r *WalsegReader) Close() error {
	return r.h.release(func(p uintptr) error { capi.Pager_walseg_reader_close(p); return nil })
}

// WalsegReplay iterates the records of a whole log directory, across segments. Close may run
// while other goroutines call it (they finish first; later calls return a *ClosedError).
type WalsegReplay struct{ h handle }

// OpenWalsegReplay replays dir from fromLsn (0: the oldest segment); opts may be nil.
func OpenWalsegReplay(dir string, fromLsn uint64, opts *WalsegReaderOptions) (*WalsegReplay, error) {
	var c capi.Pager_walseg_reader_options
	if opts != nil {
		var err error
		if c, err = opts.toC(); err != nil {
			return nil, err
		}
		defer capi.DeletePager_walseg_reader_options(c)
	}
	var h uintptr
	if err := capi.Pager_walseg_replay_open(dir, fromLsn, c, &h); err != nil {
		return nil, err
	}
	it := &WalsegReplay{}
	return own(it, &it.h, h, "WalsegReplay", capi.Pager_walseg_replay_close), nil
}

// Next is WalsegReader.Next across segments. The replay holds one segment at a time, so any
// number of segments replays with one descriptor; the returned Data is a copy and stays valid.
func (it *WalsegReplay) Next() (rec WalsegRecord, ok bool, err error) {
	// Exclusive: another Next may unmap the segment this record's view points into.
	return nextRecord(it.h.doExclusive, capi.Pager_walseg_replay_next)
}

// Stop tells why the replay stopped, in which segment (its first LSN), where, and the last LSN.
func (it *WalsegReplay) Stop() (reason StopReason, segmentLsn, offset, lastLsn uint64, err error) {
	var c uint32
	err = it.h.do(func(p uintptr) error {
		return capi.Pager_walseg_replay_stop(p, &c, &segmentLsn, &offset, &lastLsn)
	})
	return StopReason(c), segmentLsn, offset, lastLsn, err
}

// Close unmaps the segment the replay holds and frees, after the calls in progress.
// Idempotent.
func (it *WalsegReplay) Close() error {
	return it.h.release(func(p uintptr) error { capi.Pager_walseg_replay_close(p); return nil })
}

func stopDetail(h *handle, call func(p uintptr, buf []byte, n *uint64) error) (string, error) {
	var n uint64
	buf := make([]byte, 256)
	for {
		if err := h.do(func(p uintptr) error { return call(p, buf, &n) }); err != nil {
			return "", err
		}
		if n < uint64(len(buf)) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, n+1) // truncated: retry with the full length
	}
}

// StopDetail says in words why the reader stopped ("" for a clean end or before the stop).
func (r *WalsegReader) StopDetail() (string, error) {
	return stopDetail(&r.h, capi.Pager_walseg_reader_stop_detail)
}

// StopDetail says in words why the replay stopped.
func (it *WalsegReplay) StopDetail() (string, error) {
	return stopDetail(&it.h, capi.Pager_walseg_replay_stop_detail)
}
