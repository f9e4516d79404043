package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/dialx/dialx"
)

func ExampleWithTrace() {
	down := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewBreaker(down, dialx.WithConsecutiveFailures(1))

	ctx := dialx.WithTrace(context.Background(), &dialx.Trace{
		DialDone: func(i dialx.DialDoneInfo) {
			fmt.Printf("dialed %s: %v\n", i.Address, i.Err)
		},
		BreakerStateChange: func(i dialx.BreakerStateChangeInfo) {
			fmt.Printf("circuit %s: %s -> %s\n", i.Key, i.From, i.To)
		},
		BreakerRefused: func(i dialx.BreakerRefusedInfo) {
			fmt.Printf("refused %s: circuit %s\n", i.Address, i.State)
		},
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
			if a.Key == slog.TimeKey || a.Key == "duration" {
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
