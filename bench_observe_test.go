package dialx_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// syncStack is a stack of the decorators that dial on the caller's
// goroutine, over inner, with every one of them on the dial's path.
func syncStack(tb testing.TB, inner dialx.Dialer) dialx.Dialer {
	tb.Helper()
	sel, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: dialx.NewBreaker(dialx.NewLimit(dialx.NewDelay(inner, 0), 8))})
	require.NoError(tb, err)
	return dialx.NewSwappable(dialx.NewRepeat(sel, 3))
}

// noopTrace does nothing with the events it gets: the cost of tracing
// itself.
func noopTrace(context.Context, dialx.Event) {}

type benchKey string

// deepCtx is a ctx such as a server hands a request: cancellable, carrying
// a few values, so that a ctx.Value lookup walks a few layers.
func deepCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	for i := range 4 {
		ctx = context.WithValue(ctx, benchKey(rune('a'+i)), i)
	}
	return ctx
}

func TestTracingDoesNotAllocate(t *testing.T) {
	d := syncStack(t, dialx.DialerFunc(dialtest.Instant()))
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{name: "no trace", ctx: context.Background()},
		{name: "no trace, deeper ctx", ctx: deepCtx(t)},
		{name: "trace doing nothing", ctx: dialx.WithTrace(context.Background(), noopTrace)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertDialDoesNotAllocate(t, tt.ctx, d, "127.0.0.1:80")
		})
	}
}

// BenchmarkObserve measures the Breaker's closed state and tracing (off,
// off under a deeper ctx, on with a Trace that does nothing, on with a slog
// handler that drops everything), over an inner dial that costs nothing and
// over a real loopback dial with net.Dialer, so BENCHMARKS.md can give
// ratios from one run.
func BenchmarkObserve(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	done := make(chan struct{})
	defer func() {
		ln.Close()
		<-done
	}()
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	loopback := ln.Addr().String()
	instant := dialx.DialerFunc(dialtest.Instant())
	netDialer := &net.Dialer{}

	off := context.Background()
	deep := deepCtx(b)
	on := dialx.WithTrace(off, noopTrace)
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slogOff := dialx.WithTrace(off, dialx.NewSlogTrace(quiet, slog.LevelDebug))
	failing := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, errRefused })
	open := dialx.NewBreaker(failing, dialx.WithBackoff(dialx.ConstantBackoff(time.Hour)))
	for range 5 { // the default run of failures that opens a circuit
		open.DialContext(off, "tcp", "127.0.0.1:80")
	}

	rows := []struct {
		name, addr string
		d          dialx.Dialer
		ctx        context.Context
	}{
		{"bare", "127.0.0.1:80", instant, off},
		{"Breaker/closed", "127.0.0.1:80", dialx.NewBreaker(instant), off},
		{"Breaker/closed+ratio", "127.0.0.1:80", dialx.NewBreaker(instant, dialx.WithFailureRatio(0.5, 10*time.Second, 20)), off},
		{"Breaker/open", "127.0.0.1:80", open, off},
		{"Stack/untraced", "127.0.0.1:80", syncStack(b, instant), off},
		{"Stack/untraced-deep-ctx", "127.0.0.1:80", syncStack(b, instant), deep},
		{"Stack/trace-on", "127.0.0.1:80", syncStack(b, instant), on},
		{"Stack/trace-slog-filtered", "127.0.0.1:80", syncStack(b, instant), slogOff},
		{"LoopbackNetDialer", loopback, netDialer, off},
		{"Loopback/Breaker", loopback, dialx.NewBreaker(netDialer), off},
		{"Loopback/Stack/untraced", loopback, syncStack(b, netDialer), off},
		{"Loopback/Stack/trace-on", loopback, syncStack(b, netDialer), on},
	}
	for _, row := range rows {
		b.Run(row.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if conn, err := row.d.DialContext(row.ctx, "tcp", row.addr); err == nil && row.addr == loopback {
					conn.Close()
				}
			}
		})
	}
	b.Run("Breaker/closed-parallel", func(b *testing.B) {
		d := dialx.NewBreaker(instant)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d.DialContext(off, "tcp", "127.0.0.1:80")
			}
		})
	})
}
