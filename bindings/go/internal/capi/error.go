package capi

import (
	"strconv"
	"strings"
)

// Error is a libpager error: a stable PAGER_ERR_* code and the detail message that
// pager_last_error() held inside the native call that failed.
type Error struct {
	Code    int
	Message string
}

// Name is the code's symbolic name, e.g. "PAGER_ERR_NOT_FOUND".
func (e *Error) Name() string { return Pager_errstr(e.Code) }

func (e *Error) Error() string {
	name := Pager_errstr(e.Code)
	if e.Message == "" {
		return name
	}
	return name + ": " + e.Message
}

// Is matches another *Error with the same code, so errors.Is(err, pager.ErrNotFound) works.
func (e *Error) Is(target error) bool {
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
		return &Error{Code: PAGER_ERR_INTERNAL, Message: "malformed status from the binding: " + status}
	}
	return &Error{Code: code, Message: msg}
}
