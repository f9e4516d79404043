package dialx

import (
	"context"
	"net"
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
// Use [NewConcurrent] to make one; the zero value is not usable.
// A Concurrent is safe for concurrent use by multiple goroutines.
type Concurrent struct {
	dialers []Dialer
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

// DialContext dials address on network with every Dialer at once and returns
// the first connection.
func (c *Concurrent) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	racers := len(c.dialers)
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "concurrent", Net: network, Addr: address, Err: stopped(err, 0, racers, "attempts", nil)}
	}
	raceCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Buffered so that no racer ever blocks on delivery, even after the
	// race is decided.
	results := make(chan raceResult, racers)
	for i, d := range c.dialers {
		go func() {
			conn, err := d.DialContext(raceCtx, network, address)
			results <- raceResult{racer: i, conn: conn, err: err}
		}()
	}

	errs := make([]error, racers)
	for finished := 0; finished < racers; finished++ {
		select {
		case r := <-results:
			if r.err == nil {
				cancel()
				go closeLosers(results, racers-finished-1)
				return r.conn, nil
			}
			closeStray(r.conn)
			errs[r.racer] = r.err
		case <-ctx.Done():
			cancel()
			go closeLosers(results, racers-finished)
			return nil, &DialError{Op: "concurrent", Net: network, Addr: address,
				Err: stopped(ctx.Err(), finished, racers, "attempts", compact(errs))}
		}
	}
	cause := allFailed("attempts", errs)
	if err := ctx.Err(); err != nil {
		cause = stopped(err, racers, racers, "attempts", errs)
	}
	return nil, &DialError{Op: "concurrent", Net: network, Addr: address, Err: cause}
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
