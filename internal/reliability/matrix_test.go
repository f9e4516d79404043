package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
	"github.com/dialx/dialx/internal/slack"
)

// A dial to a fault that hangs (blackhole, slow, silent) is given
// hangBound, as the Timeout of the bounded stacks or as the caller's
// deadline for the others. Dials to the other faults are given fastBound,
// which they must not need: they fail or succeed on their own. How late a
// dial may return is calibrated per row: see TestFaultMatrixMeetsItsTimeBounds.
const (
	hangBound = 100 * time.Millisecond
	fastBound = 5 * time.Second
)

type fault struct {
	name  string
	start func(t *testing.T) *faultnet.Server
	hangs bool
}

func (f fault) bound() time.Duration {
	if f.hangs {
		return hangBound
	}
	return fastBound
}

var faults = []fault{
	{name: "refused", start: func(t *testing.T) *faultnet.Server { return faultnet.StartRefused(t) }},
	{name: "blackhole", start: func(t *testing.T) *faultnet.Server { return faultnet.StartBlackhole(t) }, hangs: true},
	{name: "reset", start: func(t *testing.T) *faultnet.Server { return faultnet.StartReset(t) }},
	{name: "slow", start: func(t *testing.T) *faultnet.Server { return faultnet.StartSlow(t, time.Hour) }, hangs: true},
	{name: "silent", start: func(t *testing.T) *faultnet.Server { return faultnet.StartSilent(t) }, hangs: true},
	// With seed 1 the first connection is reset and the next ones are
	// served, so a stack that makes a second attempt gets through.
	{name: "flaky", start: func(t *testing.T) *faultnet.Server { return faultnet.StartFlaky(t, 0.5, 1) }},
	{name: "echo", start: func(t *testing.T) *faultnet.Server { return faultnet.StartEcho(t) }},
}

// Outcome classes, as the matrix in RELIABILITY.md names them.
const (
	connected = "connected"
	rejected  = "ErrRejected"
	refused   = "ECONNREFUSED"
	reset     = "ECONNRESET"
	timedOut  = "timeout"
)

func classify(err error) string {
	var ne net.Error
	switch {
	case err == nil:
		return connected
	case errors.Is(err, dialx.ErrRejected):
		return rejected
	case errors.Is(err, syscall.ECONNREFUSED):
		return refused
	case errors.Is(err, syscall.ECONNRESET):
		return reset
	case errors.As(err, &ne) && ne.Timeout():
		return timedOut
	}
	return "unexpected: " + err.Error()
}

func expected(s stack, f fault) string {
	if s.rejects {
		return rejected
	}
	switch f.name {
	case "refused":
		return refused
	case "reset":
		return reset
	case "flaky":
		if s.retries {
			return connected
		}
		return reset
	case "echo":
		return connected
	}
	return timedOut
}

type result struct {
	err     error
	elapsed time.Duration
}

// TestFaultMatrixMeetsItsTimeBounds dials every fault through every stack, all
// faults of a row at once, and checks the error class, the time taken and that
// nothing was left behind: no goroutine, no file descriptor, no connection a
// server accepted and nobody closed.
//
// A dial to a fault that hangs must return no earlier than hangBound and
// within hangBound plus the row's slack; any other dial within the slack
// alone. The slack is calibrated to the machine's load while the row runs:
// control timers of hangBound run next to the row's dials, and the slack is
// slack.Allow of their lateness (1 s on a quiet machine, more when timers
// fire late).
func TestFaultMatrixMeetsItsTimeBounds(t *testing.T) {
	var table strings.Builder
	table.WriteString("| stack |")
	for _, f := range faults {
		table.WriteString(" " + f.name + " |")
	}
	table.WriteString(" leaks |\n|---|" + strings.Repeat("---|", len(faults)) + "---|\n")

	faults := faults
	if !faultnet.HasBlackhole {
		faults = slices.DeleteFunc(slices.Clone(faults), func(f fault) bool { return f.name == "blackhole" })
		t.Log("no blackhole fault on this platform")
	}
	for _, s := range allStacks() {
		t.Run(s.name, func(t *testing.T) {
			servers := make([]*faultnet.Server, len(faults))
			for i, f := range faults {
				servers[i] = f.start(t)
			}
			check := leakCheck(t, servers...)

			late := slack.Measure(hangBound)
			results := make([]result, len(faults))
			var wg sync.WaitGroup
			for i := range faults {
				wg.Go(func() { results[i] = dialAndEcho(t, s, servers[i].Addr(), faults[i].bound()) })
			}
			wg.Wait()
			allow := slack.Allow(late())
			if allow > slack.Floor {
				t.Logf("timers fired late on this machine: slack %v", allow)
			}

			row := fmt.Sprintf("| %s |", s.name)
			for i, f := range faults {
				r := results[i]
				want := expected(s, f)
				got := classify(r.err)
				assert.Equal(t, want, got, "%s: %v", f.name, r.err)
				if f.hangs {
					assert.Less(t, r.elapsed, hangBound+allow, "%s: returned late (slack %v)", f.name, allow)
				} else {
					assert.Less(t, r.elapsed, allow, "%s: took long (slack %v)", f.name, allow)
				}
				checkError(t, s, f, r)
				row += fmt.Sprintf(" %s %s |", got, ms(r.elapsed))
			}
			check()
			if !t.Failed() {
				row += " 0 |"
			}
			table.WriteString(row + "\n")
		})
	}
	if testing.Verbose() {
		t.Log("\n" + table.String())
	}
}

// ms prints a duration for the table: 0.3ms, 12ms, 101ms.
func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// dialAndEcho dials addr through the stack and, on success, proves the
// connection usable by echoing a byte, then closes it.
func dialAndEcho(t *testing.T, s stack, addr string, bound time.Duration) result {
	d := s.build(faultnet.Handshake{}, bound)
	start := time.Now()
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if !s.bounded {
		ctx, cancel = context.WithTimeout(ctx, bound)
	}
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	r := result{err: err, elapsed: time.Since(start)}
	if err != nil {
		assert.Nil(t, c, "a connection together with %v", err)
		return r
	}
	defer c.Close()
	if assert.NotNil(t, c) {
		_, werr := c.Write([]byte{'x'})
		b := make([]byte, 1)
		_, rerr := io.ReadFull(c, b)
		assert.NoError(t, errors.Join(werr, rerr), "echo through %s", addr)
		assert.Equal(t, byte('x'), b[0])
	}
	return r
}

// checkError checks what the class alone does not say.
func checkError(t *testing.T, s stack, f fault, r result) {
	t.Helper()
	switch classify(r.err) {
	case refused, reset:
		var op *net.OpError
		assert.ErrorAs(t, r.err, &op, "%s: the socket's own error stays reachable", f.name)
	case timedOut:
		assert.GreaterOrEqual(t, r.elapsed, hangBound, "%s: gave up early", f.name)
		if s.bounded {
			var de *dialx.DialError
			if assert.ErrorAs(t, r.err, &de, f.name) {
				assert.Equal(t, "timeout", de.Op, "%s: %v", f.name, r.err)
			}
			assert.ErrorIs(t, r.err, context.DeadlineExceeded, f.name)
		} else {
			// A single attempt cut short by the caller's deadline may
			// carry the net package's own deadline error.
			assert.True(t, errors.Is(r.err, context.DeadlineExceeded) || errors.Is(r.err, os.ErrDeadlineExceeded),
				"%s: %v", f.name, r.err)
		}
	}
}
