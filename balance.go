package dialx

import (
	"context"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"
)

// Balancer spreads dials over Dialers, its members, by their measured health:
// each dial goes to the cheapest of three members drawn at random (the power
// of d choices; with three rather than two, the second worst member is no
// longer chosen whenever it is drawn with the worst), a member's cost being its
// connect time estimate times its dials in flight plus one. When a member
// fails, the dial goes on to the next choice among the members not yet tried;
// when all fail, the error unwraps to each one's.
//
// The estimate is a peak EWMA, as in Finagle: a slower connect time raises it
// at once, faster ones bring it down over about 10 seconds. A failed dial
// counts as one that took 10 seconds; a dial cut short by its ctx, as one that
// took at least as long as it ran; a refusal made without the network
// ([ErrOpen], [ErrRejected], ...) not at all. An estimate decays towards zero
// while its member is not dialed, so that a member once slow or failing is
// tried again after a minute or two, one dial at a time: while that dial is
// in flight, the member is costed at its last estimate.
//
// A member that would refuse the dial without dialing is tried only after
// the others: a [Breaker] (alone or beneath single-Dialer decorators) whose
// circuit for the address is open, or a Dialer whose Refusal method (see
// [Dialer]) returns an error. When every member looks bad the Balancer still
// dials, the least bad first: it never refuses a dial of its own accord.
//
// Options come through [Balancer.WithOptions]: [WithKey] keeps each key on
// one member, [WithProbe] measures the members in the background while the
// Balancer is in use, [WithTolerance] keeps close costs from moving dials.
// Each attempt is an [Event] on the dial's [Trace], and so is the member
// chosen for it, with its estimate.
//
// Use [NewBalancer] to make one; the zero value is not usable. A Balancer is
// safe for concurrent use by multiple goroutines; choosing a member and
// recording its outcome take no lock, and a dial through a Balancer of up to
// 64 members allocates nothing of its own.
type Balancer struct {
	dialers []Dialer
	members []*member
	cfg     balancing
	key     func(network, address string) string // WithKey: affinity
	start   time.Time                            // the origin of the instants members store

	lastUse atomic.Int64 // the now of a recent dial, for probing
	probing atomic.Bool  // a probe loop runs

	intN    func(n int) int // the random draw; tests make it deterministic
	choices int             // members drawn per dial: maxChoices; tests compare with fewer
}

// balancing is what a Balancer's options set.
type balancing struct {
	tolerance    time.Duration
	probeNetwork string
	probeAddress string
	probeEvery   time.Duration // 0: no probing
}

// NewBalancer returns a Balancer over ds, with no options. It panics if ds is
// empty or holds a nil Dialer.
func NewBalancer(ds ...Dialer) *Balancer {
	mustDialers("NewBalancer", ds)
	return newBalancer(append([]Dialer(nil), ds...), settings{})
}

func newBalancer(ds []Dialer, s settings) *Balancer {
	b := &Balancer{dialers: ds, cfg: s.balance, key: s.key, start: time.Now(), intN: rand.IntN,
		choices: maxChoices}
	b.members = make([]*member, len(ds))
	for i, d := range ds {
		b.members[i] = &member{balancer: b, dialer: d, index: i, seed: mix64(uint64(i) + 1), mayRefuse: mayRefuse(d)}
	}
	return b
}

// WithOptions returns a Balancer over the same Dialers configured by b's
// options and then by opts ([WithKey], [WithProbe], [WithTolerance]). The
// copy starts with no estimates of its own.
//
// With [WithKey], each dial goes to the member that rendezvous hashing
// ranks first for its key among the healthy ones, then to the next: a
// member that fails (or whose dials take over a second, or that would
// refuse) loses its keys, each to the member ranked next for it, and only
// those; they come back when its failure is forgotten, tried one dial at a
// time as without a key: while that dial is in flight, the member is still
// bad.
func (b *Balancer) WithOptions(opts ...Option) *Balancer {
	s := settings{key: b.key, balance: b.cfg}
	s.apply("Balancer.WithOptions", takenByBalancer, opts)
	return newBalancer(b.dialers, s)
}

// DialContext dials address through the healthiest member, then the others.
func (b *Balancer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	b.use()
	c := choice{b: b, ctx: ctx, network: network, address: address}
	if b.key != nil {
		c.affinity, c.hash = true, hashString(b.key(network, address))
	}
	if len(b.members) > 64 {
		c.triedMore = make([]bool, len(b.members))
	}
	// The loop of dialInTurn, which Random and Consecutive share, but with
	// the instant a member is chosen at kept as the start of its dial: the
	// clock is read twice per attempt, and the Trace looked up once.
	t := ContextTrace(ctx)
	planned := len(b.members)
	var errs attemptErrors
	for i := range planned {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, &DialError{Op: "balancer", Net: network, Addr: address, Err: stopped(ctxErr, i, planned, "members", &errs)}
		}
		start := b.now()
		m := c.next(start, i)
		if t != nil {
			t(ctx, Event{Op: "balancer", Kind: "attempt", Network: network, Address: address, N: i + 1, Of: planned})
			t(ctx, Event{Op: "balancer", Kind: "chose", Network: network, Address: address, N: m.index,
				Elapsed: m.health(start)})
		}
		conn, err := m.dial(ctx, t, start, network, address)
		if conn, err = passOn("balancer", network, address, conn, err); err == nil {
			return conn, nil
		}
		errs.add(i, err)
	}
	cause := allFailed("members", &errs)
	if ctxErr := ctx.Err(); ctxErr != nil {
		cause = stopped(ctxErr, planned, planned, "members", &errs)
	}
	return nil, &DialError{Op: "balancer", Net: network, Addr: address, Err: cause}
}

// Dial is DialContext with [context.Background].
func (b *Balancer) Dial(network, address string) (net.Conn, error) {
	return b.DialContext(context.Background(), network, address)
}

// Unwrap returns the members.
func (b *Balancer) Unwrap() []Dialer { return kept(b.dialers) }

// now is the time since the Balancer was made, on the monotonic clock, in
// nanoseconds.
func (b *Balancer) now() int64 { return int64(time.Since(b.start)) }
