package rules_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/dialx/dialx/rules"
)

// Compile reports every bad pattern at once; a good list matches first
// pattern first, whatever the spelling of the address.
func ExampleCompile() {
	_, err := rules.Compile("example.com:http", "*.example.com", "127.1")
	fmt.Println(err)

	table, err := rules.Compile(".ads.example", "10.0.0.0/8", "*:443")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"cdn.ads.example:443", "[::ffff:10.1.2.3]:22", "example.com:443", "example.com:80"} {
		i, _, err := table.Match(address)
		fmt.Println(address, i, err)
	}
	// Output:
	// dialx: rule 0 "example.com:http": port "http" is not a decimal number
	// dialx: rule 2 "127.1": host "127.1" ends in a number but is not a dotted-quad IPv4 address
	// cdn.ads.example:443 0 <nil>
	// [::ffff:10.1.2.3]:22 1 <nil>
	// example.com:443 2 <nil>
	// example.com:80 -1 <nil>
}

// A rules file names a target for each pattern: here what to do with a
// connection. Table.Rule gives the target and the line of the pattern that
// matched.
func ExampleParse() {
	table, err := rules.Parse(strings.NewReader(`
# intranet through the VPN, ads refused, everything else direct
10.0.0.0/8      vpn
.corp.example   vpn
.ads.example    refuse
*               direct
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{"wiki.corp.example:443", "10.1.2.3:5432", "track.ads.example:443", "example.com:443"} {
		i, canonical, err := table.Match(address)
		if err != nil {
			fmt.Println(err)
			continue
		}
		pattern, target, line := table.Rule(i)
		fmt.Printf("%s: %s (line %d, %s)\n", canonical, target, line, pattern)
	}

	_, err = rules.Parse(strings.NewReader("10.0.0.0/8 vpn\n*.corp.example:https vpn\n"))
	fmt.Println(err)
	// Output:
	// wiki.corp.example:443: vpn (line 4, .corp.example)
	// 10.1.2.3:5432: vpn (line 3, 10.0.0.0/8)
	// track.ads.example:443: refuse (line 5, .ads.example)
	// example.com:443: direct (line 6, *)
	// dialx: line 2: pattern "*.corp.example:https": port "https" is not a decimal number
}

// Canonical writes each address one way, the way a Table checks it; an
// address that could be read two ways is refused.
func ExampleCanonical() {
	for _, address := range []string{
		"WWW.Example.COM.:443",
		"bücher.example:443",
		"[::ffff:127.0.0.1]:80",
		"[FE80::1%eth0]:22",
		"127.1:80",
		"example.com:080",
	} {
		canonical, err := rules.Canonical(address)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(canonical)
	}
	// Output:
	// www.example.com:443
	// xn--bcher-kva.example:443
	// 127.0.0.1:80
	// [fe80::1%eth0]:22
	// dialx: invalid address: host "127.1" ends in a number but is not a dotted-quad IPv4 address
	// dialx: invalid address: port "080" has a leading zero
}

// A forward proxy checks the destination of each CONNECT request against an
// allow-list before it connects, and would connect to the canonical address
// it checked, never to the host as the client wrote it.
func ExampleTable_Match() {
	allowed, err := rules.Compile("*.example.com:443", "api.example.org:443")
	if err != nil {
		fmt.Println(err)
		return
	}
	proxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, canonical, err := allowed.Match(r.Host)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case i < 0:
			http.Error(w, "destination not allowed", http.StatusForbidden)
		default:
			fmt.Fprintf(w, "connecting to %s\n", canonical)
		}
	})
	for _, host := range []string{"WWW.Example.COM.:443", "api.example.org:443", "api.example.org:22", "www.example.com\xff.evil:443"} {
		request := httptest.NewRequest(http.MethodConnect, "/", nil)
		request.Host = host
		response := httptest.NewRecorder()
		proxy.ServeHTTP(response, request)
		fmt.Print(response.Code, " ", response.Body)
	}
	// Output:
	// 200 connecting to www.example.com:443
	// 200 connecting to api.example.org:443
	// 403 destination not allowed
	// 400 dialx: invalid address: invalid host "www.example.com\xff.evil": byte "\xff" at offset 15 is not valid UTF-8
}

// A check for server-side request forgery: a Table of every non-public block,
// then "*". Give it the addresses a name resolves to, not the name.
// IPv4-mapped addresses are judged by the IPv4 address they carry; NAT64
// addresses are refused whole.
func ExampleNonPublicPrefixes() {
	var patterns []string
	for _, prefix := range rules.NonPublicPrefixes() {
		patterns = append(patterns, prefix.String())
	}
	public := len(patterns)
	table, err := rules.Compile(append(patterns, "*")...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{
		"169.254.169.254:80",
		"100.100.100.200:80",
		"[fd00:ec2::254]:80",
		"[::ffff:127.0.0.1]:8080",
		"[64:ff9b::a00:5]:443",
		"[2002:a00:5::1]:443",
		"8.8.8.8:53",
		"[::ffff:8.8.8.8]:53",
		"[2606:4700:4700::1111]:443",
	} {
		i, canonical, err := table.Match(address)
		switch {
		case err != nil:
			fmt.Println(err)
		case i < public:
			fmt.Printf("%s refused: in %s\n", canonical, patterns[i])
		default:
			fmt.Printf("%s allowed\n", canonical)
		}
	}
	// Output:
	// 169.254.169.254:80 refused: in 169.254.0.0/16
	// 100.100.100.200:80 refused: in 100.64.0.0/10
	// [fd00:ec2::254]:80 refused: in fc00::/7
	// 127.0.0.1:8080 refused: in 127.0.0.0/8
	// [64:ff9b::a00:5]:443 refused: in ::/8
	// [2002:a00:5::1]:443 refused: in 2002::/16
	// 8.8.8.8:53 allowed
	// 8.8.8.8:53 allowed
	// [2606:4700:4700::1111]:443 allowed
}
