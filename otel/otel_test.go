package otel_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	dialxotel "github.com/dialx/dialx/otel"
)

// sdk is an OpenTelemetry SDK whose metrics and spans a test reads back.
type sdk struct {
	reader *sdkmetric.ManualReader
	meters *sdkmetric.MeterProvider
	spans  *tracetest.InMemoryExporter
	traces *sdktrace.TracerProvider
}

func newSDK(t *testing.T) *sdk {
	s := &sdk{reader: sdkmetric.NewManualReader(), spans: tracetest.NewInMemoryExporter()}
	s.meters = sdkmetric.NewMeterProvider(sdkmetric.WithReader(s.reader))
	s.traces = sdktrace.NewTracerProvider(sdktrace.WithSyncer(s.spans))
	t.Cleanup(func() {
		s.meters.Shutdown(context.Background())
		s.traces.Shutdown(context.Background())
	})
	return s
}

// metrics returns each metric of the adapter's scope by name.
func (s *sdk) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, s.reader.Collect(context.Background(), &rm))
	byName := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != "github.com/dialx/dialx/otel" {
			continue
		}
		for _, m := range sm.Metrics {
			byName[m.Name] = m
		}
	}
	return byName
}

// sums returns a counter's values keyed by its attributes, "op/outcome"
// or "op/kind".
func sums(t *testing.T, m metricdata.Metrics, second attribute.Key) map[string]int64 {
	t.Helper()
	data, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T", m.Name, m.Data)
	got := map[string]int64{}
	for _, p := range data.DataPoints {
		got[value(p.Attributes, "dialx.op")+"/"+value(p.Attributes, second)] += p.Value
	}
	return got
}

func value(set attribute.Set, key attribute.Key) string {
	v, _ := set.Value(key)
	return v.AsString()
}

// failingFirst fails its first dial with "connection refused" and dials the
// network for the second, as an upstream that failed over would.
func failingFirst() *dialx.Consecutive {
	return dialx.NewConsecutive(dialx.DialerFunc(dialtest.Failing(errors.New("connection refused"))), &net.Dialer{})
}

func TestDialerRecordsTheMetricsOfTheDialAndOfEachAttempt(t *testing.T) {
	s := newSDK(t)
	d := dialxotel.NewDialer(failingFirst(),
		dialxotel.WithMeterProvider(s.meters), dialxotel.WithTracerProvider(s.traces))
	conn, err := d.DialContext(t.Context(), "tcp", dialtest.StartEcho(t).Addr())
	require.NoError(t, err)
	conn.Close()

	metrics := s.metrics(t)
	assert.Equal(t, map[string]int64{"dial/error": 1, "dial/ok": 1, "consecutive/ok": 1}, sums(t, metrics["dialx.dials"], "dialx.outcome"))
	assert.Equal(t, map[string]int64{"consecutive/attempt": 2}, sums(t, metrics["dialx.events"], "dialx.kind"))
	assert.Equal(t, "{dial}", metrics["dialx.dials"].Unit)

	duration := metrics["dialx.dial.duration"]
	assert.Equal(t, "s", duration.Unit)
	histogram, ok := duration.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "dialx.dial.duration is a %T", duration.Data)
	counts := map[string]uint64{}
	for _, p := range histogram.DataPoints {
		counts[value(p.Attributes, "dialx.op")+"/"+value(p.Attributes, "dialx.outcome")] = p.Count
		assert.Equal(t, 0.0005, p.Bounds[0], "buckets in seconds, from half a millisecond")
	}
	assert.Equal(t, map[string]uint64{"dial/error": 1, "dial/ok": 1, "consecutive/ok": 1}, counts)
}

func TestDialerMakesASpanPerDialWithAnEventPerStep(t *testing.T) {
	s := newSDK(t)
	d := dialxotel.NewDialer(failingFirst(),
		dialxotel.WithMeterProvider(s.meters), dialxotel.WithTracerProvider(s.traces))
	address := dialtest.StartEcho(t).Addr()
	ctx, parent := s.traces.Tracer("test").Start(t.Context(), "request")
	conn, err := d.DialContext(ctx, "tcp", address)
	require.NoError(t, err)
	conn.Close()
	parent.End()

	spans := s.spans.GetSpans()
	require.Len(t, spans, 2)
	span := spans[0]
	assert.Equal(t, "dialx.dial", span.Name)
	assert.Equal(t, trace.SpanKindClient, span.SpanKind)
	assert.Equal(t, parent.SpanContext().SpanID(), span.Parent.SpanID(), "the dial's span is a child of ctx's")
	assert.Contains(t, span.Attributes, attribute.String("dialx.address", address))
	assert.Equal(t, codes.Unset, span.Status.Code)
	var names []string
	for _, e := range span.Events {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"consecutive attempt", "dial start", "dial done", "consecutive attempt", "dial start", "dial done"}, names)
	assert.Contains(t, span.Events[0].Attributes, attribute.Int("dialx.n", 1))
	assert.Contains(t, span.Events[2].Attributes, attribute.String("dialx.error", "connection refused"))
	assert.Contains(t, span.Events[3].Attributes, attribute.Int("dialx.n", 2))
}

func TestDialerMarksAFailedDial(t *testing.T) {
	s := newSDK(t)
	d := dialxotel.NewDialer(dialx.NewReject(nil), dialxotel.WithMeterProvider(s.meters), dialxotel.WithTracerProvider(s.traces))
	_, err := d.Dial("tcp", "blocked.example:443")
	require.ErrorIs(t, err, dialx.ErrRejected)

	assert.Equal(t, map[string]int64{"reject/refused": 1}, sums(t, s.metrics(t)["dialx.dials"], "dialx.outcome"))
	spans := s.spans.GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, codes.Error, spans[0].Status.Code)
	assert.Equal(t, err.Error(), spans[0].Status.Description)
	require.Len(t, spans[0].Events, 1)
	assert.Equal(t, "exception", spans[0].Events[0].Name, "the error is recorded")
}

func TestNewTraceAddsEventsToTheSpanOfCtx(t *testing.T) {
	s := newSDK(t)
	failing := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewBreaker(failing, dialx.WithConsecutiveFailures(1))
	ctx, span := s.traces.Tracer("test").Start(t.Context(), "request")
	ctx = dialx.WithTrace(ctx, dialxotel.NewTrace(dialxotel.WithMeterProvider(s.meters)))
	for range 2 {
		d.DialContext(ctx, "tcp", "db:5432")
	}
	span.End()

	events := s.spans.GetSpans()[0].Events
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"dial start", "dial done", "breaker state", "breaker refused"}, names)
	assert.Contains(t, events[2].Attributes, attribute.String("dialx.from", "closed"))
	assert.Contains(t, events[2].Attributes, attribute.String("dialx.to", "open"))
	assert.Equal(t, map[string]int64{"breaker/state": 1, "breaker/refused": 1}, sums(t, s.metrics(t)["dialx.events"], "dialx.kind"))
}

func TestPanics(t *testing.T) {
	assert.PanicsWithValue(t, "dialxotel: NewDialer: d must not be nil, got nil", func() { dialxotel.NewDialer(nil) })
	assert.PanicsWithValue(t, "dialxotel: WithMeterProvider: provider must not be nil, got nil", func() { dialxotel.WithMeterProvider(nil) })
	assert.PanicsWithValue(t, "dialxotel: WithTracerProvider: provider must not be nil, got nil", func() { dialxotel.WithTracerProvider(nil) })
	assert.PanicsWithValue(t, "dialxotel: NewTrace: WithTracerProvider does not apply to a Trace",
		func() { dialxotel.NewTrace(dialxotel.WithTracerProvider(sdktrace.NewTracerProvider())) })
	assert.PanicsWithValue(t, "dialxotel: NewDialer: Option must not be nil, got nil", func() { dialxotel.NewDialer(&net.Dialer{}, nil) })
}

func TestDialerUnwrapsToItsDialer(t *testing.T) {
	inner := &net.Dialer{}
	d := dialxotel.NewDialer(inner)
	assert.Equal(t, []dialx.Dialer{inner}, d.Unwrap())
	assert.True(t, d.HonoursContext())
}
