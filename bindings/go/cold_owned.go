package pager

// #cgo pkg-config: pager
// #include <stdlib.h>
// #include <string.h>
// #include <pager.h>
//
// /* The free_fn of buffers NewColdBuffer allocated: plain C, so the library may call it on
//  * any thread at any time without entering Go. */
// static void pagergo_cold_free(void *ctx, void *data, uint64_t len) {
//   (void)ctx;
//   (void)len;
//   free(data);
// }
// static pager_cold_free_fn pagergo_cold_free_fn(void) { return pagergo_cold_free; }
//
// static void pagergo_msg(int rc, char *msg, uint64_t cap) {
//   const char *m;
//   uint64_t n;
//   if (rc == PAGER_OK || !cap) return;
//   m = pager_last_error();
//   n = m ? strlen(m) : 0;
//   if (n >= cap) n = cap - 1;
//   if (n) memcpy(msg, m, n);
//   msg[n] = 0;
// }
// static int pagergo_pageout_owned(uintptr_t c, uint32_t backend,
//                                  const pager_cold_owned_chunk *chunks, uint64_t count,
//                                  const pager_cold_pageout_options *opts, uintptr_t *out,
//                                  char *msg, uint64_t cap) {
//   pager_cold_handle *h = NULL;
//   int rc = pager_cold_pageout_owned((pager_cold *)c, backend, chunks, count, opts, &h);
//   if (rc == PAGER_OK) *out = (uintptr_t)h;
//   pagergo_msg(rc, msg, cap);
//   return rc;
// }
// static int pagergo_take_buffer(uintptr_t h, pager_cold_buffer **out, char *msg, uint64_t cap) {
//   int rc = pager_cold_take_buffer((pager_cold_handle *)h, out);
//   pagergo_msg(rc, msg, cap);
//   return rc;
// }
import "C"

import (
	"bytes"
	"fmt"
	"sync"
	"unsafe"

	"libpager.dev/pager/internal/capi"
)

// ColdBuffer is C memory that crosses into the cold pager without a copy
// (pager_cold_pageout_owned) or comes back out of it (pager_cold_take_buffer): make one with
// NewColdBuffer, fill Bytes(), give it to ColdPager.PageoutOwned; ColdHandle.TakeBuffer hands
// the content back as a ColdBuffer (for a one-buffer swap handle the very same memory).
//
// Bytes() is a view of C memory: it is valid until the buffer is freed (Free) or given away
// (PageoutOwned); using it after that is a use-after-free. So a ColdBuffer has no cleanup:
// a Bytes() slice does not keep its ColdBuffer reachable, and a cleanup could free memory a
// live slice still points to. Free every ColdBuffer you own; a forgotten one leaks.
// Methods may be called from several goroutines.
type ColdBuffer struct {
	mu    sync.Mutex
	data  unsafe.Pointer       // C memory; nil once freed or given away (or when empty)
	n     int                  // bytes
	taken *C.pager_cold_buffer // the library's buffer (TakeBuffer); nil for NewColdBuffer's
	gone  bool                 // freed or given away
}

// NewColdBuffer allocates n bytes of C memory (zeroed) for PageoutOwned.
func NewColdBuffer(n int) (*ColdBuffer, error) {
	if n < 0 {
		return nil, &Error{Code: CodeInvalid, Message: fmt.Sprintf("negative buffer length %d", n)}
	}
	b := &ColdBuffer{n: n}
	if n > 0 {
		b.data = C.calloc(C.size_t(n), 1)
		if b.data == nil {
			return nil, &Error{Code: CodeNoMem, Message: fmt.Sprintf("allocating %d bytes", n)}
		}
	}
	return b, nil
}

// Bytes is the buffer's memory (nil once freed or given away): valid until then only.
func (b *ColdBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone || b.data == nil {
		return nil
	}
	return unsafe.Slice((*byte)(b.data), b.n)
}

// Len is the buffer's length in bytes (0 once freed or given away).
func (b *ColdBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone {
		return 0
	}
	return b.n
}

// Free releases the memory (a taken buffer through pager_cold_buffer_free, which calls an
// adopted buffer's free function). Idempotent; nothing for a buffer given away.
func (b *ColdBuffer) Free() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gone {
		return
	}
	b.gone = true
	if b.taken != nil {
		C.pager_cold_buffer_free(b.taken)
	} else if b.data != nil {
		C.free(b.data)
	}
	b.data, b.taken = nil, nil
}

// PageoutOwned pages out bufs without copying them (swap backend; the file backend writes
// them to scratch storage and frees them before it returns): on success the library owns
// every buffer -- their Bytes() views must not be used any more -- and the handle reads them
// as one concatenation. On failure the caller still owns them. Every buffer must come from
// NewColdBuffer, unfreed, and appear once. opts may be nil.
func (p *ColdPager) PageoutOwned(backend uint32, opts *ColdPageoutOptions, bufs ...*ColdBuffer) (*ColdHandle, error) {
	for i, b := range bufs {
		for _, o := range bufs[:i] {
			if o == b {
				return nil, &Error{Code: CodeInvalid, Message: fmt.Sprintf("buffer %d is given twice", i)}
			}
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.gone || b.taken != nil {
			return nil, &Error{Code: CodeInvalid, Message: fmt.Sprintf(
				"buffer %d is freed, given away or taken (only NewColdBuffer's can be given)", i)}
		}
	}
	chunks := make([]C.pager_cold_owned_chunk, len(bufs))
	for i, b := range bufs {
		chunks[i].data = b.data
		chunks[i].len = C.uint64_t(b.n)
		chunks[i].free_fn = C.pagergo_cold_free_fn()
	}
	var o C.pager_cold_pageout_options
	C.pager_cold_pageout_options_init(&o)
	if opts != nil && opts.Checksums {
		o.checksums = 1
	}
	if opts != nil && opts.FallbackToMemory {
		o.fallback_to_memory = 1
	}
	var chunkp *C.pager_cold_owned_chunk
	if len(chunks) > 0 {
		chunkp = &chunks[0]
	}
	var h C.uintptr_t
	msg := make([]byte, 512)
	err := p.h.do(func(cp uintptr) error {
		rc := C.pagergo_pageout_owned(C.uintptr_t(cp), C.uint32_t(backend), chunkp,
			C.uint64_t(len(chunks)), &o, &h, (*C.char)(unsafe.Pointer(&msg[0])), C.uint64_t(len(msg)))
		return cError(rc, msg)
	})
	if err != nil {
		return nil, err
	}
	for _, b := range bufs {
		b.gone, b.data = true, nil
	}
	ch := &ColdHandle{}
	return own(ch, &ch.h, uintptr(h), "ColdHandle", capi.Pager_cold_free), nil
}

// TakeBuffer returns the whole content as a ColdBuffer the caller owns (Free it) and frees
// the handle; on failure the handle stays open. A swap handle holding one buffer hands it
// over without a copy (after PageoutOwned of one buffer: the very same memory).
func (c *ColdHandle) TakeBuffer() (*ColdBuffer, error) {
	var buf *C.pager_cold_buffer
	msg := make([]byte, 512)
	err := c.h.consume(func(h uintptr) (bool, error) {
		rc := C.pagergo_take_buffer(C.uintptr_t(h), &buf, (*C.char)(unsafe.Pointer(&msg[0])), C.uint64_t(len(msg)))
		return rc == 0, cError(rc, msg)
	})
	if err != nil {
		return nil, err
	}
	return &ColdBuffer{taken: buf, data: C.pager_cold_buffer_data(buf), n: int(C.pager_cold_buffer_len(buf))}, nil
}

// cError is nil for PAGER_OK, else an *Error with the NUL-terminated message in msg.
func cError(rc C.int, msg []byte) error {
	if rc == 0 {
		return nil
	}
	if i := bytes.IndexByte(msg, 0); i >= 0 {
		msg = msg[:i]
	}
	return &Error{Code: ErrorCode(rc), Message: string(msg)}
}
