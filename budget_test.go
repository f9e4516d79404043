package dialx_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestRepeatWithBudgetStopsRetriesWhenItIsEmpty(t *testing.T) {
	down := errors.New("down")
	t.Run("an empty budget stops retries", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			budget := dialx.NewBudget(0, 0, 10*time.Second)
			inner := newTimedFailing(down)
			_, err := dialx.NewRepeat(inner, 5, dialx.WithBudget(budget)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Len(t, inner.times(), 1)
			assert.ErrorIs(t, err, dialx.ErrBudgetExhausted)
			assert.ErrorIs(t, err, down)
			assert.EqualError(t, err, "dialx: repeat tcp 127.0.0.1:80: stopped after 1 of 5 tries: retry budget exhausted; down")
		})
	})
	t.Run("shared by several Repeats", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// A floor of 0.2 retries a second over 10 s: two retries in all.
			budget := dialx.NewBudget(0, 0.2, 10*time.Second)
			a, b := newTimedFailing(down), newTimedFailing(down)
			_, errA := dialx.NewRepeat(a, 2, dialx.WithBudget(budget)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			_, errB := dialx.NewRepeat(b, 5, dialx.WithBudget(budget)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Len(t, a.times(), 2)
			assert.NotErrorIs(t, errA, dialx.ErrBudgetExhausted)
			assert.Len(t, b.times(), 2, "one retry was left for the second Repeat")
			assert.ErrorIs(t, errB, dialx.ErrBudgetExhausted)
		})
	})
	t.Run("successful first tries earn retries", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			budget := dialx.NewBudget(0.5, 0, 10*time.Second)
			ok := dialx.NewRepeat(dialx.DialerFunc(dialtest.Instant()), 5, dialx.WithBudget(budget))
			for range 3 {
				_, err := ok.DialContext(context.Background(), "tcp", "127.0.0.1:80")
				require.NoError(t, err)
			}
			// 4 first tries at 0.5 earn 2 retries.
			inner := newTimedFailing(down)
			_, err := dialx.NewRepeat(inner, 5, dialx.WithBudget(budget)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Len(t, inner.times(), 3)
			assert.ErrorIs(t, err, dialx.ErrBudgetExhausted)
		})
	})
	t.Run("a failure not to retry takes nothing from the budget", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			budget := dialx.NewBudget(0, 0.1, 10*time.Second) // 1 retry in all
			never := dialx.NewRepeat(dialx.DialerFunc(dialtest.Failing(down)), 3,
				dialx.WithBudget(budget), dialx.WithRetryIf(func(error) bool { return false }))
			_, err := never.DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.NotErrorIs(t, err, dialx.ErrBudgetExhausted)
			inner := newTimedFailing(down)
			_, err = dialx.NewRepeat(inner, 3, dialx.WithBudget(budget)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Len(t, inner.times(), 2, "the one retry is still there")
			assert.ErrorIs(t, err, dialx.ErrBudgetExhausted)
		})
	})
	t.Run("the mark survives a stack", func(t *testing.T) {
		budget := dialx.NewBudget(0, 0, 10*time.Second)
		stack := dialx.NewTimeout(dialx.NewRepeat(dialx.DialerFunc(dialtest.Failing(down)), 3, dialx.WithBudget(budget)), time.Minute)
		_, err := stack.DialContext(context.Background(), "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, dialx.ErrBudgetExhausted)
		assert.ErrorIs(t, err, down)
	})
	t.Run("refills as the window slides", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			budget := dialx.NewBudget(0, 0.1, 10*time.Second) // 1 retry per 10 s
			repeat := dialx.NewRepeat(dialx.DialerFunc(dialtest.Failing(down)), 3, dialx.WithBudget(budget))
			_, err := repeat.DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.ErrorIs(t, err, dialx.ErrBudgetExhausted)
			assert.Contains(t, err.Error(), "stopped after 2 of 3 tries")
			_, err = repeat.DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Contains(t, err.Error(), "stopped after 1 of 3 tries")
			time.Sleep(10 * time.Second)
			_, err = repeat.DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Contains(t, err.Error(), "stopped after 2 of 3 tries")
		})
	})
}
