package dialx_test

import (
	"errors"
	"fmt"

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
