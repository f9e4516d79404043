package prometheus_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	dialxprom "github.com/dialx/dialx/prometheus"
)

// failingFirst fails its first dial with "connection refused" and dials the
// network for the second, as an upstream that failed over would.
func failingFirst() *dialx.Consecutive {
	return dialx.NewConsecutive(dialx.DialerFunc(dialtest.Failing(errors.New("connection refused"))), &net.Dialer{})
}

// registered returns a registry holding c, as a program would.
func registered(t *testing.T, c prom.Collector) *prom.Registry {
	registry := prom.NewPedanticRegistry()
	require.NoError(t, registry.Register(c))
	return registry
}

func TestDialerCountsDialsByDecoratorAndOutcome(t *testing.T) {
	collector := dialxprom.NewCollector()
	registry := registered(t, collector)
	d := dialxprom.NewDialer(failingFirst(), collector)
	conn, err := d.DialContext(t.Context(), "tcp", dialtest.StartEcho(t).Addr())
	require.NoError(t, err)
	conn.Close()
	_, err = dialxprom.NewDialer(dialx.NewReject(nil), collector).Dial("tcp", "blocked.example:443")
	require.ErrorIs(t, err, dialx.ErrRejected)

	// The counters, exactly, in the exposition format a scrape reads.
	require.NoError(t, testutil.GatherAndCompare(registry, strings.NewReader(`
# HELP dialx_dials_total Dials that ended, by decorator (op) and outcome.
# TYPE dialx_dials_total counter
dialx_dials_total{op="consecutive",outcome="ok"} 1
dialx_dials_total{op="dial",outcome="error"} 1
dialx_dials_total{op="dial",outcome="ok"} 1
dialx_dials_total{op="reject",outcome="refused"} 1
# HELP dialx_events_total Steps of dials other than their start and end, by decorator (op) and kind.
# TYPE dialx_events_total counter
dialx_events_total{kind="attempt",op="consecutive"} 2
`), "dialx_dials_total", "dialx_events_total"))

	// The histogram: a series per op and outcome, each with one observation.
	assert.Equal(t, 4, testutil.CollectAndCount(collector, "dialx_dial_duration_seconds"))
	families, err := registry.Gather()
	require.NoError(t, err)
	for _, family := range families {
		if family.GetName() != "dialx_dial_duration_seconds" {
			continue
		}
		for _, m := range family.GetMetric() {
			assert.Equal(t, uint64(1), m.GetHistogram().GetSampleCount())
			assert.Equal(t, 0.0005, m.GetHistogram().GetBucket()[0].GetUpperBound())
		}
	}
	problems, err := testutil.GatherAndLint(registry)
	require.NoError(t, err)
	assert.Empty(t, problems, "the names and help follow Prometheus's conventions")
}

func TestCollectorTraceCountsWithoutADialer(t *testing.T) {
	collector := dialxprom.NewCollector()
	failing := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewBreaker(failing, dialx.WithConsecutiveFailures(1))
	ctx := dialx.WithTrace(t.Context(), collector.Trace)
	for range 2 {
		d.DialContext(ctx, "tcp", "db:5432")
	}
	require.NoError(t, testutil.CollectAndCompare(collector, strings.NewReader(`
# HELP dialx_events_total Steps of dials other than their start and end, by decorator (op) and kind.
# TYPE dialx_events_total counter
dialx_events_total{kind="refused",op="breaker"} 1
dialx_events_total{kind="state",op="breaker"} 1
`), "dialx_events_total"))
}

func TestCollectorReportsATrackersOpenConnections(t *testing.T) {
	tracker := dialx.NewTracker(&net.Dialer{})
	collector := dialxprom.NewCollector(dialxprom.WithTracker(tracker))
	registry := registered(t, collector)
	a, b := dialtest.StartEcho(t).Addr(), dialtest.StartEcho(t).Addr()
	var conns []net.Conn
	for _, address := range []string{a, a, b} {
		conn, err := tracker.DialContext(t.Context(), "tcp", address)
		require.NoError(t, err)
		conns = append(conns, conn)
	}
	want := func(lines ...string) *strings.Reader {
		return strings.NewReader("# HELP dialx_open_connections Connections a dialx.Tracker keeps open, by destination.\n" +
			"# TYPE dialx_open_connections gauge\n" + strings.Join(lines, "\n") + "\n")
	}
	// The expected text is sorted by label value, as the registry sorts.
	lines := []string{`dialx_open_connections{destination="` + a + `"} 2`, `dialx_open_connections{destination="` + b + `"} 1`}
	if b < a {
		lines[0], lines[1] = `dialx_open_connections{destination="`+b+`"} 1`, `dialx_open_connections{destination="`+a+`"} 2`
	}
	require.NoError(t, testutil.GatherAndCompare(registry, want(lines...), "dialx_open_connections"))

	conns[2].Close()
	tracker.CloseTo(a)
	assert.Equal(t, 0, testutil.CollectAndCount(collector, "dialx_open_connections"), "a destination with none open has no series")
	for _, conn := range conns {
		conn.Close()
	}
}

// TestCollectorBoundsTheSeriesOfOpenConnections: however many destinations
// a Tracker has connections open to (a forward proxy's), the gauge has a
// series for each of the 20 with the most and one, destination "", for the
// rest, and the series still add up to every open connection.
func TestCollectorBoundsTheSeriesOfOpenConnections(t *testing.T) {
	tracker := dialx.NewTracker(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		conn, _ := net.Pipe()
		return conn, nil
	}))
	collector := dialxprom.NewCollector(dialxprom.WithTracker(tracker))
	registry := registered(t, collector)
	var conns []net.Conn
	for i := range 500 {
		for range 1 + i/490*2 { // ten destinations with three connections, the others with one
			conn, err := tracker.Dial("tcp", fmt.Sprintf("host%d.example:443", i))
			require.NoError(t, err)
			conns = append(conns, conn)
		}
	}
	defer func() {
		for _, conn := range conns {
			conn.Close()
		}
	}()

	assert.Equal(t, 21, testutil.CollectAndCount(collector, "dialx_open_connections"))
	families, err := registry.Gather()
	require.NoError(t, err)
	total, threes := 0.0, 0
	for _, family := range families {
		if family.GetName() != "dialx_open_connections" {
			continue
		}
		for _, m := range family.GetMetric() {
			total += m.GetGauge().GetValue()
			if m.GetGauge().GetValue() == 3 {
				threes++
			}
		}
	}
	assert.Equal(t, float64(len(conns)), total, "the series add up to every open connection")
	assert.Equal(t, 10, threes, "the busiest destinations have a series each")
}

func TestPanics(t *testing.T) {
	assert.PanicsWithValue(t, "dialxprom: WithTracker: tracker must not be nil, got nil", func() { dialxprom.WithTracker(nil) })
	assert.PanicsWithValue(t, "dialxprom: NewCollector: Option must not be nil, got nil", func() { dialxprom.NewCollector(nil) })
	assert.PanicsWithValue(t, "dialxprom: NewDialer: d must not be nil, got nil", func() { dialxprom.NewDialer(nil, dialxprom.NewCollector()) })
	assert.PanicsWithValue(t, "dialxprom: NewDialer: c must not be nil, got nil", func() { dialxprom.NewDialer(&net.Dialer{}, nil) })
}

func TestDialerUnwrapsToItsDialer(t *testing.T) {
	inner := &net.Dialer{}
	d := dialxprom.NewDialer(inner, dialxprom.NewCollector())
	assert.Equal(t, []dialx.Dialer{inner}, d.Unwrap())
	assert.True(t, d.HonoursContext())
}

func TestAScrapeOverHTTPReadsTheMetrics(t *testing.T) {
	tracker := dialx.NewTracker(&net.Dialer{})
	collector := dialxprom.NewCollector(dialxprom.WithTracker(tracker))
	server := httptest.NewServer(promhttp.HandlerFor(registered(t, collector), promhttp.HandlerOpts{}))
	defer server.Close()
	address := dialtest.StartEcho(t).Addr()
	conn, err := dialxprom.NewDialer(tracker, collector).Dial("tcp", address)
	require.NoError(t, err)
	defer conn.Close()

	resp, err := http.Get(server.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, line := range []string{
		`dialx_dials_total{op="tracker",outcome="ok"} 1`,
		`dialx_dial_duration_seconds_count{op="tracker",outcome="ok"} 1`,
		`dialx_dial_duration_seconds_bucket{op="tracker",outcome="ok",le="30"} 1`,
		`dialx_open_connections{destination="` + address + `"} 1`,
	} {
		assert.Contains(t, string(body), line+"\n")
	}
}
