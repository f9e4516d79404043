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

// unwrapCases is every decorator with one or more Dialers of a and b inside,
// and the Dialers its Unwrap must return.
func unwrapCases(t *testing.T, a, b dialx.Dialer) []unwrapCase {
	sel, err := dialx.NewSelective(dialx.Rule{Pattern: "*.example", Dialer: a}, dialx.Rule{Pattern: "*", Dialer: b})
	require.NoError(t, err)
	swapped := dialx.NewSwappable(a)
	swapped.Swap(b)
	return []unwrapCase{
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
		{name: "Guard", dialer: mustGuard(dialx.NewGuard(a))},
	}
}

type unwrapCase struct {
	name    string
	dialer  dialx.Dialer
	dialers []dialx.Dialer // nil: not checked here
}

func TestEveryDecoratorUnwrapsToTheDialersItPassesDialsOnTo(t *testing.T) {
	a, b := &dialtest.Dialer{Label: "a"}, &dialtest.Dialer{Label: "b"}
	for _, tt := range unwrapCases(t, a, b) {
		if tt.dialers == nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			u, ok := tt.dialer.(unwrapper)
			require.True(t, ok, "%T has no Unwrap method", tt.dialer)
			got := u.Unwrap()
			require.Len(t, got, len(tt.dialers))
			for i := range got {
				assert.Same(t, tt.dialers[i], got[i], "Dialer %d", i)
			}
		})
	}
}

// TestUnwrapAllocatesNothingAndAnAppendToItCopies checks the two halves of
// the convention that Unwrap returns a slice its decorator keeps: it costs
// nothing per call, and only a write to an element, which the Dialer doc
// forbids, could reach the decorator (an append must copy).
func TestUnwrapAllocatesNothingAndAnAppendToItCopies(t *testing.T) {
	a, b := &dialtest.Dialer{Label: "a"}, &dialtest.Dialer{Label: "b"}
	for _, tt := range unwrapCases(t, a, b) {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.dialer.(unwrapper)
			assert.Zero(t, testing.AllocsPerRun(100, func() { u.Unwrap() }), "Unwrap allocates")
			got := u.Unwrap()
			assert.Equal(t, len(got), cap(got), "an append to what Unwrap returns would write into the decorator's array")
			before := append([]dialx.Dialer(nil), got...)
			_ = append(got, &dialtest.Dialer{Label: "appended"})
			assert.Equal(t, before, u.Unwrap(), "an append changed what Unwrap returns")
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
