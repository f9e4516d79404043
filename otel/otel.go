// Package otel reports the dials of github.com/dialx/dialx to OpenTelemetry:
// a span per dial with an event per step ([NewDialer]), and metrics by
// decorator and outcome ([NewTrace] alone records the metrics and adds the
// events to the span the dial's ctx carries).
//
// The metrics, each with attributes dialx.op and dialx.outcome:
//
//	dialx.dials          counter    {dial}  dials that ended
//	dialx.dial.duration  histogram  s       how long they took
//
// A dial is an innermost one (dialx.op "dial", from its "dial done"
// [dialx.Event]) or, through a [Dialer], a whole one (dialx.op names the
// Dialer it wraps: "repeat" for a *dialx.Repeat). The outcome is "ok",
// "timeout", "canceled", "refused" (a Reject, no rule of a Selective, an
// open circuit) or "error". Every other Event is counted with attributes
// dialx.op and dialx.kind:
//
//	dialx.events         counter    {event}  retries, refusals, circuit changes...
//
// Import it under a name of its own, as it shares its last element with
// go.opentelemetry.io/otel:
//
//	import dialxotel "github.com/dialx/dialx/otel"
package otel

import (
	"context"
	"fmt"
	"time"

	global "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/dialx/dialx/internal/dialmetrics"
)

// scope names this package to the providers, as instrumentation libraries do.
const scope = "github.com/dialx/dialx/otel"

// Option configures [NewDialer] or [NewTrace]; one given to a function it
// does not apply to panics. An Option is safe for concurrent use by
// multiple goroutines.
type Option interface {
	// apply is unexported, so that only this package's With functions
	// make an Option.
	apply(*config)
}

// option is the one implementation of Option.
type option struct {
	name  string // the With function, for panics
	spans bool   // it sets what only a Dialer uses
	set   func(*config)
}

func (o option) apply(c *config) { o.set(c) }

type config struct {
	meters  metric.MeterProvider
	tracers trace.TracerProvider
}

// WithMeterProvider records the metrics through provider instead of the
// global one. It panics if provider is nil.
func WithMeterProvider(provider metric.MeterProvider) Option {
	if provider == nil {
		panic("dialxotel: WithMeterProvider: provider must not be nil, got nil")
	}
	return option{name: "WithMeterProvider", set: func(c *config) { c.meters = provider }}
}

// WithTracerProvider makes the spans of a [Dialer] through provider instead
// of the global one. It panics if provider is nil.
func WithTracerProvider(provider trace.TracerProvider) Option {
	if provider == nil {
		panic("dialxotel: WithTracerProvider: provider must not be nil, got nil")
	}
	return option{name: "WithTracerProvider", spans: true, set: func(c *config) { c.tracers = provider }}
}

// newConfig applies opts, given to function, over the global providers. It
// panics on a nil Option, or one that sets spans given to NewTrace.
func newConfig(function string, opts []Option) config {
	c := config{meters: global.GetMeterProvider(), tracers: global.GetTracerProvider()}
	for _, opt := range opts {
		o, ok := opt.(option)
		if !ok {
			panic(fmt.Sprintf("dialxotel: %s: Option must not be nil, got nil", function))
		}
		if o.spans && function == "NewTrace" {
			panic(fmt.Sprintf("dialxotel: %s: %s does not apply to a Trace", function, o.name))
		}
		o.apply(&c)
	}
	return c
}

// recorder is the metrics of one provider, for package dialmetrics.
type recorder struct {
	dials    metric.Int64Counter
	duration metric.Float64Histogram
	events   metric.Int64Counter
}

func newRecorder(provider metric.MeterProvider) *recorder {
	meter := provider.Meter(scope)
	var r recorder
	var err error
	// An error means a bad name or option, fixed here once; the instrument
	// returned with it still works, so it is only reported.
	r.dials, err = meter.Int64Counter("dialx.dials", metric.WithUnit("{dial}"),
		metric.WithDescription("Dials that ended, by decorator (dialx.op) and outcome (dialx.outcome)."))
	handle(err)
	r.duration, err = meter.Float64Histogram("dialx.dial.duration", metric.WithUnit("s"),
		metric.WithDescription("How long dials took, by decorator (dialx.op) and outcome (dialx.outcome)."),
		metric.WithExplicitBucketBoundaries(dialmetrics.Buckets...))
	handle(err)
	r.events, err = meter.Int64Counter("dialx.events", metric.WithUnit("{event}"),
		metric.WithDescription("Steps of dials other than their start and end, by decorator (dialx.op) and kind (dialx.kind)."))
	handle(err)
	return &r
}

func handle(err error) {
	if err != nil {
		global.Handle(err)
	}
}

func (r *recorder) Dial(ctx context.Context, op, outcome string, elapsed time.Duration) {
	attrs := metric.WithAttributeSet(attribute.NewSet(attribute.String("dialx.op", op), attribute.String("dialx.outcome", outcome)))
	r.dials.Add(ctx, 1, attrs)
	r.duration.Record(ctx, elapsed.Seconds(), attrs)
}

func (r *recorder) Event(ctx context.Context, op, kind string) {
	r.events.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("dialx.op", op), attribute.String("dialx.kind", kind))))
}
