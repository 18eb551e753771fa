package pager_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"libpager.dev/pager"
)

func TestReapColdScratch(t *testing.T) {
	p, root := openCold(t, pager.ColdBackendFile)
	h, err := p.Pageout(pager.ColdBackendFile, nil, []byte("live data"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// A stale one: a lock file nobody holds, with its directory (what a dead process leaves).
	stale := filepath.Join(root, "libpager-cold-deadbeef")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(stale+".d", 0o700); err != nil {
		t.Fatal(err)
	}
	own, err := p.ScratchDir()
	if err != nil {
		t.Fatal(err)
	}
	states := func(got []pager.ColdScratch) []string {
		var s []string
		for _, e := range got {
			s = append(s, e.State.String())
		}
		sort.Strings(s)
		return s
	}
	got, err := pager.ReapColdScratch(root, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(states(got), []string{"live", "stale"}) {
		t.Fatalf("dry run: %+v", got)
	}
	for _, e := range got {
		if e.State == pager.ColdScratchLive && !strings.HasPrefix(own, e.LockPath) {
			t.Fatalf("live entry %q is not this pager's %q", e.LockPath, own)
		}
		if e.State == pager.ColdScratchStale && e.LockPath != stale {
			t.Fatalf("stale entry %q, want %q", e.LockPath, stale)
		}
	}
	if _, err := os.Stat(stale + ".d"); err != nil {
		t.Fatalf("the dry run removed something: %v", err)
	}
	got, err = pager.ReapColdScratch(root, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(states(got), []string{"live", "removed"}) {
		t.Fatalf("remove: %+v", got)
	}
	if _, err := os.Stat(stale + ".d"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale directory still there: %v", err)
	}
	if fi, err := os.Stat(own); err != nil || !fi.IsDir() {
		t.Fatalf("the live directory went: %v", err)
	}
	if b, err := h.Take(); err != nil || string(b) != "live data" {
		t.Fatalf("Take after reap: %q, %v", b, err)
	}
	_, err = pager.ReapColdScratch(filepath.Join(root, "no-such-root"), false)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, pager.ErrNotFound) {
		t.Fatalf("missing root: %v", err)
	}
}

func TestListSnapshot(t *testing.T) {
	dir := t.TempDir()
	src, err := pager.NewRefEngine(meta, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	slots := fillEngine(t, src, 10, 20)
	path := filepath.Join(dir, "full")
	if err := src.Capture(path, nil); err != nil {
		t.Fatal(err)
	}
	l, err := pager.ListSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Pages) != 3 || len(l.Seqs) != 1 {
		t.Fatalf("listing: %+v", l)
	}
	for i, p := range l.Pages {
		if p.Index != uint64(i) || p.InParent || p.StoredBytes == 0 {
			t.Fatalf("page %d: %+v", i, p)
		}
	}
	s := l.Seqs[0]
	if string(s.ID) != "req-1" || s.FillLastPage != 3 || len(s.Pages) != 3 {
		t.Fatalf("seq: %+v", s)
	}
	var named []uint32
	for _, i := range s.Pages {
		named = append(named, l.Pages[i].EnginePage)
	}
	if !reflect.DeepEqual(named, slots) {
		t.Fatalf("the sequence names slots %v, the engine had %v", named, slots)
	}
	_, err = pager.ListSnapshot(filepath.Join(dir, "missing"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing snapshot: %v", err)
	}
}
