// Package prometheus exposes the dials of github.com/dialx/dialx, and the
// connections a [dialx.Tracker] keeps open, as Prometheus metrics:
//
//	dialx_dials_total{op, outcome}             counter    dials that ended
//	dialx_dial_duration_seconds{op, outcome}   histogram  how long they took
//	dialx_events_total{op, kind}               counter    retries, refusals, circuit changes...
//	dialx_open_connections{destination}        gauge      open connections of a Tracker (20 busiest destinations, then the rest)
//
// A dial is an innermost one (op "dial", from its "dial done"
// [dialx.Event]) or, through a [Dialer], a whole one (op names the Dialer it
// wraps: "repeat" for a *dialx.Repeat). The outcome is "ok", "timeout",
// "canceled", "refused" (a Reject, no rule of a Selective, an open circuit)
// or "error". These are the metrics of github.com/dialx/dialx/otel under
// Prometheus's names.
//
// Import it under a name of its own, as it shares its last element with
// github.com/prometheus/client_golang/prometheus:
//
//	import dialxprom "github.com/dialx/dialx/prometheus"
package prometheus

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialmetrics"
)

// Collector is a [prom.Collector] of the metrics in the package doc. Dials
// report to it through [Collector.Trace] or a [Dialer]; register it once
// with a registry. Use [NewCollector] to make one. A Collector is safe for
// concurrent use by multiple goroutines.
type Collector struct {
	r       recorder
	open    *prom.Desc
	tracker *dialx.Tracker // nil: no open connections to report
}

// recorder holds the metrics that dials report, for package dialmetrics.
type recorder struct {
	dials    *prom.CounterVec
	duration *prom.HistogramVec
	events   *prom.CounterVec
}

// Option configures [NewCollector]. An Option is safe for concurrent use
// by multiple goroutines.
type Option interface {
	// apply is unexported, so that only this package's With functions
	// make an Option.
	apply(*Collector)
}

// option is the one implementation of Option.
type option func(*Collector)

func (o option) apply(c *Collector) { o(c) }

// WithTracker adds the gauge dialx_open_connections, the connections
// tracker keeps open by destination. Of the destinations with open
// connections, the 20 with the most have a series each, and the others'
// connections are summed in the series whose destination is "" (which
// Prometheus stores without the label): however many destinations there
// are (a forward proxy's), a scrape reads at most 21 series, and
// sum(dialx_open_connections) counts every connection open. It panics if
// tracker is nil.
func WithTracker(tracker *dialx.Tracker) Option {
	if tracker == nil {
		panic("dialxprom: WithTracker: tracker must not be nil, got nil")
	}
	return option(func(c *Collector) { c.tracker = tracker })
}

// NewCollector returns a Collector with no dial counted yet. It takes
// [WithTracker]. It panics on a nil Option.
func NewCollector(opts ...Option) *Collector {
	c := &Collector{
		r: recorder{
			dials: prom.NewCounterVec(prom.CounterOpts{Name: "dialx_dials_total",
				Help: "Dials that ended, by decorator (op) and outcome."}, []string{"op", "outcome"}),
			duration: prom.NewHistogramVec(prom.HistogramOpts{Name: "dialx_dial_duration_seconds",
				Help: "How long dials took, by decorator (op) and outcome.", Buckets: dialmetrics.Buckets},
				[]string{"op", "outcome"}),
			events: prom.NewCounterVec(prom.CounterOpts{Name: "dialx_events_total",
				Help: "Steps of dials other than their start and end, by decorator (op) and kind."}, []string{"op", "kind"}),
		},
		open: prom.NewDesc("dialx_open_connections", "Connections a dialx.Tracker keeps open, by destination.",
			[]string{"destination"}, nil),
	}
	for _, opt := range opts {
		if opt == nil {
			panic("dialxprom: NewCollector: Option must not be nil, got nil")
		}
		opt.apply(c)
	}
	return c
}

// Trace records the metrics of e; it is a [dialx.Trace], to give
// [dialx.WithTrace] when dials are not made through a [Dialer].
func (c *Collector) Trace(ctx context.Context, e dialx.Event) {
	dialmetrics.Record(ctx, &c.r, e)
}

// Describe sends the descriptors of c's metrics, for [prom.Collector].
func (c *Collector) Describe(ch chan<- *prom.Desc) {
	c.r.dials.Describe(ch)
	c.r.duration.Describe(ch)
	c.r.events.Describe(ch)
	if c.tracker != nil {
		ch <- c.open
	}
}

// Collect sends c's metrics, for [prom.Collector]. The open connections
// are read from the Tracker at each scrape.
func (c *Collector) Collect(ch chan<- prom.Metric) {
	c.r.dials.Collect(ch)
	c.r.duration.Collect(ch)
	c.r.events.Collect(ch)
	if c.tracker != nil {
		for _, d := range busiest(c.tracker) {
			ch <- prom.MustNewConstMetric(c.open, prom.GaugeValue, float64(d.open), d.destination)
		}
	}
}

// maxDestinations bounds the series of dialx_open_connections, whatever the
// number of destinations a Tracker has connections open to: a forward proxy
// may have thousands, each a series that a Prometheus server would keep.
const maxDestinations = 20

// openTo is the number of connections open to one destination.
type openTo struct {
	destination string
	open        int
}

// busiest returns the destinations of tracker with connections open, at most
// maxDestinations of those with the most (ties broken by name, so that a
// scrape picks the same), and one more, "", with the sum of the others': the
// series add up to all the connections open.
func busiest(tracker *dialx.Tracker) []openTo {
	var counts []openTo
	rest := 0
	for destination, open := range tracker.Destinations() {
		if destination == "" { // would be taken for the rest
			rest += open
			continue
		}
		counts = append(counts, openTo{destination, open})
	}
	if len(counts) > maxDestinations {
		slices.SortFunc(counts, func(a, b openTo) int {
			return cmp.Or(cmp.Compare(b.open, a.open), strings.Compare(a.destination, b.destination))
		})
		for _, d := range counts[maxDestinations:] {
			rest += d.open
		}
		counts = counts[:maxDestinations]
	}
	if rest > 0 {
		counts = append(counts, openTo{"", rest})
	}
	return counts
}

func (r *recorder) Dial(_ context.Context, op, outcome string, elapsed time.Duration) {
	r.dials.WithLabelValues(op, outcome).Inc()
	r.duration.WithLabelValues(op, outcome).Observe(elapsed.Seconds())
}

func (r *recorder) Event(_ context.Context, op, kind string) {
	r.events.WithLabelValues(op, kind).Inc()
}
