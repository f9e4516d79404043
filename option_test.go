package dialx_test

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// takers lists every constructor that takes Options, as a function that
// builds with opts, with the name its panics give and the decorator's.
func takers() []struct {
	constructor, decorator string
	build                  func(opts ...dialx.Option)
} {
	inner := dialx.DialerFunc(dialtest.Instant())
	return []struct {
		constructor, decorator string
		build                  func(opts ...dialx.Option)
	}{
		{"NewRepeat", "Repeat", func(opts ...dialx.Option) { dialx.NewRepeat(inner, 2, opts...) }},
		{"NewBreaker", "Breaker", func(opts ...dialx.Option) { dialx.NewBreaker(inner, opts...) }},
		{"NewLimit", "Limit", func(opts ...dialx.Option) { dialx.NewLimit(inner, 1, opts...) }},
		{"Concurrent.WithOptions", "Concurrent", func(opts ...dialx.Option) { dialx.NewConcurrent(inner).WithOptions(opts...) }},
		{"NewResolve", "Resolve", func(opts ...dialx.Option) { dialx.NewResolve(inner, opts...) }},
		{"NewGuard", "Guard", func(opts ...dialx.Option) { dialx.NewGuard(inner, opts...) }},
		{"NewTracker", "Tracker", func(opts ...dialx.Option) { dialx.NewTracker(inner, opts...) }},
		{"NewReloading", "Reloading", func(opts ...dialx.Option) {
			// A missing file: options are checked before it is read, and no
			// goroutine of WithInterval starts.
			load := func(io.Reader) (dialx.Dialer, error) { return inner, nil }
			_, _ = dialx.NewReloading(context.Background(), "testdata/missing/list.txt", load, opts...)
		}},
	}
}

func TestOptionsApplyToTheConstructorsTheirDocsName(t *testing.T) {
	key := func(_, address string) string { return address }
	resolver := resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) { return nil, nil })
	options := []struct {
		name   string
		option dialx.Option
		takers []string // the decorators it applies to
	}{
		{"WithBackoff", dialx.WithBackoff(dialx.ConstantBackoff(time.Second)), []string{"Repeat", "Breaker"}},
		{"WithBudget", dialx.WithBudget(new(dialx.Budget)), []string{"Repeat"}},
		{"WithRetryIf", dialx.WithRetryIf(func(error) bool { return true }), []string{"Repeat"}},
		{"WithKey", dialx.WithKey(key), []string{"Breaker", "Limit", "Tracker"}},
		{"WithStagger", dialx.WithStagger(time.Millisecond), []string{"Concurrent", "Resolve", "Guard"}},
		{"WithResolver", dialx.WithResolver(resolver), []string{"Resolve", "Guard"}},
		{"WithExceptions", dialx.WithExceptions(), []string{"Guard"}},
		{"WithConsecutiveFailures", dialx.WithConsecutiveFailures(3), []string{"Breaker"}},
		{"WithFailureRatio", dialx.WithFailureRatio(0.5, time.Second, 10), []string{"Breaker"}},
		{"WithForget", dialx.WithForget(time.Minute, 10), []string{"Breaker"}},
		{"WithInterval", dialx.WithInterval(time.Minute), []string{"Reloading"}},
	}
	for _, o := range options {
		for _, taker := range takers() {
			t.Run(o.name+"/"+taker.decorator, func(t *testing.T) {
				build := func() { taker.build(o.option) }
				applies := false
				for _, name := range o.takers {
					applies = applies || name == taker.decorator
				}
				if applies {
					assert.NotPanics(t, build)
					return
				}
				assert.PanicsWithValue(t, "dialx: "+taker.constructor+": "+o.name+" does not apply to a "+taker.decorator, build)
			})
		}
	}
}

func TestNilOptionPanicsNamingTheConstructor(t *testing.T) {
	for _, taker := range takers() {
		t.Run(taker.constructor, func(t *testing.T) {
			assert.PanicsWithValue(t, "dialx: "+taker.constructor+": Option must not be nil, got nil",
				func() { taker.build(nil) })
		})
	}
}

func TestWithStaggerPanicsOnANegativeDelay(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: WithStagger: delay must be >= 0, got -1s", func() { dialx.WithStagger(-time.Second) })
}

// An Option is a value: one list can configure any number of decorators,
// and the last of two Options that set the same thing wins.
func TestOptionsAreSharedAndTheLastOneWins(t *testing.T) {
	opts := []dialx.Option{dialx.WithConsecutiveFailures(3), dialx.WithConsecutiveFailures(1)}
	for range 2 {
		d := dialx.NewBreaker(dialx.DialerFunc(dialtest.Failing(errRefused)), opts...)
		d.Dial("tcp", "a:1")
		require.Equal(t, dialx.BreakerOpen, d.State("tcp", "a:1"), "one failure opens the circuit")
	}
}
