package dialx_test

import (
	"context"
	"errors"
	"math"
	"net"
	"runtime"
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

// scripted fails the first len(errs) calls with errs in order, then succeeds.
func scripted(errs ...error) (dialx.Dialer, *atomic.Int64) {
	var calls atomic.Int64
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		n := int(calls.Add(1)) - 1
		if n < len(errs) {
			return nil, errs[n]
		}
		return dialtest.NewConn("ok"), nil
	}), &calls
}

func TestRepeatReturnsTheFirstConnectionOrEveryTrysError(t *testing.T) {
	errA, errB, errC := errors.New("a"), errors.New("b"), errors.New("c")
	tests := []struct {
		name      string
		tries     int
		failures  []error
		wantCalls int64
		wantErr   string
	}{
		{name: "first try succeeds", tries: 3, wantCalls: 1},
		{name: "succeeds on the last try", tries: 3, failures: []error{errA, errB}, wantCalls: 3},
		{name: "all tries fail", tries: 3, failures: []error{errA, errB, errC}, wantCalls: 3,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: all 3 tries failed: a; b; c"},
		{name: "one try only", tries: 1, failures: []error{errA}, wantCalls: 1,
			wantErr: "dialx: repeat tcp 127.0.0.1:80: all 1 tries failed: a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner, calls := scripted(tt.failures...)
			conn, err := dialx.NewRepeat(inner, tt.tries).DialContext(context.Background(), "tcp", "127.0.0.1:80")
			assert.Equal(t, tt.wantCalls, calls.Load())
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NoError(t, conn.Close())
				return
			}
			assert.Nil(t, conn)
			assert.EqualError(t, err, tt.wantErr)
			for _, want := range tt.failures[:tt.wantCalls] {
				assert.ErrorIs(t, err, want)
			}
		})
	}
}

func TestRepeatStopsOnceContextIsDone(t *testing.T) {
	refused := errors.New("refused")
	t.Run("cancelled before the first try", func(t *testing.T) {
		inner, calls := scripted()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := dialx.NewRepeat(inner, 3).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, calls.Load(), "no try may start once ctx is done")
		assert.EqualError(t, err, "dialx: repeat tcp 127.0.0.1:80: stopped after 0 of 3 tries: context canceled")
	})
	t.Run("cancelled during the second try", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int64
		inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			if calls.Add(1) == 2 {
				cancel()
			}
			return nil, refused
		})
		_, err := dialx.NewRepeat(inner, 5).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.Equal(t, int64(2), calls.Load())
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, refused)
		assert.Contains(t, err.Error(), "stopped after 2 of 5 tries")
	})
	t.Run("last try ends with the deadline", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			cancel()
			return nil, refused // an inner error that does not itself match ctx.Err()
		})
		_, err := dialx.NewRepeat(inner, 1).DialContext(ctx, "tcp", "127.0.0.1:80")
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, refused)
	})
}

// A connection returned together with an error breaks the Dialer contract;
// it must be closed, not dropped.
func TestRepeatClosesStrayConnections(t *testing.T) {
	stray := dialtest.NewConn("stray")
	inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return stray, errors.New("half failed")
	})
	conn, err := dialx.NewRepeat(inner, 1).DialContext(context.Background(), "tcp", "127.0.0.1:80")
	assert.Nil(t, conn)
	assert.Error(t, err)
	assert.True(t, stray.Closed())
}

// Tries of math.MaxInt means "until ctx ends"; the first failure must not
// allocate room for every try (it panicked with "makeslice: cap out of
// range", and 1<<30 tries asked for 16 GiB).
func TestRepeatOfHugeTriesDoesNotAllocateRoomForEveryTry(t *testing.T) {
	errFail := errors.New("refused")
	for _, tries := range []int{1 << 30, math.MaxInt} {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		d := dialx.NewRepeat(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			calls++
			if calls == 3 {
				cancel()
			}
			return nil, errFail
		}), tries)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := d.DialContext(ctx, "tcp", "example.com:80")
		runtime.ReadMemStats(&after)
		cancel()
		require.Nil(t, c)
		require.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, errFail)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "tries %d", tries)
	}
}

// TestRepeatMillionTriesKeepsABoundedError: a Repeat of math.MaxInt tries
// over a dialer that fails at once used to keep every try's error (about a
// million in 400 ms) and print them all in a 16 MB message. It keeps the
// first and last few, says how many it left out, and still lets errors.Is
// reach the first and last try's errors and the ctx's end.
func TestRepeatMillionTriesKeepsABoundedError(t *testing.T) {
	const tries = 1_000_000
	errFirst, errMiddle, errLast := errors.New("first"), errors.New("middle"), errors.New("last")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	d := dialx.NewRepeat(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		calls++
		switch calls {
		case 1:
			return nil, errFirst
		case tries:
			cancel()
			return nil, errLast
		}
		return nil, errMiddle
	}), math.MaxInt)
	conn, err := d.DialContext(ctx, "tcp", "example.com:80")
	require.Nil(t, conn)
	assert.Equal(t, tries, calls)
	for _, want := range []error{errFirst, errMiddle, errLast, context.Canceled} {
		assert.ErrorIs(t, err, want)
	}
	var attempts interface{ Unwrap() []error }
	require.ErrorAs(t, err, &attempts)
	assert.Len(t, attempts.Unwrap(), 1+8, "the ctx's end, the first 4 and the last 4 tries")
	assert.Less(t, len(err.Error()), 1<<10)
	assert.Equal(t, "dialx: repeat tcp example.com:80: stopped after 1000000 of 9223372036854775807 tries: "+
		"context canceled; first; middle; middle; middle; ... 999992 more ...; middle; middle; middle; last", err.Error())
}

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

func TestRepeatWithRetryIfStopsAtTheFirstFailureNotToRetry(t *testing.T) {
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
