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

func TestBreakerOpensAtTheFailureRatioOverItsWindow(t *testing.T) {
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

func TestBreakerCoolDownGrowsUntilAProbeSucceeds(t *testing.T) {
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

func TestBreakerRecoversAfterConcurrentDialsToAFlappingBackend(t *testing.T) {
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

// breakerModel is the Breaker's documented behaviour for dials made one
// after another, written as plainly as possible, to check the real one
// against over long random runs.
type breakerModel struct {
	threshold int
	base, max time.Duration
	state     dialx.BreakerState
	failures  int
	trips     int
	until     time.Time
}

// dial returns whether the dial reaches the backend, and updates the model
// with its outcome: "ok", "fail" or "cancel" (the caller's ctx is done).
func (m *breakerModel) dial(now time.Time, outcome string) (reached bool) {
	if outcome == "cancel" {
		return false // a done ctx is refused before the circuit is consulted
	}
	probe := false
	switch m.state {
	case dialx.BreakerOpen:
		if now.Before(m.until) {
			return false
		}
		m.state, probe = dialx.BreakerHalfOpen, true
	case dialx.BreakerHalfOpen:
		probe = true // the previous probe ended without a verdict
	}
	switch {
	case probe && outcome == "ok":
		m.state, m.failures, m.trips = dialx.BreakerClosed, 0, 0
	case probe && outcome == "fail":
		m.trips++
		m.open(now)
	case outcome == "ok":
		m.failures = 0
	case outcome == "fail":
		m.failures++
		if m.failures >= m.threshold {
			m.trips = 1
			m.open(now)
		}
	}
	return true
}

func (m *breakerModel) open(now time.Time) {
	cool := m.base
	for i := 1; i < m.trips && cool < m.max; i++ {
		cool *= 2
	}
	m.state, m.until = dialx.BreakerOpen, now.Add(min(cool, m.max))
}

func TestBreakerMatchesItsModel(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { runBreakerModel(t, seed) })
		})
	}
}

func runBreakerModel(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	var outcome string
	reached := 0
	inner := dialx.DialerFunc(func(ctx context.Context, _, _ string) (net.Conn, error) {
		reached++
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case outcome == "fail":
			return nil, errRefused
		}
		return idleConn{}, nil
	})
	model := &breakerModel{threshold: 3, base: time.Second, max: 8 * time.Second}
	b := dialx.NewBreaker(inner, dialx.WithConsecutiveFailures(model.threshold),
		dialx.WithBackoff(dialx.ExponentialBackoff{Base: model.base, Multiplier: 2, Jitter: -1, Max: model.max})) // no jitter: the model can follow
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()

	var history []string
	for step := range 3000 {
		switch n := rng.IntN(10); {
		case n < 3:
			d := time.Duration(rng.IntN(3000)) * time.Millisecond
			time.Sleep(d)
			history = append(history, "sleep "+d.String())
			continue
		case n < 6:
			outcome = "fail"
		case n < 9:
			outcome = "ok"
		default:
			outcome = "cancel"
		}
		history = append(history, outcome)
		ctx := t.Context()
		if outcome == "cancel" {
			ctx = cancelled
		}
		before := reached
		wantReached := model.dial(time.Now(), outcome)
		_, err := b.DialContext(ctx, "tcp", "a:1")

		where := fmt.Sprintf("step %d, last ops %v", step, history[max(0, len(history)-12):])
		require.Equal(t, wantReached, reached > before, "dial reached the backend; %s", where)
		switch {
		case outcome == "cancel":
			require.ErrorIs(t, err, context.Canceled, where)
			require.False(t, errors.Is(err, dialx.ErrOpen), where)
		case !wantReached:
			require.ErrorIs(t, err, dialx.ErrOpen, where)
		default:
			require.False(t, errors.Is(err, dialx.ErrOpen), where)
		}
		require.Equal(t, model.state, b.State("tcp", "a:1"), where)
	}
}
