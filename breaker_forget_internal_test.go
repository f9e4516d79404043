package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testForget is the idle time of WithForget in the tests below.
const testForget = time.Minute

var errDown = errors.New("connection refused")

// memConn is the connection of a dial that succeeds in memory.
type memConn struct{ net.Conn }

func (memConn) Close() error { return nil }

// switchDialer fails while fail is set, and connects in memory otherwise.
func switchDialer(fail *atomic.Bool) Dialer {
	return DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		if fail.Load() {
			return nil, errDown
		}
		return memConn{}, nil
	})
}

// tracks reports whether b holds a circuit for address.
func (b *Breaker) tracks(address string) bool {
	_, ok := b.circuits.Load(address)
	return ok
}

// lastSweepAt is the Breaker.now instant of b's latest sweep.
func (b *Breaker) lastSweepAt() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastSweep
}

// forgetDial is a dial of addr at an instant of the fake clock, counted
// from when the Breaker was made.
type forgetDial struct {
	at   time.Duration
	addr string
	fail bool
}

func TestBreakerForgetsQuietCircuits(t *testing.T) {
	const d = testForget
	tests := []struct {
		name  string
		opts  []Option     // besides WithForget(d, …) and WithConsecutiveFailures(1)
		dials []forgetDial // in order
		// sweepAt is when a new destination is then dialed; the test
		// checks that this dial sweeps, so that a kept circuit is not
		// kept for want of a sweep.
		sweepAt time.Duration
		kept    bool // "a:1" is still tracked afterwards
	}{
		{
			name:    "opened, then quiet for 3×d past its cool-down (the reported case)",
			opts:    []Option{WithBackoff(ConstantBackoff(time.Second))},
			dials:   []forgetDial{{0, "a:1", true}},
			sweepAt: 3 * d,
		},
		{
			name:    "closed, quiet for exactly 2×d",
			dials:   []forgetDial{{0, "a:1", false}},
			sweepAt: 2 * d,
		},
		{
			name: "closed, quiet for 2×d, with sweeps along the way",
			dials: []forgetDial{
				{0, "a:1", false}, {d / 2, "b:1", false}, {d, "c:1", false}, {3 * d / 2, "e:1", false},
			},
			sweepAt: 2 * d,
		},
		{
			name:    "dialed every second for an hour, then quiet for 2×d",
			dials:   every(time.Second, time.Hour, "a:1"),
			sweepAt: time.Hour - time.Second + 2*d,
		},
		{
			name:    "opened again by a failed probe, quiet for 2×d after that cool-down",
			opts:    []Option{WithBackoff(ExponentialBackoff{Base: 5 * time.Minute, Multiplier: 2, Jitter: -1, Max: time.Hour})},
			dials:   []forgetDial{{0, "a:1", true}, {5 * time.Minute, "a:1", true}}, // the probe: open for 10 min more
			sweepAt: 15*time.Minute + 2*d,
		},
		{
			name:    "quiet for just under d",
			dials:   []forgetDial{{0, "a:1", false}},
			sweepAt: d - time.Nanosecond,
			kept:    true,
		},
		{
			// The second dial comes within the grain of the first and is
			// not stored: the circuit must still be kept for d after it.
			name:    "quiet for just under d after a dial that was not stored",
			dials:   []forgetDial{{0, "a:1", false}, {d / 8, "a:1", false}},
			sweepAt: d/8 + d - time.Nanosecond,
			kept:    true,
		},
		{
			name:    "open inside its cool-down",
			opts:    []Option{WithBackoff(ConstantBackoff(time.Hour))},
			dials:   []forgetDial{{0, "a:1", true}},
			sweepAt: 3 * d,
			kept:    true,
		},
		{
			name:    "opened again by a failed probe, still inside the longer cool-down",
			opts:    []Option{WithBackoff(ExponentialBackoff{Base: 5 * time.Minute, Multiplier: 2, Jitter: -1, Max: time.Hour})},
			dials:   []forgetDial{{0, "a:1", true}, {5 * time.Minute, "a:1", true}},
			sweepAt: 15*time.Minute - time.Nanosecond,
			kept:    true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var fail atomic.Bool
				opts := append([]Option{WithForget(d, defaultMaxDestinations), WithConsecutiveFailures(1)}, tt.opts...)
				b := NewBreaker(switchDialer(&fail), opts...)
				start := time.Now()
				at := func(instant time.Duration) { time.Sleep(instant - time.Since(start)) }
				var state BreakerState
				for _, dl := range tt.dials {
					at(dl.at)
					fail.Store(dl.fail)
					if conn, err := b.Dial("tcp", dl.addr); err == nil {
						conn.Close()
					}
					if dl.addr == "a:1" {
						state = b.State("tcp", "a:1")
					}
				}
				at(tt.sweepAt)
				fail.Store(false)
				_, err := b.Dial("tcp", "new:1")
				require.NoError(t, err)
				require.Equal(t, tt.sweepAt, b.lastSweepAt(), "the dial of a new destination swept")

				assert.Equal(t, tt.kept, b.tracks("a:1"), "a:1 tracked")
				if tt.kept {
					assert.Equal(t, state, b.State("tcp", "a:1"), "a kept circuit keeps its state")
				} else {
					assert.Equal(t, BreakerClosed, b.State("tcp", "a:1"), "a forgotten circuit reads closed")
				}
			})
		})
	}
}

// every returns dials of addr every interval from 0 to before end.
func every(interval, end time.Duration, addr string) []forgetDial {
	var dials []forgetDial
	for at := time.Duration(0); at < end; at += interval {
		dials = append(dials, forgetDial{at: at, addr: addr})
	}
	return dials
}

func TestBreakerKeepsBusyCircuits(t *testing.T) {
	t.Run("dialed every second", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// For two hours a new destination comes every second, so
			// sweeps run as often as they may.
			var fail atomic.Bool
			b := NewBreaker(switchDialer(&fail), WithForget(testForget, defaultMaxDestinations))
			for second := range 2 * 3600 {
				if second > 0 {
					time.Sleep(time.Second)
				}
				b.Dial("tcp", fmt.Sprintf("new%d:1", second))
				require.True(t, b.tracks("busy:1") || second == 0, "busy:1 forgotten after %ds", second)
				b.Dial("tcp", "busy:1")

				// The instant the circuit holds is never after its latest
				// dial and at most a grain before it.
				now := b.now()
				c, _ := b.circuits.Load("busy:1")
				last := time.Duration(c.(*circuit).lastUsed.Load())
				require.True(t, last <= now && now-last <= b.grain, "busy:1 holds %v at %v", last, now)
			}
			// Every circuit quiet for 2×d is gone: at most the new
			// destinations of the last two minutes are left, and busy:1.
			assert.LessOrEqual(t, b.Tracked(), 1+int(2*testForget/time.Second))
		})
	})
	t.Run("dialed every d−1ns, each time just after a sweep", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var fail atomic.Bool
			b := NewBreaker(switchDialer(&fail), WithForget(testForget, defaultMaxDestinations))
			b.Dial("tcp", "edge:1")
			for i := range 60 {
				time.Sleep(testForget - time.Nanosecond)
				b.Dial("tcp", fmt.Sprintf("new%d:1", i))
				require.Equal(t, b.now(), b.lastSweepAt(), "the dial of a new destination swept")
				require.True(t, b.tracks("edge:1"), "edge:1 forgotten at dial %d", i+1)
				b.Dial("tcp", "edge:1")
			}
		})
	})
}

func TestBreakerKeepsHalfOpenCircuits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var fail atomic.Bool
		release := make(chan struct{})
		inner := DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			if address == "a:1" && !fail.Load() {
				<-release // the probe, held
			}
			return switchDialer(&fail).DialContext(ctx, network, address)
		})
		b := NewBreaker(inner, WithForget(testForget, defaultMaxDestinations), WithConsecutiveFailures(1),
			WithBackoff(ConstantBackoff(time.Second)))
		fail.Store(true)
		b.Dial("tcp", "a:1")
		require.Equal(t, BreakerOpen, b.State("tcp", "a:1"))
		time.Sleep(2 * time.Second)
		fail.Store(false)
		probed := make(chan error)
		go func() {
			conn, err := b.Dial("tcp", "a:1")
			if err == nil {
				conn.Close()
			}
			probed <- err
		}()
		synctest.Wait()
		require.Equal(t, BreakerHalfOpen, b.State("tcp", "a:1"))

		time.Sleep(3 * testForget)
		_, err := b.Dial("tcp", "new:1")
		require.NoError(t, err)
		require.Equal(t, b.now(), b.lastSweepAt(), "the dial of a new destination swept")
		assert.Equal(t, BreakerHalfOpen, b.State("tcp", "a:1"), "kept while its probe is out")

		close(release)
		require.NoError(t, <-probed)
		assert.Equal(t, BreakerClosed, b.State("tcp", "a:1"))
		assert.True(t, b.tracks("a:1"))
	})
}

func TestBreakerShedsQuietCircuitsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// At the cap, between two sweeps, the circuit that has gone quiet
		// since the last sweep is the one dropped.
		var fail atomic.Bool
		b := NewBreaker(switchDialer(&fail), WithForget(testForget, 8))
		b.Dial("tcp", "quiet:1")
		time.Sleep(testForget)
		b.Dial("tcp", "sweep:1") // sweeps; quiet:1 has been quiet for just d
		require.Equal(t, testForget, b.lastSweepAt())
		require.True(t, b.tracks("quiet:1"))
		time.Sleep(testForget / 4) // quiet:1 is now quiet; no sweep is due
		for i := range 7 {
			b.Dial("tcp", fmt.Sprintf("fresh%d:1", i))
		}
		require.Equal(t, testForget, b.lastSweepAt(), "no sweep since")
		assert.False(t, b.tracks("quiet:1"), "the quiet circuit was shed")
		assert.True(t, b.tracks("sweep:1"))
		for i := range 7 {
			assert.True(t, b.tracks(fmt.Sprintf("fresh%d:1", i)))
		}
		assert.Equal(t, 8, b.Tracked())
	})
}

func TestForgetTimesSaturateInsteadOfOverflowing(t *testing.T) {
	grain, quietAfter, sweepGap := forgetTimes(time.Duration(1<<63 - 1))
	assert.Positive(t, grain)
	assert.Equal(t, time.Duration(1<<63-1), quietAfter, "no overflow into a negative bound")
	assert.Positive(t, sweepGap)
}
