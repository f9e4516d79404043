package dialx_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// failEveryOther fails every other dial, starting with the first, so that a
// Repeat(2) over it retries once on every dial. Benchmarks only: it is not
// safe for concurrent use.
func failEveryOther() dialx.Dialer {
	connect := dialtest.Instant()
	refused := errors.New("connection refused")
	fail := false
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		fail = !fail
		if fail {
			return nil, refused
		}
		return connect(ctx, network, address)
	})
}

var clockSink time.Duration

// BenchmarkResilience measures what Limit and a retry Budget add to a dial,
// next to the bare inner dial that costs nothing and a real loopback dial,
// so BENCHMARKS.md can give ratios from one run.
func BenchmarkResilience(b *testing.B) {
	ctx := context.Background()
	inner := dialx.DialerFunc(dialtest.Instant())
	run := func(name string, d dialx.Dialer) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.DialContext(ctx, "tcp", "127.0.0.1:80")
			}
		})
	}
	byAddress := dialx.WithKey(func(_, address string) string { return address })

	run("bare", inner)
	b.Run("ClockRead", func(b *testing.B) { // what a Budget check must pay at least
		start := time.Now()
		for b.Loop() {
			clockSink = time.Since(start)
		}
	})
	run("Limit", dialx.NewLimit(inner, 8))
	run("LimitByAddress", dialx.NewLimit(inner, 8, byAddress))
	b.Run("LimitParallel", func(b *testing.B) {
		limit := dialx.NewLimit(inner, 1<<20) // never full: the cost of the shared lock
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				limit.DialContext(ctx, "tcp", "127.0.0.1:80")
			}
		})
	})
	run("Repeat", dialx.NewRepeat(inner, 3))
	run("RepeatBudget", dialx.NewRepeat(inner, 3, dialx.WithBudget(new(dialx.Budget))))
	// A budget that never runs dry, so every dial retries once.
	ample := func() *dialx.Budget { return dialx.NewBudget(1, 10, 10*time.Second) }
	run("RepeatRetry", dialx.NewRepeat(failEveryOther(), 2))
	run("RepeatRetryBudget", dialx.NewRepeat(failEveryOther(), 2, dialx.WithBudget(ample())))
	b.Run("RepeatBudgetParallel", func(b *testing.B) {
		repeat := dialx.NewRepeat(inner, 3, dialx.WithBudget(new(dialx.Budget)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				repeat.DialContext(ctx, "tcp", "127.0.0.1:80")
			}
		})
	})
	b.Run("LoopbackNetDialer", func(b *testing.B) {
		benchLoopback(b, &net.Dialer{})
	})
	b.Run("LoopbackLimit", func(b *testing.B) {
		benchLoopback(b, dialx.NewLimit(&net.Dialer{}, 8))
	})
}
