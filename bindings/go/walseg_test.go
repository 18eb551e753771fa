package pager_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"libpager.dev/pager"
)

func TestWalsegAppendReplayRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	opts := pager.DefaultWalsegOptions()
	opts.SegmentBytes = 4096 // several segments
	w, err := pager.OpenWalsegWriter(dir, &opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 40; i++ {
		lsn, err := w.Append(uint16(1+i%2), bytes.Repeat([]byte{byte(i)}, 100+i))
		if err != nil || lsn != uint64(i) {
			t.Fatalf("Append %d = %d, %v", i, lsn, err)
		}
	}
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	next, durable, err := w.Lsns()
	if err != nil || next != 41 || durable != 40 {
		t.Fatalf("Lsns() = %d, %d, %v", next, durable, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	it, err := pager.OpenWalsegReplay(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for {
		rec, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		n++
		if rec.Lsn != uint64(n) || rec.Type != uint16(1+n%2) || !bytes.Equal(rec.Data, bytes.Repeat([]byte{byte(n)}, 100+n)) {
			t.Fatalf("record %d: %+v", n, rec.Lsn)
		}
	}
	if reason, _, _, last, _ := it.Stop(); n != 40 || reason != pager.WalsegStopCleanEnd || last != 40 {
		t.Fatalf("replayed %d records, stop %d at lsn %d", n, reason, last)
	}

	// One segment through the reader; type 2 is optional and unknown: skipped.
	first := filepath.Join(dir, fmt.Sprintf("%016x.wal", 1))
	r, err := pager.OpenWalsegReader(first, &pager.WalsegReaderOptions{KnownTypes: []uint16{1}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, ok, err := r.Next()
	if err != nil || !ok || rec.Lsn != 2 || rec.Type != 1 {
		t.Fatalf("first known record: %+v %v %v", rec.Lsn, ok, err)
	}
	if err := r.ReleasePages(); err != nil {
		t.Fatal(err)
	}
}

func TestWalsegErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	opts := pager.DefaultWalsegOptions()
	opts.MaxPayloadBytes = 64
	w, err := pager.OpenWalsegWriter(dir, &opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = pager.OpenWalsegWriter(dir, nil)
	requireCode(t, err, pager.ErrBusy)
	_, err = w.Append(1, make([]byte, 65))
	requireCode(t, err, pager.ErrTooLarge)
	_, err = w.Append(0, []byte("x"))
	requireCode(t, err, pager.ErrInvalid)
	if _, err := w.Append(7|pager.WalsegTypeRequired, []byte("must know")); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := pager.OpenWalsegReader(filepath.Join(dir, fmt.Sprintf("%016x.wal", 1)),
		&pager.WalsegReaderOptions{KnownTypes: []uint16{1}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, _, err = r.Next()
	requireCode(t, err, pager.ErrVersion)
	_, err = pager.OpenWalsegReader(filepath.Join(dir, "nope.wal"), nil)
	requireCode(t, err, pager.ErrNotFound)
	no := pager.DefaultWalsegOptions()
	no.CreateIfMissing = false
	_, err = pager.OpenWalsegWriter(filepath.Join(dir, "absent"), &no)
	requireCode(t, err, pager.ErrNotFound)
	if _, err := os.Stat(filepath.Join(dir, "LOCK")); err != nil {
		t.Fatal(err)
	}
}

func TestWalsegDamagedSegmentStopsWithAReason(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	w, err := pager.OpenWalsegWriter(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		if _, err := w.Append(1, bytes.Repeat([]byte{byte(i)}, 100+i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(dir, fmt.Sprintf("%016x.wal", 1))
	r, err := pager.OpenWalsegReader(seg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var offsets []uint64
	for rec, ok, err := r.Next(); ok && err == nil; rec, ok, err = r.Next() {
		offsets = append(offsets, rec.Offset)
	}
	r.Close()
	data, _ := os.ReadFile(seg)
	data[offsets[4]+40] ^= 0xff // inside record 5
	if err := os.WriteFile(seg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = pager.OpenWalsegReader(seg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for _, ok, err := r.Next(); ok && err == nil; _, ok, err = r.Next() {
		n++
	}
	reason, offset, last, _ := r.Stop()
	detail, err := r.StopDetail()
	if n != 4 || reason != pager.WalsegStopCorrupt || offset != offsets[4] || last != 4 || err != nil || detail == "" {
		t.Fatalf("read %d, stop %d at %d (last %d), detail %q %v", n, reason, offset, last, detail, err)
	}
}

// Close returns pager_walseg_writer_close's status: a writer poisoned by a failed rotation
// (the next segment's name is taken) reports ErrPoisoned.
func TestWalsegCloseReportsAPoisonedWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log")
	opts := pager.DefaultWalsegOptions()
	opts.SegmentBytes = 256
	w, err := pager.OpenWalsegWriter(dir, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append(1, make([]byte, 200)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%016x.wal", 2)), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = w.Append(1, make([]byte, 200))
	requireCode(t, err, pager.ErrExists)
	requireCode(t, w.Close(), pager.ErrPoisoned)
	if err := w.Close(); err != nil { // released either way: a second Close is a no-op
		t.Fatal(err)
	}
}
