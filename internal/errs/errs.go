// Package errs is Tradehub's one error type: a code from a small fixed set, a message that is safe
// to show a user, the input field it concerns, and the wrapped cause that only logs ever see.
//
// Services return *Error (usually built by the constructors below or a domain sentinel wrapped
// with context); the GraphQL layer turns it into a userError or a top-level error with
// extensions.code. Anything that is not an *Error is INTERNAL: its text never reaches a client.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error for callers. The set is small and fixed on purpose: clients branch on
// it, so adding one is an API change.
type Code string

const (
	Invalid            Code = "INVALID"             // the input is malformed or out of range
	NotFound           Code = "NOT_FOUND"           // missing, or not visible to the caller
	Conflict           Code = "CONFLICT"            // a unique key or a concurrent change collided
	FailedPrecondition Code = "FAILED_PRECONDITION" // the state does not allow it (transition, stock, limit)
	Unauthenticated    Code = "UNAUTHENTICATED"     // no valid credentials
	Forbidden          Code = "FORBIDDEN"           // authenticated, but not allowed
	RateLimited        Code = "RATE_LIMITED"        // the caller's budget is spent
	Internal           Code = "INTERNAL"            // a bug or an outage; details are logged only
)

// Error is a classified error. Reason is an optional, more specific machine-readable code
// (IDEMPOTENCY_KEY_REUSED, INSUFFICIENT_STOCK ...) that GraphQL userErrors expose as their code;
// when empty, Code is used.
type Error struct {
	Code    Code
	Reason  string
	Message string   // safe for users
	Field   []string // input path, e.g. ["input", "lines", "0", "quantity"]
	Err     error    // cause, for logs only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Reason != "" {
		b.WriteString("/" + e.Reason)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, sentinel) true when err carries the sentinel's code and reason, so a
// sentinel can be returned with a more specific message or field and still be recognised.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && t.Reason == e.Reason && t.Reason != ""
}

// UserCode is the code clients see in a userError: the reason when set, else the code.
func (e *Error) UserCode() string {
	if e.Reason != "" {
		return e.Reason
	}
	return string(e.Code)
}

// E builds an error with a code and a user-facing message (printf-style).
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinel builds a reusable domain error such as ErrInsufficientStock.
func Sentinel(code Code, reason, message string) *Error {
	return &Error{Code: code, Reason: reason, Message: message}
}

// InvalidField reports bad input at a field path (dot-separated, e.g. "input.lines.0.quantity").
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: fmt.Sprintf(format, args...), Field: splitField(field)}
}

// With returns a copy of the sentinel with a cause and, optionally, a field path.
func (e *Error) With(field string, cause error) *Error {
	c := *e
	c.Err = cause
	if field != "" {
		c.Field = splitField(field)
	}
	return &c
}

// WithMessage returns a copy of the sentinel with a more specific user-facing message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Internalf wraps an unexpected failure; its text is for logs only.
func Internalf(format string, args ...any) *Error {
	return &Error{Code: Internal, Message: "internal error", Err: fmt.Errorf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsCode reports whether err is classified with code.
func IsCode(err error, code Code) bool { return CodeOf(err) == code }

func splitField(field string) []string {
	if field == "" {
		return nil
	}
	return strings.Split(field, ".")
}
