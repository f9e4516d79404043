package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"

	"github.com/dialx/dialx"
)

func ExampleWithTrace() {
	down := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewBreaker(down, dialx.WithConsecutiveFailures(1))

	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		switch e.Op + " " + e.Kind {
		case "dial done":
			fmt.Printf("dialed %s: %v\n", e.Address, e.Err)
		case "breaker state":
			fmt.Printf("circuit %s: %s -> %s\n", e.Detail, e.From, e.To)
		case "breaker refused":
			fmt.Printf("refused %s: circuit %s\n", e.Address, e.To)
		}
	})
	for range 2 {
		d.DialContext(ctx, "tcp", "db.internal:5432")
	}
	// Output:
	// dialed db.internal:5432: connection refused
	// circuit db.internal:5432: closed -> open
	// refused db.internal:5432: circuit open
}

func ExampleNewSlogTrace() {
	// A handler without timestamps, so that the output is the same on every run.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "elapsed" {
				return slog.Attr{}
			}
			return a
		},
	}))
	ctx := dialx.WithTrace(context.Background(), dialx.NewSlogTrace(logger, slog.LevelDebug))

	d := dialx.NewBreaker(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		c1, c2 := net.Pipe()
		c2.Close()
		return c1, nil
	}))
	conn, err := d.DialContext(ctx, "tcp", "example.com:443")
	if err != nil {
		fmt.Println(err)
		return
	}
	conn.Close()
	// Output:
	// level=DEBUG msg="dialx: dial start" network=tcp address=example.com:443
	// level=DEBUG msg="dialx: dial done" network=tcp address=example.com:443
}

// countDials is a decorator of your own: it counts the dials it passes on,
// reports each to the dial's Trace, and has Unwrap, so that it takes part
// in tracing and refusal checks as the package's decorators do.
type countDials struct {
	inner []dialx.Dialer
	dials atomic.Int64
}

func (c *countDials) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	n := c.dials.Add(1)
	if trace := dialx.ContextTrace(ctx); trace != nil {
		trace(ctx, dialx.Event{Op: "count", Kind: "dial", Network: network, Address: address, N: int(n)})
	}
	return c.inner[0].DialContext(ctx, network, address)
}

func (c *countDials) Unwrap() []dialx.Dialer { return c.inner }

func ExampleContextTrace() {
	down := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewRepeat(&countDials{inner: []dialx.Dialer{down}}, 2)

	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		fmt.Println(e.Op, e.Kind, e.N)
	})
	d.DialContext(ctx, "tcp", "db.internal:5432")
	// Output:
	// repeat attempt 1
	// count dial 1
	// repeat attempt 2
	// count dial 2
}
