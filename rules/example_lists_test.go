package rules_test

import (
	"fmt"
	"strings"

	"github.com/dialx/dialx/rules"
)

// A hosts block list lists each name of its lines; the machine's own
// entries at its top list nothing.
func ExampleParseHosts() {
	table, err := rules.ParseHosts(strings.NewReader(`
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
0.0.0.0 0.0.0.0
# ad servers
0.0.0.0 ads.example tracker.example
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"tracker.example:443", "www.ads.example:443", "localhost:80"} {
		i, _, _ := table.Match(address)
		fmt.Println(address, i)
	}

	_, err = rules.ParseHosts(strings.NewReader("0.0.0.0 ads.example\nads.example 0.0.0.0\n"))
	fmt.Println(err)
	// Output:
	// tracker.example:443 1
	// www.ads.example:443 -1
	// localhost:80 -1
	// dialx: line 2: pattern "ads.example": want ADDRESS NAME..., got a first field that is not an IP address
}

// A domain list lists each domain and every name below it.
func ExampleParseDomains() {
	table, err := rules.ParseDomains(strings.NewReader(`
# trackers
tracker.example
metrics.example   # since 2026
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"tracker.example:443", "eu.metrics.example:443", "example.com:443"} {
		i, _, _ := table.Match(address)
		if i < 0 {
			fmt.Println(address, "not listed")
			continue
		}
		pattern, _, line := table.Rule(i)
		fmt.Printf("%s listed by %s, line %d\n", address, pattern, line)
	}

	_, err = rules.ParseDomains(strings.NewReader("||ads.example^\n"))
	fmt.Println(err)
	// Output:
	// tracker.example:443 listed by .tracker.example, line 3
	// eu.metrics.example:443 listed by .metrics.example, line 4
	// example.com:443 not listed
	// dialx: line 1: pattern "||ads.example^": want one domain a line, got adblock filter syntax (write "example.com" for "||example.com^")
}

// A list of CIDR blocks with ';' comments, as Spamhaus's DROP lists are
// written, holds IPv4 and IPv6 blocks and single addresses.
func ExampleParseCIDRs() {
	table, err := rules.ParseCIDRs(strings.NewReader(`; Spamhaus DROP List
192.0.2.0/24 ; SBL123
198.51.100.7 ; SBL456
2001:db8::/32 ; SBL789
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"192.0.2.10:443", "[::ffff:198.51.100.7]:25", "[2001:db8::1]:443", "203.0.113.1:443"} {
		i, canonical, _ := table.Match(address)
		fmt.Println(canonical, i)
	}

	_, err = rules.ParseCIDRs(strings.NewReader("192.0.2.1/24 ; SBL123\n"))
	fmt.Println(err)
	// Output:
	// 192.0.2.10:443 0
	// 198.51.100.7:25 1
	// [2001:db8::1]:443 2
	// 203.0.113.1:443 -1
	// dialx: line 1: pattern "192.0.2.1/24": CIDR block "192.0.2.1/24" has bits set after its prefix length; write 192.0.2.0/24
}
