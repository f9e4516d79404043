package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// gated is an inner dialer whose dials each wait for a token on proceed. It
// records the order in which dials started (by address) and the largest
// number in flight at once.
type gated struct {
	proceed  chan struct{}
	mu       sync.Mutex
	started  []string
	inFlight int
	peak     int
}

func newGated() *gated { return &gated{proceed: make(chan struct{})} }

func (g *gated) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	g.mu.Lock()
	g.started = append(g.started, address)
	g.inFlight++
	g.peak = max(g.peak, g.inFlight)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.mu.Unlock()
	}()
	select {
	case <-g.proceed:
		return dialtest.NewConn(address), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gated) order() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.started...)
}

func (g *gated) peakInFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// dialAsync dials in a goroutine and reports the result on the returned
// channel, closing the connection.
func dialAsync(ctx context.Context, d dialx.Dialer, address string) <-chan error {
	done := make(chan error, 1)
	go func() {
		conn, err := d.DialContext(ctx, "tcp", address)
		if conn != nil {
			conn.Close()
		}
		done <- err
	}()
	return done
}

func TestLimitBoundsDialsInFlightInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newGated()
		limit := dialx.NewLimit(inner, 2)
		var results []<-chan error
		for i := range 6 {
			results = append(results, dialAsync(context.Background(), limit, fmt.Sprintf("10.0.0.%d:80", i)))
			synctest.Wait() // each dial joins the queue before the next
		}
		assert.Equal(t, []string{"10.0.0.0:80", "10.0.0.1:80"}, inner.order())
		for range 4 {
			inner.proceed <- struct{}{}
			synctest.Wait()
		}
		assert.Equal(t, []string{"10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80", "10.0.0.5:80"}, inner.order(),
			"waiters go through in the order they came")
		inner.proceed <- struct{}{}
		inner.proceed <- struct{}{}
		for _, result := range results {
			require.NoError(t, <-result)
		}
		assert.Equal(t, 2, inner.peakInFlight())
	})
}

func TestLimitWaitHonoursContext(t *testing.T) {
	tests := []struct {
		name        string
		ctx         func() (context.Context, context.CancelFunc)
		cancelAfter time.Duration
		wantErr     error
		wantTimeout bool
	}{
		{name: "cancelled while waiting", cancelAfter: 300 * time.Millisecond,
			ctx:     func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			wantErr: context.Canceled},
		{name: "deadline while waiting", wantErr: context.DeadlineExceeded, wantTimeout: true,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 300*time.Millisecond)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				inner := newGated()
				limit := dialx.NewLimit(inner, 1)
				holder := dialAsync(context.Background(), limit, "10.0.0.1:80")
				synctest.Wait()
				ctx, cancel := tt.ctx()
				defer cancel()
				if tt.cancelAfter > 0 {
					time.AfterFunc(tt.cancelAfter, cancel)
				}
				quitter := dialAsync(ctx, limit, "10.0.0.2:80")
				synctest.Wait()
				behind := dialAsync(context.Background(), limit, "10.0.0.3:80")

				start := time.Now()
				err := <-quitter
				assert.Equal(t, 300*time.Millisecond, time.Since(start), "the waiter leaves as ctx ends")
				assert.ErrorIs(t, err, tt.wantErr)
				assert.EqualError(t, err, "dialx: limit tcp 10.0.0.2:80: gave up waiting for one of 1 dials in flight: "+tt.wantErr.Error())
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.Equal(t, tt.wantTimeout, netErr.Timeout())

				inner.proceed <- struct{}{}
				require.NoError(t, <-holder)
				inner.proceed <- struct{}{}
				require.NoError(t, <-behind)
				assert.Equal(t, []string{"10.0.0.1:80", "10.0.0.3:80"}, inner.order(), "the dial that gave up never dials")
			})
		})
	}
}

func TestLimitDoneContextNeitherWaitsNorDials(t *testing.T) {
	var calls atomic.Int64
	limit := dialx.NewLimit(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		calls.Add(1)
		return nil, errors.New("unreachable")
	}), 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := limit.DialContext(ctx, "tcp", "10.0.0.1:80")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, calls.Load())
}

// A waiter whose ctx ends just as a slot is handed to it must pass the slot
// on: the dial behind it still goes through, and the limit is whole after.
func TestLimitWaiterCancelledAsWokenPassesSlotOn(t *testing.T) {
	for i := range 50 {
		synctest.Test(t, func(t *testing.T) {
			waiterCtx, cancelWaiter := context.WithCancel(context.Background())
			defer cancelWaiter()
			first := true
			var mu sync.Mutex
			limit := dialx.NewLimit(dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
				mu.Lock()
				isFirst := first
				first = false
				mu.Unlock()
				if isFirst {
					time.Sleep(time.Second)
					// The waiter's ctx ends right as this dial frees its slot.
					cancelWaiter()
				}
				return dialtest.NewConn(address), nil
			}), 1)
			holder := dialAsync(context.Background(), limit, "10.0.0.1:80")
			synctest.Wait()
			waiter := dialAsync(waiterCtx, limit, "10.0.0.2:80")
			synctest.Wait()
			behind := dialAsync(context.Background(), limit, "10.0.0.3:80")

			require.NoError(t, <-holder, "run %d", i)
			assert.ErrorIs(t, <-waiter, context.Canceled, "run %d", i)
			require.NoError(t, <-behind, "run %d", i)
			// The one slot is free again: this dial must not block.
			require.NoError(t, <-dialAsync(context.Background(), limit, "10.0.0.4:80"), "run %d", i)
		})
	}
}

func TestLimitWithKeyLimitsEachKeyApart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newGated()
		limit := dialx.NewLimit(inner, 1, dialx.WithKey(func(network, address string) string { return address }))
		a1 := dialAsync(context.Background(), limit, "a:80")
		synctest.Wait()
		b1 := dialAsync(context.Background(), limit, "b:80")
		synctest.Wait()
		a2 := dialAsync(context.Background(), limit, "a:80")
		synctest.Wait()
		assert.Equal(t, []string{"a:80", "b:80"}, inner.order(), "b has its own slot; the second dial to a waits")
		for range 3 {
			inner.proceed <- struct{}{}
		}
		for _, result := range []<-chan error{a1, b1, a2} {
			require.NoError(t, <-result)
		}
		assert.Equal(t, 2, inner.peakInFlight())
	})
}

func TestLimitHoldsItsBoundAndNeverDialsForAWaiterThatGaveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &dialtest.Dialer{Wait: 10 * time.Millisecond}
		var inFlight, peak atomic.Int64
		counting := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			return inner.DialContext(ctx, network, address)
		})
		limit := dialx.NewLimit(counting, 4, dialx.WithKey(func(string, string) string { return "one" }))
		var wg sync.WaitGroup
		var ok, gaveUp, failedInside atomic.Int64
		for i := range 200 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%7)*50*time.Millisecond)
				defer cancel()
				conn, err := limit.DialContext(ctx, "tcp", "10.0.0.1:80")
				var dialErr *dialx.DialError
				switch {
				case errors.As(err, &dialErr) && dialErr.Op == "limit":
					gaveUp.Add(1)
					return
				case err != nil: // ctx ended during the inner dial
					failedInside.Add(1)
					return
				}
				ok.Add(1)
				conn.Close()
			})
		}
		wg.Wait()
		assert.LessOrEqual(t, peak.Load(), int64(4))
		assert.Equal(t, int64(200), ok.Load()+gaveUp.Load()+failedInside.Load())
		assert.Positive(t, gaveUp.Load())
		assert.Equal(t, ok.Load()+failedInside.Load(), int64(inner.Calls()), "a dial that gave up waiting never reached the inner dialer")
	})
}

func TestLimitUncontendedDoesNotAllocate(t *testing.T) {
	limit := dialx.NewLimit(dialx.DialerFunc(dialtest.Instant()), 4)
	assertDialDoesNotAllocate(t, context.Background(), limit, "10.0.0.1:80")
}

func TestLimitPanicsOnProgrammerErrors(t *testing.T) {
	inner := dialx.DialerFunc(dialtest.Instant())
	tests := []struct {
		name string
		make func()
		want string
	}{
		{name: "nil dialer", make: func() { dialx.NewLimit(nil, 1) }, want: "dialx: NewLimit: d must not be nil, got nil"},
		{name: "zero in flight", make: func() { dialx.NewLimit(inner, 0) }, want: "dialx: NewLimit: inFlight must be >= 1, got 0"},
		{name: "nil key", make: func() { dialx.WithKey(nil) }, want: "dialx: WithKey: key must not be nil, got nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}

// A Trace that panics while a dial waits for a slot must cost no slot: the
// dial leaves the line, or passes on the slot it was handed, as it unwinds.
func TestLimitTraceThatPanicsDuringAWaitLosesNoSlot(t *testing.T) {
	for _, kind := range []string{"wait", "waited"} {
		t.Run(kind, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGated()
				l := dialx.NewLimit(g, 1)
				first := dialAsync(t.Context(), l, "first:1")
				synctest.Wait() // first holds the only slot

				ctx := dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
					if e.Op == "limit" && e.Kind == kind {
						panic("trace bug")
					}
				})
				panicked := make(chan any, 1)
				go func() {
					defer func() { panicked <- recover() }()
					l.DialContext(ctx, "tcp", "second:1")
				}()
				synctest.Wait()
				g.proceed <- struct{}{} // first connects; its slot goes to second
				require.NoError(t, <-first)
				assert.Equal(t, "trace bug", <-panicked)

				third := dialAsync(t.Context(), l, "third:1")
				synctest.Wait()
				g.proceed <- struct{}{} // blocks for good if second kept the slot
				require.NoError(t, <-third)
				assert.Equal(t, []string{"first:1", "third:1"}, g.order())
			})
		})
	}
}
