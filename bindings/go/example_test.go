package pager_test

import (
	"errors"
	"fmt"

	"libpager.dev/pager"
	"libpager.dev/pager/internal/capi"
)

// Errors from libpager calls carry the code and the detail message; errors.Is matches the
// code against the sentinels.
func Example_errors() {
	// The wire form the SWIG wrapper builds inside a failing native call.
	err := fmt.Errorf("opening cache: %w", capi.StatusError("17:open /data/kv.snap: no such file"))

	fmt.Println(errors.Is(err, pager.ErrNotFound), errors.Is(err, pager.ErrIO))
	var pe *pager.Error
	if errors.As(err, &pe) {
		fmt.Println(int(pe.Code), pe.Name())
		fmt.Println(pe.Message)
	}
	fmt.Println(err)
	// Output:
	// true false
	// 17 PAGER_ERR_NOT_FOUND
	// open /data/kv.snap: no such file
	// opening cache: PAGER_ERR_NOT_FOUND: open /data/kv.snap: no such file
}

func ExampleErrString() {
	fmt.Println(pager.ErrString(pager.CodeCorrupt))
	fmt.Println(pager.ErrString(-1))
	// Output:
	// PAGER_ERR_CORRUPT
	// PAGER_ERR_UNKNOWN
}
