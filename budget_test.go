package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
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

// The fleet simulation of SCALING.md: 1,000 clients, each with its own
// Repeat(5), send one request a second to a backend that fails half of the
// dials, and we count the dials that reach the backend per first try.
// Everything runs on the fake clock of a synctest bubble, with randomness
// drawn from sources seeded per client and per request, so the figures are
// the same on every run and every machine.
const (
	fleetClients  = 1000
	fleetTries    = 5
	fleetRequests = 20 // per client, one a second
	fleetSeed     = 20260527
)

// fleetBackend decides the fate of each dial. Both models fail half of the
// dials of a fleet that does not retry.
type fleetBackend struct {
	name string
	// fails reports whether a dial fails, given a fair coin of the dial's
	// own and the dials of the last second (retries included).
	fails func(coin float64, lastSecond int) bool
}

var fleetBackends = []fleetBackend{
	{
		// A backend that fails every dial with probability 1/2, whatever
		// the load: a bad host among two, a flapping link.
		name:  "fails 50 % of dials",
		fails: func(coin float64, _ int) bool { return coin < 0.5 },
	},
	{
		// A backend with capacity for 500 dials a second that gets 1,000
		// first tries a second: it fails the share of dials above its
		// capacity, so every retry makes the next dial likelier to fail.
		name: "overloaded, capacity 500/s",
		fails: func(coin float64, lastSecond int) bool {
			return lastSecond > 500 && coin < 1-500/float64(lastSecond)
		},
	},
}

type fleetStrategy struct {
	name string
	opts func(client int, budget *dialx.Budget) []dialx.Option
}

var fleetStrategies = []fleetStrategy{
	{name: "Repeat(5), no backoff", opts: func(int, *dialx.Budget) []dialx.Option { return nil }},
	{name: "Repeat(5) + backoff", opts: func(client int, _ *dialx.Budget) []dialx.Option {
		return []dialx.Option{dialx.WithBackoff(dialx.ExponentialBackoff{}.WithRand(rand.New(rand.NewPCG(fleetSeed, uint64(client))).Float64))}
	}},
	{name: "Repeat(5) + budget", opts: func(_ int, budget *dialx.Budget) []dialx.Option {
		return []dialx.Option{dialx.WithBudget(budget)}
	}},
	{name: "Repeat(5) + backoff + budget", opts: func(client int, budget *dialx.Budget) []dialx.Option {
		return []dialx.Option{
			dialx.WithBackoff(dialx.ExponentialBackoff{}.WithRand(rand.New(rand.NewPCG(fleetSeed, uint64(client))).Float64)),
			dialx.WithBudget(budget),
		}
	}},
}

type fleetResult struct {
	backend, strategy     string
	firstTries, dials, ok int
	peak                  int // most dials in one second
}

func (r fleetResult) amplification() float64 { return float64(r.dials) / float64(r.firstTries) }

// coinKey carries a request's own source of coins to the backend, so that
// each dial's fate depends on which request and try it is, never on the
// order in which goroutines happen to run.
type coinKey struct{}

// runFleet plays one backend against one strategy. It must run inside a
// synctest bubble.
func runFleet(backend fleetBackend, strategy fleetStrategy) fleetResult {
	var (
		mu      sync.Mutex
		recent  []time.Time     // dials of the last second, oldest first
		perSec  = map[int]int{} // dials by whole second since start
		result  = fleetResult{backend: backend.name, strategy: strategy.name}
		start   = time.Now()
		connect = dialtest.Instant()
	)
	server := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		coin := ctx.Value(coinKey{}).(*rand.Rand).Float64()
		now := time.Now()
		mu.Lock()
		for len(recent) > 0 && now.Sub(recent[0]) >= time.Second {
			recent = recent[1:]
		}
		fails := backend.fails(coin, len(recent))
		recent = append(recent, now)
		result.dials++
		perSec[int(now.Sub(start)/time.Second)]++
		mu.Unlock()
		if fails {
			return nil, errors.New("connection refused")
		}
		return connect(ctx, network, address)
	})

	budget := new(dialx.Budget) // Finagle's values
	var wg sync.WaitGroup
	for client := range fleetClients {
		repeat := dialx.NewRepeat(server, fleetTries, strategy.opts(client, budget)...)
		wg.Go(func() {
			// Clients are spread over each second, one per millisecond, so
			// no two requests start at the same instant.
			time.Sleep(time.Duration(client) * time.Millisecond)
			for request := range fleetRequests {
				coins := rand.New(rand.NewPCG(fleetSeed, uint64(client)<<32|uint64(request)))
				ctx := context.WithValue(context.Background(), coinKey{}, coins)
				wg.Go(func() {
					conn, err := repeat.DialContext(ctx, "tcp", "backend.internal:443")
					mu.Lock()
					result.firstTries++
					if err == nil {
						result.ok++
						conn.Close()
					}
					mu.Unlock()
				})
				time.Sleep(time.Second)
			}
		})
	}
	wg.Wait()
	for _, n := range perSec {
		result.peak = max(result.peak, n)
	}
	return result
}

func fleetTable(results []fleetResult) string {
	var b strings.Builder
	b.WriteString("| backend | clients' Repeat | first tries | dials | dials per first try | peak dials/s | requests connected |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.2fx | %d | %.1f %% |\n",
			r.backend, r.strategy, r.firstTries, r.dials, r.amplification(), r.peak, 100*float64(r.ok)/float64(r.firstTries))
	}
	return b.String()
}

// TestFleetRetriesAmplifyUnlessABudgetHoldsThem runs the simulation of
// SCALING.md; with -v it logs the table there.
func TestFleetRetriesAmplifyUnlessABudgetHoldsThem(t *testing.T) {
	var results []fleetResult
	for _, backend := range fleetBackends {
		for _, strategy := range fleetStrategies {
			synctest.Test(t, func(t *testing.T) {
				results = append(results, runFleet(backend, strategy))
			})
		}
	}
	table := fleetTable(results)
	t.Logf("%d clients, Repeat(%d), one request per client per second for %d s:\n%s",
		fleetClients, fleetTries, fleetRequests, table)
	scaling, err := os.ReadFile("SCALING.md")
	require.NoError(t, err)
	assert.Contains(t, string(scaling), table, "SCALING.md must show the table this test makes: paste it from go test -run TestFleetRetriesAmplifyUnlessABudgetHoldsThem -v")

	byName := map[string]fleetResult{}
	for _, r := range results {
		assert.Equal(t, fleetClients*fleetRequests, r.firstTries, "%s, %s", r.backend, r.strategy)
		byName[r.backend+"/"+r.strategy] = r
	}
	for _, backend := range fleetBackends {
		plain := byName[backend.name+"/Repeat(5), no backoff"]
		for _, strategy := range []string{"Repeat(5) + budget", "Repeat(5) + backoff + budget"} {
			r := byName[backend.name+"/"+strategy]
			assert.InDelta(t, 1.2, r.amplification(), 0.05, "%s, %s: the budget holds retries near 20 %%", r.backend, r.strategy)
			assert.Greater(t, plain.amplification(), 1.5*r.amplification(), "%s: plain retries amplify far more", backend.name)
		}
	}
	// A fair coin: 1 + 1/2 + 1/4 + 1/8 + 1/16 dials per first try.
	assert.InDelta(t, 1.9375, byName["fails 50 % of dials/Repeat(5), no backoff"].amplification(), 0.02)
	assert.Greater(t, byName["overloaded, capacity 500/s/Repeat(5), no backoff"].amplification(), 3.0,
		"retries against an overloaded backend feed the overload")
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
