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

// An SSRF guard: names are resolved by Resolve and every address is checked
// against the rules before it is dialed, so a name that resolves to a
// private address is refused. The resolver here is a stand-in for DNS.
func ExampleNewResolve() {
	deny := dialx.NewReject(errors.New("private address"))
	guard, err := dialx.NewSelective(
		dialx.Rule{Pattern: "127.0.0.0/8", Dialer: deny},
		dialx.Rule{Pattern: "10.0.0.0/8", Dialer: deny},
		dialx.Rule{Pattern: "::1", Dialer: deny},
		dialx.Rule{Pattern: "*", Dialer: pipeDialer("public")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	dns := map[string][]netip.Addr{
		"www.example.com":    {netip.MustParseAddr("192.0.2.10")},
		"rebind.example.net": {netip.MustParseAddr("127.0.0.1")},
	}
	resolver := lookupFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		return dns[host], nil
	})
	d := dialx.NewResolve(guard, dialx.WithResolver(resolver))
	for _, address := range []string{"www.example.com:443", "rebind.example.net:443", "[::ffff:10.0.0.1]:80"} {
		conn, err := d.Dial("tcp", address)
		if err != nil {
			fmt.Println(err)
			continue
		}
		conn.Close()
	}
	// Output:
	// public: dialing tcp 192.0.2.10:443
	// dialx: resolve tcp rebind.example.net:443: reject tcp 127.0.0.1:443: private address
	// dialx: reject tcp 10.0.0.1:80: private address
}

type lookupFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f lookupFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
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
