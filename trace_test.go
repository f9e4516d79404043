package dialx_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// traceLog is a Trace that writes every event it gets as one line.
type traceLog struct {
	skip string // an Op whose events are left out

	mu    sync.Mutex
	lines []string
}

func (l *traceLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *traceLog) trace() dialx.Trace {
	return func(_ context.Context, e dialx.Event) {
		if e.Op == l.skip {
			return
		}
		l.mu.Lock()
		l.lines = append(l.lines, eventLine(e))
		l.mu.Unlock()
	}
}

// eventLine writes e with the fields its kind uses.
func eventLine(e dialx.Event) string {
	switch e.Op + " " + e.Kind {
	case "dial start":
		return fmt.Sprintf("dial start %s %s", e.Network, e.Address)
	case "dial done":
		return fmt.Sprintf("dial done %s %s %v err=%v", e.Network, e.Address, e.Elapsed, e.Err)
	case "repeat attempt", "consecutive attempt", "random attempt":
		return fmt.Sprintf("attempt %s %d/%d wait=%v", e.Op, e.N, e.Of, e.Elapsed)
	case "selective match", "guard match":
		return fmt.Sprintf("%s rule %d %q", e.Op, e.N, e.Detail)
	case "concurrent start", "concurrent won":
		return fmt.Sprintf("racer %d %s after %v", e.N, e.Kind, e.Elapsed)
	case "concurrent cancelled":
		return fmt.Sprintf("racer %d cancelled", e.N)
	case "breaker refused":
		return fmt.Sprintf("breaker refused %s (%s)", e.Detail, e.To)
	case "breaker state":
		return fmt.Sprintf("breaker %s %s>%s", e.Detail, e.From, e.To)
	case "limit wait":
		return "limit wait " + e.Address
	case "limit waited":
		return fmt.Sprintf("limit waited %v err=%v", e.Elapsed, e.Err)
	case "delay wait":
		return fmt.Sprintf("delay %v", e.Elapsed)
	case "timeout fired":
		return fmt.Sprintf("timeout after %v", e.Elapsed)
	}
	return fmt.Sprintf("%+v", e)
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

func TestTraceReportsBreakerRefusalsAndStateChanges(t *testing.T) {
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

func TestWithTraceCallsTheNewTraceFirstThenTheOld(t *testing.T) {
	var calls []string
	record := func(name string) dialx.Trace {
		return func(_ context.Context, e dialx.Event) { calls = append(calls, name+" "+e.Op+" "+e.Kind) }
	}
	ctx := dialx.WithTrace(dialx.WithTrace(context.Background(), record("outer")), record("inner"))
	_, err := dialx.NewBreaker(dialx.DialerFunc(instantDial)).DialContext(ctx, "tcp", "a:1")
	require.NoError(t, err)
	assert.Equal(t, []string{"inner dial start", "outer dial start", "inner dial done", "outer dial done"}, calls)
}

func TestContextTraceReturnsTheTraceCtxCarriesOrNil(t *testing.T) {
	var calls []string
	only := func(_ context.Context, e dialx.Event) { calls = append(calls, "only "+e.Op+" "+e.Kind) }
	ctx := dialx.WithTrace(context.Background(), only)
	dialx.ContextTrace(ctx)(ctx, dialx.Event{Op: "mine", Kind: "step"})
	assert.Equal(t, []string{"only mine step"}, calls)
	assert.Nil(t, dialx.ContextTrace(context.Background()))
}

func TestWithTracePanicsOnANilTrace(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: WithTrace: trace must not be nil, got nil", func() {
		dialx.WithTrace(context.Background(), nil)
	})
}

type requestKey struct{}

func TestTraceGetsTheDialCtxWithEveryEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var kinds []string
		ctx := context.WithValue(t.Context(), requestKey{}, "req-1")
		ctx = dialx.WithTrace(ctx, func(ctx context.Context, e dialx.Event) {
			mu.Lock()
			defer mu.Unlock()
			kinds = append(kinds, e.Op+" "+e.Kind)
			assert.Equal(t, "req-1", ctx.Value(requestKey{}), "%s %s", e.Op, e.Kind)
		})
		br := dialx.NewBreaker(dialx.DialerFunc(dialtest.Failing(errRefused)), dialx.WithConsecutiveFailures(1))
		d := dialx.NewConcurrent(br, slowDial(time.Second, nil), slowDial(time.Hour, nil))
		conn, err := d.DialContext(ctx, "tcp", "a:1") // a failure, a state change, a win, a cancel
		require.NoError(t, err)
		conn.Close()
		_, err = br.DialContext(ctx, "tcp", "a:1") // a refusal
		require.ErrorIs(t, err, dialx.ErrOpen)
		synctest.Wait()
		for _, kind := range []string{"concurrent start", "dial start", "dial done", "breaker state",
			"concurrent won", "concurrent cancelled", "breaker refused"} {
			assert.Contains(t, kinds, kind)
		}
	})
}

func TestTraceReportsTimeoutAndDelayAndFramesDialsBehindSwappable(t *testing.T) {
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

func TestTraceReportsTheSelectiveRuleBeforeItsDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
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
	})
}

func TestTraceReportsAGuardsRuleAsTheGuards(t *testing.T) {
	var log traceLog
	ctx := dialx.WithTrace(context.Background(), log.trace())
	g, err := dialx.NewGuard(dialx.DialerFunc(instantDial))
	require.NoError(t, err)
	_, err = g.DialContext(ctx, "tcp", "127.0.0.1:80")
	require.ErrorIs(t, err, dialx.ErrRejected)
	lines := strings.Split(log.String(), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^guard rule \d+ "127\.0\.0\.0/8"$`, lines[0])
	assert.Equal(t, "dial start tcp 127.0.0.1:80", lines[1])
	assert.Regexp(t, `^dial done tcp 127\.0\.0\.1:80 \S+ err=.*not a public address`, lines[2])
}

func TestTraceReportsEachAttemptWithItsWait(t *testing.T) {
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

func TestTraceReportsLimitWaits(t *testing.T) {
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

func TestTraceFollowsADialThroughAStack(t *testing.T) {
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

func TestTraceReportsRacersCancelledByTheCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := traceLog{skip: "dial"}
		ctx, cancel := context.WithTimeout(dialx.WithTrace(t.Context(), log.trace()), 200*time.Millisecond)
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
