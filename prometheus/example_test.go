package prometheus_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/dialx/dialx"
	dialxprom "github.com/dialx/dialx/prometheus"
)

func ExampleNewCollector() {
	upstream := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		conn, _ := net.Pipe()
		return conn, nil
	})
	tracker := dialx.NewTracker(dialx.NewRepeat(upstream, 3))
	collector := dialxprom.NewCollector(dialxprom.WithTracker(tracker))
	registry := prom.NewRegistry() // in a program: prom.DefaultRegisterer, served by promhttp
	registry.MustRegister(collector)
	d := dialxprom.NewDialer(tracker, collector)

	conn, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	printSeries(registry)
	// Output:
	// dialx_dial_duration_seconds op=dial outcome=ok
	// dialx_dial_duration_seconds op=tracker outcome=ok
	// dialx_dials_total op=dial outcome=ok
	// dialx_dials_total op=tracker outcome=ok
	// dialx_events_total kind=attempt op=repeat
	// dialx_open_connections destination=db.internal:5432
}

func ExampleNewDialer() {
	// An upstream that refuses its first connection, behind a Repeat that
	// tries again.
	dials := 0
	upstream := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		if dials++; dials == 1 {
			return nil, errors.New("connection refused")
		}
		conn, _ := net.Pipe()
		return conn, nil
	})
	collector := dialxprom.NewCollector()
	registry := prom.NewRegistry()
	registry.MustRegister(collector)

	// The whole dial counts under the Dialer it wraps ("repeat"), each
	// innermost dial under "dial", each retry as an event.
	d := dialxprom.NewDialer(dialx.NewRepeat(upstream, 3), collector)
	conn, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	printSeries(registry)
	// Output:
	// dialx_dial_duration_seconds op=dial outcome=error
	// dialx_dial_duration_seconds op=dial outcome=ok
	// dialx_dial_duration_seconds op=repeat outcome=ok
	// dialx_dials_total op=dial outcome=error
	// dialx_dials_total op=dial outcome=ok
	// dialx_dials_total op=repeat outcome=ok
	// dialx_events_total kind=attempt op=repeat
}

func ExampleCollector_Trace() {
	collector := dialxprom.NewCollector()
	registry := prom.NewRegistry()
	registry.MustRegister(collector)
	refused := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewBreaker(refused, dialx.WithConsecutiveFailures(1))

	// Without a dialxprom.Dialer: the innermost dials and the steps only.
	ctx := dialx.WithTrace(context.Background(), collector.Trace)
	for range 2 {
		d.DialContext(ctx, "tcp", "db.internal:5432")
	}
	printSeries(registry)
	// Output:
	// dialx_dial_duration_seconds op=dial outcome=error
	// dialx_dials_total op=dial outcome=error
	// dialx_events_total kind=refused op=breaker
	// dialx_events_total kind=state op=breaker
}

// printSeries prints the name and labels of each series a scrape of
// registry would read.
func printSeries(registry *prom.Registry) {
	families, _ := registry.Gather()
	for _, family := range families {
		for _, m := range family.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			fmt.Println(family.GetName(), strings.Join(labels, " "))
		}
	}
}
