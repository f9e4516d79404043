package dialx

import (
	"context"
	"net"
	"time"
)

// Concurrent races Dialers: it starts a dial with every one of them at once
// and returns the first connection.
//
// As soon as one attempt succeeds, the others get their ctx cancelled and
// any connection that still arrives from them is closed, never leaked.
// DialContext returns as soon as one attempt succeeded, all failed, or the
// caller's ctx ended (then with a [*DialError] matching ctx.Err(), even if an
// inner Dialer ignores its ctx). When every attempt fails, the error unwraps
// to each attempt's error, in the order the Dialers were given.
//
// With [WithStagger] the attempts start one after another instead, in the
// order the Dialers were given, in the manner of Happy Eyeballs (RFC 8305):
// each waits for the stagger delay after the previous one started, or only
// until an attempt fails, whichever comes first; attempts already started
// go on racing. Options are given with [Concurrent.WithOptions], since the
// Dialers of [NewConcurrent] are a variadic list.
//
// Use [NewConcurrent] to make one; the zero value is not usable.
// A Concurrent is safe for concurrent use by multiple goroutines.
type Concurrent struct {
	dialers []Dialer
	stagger time.Duration // 0: all at once
}

// NewConcurrent returns a Concurrent that races ds.
// It panics if ds is empty or holds a nil Dialer.
func NewConcurrent(ds ...Dialer) *Concurrent {
	mustDialers("NewConcurrent", ds)
	return &Concurrent{dialers: append([]Dialer(nil), ds...)}
}

type raceResult struct {
	racer int
	conn  net.Conn
	err   error
}

// DialContext dials address on network with every Dialer, all at once or
// staggered, and returns the first connection.
func (c *Concurrent) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	racers := len(c.dialers)
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "concurrent", Net: network, Addr: address, Err: stopped(err, 0, racers, "attempts", nil)}
	}
	raceCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := race{c: c, ctx: raceCtx, trace: traceFrom(ctx), network: network, address: address,
		// Buffered so that no racer ever blocks on delivery, even after
		// the race is decided.
		results: make(chan raceResult, racers),
		errs:    make([]error, racers),
	}
	if r.trace != nil {
		r.began = time.Now()
	}

	// Without a stagger every attempt starts now; with one, the first does
	// and next fires when the following one is due.
	var next <-chan time.Time
	var timer *time.Timer
	startNext := func() {
		if ctx.Err() != nil {
			return // the ctx.Done case ends the race
		}
		r.start()
		switch {
		case r.started == racers:
			next = nil
		case timer == nil:
			timer = time.NewTimer(c.stagger)
			next = timer.C
		default:
			timer.Reset(c.stagger)
		}
	}
	if c.stagger > 0 {
		startNext()
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
	} else {
		for r.started < racers {
			r.start()
		}
	}

	for finished := 0; finished < racers; {
		select {
		case res := <-r.results:
			if res.err == nil {
				cancel()
				r.cancelled(res.racer, true)
				go closeLosers(r.results, r.started-finished-1)
				return res.conn, nil
			}
			finished++
			closeStray(res.conn)
			r.errs[res.racer] = res.err
			if r.started < racers {
				// A failure lets the next attempt start at once.
				startNext()
			}
		case <-next:
			startNext()
		case <-ctx.Done():
			cancel()
			r.cancelled(-1, false)
			go closeLosers(r.results, r.started-finished)
			return nil, &DialError{Op: "concurrent", Net: network, Addr: address,
				Err: stopped(ctx.Err(), finished, racers, "attempts", compact(r.errs))}
		}
	}
	cause := allFailed("attempts", r.errs)
	if err := ctx.Err(); err != nil {
		cause = stopped(err, racers, racers, "attempts", r.errs)
	}
	return nil, &DialError{Op: "concurrent", Net: network, Addr: address, Err: cause}
}

// race is the state of one DialContext of a Concurrent.
type race struct {
	c                *Concurrent
	ctx              context.Context
	trace            *Trace
	began            time.Time // set when traced
	network, address string
	results          chan raceResult
	errs             []error
	started          int
}

// start starts the next attempt.
func (r *race) start() {
	i := r.started
	r.started++
	if r.trace != nil && r.trace.ConcurrentStart != nil {
		r.trace.ConcurrentStart(ConcurrentStartInfo{Network: r.network, Address: r.address, Racer: i, After: time.Since(r.began)})
	}
	go runRacer(r.ctx, r.trace, r.c.dialers[i], r.network, r.address, i, r.results)
}

// runRacer makes attempt i of a race and delivers its result.
func runRacer(ctx context.Context, t *Trace, d Dialer, network, address string, i int, results chan<- raceResult) {
	conn, err := dialInnerTraced(ctx, t, d, network, address)
	results <- raceResult{racer: i, conn: conn, err: err}
}

// cancelled reports the winner, if won, and every attempt still running.
func (r *race) cancelled(winner int, won bool) {
	if r.trace == nil {
		return
	}
	if won && r.trace.ConcurrentWon != nil {
		r.trace.ConcurrentWon(ConcurrentWonInfo{Network: r.network, Address: r.address, Racer: winner, After: time.Since(r.began)})
	}
	if r.trace.ConcurrentCancelled == nil {
		return
	}
	for i := range r.started {
		if i != winner && r.errs[i] == nil {
			r.trace.ConcurrentCancelled(ConcurrentCancelledInfo{Network: r.network, Address: r.address, Racer: i})
		}
	}
}

// Dial is DialContext with [context.Background].
func (c *Concurrent) Dial(network, address string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, address)
}

// closeLosers waits for the racers still running after the race was decided
// and closes every connection they make.
func closeLosers(results <-chan raceResult, running int) {
	for ; running > 0; running-- {
		closeStray((<-results).conn)
	}
}

// compact drops the nil entries of errs that belong to racers still running.
func compact(errs []error) []error {
	kept := errs[:0]
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	return kept
}
