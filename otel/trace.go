package otel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialmetrics"
)

// NewTrace returns a [dialx.Trace] that records the metrics of each
// [dialx.Event] (see the package doc) and adds the Event to the span the
// dial's ctx carries, if it is recording one, as an event named after its Op
// and Kind ("repeat attempt") with attributes dialx.address, dialx.n,
// dialx.of, dialx.elapsed (seconds), and dialx.detail, dialx.from, dialx.to
// and dialx.error where they apply. It takes [WithMeterProvider]. The Trace
// is safe for concurrent use by multiple goroutines, as a Trace must be.
func NewTrace(opts ...Option) dialx.Trace {
	return newTrace(newRecorder(newConfig("NewTrace", opts).meters))
}

func newTrace(r *recorder) dialx.Trace {
	return func(ctx context.Context, e dialx.Event) {
		dialmetrics.Record(ctx, r, e)
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			span.AddEvent(e.Op+" "+e.Kind, trace.WithAttributes(eventAttributes(e)...))
		}
	}
}

// eventAttributes returns the attributes of e's span event. The numbers are
// always there, as a zero can mean something (racer 0, no wait); a circuit's
// states only on a Breaker's Events, where closed (the zero) means something.
func eventAttributes(e dialx.Event) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		attribute.String("dialx.address", e.Address),
		attribute.Int("dialx.n", e.N),
		attribute.Int("dialx.of", e.Of),
		attribute.Float64("dialx.elapsed", e.Elapsed.Seconds()),
	}
	if e.Detail != "" {
		attrs = append(attrs, attribute.String("dialx.detail", e.Detail))
	}
	if e.Op == "breaker" {
		attrs = append(attrs, attribute.String("dialx.from", e.From.String()), attribute.String("dialx.to", e.To.String()))
	}
	if e.Err != nil {
		attrs = append(attrs, attribute.String("dialx.error", e.Err.Error()))
	}
	return attrs
}
