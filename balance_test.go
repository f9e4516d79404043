package dialx_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestNewBalancerPanicsOnProgrammerErrors(t *testing.T) {
	inner := dialx.DialerFunc(dialtest.Instant())
	tests := []struct {
		name  string
		build func()
		want  string
	}{
		{"no Dialer", func() { dialx.NewBalancer() },
			"dialx: NewBalancer: ds must hold at least one Dialer, got none"},
		{"nil Dialer", func() { dialx.NewBalancer(inner, nil) },
			"dialx: NewBalancer: ds[1] must not be nil, got nil"},
		{"option of another decorator", func() { dialx.NewBalancer(inner).WithOptions(dialx.WithStagger(0)) },
			"dialx: Balancer.WithOptions: WithStagger does not apply to a Balancer"},
		{"Balancer option elsewhere", func() { dialx.NewBreaker(inner, dialx.WithTolerance(0)) },
			"dialx: NewBreaker: WithTolerance does not apply to a Breaker"},
		{"probe without network", func() { dialx.WithProbe("", "a:1", time.Second) },
			`dialx: WithProbe: network must not be empty, got ""`},
		{"probe without address", func() { dialx.WithProbe("tcp", "", time.Second) },
			`dialx: WithProbe: address must not be empty, got ""`},
		{"probe interval 0", func() { dialx.WithProbe("tcp", "a:1", 0) },
			"dialx: WithProbe: interval must be > 0, got 0s"},
		{"negative tolerance", func() { dialx.WithTolerance(-time.Millisecond) },
			"dialx: WithTolerance: tolerance must be >= 0, got -1ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.build)
		})
	}
}

func TestBalancerUnwrapsToItsMembers(t *testing.T) {
	a, b := &net.Dialer{}, &net.Dialer{}
	bal := dialx.NewBalancer(a, b)
	assert.Equal(t, []dialx.Dialer{a, b}, bal.Unwrap())
	assert.Equal(t, []dialx.Dialer{a, b}, bal.WithOptions(dialx.WithTolerance(time.Millisecond)).Unwrap())
}

// TestBalancerTracesItsChoice: each attempt reports the member chosen,
// between the attempt and the innermost dial.
func TestBalancerTracesItsChoice(t *testing.T) {
	var events []dialx.Event
	ctx := dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
		e.Elapsed = 0
		events = append(events, e)
	})
	conn, err := dialx.NewBalancer(dialx.DialerFunc(dialtest.Instant())).DialContext(ctx, "tcp", "a:1")
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []dialx.Event{
		{Op: "balancer", Kind: "attempt", Network: "tcp", Address: "a:1", N: 1, Of: 1},
		{Op: "balancer", Kind: "chose", Network: "tcp", Address: "a:1", N: 0},
		{Op: "dial", Kind: "start", Network: "tcp", Address: "a:1"},
		{Op: "dial", Kind: "done", Network: "tcp", Address: "a:1"},
	}, events)
}

// TestBalancerErrors: a dial fails only when every member failed, and its
// error reaches each member's; a member that returns neither a connection
// nor an error has failed; a ctx that ends stops the attempts.
func TestBalancerErrors(t *testing.T) {
	refused := errors.New("refused")
	t.Run("all fail", func(t *testing.T) {
		broken := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
		_, err := dialx.NewBalancer(dialx.DialerFunc(dialtest.Failing(refused)), broken).Dial("tcp", "a:1")
		require.Error(t, err)
		assert.ErrorIs(t, err, refused)
		assert.ErrorContains(t, err, "dialx: balancer tcp a:1: all 2 members failed: ")
		assert.ErrorContains(t, err, "inner Dialer returned no connection and no error")
	})
	t.Run("one fails", func(t *testing.T) {
		good := &dialtest.Dialer{}
		bal := dialx.NewBalancer(dialx.DialerFunc(dialtest.Failing(refused)), good)
		for range 10 {
			conn, err := bal.Dial("tcp", "a:1")
			require.NoError(t, err)
			conn.Close()
		}
		assert.Equal(t, 10, good.Calls())
	})
	t.Run("ctx ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := dialx.NewBalancer(&dialtest.Dialer{Block: true}).DialContext(ctx, "tcp", "a:1")
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestBalancerDialDoesNotAllocate(t *testing.T) {
	inner := dialx.DialerFunc(dialtest.Instant())
	assertDialDoesNotAllocate(t, context.Background(), dialx.NewBalancer(inner, inner, inner), "127.0.0.1:80")
	assertDialDoesNotAllocate(t, context.Background(), dialx.NewBalancer(inner, inner, inner).WithOptions(
		dialx.WithKey(func(_, address string) string { return address })), "127.0.0.1:80")
	assertDialDoesNotAllocate(t, context.Background(), dialx.NewBalancer(dialx.NewBreaker(inner), dialx.NewBreaker(inner)),
		"127.0.0.1:80")
}

// TestBalancerOfManyMembers: past 64 members, each member is still tried
// once at most, until one connects.
func TestBalancerOfManyMembers(t *testing.T) {
	refused := errors.New("refused")
	failing := make([]*dialtest.Dialer, 99)
	ds := make([]dialx.Dialer, 0, 100)
	for i := range failing {
		failing[i] = &dialtest.Dialer{Err: refused}
		ds = append(ds, failing[i])
	}
	working := &dialtest.Dialer{}
	bal := dialx.NewBalancer(append(ds, working)...)
	conn, err := bal.Dial("tcp", "a:1")
	require.NoError(t, err, "the one working member is found")
	conn.Close()
	for i, d := range failing {
		assert.LessOrEqual(t, d.Calls(), 1, "member %d is tried once at most", i)
	}

	before := make([]int, len(failing))
	for i, d := range failing {
		before[i] = d.Calls()
	}
	_, err = dialx.NewBalancer(ds...).Dial("tcp", "a:1")
	assert.ErrorContains(t, err, "all 99 members failed")
	for i, d := range failing {
		assert.Equal(t, before[i]+1, d.Calls(), "member %d is tried exactly once when all fail", i)
	}
}
