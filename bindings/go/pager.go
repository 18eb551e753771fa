// Package pager is the Go binding of libpager (crash-safe page storage behind pager.h).
//
// It is a thin layer over the SWIG-generated package internal/capi (committed: the go tool
// alone builds the module, against the libpager that `pkg-config pager` finds). Calls return
// (value, error) with an *Error that carries the stable PAGER_ERR_* code (a typed ErrorCode)
// and the detail message libpager reported inside the very native call that failed (a
// goroutine may move to another thread between two cgo calls, so the message is never read
// in a second call). errors.Is matches the code sentinels (ErrBusy...) and fs.ErrNotExist,
// fs.ErrExist and fs.ErrPermission.
//
// Handles (Wal, PageFile, FileTxn, Subpages, WalsegWriter/Reader/Replay, ColdPager,
// ColdHandle, RefEngine) may be used from several goroutines, and Close may run while they
// are: it waits for the calls in progress, and later calls return a *ClosedError ("pager: Wal
// is closed", errors.Is(err, ErrClosed) / os.ErrClosed), never a crash (handle.go). A handle
// that is never closed is released by a runtime.AddCleanup cleanup after the garbage
// collector found it unreachable (its file lock with it); Close releases at a known moment.
// Close from inside a RefEngine's own Progress callback is deferred to the end of that
// operation instead of deadlocking (RefEngine).
//
// Using an installed libpager (PREFIX as given to `make install`):
//
//	PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig LD_LIBRARY_PATH=$PREFIX/lib go build
//
// or the library built in a checkout:
//
//	PKG_CONFIG_PATH=<repo>/build/rel/pkgconfig LD_LIBRARY_PATH=<repo>/build/rel/lib go test ./...
//
// Licence: MIT OR Apache-2.0, at your option, as the whole of libpager (LICENSE-MIT and
// LICENSE-APACHE at the top of the repository https://github.com/libpager/libpager; the
// module path libpager.dev/pager and that URL are placeholders to confirm before a release,
// see bindings/README.md "Release checklist").
package pager

import "libpager.dev/pager/internal/capi"

// Error is a libpager error: Code is a PAGER_ERR_* value, Message the detail text.
// errors.Is(err, pager.ErrNotFound) compares codes only; errors.Is(err, fs.ErrNotExist),
// fs.ErrExist and fs.ErrPermission match NOT_FOUND, EXISTS and READONLY.
type Error = capi.Error

// ErrorCode is a stable libpager error code (never renumbered, never reused); String() is its
// symbolic name ("PAGER_ERR_BUSY").
type ErrorCode = capi.ErrorCode

// Code is ErrorCode (its name before 0.3).
type Code = ErrorCode

// The error codes of pager.h. TestCodesMatchHeader checks them against the C header.
const (
	OK             Code = 0
	CodeInvalid    Code = 1
	CodeIO         Code = 2
	CodeNoMem      Code = 3
	CodeNoSpc      Code = 4
	CodeCorrupt    Code = 5
	CodeVersion    Code = 6
	CodePageSize   Code = 7
	CodeBusy       Code = 8
	CodeReadOnly   Code = 9
	CodeRange      Code = 10
	CodeOverlap    Code = 11
	CodeDoubleFree Code = 12
	CodeReserved   Code = 13
	CodeFull       Code = 14
	CodePoisoned   Code = 15
	CodeMismatch   Code = 16
	CodeNotFound   Code = 17
	CodeExists     Code = 18
	CodeCancelled  Code = 19
	CodeCallback   Code = 20
	CodeInternal   Code = 21
	CodeDuplicate  Code = 22
	CodeTooLarge   Code = 23
	codeCount      Code = 24
)

// Sentinels for errors.Is: errors.Is(err, pager.ErrBusy) is true for any *Error with that code.
var (
	ErrInvalid    = &Error{Code: CodeInvalid}
	ErrIO         = &Error{Code: CodeIO}
	ErrNoMem      = &Error{Code: CodeNoMem}
	ErrNoSpc      = &Error{Code: CodeNoSpc}
	ErrCorrupt    = &Error{Code: CodeCorrupt}
	ErrVersion    = &Error{Code: CodeVersion}
	ErrPageSize   = &Error{Code: CodePageSize}
	ErrBusy       = &Error{Code: CodeBusy}
	ErrReadOnly   = &Error{Code: CodeReadOnly}
	ErrRange      = &Error{Code: CodeRange}
	ErrOverlap    = &Error{Code: CodeOverlap}
	ErrDoubleFree = &Error{Code: CodeDoubleFree}
	ErrReserved   = &Error{Code: CodeReserved}
	ErrFull       = &Error{Code: CodeFull}
	ErrPoisoned   = &Error{Code: CodePoisoned}
	ErrMismatch   = &Error{Code: CodeMismatch}
	ErrNotFound   = &Error{Code: CodeNotFound}
	ErrExists     = &Error{Code: CodeExists}
	ErrCancelled  = &Error{Code: CodeCancelled}
	ErrCallback   = &Error{Code: CodeCallback}
	ErrInternal   = &Error{Code: CodeInternal}
	ErrDuplicate  = &Error{Code: CodeDuplicate}
	ErrTooLarge   = &Error{Code: CodeTooLarge}
)

// Version returns the library's version as MAJOR*10000 + MINOR*100 + PATCH.
func Version() uint32 { return capi.Pager_version() }

// HeaderVersion is the version of the pager.h this package was built against; it differs
// from Version() when the shared library found at run time is another release.
func HeaderVersion() uint32 { return uint32(capi.PAGER_VERSION_NUMBER) }

// VersionString returns the library's version as "MAJOR.MINOR.PATCH".
func VersionString() string { return capi.Pager_version_string() }

// ErrString returns the stable name of an error code ("PAGER_ERR_IO"), or
// "PAGER_ERR_UNKNOWN" for a code this library version does not define.
func ErrString(code ErrorCode) string { return capi.Pager_errstr(int(code)) }
