package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// TestAttemptsErrorIsATimeoutOnlyWhenADeadlineEndedTheDial: the error of a
// decorator that made several attempts is a timeout when its dial ended because
// a deadline passed, and not when the caller cancelled it, even if an earlier
// attempt had timed out on its own.
func TestAttemptsErrorIsATimeoutOnlyWhenADeadlineEndedTheDial(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	type stack func(inner dialx.Dialer) dialx.Dialer
	stacks := map[string]stack{
		"Repeat":      func(d dialx.Dialer) dialx.Dialer { return dialx.NewRepeat(d, 3) },
		"Consecutive": func(d dialx.Dialer) dialx.Dialer { return dialx.NewConsecutive(d, d, d) },
		"Random":      func(d dialx.Dialer) dialx.Dialer { return dialx.NewRandom(d, d, d) },
		"Concurrent":  func(d dialx.Dialer) dialx.Dialer { return dialx.NewConcurrent(d, d, d) },
	}
	tests := []struct {
		name string
		// first is the inner dialer of the first attempt, rest that of
		// every later one.
		first, rest dialx.Dialer
		end         func(context.Context) (context.Context, context.CancelFunc)
		wantTimeout bool
		inTurn      bool // the attempts must be made one after another
	}{
		{name: "every attempt refused", first: dialx.DialerFunc(dialtest.Failing(refused)),
			rest: dialx.DialerFunc(dialtest.Failing(refused))},
		{name: "first attempt timed out, the others refused",
			first: dialx.NewTimeout(&dialtest.Dialer{Block: true}, time.Second),
			rest:  dialx.DialerFunc(dialtest.Failing(refused)), wantTimeout: true, inTurn: true},
		{name: "caller's deadline passed", first: dialx.DialerFunc(dialtest.Failing(refused)),
			rest: &dialtest.Dialer{Block: true},
			end: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, time.Minute)
			}, wantTimeout: true},
		{name: "cancelled after an attempt timed out",
			first: dialx.NewTimeout(&dialtest.Dialer{Block: true}, time.Second),
			rest:  &dialtest.Dialer{Block: true},
			end: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(time.Minute, cancel)
				return ctx, cancel
			}},
	}
	for name, wrap := range stacks {
		for _, tt := range tests {
			if tt.inTurn && name == "Concurrent" {
				continue
			}
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					var calls atomic.Int64
					inner := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
						if calls.Add(1) == 1 {
							return tt.first.DialContext(ctx, network, address)
						}
						return tt.rest.DialContext(ctx, network, address)
					})
					ctx, cancel := context.Background(), context.CancelFunc(func() {})
					if tt.end != nil {
						ctx, cancel = tt.end(ctx)
					}
					defer cancel()
					_, err := wrap(inner).DialContext(ctx, "tcp", "127.0.0.1:80")
					var ne net.Error
					require.ErrorAs(t, err, &ne)
					assert.Equal(t, tt.wantTimeout, ne.Timeout(), "%v", err)
					if ctx.Err() != nil {
						assert.ErrorIs(t, err, ctx.Err())
					}
				})
			})
		}
	}
}

// Every decorator that makes several attempts keeps the errors of the
// first and last few only, in the order of the attempts, and counts the
// rest, however many attempts it made and in whatever order they failed.
func TestAttemptsErrorKeepsTheFirstAndLastFourOfManyErrors(t *testing.T) {
	const n = 20
	errs := make([]error, n)
	dialers := make([]dialx.Dialer, n)
	ips := make([]string, n)
	for i := range n {
		errs[i] = fmt.Errorf("e%d", i)
		dialers[i] = dialx.DialerFunc(dialtest.Failing(errs[i]))
		ips[i] = fmt.Sprintf("192.0.2.%d", i+1)
	}
	byAddress := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(address)
		return nil, errs[slices.Index(ips, host)]
	})
	lookup := resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) { return addrs(ips...), nil })
	tests := []struct {
		name string
		d    dialx.Dialer
		noun string
	}{
		{name: "Repeat", d: dialx.NewRepeat(func() dialx.Dialer { d, _ := scripted(errs...); return d }(), n), noun: "tries"},
		{name: "Consecutive", d: dialx.NewConsecutive(dialers...), noun: "dialers"},
		{name: "Concurrent", d: dialx.NewConcurrent(dialers...), noun: "attempts"},
		{name: "Concurrent staggered", d: dialx.NewConcurrent(dialers...).WithOptions(dialx.WithStagger(time.Second)), noun: "attempts"},
		{name: "Resolve", d: dialx.NewResolve(byAddress, dialx.WithResolver(lookup)), noun: "addresses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.DialContext(context.Background(), "tcp", "svc.example:80")
			assert.EqualError(t, err, "dialx: "+strings.ToLower(strings.Fields(tt.name)[0])+" tcp svc.example:80: all 20 "+tt.noun+
				" failed: e0; e1; e2; e3; ... 12 more ...; e16; e17; e18; e19")
			for _, want := range []error{errs[0], errs[3], errs[16], errs[n-1]} {
				assert.ErrorIs(t, err, want)
			}
			var attempts interface{ Unwrap() []error }
			require.ErrorAs(t, err, &attempts)
			assert.Len(t, attempts.Unwrap(), 8)
		})
	}
	t.Run("Random", func(t *testing.T) {
		_, err := dialx.NewRandom(dialers...).DialContext(context.Background(), "tcp", "svc.example:80")
		assert.Contains(t, err.Error(), "all 20 dialers failed: ")
		assert.Contains(t, err.Error(), "; ... 12 more ...; ")
		var attempts interface{ Unwrap() []error }
		require.ErrorAs(t, err, &attempts)
		assert.Len(t, attempts.Unwrap(), 8)
	})
}

// The end of the caller's ctx heads the error once, however many attempts
// failed with that very error too.
func TestAttemptsErrorNamesTheEndOfCtxOnce(t *testing.T) {
	blocked := dialx.DialerFunc(blocking)
	tests := []struct {
		name string
		d    dialx.Dialer
		want string
	}{
		{name: "Repeat", d: dialx.NewRepeat(blocked, 3),
			want: "dialx: repeat tcp svc.example:80: stopped after 1 of 3 tries: context deadline exceeded"},
		{name: "Consecutive", d: dialx.NewConsecutive(blocked, blocked),
			want: "dialx: consecutive tcp svc.example:80: stopped after 1 of 2 dialers: context deadline exceeded"},
		{name: "Concurrent", d: dialx.NewConcurrent(blocked, blocked, blocked),
			want: "dialx: concurrent tcp svc.example:80: all 3 attempts failed: context deadline exceeded"},
		{name: "Concurrent staggered", d: dialx.NewConcurrent(blocked, blocked, blocked).WithOptions(dialx.WithStagger(time.Second)),
			want: "dialx: concurrent tcp svc.example:80: stopped after 2 of 3 attempts: context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
				defer cancel()
				_, err := tt.d.DialContext(ctx, "tcp", "svc.example:80")
				assert.EqualError(t, err, tt.want)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.True(t, netErr.Timeout())
				synctest.Wait()
			})
		})
	}
}
