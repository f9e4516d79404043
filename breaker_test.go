package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"math"
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

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	tests := []struct {
		name      string
		opts      []dialx.Option
		threshold int
	}{
		{name: "default five", threshold: 5},
		{name: "three", opts: []dialx.Option{dialx.WithConsecutiveFailures(3)}, threshold: 3},
		{name: "one", opts: []dialx.Option{dialx.WithConsecutiveFailures(1)}, threshold: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := newBreakerBackend()
			br := dialx.NewBreaker(be, tt.opts...)
			be.set(errRefused)
			// A success in the middle of a run starts the count again.
			dialTimes(t, br, "a:1", tt.threshold-1)
			be.set(nil)
			dialTimes(t, br, "a:1", 1)
			be.set(errRefused)
			dialTimes(t, br, "a:1", tt.threshold-1)
			require.Equal(t, dialx.BreakerClosed, br.State("tcp", "a:1"))
			dialTimes(t, br, "a:1", 1)
			require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))

			reached := be.reached("a:1")
			_, err := br.DialContext(t.Context(), "tcp", "a:1")
			requireOpenError(t, err, "a:1")
			assert.Equal(t, reached, be.reached("a:1"), "an open circuit must not dial")
			assert.Equal(t, dialx.BreakerClosed, br.State("tcp", "b:1"), "other destinations are not affected")
			assert.Equal(t, 0, dialTimes(t, dialx.NewBreaker(dialx.DialerFunc(instantDial)), "b:1", 1))
		})
	}
}

func instantDial(context.Context, string, string) (net.Conn, error) { return idleConn{}, nil }

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

func TestBreakerCoolDownGrowsAndProbeDecides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const base, maxCool = time.Second, 5 * time.Second
		var ch stateLog
		be := newBreakerBackend()
		br := dialx.NewBreaker(be,
			dialx.WithConsecutiveFailures(2),
			dialx.WithBackoff(dialx.ExponentialBackoff{Base: base, Multiplier: 2, Max: maxCool}.
				WithRand(rand.New(rand.NewPCG(1, 2)).Float64)))
		d := ch.watch(br)
		be.set(errRefused)
		dialTimes(t, d, "a:1", 2)
		want := seededCoolDowns(base, maxCool, 5)
		for i, cool := range want {
			lo, hi := min(base<<i, maxCool)*8/10, min(base<<i, maxCool)*12/10
			require.True(t, cool >= lo && cool <= hi, "cool-down %d = %v outside [%v, %v]", i, cool, lo, hi)

			time.Sleep(cool - time.Nanosecond)
			_, err := d.Dial("tcp", "a:1")
			requireOpenError(t, err, "a:1")
			time.Sleep(time.Nanosecond)
			reached := be.reached("a:1")
			_, err = d.Dial("tcp", "a:1") // the probe fails: open again, longer
			require.ErrorIs(t, err, errRefused)
			require.Equal(t, reached+1, be.reached("a:1"))
			require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))
		}
		time.Sleep(maxCool * 2)
		be.set(nil)
		require.Equal(t, 0, dialTimes(t, d, "a:1", 3), "a successful probe closes the circuit")
		assert.Equal(t, "a:1:closed>open"+strings.Repeat(" a:1:open>half-open a:1:half-open>open", 5)+
			" a:1:open>half-open a:1:half-open>closed", ch.String())

		// Closed again, the count and the cool-down start afresh.
		be.set(errRefused)
		dialTimes(t, br, "a:1", 2)
		time.Sleep(base * 12 / 10)
		_, err := br.Dial("tcp", "a:1")
		require.ErrorIs(t, err, errRefused, "after a close the first cool-down is the base one again")
	})
}

func TestBreakerHalfOpenLetsExactlyOneProbeThrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		be := newBreakerBackend()
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithBackoff(dialx.ConstantBackoff(time.Second)))
		be.set(errRefused)
		dialTimes(t, br, "a:1", 1)
		time.Sleep(2 * time.Second)
		be.set(nil)
		be.holdDials(true)

		const callers = 20
		errs := make(chan error, callers)
		for range callers {
			go func() {
				conn, err := br.Dial("tcp", "a:1")
				if err == nil {
					conn.Close()
				}
				errs <- err
			}()
		}
		synctest.Wait()
		require.Equal(t, 2, be.reached("a:1"), "one failure, then one probe")
		require.Equal(t, dialx.BreakerHalfOpen, br.State("tcp", "a:1"))
		for range callers - 1 {
			requireOpenError(t, <-errs, "a:1")
		}
		be.release <- nil
		require.NoError(t, <-errs)
		require.Equal(t, dialx.BreakerClosed, br.State("tcp", "a:1"))
	})
}

func TestBreakerIgnoresTheCallersOwnCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ch stateLog
		be := newBreakerBackend()
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(2), dialx.WithBackoff(dialx.ConstantBackoff(time.Second)))
		d := ch.watch(br)
		be.holdDials(true)
		for _, deadline := range []bool{false, true, false, true} {
			ctx, cancel := context.WithCancel(t.Context())
			if deadline {
				ctx, cancel = context.WithTimeout(t.Context(), time.Second)
			}
			go func() {
				time.Sleep(500 * time.Millisecond)
				cancel()
			}()
			_, err := d.DialContext(ctx, "tcp", "a:1")
			require.Error(t, err)
			cancel()
		}
		require.Equal(t, dialx.BreakerClosed, br.State("tcp", "a:1"), "callers giving up is no backend failure")

		// Open it for real, then cancel the probe: no verdict, the next dial probes.
		be.holdDials(false)
		be.set(errRefused)
		dialTimes(t, d, "a:1", 2)
		time.Sleep(2 * time.Second)
		be.holdDials(true)
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			synctest.Wait()
			cancel()
		}()
		_, err := d.DialContext(ctx, "tcp", "a:1")
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, dialx.BreakerHalfOpen, br.State("tcp", "a:1"))
		be.holdDials(false)
		be.set(nil)
		require.Equal(t, 0, dialTimes(t, d, "a:1", 1), "the next dial is the probe")
		assert.Equal(t, "a:1:closed>open a:1:open>half-open a:1:half-open>closed", ch.String())
	})
}

func TestBreakerFailureRatio(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		be := newBreakerBackend()
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(0),
			dialx.WithFailureRatio(0.5, 10*time.Second, 10))
		dial := func(fail bool) {
			be.set(nil)
			if fail {
				be.set(errRefused)
			}
			dialTimes(t, br, "a:1", 1)
		}
		// Old failures slide out of the window.
		for range 9 {
			dial(true)
		}
		time.Sleep(11 * time.Second)
		for range 5 {
			dial(false)
			dial(true)
			time.Sleep(100 * time.Millisecond)
		}
		require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"), "5 of 10 failed")

		br2 := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(0),
			dialx.WithFailureRatio(0.5, 10*time.Second, 10))
		for range 4 {
			be.set(nil)
			dialTimes(t, br2, "a:1", 3)
			be.set(errRefused)
			dialTimes(t, br2, "a:1", 2)
		}
		require.Equal(t, dialx.BreakerClosed, br2.State("tcp", "a:1"), "8 of 20 failed")
		be.set(errRefused)
		dialTimes(t, br2, "a:1", 1)
		require.Equal(t, dialx.BreakerClosed, br2.State("tcp", "a:1"), "9 of 21 failed")
		dialTimes(t, br2, "a:1", 3)
		require.Equal(t, dialx.BreakerOpen, br2.State("tcp", "a:1"), "12 of 24 failed")
	})
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

func TestBreakerKeepsOpenCircuitsInCoolDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		be := newBreakerBackend()
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1),
			dialx.WithBackoff(dialx.ConstantBackoff(time.Hour)), dialx.WithForget(time.Minute, 8))
		be.set(errRefused)
		dialTimes(t, br, "broken:1", 1)
		be.set(nil)
		for i := range 100 {
			time.Sleep(time.Second)
			dialTimes(t, br, fmt.Sprintf("host%d:1", i), 1)
			require.LessOrEqual(t, br.Tracked(), 8)
		}
		assert.Equal(t, dialx.BreakerOpen, br.State("tcp", "broken:1"))
	})
}

func TestBreakerManyDestinationsStayBounded(t *testing.T) {
	br := dialx.NewBreaker(dialx.DialerFunc(instantDial), dialx.WithForget(10*time.Minute, 100))
	for i := range 10000 {
		dialTimes(t, br, fmt.Sprintf("host%d:1", i), 1)
	}
	assert.LessOrEqual(t, br.Tracked(), 100)
	assert.Greater(t, br.Tracked(), 80)
}

func TestBreakerWorksUnderConcurrentDials(t *testing.T) {
	// Many goroutines against a flapping backend: -race checks the state
	// machine, and the circuit must still work afterwards.
	be := newBreakerBackend()
	br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(3),
		dialx.WithBackoff(dialx.ExponentialBackoff{Base: time.Microsecond, Multiplier: 2, Max: 10 * time.Microsecond}),
		dialx.WithFailureRatio(0.5, time.Millisecond, 4), dialx.WithForget(10*time.Minute, 4))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				if g == 0 && i%50 == 0 {
					be.set(map[bool]error{true: errRefused}[i%100 == 0])
				}
				if conn, err := br.Dial("tcp", fmt.Sprintf("h%d:1", i%6)); err == nil {
					conn.Close()
				}
				if i%10 == 0 {
					assert.LessOrEqual(t, br.Tracked(), 4, "the cap holds under concurrent inserts")
				}
			}
		})
	}
	wg.Wait()
	be.set(nil)
	time.Sleep(time.Millisecond)
	require.Equal(t, 0, dialTimes(t, br, "h1:1", 2))
	require.Equal(t, dialx.BreakerClosed, br.State("tcp", "h1:1"))
}

func TestBreakerClosedPathDoesNotAllocate(t *testing.T) {
	br := dialx.NewBreaker(dialx.DialerFunc(instantDial))
	assertDialDoesNotAllocate(t, context.Background(), br, "a:1")
}

func TestNewBreakerAndItsOptionsPanicOnBadValues(t *testing.T) {
	tests := []struct {
		name string
		make func()
		want string
	}{
		{"nil dialer", func() { dialx.NewBreaker(nil) }, "dialx: NewBreaker: nil Dialer"},
		{"no rule", func() { dialx.NewBreaker(dialx.DialerFunc(instantDial), dialx.WithConsecutiveFailures(0)) },
			"dialx: NewBreaker: no rule opens a circuit, got WithConsecutiveFailures(0) and no WithFailureRatio"},
		{"negative run", func() { dialx.WithConsecutiveFailures(-1) }, "dialx: WithConsecutiveFailures: n must be >= 0, got -1"},
		{"ratio zero", func() { dialx.WithFailureRatio(0, time.Second, 1) }, "dialx: WithFailureRatio: ratio must be in (0, 1], got 0"},
		{"ratio above one", func() { dialx.WithFailureRatio(1.5, time.Second, 1) }, "dialx: WithFailureRatio: ratio must be in (0, 1], got 1.5"},
		{"window", func() { dialx.WithFailureRatio(0.5, 0, 1) }, "dialx: WithFailureRatio: window must be > 0, got 0s"},
		{"min dials", func() { dialx.WithFailureRatio(0.5, time.Second, 0) }, "dialx: WithFailureRatio: minDials must be >= 1, got 0"},
		{"key", func() { dialx.WithKey(nil) }, "dialx: WithKey: key must not be nil, got nil"},
		{"forget idle", func() { dialx.WithForget(0, 1) }, "dialx: WithForget: idle must be > 0, got 0s"},
		{"forget max", func() { dialx.WithForget(time.Minute, 0) }, "dialx: WithForget: max must be >= 1, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}

func TestBreakerStateString(t *testing.T) {
	assert.Equal(t, "closed", dialx.BreakerClosed.String())
	assert.Equal(t, "open", dialx.BreakerOpen.String())
	assert.Equal(t, "half-open", dialx.BreakerHalfOpen.String())
	assert.Equal(t, "BreakerState(7)", dialx.BreakerState(7).String())
}

func TestBreakerDoesNotCountLosersOfARace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The slow route always loses to the fast one and is cancelled: that
		// is the race's doing, not the slow backend's failure.
		slow := dialx.NewBreaker(slowDial(time.Second, nil), dialx.WithConsecutiveFailures(1))
		race := dialx.NewConcurrent(slow, slowDial(10*time.Millisecond, nil))
		for range 10 {
			conn, err := race.Dial("tcp", "a:1")
			require.NoError(t, err)
			conn.Close()
		}
		synctest.Wait()
		assert.Equal(t, dialx.BreakerClosed, slow.State("tcp", "a:1"))
	})
}

func TestBreakerHugeCoolDownKeepsTheCircuitOpen(t *testing.T) {
	// A cool-down at the int64 limit must not wrap the instant it ends
	// into the past, which would let the next dial through as a probe.
	for _, u := range []float64{0, 0.5, 0.999} {
		be := newBreakerBackend()
		be.set(errRefused)
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1),
			dialx.WithBackoff(dialx.ExponentialBackoff{Base: math.MaxInt64, Multiplier: 2, Max: math.MaxInt64}.
				WithRand(func() float64 { return u })))
		dialTimes(t, br, "a:1", 1)
		_, err := br.Dial("tcp", "a:1")
		requireOpenError(t, err, "a:1")
		assert.Equal(t, 1, be.reached("a:1"), "jitter %v: the open circuit must not dial", u)
	}
}

func TestBreakerSurvivesAPanickingHook(t *testing.T) {
	// A trace hook that panics is a bug of its own, but when the panic is
	// recovered up the stack (net/http recovers a handler's), the circuit
	// must not be left locked or stuck half-open: later dials still work.
	var panics atomic.Int32
	be := newBreakerBackend()
	be.set(errRefused)
	br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithBackoff(dialx.ConstantBackoff(time.Nanosecond)))
	ctx := dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
		if e.Kind != "state" {
			return
		}
		panics.Add(1)
		panic("hook bug")
	})
	dial := func() (err error) {
		done := make(chan error, 1)
		go func() {
			defer func() {
				if recover() != nil {
					done <- errors.New("panicked")
				}
			}()
			_, err := br.DialContext(ctx, "tcp", "a:1")
			done <- err
		}()
		select {
		case err = <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("the dial hangs: a panicking hook left the circuit locked")
			return nil
		}
	}
	// closed>open panics, then open>half-open panics before the probe
	// dials; the next dial must still be able to probe.
	for range 4 {
		_ = dial()
		time.Sleep(time.Microsecond) // past the 1 ns cool-down
	}
	be.set(nil)
	for range 3 {
		_ = dial()
		time.Sleep(time.Microsecond)
	}
	assert.Equal(t, dialx.BreakerClosed, br.State("tcp", "a:1"))
	assert.GreaterOrEqual(t, int(panics.Load()), 3)
}

func TestBreakerForgottenProbeDoesNotMisreport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// With room for one circuit, a:1's circuit is dropped while its
		// probe is out and a new one opens for a:1. When the old probe then
		// succeeds, the reports must not say a:1 closed: it is open.
		release := make(chan struct{})
		var fail atomic.Bool
		inner := dialx.DialerFunc(func(ctx context.Context, _, address string) (net.Conn, error) {
			if fail.Load() {
				return nil, errRefused
			}
			if address == "a:1" {
				<-release
			}
			return idleConn{}, nil
		})
		var ch stateLog
		br := dialx.NewBreaker(inner, dialx.WithConsecutiveFailures(1), dialx.WithForget(10*time.Minute, 1),
			dialx.WithBackoff(dialx.ConstantBackoff(time.Second)))
		d := ch.watch(br)
		fail.Store(true)
		dialTimes(t, d, "a:1", 1)
		time.Sleep(2 * time.Second)
		fail.Store(false)
		probed := make(chan error)
		go func() {
			conn, err := d.Dial("tcp", "a:1") // the probe, held
			if err == nil {
				conn.Close()
			}
			probed <- err
		}()
		synctest.Wait()
		require.Equal(t, dialx.BreakerHalfOpen, br.State("tcp", "a:1"))
		dialTimes(t, d, "b:1", 1) // no room: a:1's circuit goes
		fail.Store(true)
		dialTimes(t, d, "a:1", 1) // a new circuit for a:1 opens
		require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))
		close(release)
		require.NoError(t, <-probed)
		assert.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))
		assert.Equal(t, "a:1:closed>open a:1:open>half-open a:1:closed>open", ch.String())
	})
}

func TestBreakerHooksMayDialThroughTheBreaker(t *testing.T) {
	// A trace hook that dials through the same Breaker (a logger shipping
	// records over the same transport, say) must not deadlock, even when
	// its dial changes the state of the same circuit.
	var reentered atomic.Int32
	be := newBreakerBackend()
	br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithBackoff(dialx.ConstantBackoff(time.Nanosecond)))
	var ctx context.Context
	ctx = dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
		if e.Kind != "state" {
			return
		}
		if reentered.Add(1) > 4 {
			return
		}
		// The circuit just changed; this dial fails and, with a run of
		// one, changes it again (or probes it).
		be.set(errRefused)
		if conn, err := br.DialContext(ctx, "tcp", "a:1"); err == nil {
			conn.Close()
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			be.set(nil)
			if conn, err := br.DialContext(ctx, "tcp", "a:1"); err == nil {
				conn.Close()
			}
			be.set(errRefused)
			br.DialContext(ctx, "tcp", "a:1")
			time.Sleep(time.Microsecond) // past the 1 ns cool-down
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a hook dialing through its own Breaker deadlocked")
	}
	assert.Greater(t, int(reentered.Load()), 4)
}

func TestBreakerDoesNotCountRefusals(t *testing.T) {
	// An error made without touching the network says nothing about the
	// destination: a policy that rejects it must keep saying so, not turn
	// into ErrOpen after a run of refusals, and a refused probe is no verdict.
	noRule, err := dialx.NewSelective(dialx.Rule{Pattern: "elsewhere.example", Dialer: dialx.DialerFunc(instantDial)})
	require.NoError(t, err)
	openInner := dialx.NewBreaker(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errRefused
	}), dialx.WithConsecutiveFailures(1), dialx.WithBackoff(dialx.ConstantBackoff(time.Hour)))
	tests := []struct {
		name    string
		refuser dialx.Dialer
		want    error
	}{
		{name: "Reject", refuser: dialx.NewReject(errors.New("blocked")), want: dialx.ErrRejected},
		{name: "Selective without a rule", refuser: noRule, want: dialx.ErrNoMatch},
		{name: "an inner Breaker", refuser: openInner, want: dialx.ErrOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			openInner.Dial("tcp", "a.example:1") // opens the inner circuit
			var refuse, fail atomic.Bool
			inner := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
				switch {
				case refuse.Load():
					return tt.refuser.DialContext(ctx, network, address)
				case fail.Load():
					return nil, errRefused
				}
				return idleConn{}, nil
			})
			br := dialx.NewBreaker(inner, dialx.WithConsecutiveFailures(2), dialx.WithBackoff(dialx.ConstantBackoff(time.Nanosecond)))
			refuse.Store(true)
			for range 5 {
				_, err := br.Dial("tcp", "a.example:1")
				require.ErrorIs(t, err, tt.want)
				require.NotErrorIs(t, err, errRefused)
			}
			require.Equal(t, dialx.BreakerClosed, br.State("tcp", "a.example:1"))

			// Open it for real; a refused probe leaves it half-open for the
			// next dial to probe.
			refuse.Store(false)
			fail.Store(true)
			dialTimes(t, br, "a.example:1", 2)
			require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a.example:1"))
			time.Sleep(time.Microsecond) // past the 1 ns cool-down
			refuse.Store(true)
			_, err := br.Dial("tcp", "a.example:1")
			require.ErrorIs(t, err, tt.want)
			require.Equal(t, dialx.BreakerHalfOpen, br.State("tcp", "a.example:1"))
			refuse.Store(false)
			fail.Store(false)
			require.Equal(t, 0, dialTimes(t, br, "a.example:1", 1), "the next dial probes")
			require.Equal(t, dialx.BreakerClosed, br.State("tcp", "a.example:1"))
		})
	}
}

func TestBreakerCapHoldsWhileAHookRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The trace hook for a:1 is still running (its dial's goroutine is
		// held in it) when new destinations come: the cap must hold anyway.
		unblock := make(chan struct{})
		be := newBreakerBackend()
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithForget(10*time.Minute, 1))
		ctx := dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
			if e.Kind == "state" && e.Detail == "a:1" {
				<-unblock
			}
		})
		be.set(errRefused)
		go br.DialContext(ctx, "tcp", "a:1")
		synctest.Wait() // a:1 opened; its hook waits
		be.set(nil)
		for i := range 5 {
			dialTimes(t, br, fmt.Sprintf("b%d:1", i), 1)
			require.LessOrEqual(t, br.Tracked(), 1)
		}
		close(unblock)
		synctest.Wait()
		require.LessOrEqual(t, br.Tracked(), 1)
	})
}

func TestBreakerDefaultCoolDownDoublesFromFiveSecondsToTwoMinutes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		be := newBreakerBackend()
		be.set(errRefused)
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1))
		dialTimes(t, br, "a:1", 1)
		// Each cool-down is its nominal value ±20 %: refused just before
		// the low end, probed at the high end.
		for _, nominal := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second,
			40 * time.Second, 80 * time.Second, 2 * time.Minute, 2 * time.Minute} {
			time.Sleep(nominal*8/10 - time.Nanosecond)
			_, err := br.Dial("tcp", "a:1")
			requireOpenError(t, err, "a:1")
			time.Sleep(nominal*4/10 + time.Nanosecond)
			reached := be.reached("a:1")
			_, err = br.Dial("tcp", "a:1") // the probe fails: open again
			require.ErrorIs(t, err, errRefused, "after %v", nominal)
			require.Equal(t, reached+1, be.reached("a:1"))
		}
	})
}

func TestBreakerAsksItsBackoffForTheCoolDownOfEachOpeningInARow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		backoff := &recordingBackoff{wait: time.Second}
		be := newBreakerBackend()
		br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithBackoff(backoff))
		be.set(errRefused)
		dialTimes(t, br, "a:1", 1) // opens: the first cool-down
		for range 2 {
			time.Sleep(time.Second)
			dialTimes(t, br, "a:1", 1) // a failed probe: the next one
		}
		time.Sleep(time.Second)
		be.set(nil)
		require.Equal(t, 0, dialTimes(t, br, "a:1", 1), "the probe closes the circuit")
		be.set(errRefused)
		dialTimes(t, br, "a:1", 1) // opens again: the count starts afresh
		assert.Equal(t, []int{1, 2, 3, 1}, backoff.retries)
	})
}
