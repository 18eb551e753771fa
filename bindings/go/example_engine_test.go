package pager_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"libpager.dev/pager"
)

// tinyEngine is a KV cache of a Go program: one map of pages and one of sequences.
type tinyEngine struct {
	meta  pager.CacheMeta
	pages map[uint32][2][]byte
	seqs  map[string][]uint32
	next  uint32
}

func (e *tinyEngine) Meta() (pager.CacheMeta, error) { return e.meta, nil }
func (e *tinyEngine) Pause() error                   { return nil }
func (e *tinyEngine) Resume() error                  { return nil }
func (e *tinyEngine) OccupiedPages(add func([]uint32) error) error {
	for slot := range e.pages {
		if err := add([]uint32{slot}); err != nil {
			return err
		}
	}
	return nil
}
func (e *tinyEngine) LogicalSeqs(add func([]byte, []uint32, uint32) error) error {
	for id, pages := range e.seqs {
		if err := add([]byte(id), pages, 1); err != nil {
			return err
		}
	}
	return nil
}
func (e *tinyEngine) ReadPage(slot uint32, k, v []byte) error {
	copy(k, e.pages[slot][0])
	copy(v, e.pages[slot][1])
	return nil
}
func (e *tinyEngine) AllocatePages(slots []uint32) error {
	for i := range slots {
		slots[i] = e.next
		e.next++
	}
	return nil
}
func (e *tinyEngine) WritePage(slot uint32, k, v []byte) error {
	e.pages[slot] = [2][]byte{bytes.Clone(k), bytes.Clone(v)} // k, v are C memory: copy
	return nil
}
func (e *tinyEngine) InstallLogicalSeqs(seqs []pager.LogicalSeq) error {
	for _, s := range seqs {
		e.seqs[string(s.ID)] = append([]uint32(nil), s.Pages...)
	}
	return nil
}

// An engine written in Go, snapshotted as a stream into any io.Writer and restored.
func ExampleCaptureEngineTo() {
	dir, done := tempDir()
	defer done()
	m := pager.CacheMeta{TokensPerPage: 4, Layers: 1, KvHeads: 1, HeadDim: 8, Dtype: pager.DtypeF16}
	kb, vb, _ := m.PageBytes()
	src := &tinyEngine{meta: m, pages: map[uint32][2][]byte{
		7: {bytes.Repeat([]byte("k"), int(kb)), bytes.Repeat([]byte("v"), int(vb))},
	}, seqs: map[string][]uint32{"req": {7}}}

	var stream bytes.Buffer
	if err := pager.CaptureEngineTo(context.Background(), src, &stream, nil); err != nil {
		log.Fatal(err)
	}
	path := dir + "/kv.snap"
	if err := writeFile(path, stream.Bytes()); err != nil {
		log.Fatal(err)
	}
	dst := &tinyEngine{meta: m, pages: map[uint32][2][]byte{}, seqs: map[string][]uint32{}}
	if err := pager.RestoreEngine(dst, path, nil); err != nil {
		log.Fatal(err)
	}
	slot := dst.seqs["req"][0]
	fmt.Println(len(dst.pages), slot, string(dst.pages[slot][0][:3]), string(dst.pages[slot][1][:3]))
	// Output: 1 0 kkk vvv
}
