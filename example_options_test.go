package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/dialx/dialx"
)

// Open after two failures in a row instead of five: for a destination where
// one failed dial is rare, two already say it is down.
func ExampleWithConsecutiveFailures() {
	d := dialx.NewBreaker(downDialer("db"), dialx.WithConsecutiveFailures(2))
	for range 3 {
		_, err := d.Dial("tcp", "db.internal:5432")
		fmt.Println(errors.Is(err, dialx.ErrOpen), err)
	}
	// Output:
	// db: dialing tcp db.internal:5432
	// false db is down
	// db: dialing tcp db.internal:5432
	// false db is down
	// true dialx: breaker tcp db.internal:5432: circuit open
}

// A flapping backend fails every other dial: never five failures in a row,
// so only a ratio catches it. Here half of at least 4 dials over a minute.
func ExampleWithFailureRatio() {
	dials := 0
	flapping := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		if dials++; dials%2 == 0 {
			return nil, errors.New("connection reset")
		}
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
	d := dialx.NewBreaker(flapping, dialx.WithFailureRatio(0.5, time.Minute, 4))
	for range 5 {
		conn, err := d.Dial("tcp", "api.internal:443")
		if err != nil {
			fmt.Println(err)
			continue
		}
		conn.Close()
		fmt.Println("connected")
	}
	// Output:
	// connected
	// connection reset
	// connected
	// connection reset
	// dialx: breaker tcp api.internal:443: circuit open
}

// A destination that recovers quickly, such as a local sidecar, can be
// probed again sooner than after the default 5 s. (20 ms, without jitter,
// keeps the example short and its output fixed.)
func ExampleWithBackoff_breaker() {
	quick := dialx.ExponentialBackoff{Base: 20 * time.Millisecond, Multiplier: 2, Jitter: -1, Max: time.Second}
	for _, opts := range [][]dialx.Option{
		{dialx.WithConsecutiveFailures(1)},
		{dialx.WithConsecutiveFailures(1), dialx.WithBackoff(quick)},
	} {
		d := dialx.NewBreaker(flakyDialer(1), opts...)
		d.Dial("tcp", "sidecar.local:15001") // the circuit opens
		time.Sleep(25 * time.Millisecond)
		conn, err := d.Dial("tcp", "sidecar.local:15001") // the probe, once the cool-down is over
		if err != nil {
			fmt.Println(err)
			continue
		}
		conn.Close()
	}
	// Output:
	// try 1: refused
	// dialx: breaker tcp sidecar.local:15001: circuit open
	// try 1: refused
	// try 2: connected
}

// One circuit per host rather than per address: when a host is down, all of
// its ports are, and other hosts keep their own circuits.
func ExampleWithKey() {
	byHost := dialx.WithKey(func(network, address string) string {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return address
		}
		return host
	})
	d := dialx.NewBreaker(downDialer("inner"), dialx.WithConsecutiveFailures(1), byHost)
	for _, address := range []string{"db.internal:5432", "db.internal:5433", "cache.internal:6379"} {
		_, err := d.Dial("tcp", address)
		fmt.Println(err)
	}
	// Output:
	// inner: dialing tcp db.internal:5432
	// inner is down
	// dialx: breaker tcp db.internal:5433: circuit open
	// inner: dialing tcp cache.internal:6379
	// inner is down
}

// A Breaker in front of many short-lived destinations (a crawler, a proxy)
// forgets those it no longer dials, and with them their failures. 10 ms
// keeps the example short.
func ExampleWithForget() {
	d := dialx.NewBreaker(downDialer("inner"), dialx.WithConsecutiveFailures(2),
		dialx.WithForget(10*time.Millisecond, 10000))

	d.Dial("tcp", "a.example:80") // a's first failure
	for _, address := range []string{"b.example:80", "c.example:80"} {
		time.Sleep(10 * time.Millisecond)
		d.Dial("tcp", address) // a new destination sweeps out the quiet ones
	}
	d.Dial("tcp", "a.example:80") // a's first failure again, not its second
	fmt.Println("a.example:80 is", d.State("tcp", "a.example:80"))
	// Output:
	// inner: dialing tcp a.example:80
	// inner: dialing tcp b.example:80
	// inner: dialing tcp c.example:80
	// inner: dialing tcp a.example:80
	// a.example:80 is closed
}

// Cap the circuits a Breaker keeps. When a new destination comes at the
// cap, circuits are dropped, and an open one is kept over a closed one: b's
// failure is forgotten, a's open circuit is not.
func ExampleWithForget_max() {
	d := dialx.NewBreaker(downDialer("inner"), dialx.WithConsecutiveFailures(2),
		dialx.WithForget(10*time.Minute, 2))
	for _, address := range []string{"a.example:80", "a.example:80", "b.example:80", "c.example:80", "b.example:80"} {
		d.Dial("tcp", address)
	}
	fmt.Println("a is", d.State("tcp", "a.example:80"), "and b is", d.State("tcp", "b.example:80"))
	// Output:
	// inner: dialing tcp a.example:80
	// inner: dialing tcp a.example:80
	// inner: dialing tcp b.example:80
	// inner: dialing tcp c.example:80
	// inner: dialing tcp b.example:80
	// a is open and b is closed
}

// Look names up with your own Resolver (a cache, DNS over HTTPS, or a fake
// in tests) rather than net.DefaultResolver. Here it answers 127.0.0.1, and
// the Selective behind Resolve refuses that address whatever the name.
func ExampleWithResolver() {
	resolver := lookupFunc(func(_ context.Context, network, host string) ([]netip.Addr, error) {
		fmt.Println("lookup", network, host)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})
	guard, err := dialx.NewSelective(
		dialx.Rule{Pattern: "127.0.0.0/8", Dialer: dialx.NewReject(errors.New("loopback"))},
		dialx.Rule{Pattern: "*", Dialer: pipeDialer("public")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = dialx.NewResolve(guard, dialx.WithResolver(resolver)).Dial("tcp4", "app.example:80")
	fmt.Println(err)
	// Output:
	// lookup ip4 app.example
	// dialx: resolve tcp4 app.example:80: reject tcp4 127.0.0.1:80: loopback
}

// The ratio is the extra load that retries may add to a failing backend:
// each of 100 dials here gets up to 2 retries, the budget allows a share.
func ExampleNewBudget_ratio() {
	for _, ratio := range []float64{0, 0.1, 0.5} {
		budget := dialx.NewBudget(ratio, 0, 10*time.Second)
		var dials int
		down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		})
		d := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
		for range 100 {
			d.Dial("tcp", "api.internal:443")
		}
		fmt.Printf("ratio %.1f: %d dials reached the backend\n", ratio, dials)
	}
	// Output:
	// ratio 0.0: 100 dials reached the backend
	// ratio 0.1: 110 dials reached the backend
	// ratio 0.5: 150 dials reached the backend
}

// A client that dials rarely has too few first tries for the ratio to allow
// a retry; the floor lets it retry anyway.
func ExampleNewBudget_floor() {
	for _, perSecond := range []float64{0, 1} {
		budget := dialx.NewBudget(0.2, perSecond, 10*time.Second)
		var dials int
		down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		})
		d := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
		for range 3 {
			d.Dial("tcp", "api.internal:443")
		}
		fmt.Printf("floor %v/s: %d dials for 3 first tries\n", perSecond, dials)
	}
	// Output:
	// floor 0/s: 3 dials for 3 first tries
	// floor 1/s: 9 dials for 3 first tries
}

// The window is how long first tries and retries count: retries spent are
// given back once it has passed. Both budgets here allow 2 retries per
// window; after 50 ms only the short window has refilled.
func ExampleNewBudget_window() {
	for _, window := range []time.Duration{50 * time.Millisecond, 10 * time.Second} {
		budget := dialx.NewBudget(0, 2/window.Seconds(), window)
		var dials int
		down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		})
		d := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
		d.Dial("tcp", "api.internal:443") // spends the 2 retries
		time.Sleep(50 * time.Millisecond)
		dials = 0
		_, err := d.Dial("tcp", "api.internal:443")
		fmt.Printf("window %v: then %d backend dials, budget exhausted: %v\n", window, dials, errors.Is(err, dialx.ErrBudgetExhausted))
	}
	// Output:
	// window 50ms: then 3 backend dials, budget exhausted: false
	// window 10s: then 1 backend dials, budget exhausted: true
}
