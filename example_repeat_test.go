package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/dialx/dialx"
)

func ExampleWithRetryIf() {
	// Retry refused connections only; anything else fails at once.
	refused := errors.New("connection refused")
	denied := errors.New("permission denied")
	tries := 0
	d := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		tries++
		if tries == 1 {
			return nil, refused
		}
		return nil, denied
	})
	repeat := dialx.NewRepeat(d, 5, dialx.WithRetryIf(func(err error) bool { return errors.Is(err, refused) }))
	_, err := repeat.DialContext(context.Background(), "tcp", "api.internal:443")
	fmt.Println(err)
	fmt.Println(errors.Is(err, denied))
	// Output:
	// dialx: repeat tcp api.internal:443: stopped after 2 of 5 tries: not retryable; connection refused; permission denied
	// true
}
