// Command loadbench measures dialx stacks against net.Dialer under load: it
// starts a listener on loopback, dials it through each stack in turn, many
// dials in flight, in rounds that alternate the order of the stacks, and
// prints for each the median over the rounds of dials per second, p50 and
// p99 latency, and their ratio to net.Dialer{Timeout}. It dials only the
// listener it starts and stops after the rounds.
//
//	go run ./internal/loadbench -dials 10000 -inflight 500 -rounds 5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dialx/dialx"
)

func main() {
	var c config
	flag.IntVar(&c.dials, "dials", 10000, "dials per stack per round")
	flag.IntVar(&c.inFlight, "inflight", 500, "dials in flight")
	flag.IntVar(&c.rounds, "rounds", 5, "alternating rounds")
	flag.DurationVar(&c.timeout, "timeout", 5*time.Second, "timeout of the stacks that have one")
	flag.Parse()
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type config struct {
	dials, inFlight, rounds int
	timeout                 time.Duration
}

// stack is a Dialer measured, under the name the table gives it.
type stack struct {
	name   string
	dialer dialx.Dialer
}

// baseline names the stack the ratios are taken against.
const baseline = "net.Dialer{Timeout}"

func stacks(c config) ([]stack, error) {
	sel, err := dialx.NewSelective(
		dialx.Rule{Pattern: "ads.example", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "10.0.0.0/8", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "*", Dialer: &net.Dialer{}},
	)
	if err != nil {
		return nil, err
	}
	return []stack{
		{"net.Dialer", &net.Dialer{}},
		{baseline, &net.Dialer{Timeout: c.timeout}},
		{"Timeout(net.Dialer)", dialx.NewTimeout(&net.Dialer{}, c.timeout)},
		{"Timeout(Repeat(net.Dialer))", dialx.NewTimeout(dialx.NewRepeat(&net.Dialer{}, 3), c.timeout)},
		{"Timeout(Breaker(Limit(Repeat(Selective(net.Dialer)))))",
			dialx.NewTimeout(dialx.NewBreaker(dialx.NewLimit(dialx.NewRepeat(sel, 3), c.inFlight)), c.timeout)},
	}, nil
}

// sample is one round of one stack.
type sample struct {
	perSecond float64
	p50, p99  time.Duration
}

func run(c config, out io.Writer) error {
	if c.dials < 1 || c.inFlight < 1 || c.rounds < 1 || c.timeout <= 0 {
		return fmt.Errorf("dials, inflight, rounds and timeout must be positive, got %d, %d, %d, %v",
			c.dials, c.inFlight, c.rounds, c.timeout)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// The kernel completes a loopback connect before the server accepts
	// it, so unpaced dials outrun the accept loop, overflow the accept
	// queue and wait a second for a SYN to be sent again: that would
	// measure the listener, not the Dialers. A dial therefore takes a place
	// in pending, before its clock starts, which the server frees on
	// accepting it, keeping the accept queue below its limit.
	pending := make(chan struct{}, c.inFlight)
	accepting := serve(ln, pending)
	defer func() {
		ln.Close()
		accepting.Wait()
	}()
	ss, err := stacks(c)
	if err != nil {
		return err
	}
	address := ln.Addr().String()
	// One uncounted warm-up pass, so that the first round measured does not
	// pay for the process starting.
	for _, s := range ss {
		if _, err := measure(s.dialer, address, max(c.dials/10, 1), c.inFlight, pending); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	samples := make([][]sample, len(ss))
	for round := range c.rounds {
		// Rotate the order so that no stack always runs first or last.
		for k := range ss {
			i := (k + round) % len(ss)
			got, err := measure(ss[i].dialer, address, c.dials, c.inFlight, pending)
			if err != nil {
				return fmt.Errorf("%s: %w", ss[i].name, err)
			}
			samples[i] = append(samples[i], got)
		}
	}
	medians := make([]sample, len(ss))
	var base sample
	for i, s := range ss {
		medians[i] = median(samples[i])
		if s.name == baseline {
			base = medians[i]
		}
	}
	fmt.Fprintf(out, "%d dials a round, %d in flight, medians of %d alternating rounds\n\n", c.dials, c.inFlight, c.rounds)
	fmt.Fprintln(out, "| Stack | dials/s | p50 | p99 | dials/s vs net.Dialer{Timeout} | p99 vs net.Dialer{Timeout} |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	for i, s := range ss {
		m := medians[i]
		fmt.Fprintf(out, "| %s | %.0f | %v | %v | %.2f× | %.2f× |\n", s.name, m.perSecond,
			m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond),
			m.perSecond/base.perSecond, float64(m.p99)/float64(base.p99))
	}
	return nil
}

// serve accepts connections on ln and closes each at once, until ln is
// closed. Each accepted connection frees a place in pending.
func serve(ln net.Listener, pending <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				select {
				case <-pending:
				default:
				}
				conn.Close()
			}
		})
	}
	return &wg
}

// measure makes dials dials to address through d, inFlight at a time, each
// once it has a place in pending, and returns their rate and latency
// percentiles. Any failed dial fails it.
func measure(d dialx.Dialer, address string, dials, inFlight int, pending chan<- struct{}) (sample, error) {
	latencies := make([]time.Duration, dials)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range min(inFlight, dials) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= dials || failed.Load() != nil {
					return
				}
				pending <- struct{}{}
				began := time.Now()
				conn, err := d.DialContext(context.Background(), "tcp", address)
				latencies[i] = time.Since(began)
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				// A reset instead of a FIN leaves no TIME_WAIT behind, which
				// would otherwise use up the loopback ports over a run.
				if tcp, ok := conn.(*net.TCPConn); ok {
					tcp.SetLinger(0)
				}
				conn.Close()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := failed.Load(); err != nil {
		return sample{}, errors.Join(errors.New("a dial failed"), *err)
	}
	slices.Sort(latencies)
	return sample{
		perSecond: float64(dials) / elapsed.Seconds(),
		p50:       latencies[dials/2],
		p99:       latencies[dials*99/100],
	}, nil
}

// median returns the median of each figure of ss on its own.
func median(ss []sample) sample {
	pick := func(f func(sample) float64) float64 {
		vs := make([]float64, len(ss))
		for i, s := range ss {
			vs[i] = f(s)
		}
		slices.Sort(vs)
		return vs[len(vs)/2]
	}
	return sample{
		perSecond: pick(func(s sample) float64 { return s.perSecond }),
		p50:       time.Duration(pick(func(s sample) float64 { return float64(s.p50) })),
		p99:       time.Duration(pick(func(s sample) float64 { return float64(s.p99) })),
	}
}
