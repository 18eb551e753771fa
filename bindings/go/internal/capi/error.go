package capi

import (
	"io/fs"
	"strconv"
	"strings"
)

// ErrorCode is a stable libpager error code (PAGER_ERR_*; never renumbered, never reused).
type ErrorCode int

// String is the code's symbolic name ("PAGER_ERR_NOT_FOUND"; "PAGER_ERR_UNKNOWN" for a code
// this library version does not define).
func (c ErrorCode) String() string { return Pager_errstr(int(c)) }

// Error is a libpager error: a stable PAGER_ERR_* code and the detail message that
// pager_last_error() held inside the native call that failed.
type Error struct {
	Code    ErrorCode
	Message string
}

// Name is the code's symbolic name, e.g. "PAGER_ERR_NOT_FOUND".
func (e *Error) Name() string { return e.Code.String() }

func (e *Error) Error() string {
	name := e.Code.String()
	if e.Message == "" {
		return name
	}
	return name + ": " + e.Message
}

// Is matches another *Error with the same code, so errors.Is(err, pager.ErrNotFound) works,
// and the io/fs sentinels the codes mean: fs.ErrNotExist (NOT_FOUND), fs.ErrExist (EXISTS),
// fs.ErrPermission (READONLY: a read-only handle, file system or permission denied).
func (e *Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.Code == ErrorCode(PAGER_ERR_NOT_FOUND)
	case fs.ErrExist:
		return e.Code == ErrorCode(PAGER_ERR_EXISTS)
	case fs.ErrPermission:
		return e.Code == ErrorCode(PAGER_ERR_READONLY)
	}
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// StatusError decodes the status string the SWIG wrapper builds inside the native call
// ("" for PAGER_OK, else "<code>:<message>") into nil or an *Error.
func StatusError(status string) error {
	if status == "" {
		return nil
	}
	head, msg, found := strings.Cut(status, ":")
	code, err := strconv.Atoi(head)
	if !found || err != nil {
		return &Error{Code: ErrorCode(PAGER_ERR_INTERNAL), Message: "malformed status from the binding: " + status}
	}
	return &Error{Code: ErrorCode(code), Message: msg}
}
