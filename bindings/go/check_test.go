package pager_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"libpager.dev/pager"
	"libpager.dev/pager/internal/capi"
)

func TestFormatsMatchHeader(t *testing.T) {
	got := []pager.Format{pager.FormatUnknown, pager.FormatFile, pager.FormatWalMain, pager.FormatWalLog,
		pager.FormatWalsegSegment, pager.FormatWalsegDir, pager.FormatSnapshot, pager.FormatWalShm,
		pager.FormatFileJournal,
		pager.Format(pager.WalIndexNone), pager.Format(pager.WalIndexCurrent),
		pager.Format(pager.WalIndexStale)}
	want := []int{capi.PAGER_FORMAT_UNKNOWN, capi.PAGER_FORMAT_FILE, capi.PAGER_FORMAT_WAL_MAIN,
		capi.PAGER_FORMAT_WAL_LOG, capi.PAGER_FORMAT_WALSEG_SEGMENT, capi.PAGER_FORMAT_WALSEG_DIR,
		capi.PAGER_FORMAT_SNAPSHOT, capi.PAGER_FORMAT_WAL_SHM, capi.PAGER_FORMAT_FILE_JOURNAL,
		capi.PAGER_WAL_INDEX_NONE,
		capi.PAGER_WAL_INDEX_CURRENT, capi.PAGER_WAL_INDEX_STALE}
	for i := range got {
		if int(got[i]) != want[i] {
			t.Errorf("format %d: Go %d, header %d", i, got[i], want[i])
		}
	}
	if pager.FormatSnapshot.String() != "snapshot" || pager.Format(99).String() != "Format(99)" {
		t.Errorf("Format.String: %q, %q", pager.FormatSnapshot.String(), pager.Format(99).String())
	}
}

func TestCheckFileHealthyAndDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pages")
	opts := pager.DefaultFileOptions()
	opts.PageSize = 4096
	f, err := pager.CreateFile(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Alloc(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if format, err := pager.DetectFormat(path); err != nil || format != pager.FormatFile {
		t.Fatalf("DetectFormat = %d, %v", format, err)
	}
	r, err := pager.CheckFile(path)
	if err != nil || r.Damaged || r.PageSize != 4096 || r.FormatVersion != 2 {
		t.Fatalf("CheckFile = %+v, %v", r, err)
	}
	b, _ := os.ReadFile(path)
	b[56] ^= 0xff // the superblock's checksum
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = pager.CheckFile(path)
	if err != nil || !r.Damaged || r.DamageRule != "superblock" || r.DamageOffset != 0 {
		t.Fatalf("damaged CheckFile = %+v, %v", r, err)
	}
	_, err = pager.CheckWal(path)
	if !errors.Is(err, pager.ErrInvalid) {
		t.Fatalf("CheckWal on a page file = %v", err)
	}
	// Its -journal (zeros at its head after the clean close) is checked with the page file.
	if format, err := pager.DetectFormat(path + "-journal"); err != nil || format != pager.FormatFileJournal {
		t.Fatalf("DetectFormat(-journal) = %d, %v", format, err)
	}
	r, err = pager.CheckFile(path + "-journal")
	if err != nil || !r.Damaged || r.DamageRule != "superblock" {
		t.Fatalf("CheckFile(-journal) = %+v, %v", r, err)
	}
}

func TestCheckWalReportsTheSharedIndexAndItsLiveReaders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.StagePage(1, make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if f, err := pager.DetectFormat(path + "-shm"); err != nil || f != pager.FormatWalShm {
		t.Fatalf("DetectFormat(-shm) = %v, %v", f, err)
	}
	ro := pager.DefaultWalOptions()
	ro.ReadOnly = true
	reader, err := pager.OpenWal(path, &ro)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	txn, err := reader.BeginRead()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pager.CheckWal(path + "-shm")
	if err != nil || r.Format != pager.FormatWalMain || r.Damaged {
		t.Fatalf("CheckWal(-shm) = %+v, %v", r, err)
	}
	if r.IndexState != pager.WalIndexCurrent || r.IndexReaders != 1 {
		t.Fatalf("index %v with %d readers, want current with 1", r.IndexState, r.IndexReaders)
	}
	txn.Close()
	if r, err = pager.CheckWal(path); err != nil || r.IndexReaders != 0 {
		t.Fatalf("after the txn: %+v, %v", r, err)
	}
}
