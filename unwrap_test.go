package dialx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// unwrapper is the convention every decorator follows.
type unwrapper interface {
	Unwrap() []dialx.Dialer
}

func TestEveryDecoratorUnwrapsToTheDialersItPassesDialsOnTo(t *testing.T) {
	a, b := &dialtest.Dialer{Label: "a"}, &dialtest.Dialer{Label: "b"}
	sel, err := dialx.NewSelective(dialx.Rule{Pattern: "*.example", Dialer: a}, dialx.Rule{Pattern: "*", Dialer: b})
	require.NoError(t, err)
	swapped := dialx.NewSwappable(a)
	swapped.Swap(b)
	tests := []struct {
		name    string
		dialer  dialx.Dialer
		dialers []dialx.Dialer
	}{
		{name: "Repeat", dialer: dialx.NewRepeat(a, 3), dialers: []dialx.Dialer{a}},
		{name: "Timeout", dialer: dialx.NewTimeout(a, time.Second), dialers: []dialx.Dialer{a}},
		{name: "Delay", dialer: dialx.NewDelay(a, time.Second), dialers: []dialx.Dialer{a}},
		{name: "Swappable, after a Swap", dialer: swapped, dialers: []dialx.Dialer{b}},
		{name: "Consecutive", dialer: dialx.NewConsecutive(a, b), dialers: []dialx.Dialer{a, b}},
		{name: "Random", dialer: dialx.NewRandom(a, b), dialers: []dialx.Dialer{a, b}},
		{name: "Concurrent", dialer: dialx.NewConcurrent(b, a), dialers: []dialx.Dialer{b, a}},
		{name: "Selective", dialer: sel, dialers: []dialx.Dialer{a, b}},
		{name: "Breaker", dialer: dialx.NewBreaker(a), dialers: []dialx.Dialer{a}},
		{name: "Limit", dialer: dialx.NewLimit(a, 1), dialers: []dialx.Dialer{a}},
		{name: "Resolve", dialer: dialx.NewResolve(a), dialers: []dialx.Dialer{a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, ok := tt.dialer.(unwrapper)
			require.True(t, ok, "%T has no Unwrap method", tt.dialer)
			got := u.Unwrap()
			require.Len(t, got, len(tt.dialers))
			for i := range got {
				assert.Same(t, tt.dialers[i], got[i], "Dialer %d", i)
			}
			assert.Zero(t, testing.AllocsPerRun(100, func() { u.Unwrap() }), "Unwrap allocates")
		})
	}
}

func TestGuardUnwrapsToTheSelectiveItChecksWith(t *testing.T) {
	g, err := dialx.NewGuard(&dialtest.Dialer{})
	require.NoError(t, err)
	inner := g.Unwrap()
	require.Len(t, inner, 1)
	sel, ok := inner[0].(*dialx.Selective)
	require.True(t, ok, "got %T", inner[0])
	assert.ErrorIs(t, sel.Refusal(context.Background(), "tcp", "127.0.0.1:80"), dialx.ErrRejected)
	assert.Zero(t, testing.AllocsPerRun(100, func() { g.Unwrap() }), "Unwrap allocates")
}

func TestRefusalChecksLookThroughAnyDialerThatUnwrapsToOne(t *testing.T) {
	reject := dialx.NewReject(errors.New("denied"))
	other := &dialtest.Dialer{}
	tests := []struct {
		name    string
		dialer  dialx.Dialer
		refused bool
	}{
		{name: "a user's decorator of one", dialer: &ownUnwrapper{ownDecorator{next: []dialx.Dialer{reject}}}, refused: true},
		{name: "a user's decorator of two", dialer: &ownUnwrapper{ownDecorator{next: []dialx.Dialer{reject, other}}}},
		{name: "a user's decorator without Unwrap", dialer: &ownDecorator{next: []dialx.Dialer{reject}}},
		{name: "a Concurrent of one", dialer: dialx.NewConcurrent(reject), refused: true},
		{name: "a Consecutive of one", dialer: dialx.NewConsecutive(dialx.NewRepeat(reject, 2)), refused: true},
		{name: "a Random of two", dialer: dialx.NewRandom(reject, reject)},
		{name: "a Guard in a Swappable", dialer: dialx.NewSwappable(mustGuard(dialx.NewGuard(other))), refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: tt.dialer})
			require.NoError(t, err)
			err = s.ControlContext(context.Background(), "tcp", "127.0.0.1:80", nil)
			if tt.refused {
				assert.ErrorIs(t, err, dialx.ErrRejected)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}
