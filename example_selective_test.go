package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/dialx/dialx"
)

// A block-list: ads are refused, plain HTTP goes through one route, and the
// catch-all "*" sends everything else through another. Hosts match in any
// spelling: case, a trailing dot, an IPv4-mapped IPv6 address.
func ExampleNewSelective() {
	selective, err := dialx.NewSelective(
		dialx.Rule{Pattern: ".ads.example", Dialer: dialx.NewReject(errors.New("blocked"))},
		dialx.Rule{Pattern: "10.0.0.0/8", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "*:80", Dialer: pipeDialer("http")},
		dialx.Rule{Pattern: "*", Dialer: pipeDialer("direct")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"cdn.ads.example:443", "ADS.example.:443", "[::ffff:10.1.2.3]:22", "example.com:80", "example.com:443"} {
		conn, err := selective.Dial("tcp", address)
		if err != nil {
			fmt.Println(err)
			continue
		}
		conn.Close()
	}

	_, err = dialx.NewSelective(dialx.Rule{Pattern: "example.com:http", Dialer: pipeDialer("http")})
	fmt.Println(err)
	// Output:
	// dialx: reject tcp cdn.ads.example:443: blocked
	// dialx: reject tcp ADS.example.:443: blocked
	// dialx: reject tcp [::ffff:10.1.2.3]:22: connection rejected
	// http: dialing tcp example.com:80
	// direct: dialing tcp example.com:443
	// dialx: rule 0 "example.com:http": port "http" is not a decimal number
}

// Rules read from a file, here a string. To apply an edited file without a
// restart, build a new Selective from it and swap it into a Swappable that
// the rest of the program dials through; dials in flight finish on the old
// rules.
func ExampleParseRules() {
	dialers := map[string]dialx.Dialer{
		"block":  dialx.NewReject(nil),
		"vpn":    pipeDialer("vpn"),
		"direct": pipeDialer("direct"),
	}
	load := func(file string) (*dialx.Selective, error) {
		rules, err := dialx.ParseRules(strings.NewReader(file), dialers)
		if err != nil {
			return nil, err
		}
		return dialx.NewSelective(rules...)
	}

	selective, err := load(`
# intranet through the VPN, everything else direct
10.0.0.0/8      vpn
.corp.example   vpn
*               direct
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	current := dialx.NewSwappable(selective)
	dial := func(address string) {
		conn, err := current.Dial("tcp", address)
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Close()
	}
	dial("wiki.corp.example:443")
	dial("example.com:443")

	// The new file blocks the intranet; a bad line keeps the old rules.
	if _, err := load("10.0.0.0/8 vpn\n*.corp.example:https vpn\n"); err != nil {
		fmt.Println(err)
	}
	selective, err = load(".corp.example block\n* direct\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	current.Swap(selective)
	dial("wiki.corp.example:443")
	dial("example.com:443")
	// Output:
	// vpn: dialing tcp wiki.corp.example:443
	// direct: dialing tcp example.com:443
	// dialx: line 2: pattern "*.corp.example:https": port "https" is not a decimal number
	// dialx: reject tcp wiki.corp.example:443: connection rejected
	// direct: dialing tcp example.com:443
}

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
