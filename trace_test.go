package dialx_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// traceLog is a Trace that writes every event it gets as one line.
type traceLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *traceLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *traceLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *traceLog) trace() *dialx.Trace {
	return &dialx.Trace{
		DialStart: func(i dialx.DialStartInfo) { l.add("dial start %s %s", i.Network, i.Address) },
		DialDone: func(i dialx.DialDoneInfo) {
			l.add("dial done %s %s %v err=%v", i.Network, i.Address, i.Duration, i.Err)
		},
		Attempt: func(i dialx.AttemptInfo) {
			l.add("attempt %s %d/%d wait=%v", i.Op, i.Attempt, i.Of, i.Wait)
		},
		SelectiveMatch:  func(i dialx.SelectiveMatchInfo) { l.add("selective rule %d %q", i.Index, i.Pattern) },
		ConcurrentStart: func(i dialx.ConcurrentStartInfo) { l.add("racer %d start after %v", i.Racer, i.After) },
		ConcurrentWon:   func(i dialx.ConcurrentWonInfo) { l.add("racer %d won after %v", i.Racer, i.After) },
		ConcurrentCancelled: func(i dialx.ConcurrentCancelledInfo) {
			l.add("racer %d cancelled", i.Racer)
		},
		BreakerRefused: func(i dialx.BreakerRefusedInfo) { l.add("breaker refused %s (%s)", i.Key, i.State) },
		BreakerStateChange: func(i dialx.BreakerStateChangeInfo) {
			l.add("breaker %s %s>%s", i.Key, i.From, i.To)
		},
		LimitWaitStart: func(i dialx.LimitWaitStartInfo) { l.add("limit wait %s", i.Address) },
		LimitWaitDone:  func(i dialx.LimitWaitDoneInfo) { l.add("limit waited %v err=%v", i.Waited, i.Err) },
		DelayWait:      func(i dialx.DelayWaitInfo) { l.add("delay %v", i.Wait) },
		TimeoutFired:   func(i dialx.TimeoutFiredInfo) { l.add("timeout after %v", i.After) },
	}
}

// slowDial is an innermost dialer that takes wait and then fails with err,
// or succeeds when err is nil.
func slowDial(wait time.Duration, err error) dialx.DialerFunc {
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, err
		}
		return idleConn{}, nil
	}
}

func TestTraceFramesOnlyTheInnermostDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		d := dialx.NewBreaker(dialx.NewBreaker(slowDial(3*time.Second, nil)))
		conn, err := d.DialContext(ctx, "tcp", "a:1")
		require.NoError(t, err)
		conn.Close()
		_, err = d.DialContext(ctx, "udp", "b:2")
		require.NoError(t, err)
		assert.Equal(t, "dial start tcp a:1\ndial done tcp a:1 3s err=<nil>\n"+
			"dial start udp b:2\ndial done udp b:2 3s err=<nil>", log.String())
	})
}

func TestTraceBreakerEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		fail := true
		d := dialx.NewBreaker(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			if fail {
				return nil, errRefused
			}
			return idleConn{}, nil
		}), dialx.WithConsecutiveFailures(2), dialx.WithBackoff(dialx.ConstantBackoff(time.Second)))
		for range 3 {
			d.DialContext(ctx, "tcp", "a:1")
		}
		time.Sleep(2 * time.Second)
		fail = false
		_, err := d.DialContext(ctx, "tcp", "a:1")
		require.NoError(t, err)
		assert.Equal(t, strings.Join([]string{
			"dial start tcp a:1", "dial done tcp a:1 0s err=connection refused",
			"dial start tcp a:1", "dial done tcp a:1 0s err=connection refused",
			"breaker a:1 closed>open",
			"breaker refused a:1 (open)",
			"breaker a:1 open>half-open",
			"dial start tcp a:1", "dial done tcp a:1 0s err=<nil>",
			"breaker a:1 half-open>closed",
		}, "\n"), log.String())
	})
}

func TestWithTraceComposes(t *testing.T) {
	var calls []string
	outer := &dialx.Trace{DialStart: func(dialx.DialStartInfo) { calls = append(calls, "outer") }}
	inner := &dialx.Trace{
		DialStart: func(dialx.DialStartInfo) { calls = append(calls, "inner") },
		DialDone:  func(dialx.DialDoneInfo) { calls = append(calls, "inner done") },
	}
	ctx := dialx.WithTrace(dialx.WithTrace(context.Background(), outer), inner)
	_, err := dialx.NewBreaker(dialx.DialerFunc(instantDial)).DialContext(ctx, "tcp", "a:1")
	require.NoError(t, err)
	assert.Equal(t, []string{"inner", "outer", "inner done"}, calls)
	assert.Same(t, outer, dialx.ContextTrace(dialx.WithTrace(context.Background(), outer)))
	assert.Nil(t, dialx.ContextTrace(context.Background()))
	assert.PanicsWithValue(t, "dialx: WithTrace: trace must not be nil, got nil", func() {
		dialx.WithTrace(context.Background(), nil)
	})
}

func TestTraceWithNilHooks(t *testing.T) {
	// Every event a Breaker and a Concurrent report, with no hook set:
	// none may be called, so none may panic.
	ctx := dialx.WithTrace(context.Background(), &dialx.Trace{})
	fail := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, errRefused })
	br := dialx.NewBreaker(fail, dialx.WithConsecutiveFailures(1))
	d := dialx.NewConcurrent(br, dialx.DialerFunc(instantDial)).WithOptions(dialx.WithStagger(time.Hour))
	conn, err := d.DialContext(ctx, "tcp", "a:1") // a failure, a state change, a win
	require.NoError(t, err)
	conn.Close()
	_, err = br.DialContext(ctx, "tcp", "a:1") // a refusal
	require.ErrorIs(t, err, dialx.ErrOpen)
}

func TestNewSlogTrace(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	tr := dialx.NewSlogTrace(logger, slog.LevelDebug)
	tr.DialStart(dialx.DialStartInfo{Network: "tcp", Address: "a:1"})
	tr.DialDone(dialx.DialDoneInfo{Network: "tcp", Address: "a:1", Duration: time.Second, Err: errRefused})
	tr.Attempt(dialx.AttemptInfo{Op: "repeat", Network: "tcp", Address: "a:1", Attempt: 2, Of: 3, Wait: time.Second})
	tr.SelectiveMatch(dialx.SelectiveMatchInfo{Network: "tcp", Address: "a:1", Index: 1, Pattern: "*:1"})
	tr.ConcurrentStart(dialx.ConcurrentStartInfo{Network: "tcp", Address: "a:1", Racer: 1, After: time.Second})
	tr.ConcurrentWon(dialx.ConcurrentWonInfo{Network: "tcp", Address: "a:1", Racer: 1, After: time.Second})
	tr.ConcurrentCancelled(dialx.ConcurrentCancelledInfo{Network: "tcp", Address: "a:1", Racer: 0})
	tr.BreakerRefused(dialx.BreakerRefusedInfo{Network: "tcp", Address: "a:1", Key: "a:1", State: dialx.BreakerOpen})
	tr.BreakerStateChange(dialx.BreakerStateChangeInfo{Network: "tcp", Address: "a:1", Key: "a:1",
		From: dialx.BreakerClosed, To: dialx.BreakerOpen})
	tr.LimitWaitStart(dialx.LimitWaitStartInfo{Network: "tcp", Address: "a:1"})
	tr.LimitWaitDone(dialx.LimitWaitDoneInfo{Network: "tcp", Address: "a:1", Waited: time.Second})
	tr.DelayWait(dialx.DelayWaitInfo{Network: "tcp", Address: "a:1", Wait: time.Second})
	tr.TimeoutFired(dialx.TimeoutFiredInfo{Network: "tcp", Address: "a:1", After: time.Second})
	const at = " network=tcp address=a:1"
	assert.Equal(t, strings.Join([]string{
		`level=DEBUG msg="dialx: dial start"` + at,
		`level=DEBUG msg="dialx: dial done"` + at + ` duration=1s error="connection refused"`,
		`level=DEBUG msg="dialx: attempt"` + at + ` op=repeat attempt=2 of=3 wait=1s`,
		`level=DEBUG msg="dialx: selective match"` + at + ` rule=1 pattern=*:1`,
		`level=DEBUG msg="dialx: concurrent start"` + at + ` racer=1 after=1s`,
		`level=DEBUG msg="dialx: concurrent won"` + at + ` racer=1 after=1s`,
		`level=DEBUG msg="dialx: concurrent cancelled"` + at + ` racer=0`,
		`level=DEBUG msg="dialx: breaker refused"` + at + ` key=a:1 state=open`,
		`level=DEBUG msg="dialx: breaker state"` + at + ` key=a:1 from=closed to=open`,
		`level=DEBUG msg="dialx: limit wait start"` + at,
		`level=DEBUG msg="dialx: limit wait done"` + at + ` waited=1s`,
		`level=DEBUG msg="dialx: delay wait"` + at + ` wait=1s`,
		`level=DEBUG msg="dialx: timeout fired"` + at + ` after=1s`,
	}, "\n")+"\n", buf.String())

	buf.Reset()
	quiet := dialx.NewSlogTrace(logger, slog.LevelDebug-4)
	quiet.DialStart(dialx.DialStartInfo{Network: "tcp", Address: "a:1"})
	assert.Empty(t, buf.String(), "records below the handler's level are dropped")
	assert.PanicsWithValue(t, "dialx: NewSlogTrace: logger must not be nil, got nil", func() { dialx.NewSlogTrace(nil, 0) })
}

func TestTraceTimeoutDelaySwappable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		slow := slowDial(5*time.Second, nil)
		// Deaf to its ctx, so that the Timeout fires well before it returns.
		deaf := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			time.Sleep(5 * time.Second)
			return idleConn{}, nil
		})
		d := dialx.NewSwappable(dialx.NewTimeout(dialx.NewDelay(deaf, time.Second), 3*time.Second))
		_, err := d.DialContext(ctx, "tcp", "a:1")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		time.Sleep(10 * time.Second)
		assert.Equal(t, "delay 1s\ndial start tcp a:1\ntimeout after 3s\n"+
			"dial done tcp a:1 5s err=<nil>", log.String())

		// A Swappable over the innermost dial frames it; a zero Delay reports no wait.
		var log2 traceLog
		d2 := dialx.NewSwappable(dialx.NewDelay(slow, 0))
		d2.Swap(slow)
		conn, err := d2.DialContext(dialx.WithTrace(t.Context(), log2.trace()), "tcp", "b:2")
		require.NoError(t, err)
		conn.Close()
		assert.Equal(t, "dial start tcp b:2\ndial done tcp b:2 5s err=<nil>", log2.String())
	})
}

func TestTraceSelective(t *testing.T) {
	synctest.Test(t, testTraceSelective)
}

func testTraceSelective(t *testing.T) {
	var log traceLog
	ctx := dialx.WithTrace(t.Context(), log.trace())
	s, err := dialx.NewSelective(
		dialx.Rule{Pattern: "*.blocked.example", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "*:443", Dialer: dialx.DialerFunc(instantDial)},
		dialx.Rule{Pattern: "*", Dialer: dialx.NewBreaker(dialx.DialerFunc(instantDial))},
	)
	require.NoError(t, err)
	_, err = s.DialContext(ctx, "tcp", "x.blocked.example:443")
	require.ErrorIs(t, err, dialx.ErrRejected)
	_, err = s.DialContext(ctx, "tcp", "api.example:443")
	require.NoError(t, err)
	_, err = s.DialContext(ctx, "tcp", "api.example:80")
	require.NoError(t, err)
	assert.Equal(t, "selective rule 0 \"*.blocked.example\"\n"+
		"dial start tcp x.blocked.example:443\n"+
		"dial done tcp x.blocked.example:443 0s err=dialx: reject tcp x.blocked.example:443: connection rejected\n"+
		"selective rule 1 \"*:443\"\ndial start tcp api.example:443\ndial done tcp api.example:443 0s err=<nil>\n"+
		"selective rule 2 \"*\"\ndial start tcp api.example:80\ndial done tcp api.example:80 0s err=<nil>",
		log.String())
}

func TestTraceAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		failing := slowDial(time.Second, errRefused)
		r := dialx.NewRepeat(failing, 3, dialx.WithBackoff(dialx.ConstantBackoff(2*time.Second)))
		_, err := r.DialContext(ctx, "tcp", "a:1")
		require.ErrorIs(t, err, errRefused)
		c := dialx.NewConsecutive(failing, dialx.NewRandom(dialx.DialerFunc(instantDial)))
		_, err = c.DialContext(ctx, "tcp", "b:2")
		require.NoError(t, err)
		assert.Equal(t, strings.Join([]string{
			"attempt repeat 1/3 wait=0s", "dial start tcp a:1", "dial done tcp a:1 1s err=connection refused",
			"attempt repeat 2/3 wait=2s", "dial start tcp a:1", "dial done tcp a:1 1s err=connection refused",
			"attempt repeat 3/3 wait=2s", "dial start tcp a:1", "dial done tcp a:1 1s err=connection refused",
			"attempt consecutive 1/2 wait=0s", "dial start tcp b:2", "dial done tcp b:2 1s err=connection refused",
			"attempt consecutive 2/2 wait=0s",
			"attempt random 1/1 wait=0s", "dial start tcp b:2", "dial done tcp b:2 0s err=<nil>",
		}, "\n"), log.String())
	})
}

func TestTraceLimitWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		l := dialx.NewLimit(slowDial(time.Second, nil), 1)
		first := make(chan error)
		go func() {
			conn, err := l.DialContext(t.Context(), "tcp", "a:1") // untraced: holds the slot for 1s
			if err == nil {
				conn.Close()
			}
			first <- err
		}()
		synctest.Wait()
		conn, err := l.DialContext(ctx, "tcp", "b:2")
		require.NoError(t, err)
		conn.Close()
		require.NoError(t, <-first)

		go func() {
			conn, err := l.DialContext(t.Context(), "tcp", "a:1")
			if err == nil {
				conn.Close()
			}
			first <- err
		}()
		synctest.Wait()
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		_, err = l.DialContext(short, "tcp", "c:3")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NoError(t, <-first)
		assert.Equal(t, strings.Join([]string{
			"limit wait b:2", "limit waited 1s err=<nil>",
			"dial start tcp b:2", "dial done tcp b:2 1s err=<nil>",
			"limit wait c:3", "limit waited 300ms err=gave up waiting for one of 1 dials in flight: context deadline exceeded",
		}, "\n"), log.String())
	})
}

func TestTraceThroughAStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		race := dialx.NewConcurrent(slowDial(time.Hour, nil), slowDial(50*time.Millisecond, nil)).
			WithOptions(dialx.WithStagger(200 * time.Millisecond))
		sel, err := dialx.NewSelective(
			dialx.Rule{Pattern: "a.example", Dialer: slowDial(100*time.Millisecond, errRefused)},
			dialx.Rule{Pattern: "*", Dialer: race},
		)
		require.NoError(t, err)
		d := dialx.NewTimeout(dialx.NewRepeat(dialx.NewBreaker(sel), 2,
			dialx.WithBackoff(dialx.ConstantBackoff(time.Second))), 10*time.Second)

		_, err = d.DialContext(ctx, "tcp", "a.example:1")
		require.ErrorIs(t, err, errRefused)
		conn, err := d.DialContext(ctx, "tcp", "b.example:1")
		require.NoError(t, err)
		conn.Close()
		synctest.Wait()

		lines := strings.Split(log.String(), "\n")
		require.Len(t, lines, 18)
		assert.Equal(t, []string{
			"attempt repeat 1/2 wait=0s", `selective rule 0 "a.example"`,
			"dial start tcp a.example:1", "dial done tcp a.example:1 100ms err=connection refused",
			"attempt repeat 2/2 wait=1s", `selective rule 0 "a.example"`,
			"dial start tcp a.example:1", "dial done tcp a.example:1 100ms err=connection refused",
			"attempt repeat 1/2 wait=0s", `selective rule 1 "*"`,
			"racer 0 start after 0s", "dial start tcp b.example:1",
			"racer 1 start after 200ms", "dial start tcp b.example:1",
			"dial done tcp b.example:1 50ms err=<nil>",
		}, lines[:15])
		// The loser's cancellation and its dial's end come in either order.
		assert.ElementsMatch(t, []string{
			"racer 1 won after 250ms", "racer 0 cancelled",
			"dial done tcp b.example:1 250ms err=context canceled",
		}, lines[15:])
	})
}

func TestTraceConcurrentCancelledByTheCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		tr := log.trace()
		tr.DialStart, tr.DialDone = nil, nil
		ctx, cancel := context.WithTimeout(dialx.WithTrace(t.Context(), tr), 200*time.Millisecond)
		defer cancel()
		d := dialx.NewConcurrent(slowDial(time.Hour, nil), slowDial(50*time.Millisecond, errRefused), slowDial(time.Hour, nil)).
			WithOptions(dialx.WithStagger(100 * time.Millisecond))
		_, err := d.DialContext(ctx, "tcp", "a:1")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		synctest.Wait()
		assert.Equal(t, "racer 0 start after 0s\nracer 1 start after 100ms\nracer 2 start after 150ms\n"+
			"racer 0 cancelled\nracer 2 cancelled", log.String())
	})
}
