package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// TestConcurrentDialsItsLastAttemptInline checks on which goroutine each
// attempt of a Concurrent dials: the last on the caller's when every Dialer
// is known to honour ctx and all start at once, every one aside otherwise.
func TestConcurrentDialsItsLastAttemptInline(t *testing.T) {
	tests := []struct {
		name        string
		honours     bool
		stagger     time.Duration
		others      int // failing Dialers before the recorded one
		wantInline  bool
		otherInline bool // a DialerFunc among them
	}{
		{name: "one Dialer that honours ctx", honours: true, wantInline: true},
		{name: "the last of three", honours: true, others: 2, wantInline: true},
		{name: "one Dialer not known to", honours: false},
		{name: "beside a DialerFunc", honours: true, others: 1, otherInline: true},
		{name: "staggered", honours: true, others: 1, stagger: time.Millisecond},
		{name: "one Dialer, staggered", honours: true, stagger: time.Millisecond, wantInline: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds []dialx.Dialer
			for range tt.others {
				if tt.otherInline {
					ds = append(ds, dialx.DialerFunc(dialtest.Failing(errors.New("no"))))
				} else {
					ds = append(ds, &declared{Dialer: &dialtest.Dialer{Err: errors.New("no")}, honours: true})
				}
			}
			last := &declared{Dialer: &dialtest.Dialer{}, honours: tt.honours}
			c := dialx.NewConcurrent(append(ds, last)...).WithOptions(dialx.WithStagger(tt.stagger))
			conn, err := c.DialContext(context.Background(), "tcp", "127.0.0.1:80")
			require.NoError(t, err)
			conn.Close()
			assert.Equal(t, tt.wantInline, last.inline.Load())
		})
	}
}

// TestConcurrentWinnerCancelsTheInlineAttempt races a Dialer that answers
// at once against one, dialing on the caller's goroutine, that waits for
// its ctx: the winner's connection comes back, and the wait ends because
// the race was decided, not because the dial's ctx ended.
func TestConcurrentWinnerCancelsTheInlineAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fast := &declared{Dialer: &dialtest.Dialer{Label: "fast"}, honours: true}
		slow := &declared{Dialer: &dialtest.Dialer{Block: true}, honours: true}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		conn, err := dialx.NewConcurrent(fast, slow).DialContext(ctx, "tcp", "127.0.0.1:80")
		require.NoError(t, err)
		defer conn.Close()
		assert.Equal(t, "fast", conn.(*dialtest.Conn).Label)
		assert.True(t, slow.inline.Load(), "the blocked attempt ran on the caller's goroutine")
		assert.Zero(t, time.Since(start), "the inline attempt waited for the dial's deadline")
	})
}

// TestConcurrentRaisesAPanicWhileAnAttemptDialsInline: a panic of another
// attempt ends the race at once, the inline attempt's wait included.
func TestConcurrentRaisesAPanicWhileAnAttemptDialsInline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		panicking := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { panic("boom") })
		slow := &declared{Dialer: &dialtest.Dialer{Block: true}, honours: true}
		c := dialx.NewConcurrent(honouringFunc{panicking}, slow)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		assert.PanicsWithValue(t, "boom", func() {
			_, _ = c.DialContext(ctx, "tcp", "127.0.0.1:80")
		})
		assert.True(t, slow.inline.Load())
		assert.Zero(t, time.Since(start), "the inline attempt waited for the dial's deadline")
	})
}

// honouringFunc declares that a function honours ctx.
type honouringFunc struct{ dialx.DialerFunc }

func (honouringFunc) HonoursContext() bool { return true }

// TestResolveDialsItsLastAddressInline: a name of two addresses raced at
// once dials the second on the caller's goroutine when the Dialer is known
// to honour ctx.
func TestResolveDialsItsLastAddressInline(t *testing.T) {
	for _, honours := range []bool{true, false} {
		inner := &declared{Dialer: &dialtest.Dialer{}, honours: honours}
		answers := map[string][]netip.Addr{"two.test": {netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}}
		r := dialx.NewResolve(inner, dialx.WithResolver(&fakeResolver{answers: answers}), dialx.WithStagger(0))
		conn, err := r.DialContext(context.Background(), "tcp", "two.test:80")
		require.NoError(t, err)
		conn.Close()
		// Both attempts of a dial succeed, in either order: ask whether any
		// dial ran on the caller's goroutine.
		assert.Equal(t, honours, inner.sawInline.Load(), "honours ctx: %v", honours)
	}
}
