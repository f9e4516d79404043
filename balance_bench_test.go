package dialx_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// BenchmarkBalancer measures what choosing by health costs next to Random,
// over members that cost nothing, in one family so that BENCHMARKS.md gives
// ratios from one run: serially, and from every core at once, where the
// members' shared counters are written by all; and, for scale, the two
// clock reads a Balancer makes per dial and a loopback dial with net.Dialer.
func BenchmarkBalancer(b *testing.B) {
	ctx := context.Background()
	inner := dialx.DialerFunc(dialtest.Instant())
	five := []dialx.Dialer{inner, inner, inner, inner, inner}
	breakers := make([]dialx.Dialer, 5)
	for i := range breakers {
		breakers[i] = dialx.NewBreaker(inner)
	}
	byAddress := dialx.WithKey(func(_, address string) string { return address })
	for _, d := range []struct {
		name   string
		dialer dialx.Dialer
	}{
		{"Random5", dialx.NewRandom(five...)},
		{"Balancer5", dialx.NewBalancer(five...)},
		{"Balancer5Affinity", dialx.NewBalancer(five...).WithOptions(byAddress)},
		{"Balancer5OfBreakers", dialx.NewBalancer(breakers...)},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.dialer.DialContext(ctx, "tcp", "127.0.0.1:80")
			}
		})
		b.Run(d.name+"Parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					d.dialer.DialContext(ctx, "tcp", "127.0.0.1:80")
				}
			})
		})
	}
	b.Run("TwoClockReads", func(b *testing.B) {
		// What a Balancer cannot do without, to time each dial: how much
		// of its cost is the machine's clock.
		start := time.Now()
		var latest time.Duration
		for b.Loop() {
			latest = max(latest, time.Since(start))
			latest = max(latest, time.Since(start))
		}
		clockSink = latest
	})
	b.Run("LoopbackNetDialer", func(b *testing.B) {
		benchLoopback(b, &net.Dialer{})
	})
}
