package dialx_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/dialx/dialx"
)

func ExampleWithStagger() {
	v6Started, v6Cancelled := make(chan struct{}), make(chan struct{})
	v6 := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		fmt.Println("v6: dialing")
		close(v6Started)
		<-ctx.Done() // a broken route: the dial hangs until cancelled
		close(v6Cancelled)
		return nil, ctx.Err()
	})
	v4 := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		<-v6Started
		fmt.Println("v4: dialing, 250ms later")
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})

	// Happy Eyeballs: prefer the first route, give it 250ms, then race the next.
	d := dialx.NewConcurrent(v6, v4).WithOptions(dialx.WithStagger(250 * time.Millisecond))
	conn, err := d.Dial("tcp", "example.com:443")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	<-v6Cancelled
	fmt.Println("connected; the v6 attempt was cancelled")
	// Output:
	// v6: dialing
	// v4: dialing, 250ms later
	// connected; the v6 attempt was cancelled
}
