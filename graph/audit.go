package graph

import (
	"context"
	"log/slog"
	"reflect"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/services/audit"
)

// auditMutations writes one audit entry per root mutation field, whatever its outcome, so that
// no mutation can be added without being audited. Services annotate the entry with the account
// and object (audit.Annotate); the outcome is read from the payload's userErrors or the error.
func auditMutations(log *audit.Service, logger *slog.Logger) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (res any, err error) {
		fc := graphql.GetFieldContext(ctx)
		if log == nil || fc == nil || fc.Object != "Mutation" {
			return next(ctx)
		}
		ctx, draft := audit.Begin(ctx, fc.Field.Name)
		defer func() {
			outcome, code := audit.Success, ""
			if p := recover(); p != nil {
				defer panic(p)
				outcome, code = audit.Error, string(errs.Internal)
			} else {
				outcome, code = classify(res, err)
			}
			if cerr := log.Commit(ctx, draft, outcome, code); cerr != nil {
				logger.ErrorContext(ctx, "audit entry not written", "action", fc.Field.Name, "error", cerr)
			}
		}()
		return next(ctx)
	}
}

func classify(res any, err error) (audit.Outcome, string) {
	if err != nil {
		switch c := errs.CodeOf(err); c {
		case errs.Internal:
			return audit.Error, string(c)
		default:
			return audit.Refused, string(c)
		}
	}
	if ue := userErrorsIn(res); len(ue) > 0 {
		return audit.Refused, string(ue[0].Code)
	}
	return audit.Success, ""
}

// userErrorsIn finds the UserErrors field every mutation payload has (by the schema's
// convention, checked by the schema conventions test).
func userErrorsIn(res any) []model.UserError {
	v := reflect.ValueOf(res)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("UserErrors")
	if !f.IsValid() {
		return nil
	}
	ue, _ := f.Interface().([]model.UserError)
	return ue
}
