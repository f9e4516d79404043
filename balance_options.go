package dialx

import (
	"fmt"
	"time"
)

// WithProbe makes a [Balancer] (through [Balancer.WithOptions]) measure its
// members itself: every interval, each member dials address on network, and
// the connect time, or the failure, counts as a dial's. A Balancer dialed
// only now and then thus has estimates that are fresh, and a member that
// went bad is found before a dial goes to it.
//
// Probing runs only while the Balancer is in use: it starts with a dial,
// probes an interval later and every interval after that, and stops, leaving
// no goroutine behind, when it finds that an interval has passed without a
// dial (at most three intervals after the last one); the next dial starts it
// again. There is nothing to close, and nothing is left running for a
// Balancer that is no longer used, but a test that checks for leaked
// goroutines right after its last dial must wait that long. Each probe is
// bounded by the interval, and its connection, if any, closed at once.
// Probes are not traced. Default: no probing. It panics if network or
// address is empty or interval is not positive.
func WithProbe(network, address string, interval time.Duration) Option {
	switch {
	case network == "":
		panic(`dialx: WithProbe: network must not be empty, got ""`)
	case address == "":
		panic(`dialx: WithProbe: address must not be empty, got ""`)
	case interval <= 0:
		panic(fmt.Sprintf("dialx: WithProbe: interval must be > 0, got %v", interval))
	}
	return &option{name: "WithProbe", to: takenByBalancer, set: func(s *settings) {
		s.balance.probeNetwork, s.balance.probeAddress, s.balance.probeEvery = network, address, interval
	}}
}

// WithTolerance makes a [Balancer] (through [Balancer.WithOptions]) keep the
// first member it draws at random unless another drawn costs less by more
// than tolerance, as url-test groups of proxy clients keep their choice: members
// whose connect times differ by less than the noise of measuring them share
// dials evenly instead of each one drawing them while it looks a little
// faster (default 0: the cheaper always wins). A member with dials in flight
// costs its estimate times their number plus one, so a tolerance also lets
// some load pile up before it counts. It panics if tolerance is negative.
func WithTolerance(tolerance time.Duration) Option {
	if tolerance < 0 {
		panic(fmt.Sprintf("dialx: WithTolerance: tolerance must be >= 0, got %v", tolerance))
	}
	return &option{name: "WithTolerance", to: takenByBalancer,
		set: func(s *settings) { s.balance.tolerance = tolerance }}
}
