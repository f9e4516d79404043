package otel

import (
	"context"
	"net"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialmetrics"
)

// Dialer dials through a [dialx.Dialer] in a span named "dialx.dial" per
// dial, whose events are the dial's steps (an attempt, a match, a circuit
// change: see [NewTrace]), and records the metrics of the whole dial and of
// each step. Use [NewDialer] to make one. A Dialer is safe for concurrent
// use by multiple goroutines.
type Dialer struct {
	dialer dialx.Dialer
	inner  []dialx.Dialer // dialer, for Unwrap
	op     string
	tracer trace.Tracer
	r      *recorder
	trace  dialx.Trace
}

// NewDialer returns a Dialer through d. It takes [WithMeterProvider] and
// [WithTracerProvider]. It panics if d is nil.
func NewDialer(d dialx.Dialer, opts ...Option) *Dialer {
	if d == nil {
		panic("dialxotel: NewDialer: d must not be nil, got nil")
	}
	c := newConfig("NewDialer", opts)
	r := newRecorder(c.meters)
	return &Dialer{dialer: d, inner: []dialx.Dialer{d}, op: dialmetrics.Op(d), tracer: c.tracers.Tracer(scope), r: r, trace: newTrace(r)}
}

// DialContext dials address through the wrapped Dialer in a span that is a
// child of the one ctx carries, if any. A failed dial's span has status
// Error and the error recorded.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ctx, span := d.tracer.Start(ctx, "dialx.dial", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("dialx.network", network), attribute.String("dialx.address", address)))
	defer span.End()
	conn, err := dialmetrics.Dial(ctx, d.r, d.trace, d.op, d.dialer, network, address)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	return conn, err
}

// Dial is DialContext with [context.Background].
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// Unwrap returns the Dialer d dials through.
func (d *Dialer) Unwrap() []dialx.Dialer { return d.inner[:1:1] }

// HonoursContext reports true: d's own code never waits.
func (d *Dialer) HonoursContext() bool { return true }
