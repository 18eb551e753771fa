package pager_test

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"

	"libpager.dev/pager"
)

var scratchOnce sync.Once
var scratchRoot string

// The scratch root is set once per process.
func coldScratch(t *testing.T) string {
	scratchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pager-go-cold-")
		if err != nil {
			t.Fatal(err)
		}
		scratchRoot = dir
		if err := pager.SetColdScratchDir(dir); err != nil {
			t.Fatal(err)
		}
	})
	return scratchRoot
}

func TestColdPageoutReadTake(t *testing.T) {
	root := coldScratch(t)
	if d, err := pager.ColdScratchDir(); err != nil || !strings.HasPrefix(d, root) {
		t.Fatalf("ColdScratchDir() = %q, %v; want under %q", d, err, root)
	}
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, backend := range []uint32{pager.ColdBackendSwap, pager.ColdBackendFile} {
		h, err := pager.ColdPageout(backend, &pager.ColdPageoutOptions{Checksums: true}, data[:4000], data[4000:])
		if err != nil {
			t.Fatal(err)
		}
		if h.Len() != 10000 || h.Backend() != backend {
			t.Fatalf("Len %d Backend %d", h.Len(), h.Backend())
		}
		part := make([]byte, 100)
		if err := h.ReadAt(part, 5000); err != nil || !bytes.Equal(part, data[5000:5100]) {
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
	st, err := pager.GetColdStats()
	if err != nil || st.File.PageoutCount == 0 || st.Swap.PageoutCount == 0 {
		t.Fatalf("GetColdStats() = %+v, %v", st, err)
	}
}

func TestColdErrors(t *testing.T) {
	coldScratch(t)
	err := pager.SetColdScratchDir(t.TempDir())
	requireCode(t, err, pager.ErrExists)
	h, err := pager.ColdPageout(pager.ColdBackendSwap, nil, []byte("0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	requireCode(t, h.ReadAt(make([]byte, 5), 8), pager.ErrRange)
	_, err = h.ReadAtMany(pager.ColdRange{0, 5}, pager.ColdRange{4, 2})
	requireCode(t, err, pager.ErrOverlap)
	requireCode(t, pager.SetColdBackend(7), pager.ErrInvalid)
	_, err = pager.ColdPageout(9, nil, []byte("x"))
	requireCode(t, err, pager.ErrInvalid)
}
