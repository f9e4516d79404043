package dialx_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/rules"
)

// A hosts block list refuses the names it lists; every other address is
// dialed directly. Match tells which rule an address takes: a pattern of
// the list, or the catch-all "*" after them.
func ExampleNewListed() {
	table, err := rules.ParseHosts(strings.NewReader(`
127.0.0.1 localhost
0.0.0.0 ads.example tracker.example
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	blocklist := dialx.NewListed(table, dialx.NewReject(errors.New("blocked")), pipeDialer("direct"))
	for _, address := range []string{"Tracker.Example.:443", "example.com:443"} {
		conn, err := blocklist.Dial("tcp", address)
		if err != nil {
			fmt.Println(err)
			continue
		}
		conn.Close()
	}
	rule, i, _ := blocklist.Match("localhost:8080")
	fmt.Println(rule.Pattern, i)
	// Output:
	// dialx: reject tcp tracker.example:443: blocked
	// direct: dialing tcp example.com:443
	// * 2
}
