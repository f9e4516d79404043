package dialx_test

import (
	"context"
	"errors"
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

// timedFailing fails every dial with err and records, on the fake clock of
// a synctest bubble, how long after start each dial began.
type timedFailing struct {
	err   error
	start time.Time
	mu    sync.Mutex
	at    []time.Duration
}

func newTimedFailing(err error) *timedFailing {
	return &timedFailing{err: err, start: time.Now()}
}

func (d *timedFailing) DialContext(context.Context, string, string) (net.Conn, error) {
	d.mu.Lock()
	d.at = append(d.at, time.Since(d.start))
	d.mu.Unlock()
	return nil, d.err
}

func (d *timedFailing) times() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Duration(nil), d.at...)
}

// recordingBackoff records the retry numbers it is asked about.
type recordingBackoff struct {
	wait    time.Duration
	mu      sync.Mutex
	retries []int
}

func (b *recordingBackoff) Backoff(retry int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.retries = append(b.retries, retry)
	return b.wait
}

func TestRepeatWithBackoffWaitsBetweenTries(t *testing.T) {
	down := errors.New("down")
	tests := []struct {
		name    string
		backoff dialx.Backoff
		want    []time.Duration
	}{
		{name: "constant", backoff: dialx.ConstantBackoff(250 * time.Millisecond),
			want: []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond}},
		{name: "exponential, gRPC values without jitter", backoff: dialx.ExponentialBackoff{Jitter: -1},
			want: []time.Duration{0, time.Second, 2600 * time.Millisecond, 5160 * time.Millisecond}},
		{name: "zero wait", backoff: dialx.ConstantBackoff(0), want: []time.Duration{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				inner := newTimedFailing(down)
				_, err := dialx.NewRepeat(inner, 4, dialx.WithBackoff(tt.backoff)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
				assert.EqualError(t, err, "dialx: repeat tcp 127.0.0.1:80: all 4 tries failed: down; down; down; down")
				assert.Equal(t, tt.want, inner.times())
				assert.Equal(t, tt.want[len(tt.want)-1], time.Since(inner.start), "no wait after the last try")
			})
		})
	}
}

func TestRepeatWithBackoffCountsRetriesFromOne(t *testing.T) {
	backoff := &recordingBackoff{}
	_, err := dialx.NewRepeat(dialx.DialerFunc(dialtest.Failing(errors.New("down"))), 5, dialx.WithBackoff(backoff)).
		DialContext(context.Background(), "tcp", "127.0.0.1:80")
	require.Error(t, err)
	assert.Equal(t, []int{1, 2, 3, 4}, backoff.retries)
}

func TestRepeatBackoffWaitHonoursContext(t *testing.T) {
	down := errors.New("down")
	tests := []struct {
		name        string
		ctx         func() (context.Context, context.CancelFunc)
		cancelAfter time.Duration
		wantErr     error
		wantElapsed time.Duration
		wantTimeout bool
	}{
		{name: "cancel during the first wait", cancelAfter: 400 * time.Millisecond,
			ctx:     func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			wantErr: context.Canceled, wantElapsed: 400 * time.Millisecond},
		{name: "deadline during the first wait",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 700*time.Millisecond)
			},
			wantErr: context.DeadlineExceeded, wantElapsed: 700 * time.Millisecond, wantTimeout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := tt.ctx()
				defer cancel()
				if tt.cancelAfter > 0 {
					time.AfterFunc(tt.cancelAfter, cancel)
				}
				inner := newTimedFailing(down)
				start := time.Now()
				_, err := dialx.NewRepeat(inner, 5, dialx.WithBackoff(dialx.ConstantBackoff(time.Second))).DialContext(ctx, "tcp", "127.0.0.1:80")
				assert.Equal(t, tt.wantElapsed, time.Since(start), "the wait must end with ctx")
				assert.Len(t, inner.times(), 1, "no try may start once ctx is done")
				assert.ErrorIs(t, err, tt.wantErr)
				assert.ErrorIs(t, err, down)
				assert.Contains(t, err.Error(), "stopped after 1 of 5 tries")
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.Equal(t, tt.wantTimeout, netErr.Timeout())
			})
		})
	}
}

func TestRepeatWithRetryIf(t *testing.T) {
	transient, fatal := errors.New("transient"), errors.New("fatal")
	onlyTransient := func(err error) bool { return errors.Is(err, transient) }
	tests := []struct {
		name      string
		retryIf   func(error) bool
		failures  []error
		wantCalls int64
		wantErr   string
	}{
		{name: "retryable failures are retried", retryIf: onlyTransient, failures: []error{transient, transient}, wantCalls: 3},
		{name: "stops at the first failure not to retry", retryIf: onlyTransient, failures: []error{transient, fatal, transient}, wantCalls: 2,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: stopped after 2 of 5 tries: not retryable; transient; fatal"},
		{name: "never retry", retryIf: func(error) bool { return false }, failures: []error{transient}, wantCalls: 1,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: stopped after 1 of 5 tries: not retryable; transient"},
		{name: "the last try is not asked about", retryIf: onlyTransient, failures: []error{transient, transient, transient, transient, fatal}, wantCalls: 5,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: all 5 tries failed: transient; transient; transient; transient; fatal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner, calls := scripted(tt.failures...)
			conn, err := dialx.NewRepeat(inner, 5, dialx.WithRetryIf(tt.retryIf)).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Equal(t, tt.wantCalls, calls.Load())
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NoError(t, conn.Close())
				return
			}
			assert.EqualError(t, err, tt.wantErr)
			for _, want := range tt.failures[:tt.wantCalls] {
				assert.ErrorIs(t, err, want)
			}
		})
	}
}

// By default a failure that carries a deadline of the try's own (a Timeout
// inside the Repeat) is retried: only the caller's ctx ending stops Repeat.
func TestRepeatRetriesInnerTimeoutsByDefault(t *testing.T) {
	inner, calls := scripted(context.DeadlineExceeded, context.DeadlineExceeded)
	conn, err := dialx.NewRepeat(inner, 3).DialContext(context.Background(), "tcp", "127.0.0.1:80")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	assert.Equal(t, int64(3), calls.Load())
}

// The condition is not asked once the caller's ctx is done: Repeat stops.
func TestRepeatWithRetryIfNotAskedOnceContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		cancel()
		return nil, errors.New("refused")
	})
	var asked atomic.Bool
	_, err := dialx.NewRepeat(inner, 3, dialx.WithRetryIf(func(error) bool { asked.Store(true); return true })).
		DialContext(ctx, "tcp", "127.0.0.1:80")
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, asked.Load())
}

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

// Options cost nothing on the success path: Repeat still allocates nothing.
func TestRepeatWithOptionsDoesNotAllocateOnSuccess(t *testing.T) {
	repeat := dialx.NewRepeat(dialx.DialerFunc(dialtest.Instant()), 3,
		dialx.WithBackoff(dialx.ExponentialBackoff{}),
		dialx.WithRetryIf(func(error) bool { return true }),
		dialx.WithBudget(new(dialx.Budget)))
	assertDialDoesNotAllocate(t, context.Background(), repeat, "127.0.0.1:80")
}

func TestRepeatOptionsPanicOnNil(t *testing.T) {
	tests := []struct {
		name string
		make func()
		want string
	}{
		{name: "backoff", make: func() { dialx.WithBackoff(nil) }, want: "dialx: WithBackoff: backoff must not be nil, got nil"},
		{name: "retry condition", make: func() { dialx.WithRetryIf(nil) }, want: "dialx: WithRetryIf: retryable must not be nil, got nil"},
		{name: "budget", make: func() { dialx.WithBudget(nil) }, want: "dialx: WithBudget: budget must not be nil, got nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}
