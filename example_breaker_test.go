package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/dialx/dialx"
)

func ExampleNewBreaker() {
	down := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	breaker := dialx.NewBreaker(down, dialx.WithConsecutiveFailures(2))

	// A Trace added to every dial's ctx sees every change of state.
	trace := dialx.Trace(func(_ context.Context, e dialx.Event) {
		if e.Op == "breaker" && e.Kind == "state" {
			fmt.Printf("%s: %s -> %s\n", e.Detail, e.From, e.To)
		}
	})
	d := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		return breaker.DialContext(dialx.WithTrace(ctx, trace), network, address)
	})

	for range 3 {
		_, err := d.Dial("tcp", "db.internal:5432")
		fmt.Println(err, errors.Is(err, dialx.ErrOpen))
	}
	// Output:
	// connection refused false
	// db.internal:5432: closed -> open
	// connection refused false
	// dialx: breaker tcp db.internal:5432: circuit open true
}

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
