package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

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
	// dialx: reject tcp ads.example:443: blocked
	// dialx: reject tcp 10.1.2.3:22: connection rejected
	// http: dialing tcp example.com:80
	// direct: dialing tcp example.com:443
	// dialx: rule 0 "example.com:http": port "http" is not a decimal number
}

// A net.Dialer that keeps its own name resolution checks each IP address
// it resolved with the rules, just before the socket connects, so that
// address rules hold for names too. The hook never dials: it asks the rule's
// Dialer whether it refuses, looking through a Timeout or other decorator of
// one Dialer. Here the hook is called as the net.Dialer calls it, with
// addresses a name might resolve to.
func ExampleSelective_ControlContext() {
	selective, err := dialx.NewSelective(
		dialx.Rule{Pattern: "10.0.0.0/8", Dialer: dialx.NewReject(errors.New("private network"))},
		dialx.Rule{Pattern: "169.254.169.254", Dialer: dialx.NewTimeout(dialx.NewReject(nil), time.Second)},
		dialx.Rule{Pattern: "*:443", Dialer: &net.Dialer{}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	dialer := &net.Dialer{ControlContext: selective.ControlContext}
	for _, address := range []string{"203.0.113.7:443", "10.1.2.3:443", "169.254.169.254:443", "203.0.113.7:80"} {
		err := dialer.ControlContext(context.Background(), "tcp4", address, nil)
		fmt.Printf("%s: %v\n", address, err)
	}
	// Output:
	// 203.0.113.7:443: <nil>
	// 10.1.2.3:443: dialx: reject tcp4 10.1.2.3:443: private network
	// 169.254.169.254:443: dialx: reject tcp4 169.254.169.254:443: connection rejected
	// 203.0.113.7:80: dialx: selective tcp4 203.0.113.7:80: no rule matches the address
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
