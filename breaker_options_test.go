package dialx_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestNewBreakerAndItsOptionsPanicOnBadValues(t *testing.T) {
	tests := []struct {
		name string
		make func()
		want string
	}{
		{"nil dialer", func() { dialx.NewBreaker(nil) }, "dialx: NewBreaker: d must not be nil, got nil"},
		{"no rule", func() { dialx.NewBreaker(dialx.DialerFunc(instantDial), dialx.WithConsecutiveFailures(0)) },
			"dialx: NewBreaker: some option must open a circuit, got WithConsecutiveFailures(0) and no WithFailureRatio"},
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
