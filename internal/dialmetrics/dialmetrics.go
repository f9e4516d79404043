// Package dialmetrics holds what the OpenTelemetry and Prometheus adapters
// of dialx share: which dials they count, the outcome and decorator each is
// labelled with, and the duration buckets, so that both modules report the
// same metrics.
package dialmetrics

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"time"

	"github.com/dialx/dialx"
)

// Buckets are the upper bounds, in seconds, of the dial duration
// histograms: from a loopback connect to a dial a Timeout cuts.
var Buckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Recorder is where an adapter keeps its metrics. It must be safe for
// concurrent use.
type Recorder interface {
	// Dial records a dial that ended: an innermost one (op "dial") or a
	// whole one, op naming its outermost decorator.
	Dial(ctx context.Context, op, outcome string, elapsed time.Duration)
	// Event records an Event other than an innermost dial's start and end.
	Event(ctx context.Context, op, kind string)
}

// Record passes e on to r: an innermost dial's end as a dial, its start
// not at all (the end counts it), any other Event as itself.
func Record(ctx context.Context, r Recorder, e dialx.Event) {
	switch {
	case e.Op == "dial" && e.Kind == "start":
	case e.Op == "dial" && e.Kind == "done":
		r.Dial(ctx, "dial", Outcome(e.Err), e.Elapsed)
	default:
		r.Event(ctx, e.Op, e.Kind)
	}
}

// Dial dials address through d with trace on ctx, and records the whole
// dial in r under op.
func Dial(ctx context.Context, r Recorder, trace dialx.Trace, op string, d dialx.Dialer, network, address string) (net.Conn, error) {
	start := time.Now()
	conn, err := d.DialContext(dialx.WithTrace(ctx, trace), network, address)
	r.Dial(ctx, op, Outcome(err), time.Since(start))
	return conn, err
}

// Outcome labels how a dial ended: "ok"; "timeout" when a deadline passed;
// "canceled" when its ctx was; "refused" when the stack refused it without
// dialing (a [dialx.Reject], no rule of a [dialx.Selective], an open
// circuit of a [dialx.Breaker]); else "error".
func Outcome(err error) string {
	var timeout interface{ Timeout() bool }
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, dialx.ErrRejected), errors.Is(err, dialx.ErrNoMatch), errors.Is(err, dialx.ErrOpen):
		return "refused"
	}
	return "error"
}

// Op names the decorator d is, as its Events and errors do: "repeat" for a
// *dialx.Repeat, "dialer" for a *net.Dialer, the type's name in lower case;
// "dialer" too for a type without a name.
func Op(d dialx.Dialer) string {
	t := reflect.TypeOf(d)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return "dialer"
	}
	return strings.ToLower(t.Name())
}
