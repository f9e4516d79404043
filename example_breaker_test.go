package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"

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
