package pager_test

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"libpager.dev/pager"
)

const engPage = 4 * 8 * 4 // tokens * head_dim * 4 bytes (F32, 1 layer, 1 head)

var engMeta = pager.CacheMeta{TokensPerPage: 4, Layers: 1, KvHeads: 1, HeadDim: 8, Dtype: pager.DtypeF32}

type seqRec struct {
	pages []uint32
	fill  uint32
}

type mapEngine struct {
	pages          map[uint32][2][]byte
	seqs           map[string]seqRec
	failRead       int
	panicWrite     bool
	paused, resume int
}

func newMapEngine() *mapEngine {
	return &mapEngine{pages: map[uint32][2][]byte{}, seqs: map[string]seqRec{}}
}

func (m *mapEngine) Meta() (pager.CacheMeta, error) { return engMeta, nil }
func (m *mapEngine) Pause() error                   { m.paused++; return nil }
func (m *mapEngine) Resume() error                  { m.resume++; return nil }
func (m *mapEngine) OccupiedPages(add func([]uint32) error) error {
	var ids []uint32
	for id := range m.pages {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return add(ids)
}
func (m *mapEngine) LogicalSeqs(add func([]byte, []uint32, uint32) error) error {
	for id, s := range m.seqs {
		if err := add([]byte(id), s.pages, s.fill); err != nil {
			return err
		}
	}
	return nil
}
func (m *mapEngine) ReadPage(page uint32, k, v []byte) error {
	if m.failRead != 0 {
		return &pager.EngineError{Code: m.failRead}
	}
	copy(k, m.pages[page][0])
	copy(v, m.pages[page][1])
	return nil
}
func (m *mapEngine) AllocatePages(slots []uint32) error {
	next := uint32(100)
	for i := range slots {
		for _, used := m.pages[next]; used; _, used = m.pages[next] {
			next++
		}
		slots[i] = next
		m.pages[next] = [2][]byte{make([]byte, engPage), make([]byte, engPage)}
	}
	return nil
}
func (m *mapEngine) WritePage(page uint32, k, v []byte) error {
	if m.panicWrite {
		panic("engine bug in WritePage")
	}
	m.pages[page] = [2][]byte{bytes.Clone(k), bytes.Clone(v)}
	return nil
}
func (m *mapEngine) InstallLogicalSeqs(seqs []pager.LogicalSeq) error {
	for _, s := range seqs {
		m.seqs[string(s.ID)] = seqRec{append([]uint32(nil), s.Pages...), s.FillLastPage}
	}
	return nil
}

func sourceEngine() *mapEngine {
	m := newMapEngine()
	for _, slot := range []uint32{3, 7, 9} {
		m.pages[slot] = [2][]byte{bytes.Repeat([]byte{byte(slot)}, engPage), bytes.Repeat([]byte{^byte(slot)}, engPage)}
	}
	m.seqs["req-1"] = seqRec{[]uint32{7, 3, 9}, 2}
	return m
}

func TestGoEngineRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap")
	src := sourceEngine()
	if err := pager.CaptureEngine(src, path, nil); err != nil {
		t.Fatal(err)
	}
	if src.paused != 1 || src.resume != 1 {
		t.Fatalf("paused %d resumed %d", src.paused, src.resume)
	}
	re, err := pager.NewRefEngine(engMeta, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	if err := re.Restore(path, nil); err != nil {
		t.Fatal(err)
	}
	pages, fill, err := re.Seq([]byte("req-1"))
	if err != nil || fill != 2 || len(pages) != 3 {
		t.Fatalf("Seq = %v %d %v", pages, fill, err)
	}
	dst := newMapEngine()
	if err := pager.RestoreEngine(dst, path, nil); err != nil {
		t.Fatal(err)
	}
	s := dst.seqs["req-1"]
	var first []byte
	for _, p := range s.pages {
		if p < 100 {
			t.Fatalf("slot %d was not allocated by the engine", p)
		}
		first = append(first, dst.pages[p][0][0])
	}
	if !bytes.Equal(first, []byte{7, 3, 9}) || s.fill != 2 {
		t.Fatalf("restored %v fill %d", first, s.fill)
	}
}

func TestGoEngineErrorsAndPanics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap")
	src := sourceEngine()
	src.failRead = -42
	err := pager.CaptureEngine(src, path, nil)
	requireCode(t, err, pager.ErrCallback)
	if msg := err.Error(); !strings.Contains(msg, "read_page") || !strings.Contains(msg, "-42") {
		t.Fatalf("message %q", msg)
	}
	if src.paused != src.resume {
		t.Fatal("not resumed after the failure")
	}
	src.failRead = 0
	if err := pager.CaptureEngine(src, path, nil); err != nil {
		t.Fatal(err)
	}
	dst := newMapEngine()
	dst.panicWrite = true
	func() {
		defer func() {
			if p := recover(); p != "engine bug in WritePage" {
				t.Fatalf("recovered %v", p)
			}
		}()
		pager.RestoreEngine(dst, path, nil)
		t.Fatal("the engine's panic was not re-raised")
	}()
	if dst.paused != dst.resume {
		t.Fatal("not resumed after the panic")
	}
}

// releasingEngine gives back the slots of a failed restore (pager.SlotReleaser).
type releasingEngine struct {
	*mapEngine
	failWrite int
	released  []uint32
}

func (r *releasingEngine) WritePage(page uint32, k, v []byte) error {
	if r.failWrite != 0 {
		return &pager.EngineError{Code: r.failWrite}
	}
	return r.mapEngine.WritePage(page, k, v)
}

func (r *releasingEngine) ReleasePages(slots []uint32) error {
	for _, s := range slots {
		delete(r.pages, s)
		r.released = append(r.released, s)
	}
	return nil
}

func TestGoEngineFailedRestoreReleasesTheAllocatedSlots(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap")
	if err := pager.CaptureEngine(sourceEngine(), path, &pager.SnapshotOptions{CopyOutBudgetBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	dst := &releasingEngine{mapEngine: newMapEngine(), failWrite: -5}
	requireCode(t, pager.RestoreEngine(dst, path, nil), pager.ErrCallback)
	if len(dst.released) != 3 || len(dst.pages) != 0 {
		t.Fatalf("released %v, engine still holds %d pages", dst.released, len(dst.pages))
	}
	// The reference engine implements release_pages too.
	ref, err := pager.NewRefEngine(engMeta, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	if err := ref.FailCallback("page_buffers", 0, 7); err != nil {
		t.Fatal(err)
	}
	requireCode(t, ref.Restore(path, nil), pager.ErrCallback)
	st, err := ref.Stats()
	if err != nil || st.OccupiedPages != 0 || st.Paused {
		t.Fatalf("reference engine after a failed restore: %+v, %v", st, err)
	}
}
