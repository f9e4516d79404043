package dialx_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
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

// Resolve races the addresses of a name: when the first one does not
// answer, the next is dialed after the stagger delay, and the first
// connection wins. The resolver and the routes here are stand-ins.
func ExampleWithStagger_resolve() {
	resolver := lookupFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1")}, nil
	})
	v6Started, v6Cancelled := make(chan struct{}), make(chan struct{})
	routes := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		if address == "[2001:db8::1]:443" {
			fmt.Println("dialing", address)
			close(v6Started)
			<-ctx.Done() // a broken IPv6 route: the dial hangs until cancelled
			close(v6Cancelled)
			return nil, ctx.Err()
		}
		<-v6Started
		fmt.Println("dialing", address, "100ms later")
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})

	d := dialx.NewResolve(routes, dialx.WithResolver(resolver), dialx.WithStagger(100*time.Millisecond))
	conn, err := d.Dial("tcp", "www.example.com:443")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	<-v6Cancelled
	fmt.Println("connected; the IPv6 attempt was cancelled")
	// Output:
	// dialing [2001:db8::1]:443
	// dialing 192.0.2.1:443 100ms later
	// connected; the IPv6 attempt was cancelled
}
