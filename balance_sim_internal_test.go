package dialx

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The simulation of SCALING.md: five upstreams that connect in 10 ms
// (±20 %), but one takes ten times as long and another fails every other
// dial, after the same 10 ms. One dial arrives every millisecond for
// simDials ms, on the fake clock of a testing/synctest bubble; each
// strategy tries the upstreams until one connects. The upstreams' jitter
// and the strategies' random draws are seeded, and no two events share an
// instant, so every run gives the same table.
const (
	simDials   = 20000
	simConnect = 10 * time.Millisecond
	simProbe   = time.Second + 333*time.Microsecond // off the arrivals' grid
)

// simUpstreams returns the five upstreams; the bad two are the last.
func simUpstreams() []*upstream {
	us := make([]*upstream, 5)
	for i := range 3 {
		us[i] = &upstream{name: fmt.Sprint("good", i), connect: simConnect, jitter: true}
	}
	us[3] = &upstream{name: "slow", connect: 10 * simConnect, jitter: true}
	us[4] = &upstream{name: "flaky", connect: simConnect, jitter: true, fail: func(n int64) bool { return n%2 == 1 }}
	return us
}

// simStrategy makes the Dialer of one strategy over the upstreams.
type simStrategy struct {
	name string
	make func(ds []Dialer) Dialer
}

var simStrategies = []simStrategy{
	{"best upstream alone", func(ds []Dialer) Dialer { return ds[0] }},
	{"Random", func(ds []Dialer) Dialer { return inTurn("random", ds, randomOrder(seededIntN(10))) }},
	{"round robin", func(ds []Dialer) Dialer {
		var turn atomic.Int64
		return inTurn("round robin", ds, func(n int) func(i int) int {
			first := int(turn.Add(1)-1) % n
			return func(i int) int { return (first + i) % n }
		})
	}},
	{"Balancer", func(ds []Dialer) Dialer {
		b := NewBalancer(ds...)
		b.intN = seededIntN(11)
		return b
	}},
	{"Balancer drawing two, not three", func(ds []Dialer) Dialer {
		b := NewBalancer(ds...)
		b.intN, b.choices = seededIntN(11), 2
		return b
	}},
	{"Balancer + WithProbe(1s)", func(ds []Dialer) Dialer {
		b := NewBalancer(ds...).WithOptions(WithProbe("tcp", probeAddress, simProbe))
		b.intN = seededIntN(12)
		return b
	}},
}

// inTurn tries ds in the order that order gives for each dial, as Random
// and Consecutive do.
func inTurn(op string, ds []Dialer, order func(n int) func(i int) int) Dialer {
	return DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		at := order(len(ds))
		return dialInTurn(ctx, op, "dialers", network, address, len(ds), nil, func(i int) Dialer { return ds[at(i)] }, nil)
	})
}

// randomOrder draws a fresh random order for each dial, as Random does,
// from intN.
func randomOrder(intN func(int) int) func(n int) func(i int) int {
	return func(n int) func(i int) int {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		for i := n - 1; i > 0; i-- {
			j := intN(i + 1)
			order[i], order[j] = order[j], order[i]
		}
		return func(i int) int { return order[i] }
	}
}

// simResult is one row of the table.
type simResult struct {
	strategy      string
	toBad, dials  int64         // dials that reached the bad two; all that reached an upstream
	p50, p99, max time.Duration // of the connect times callers saw
	failed        int
}

// runSim runs the simulation for one strategy in a synctest bubble.
func runSim(t *testing.T, s simStrategy) simResult {
	var r simResult
	synctest.Test(t, func(t *testing.T) {
		us := simUpstreams()
		d := s.make(dialers(us...))
		times := make([]time.Duration, simDials)
		var failed atomic.Int64
		var wg sync.WaitGroup
		time.Sleep(time.Millisecond / 2)
		for k := range simDials {
			wg.Go(func() {
				start := time.Now()
				conn, err := d.DialContext(context.Background(), "tcp", "service.test:443")
				times[k] = time.Since(start)
				if err != nil {
					failed.Add(1)
					return
				}
				conn.Close()
			})
			time.Sleep(time.Millisecond)
		}
		wg.Wait()
		time.Sleep(3 * simProbe) // probing stops, as the bubble requires of every goroutine
		slices.Sort(times)
		r = simResult{strategy: s.name, p50: times[simDials/2], p99: times[simDials*99/100], max: times[simDials-1],
			failed: int(failed.Load())}
		for i, u := range us {
			r.dials += u.dials.Load()
			if i >= 3 {
				r.toBad += u.dials.Load()
			}
		}
	})
	return r
}

func (r simResult) share() float64 { return 100 * float64(r.toBad) / float64(r.dials) }

// simTable prints the results as SCALING.md shows them.
func simTable(results []simResult) string {
	var b strings.Builder
	b.WriteString("| strategy | dials to upstreams | to the bad two | share | p50 connect | p99 connect | slowest |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %d | %d | %.2f %% | %.1f ms | %.1f ms | %.1f ms |\n", r.strategy, r.dials, r.toBad, r.share(),
			ms(r.p50), ms(r.p99), ms(r.max))
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestBalancerSimulation runs the simulation of SCALING.md, checks the
// Balancer's targets and that the page shows this table; with -v it logs it.
func TestBalancerSimulation(t *testing.T) {
	results := make(map[string]simResult)
	var ordered []simResult
	for _, s := range simStrategies {
		r := runSim(t, s)
		results[s.name] = r
		ordered = append(ordered, r)
		assert.Zero(t, r.failed, "%s: every dial connects in the end", s.name)
	}
	table := simTable(ordered)
	t.Logf("five upstreams, one 10x slower, one failing every other dial; %d dials, one a millisecond:\n%s", simDials, table)

	best := results["best upstream alone"]
	for _, name := range []string{"Balancer", "Balancer + WithProbe(1s)"} {
		r := results[name]
		assert.Less(t, r.share(), 5.0, "%s sends under 5 %% of dials to the bad two", name)
		assert.LessOrEqual(t, float64(r.p99), 1.2*float64(best.p99), "%s: p99 within 1.2x of the best upstream's", name)
	}
	for _, name := range []string{"Random", "round robin"} {
		assert.Greater(t, results[name].share(), 30.0, "%s spreads dials evenly, the bad two included", name)
	}
	scaling, err := os.ReadFile("SCALING.md")
	require.NoError(t, err)
	assert.Contains(t, string(scaling), table, "SCALING.md must show the table this test makes: paste it from go test -run TestBalancerSimulation -v")
}
