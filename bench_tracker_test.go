package dialx_test

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// BenchmarkTracker measures what a Tracker adds to a dial and the Close of
// its connection (the two ends of its bookkeeping), next to the same cycle
// on the bare inner Dialer, in one run: over an inner dial that costs
// nothing, from one goroutine and from all (to sixteen destinations, so that
// the shards share the load), and over real loopback dials.
func BenchmarkTracker(b *testing.B) {
	ctx := context.Background()
	inner := dialx.DialerFunc(dialtest.Instant())
	for _, d := range []struct {
		name   string
		dialer dialx.Dialer
	}{
		{"bare", inner},
		{"Tracker", dialx.NewTracker(inner)},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				conn, _ := d.dialer.DialContext(ctx, "tcp", "127.0.0.1:80")
				conn.Close()
			}
		})
		b.Run(d.name+"Parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					conn, _ := d.dialer.DialContext(ctx, "tcp", "10.0.0."+strconv.Itoa(i%16)+":80")
					conn.Close()
				}
			})
		})
	}
	b.Run("LoopbackNetDialer", func(b *testing.B) {
		benchLoopback(b, &net.Dialer{})
	})
	b.Run("LoopbackTracker", func(b *testing.B) {
		benchLoopback(b, dialx.NewTracker(&net.Dialer{}))
	})
}
