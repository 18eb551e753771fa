package pager_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"libpager.dev/pager"
	"libpager.dev/pager/internal/capi"
)

func requireCode(t *testing.T, err error, want error) {
	t.Helper()
	var pe *pager.Error
	if !errors.Is(err, want) || !errors.As(err, &pe) || pe.Message == "" {
		t.Fatalf("got %v, want %v with a message", err, want)
	}
}

func TestWalCommitReopenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	opts := pager.DefaultWalOptions()
	opts.PageSize = 1024
	w, err := pager.CreateWal(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	page := bytes.Repeat([]byte{0xab}, 1024)
	if err := w.StagePage(3, page); err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, pager.WalAppHeaderSize)
	copy(hdr, "app header")
	if err := w.StageAppHeader(hdr); err != nil {
		t.Fatal(err)
	}
	frames, err := w.Commit()
	if err != nil || frames != 1 {
		t.Fatalf("Commit() = %d, %v; want 1 data frame", frames, err)
	}
	if n, _ := w.PageCount(); n != 4 {
		t.Fatalf("PageCount() = %d, want 4", n)
	}
	st, err := w.Stats()
	if err != nil || st.Commits != 1 {
		t.Fatalf("Stats() = %+v, %v", st, err)
	}
	w.Close()
	w.Close() // idempotent

	ro := pager.DefaultWalOptions()
	ro.ReadOnly = true
	r, err := pager.OpenWal(path, &ro)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if m, _ := r.AccessMode(); m != pager.WalReadOnly {
		t.Fatalf("AccessMode() = %d", m)
	}
	got, err := r.ReadPage(3)
	if err != nil || !bytes.Equal(got, page) {
		t.Fatalf("ReadPage(3) after reopen: %v", err)
	}
	zero, err := r.ReadPage(2)
	if err != nil || !bytes.Equal(zero, make([]byte, 1024)) {
		t.Fatalf("never-written page 2 is not zeros: %v", err)
	}
	h, err := r.ReadAppHeader()
	if err != nil || !bytes.Equal(h, hdr) {
		t.Fatalf("app header: %v", err)
	}
	if err := r.StagePage(3, page); err != nil {
		t.Fatal(err) // staging works read-only; commit does not
	}
	_, err = r.Commit()
	requireCode(t, err, pager.ErrReadOnly)
}

func TestWalCheckpointAndRollback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	size, _ := w.PageSize()
	for p := uint32(1); p <= 5; p++ {
		if err := w.StagePage(p, bytes.Repeat([]byte{byte(p)}, size)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	pages, err := w.Checkpoint(pager.CheckpointPassive)
	if err != nil || pages != 5 {
		t.Fatalf("Checkpoint(CheckpointPassive) = %d, %v; want 5", pages, err)
	}
	if err := w.StagePage(1, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if err := w.ClearStaged(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, size)
	if err := w.ReadPageInto(1, buf); err != nil || buf[0] != 1 {
		t.Fatalf("rollback lost: %v %d", err, buf[0])
	}
	if err := w.SetPageCount(3); err != nil {
		t.Fatal(err)
	}
	_, err = w.ReadPage(4)
	requireCode(t, err, pager.ErrNotFound)
}

func TestWalErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := pager.OpenWal(filepath.Join(dir, "missing"), nil)
	requireCode(t, err, pager.ErrNotFound)

	path := filepath.Join(dir, "db")
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pager.CreateWal(path, nil)
	requireCode(t, err, pager.ErrExists)
	_, err = pager.OpenWal(path, nil)
	requireCode(t, err, pager.ErrBusy)
	err = w.StagePage(1, make([]byte, 10))
	requireCode(t, err, pager.ErrInvalid)
	_, err = w.ReadPage(0)
	requireCode(t, err, pager.ErrReserved)
	bad := pager.DefaultWalOptions()
	bad.PageSize = 1000
	_, err = pager.CreateWal(filepath.Join(dir, "other"), &bad)
	requireCode(t, err, pager.ErrInvalid)
	w.Close()
	_, err = w.Commit()
	if !errors.Is(err, os.ErrClosed) || !errors.Is(err, pager.ErrClosed) || err.Error() != "pager: Wal is closed" {
		t.Fatalf("Commit after Close = %v; want \"pager: Wal is closed\" (os.ErrClosed)", err)
	}
}

func TestWalCheckpointModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	if d := pager.DefaultWalOptions(); d.PageSize != 0 || d.ReadOnly || d.KeepFiles {
		t.Fatalf("DefaultWalOptions() = %+v; want page size 0 (the file's on open), read-write", d)
	}
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	size, _ := w.PageSize()
	for i, mode := range []pager.CheckpointMode{pager.CheckpointPassive, pager.CheckpointFull,
		pager.CheckpointTruncate} {
		if err := w.StagePage(uint32(i+1), bytes.Repeat([]byte{byte(i + 1)}, size)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		pages, err := w.Checkpoint(mode)
		if err != nil || pages != 1 {
			t.Fatalf("Checkpoint(%d) = %d, %v; want 1", mode, pages, err)
		}
	}
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() != 0 {
		t.Fatalf("after CheckpointTruncate the -wal file is %v bytes (%v); want 0", st.Size(), err)
	}
	_, err = w.Checkpoint(pager.CheckpointMode(7))
	requireCode(t, err, pager.ErrInvalid)
	w.Close()
	r, err := pager.OpenWal(path, &pager.WalOptions{ReadOnly: true, CachePages: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for p := uint32(1); p <= 3; p++ {
		got, err := r.ReadPage(p)
		if err != nil || got[0] != byte(p) {
			t.Fatalf("ReadPage(%d) after truncate checkpoint: %v", p, err)
		}
	}
}

func TestWalCheckpointModeValuesMatchTheHeader(t *testing.T) {
	for _, c := range []struct {
		mode pager.CheckpointMode
		c    int
	}{
		{pager.CheckpointPassive, capi.PAGER_WAL_CHECKPOINT_PASSIVE},
		{pager.CheckpointFull, capi.PAGER_WAL_CHECKPOINT_FULL},
		{pager.CheckpointTruncate, capi.PAGER_WAL_CHECKPOINT_TRUNCATE},
	} {
		if uint32(c.mode) != uint32(c.c) {
			t.Fatalf("CheckpointMode %d != pager.h value %d", c.mode, c.c)
		}
	}
}

// The background checkpointer: commits only append, the WAL stays bounded by twice the
// threshold (plus one transaction), so 50 commits of 4 frames must have restarted it.
func TestWalBackgroundCheckpointKeepsTheWalBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	if pager.DefaultWalOptions().BackgroundCheckpoint {
		t.Fatal("BackgroundCheckpoint is on by default; 0.3 documents it off")
	}
	opts := pager.DefaultWalOptions()
	opts.AutoCheckpointFrames = 4
	opts.BackgroundCheckpoint = true
	w, err := pager.CreateWal(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := w.PageSize()
	for n := 1; n <= 50; n++ {
		for p := uint32(1); p <= 4; p++ {
			if err := w.StagePage(p, bytes.Repeat([]byte{byte(n)}, size)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if st, _ := w.Stats(); st.WalFrames >= 2*4+4 {
			t.Fatalf("commit %d: %d frames in the WAL; want < 12 (2x the threshold + one txn)", n, st.WalFrames)
		}
	}
	if st, _ := w.Stats(); st.WalRestarts == 0 {
		t.Fatalf("Stats() = %+v; want WalRestarts > 0", st)
	}
	w.Close()
	r, err := pager.OpenWal(path, &pager.WalOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for p := uint32(1); p <= 4; p++ {
		if got, err := r.ReadPage(p); err != nil || got[0] != 50 {
			t.Fatalf("ReadPage(%d) = %v, %v; want the last commit", p, got[:1], err)
		}
	}
}

// staleIndexDb leaves at path what a crash leaves (no writer open, the `-shm` index as an
// earlier commit published it: the index is never synced) and returns the stale index bytes
// and the last commit's page 1.
func staleIndexDb(t *testing.T, path string) (shm, last []byte) {
	t.Helper()
	w, err := pager.CreateWal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	size, _ := w.PageSize()
	for n := byte(1); n <= 2; n++ {
		last = bytes.Repeat([]byte{n}, size)
		if err := w.StagePage(1, last); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			if shm, err = os.ReadFile(path + "-shm"); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()
	if err := os.WriteFile(path+"-shm", shm, 0o644); err != nil {
		t.Fatal(err)
	}
	return shm, last
}

func readFileOrFatal(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// KeepFiles reads the last commit around a stale index, leaves `-shm` byte for byte as found
// and keeps a writer out while open; a plain ReadOnly open then rebuilds the index and lets a
// writer in beside it.
func TestWalKeepFilesLeavesAStaleIndexAsFound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	stale, last := staleIndexDb(t, path)

	keep, err := pager.OpenWal(path, &pager.WalOptions{KeepFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := keep.AccessMode(); err != nil || m != pager.WalReadOnly {
		t.Fatalf("AccessMode() = %d, %v; want WalReadOnly", m, err)
	}
	if got, err := keep.ReadPage(1); err != nil || !bytes.Equal(got, last) {
		t.Fatalf("KeepFiles ReadPage(1): %v (the last commit: %t)", err, bytes.Equal(got, last))
	}
	_, err = pager.OpenWal(path, nil)
	requireCode(t, err, pager.ErrBusy)
	if !strings.Contains(err.Error(), "read-only handles") {
		t.Fatalf("writer's open beside KeepFiles: %v; want the read-only handles named", err)
	}
	keep.Close()
	if !bytes.Equal(readFileOrFatal(t, path+"-shm"), stale) {
		t.Fatal("a KeepFiles reader wrote -shm")
	}

	r, err := pager.OpenWal(path, &pager.WalOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.ReadPage(1); err != nil || !bytes.Equal(got, last) {
		t.Fatalf("ReadOnly ReadPage(1): %v (the last commit: %t)", err, bytes.Equal(got, last))
	}
	if bytes.Equal(readFileOrFatal(t, path+"-shm"), stale) {
		t.Fatal("a ReadOnly reader did not rebuild the stale -shm")
	}
	w, err := pager.OpenWal(path, nil)
	if err != nil {
		t.Fatalf("writer's open beside a ReadOnly reader of the rebuilt index: %v", err)
	}
	w.Close()
}

func TestCreateWalRefusesKeepFilesAsItRefusesReadOnly(t *testing.T) {
	dir := t.TempDir()
	_, err := pager.CreateWal(filepath.Join(dir, "ro"), &pager.WalOptions{ReadOnly: true})
	requireCode(t, err, pager.ErrInvalid)
	_, err = pager.CreateWal(filepath.Join(dir, "keep"), &pager.WalOptions{KeepFiles: true})
	requireCode(t, err, pager.ErrInvalid)
}
