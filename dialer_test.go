package dialx_test

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestConstructorsPanicOnANilDialerOrABadValue(t *testing.T) {
	ok := dialx.DialerFunc(dialtest.Instant())
	tests := []struct {
		name string
		make func()
		want string
	}{
		{"NewRepeat nil", func() { dialx.NewRepeat(nil, 1) }, "dialx: NewRepeat: d must not be nil, got nil"},
		{"NewRepeat zero tries", func() { dialx.NewRepeat(ok, 0) }, "dialx: NewRepeat: tries must be >= 1, got 0"},
		{"NewRepeat negative tries", func() { dialx.NewRepeat(ok, -3) }, "dialx: NewRepeat: tries must be >= 1, got -3"},
		{"NewTimeout nil", func() { dialx.NewTimeout(nil, time.Second) }, "dialx: NewTimeout: d must not be nil, got nil"},
		{"NewTimeout zero", func() { dialx.NewTimeout(ok, 0) }, "dialx: NewTimeout: timeout must be > 0, got 0s"},
		{"NewTimeout negative", func() { dialx.NewTimeout(ok, -time.Second) }, "dialx: NewTimeout: timeout must be > 0, got -1s"},
		{"NewDelay nil", func() { dialx.NewDelay(nil, 0) }, "dialx: NewDelay: d must not be nil, got nil"},
		{"NewDelay negative", func() { dialx.NewDelay(ok, -time.Millisecond) }, "dialx: NewDelay: delay must be >= 0, got -1ms"},
		{"NewRejectFunc nil", func() { dialx.NewRejectFunc(nil) }, "dialx: NewRejectFunc: reason must not be nil, got nil"},
		{"NewSwappable nil", func() { dialx.NewSwappable(nil) }, "dialx: NewSwappable: d must not be nil, got nil"},
		{"Swap nil", func() { dialx.NewSwappable(ok).Swap(nil) }, "dialx: Swappable.Swap: d must not be nil, got nil"},
		{"NewSwappable nil DialerFunc", func() { dialx.NewSwappable(dialx.DialerFunc(nil)) }, "dialx: NewSwappable: d must not be nil, got nil"},
		{"NewTimeout typed nil", func() { dialx.NewTimeout((*net.Dialer)(nil), time.Second) }, "dialx: NewTimeout: d must not be nil, got nil"},
		{"NewRandom typed nil member", func() { dialx.NewRandom(ok, (*net.Dialer)(nil)) }, "dialx: NewRandom: ds[1] must not be nil, got nil"},
		{"NewConsecutive empty", func() { dialx.NewConsecutive() }, "dialx: NewConsecutive: ds must hold at least one Dialer, got none"},
		{"NewConsecutive nil member", func() { dialx.NewConsecutive(ok, nil) }, "dialx: NewConsecutive: ds[1] must not be nil, got nil"},
		{"NewRandom empty", func() { dialx.NewRandom() }, "dialx: NewRandom: ds must hold at least one Dialer, got none"},
		{"NewRandom nil member", func() { dialx.NewRandom(nil) }, "dialx: NewRandom: ds[0] must not be nil, got nil"},
		{"NewConcurrent empty", func() { dialx.NewConcurrent() }, "dialx: NewConcurrent: ds must hold at least one Dialer, got none"},
		{"NewConcurrent nil member", func() { dialx.NewConcurrent(ok, ok, nil) }, "dialx: NewConcurrent: ds[2] must not be nil, got nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}

// Every decorator is a Dialer and has Dial, so it stands where a net.Dialer
// or an x/net proxy.Dialer is expected.
type contextDialer interface {
	dialx.Dialer
	Dial(network, address string) (net.Conn, error)
}

func TestDialOfEveryDecoratorConnectsWithABackgroundContext(t *testing.T) {
	srv := dialtest.StartEcho(t)
	base := &net.Dialer{}
	decorators := map[string]contextDialer{
		"DialerFunc":  dialx.DialerFunc(base.DialContext),
		"Repeat":      dialx.NewRepeat(base, 2),
		"Timeout":     dialx.NewTimeout(base, 5*time.Second),
		"Delay":       dialx.NewDelay(base, time.Millisecond),
		"Swappable":   dialx.NewSwappable(base),
		"Consecutive": dialx.NewConsecutive(base),
		"Random":      dialx.NewRandom(base, base),
		"Concurrent":  dialx.NewConcurrent(base, base),
	}
	for name, d := range decorators {
		t.Run(name, func(t *testing.T) {
			conn, err := d.Dial("tcp", srv.Addr())
			require.NoError(t, err)
			echoByte(t, conn)
			require.NoError(t, conn.Close())
		})
	}
}

func TestRejectDialFailsWithErrRejected(t *testing.T) {
	conn, err := dialx.NewReject(nil).Dial("tcp", "127.0.0.1:1")
	assert.Nil(t, conn)
	assert.ErrorIs(t, err, dialx.ErrRejected)
}

func echoByte(t *testing.T, conn net.Conn) {
	t.Helper()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err := conn.Write([]byte{42})
	require.NoError(t, err)
	buf := make([]byte, 1)
	_, err = conn.Read(buf)
	require.NoError(t, err)
	require.Equal(t, byte(42), buf[0])
}

// An inner Dialer that returns a connection together with an error breaks
// the Dialer contract; no decorator passes that on, and the connection is
// closed rather than leaked.
func TestNoDecoratorReturnsAConnWithAnErrorButClosesIt(t *testing.T) {
	halfFailed := errors.New("half failed")
	stacks := map[string]func(dialx.Dialer) dialx.Dialer{
		"Repeat":      func(d dialx.Dialer) dialx.Dialer { return dialx.NewRepeat(d, 2) },
		"Timeout":     func(d dialx.Dialer) dialx.Dialer { return dialx.NewTimeout(d, time.Minute) },
		"Delay":       func(d dialx.Dialer) dialx.Dialer { return dialx.NewDelay(d, 0) },
		"Swappable":   func(d dialx.Dialer) dialx.Dialer { return dialx.NewSwappable(d) },
		"Consecutive": func(d dialx.Dialer) dialx.Dialer { return dialx.NewConsecutive(d, d) },
		"Random":      func(d dialx.Dialer) dialx.Dialer { return dialx.NewRandom(d, d) },
		"Concurrent":  func(d dialx.Dialer) dialx.Dialer { return dialx.NewConcurrent(d, d) },
		"Limit":       func(d dialx.Dialer) dialx.Dialer { return dialx.NewLimit(d, 1) },
		"Breaker":     func(d dialx.Dialer) dialx.Dialer { return dialx.NewBreaker(d) },
		"Resolve name": func(d dialx.Dialer) dialx.Dialer {
			return dialx.NewResolve(d, dialx.WithResolver(resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")}, nil
			})))
		},
		"Resolve IP literal": func(d dialx.Dialer) dialx.Dialer { return dialx.NewResolve(d) },
		"Selective": func(d dialx.Dialer) dialx.Dialer {
			s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: d})
			if err != nil {
				panic(err)
			}
			return s
		},
		"FromProxy": func(d dialx.Dialer) dialx.Dialer { return dialx.FromProxy(dialProxy{d}) },
		"Guard":     func(d dialx.Dialer) dialx.Dialer { return mustGuard(dialx.NewGuard(d)) },
	}
	// Resolve dials a name through its resolver and an IP literal directly;
	// a Guard dials only a public address (the inner Dialer is a fake).
	address := map[string]string{"Resolve name": "service.test:80", "Guard": "8.8.8.8:80"}
	for name, wrap := range stacks {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var strays []*dialtest.Conn
			inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
				c := dialtest.NewConn("stray")
				mu.Lock()
				strays = append(strays, c)
				mu.Unlock()
				return c, halfFailed
			})
			conn, err := wrap(inner).DialContext(context.Background(), "tcp", cmp.Or(address[name], "127.0.0.1:80"))
			assert.Nil(t, conn)
			assert.ErrorIs(t, err, halfFailed)
			mu.Lock()
			defer mu.Unlock()
			require.NotEmpty(t, strays)
			for _, c := range strays {
				assert.True(t, c.Closed(), "stray connection closed")
			}
		})
	}
}

// A dial whose ctx is already done must fail with ctx's error through every
// decorator, even when the inner Dialer ignores ctx and would connect.
func TestEveryDecoratorRefusesADoneContext(t *testing.T) {
	inner := &dialtest.Dialer{Label: "ignores ctx", IgnoreCtx: true}
	anyHost, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: inner})
	require.NoError(t, err)
	lookup := resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})
	decorators := []struct {
		name string
		d    dialx.Dialer
	}{
		{"Repeat", dialx.NewRepeat(inner, 3)},
		{"Timeout", dialx.NewTimeout(inner, time.Hour)},
		{"Delay", dialx.NewDelay(inner, 0)},
		{"Reject", dialx.NewReject(nil)},
		{"Swappable", dialx.NewSwappable(inner)},
		{"Consecutive", dialx.NewConsecutive(inner)},
		{"Random", dialx.NewRandom(inner)},
		{"Concurrent", dialx.NewConcurrent(inner)},
		{"Selective", anyHost},
		{"Breaker", dialx.NewBreaker(inner)},
		{"Limit", dialx.NewLimit(inner, 1)},
		{"Resolve", dialx.NewResolve(inner, dialx.WithResolver(lookup))},
		{"Guard", mustGuard(dialx.NewGuard(inner, dialx.WithResolver(lookup)))},
		{"FromProxy", dialx.FromProxy(dialProxy{inner})},
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range decorators {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tt.d.DialContext(ctx, "tcp", "service.internal:80")
			assert.Nil(t, conn)
			assert.ErrorIs(t, err, context.Canceled)
			var dialErr *dialx.DialError
			assert.ErrorAs(t, err, &dialErr)
		})
	}
	assert.Zero(t, inner.Calls(), "no decorator may dial once ctx is done")
}

// dialProxy hides DialContext, so FromProxy has to wrap a Dial-only dialer.
type dialProxy struct{ d dialx.Dialer }

func (p dialProxy) Dial(network, address string) (net.Conn, error) {
	return p.d.DialContext(context.Background(), network, address)
}

func mustGuard(g *dialx.Guard, err error) *dialx.Guard {
	if err != nil {
		panic(err)
	}
	return g
}
