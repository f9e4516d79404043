package dialx_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestBreakerKeepsAtMostMaxCircuits(t *testing.T) {
	br := dialx.NewBreaker(dialx.DialerFunc(instantDial), dialx.WithForget(10*time.Minute, 100))
	for i := range 10000 {
		dialTimes(t, br, fmt.Sprintf("host%d:1", i), 1)
	}
	assert.LessOrEqual(t, br.Tracked(), 100)
	assert.Greater(t, br.Tracked(), 80)
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
