package dialx

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// upstream is a fake member for tests run in a testing/synctest bubble: each
// dial takes connect on the bubble's clock, stretched by a jitter of up to
// ±20 % that depends only on the upstream and the dial's number, and fails
// when fail says so. Dials to probeAddress are counted apart.
type upstream struct {
	name    string
	connect time.Duration
	jitter  bool
	fail    func(n int64) bool // nil: never fails

	broken atomic.Bool  // fails every dial, whatever fail says
	dials  atomic.Int64 // dials to any address but probeAddress
	probes atomic.Int64 // dials to probeAddress
	calls  atomic.Int64 // all dials, numbering them
	last   atomic.Value // the address of the latest dial that is not a probe
}

const probeAddress = "probe.test:80"

var errUpstreamDown = errors.New("upstream refused the connection")

func (u *upstream) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	n := u.calls.Add(1) - 1
	if address == probeAddress {
		u.probes.Add(1)
	} else {
		u.dials.Add(1)
		u.last.Store(address)
	}
	wait := u.connect
	if u.jitter {
		// The nanoseconds make instants unique, so that no two goroutines
		// of a simulation wake at once and the order of events is fixed.
		h := mix64(hashString(u.name) ^ uint64(n))
		wait = time.Duration(float64(wait)*(0.8+0.4*float64(h>>11)/(1<<53))) + time.Duration(h%997)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if u.broken.Load() || u.fail != nil && u.fail(n) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errUpstreamDown}
	}
	return nopConn{}, nil
}

// nopConn is a connection that does nothing: what an upstream hands out.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }

// seededIntN is a deterministic stand-in for rand.IntN, safe for concurrent
// use.
func seededIntN(seed uint64) func(int) int {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return r.IntN(n)
	}
}

// dialers returns us as Dialers.
func dialers(us ...*upstream) []Dialer {
	ds := make([]Dialer, len(us))
	for i, u := range us {
		ds[i] = u
	}
	return ds
}
