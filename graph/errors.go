package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/requestid"
)

// Top-level error codes, in extensions.code. The set is fixed and documented in the schema;
// clients branch on it.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeRateLimited     = "RATE_LIMITED"
	CodeInternal        = "INTERNAL"
)

// topLevelCode maps a domain error code to extensions.code. CONFLICT and FAILED_PRECONDITION are
// user-correctable, so at the top level (queries; mutations report them as userErrors) they are
// BAD_USER_INPUT with the precise reason in extensions.reason.
func topLevelCode(c errs.Code) string {
	switch c {
	case errs.Unauthenticated:
		return CodeUnauthenticated
	case errs.Forbidden:
		return CodeForbidden
	case errs.NotFound:
		return CodeNotFound
	case errs.Invalid, errs.Conflict, errs.FailedPrecondition:
		return CodeBadUserInput
	case errs.RateLimited:
		return CodeRateLimited
	default:
		return CodeInternal
	}
}

// gqlgen's own codes for documents that do not parse or validate, and for limits it enforces.
var requestErrorCodes = map[string]bool{
	"GRAPHQL_PARSE_FAILED":      true,
	"GRAPHQL_VALIDATION_FAILED": true,
	"COMPLEXITY_LIMIT_EXCEEDED": true,
	codePersistedQueryInvalid:   true,
}

// Codes that clients act on as they are: APQ clients retry with the document on
// PERSISTED_QUERY_NOT_FOUND; PERSISTED_QUERY_NOT_ALLOWED is the allow-list's refusal.
var passThroughCodes = map[string]bool{
	CodePersistedQueryNotFound:   true,
	CodePersistedQueryNotAllowed: true,
}

// NewErrorPresenter returns the presenter that decides what a client sees of an error:
//   - errs.Error: its user-facing message and extensions.code (and reason, field);
//   - gqlgen's parse and validation errors: their message (it describes the caller's document)
//     as BAD_USER_INPUT;
//   - anything else: "internal error" as INTERNAL, logged with the request id and the cause.
func NewErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := errs.As(err); ok && e.Code != errs.Internal {
			gqlErr.Message = e.Message
			gqlErr.Extensions = map[string]any{"code": topLevelCode(e.Code)}
			if e.Reason != "" && e.Reason != topLevelCode(e.Code) {
				gqlErr.Extensions["reason"] = e.Reason
			}
			return gqlErr
		}
		var raw *gqlerror.Error
		if errors.As(err, &raw) && raw.Unwrap() == nil {
			code, _ := raw.Extensions["code"].(string)
			if passThroughCodes[code] {
				gqlErr.Extensions = map[string]any{"code": code}
				return gqlErr
			}
			if requestErrorCodes[code] {
				gqlErr.Extensions = map[string]any{"code": CodeBadUserInput, "reason": code}
				return gqlErr
			}
		}
		logger.ErrorContext(ctx, "request failed", "error", err.Error(), "path", gqlErr.Path.String())
		ext := map[string]any{"code": CodeInternal}
		// The request id is in the X-Request-Id header too, but a WebSocket client never sees
		// the upgrade's headers: in the error, every client can quote it to support.
		if id := requestid.From(ctx); id != "" {
			ext["requestId"] = id
		}
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: ext,
		}
	}
}

// NewRecoverFunc turns a panic in a resolver into an INTERNAL error for the client and a log
// line with the stack for us; the process and the other fields of the request carry on.
func NewRecoverFunc(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errs.Internalf("panic: %v", p)
	}
}

// userErrorsOf splits a service error for a mutation payload: nil for success; the
// userErrors of a user-correctable outcome (INVALID, NOT_FOUND, CONFLICT, FAILED_PRECONDITION);
// or, as the second value, an error that stays top-level (UNAUTHENTICATED, FORBIDDEN, INTERNAL).
// NOT_FOUND is a userError so that a foreign id in a mutation reads exactly like a missing one.
func userErrorsOf(err error) ([]model.UserError, error) {
	if err == nil {
		return nil, nil
	}
	e, ok := errs.As(err)
	if !ok {
		return nil, err
	}
	switch e.Code {
	case errs.Invalid, errs.NotFound, errs.Conflict, errs.FailedPrecondition:
	default:
		return nil, err
	}
	code := model.UserErrorCode(e.UserCode())
	if !code.IsValid() {
		code = model.UserErrorCode(e.Code)
	}
	var field []string
	if len(e.Field) > 0 {
		field = e.Field
	}
	return []model.UserError{{Code: code, Field: field, Message: e.Message}}, nil
}

// noUserErrors is the empty list a successful payload carries (the field is non-null).
func noUserErrors() []model.UserError { return []model.UserError{} }
