package dialx_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestSlogTraceLogsEachEventWithTheFieldsItsKindUses(t *testing.T) {
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
	ctx := context.Background()
	at := dialx.Event{Network: "tcp", Address: "a:1"}
	event := func(op, kind string, fill func(*dialx.Event)) dialx.Event {
		e := at
		e.Op, e.Kind = op, kind
		if fill != nil {
			fill(&e)
		}
		return e
	}
	for _, e := range []dialx.Event{
		event("dial", "start", nil),
		event("dial", "done", func(e *dialx.Event) { e.Elapsed, e.Err = time.Second, errRefused }),
		event("repeat", "attempt", func(e *dialx.Event) { e.N, e.Of, e.Elapsed = 2, 3, time.Second }),
		event("consecutive", "attempt", func(e *dialx.Event) { e.N, e.Of = 1, 2 }),
		event("selective", "match", func(e *dialx.Event) { e.N, e.Detail = 0, "*:1" }),
		event("concurrent", "start", func(e *dialx.Event) { e.N = 0 }),
		event("concurrent", "won", func(e *dialx.Event) { e.N, e.Elapsed = 1, time.Second }),
		event("concurrent", "cancelled", func(e *dialx.Event) { e.N = 0 }),
		event("breaker", "refused", func(e *dialx.Event) { e.Detail, e.To = "a:1", dialx.BreakerOpen }),
		event("breaker", "state", func(e *dialx.Event) { e.Detail, e.From, e.To = "a:1", dialx.BreakerClosed, dialx.BreakerOpen }),
		event("limit", "wait", nil),
		event("limit", "waited", func(e *dialx.Event) { e.Elapsed = time.Second }),
		event("delay", "wait", func(e *dialx.Event) { e.Elapsed = time.Second }),
		event("timeout", "fired", func(e *dialx.Event) { e.Elapsed = time.Second }),
		event("balancer", "attempt", func(e *dialx.Event) { e.N, e.Of = 1, 3 }),
		event("balancer", "chose", func(e *dialx.Event) { e.N = 0 }),
		event("httpproxy", "tunnel", func(e *dialx.Event) { e.Detail, e.Elapsed = "http://proxy:3128", time.Second }),
		event("tls", "handshake", func(e *dialx.Event) { e.Detail = "a" }),
		event("resolve", "hit", func(e *dialx.Event) { e.Detail = "a" }),
		event("resolve", "miss", func(e *dialx.Event) { e.Detail = "a" }),
		event("resolve", "stale", func(e *dialx.Event) { e.Detail, e.Elapsed, e.Err = "a", time.Second, errRefused }),
		event("endpoint", "dial", func(e *dialx.Event) { e.Detail = "db1:5432" }),
		event("mine", "step", func(e *dialx.Event) { e.Of, e.Detail = 4, "own" }),
	} {
		tr(ctx, e)
	}
	const a = " network=tcp address=a:1"
	assert.Equal(t, strings.Join([]string{
		`level=DEBUG msg="dialx: dial start"` + a,
		`level=DEBUG msg="dialx: dial done"` + a + ` elapsed=1s error="connection refused"`,
		`level=DEBUG msg="dialx: repeat attempt"` + a + ` n=2 of=3 elapsed=1s`,
		`level=DEBUG msg="dialx: consecutive attempt"` + a + ` n=1 of=2 elapsed=0s`,
		`level=DEBUG msg="dialx: selective match"` + a + ` n=0 detail=*:1`,
		`level=DEBUG msg="dialx: concurrent start"` + a + ` n=0 elapsed=0s`,
		`level=DEBUG msg="dialx: concurrent won"` + a + ` n=1 elapsed=1s`,
		`level=DEBUG msg="dialx: concurrent cancelled"` + a + ` n=0`,
		`level=DEBUG msg="dialx: breaker refused"` + a + ` detail=a:1 to=open`,
		`level=DEBUG msg="dialx: breaker state"` + a + ` detail=a:1 from=closed to=open`,
		`level=DEBUG msg="dialx: limit wait"` + a,
		`level=DEBUG msg="dialx: limit waited"` + a + ` elapsed=1s`,
		`level=DEBUG msg="dialx: delay wait"` + a + ` elapsed=1s`,
		`level=DEBUG msg="dialx: timeout fired"` + a + ` elapsed=1s`,
		`level=DEBUG msg="dialx: balancer attempt"` + a + ` n=1 of=3`,
		`level=DEBUG msg="dialx: balancer chose"` + a + ` n=0 elapsed=0s`,
		`level=DEBUG msg="dialx: httpproxy tunnel"` + a + ` elapsed=1s detail=http://proxy:3128`,
		`level=DEBUG msg="dialx: tls handshake"` + a + ` elapsed=0s detail=a`,
		`level=DEBUG msg="dialx: resolve hit"` + a + ` elapsed=0s detail=a`,
		`level=DEBUG msg="dialx: resolve miss"` + a + ` n=0 elapsed=0s detail=a`,
		`level=DEBUG msg="dialx: resolve stale"` + a + ` elapsed=1s detail=a error="connection refused"`,
		`level=DEBUG msg="dialx: endpoint dial"` + a + ` detail=db1:5432`,
		`level=DEBUG msg="dialx: mine step"` + a + ` of=4 detail=own`,
	}, "\n")+"\n", buf.String())
}

func TestSlogTraceDropsRecordsBelowTheHandlersLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	dialx.NewSlogTrace(logger, slog.LevelDebug)(context.Background(), dialx.Event{Op: "dial", Kind: "start"})
	assert.Empty(t, buf.String())
}

func TestNewSlogTracePanicsOnANilLogger(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: NewSlogTrace: logger must not be nil, got nil", func() { dialx.NewSlogTrace(nil, 0) })
}

// ctxHandler is a slog.Handler that writes each record's message with the
// request ID its ctx carries, as handlers that add trace IDs do.
type ctxHandler struct {
	mu    sync.Mutex
	lines []string
}

func (h *ctxHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return ctx.Value(requestKey{}) != nil
}

func (h *ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, fmt.Sprintf("%v %s", ctx.Value(requestKey{}), r.Message))
	return nil
}

func (h *ctxHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *ctxHandler) WithGroup(string) slog.Handler { return h }

func TestSlogTraceLogsWithTheDialCtx(t *testing.T) {
	var h ctxHandler
	tr := dialx.NewSlogTrace(slog.New(&h), slog.LevelInfo)
	d := dialx.NewRepeat(dialx.DialerFunc(instantDial), 2)
	_, err := d.DialContext(dialx.WithTrace(context.WithValue(context.Background(), requestKey{}, "req-7"), tr), "tcp", "a:1")
	require.NoError(t, err)
	_, err = d.DialContext(dialx.WithTrace(context.Background(), tr), "tcp", "a:1") // no ID: not enabled
	require.NoError(t, err)
	assert.Equal(t, []string{"req-7 dialx: repeat attempt", "req-7 dialx: dial start", "req-7 dialx: dial done"}, h.lines)
}
