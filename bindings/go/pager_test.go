package pager_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"libpager.dev/pager"
	"libpager.dev/pager/internal/capi"
)

func TestVersionMatchesHeader(t *testing.T) {
	v := pager.Version()
	if v != pager.HeaderVersion() {
		t.Fatalf("library version %d, header version %d", v, pager.HeaderVersion())
	}
	want := fmt.Sprintf("%d.%d.%d", v/10000, v/100%100, v%100)
	if got := pager.VersionString(); got != want {
		t.Fatalf("VersionString() = %q, want %q (from Version() = %d)", got, want, v)
	}
	if major := capi.PAGER_VERSION_MAJOR; int(v/10000) != major {
		t.Fatalf("major %d, header says %d", v/10000, major)
	}
}

// The Go constants must be the header's values, and every name must be the library's.
func TestCodesMatchHeader(t *testing.T) {
	cases := []struct {
		code   pager.Code
		header int
		name   string
	}{
		{pager.OK, capi.PAGER_OK, "PAGER_OK"},
		{pager.CodeInvalid, capi.PAGER_ERR_INVALID, "PAGER_ERR_INVALID"},
		{pager.CodeIO, capi.PAGER_ERR_IO, "PAGER_ERR_IO"},
		{pager.CodeNoMem, capi.PAGER_ERR_NOMEM, "PAGER_ERR_NOMEM"},
		{pager.CodeNoSpc, capi.PAGER_ERR_NOSPC, "PAGER_ERR_NOSPC"},
		{pager.CodeCorrupt, capi.PAGER_ERR_CORRUPT, "PAGER_ERR_CORRUPT"},
		{pager.CodeVersion, capi.PAGER_ERR_VERSION, "PAGER_ERR_VERSION"},
		{pager.CodePageSize, capi.PAGER_ERR_PAGE_SIZE, "PAGER_ERR_PAGE_SIZE"},
		{pager.CodeBusy, capi.PAGER_ERR_BUSY, "PAGER_ERR_BUSY"},
		{pager.CodeReadOnly, capi.PAGER_ERR_READONLY, "PAGER_ERR_READONLY"},
		{pager.CodeRange, capi.PAGER_ERR_RANGE, "PAGER_ERR_RANGE"},
		{pager.CodeOverlap, capi.PAGER_ERR_OVERLAP, "PAGER_ERR_OVERLAP"},
		{pager.CodeDoubleFree, capi.PAGER_ERR_DOUBLE_FREE, "PAGER_ERR_DOUBLE_FREE"},
		{pager.CodeReserved, capi.PAGER_ERR_RESERVED, "PAGER_ERR_RESERVED"},
		{pager.CodeFull, capi.PAGER_ERR_FULL, "PAGER_ERR_FULL"},
		{pager.CodePoisoned, capi.PAGER_ERR_POISONED, "PAGER_ERR_POISONED"},
		{pager.CodeMismatch, capi.PAGER_ERR_MISMATCH, "PAGER_ERR_MISMATCH"},
		{pager.CodeNotFound, capi.PAGER_ERR_NOT_FOUND, "PAGER_ERR_NOT_FOUND"},
		{pager.CodeExists, capi.PAGER_ERR_EXISTS, "PAGER_ERR_EXISTS"},
		{pager.CodeCancelled, capi.PAGER_ERR_CANCELLED, "PAGER_ERR_CANCELLED"},
		{pager.CodeCallback, capi.PAGER_ERR_CALLBACK, "PAGER_ERR_CALLBACK"},
		{pager.CodeInternal, capi.PAGER_ERR_INTERNAL, "PAGER_ERR_INTERNAL"},
		{pager.CodeDuplicate, capi.PAGER_ERR_DUPLICATE, "PAGER_ERR_DUPLICATE"},
		{pager.CodeTooLarge, capi.PAGER_ERR_TOO_LARGE, "PAGER_ERR_TOO_LARGE"},
	}
	if len(cases) != capi.PAGER_ERR_COUNT {
		t.Fatalf("the Go binding knows %d codes, pager.h defines %d", len(cases), capi.PAGER_ERR_COUNT)
	}
	for _, c := range cases {
		if int(c.code) != c.header {
			t.Errorf("%s: Go constant %d, header %d", c.name, c.code, c.header)
		}
		if got := pager.ErrString(c.code); got != c.name {
			t.Errorf("ErrString(%d) = %q, want %q", c.code, got, c.name)
		}
		if got := c.code.String(); got != c.name {
			t.Errorf("ErrorCode(%d).String() = %q, want %q", int(c.code), got, c.name)
		}
	}
}

func TestErrStringUnknownCodes(t *testing.T) {
	for _, code := range []int{-1, capi.PAGER_ERR_COUNT, 1000, -2147483648, 2147483647} {
		if got := pager.ErrString(pager.ErrorCode(code)); got != "PAGER_ERR_UNKNOWN" {
			t.Errorf("ErrString(%d) = %q, want PAGER_ERR_UNKNOWN", code, got)
		}
	}
}

func TestSentinelsMatchByCode(t *testing.T) {
	sentinels := []*pager.Error{
		pager.ErrInvalid, pager.ErrIO, pager.ErrNoMem, pager.ErrNoSpc, pager.ErrCorrupt,
		pager.ErrVersion, pager.ErrPageSize, pager.ErrBusy, pager.ErrReadOnly, pager.ErrRange,
		pager.ErrOverlap, pager.ErrDoubleFree, pager.ErrReserved, pager.ErrFull,
		pager.ErrPoisoned, pager.ErrMismatch, pager.ErrNotFound, pager.ErrExists,
		pager.ErrCancelled, pager.ErrCallback, pager.ErrInternal, pager.ErrDuplicate,
		pager.ErrTooLarge,
	}
	if len(sentinels) != capi.PAGER_ERR_COUNT-1 {
		t.Fatalf("%d sentinels for %d error codes", len(sentinels), capi.PAGER_ERR_COUNT-1)
	}
	for i, s := range sentinels {
		if int(s.Code) != i+1 {
			t.Fatalf("sentinel %d has code %d", i, s.Code)
		}
		err := error(&pager.Error{Code: s.Code, Message: "detail"})
		wrapped := fmt.Errorf("opening x: %w", err)
		for j, other := range sentinels {
			if got := errors.Is(wrapped, other); got != (i == j) {
				t.Errorf("errors.Is(code %d, sentinel %d) = %v", s.Code, other.Code, got)
			}
		}
	}
	if errors.Is(errors.New("PAGER_ERR_IO"), pager.ErrIO) {
		t.Error("a foreign error with the same text matched a sentinel")
	}
}

func TestErrorTextAndAs(t *testing.T) {
	err := capi.StatusError("17:open /x/y: no such file")
	var pe *pager.Error
	if !errors.As(fmt.Errorf("wrapped: %w", err), &pe) {
		t.Fatalf("errors.As failed on %v", err)
	}
	if pe.Code != pager.CodeNotFound || pe.Message != "open /x/y: no such file" {
		t.Fatalf("decoded %+v", pe)
	}
	if got, want := err.Error(), "PAGER_ERR_NOT_FOUND: open /x/y: no such file"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if pe.Name() != "PAGER_ERR_NOT_FOUND" {
		t.Fatalf("Name() = %q", pe.Name())
	}
	if got := (&pager.Error{Code: pager.CodeBusy}).Error(); got != "PAGER_ERR_BUSY" {
		t.Fatalf("Error() without message = %q", got)
	}
}

// The status wire format built by the SWIG wrapper inside the native call.
func TestStatusErrorDecoding(t *testing.T) {
	if err := capi.StatusError(""); err != nil {
		t.Fatalf(`StatusError("") = %v, want nil`, err)
	}
	cases := []struct {
		wire string
		code pager.ErrorCode
		msg  string
	}{
		{"1:", 1, ""},
		{"5:page 7: checksum 0x1 != 0x2", 5, "page 7: checksum 0x1 != 0x2"},
		{"21:a:b:c", 21, "a:b:c"},
		{"2:\xff\xfe bytes", 2, "\xff\xfe bytes"},
		{"999:future code", 999, "future code"},
	}
	for _, c := range cases {
		var e *pager.Error
		if !errors.As(capi.StatusError(c.wire), &e) || e.Code != c.code || e.Message != c.msg {
			t.Errorf("StatusError(%q) = %+v, want code %d message %q", c.wire, e, c.code, c.msg)
		}
	}
	for _, bad := range []string{"garbage", "x:1", ":msg"} {
		var e *pager.Error
		if !errors.As(capi.StatusError(bad), &e) || e.Code != pager.CodeInternal ||
			!strings.Contains(e.Message, bad) {
			t.Errorf("StatusError(%q) = %+v, want PAGER_ERR_INTERNAL quoting the input", bad, e)
		}
	}
}

// Calls from many goroutines (and so many OS threads) return consistent answers.
func TestConcurrentCalls(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				code := pager.ErrorCode((g + i) % capi.PAGER_ERR_COUNT)
				name := pager.ErrString(code)
				if (code == 0) != (name == "PAGER_OK") || !strings.HasPrefix(name, "PAGER_") {
					errs <- fmt.Sprintf("ErrString(%d) = %q", code, name)
					return
				}
				if pager.Version() != pager.HeaderVersion() {
					errs <- "version changed under load"
					return
				}
				if i%100 == 0 {
					runtime.Gosched()
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
