package dialx_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestConcurrentFirstSuccessWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := &dialtest.Dialer{Label: "slow", Wait: time.Second}
		fast := &dialtest.Dialer{Label: "fast", Wait: 10 * time.Millisecond}
		stubborn := &dialtest.Dialer{Label: "stubborn", Block: true, IgnoreCtx: true, Release: make(chan struct{})}

		start := time.Now()
		conn, err := dialx.NewConcurrent(slow, fast, stubborn).DialContext(context.Background(), "tcp", "example.com:80")
		require.NoError(t, err)
		assert.Equal(t, 10*time.Millisecond, time.Since(start), "returns as soon as one succeeded")
		assert.Equal(t, "fast", conn.(*dialtest.Conn).Label)

		synctest.Wait()
		assert.Empty(t, slow.Conns(), "the loser saw its ctx cancelled and never connected")

		close(stubborn.Release) // a loser that ignores ctx connects late
		synctest.Wait()
		require.Len(t, stubborn.Conns(), 1)
		assert.True(t, stubborn.Conns()[0].Closed(), "late connection closed")
		assert.False(t, conn.(*dialtest.Conn).Closed(), "the winner stays open")
		conn.Close()
	})
}

func TestConcurrentFailsWithEveryAttemptsErrorInTheOrderGiven(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errA, errB, errC := errors.New("a down"), errors.New("b down"), errors.New("c down")
		// c fails first and a last: the error still lists them in the
		// order the dialers were given.
		a := &dialtest.Dialer{Err: errA, Wait: 3 * time.Millisecond}
		b := &dialtest.Dialer{Err: errB, Wait: 2 * time.Millisecond}
		c := &dialtest.Dialer{Err: errC, Wait: 1 * time.Millisecond}
		start := time.Now()
		conn, err := dialx.NewConcurrent(a, b, c).DialContext(context.Background(), "tcp", "example.com:80")
		assert.Equal(t, 3*time.Millisecond, time.Since(start), "returns as soon as all failed")
		assert.Nil(t, conn)
		for _, want := range []error{errA, errB, errC} {
			assert.ErrorIs(t, err, want)
		}
		assert.EqualError(t, err, "dialx: concurrent tcp example.com:80: all 3 attempts failed: a down; b down; c down")
	})
}

func TestConcurrentReturnsWhenCtxEndsEvenIfARacerIgnoresIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		honest := &dialtest.Dialer{Block: true}
		stubborn := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: make(chan struct{})}
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		conn, err := dialx.NewConcurrent(honest, stubborn).DialContext(ctx, "tcp", "example.com:80")
		assert.Equal(t, time.Second, time.Since(start), "returns on cancel even if a racer ignores ctx")
		assert.Nil(t, conn)
		assert.ErrorIs(t, err, context.Canceled)

		close(stubborn.Release)
		synctest.Wait()
		assert.True(t, stubborn.Conns()[0].Closed(), "late connection closed")
	})
}

func TestConcurrentDialsNothingWhenCtxIsAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &dialtest.Dialer{}
	_, err := dialx.NewConcurrent(d, d).DialContext(ctx, "tcp", "example.com:80")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, d.Calls())
}

// A staggered race starts no further attempt once ctx is done, even when
// an attempt's failure would let the next one start at once. Whether the
// race sees the failure or the cancel first is up to select, so the dial is
// made many times.
func TestConcurrentStaggerStopsOnceContextIsDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		second := &dialtest.Dialer{}
		for range 200 {
			ctx, cancel := context.WithCancel(context.Background())
			first := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
				cancel()
				return nil, errors.New("refused")
			})
			d := dialx.NewConcurrent(first, second).WithOptions(dialx.WithStagger(time.Second))
			conn, err := d.DialContext(ctx, "tcp", "example.com:80")
			assert.Nil(t, conn)
			assert.ErrorIs(t, err, context.Canceled)
		}
		synctest.Wait() // for any attempt wrongly started
		assert.Zero(t, second.Calls(), "no attempt may start once ctx is done")
	})
}

// racer is a scripted member of a staggered race: it takes wait, then
// fails with err or succeeds; it records when it started, when its ctx
// ended, and the connection it made.
type racer struct {
	wait      time.Duration
	err       error
	ignoreCtx bool

	mu        sync.Mutex
	startedAt time.Duration // since the test began; -1 if never
	cancelled bool
	conn      *dialtest.Conn
}

func (r *racer) dialer(epoch time.Time) dialx.Dialer {
	r.startedAt = -1
	return dialx.DialerFunc(func(ctx context.Context, _, _ string) (net.Conn, error) {
		r.mu.Lock()
		r.startedAt = time.Since(epoch)
		r.mu.Unlock()
		done := ctx.Done()
		if r.ignoreCtx {
			done = nil
		}
		select {
		case <-time.After(r.wait):
		case <-done:
			r.mu.Lock()
			r.cancelled = true
			r.mu.Unlock()
			return nil, ctx.Err()
		}
		if r.err != nil {
			return nil, r.err
		}
		conn := dialtest.NewConn("")
		r.mu.Lock()
		r.conn = conn
		r.mu.Unlock()
		return conn, nil
	})
}

func (r *racer) started() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.startedAt
}

func TestConcurrentWithStaggerStartsEachAttemptAfterTheDelayOrAFailure(t *testing.T) {
	const stagger = 250 * time.Millisecond
	errA, errB, errC := errors.New("a down"), errors.New("b down"), errors.New("c down")
	never := time.Hour
	tests := []struct {
		name        string
		racers      []*racer
		wantStarts  []time.Duration // -1: never started
		wantWinner  int             // -1: the dial fails
		wantElapsed time.Duration
		wantErrs    []error
		wantCancel  []bool
	}{{
		name:        "the first wins before the others are due",
		racers:      []*racer{{wait: 100 * time.Millisecond}, {wait: 0}, {wait: 0}},
		wantStarts:  []time.Duration{0, -1, -1},
		wantWinner:  0,
		wantElapsed: 100 * time.Millisecond,
		wantCancel:  []bool{false, false, false},
	}, {
		name:        "each starts a stagger after the previous; the third wins",
		racers:      []*racer{{wait: never}, {wait: never}, {wait: 100 * time.Millisecond}},
		wantStarts:  []time.Duration{0, stagger, 2 * stagger},
		wantWinner:  2,
		wantElapsed: 2*stagger + 100*time.Millisecond,
		wantCancel:  []bool{true, true, false},
	}, {
		name:        "a failure starts the next at once",
		racers:      []*racer{{wait: 50 * time.Millisecond, err: errA}, {wait: 30 * time.Millisecond, err: errB}, {wait: 10 * time.Millisecond}},
		wantStarts:  []time.Duration{0, 50 * time.Millisecond, 80 * time.Millisecond},
		wantWinner:  2,
		wantElapsed: 90 * time.Millisecond,
		wantCancel:  []bool{false, false, false},
	}, {
		name: "a failure of an earlier attempt also starts the next",
		racers: []*racer{{wait: 300 * time.Millisecond, err: errA}, {wait: 400 * time.Millisecond},
			{wait: 50 * time.Millisecond}},
		wantStarts:  []time.Duration{0, stagger, 300 * time.Millisecond},
		wantWinner:  2,
		wantElapsed: 350 * time.Millisecond,
		wantCancel:  []bool{false, true, false},
	}, {
		name: "two failing at once start one attempt each",
		racers: []*racer{{wait: 2 * stagger, err: errA}, {wait: stagger, err: errB},
			{wait: never}, {wait: 10 * time.Millisecond}},
		wantStarts:  []time.Duration{0, stagger, 2 * stagger, 2 * stagger},
		wantWinner:  3,
		wantElapsed: 2*stagger + 10*time.Millisecond,
		wantCancel:  []bool{false, false, true, false},
	}, {
		name: "all fail: every error, in the order of the dialers",
		racers: []*racer{{wait: 400 * time.Millisecond, err: errA}, {wait: 100 * time.Millisecond, err: errB},
			{wait: 0, err: errC}},
		wantStarts:  []time.Duration{0, stagger, 350 * time.Millisecond},
		wantWinner:  -1,
		wantElapsed: 400 * time.Millisecond,
		wantErrs:    []error{errA, errB, errC},
		wantCancel:  []bool{false, false, false},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				epoch := time.Now()
				var ds []dialx.Dialer
				for _, r := range tt.racers {
					ds = append(ds, r.dialer(epoch))
				}
				d := dialx.NewConcurrent(ds...).WithOptions(dialx.WithStagger(stagger))
				conn, err := d.DialContext(t.Context(), "tcp", "svc:443")
				elapsed := time.Since(epoch)
				synctest.Wait() // let the losers see their cancellation
				if tt.wantWinner < 0 {
					require.Error(t, err)
					require.Nil(t, conn)
					for _, want := range tt.wantErrs {
						assert.ErrorIs(t, err, want)
					}
					assert.Equal(t, "dialx: concurrent tcp svc:443: all 3 attempts failed: a down; b down; c down", err.Error())
				} else {
					require.NoError(t, err)
					assert.Same(t, tt.racers[tt.wantWinner].conn, conn)
					conn.Close()
				}
				assert.Equal(t, tt.wantElapsed, elapsed)
				for i, r := range tt.racers {
					assert.Equal(t, tt.wantStarts[i], r.started(), "start of racer %d", i)
					assert.Equal(t, tt.wantCancel[i], r.cancelled, "cancellation of racer %d", i)
				}
			})
		})
	}
}

func TestConcurrentWithStaggerClosesLateConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		stubborn := &racer{wait: time.Second, ignoreCtx: true}
		quick := &racer{wait: 10 * time.Millisecond}
		d := dialx.NewConcurrent(stubborn.dialer(epoch), quick.dialer(epoch)).
			WithOptions(dialx.WithStagger(100 * time.Millisecond))
		conn, err := d.Dial("tcp", "svc:443")
		require.NoError(t, err)
		assert.Same(t, quick.conn, conn)
		conn.Close()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		require.NotNil(t, stubborn.conn)
		assert.True(t, stubborn.conn.Closed(), "a connection that arrives after the race is closed")
	})
}

func TestConcurrentWithStaggerReturnsWhenCtxEndsWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		first, second := &racer{wait: time.Hour}, &racer{wait: 0}
		d := dialx.NewConcurrent(first.dialer(epoch), second.dialer(epoch)).
			WithOptions(dialx.WithStagger(time.Second))
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		_, err := d.DialContext(ctx, "tcp", "svc:443")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 300*time.Millisecond, time.Since(epoch))
		synctest.Wait()
		assert.True(t, first.cancelled)
		assert.Equal(t, time.Duration(-1), second.started(), "the second never started")
	})
}

func TestConcurrentWithoutStaggerStartsAllAtOnceAndWithOptionsCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		rs := []*racer{{wait: time.Hour}, {wait: time.Hour}, {wait: time.Second}}
		var ds []dialx.Dialer
		for _, r := range rs {
			ds = append(ds, r.dialer(epoch))
		}
		plain := dialx.NewConcurrent(ds...)
		staggered := plain.WithOptions(dialx.WithStagger(time.Minute))
		zero := staggered.WithOptions(dialx.WithStagger(0))
		for _, d := range []*dialx.Concurrent{plain, zero} {
			epoch = time.Now()
			conn, err := d.Dial("tcp", "svc:443")
			require.NoError(t, err)
			conn.Close()
			assert.Equal(t, time.Second, time.Since(epoch), "WithOptions must not change the original")
		}
	})
}

func TestConcurrentWithStaggerReportsEachStartToTheTrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		rs := []*racer{{wait: time.Hour}, {wait: 20 * time.Millisecond, err: errRefused}, {wait: time.Hour}, {wait: 10 * time.Millisecond}}
		var ds []dialx.Dialer
		for _, r := range rs {
			ds = append(ds, r.dialer(epoch))
		}
		log := traceLog{skip: "dial"}
		tr := log.trace()
		d := dialx.NewConcurrent(ds...).WithOptions(dialx.WithStagger(100 * time.Millisecond))
		conn, err := d.DialContext(dialx.WithTrace(t.Context(), tr), "tcp", "svc:443")
		require.NoError(t, err)
		conn.Close()
		assert.Equal(t, "racer 0 start after 0s\nracer 1 start after 100ms\nracer 2 start after 120ms\n"+
			"racer 3 start after 220ms\nracer 3 won after 230ms\nracer 0 cancelled\nracer 2 cancelled", log.String())
	})
}
