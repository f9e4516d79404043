package reliability_test

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
	"github.com/dialx/dialx/internal/slack"
)

// idle is how long a server may take on a quiet machine to see the
// client's close, or a goroutine to return once its work is done.
const idle = 2 * time.Second

// patience is how long to wait for what happens promptly on a quiet machine
// (a server seeing a close, goroutines returning): idle, plus the slack for
// the load the machine is under now.
func patience() time.Duration {
	return idle + slack.Now(10*time.Millisecond)
}

// stack is one row of the matrix: a decorator, or a stack of them, built
// over the inner dialer under test.
type stack struct {
	name string
	// build wraps in; timeout is what a Timeout in the stack is given.
	build func(in dialx.Dialer, timeout time.Duration) dialx.Dialer
	// bounded: the stack has a Timeout on the outside, so it bounds the dial
	// itself and the caller passes context.Background().
	bounded bool
	// retries: the stack makes a second attempt when the first fails.
	retries bool
	// rejects: the stack never dials.
	rejects bool
}

func mustSelective(rules ...dialx.Rule) *dialx.Selective {
	s, err := dialx.NewSelective(rules...)
	if err != nil {
		panic(err)
	}
	return s
}

// decorators are the rows of the matrix before Selective routing is added.
var decorators = []stack{
	{name: "none (net.Dialer + greeting)", build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return in }},
	{name: "Repeat(3)", retries: true, build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewRepeat(in, 3) }},
	{name: "Timeout", bounded: true, build: func(in dialx.Dialer, t time.Duration) dialx.Dialer { return dialx.NewTimeout(in, t) }},
	{name: "Delay(5ms)", build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewDelay(in, 5*time.Millisecond) }},
	{name: "Reject", rejects: true, build: func(dialx.Dialer, time.Duration) dialx.Dialer { return dialx.NewReject(nil) }},
	{name: "Swappable", build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewSwappable(in) }},
	{name: "Consecutive(2)", retries: true, build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewConsecutive(in, in) }},
	{name: "Random(2)", retries: true, build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewRandom(in, in) }},
	{name: "Concurrent(2)", retries: true, build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewConcurrent(in, in) }},
	{name: "Breaker", build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewBreaker(in) }},
	{name: "Limit(1)", build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer { return dialx.NewLimit(in, 1) }},
	{name: "Resolve(name → 2 addresses)", retries: true, build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer {
		return byName(dialx.NewResolve(in, dialx.WithResolver(twice127{})))
	}},
	{name: "Concurrent(2, stagger 10ms)", retries: true, build: func(in dialx.Dialer, _ time.Duration) dialx.Dialer {
		return dialx.NewConcurrent(in, in).WithOptions(dialx.WithStagger(10 * time.Millisecond))
	}},
	{name: "Timeout(Repeat(Consecutive(2)))", bounded: true, retries: true, build: func(in dialx.Dialer, t time.Duration) dialx.Dialer {
		return dialx.NewTimeout(dialx.NewRepeat(dialx.NewConsecutive(in, in), 3), t)
	}},
	{name: "Timeout(Concurrent(2))", bounded: true, retries: true, build: func(in dialx.Dialer, t time.Duration) dialx.Dialer {
		return dialx.NewTimeout(dialx.NewConcurrent(in, in), t)
	}},
}

// routed puts s behind a Selective whose first rule routes loopback to it
// and whose last rule rejects everything else.
func routed(s stack) stack {
	r := s
	r.name = "Selective → " + s.name
	r.build = func(in dialx.Dialer, t time.Duration) dialx.Dialer {
		return mustSelective(
			dialx.Rule{Pattern: "127.0.0.1", Dialer: s.build(in, t)},
			dialx.Rule{Pattern: "*", Dialer: dialx.NewReject(nil)},
		)
	}
	return r
}

// allStacks is every decorator, then every decorator behind a Selective.
func allStacks() []stack {
	all := append([]stack(nil), decorators...)
	for _, s := range decorators {
		all = append(all, routed(s))
	}
	return all
}

// twice127 resolves every name to 127.0.0.1, twice, so a Resolve makes two
// attempts.
type twice127 struct{}

func (twice127) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	return []netip.Addr{lo, lo}, ctx.Err()
}

// byName replaces the host of every address with a name before d sees it,
// so that a Resolve has a name to resolve.
func byName(d dialx.Dialer) dialx.Dialer {
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, net.JoinHostPort("fault.test", port))
	})
}

// to returns a Dialer that ignores the address it is given and dials addr,
// so the members of a Consecutive or Concurrent can reach different servers.
func to(addr string) dialx.Dialer {
	hs := faultnet.Handshake{}
	return dialx.DialerFunc(func(ctx context.Context, network, _ string) (net.Conn, error) {
		return hs.DialContext(ctx, network, addr)
	})
}

// leakCheck records goroutines and file descriptors now and returns a
// function that fails t unless both are back to that and every server has
// seen each of its accepted connections end.
func leakCheck(t *testing.T, servers ...*faultnet.Server) func() {
	t.Helper()
	goroutines := goleak.IgnoreCurrent()
	fds := faultnet.CheckFDs(t)
	return func() {
		t.Helper()
		wait := patience()
		for _, s := range servers {
			if err := s.WaitIdle(wait); err != nil {
				t.Error(err)
			}
		}
		fds()
		// goleak gives goroutines about half a second to return; on a busy
		// machine the last ones may need longer.
		deadline := time.Now().Add(wait)
		for {
			err := goleak.Find(goroutines)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Error(err)
				return
			}
		}
	}
}
