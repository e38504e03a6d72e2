package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tradehub/tradehub/internal/tracing"
)

// traceOperations gives each GraphQL operation a span ("query SkuList") under the request's
// HTTP span, and each field that has a resolver a span under it ("Query.skus",
// "Sku.balances"): the fields a struct answers by itself are not worth a span each. Store
// spans (internal/tracing.StoreMonitor) then hang under the resolver that made the round trip.
type traceOperations struct{ tracer trace.Tracer }

func newTraceOperations(tp trace.TracerProvider) traceOperations {
	return traceOperations{tracer: tp.Tracer(tracing.InstrumentationName)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = traceOperations{}

func (traceOperations) ExtensionName() string                   { return "Tracing" }
func (traceOperations) Validate(graphql.ExecutableSchema) error { return nil }

func (x traceOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	name, kind := "", "operation"
	if op != nil && op.Operation != nil {
		name, kind = op.Operation.Name, string(op.Operation.Operation)
	}
	spanName := kind
	if name != "" {
		spanName += " " + name
	}
	ctx, span := x.tracer.Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.type", kind), attribute.String("graphql.operation.name", name)))
	responses := next(ctx)
	ended := false
	return func(ctx context.Context) *graphql.Response {
		// Resolvers run inside this call, under the context given here, not the one above.
		resp := responses(trace.ContextWithSpan(ctx, span))
		if !ended {
			// A subscription's later events are not part of the operation's span.
			ended = true
			if resp != nil && len(resp.Errors) > 0 {
				span.SetStatus(codes.Error, resp.Errors[0].Message)
			}
			span.End()
		}
		return resp
	}
}

func (x traceOperations) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver {
		return next(ctx)
	}
	ctx, span := x.tracer.Start(ctx, fc.Object+"."+fc.Field.Name, trace.WithAttributes(
		attribute.String("graphql.field.path", fc.Path().String())))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "resolver error")
	}
	return res, err
}
