package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

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
