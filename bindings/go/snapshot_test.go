package pager_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"libpager.dev/pager"
)

var meta = pager.CacheMeta{TokensPerPage: 4, Layers: 2, KvHeads: 2, HeadDim: 8, Dtype: pager.DtypeF16}

func fillEngine(t *testing.T, e *pager.RefEngine, k, v int) []uint32 {
	kb, vb, err := meta.PageBytes()
	if err != nil {
		t.Fatal(err)
	}
	var slots []uint32
	for i := 0; i < 3; i++ {
		s, err := e.AllocPage()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.WritePage(s, bytes.Repeat([]byte{byte(k + i)}, int(kb)), bytes.Repeat([]byte{byte(v + i)}, int(vb))); err != nil {
			t.Fatal(err)
		}
		slots = append(slots, s)
	}
	if err := e.SetSeq([]byte("req-1"), slots, 3); err != nil {
		t.Fatal(err)
	}
	return slots
}

func TestSnapshotCaptureRestoreInspect(t *testing.T) {
	dir := t.TempDir()
	src, err := pager.NewRefEngine(meta, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fillEngine(t, src, 10, 20)
	want, _ := src.Fingerprint()
	path := filepath.Join(dir, "snap")
	if err := src.Capture(path, &pager.SnapshotOptions{Threads: 1}); err != nil {
		t.Fatal(err)
	}
	if err := pager.VerifySnapshot(path); err != nil {
		t.Fatal(err)
	}
	info, err := pager.InspectSnapshot(path)
	if err != nil || info.PageCount != 3 || info.SeqCount != 1 || info.Meta != meta {
		t.Fatalf("InspectSnapshot = %+v, %v", info, err)
	}

	dst, err := pager.NewRefEngine(meta, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	occupied, _ := dst.AllocPage() // restore places pages in other slots
	if err := dst.Restore(path, &pager.SnapshotOptions{AllowNonempty: true}); err != nil {
		t.Fatal(err)
	}
	if err := dst.FreePage(occupied); err != nil {
		t.Fatal(err)
	}
	got, _ := dst.Fingerprint()
	if got != want {
		t.Fatalf("fingerprint after restore %x, want %x", got, want)
	}
	pages, fill, err := dst.Seq([]byte("req-1"))
	if err != nil || len(pages) != 3 || fill != 3 || reflect.DeepEqual(pages, []uint32{0, 1, 2}) {
		t.Fatalf("Seq = %v %d %v (slots should have moved)", pages, fill, err)
	}
}

func TestSnapshotErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := pager.NewRefEngine(meta, 0)
	requireCode(t, err, pager.ErrInvalid)
	e, err := pager.NewRefEngine(meta, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	fillEngine(t, e, 1, 2)
	if err := e.FailCallback("read_page", 1, -5); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "snap")
	err = e.Capture(path, nil)
	requireCode(t, err, pager.ErrCallback)
	var pe *pager.Error
	if errors.As(err, &pe); !strings.Contains(pe.Message, "-5") {
		t.Fatalf("message %q does not name the adapter code", pe.Message)
	}
	if err := e.Capture(path, nil); err != nil {
		t.Fatal(err)
	}
	err = e.Restore(path, nil) // e already holds pages
	requireCode(t, err, pager.ErrExists)
	other := meta
	other.Layers = 3
	o, err := pager.NewRefEngine(other, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	requireCode(t, o.Restore(path, nil), pager.ErrMismatch)
	_, err = pager.InspectSnapshot(filepath.Join(dir, "missing"))
	requireCode(t, err, pager.ErrNotFound)
}
