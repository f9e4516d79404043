package dialx

import (
	"context"
	"math/rand/v2"
	"net"
)

// Random spreads dials over Dialers: like [Consecutive] it tries each once
// until one connects, but in a fresh, uniformly random order for each dial.
// Use [NewRandom] to make one; the zero value is not usable. A Random is safe
// for concurrent use by multiple goroutines.
type Random struct {
	dialers []Dialer
}

// NewRandom returns a Random over ds. It panics if ds is empty or holds nil.
func NewRandom(ds ...Dialer) *Random {
	mustDialers("NewRandom", ds)
	return &Random{dialers: append([]Dialer(nil), ds...)}
}

// DialContext tries the Dialers in a random order until one connects.
func (r *Random) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	n := len(r.dialers)
	// The order is drawn lazily, one Fisher-Yates step per attempt: a dial
	// whose first pick succeeds costs one random number and no allocation.
	first := rand.IntN(n)
	var order []int
	return dialInTurn(ctx, "random", "dialers", network, address, n, nil, func(i int) Dialer {
		if i == 0 {
			return r.dialers[first]
		}
		if order == nil {
			order = make([]int, n)
			for j := range order {
				order[j] = j
			}
			order[0], order[first] = order[first], order[0]
		}
		j := i + rand.IntN(n-i)
		order[i], order[j] = order[j], order[i]
		return r.dialers[order[i]]
	}, nil)
}

// Dial is DialContext with [context.Background].
func (r *Random) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}
