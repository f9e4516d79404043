package dialx_test

import (
	"context"
	"errors"
	"math"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestTimeoutGivesInnerDialTheEarlierDeadline(t *testing.T) {
	tests := []struct {
		name           string
		parentDeadline time.Duration // 0: none
		timeout        time.Duration
		want           time.Duration
	}{
		{name: "no parent deadline", timeout: time.Second, want: time.Second},
		{name: "parent later", parentDeadline: time.Minute, timeout: time.Second, want: time.Second},
		{name: "parent earlier", parentDeadline: 100 * time.Millisecond, timeout: time.Second, want: 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				if tt.parentDeadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.parentDeadline)
					defer cancel()
				}
				var got time.Time
				inner := dialx.DialerFunc(func(ctx context.Context, _, _ string) (net.Conn, error) {
					got, _ = ctx.Deadline()
					return dialtest.NewConn("ok"), nil
				})
				start := time.Now()
				conn, err := dialx.NewTimeout(inner, tt.timeout).DialContext(ctx, "tcp", "127.0.0.1:80")
				require.NoError(t, err)
				conn.Close()
				assert.Equal(t, start.Add(tt.want), got)
			})
		})
	}
}

func TestTimeoutFiresEvenIfInnerIgnoresContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: make(chan struct{})}
		start := time.Now()
		conn, err := dialx.NewTimeout(inner, 2*time.Second).DialContext(context.Background(), "tcp", "127.0.0.1:80")
		assert.Equal(t, 2*time.Second, time.Since(start), "returns exactly at the timeout")
		assert.Nil(t, conn)

		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.EqualError(t, err, "dialx: timeout tcp 127.0.0.1:80: timed out after 2s")

		// The inner dial finishes later; its connection must not leak.
		close(inner.Release)
		synctest.Wait()
		require.Len(t, inner.Conns(), 1)
		assert.True(t, inner.Conns()[0].Closed(), "late connection closed")
	})
}

func TestTimeoutReturnsTheCallersContextErrorWhenItEndsFirst(t *testing.T) {
	t.Run("parent cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			inner := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: make(chan struct{})}
			time.AfterFunc(time.Second, cancel)
			_, err := dialx.NewTimeout(inner, time.Minute).DialContext(ctx, "tcp", "127.0.0.1:80")
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			close(inner.Release)
			synctest.Wait()
			assert.True(t, inner.Conns()[0].Closed())
		})
	})
	t.Run("parent deadline earlier", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := dialx.NewTimeout(&dialtest.Dialer{Block: true}, time.Minute).DialContext(ctx, "tcp", "127.0.0.1:80")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			var netErr net.Error
			require.ErrorAs(t, err, &netErr)
			assert.True(t, netErr.Timeout())
		})
	})
	t.Run("parent already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		inner := &dialtest.Dialer{}
		_, err := dialx.NewTimeout(inner, time.Minute).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, inner.Calls())
	})
}

func TestTimeoutPassesInnerResultsThrough(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	_, err := dialx.NewTimeout(dialx.DialerFunc(dialtest.Failing(refused)), time.Minute).
		DialContext(context.Background(), "tcp", "127.0.0.1:80")
	assert.Same(t, refused, err, "an inner error in time is returned unchanged")

	srv := dialtest.StartEcho(t)
	conn, err := dialx.NewTimeout(&net.Dialer{}, 5*time.Second).DialContext(context.Background(), "tcp", srv.Addr())
	require.NoError(t, err)
	echoByte(t, conn)
	conn.Close()
}

// An inner dialer that honours ctx ends with it; the result is a timeout
// either way.
func TestTimeoutFiresWhenTheInnerDialHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &dialtest.Dialer{Block: true}
		start := time.Now()
		_, err := dialx.NewTimeout(inner, 250*time.Millisecond).DialContext(context.Background(), "tcp", "127.0.0.1:80")
		assert.Equal(t, 250*time.Millisecond, time.Since(start))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// A real socket's connect deadline, derived from the dial's ctx, can fire a
// moment before the ctx reports done, so the inner dial fails with
// os.ErrDeadlineExceeded while the Timeout has not yet seen its own deadline
// pass. The caller must still get the Timeout's error. Found by the fault
// matrix (internal/reliability) against a blackhole.
func TestTimeoutCountsAnInnerFailureAtTheDeadlineAsATimeout(t *testing.T) {
	socketDeadline := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		deadline, _ := ctx.Deadline()
		time.Sleep(time.Until(deadline)) // like the poller: not watching ctx
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
	})
	tests := []struct {
		name    string
		parent  time.Duration // 0: no deadline on the caller's ctx
		wantErr error
	}{
		{name: "the Timeout's own deadline", wantErr: context.DeadlineExceeded},
		{name: "the caller's earlier deadline", parent: 50 * time.Millisecond, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := dialx.NewTimeout(socketDeadline, 100*time.Millisecond)
				for range 200 {
					ctx, cancel := context.Background(), context.CancelFunc(func() {})
					if tt.parent > 0 {
						ctx, cancel = context.WithTimeout(ctx, tt.parent)
					}
					c, err := d.DialContext(ctx, "tcp", "example.com:80")
					cancel()
					require.Nil(t, c)
					require.ErrorIs(t, err, tt.wantErr)
					var de *dialx.DialError
					require.True(t, errors.As(err, &de) && de.Op == "timeout", "got %v", err)
					var ne net.Error
					require.True(t, errors.As(err, &ne) && ne.Timeout())
				}
			})
		})
	}
}

// declared is a Dialer of a user's that declares whether it honours ctx,
// and records whether its last dial ran on the caller's goroutine, the one
// the test runs on.
type declared struct {
	*dialtest.Dialer
	honours   bool
	inline    atomic.Bool // the last dial ran on the caller's goroutine
	sawInline atomic.Bool // some dial did
}

func (d *declared) HonoursContext() bool { return d.honours }

// honouringResolver is a Resolver that declares that its lookups honour ctx.
type honouringResolver struct{ dialx.Resolver }

func (honouringResolver) HonoursContext() bool { return true }

func (d *declared) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	on := onTestGoroutine()
	d.inline.Store(on)
	if on {
		d.sawInline.Store(true)
	}
	return d.Dialer.DialContext(ctx, network, address)
}

// silentProxy is a proxy.ContextDialer that tells nothing about itself.
type silentProxy struct{ d dialx.Dialer }

func (c silentProxy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return c.d.DialContext(ctx, network, address)
}

func (c silentProxy) Dial(network, address string) (net.Conn, error) {
	return c.d.DialContext(context.Background(), network, address)
}

// onTestGoroutine reports whether it is called on a goroutine that the
// testing package started, rather than on one a decorator started.
func onTestGoroutine() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	for {
		f, more := frames.Next()
		if f.Function == "testing.tRunner" {
			return true
		}
		if !more {
			return false
		}
	}
}

func TestTimeoutDialsInlineOnlyWhenEveryDialerBeneathHonoursCtx(t *testing.T) {
	tests := []struct {
		name       string
		honours    bool
		wrap       func(dialx.Dialer) dialx.Dialer
		wantInline bool
	}{
		{name: "declared", honours: true, wrap: func(d dialx.Dialer) dialx.Dialer { return d }, wantInline: true},
		{name: "declared not", wrap: func(d dialx.Dialer) dialx.Dialer { return d }},
		{name: "under decorators", honours: true, wantInline: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			return dialx.NewBreaker(dialx.NewLimit(dialx.NewRepeat(d, 2), 4))
		}},
		{name: "beside a DialerFunc", honours: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			return dialx.NewConsecutive(dialx.DialerFunc(dialtest.Failing(errors.New("no"))), d)
		}},
		{name: "through FromProxy", honours: false, wantInline: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			return dialx.FromProxy(silentProxy{d})
		}},
		{name: "under Resolve with net's resolver", honours: true, wantInline: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			return dialx.NewResolve(d)
		}},
		{name: "under Resolve with a Resolver not known to honour ctx", honours: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			return dialx.NewResolve(d, dialx.WithResolver(&fakeResolver{}))
		}},
		{name: "under Resolve with a Resolver that declares it", honours: true, wantInline: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			return dialx.NewResolve(d, dialx.WithResolver(honouringResolver{&fakeResolver{}}))
		}},
		{name: "under a Guard with a Resolver not known to honour ctx", honours: true, wrap: func(d dialx.Dialer) dialx.Dialer {
			g, err := dialx.NewGuard(d, dialx.WithResolver(&fakeResolver{}),
				dialx.WithExceptions(dialx.Rule{Pattern: "127.0.0.1", Dialer: d}))
			require.NoError(t, err)
			return g
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &declared{Dialer: &dialtest.Dialer{}, honours: tt.honours}
			conn, err := dialx.NewTimeout(tt.wrap(inner), time.Minute).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			require.NoError(t, err)
			conn.Close()
			assert.Equal(t, tt.wantInline, inner.inline.Load())
		})
	}
}

func TestTimeoutDecidesBySwappablesCurrentDialerOnEachDial(t *testing.T) {
	honouring := &declared{Dialer: &dialtest.Dialer{}, honours: true}
	s := dialx.NewSwappable(honouring)
	d := dialx.NewTimeout(dialx.NewRepeat(s, 1), time.Minute)
	dial := func(inner *declared) bool {
		t.Helper()
		conn, err := d.DialContext(context.Background(), "tcp", "127.0.0.1:80")
		require.NoError(t, err)
		conn.Close()
		return inner.inline.Load()
	}
	assert.True(t, dial(honouring))
	other := &declared{Dialer: &dialtest.Dialer{}}
	s.Swap(other)
	assert.False(t, dial(other), "a Dialer that does not declare it is dialed aside")
	s.Swap(honouring)
	assert.True(t, dial(honouring))
	s.Swap(dialx.NewSwappable(honouring))
	honouring.inline.Store(false)
	assert.False(t, dial(honouring), "a Swappable inside a Swappable counts as not known to honour ctx")
}

// An inline dial that ends with its ctx returns the same timeout error as
// one made aside.
func TestTimeoutInlineReturnsTheTimeoutError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &declared{Dialer: &dialtest.Dialer{Block: true}, honours: true}
		start := time.Now()
		conn, err := dialx.NewTimeout(inner, 2*time.Second).DialContext(context.Background(), "tcp", "127.0.0.1:80")
		assert.True(t, inner.inline.Load())
		assert.Equal(t, 2*time.Second, time.Since(start))
		assert.Nil(t, conn)
		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout())
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.EqualError(t, err, "dialx: timeout tcp 127.0.0.1:80: timed out after 2s")
	})
}

// A loopback dial through Timeout(Repeat(net.Dialer)) costs at most one
// allocation more than the same dial through net.Dialer's own Timeout: the
// Timeout adds no goroutine over a Dialer that honours ctx.
func TestTimeoutOverNetDialerAllocatesAboutAsMuchAsNetDialerTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	defer func() { ln.Close(); <-accepted }()
	// AllocsPerRun counts every allocation of the process, so a goroutine
	// of another test winding down can add to one measure, never take
	// away: the least of three is the dial's own figure.
	allocs := func(d dialx.Dialer) float64 {
		least := math.Inf(1)
		for range 3 {
			least = min(least, testing.AllocsPerRun(200, func() {
				c, err := d.DialContext(context.Background(), "tcp", ln.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
			}))
		}
		return least
	}
	base := allocs(&net.Dialer{Timeout: 5 * time.Second})
	stack := allocs(dialx.NewTimeout(dialx.NewRepeat(&net.Dialer{}, 3), 5*time.Second))
	t.Logf("allocations per dial: net.Dialer{Timeout} %v, Timeout(Repeat(net.Dialer)) %v", base, stack)
	assert.LessOrEqual(t, stack, base+1)
}
