package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

var errRefused = errors.New("connection refused")

// breakerBackend is a fake inner dialer whose health the test sets; it counts the
// dials that reached it. With hold set, dials wait until ctx is done or the
// test sends on release.
type breakerBackend struct {
	mu      sync.Mutex
	err     error
	calls   map[string]int
	hold    bool
	release chan error
}

func newBreakerBackend() *breakerBackend {
	return &breakerBackend{calls: make(map[string]int), release: make(chan error)}
}

func (b *breakerBackend) set(err error) {
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
}

func (b *breakerBackend) holdDials(hold bool) {
	b.mu.Lock()
	b.hold = hold
	b.mu.Unlock()
}

func (b *breakerBackend) reached(address string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[address]
}

func (b *breakerBackend) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	b.mu.Lock()
	b.calls[address]++
	err, hold := b.err, b.hold
	b.mu.Unlock()
	if hold {
		select {
		case err = <-b.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	return idleConn{}, nil
}

type idleConn struct{ net.Conn }

func (idleConn) Close() error { return nil }

func instantDial(context.Context, string, string) (net.Conn, error) { return idleConn{}, nil }

// stateLog records a Breaker's state stateLog as "key:from>to".
type stateLog struct {
	mu  sync.Mutex
	log []string
}

func (c *stateLog) record(key string, from, to dialx.BreakerState) {
	c.mu.Lock()
	c.log = append(c.log, fmt.Sprintf("%s:%s>%s", key, from, to))
	c.mu.Unlock()
}

// watch returns d with a Trace on every dial that records the changes of
// state of d's circuits: how a program watches them all.
func (c *stateLog) watch(d dialx.Dialer) dialx.DialerFunc {
	trace := func(_ context.Context, e dialx.Event) {
		if e.Op == "breaker" && e.Kind == "state" {
			c.record(e.Detail, e.From, e.To)
		}
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		return d.DialContext(dialx.WithTrace(ctx, trace), network, address)
	}
}

func (c *stateLog) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, " ")
}

func dialTimes(t *testing.T, d dialx.Dialer, address string, n int) (failed int) {
	t.Helper()
	for range n {
		if conn, err := d.DialContext(t.Context(), "tcp", address); err != nil {
			failed++
		} else {
			conn.Close()
		}
	}
	return failed
}

func requireOpenError(t *testing.T, err error, address string) {
	t.Helper()
	require.ErrorIs(t, err, dialx.ErrOpen)
	var de *dialx.DialError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "breaker", de.Op)
	assert.Equal(t, address, de.Addr)
	assert.Equal(t, "dialx: breaker tcp "+address+": circuit open", err.Error())
}

// seededCoolDowns replays the jitter a Breaker seeded like rand.New(rand.NewPCG(1, 2))
// draws: the cool-down of each opening in a row.
func seededCoolDowns(base, maxCool time.Duration, n int) []time.Duration {
	r := rand.New(rand.NewPCG(1, 2))
	var out []time.Duration
	d := base
	for range n {
		out = append(out, time.Duration(float64(min(d, maxCool))*(1+0.2*(2*r.Float64()-1))))
		d *= 2
	}
	return out
}

// TestBreakerCountsAHollowSuccessAsAFailure: an inner Dialer that returns
// neither a connection nor an error is broken, and its circuit opens as it
// would for failures, instead of counting each dial as a success.
func TestBreakerCountsAHollowSuccessAsAFailure(t *testing.T) {
	hollow := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	br := dialx.NewBreaker(hollow, dialx.WithConsecutiveFailures(2))
	for range 2 {
		conn, err := br.DialContext(t.Context(), "tcp", "a:1")
		require.Nil(t, conn)
		var dialErr *dialx.DialError
		require.ErrorAs(t, err, &dialErr)
		assert.Equal(t, "breaker", dialErr.Op)
		assert.Equal(t, "a:1", dialErr.Addr)
	}
	assert.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))
}

func TestBreakerWithKeySharesACircuitBetweenDestinations(t *testing.T) {
	be := newBreakerBackend()
	be.set(errRefused)
	host := func(_, address string) string {
		h, _, _ := net.SplitHostPort(address)
		return h
	}
	br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(2), dialx.WithKey(host))
	dialTimes(t, br, "a:1", 1)
	dialTimes(t, br, "a:2", 1)
	assert.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:3"), "ports of one host share a circuit")
	assert.Equal(t, dialx.BreakerClosed, br.State("tcp", "b:1"))
}

func TestBreakerClosedPathDoesNotAllocate(t *testing.T) {
	br := dialx.NewBreaker(dialx.DialerFunc(instantDial))
	assertDialDoesNotAllocate(t, context.Background(), br, "a:1")
}

func TestBreakerStateStringNamesEachState(t *testing.T) {
	assert.Equal(t, "closed", dialx.BreakerClosed.String())
	assert.Equal(t, "open", dialx.BreakerOpen.String())
	assert.Equal(t, "half-open", dialx.BreakerHalfOpen.String())
	assert.Equal(t, "BreakerState(7)", dialx.BreakerState(7).String())
}

// A probe that panics, in its inner dial or in a Trace called while it
// dials, must not leave the circuit half-open with its probe out for good:
// the next dial probes, and its success closes the circuit.
func TestBreakerProbeThatPanicsLetsTheNextDialProbe(t *testing.T) {
	tests := []struct {
		name  string
		inner func(be *breakerBackend, panicking *atomic.Bool) dialx.Dialer
		trace func(panicking *atomic.Bool) dialx.Trace
	}{
		{
			name: "inner Dialer panics",
			inner: func(be *breakerBackend, panicking *atomic.Bool) dialx.Dialer {
				return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
					if panicking.Load() {
						panic("inner dial bug")
					}
					return be.DialContext(ctx, network, address)
				})
			},
			trace: func(*atomic.Bool) dialx.Trace { return func(context.Context, dialx.Event) {} },
		},
		{
			name:  "Trace panics on dial start",
			inner: func(be *breakerBackend, _ *atomic.Bool) dialx.Dialer { return be },
			trace: func(panicking *atomic.Bool) dialx.Trace {
				return func(_ context.Context, e dialx.Event) {
					if panicking.Load() && e.Op == "dial" && e.Kind == "start" {
						panic("trace bug")
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var panicking atomic.Bool
				be := newBreakerBackend()
				br := dialx.NewBreaker(tt.inner(be, &panicking), dialx.WithConsecutiveFailures(1),
					dialx.WithBackoff(dialx.ConstantBackoff(time.Second)))
				ctx := dialx.WithTrace(t.Context(), tt.trace(&panicking))
				be.set(errRefused)
				_, err := br.DialContext(ctx, "tcp", "a:1")
				require.Error(t, err)
				require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))

				time.Sleep(time.Second) // the cool-down ends: the next dial probes
				panicking.Store(true)
				assert.Panics(t, func() { br.DialContext(ctx, "tcp", "a:1") })
				panicking.Store(false)

				be.set(nil)
				conn, err := br.DialContext(ctx, "tcp", "a:1")
				require.NoError(t, err, "the panicked probe was withdrawn, so this dial probes")
				conn.Close()
				assert.Equal(t, dialx.BreakerClosed, br.State("tcp", "a:1"))
			})
		})
	}
}
