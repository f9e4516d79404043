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
	d := dialx.NewBreaker(down,
		dialx.WithConsecutiveFailures(2),
		dialx.WithStateChange(func(key string, from, to dialx.BreakerState) {
			fmt.Printf("%s: %s -> %s\n", key, from, to)
		}))

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
