package dialx

import (
	"context"
	"net"
	"net/netip"
	"time"
)

// race makes one dial by racing attempts and returns the first connection.
// It is the machinery of Concurrent (many Dialers, one address) and of
// Resolve (one Dialer, many addresses): attempt i dials with dialers[i], or
// with dialer if dialers is nil, the address ips[i]:port, or address if ips
// is nil.
//
// The attempts start all at once when stagger is 0; otherwise one after
// another, in order, each stagger after the previous one started or as soon
// as an attempt fails, whichever comes first, in the manner of Happy
// Eyeballs (RFC 8305). The first connection wins; the attempts still running
// get their ctx cancelled and a connection that still arrives from them is
// closed. A racer's panic is raised again on the caller's goroutine; see
// innerPanic.
type race struct {
	op, noun         string // name the decorator and its attempts in errors
	network, address string // of the caller's dial
	racers           int
	dialer           Dialer
	dialers          []Dialer
	ips              []netip.Addr
	port             string
	stagger          time.Duration
	// report makes the race report the "concurrent" events, which are
	// Concurrent's.
	report bool
	// inline says every attempt's Dialer is known to honour ctx, so that
	// the last attempt to start may run on the caller's goroutine: a
	// winner elsewhere cancels it, and it returns at once.
	inline bool
}

// raceResult is what racer number racer delivers.
type raceResult struct {
	racer int
	innerResult
}

// run races the attempts under ctx.
func (r *race) run(ctx context.Context) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, r.fail(stopped(err, 0, r.racers, r.noun, nil))
	}
	raceCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := raceState{race: *r, ctx: raceCtx, cancel: cancel, caller: ctx, trace: ContextTrace(ctx),
		// Buffered so that no racer ever blocks on delivery, even after
		// the race is decided.
		results: make(chan raceResult, r.racers),
	}
	if s.trace != nil && r.report {
		s.began = time.Now()
		s.failed = make([]bool, r.racers)
	}

	// Without a stagger every attempt starts now; with one, the first does
	// and next fires when the following one is due.
	var next <-chan time.Time
	var timer *time.Timer
	startNext := func() {
		if ctx.Err() != nil {
			return // the ctx.Done case ends the race
		}
		s.start()
		switch {
		case s.started == r.racers:
			next = nil
		case timer == nil:
			timer = time.NewTimer(r.stagger)
			next = timer.C
		default:
			timer.Reset(r.stagger)
		}
	}
	if r.inline && (r.racers == 1 || r.stagger == 0) {
		s.inlineLast = true
	}
	if r.stagger > 0 {
		startNext()
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
	} else {
		for s.started < r.racers {
			s.start()
		}
	}
	if s.inline != nil {
		// The last attempt has been dialed on this goroutine; its result
		// waits in results with the others'.
		s.inline()
	}

	for s.finished < r.racers {
		select {
		case res := <-s.results:
			if res.panicked != nil {
				s.abandon(cancel, res.racer)
				res.raise()
			}
			err := res.failure()
			if err == nil {
				s.abandon(cancel, res.racer)
				s.cancelled(res.racer, true)
				return res.conn, nil
			}
			s.finished++
			if brokeContract(err) {
				// Name the address when it is not the dial's own (an
				// address of a Resolve), as the inner Dialer's errors do.
				_, address := r.attempt(res.racer)
				if address != r.address {
					err = &DialError{Op: r.op, Net: r.network, Addr: address, Err: err}
				}
			}
			s.errs.add(res.racer, err)
			if s.failed != nil {
				s.failed[res.racer] = true
			}
			if s.started < r.racers {
				// A failure lets the next attempt start at once.
				startNext()
			}
		case <-next:
			startNext()
		case <-ctx.Done():
			s.abandon(cancel, -1)
			s.cancelled(-1, false)
			return nil, r.fail(stopped(ctx.Err(), s.started, r.racers, r.noun, &s.errs))
		}
	}
	cause := allFailed(r.noun, &s.errs)
	if err := ctx.Err(); err != nil {
		cause = stopped(err, r.racers, r.racers, r.noun, &s.errs)
	}
	return nil, r.fail(cause)
}

// attempt returns the Dialer and the address of attempt i.
func (r *race) attempt(i int) (Dialer, string) {
	d, address := r.dialer, r.address
	if r.dialers != nil {
		d = r.dialers[i]
	}
	if r.ips != nil {
		address = net.JoinHostPort(r.ips[i].String(), r.port)
	}
	return d, address
}

func (r *race) fail(cause error) error {
	return &DialError{Op: r.op, Net: r.network, Addr: r.address, Err: cause}
}

// raceState is the state of one run of a race.
type raceState struct {
	race
	ctx      context.Context // the racers', cancelled once the race is decided
	caller   context.Context // the dial's, which the Trace gets
	trace    Trace
	began    time.Time // set when reported
	results  chan raceResult
	errs     attemptErrors
	failed   []bool // by racer, kept only to report "cancelled" events
	started  int
	finished int // failed, that is: the race ends at the first success
	// inlineLast makes start leave the last attempt to inline, which
	// dials it on the caller's goroutine once the others are started.
	inlineLast bool
	inline     func()
	cancel     context.CancelFunc // of ctx
}

// start starts the next attempt.
func (s *raceState) start() {
	i := s.started
	s.started++
	if s.report && s.trace != nil {
		s.trace(s.caller, Event{Op: "concurrent", Kind: "start", Network: s.network, Address: s.address, N: i, Elapsed: time.Since(s.began)})
	}
	d, address := s.attempt(i)
	if s.inlineLast && s.started == s.racers {
		s.inline = func() { runRacer(s.ctx, s.cancel, s.trace, d, s.network, address, i, s.results) }
		return
	}
	go runRacer(s.ctx, s.cancel, s.trace, d, s.network, address, i, s.results)
}

// runRacer makes attempt i of a race and delivers its result, whether the
// dial returns, panics or ends the goroutine. A connection or a panic
// decides the race: once it is delivered, decided cancels the other
// attempts, so that one dialing on the caller's goroutine returns.
func runRacer(ctx context.Context, decided context.CancelFunc, t Trace, d Dialer, network, address string, i int, results chan<- raceResult) {
	res := raceResult{racer: i}
	defer func() {
		res.caught(recover())
		results <- res
		if res.conn != nil || res.panicked != nil {
			decided()
		}
	}()
	res.conn, res.err = dialInnerTraced(ctx, t, d, network, address)
	res.returned = true
}

// abandon cancels the racers still running, but for the one whose result
// decided the race (none if decider is -1), and leaves closeLosers to wait
// for them.
func (s *raceState) abandon(cancel context.CancelFunc, decider int) {
	cancel()
	running := s.started - s.finished
	if decider >= 0 {
		running--
	}
	go closeLosers(s.results, running)
}

// cancelled reports the winner, if won, and every attempt still running.
func (s *raceState) cancelled(winner int, won bool) {
	if !s.report || s.trace == nil {
		return
	}
	if won {
		s.trace(s.caller, Event{Op: "concurrent", Kind: "won", Network: s.network, Address: s.address, N: winner, Elapsed: time.Since(s.began)})
	}
	for i := range s.started {
		if i != winner && !s.failed[i] {
			s.trace(s.caller, Event{Op: "concurrent", Kind: "cancelled", Network: s.network, Address: s.address, N: i})
		}
	}
}

// closeLosers waits for the racers still running after the race was decided
// and closes every connection they make. A panic of theirs is dropped:
// the caller has gone.
func closeLosers(results <-chan raceResult, running int) {
	for ; running > 0; running-- {
		res := <-results
		closeStray(res.conn)
	}
}
