package dialx_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dialx/dialx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedRand returns a source of jitter that always yields r.
func fixedRand(r float64) func() float64 { return func() float64 { return r } }

func TestExponentialBackoffFollowsItsFormula(t *testing.T) {
	const middle = 0.5 // 1 + jitter*(2*0.5-1) = 1: no spread
	tests := []struct {
		name    string
		backoff dialx.ExponentialBackoff
		u       float64 // what the source of jitter yields
		retry   int
		want    time.Duration
	}{
		{name: "default first retry", backoff: dialx.ExponentialBackoff{}, u: middle, retry: 1, want: time.Second},
		{name: "default second retry", backoff: dialx.ExponentialBackoff{}, u: middle, retry: 2, want: 1600 * time.Millisecond},
		{name: "default third retry", backoff: dialx.ExponentialBackoff{}, u: middle, retry: 3, want: 2560 * time.Millisecond},
		{name: "default cap", backoff: dialx.ExponentialBackoff{}, u: middle, retry: 12, want: 120 * time.Second},
		{name: "huge retry stays at cap", backoff: dialx.ExponentialBackoff{}, u: middle, retry: math.MaxInt, want: 120 * time.Second},
		{name: "retry zero is the first", backoff: dialx.ExponentialBackoff{}, u: middle, retry: 0, want: time.Second},
		{name: "default jitter low end", backoff: dialx.ExponentialBackoff{}, u: 0, retry: 1, want: 800 * time.Millisecond},
		{name: "default jitter high end", backoff: dialx.ExponentialBackoff{}, u: 0.75, retry: 1, want: 1100 * time.Millisecond},
		{name: "jitter applies after the cap", backoff: dialx.ExponentialBackoff{}, u: 0.75, retry: 20, want: 132 * time.Second},
		{name: "base set", backoff: dialx.ExponentialBackoff{Base: 100 * time.Millisecond}, u: middle, retry: 2, want: 160 * time.Millisecond},
		{name: "multiplier set", backoff: dialx.ExponentialBackoff{Multiplier: 2}, u: middle, retry: 4, want: 8 * time.Second},
		{name: "out of range, called directly: multiplier below one is one", backoff: dialx.ExponentialBackoff{Multiplier: 0.5}, u: middle, retry: 4, want: time.Second},
		{name: "jitter set", backoff: dialx.ExponentialBackoff{Jitter: 0.5}, u: 0, retry: 1, want: 500 * time.Millisecond},
		{name: "out of range, called directly: jitter above one is one", backoff: dialx.ExponentialBackoff{Jitter: 3}, u: 0, retry: 1, want: 0},
		{name: "negative jitter is none", backoff: dialx.ExponentialBackoff{Jitter: -1}, u: 0, retry: 1, want: time.Second},
		{name: "max set", backoff: dialx.ExponentialBackoff{Max: 3 * time.Second}, u: middle, retry: 5, want: 3 * time.Second},
		{name: "out of range, called directly: NaN multiplier is the default", backoff: dialx.ExponentialBackoff{Multiplier: math.NaN()}, u: middle, retry: 2, want: 1600 * time.Millisecond},
		{name: "out of range, called directly: NaN jitter is the default", backoff: dialx.ExponentialBackoff{Jitter: math.NaN()}, u: 0, retry: 1, want: 800 * time.Millisecond},
		{name: "huge max does not overflow", backoff: dialx.ExponentialBackoff{Max: math.MaxInt64, Multiplier: 10, Jitter: -1}, u: 0.5, retry: 1000, want: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.backoff.WithRand(fixedRand(tt.u)).Backoff(tt.retry))
		})
	}
}

func TestExponentialBackoffNoJitterNeverCallsRand(t *testing.T) {
	b := dialx.ExponentialBackoff{Jitter: -1}.WithRand(func() float64 { panic("rand called") })
	assert.Equal(t, 1600*time.Millisecond, b.Backoff(2))
}

func TestExponentialBackoffDefaultRandStaysWithinJitter(t *testing.T) {
	var b dialx.ExponentialBackoff
	seen := map[time.Duration]bool{}
	for range 100 {
		wait := b.Backoff(1)
		require.GreaterOrEqual(t, wait, 800*time.Millisecond)
		require.Less(t, wait, 1200*time.Millisecond)
		seen[wait] = true
	}
	assert.Greater(t, len(seen), 1, "the default source should spread the waits")
}

func TestExponentialBackoffSeededIsReproducible(t *testing.T) {
	waits := func() []time.Duration {
		b := dialx.ExponentialBackoff{}.WithRand(rand.New(rand.NewPCG(1, 2)).Float64)
		var out []time.Duration
		for retry := 1; retry <= 5; retry++ {
			out = append(out, b.Backoff(retry))
		}
		return out
	}
	assert.Equal(t, waits(), waits())
}

func TestConstantBackoffWaitsTheSameBeforeEveryRetry(t *testing.T) {
	tests := []struct {
		name    string
		backoff dialx.ConstantBackoff
		want    time.Duration
	}{
		{name: "positive", backoff: dialx.ConstantBackoff(250 * time.Millisecond), want: 250 * time.Millisecond},
		{name: "zero", backoff: 0, want: 0},
		{name: "negative is zero", backoff: dialx.ConstantBackoff(-time.Second), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for retry := 1; retry <= 3; retry++ {
				assert.Equal(t, tt.want, tt.backoff.Backoff(retry))
			}
		})
	}
}

func TestWithBackoffPanicsOnValuesOutOfRange(t *testing.T) {
	tests := []struct {
		name    string
		backoff dialx.Backoff
		want    string
	}{
		{name: "nil", backoff: nil, want: "dialx: WithBackoff: backoff must not be nil, got nil"},
		{name: "nil pointer", backoff: (*dialx.ExponentialBackoff)(nil),
			want: "dialx: WithBackoff: backoff must not be nil, got (*ExponentialBackoff)(nil)"},
		{name: "negative base", backoff: dialx.ExponentialBackoff{Base: -time.Second},
			want: "dialx: WithBackoff: ExponentialBackoff.Base must be >= 0, got -1s"},
		{name: "negative max", backoff: dialx.ExponentialBackoff{Max: -time.Second},
			want: "dialx: WithBackoff: ExponentialBackoff.Max must be >= 0, got -1s"},
		{name: "multiplier below one", backoff: dialx.ExponentialBackoff{Multiplier: 0.5},
			want: "dialx: WithBackoff: ExponentialBackoff.Multiplier must be 0 or >= 1, got 0.5"},
		{name: "negative multiplier", backoff: dialx.ExponentialBackoff{Multiplier: -2},
			want: "dialx: WithBackoff: ExponentialBackoff.Multiplier must be 0 or >= 1, got -2"},
		{name: "NaN multiplier", backoff: dialx.ExponentialBackoff{Multiplier: math.NaN()},
			want: "dialx: WithBackoff: ExponentialBackoff.Multiplier must be 0 or >= 1, got NaN"},
		{name: "jitter above one", backoff: dialx.ExponentialBackoff{Jitter: 1.5},
			want: "dialx: WithBackoff: ExponentialBackoff.Jitter must be <= 1, got 1.5"},
		{name: "NaN jitter", backoff: &dialx.ExponentialBackoff{Jitter: math.NaN()},
			want: "dialx: WithBackoff: ExponentialBackoff.Jitter must be <= 1, got NaN"},
		{name: "max below base", backoff: dialx.ExponentialBackoff{Base: 2 * time.Second, Max: time.Second},
			want: "dialx: WithBackoff: ExponentialBackoff.Max must be >= Base (2s), got 1s"},
		{name: "negative constant", backoff: dialx.ConstantBackoff(-time.Second),
			want: "dialx: WithBackoff: ConstantBackoff must be >= 0, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, func() { dialx.WithBackoff(tt.backoff) })
		})
	}
}

func TestWithBackoffTakesValuesInRange(t *testing.T) {
	for _, backoff := range []dialx.Backoff{
		dialx.ExponentialBackoff{},
		dialx.ExponentialBackoff{Base: time.Second, Multiplier: 1, Jitter: -1, Max: time.Second},
		dialx.ExponentialBackoff{Multiplier: math.Inf(1), Jitter: 1},
		dialx.ExponentialBackoff{Max: time.Millisecond}, // below the default base: only both set must agree
		&dialx.ExponentialBackoff{},
		dialx.ConstantBackoff(0),
	} {
		assert.NotPanics(t, func() { dialx.WithBackoff(backoff) }, "%#v", backoff)
	}
}
