package pager_test

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"

	"libpager.dev/pager"
)

// openCold opens a pager with its own scratch root under t.TempDir().
func openCold(t *testing.T, backend uint32) (*pager.ColdPager, string) {
	t.Helper()
	root := t.TempDir()
	p, err := pager.OpenCold(&pager.ColdOptions{Backend: backend, ScratchRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, root
}

func TestColdPageoutReadTake(t *testing.T) {
	p, root := openCold(t, pager.ColdBackendSwap)
	if d, err := p.ScratchDir(); err != nil || !strings.HasPrefix(d, root) {
		t.Fatalf("ScratchDir() = %q, %v; want under %q", d, err, root)
	}
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, backend := range []uint32{pager.ColdBackendSwap, pager.ColdBackendFile} {
		h, err := p.Pageout(backend, &pager.ColdPageoutOptions{Checksums: true}, data[:4000], data[4000:])
		if err != nil {
			t.Fatal(err)
		}
		if h.Len() != 10000 || h.Backend() != backend {
			t.Fatalf("Len %d Backend %d", h.Len(), h.Backend())
		}
		part := make([]byte, 100)
		if _, err := h.ReadAt(part, 5000); err != nil || !bytes.Equal(part, data[5000:5100]) {
			t.Fatalf("ReadAt: %v", err)
		}
		got, err := h.ReadAtMany(pager.ColdRange{9000, 10}, pager.ColdRange{0, 5})
		if err != nil || !bytes.Equal(got, append(append([]byte{}, data[9000:9010]...), data[:5]...)) {
			t.Fatalf("ReadAtMany: %v", err)
		}
		all, err := h.Take()
		if err != nil || !bytes.Equal(all, data) {
			t.Fatalf("Take: %v", err)
		}
		if h.Len() != 0 {
			t.Fatal("a taken handle still has a length")
		}
		h.Close() // no-op after Take
	}
	st, err := p.Stats()
	if err != nil || st.File.PageoutCount != 1 || st.Swap.PageoutCount != 1 {
		t.Fatalf("Stats() = %+v, %v", st, err)
	}
}

func TestColdErrors(t *testing.T) {
	p, _ := openCold(t, pager.ColdBackendSwap)
	requireCode(t, p.SetScratchDir(t.TempDir()), pager.ErrExists)
	h, err := p.Pageout(pager.ColdBackendSwap, nil, []byte("0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if n, err := h.ReadAt(make([]byte, 5), 8); n != 2 || err != io.EOF {
		t.Errorf("ReadAt 5 bytes at 8 of 10 = %d, %v; want 2, io.EOF", n, err)
	}
	_, err = h.ReadAt(make([]byte, 1), -1)
	requireCode(t, err, pager.ErrRange)
	_, err = h.ReadAtMany(pager.ColdRange{0, 5}, pager.ColdRange{4, 2})
	requireCode(t, err, pager.ErrOverlap)
	requireCode(t, p.SetBackend(7), pager.ErrInvalid)
	_, err = p.Pageout(9, nil, []byte("x"))
	requireCode(t, err, pager.ErrInvalid)
	_, err = pager.OpenCold(&pager.ColdOptions{Backend: 3})
	requireCode(t, err, pager.ErrInvalid)
}

// Two pagers in one process: their own roots, defaults and counters, used concurrently.
func TestColdTwoPagersAreIndependent(t *testing.T) {
	a, rootA := openCold(t, pager.ColdBackendFile)
	b, rootB := openCold(t, pager.ColdBackendSwap)
	if da, _ := a.ScratchDir(); !strings.HasPrefix(da, rootA) {
		t.Fatalf("a's directory %q is not under %q", da, rootA)
	}
	if db, _ := b.ScratchDir(); !strings.HasPrefix(db, rootB) {
		t.Fatalf("b's directory %q is not under %q", db, rootB)
	}
	var wg sync.WaitGroup
	for _, p := range []*pager.ColdPager{a, b} {
		wg.Add(1)
		go func(p *pager.ColdPager) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				data := bytes.Repeat([]byte{byte(i)}, 3000+i)
				h, err := p.Pageout(pager.ColdBackendDefault, nil, data)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := h.Take(); err != nil || !bytes.Equal(got, data) {
					t.Errorf("Take: %v", err)
				}
			}
		}(p)
	}
	wg.Wait()
	sa, _ := a.Stats()
	sb, _ := b.Stats()
	if sa.File.PageoutCount != 20 || sa.Swap.PageoutCount != 0 || sb.Swap.PageoutCount != 20 || sb.File.PageoutCount != 0 {
		t.Fatalf("stats a %+v b %+v", sa, sb)
	}
}

func TestColdHandleOutlivesItsPager(t *testing.T) {
	p, _ := openCold(t, pager.ColdBackendFile)
	h, err := p.Pageout(pager.ColdBackendDefault, nil, []byte("still here"))
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := p.Pageout(pager.ColdBackendDefault, nil, []byte("x")); err == nil {
		t.Fatal("a closed pager paged out")
	}
	got, err := h.Take()
	if err != nil || string(got) != "still here" {
		t.Fatalf("Take after Close = %q, %v", got, err)
	}
}
