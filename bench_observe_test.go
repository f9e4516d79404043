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

// noopTrace has every hook set, doing nothing: the cost of tracing itself.
func noopTrace() *dialx.Trace {
	return &dialx.Trace{
		DialStart:           func(dialx.DialStartInfo) {},
		DialDone:            func(dialx.DialDoneInfo) {},
		Attempt:             func(dialx.AttemptInfo) {},
		SelectiveMatch:      func(dialx.SelectiveMatchInfo) {},
		ConcurrentStart:     func(dialx.ConcurrentStartInfo) {},
		ConcurrentWon:       func(dialx.ConcurrentWonInfo) {},
		ConcurrentCancelled: func(dialx.ConcurrentCancelledInfo) {},
		BreakerRefused:      func(dialx.BreakerRefusedInfo) {},
		BreakerStateChange:  func(dialx.BreakerStateChangeInfo) {},
		LimitWaitStart:      func(dialx.LimitWaitStartInfo) {},
		LimitWaitDone:       func(dialx.LimitWaitDoneInfo) {},
		DelayWait:           func(dialx.DelayWaitInfo) {},
		TimeoutFired:        func(dialx.TimeoutFiredInfo) {},
	}
}

type benchKey string

func TestTracingDoesNotAllocate(t *testing.T) {
	d := syncStack(t, dialx.DialerFunc(dialtest.Instant()))
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{name: "no trace", ctx: context.Background()},
		{name: "no trace, deeper ctx", ctx: context.WithValue(context.WithValue(context.Background(), benchKey("a"), 1), benchKey("b"), 2)},
		{name: "trace without hooks", ctx: dialx.WithTrace(context.Background(), &dialx.Trace{})},
		{name: "trace with every hook", ctx: dialx.WithTrace(context.Background(), noopTrace())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertDialDoesNotAllocate(t, tt.ctx, d, "127.0.0.1:80")
		})
	}
}

// BenchmarkObserve measures the Breaker's closed state and tracing (never
// used in the program, used elsewhere but not on this dial, on with hooks
// that do nothing, on with a slog handler that drops everything), over an inner dial that costs nothing and over a real
// loopback dial with net.Dialer, so BENCHMARKS.md can give ratios from one
// run.
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
	on := dialx.WithTrace(off, noopTrace())
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slogOff := dialx.WithTrace(off, dialx.NewSlogTrace(quiet, slog.LevelDebug))
	failing := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, errRefused })
	open := dialx.NewBreaker(failing, dialx.WithBackoff(dialx.ConstantBackoff(time.Hour)))
	for range 5 { // the default run of failures that opens a circuit
		open.DialContext(off, "tcp", "127.0.0.1:80")
	}

	// traced says whether the program has attached a Trace somewhere
	// before: until it has, decorators do not even look for one.
	rows := []struct {
		name, addr string
		d          dialx.Dialer
		ctx        context.Context
		traced     bool
	}{
		{"bare", "127.0.0.1:80", instant, off, false},
		{"Breaker/closed", "127.0.0.1:80", dialx.NewBreaker(instant), off, false},
		{"Breaker/closed+ratio", "127.0.0.1:80", dialx.NewBreaker(instant, dialx.WithFailureRatio(0.5, 10*time.Second, 20)), off, false},
		{"Breaker/open", "127.0.0.1:80", open, off, false},
		{"Stack/trace-never", "127.0.0.1:80", syncStack(b, instant), off, false},
		{"Stack/trace-elsewhere", "127.0.0.1:80", syncStack(b, instant), off, true},
		{"Stack/trace-on", "127.0.0.1:80", syncStack(b, instant), on, true},
		{"Stack/trace-slog-filtered", "127.0.0.1:80", syncStack(b, instant), slogOff, true},
		{"LoopbackNetDialer", loopback, netDialer, off, false},
		{"Loopback/Breaker", loopback, dialx.NewBreaker(netDialer), off, false},
		{"Loopback/Stack/trace-never", loopback, syncStack(b, netDialer), off, false},
		{"Loopback/Stack/trace-on", loopback, syncStack(b, netDialer), on, true},
	}
	for _, row := range rows {
		b.Run(row.name, func(b *testing.B) {
			dialx.ResetTracing()
			if row.traced {
				dialx.WithTrace(off, &dialx.Trace{})
			}
			b.ReportAllocs()
			for b.Loop() {
				if conn, err := row.d.DialContext(row.ctx, "tcp", row.addr); err == nil && row.addr == loopback {
					conn.Close()
				}
			}
		})
	}
	dialx.ResetTracing()
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
