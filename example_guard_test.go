package dialx_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"github.com/dialx/dialx"
)

// staticResolver answers every lookup from a table, standing in for DNS.
type staticResolver map[string][]netip.Addr

func (r staticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return r[host], nil
}

func ExampleNewGuard() {
	// The base Dialer only prints what it is asked to dial.
	base := dialx.DialerFunc(func(_ context.Context, network, address string) (net.Conn, error) {
		fmt.Println("dialing", network, address)
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
	dns := staticResolver{
		"api.example":      {netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("8.8.8.8")},
		"rebind.example":   {netip.MustParseAddr("127.0.0.1")},
		"metadata.example": {netip.MustParseAddr("169.254.169.254")},
	}
	guard, err := dialx.NewGuard(base,
		dialx.WithResolver(dns),
		dialx.WithExceptions(dialx.Rule{Pattern: "10.1.2.3:5432", Dialer: base}),
	)
	if err != nil {
		panic(err)
	}
	for _, address := range []string{"api.example:443", "rebind.example:443", "metadata.example:80", "[::ffff:10.0.0.1]:22", "10.1.2.3:5432"} {
		if conn, err := guard.DialContext(context.Background(), "tcp", address); err != nil {
			fmt.Println(err)
		} else {
			conn.Close()
		}
	}
	// Output:
	// dialing tcp 8.8.8.8:443
	// dialx: resolve tcp rebind.example:443: reject tcp 127.0.0.1:443: not a public address: 127.0.0.0/8 is Loopback (RFC 1122, Section 3.2.1.3)
	// dialx: resolve tcp metadata.example:80: reject tcp 169.254.169.254:80: not a public address: 169.254.0.0/16 is Link Local (RFC 3927)
	// dialx: reject tcp 10.0.0.1:22: not a public address: 10.0.0.0/8 is Private-Use (RFC 1918)
	// dialing tcp 10.1.2.3:5432
}
