package session

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error so that callers (the HTTP layer) can map it to a
// status in one place without inspecting messages.
type Code string

// Error codes.
const (
	EInvalid      Code = "invalid"      // the request is malformed or a value is out of range
	ENotFound     Code = "not_found"    // no such session
	EUnauthorized Code = "unauthorized" // no owner token was presented
	EForbidden    Code = "forbidden"    // the owner token is wrong
	EConflict     Code = "conflict"     // the action does not fit the session's state
	EUnavailable  Code = "unavailable"  // the server is at capacity or shutting down; try again later
	EFull         Code = "full"         // the server's storage for this kind of thing is full; waiting will not help soon
	EInternal     Code = "internal"     // a bug or an environment failure
	ERateLimited  Code = "rate_limited" // the caller's address did too much too quickly; Retry says when to come back
)

// Error is the domain error of this package. Message is written for the
// person who made the request and says what to change; Field names the
// configuration field at fault, when there is one.
type Error struct {
	Code    Code
	Message string
	Field   string
	// Fields has a message for every field at fault when there are several
	// (a configuration); Field and Message are then the first of them.
	Fields FieldErrors
	// Retry, when set, is how long the caller should wait before trying
	// again (the HTTP layer sends it as Retry-After).
	Retry time.Duration
	// Err is the underlying cause of an internal error (not shown to users).
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return string(e.Code) + ": " + e.Message
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for errors of other kinds and
// "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; errors that are not
// *Error get a generic message so that internal details are not leaked.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field named by err or by any *Error it wraps, ""
// when none does.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// FieldErrors holds one message per configuration field at fault, in the
// order the fields appear in the form.
type FieldErrors []FieldError

// FieldError is a message about one configuration field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Map returns the errors keyed by field name.
func (fe FieldErrors) Map() map[string]string {
	m := make(map[string]string, len(fe))
	for _, e := range fe {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Message
		}
	}
	return m
}

// Err returns the first error as an *Error with code EInvalid, or nil.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: fe[0].Message, Field: fe[0].Field, Fields: fe}
}

func (fe *FieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}
