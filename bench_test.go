package dialx_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// decorators returns each decorator wrapped around inner, as benchmarked and
// as checked for allocations.
func decorators(inner dialx.Dialer) []struct {
	name   string
	dialer dialx.Dialer
} {
	return []struct {
		name   string
		dialer dialx.Dialer
	}{
		{"Repeat", dialx.NewRepeat(inner, 3)},
		{"Delay0", dialx.NewDelay(inner, 0)},
		{"Swappable", dialx.NewSwappable(inner)},
		{"Consecutive", dialx.NewConsecutive(inner, inner)},
		{"Random", dialx.NewRandom(inner, inner, inner)},
		{"Timeout", dialx.NewTimeout(inner, time.Minute)},
		{"Concurrent", dialx.NewConcurrent(inner, inner)},
		{"Selective10", tenRules(inner)},
	}
}

// tenRules is a Selective of ten rules, of the kinds a small routing table
// mixes, where the dials benchmarked take the last one.
func tenRules(inner dialx.Dialer) *dialx.Selective {
	reject := dialx.NewReject(nil)
	var rules []dialx.Rule
	for _, pattern := range []string{
		"ads.example", "*.tracker.example", ".internal", "10.0.0.0/8", "fd00::/8",
		"example.com:443", "cdn-*.example.net", "192.168.0.0/16:1-1024", "[::1]:8080",
	} {
		rules = append(rules, dialx.Rule{Pattern: pattern, Dialer: reject})
	}
	s, err := dialx.NewSelective(append(rules, dialx.Rule{Pattern: "*", Dialer: inner})...)
	if err != nil {
		panic(err)
	}
	return s
}

// synchronous names the decorators that must add no heap allocation when the
// first inner dial succeeds.
var synchronous = map[string]bool{
	"Repeat": true, "Delay0": true, "Swappable": true, "Consecutive": true, "Random": true, "Selective10": true,
}

func TestSynchronousDecoratorsDoNotAllocate(t *testing.T) {
	inner := dialx.DialerFunc(dialtest.Instant())
	ctx := context.Background()
	for _, d := range decorators(inner) {
		if !synchronous[d.name] {
			continue
		}
		t.Run(d.name, func(t *testing.T) {
			assertDialDoesNotAllocate(t, ctx, d.dialer, "127.0.0.1:80")
		})
	}
}

// BenchmarkOverhead measures what each decorator adds to an inner dial that
// costs nothing, next to the bare inner dial and to a real loopback dial with
// net.Dialer, so BENCHMARKS.md can give ratios from one run.
func BenchmarkOverhead(b *testing.B) {
	ctx := context.Background()
	inner := dialx.DialerFunc(dialtest.Instant())
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			inner.DialContext(ctx, "tcp", "127.0.0.1:80")
		}
	})
	for _, d := range decorators(inner) {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.dialer.DialContext(ctx, "tcp", "127.0.0.1:80")
			}
		})
	}
	b.Run("Reject", func(b *testing.B) {
		reject := dialx.NewReject(nil)
		b.ReportAllocs()
		for b.Loop() {
			reject.DialContext(ctx, "tcp", "127.0.0.1:80")
		}
	})
	b.Run("LoopbackNetDialer", func(b *testing.B) {
		benchLoopback(b, &net.Dialer{})
	})
	b.Run("LoopbackTimeoutRepeat", func(b *testing.B) {
		benchLoopback(b, dialx.NewTimeout(dialx.NewRepeat(&net.Dialer{}, 3), time.Minute))
	})
}

func benchLoopback(b *testing.B, d dialx.Dialer) {
	srv := dialtest.StartEcho(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		conn, err := d.DialContext(ctx, "tcp", srv.Addr())
		if err != nil {
			b.Fatal(err)
		}
		tcp := conn
		if wrapped, ok := conn.(interface{ NetConn() net.Conn }); ok {
			tcp = wrapped.NetConn() // a Tracker's connection
		}
		// Linger 0 resets instead of leaving TIME_WAIT behind, so a long
		// run does not use up the loopback ports.
		tcp.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}
