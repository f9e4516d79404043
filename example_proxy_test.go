package dialx_test

import (
	"context"
	"fmt"
	"net"

	"github.com/dialx/dialx"
)

// legacyDialer has only Dial, like many proxy.Dialer implementations written
// before contexts. This one hands out one end of an in-memory pipe.
type legacyDialer struct{}

func (legacyDialer) Dial(network, address string) (net.Conn, error) {
	client, server := net.Pipe()
	server.Close()
	return client, nil
}

func ExampleFromProxy() {
	d := dialx.FromProxy(legacyDialer{})

	conn, err := d.DialContext(context.Background(), "tcp", "example.com:80")
	fmt.Println(conn != nil, err)
	conn.Close()

	// Unlike legacyDialer, d honours ctx.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = d.DialContext(ctx, "tcp", "example.com:80")
	fmt.Println(err)
	// Output:
	// true <nil>
	// dialx: proxy tcp example.com:80: context canceled
}
