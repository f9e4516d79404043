package otel_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/dialx/dialx"
	dialxotel "github.com/dialx/dialx/otel"
)

func ExampleNewDialer() {
	// In a program: the providers set up for the exporters you run, or
	// none, and the global ones are used.
	reader := sdkmetric.NewManualReader()
	meters := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	spans := tracetest.NewInMemoryExporter()
	tracers := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer meters.Shutdown(context.Background())
	defer tracers.Shutdown(context.Background())

	upstream := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		conn, _ := net.Pipe()
		return conn, nil
	})
	d := dialxotel.NewDialer(dialx.NewRepeat(upstream, 3),
		dialxotel.WithMeterProvider(meters), dialxotel.WithTracerProvider(tracers))
	conn, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	if err != nil {
		fmt.Println(err)
		return
	}
	conn.Close()

	for _, span := range spans.GetSpans() {
		fmt.Print(span.Name, ":")
		for _, e := range span.Events {
			fmt.Print(" ", e.Name)
		}
		fmt.Println()
	}
	var collected metricdata.ResourceMetrics
	reader.Collect(context.Background(), &collected)
	for _, m := range collected.ScopeMetrics[0].Metrics {
		fmt.Println(m.Name, m.Unit)
	}
	// Output:
	// dialx.dial: repeat attempt dial start dial done
	// dialx.dials {dial}
	// dialx.dial.duration s
	// dialx.events {event}
}

func ExampleNewTrace() {
	spans := tracetest.NewInMemoryExporter()
	tracers := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tracers.Shutdown(context.Background())

	refused := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewBreaker(refused, dialx.WithConsecutiveFailures(1))

	// The span of the request the dials serve gets their events.
	ctx, span := tracers.Tracer("app").Start(context.Background(), "GET /orders")
	ctx = dialx.WithTrace(ctx, dialxotel.NewTrace())
	for range 2 {
		d.DialContext(ctx, "tcp", "db.internal:5432")
	}
	span.End()

	for _, e := range spans.GetSpans()[0].Events {
		fmt.Println(e.Name)
	}
	// Output:
	// dial start
	// dial done
	// breaker state
	// breaker refused
}
