package dialx

import (
	"net"
	"net/netip"
	"strings"

	"github.com/dialx/dialx/rules"
)

// alwaysDirect are the destinations golang.org/x/net/http/httpproxy never
// proxies, whatever NO_PROXY says: localhost and the loopback addresses.
var alwaysDirect = []string{"localhost", "127.0.0.0/8", "::1"}

// noProxyPatterns translates a NO_PROXY value into patterns of package
// rules that match, among the addresses rules can read, what the value's
// entries match in golang.org/x/net/http/httpproxy (Config.NoProxy):
//
//   - every host
//     1.2.3.0/24         an IP block, any port
//     1.2.3.4  ::1       an IP address, any port, or with ":port" ("[::1]:80") that port only
//     example.com        that name and every name below it, any port or ":port"
//     .example.com       every name below it ("*.example.com" alike), any port or ":port"
//
// An entry httpproxy ignores is left out, and so is one that can only match
// names rules refuses, for which a dial fails anyway: a name with '*' inside,
// a number as last label, a trailing dot, a port that is not plain decimal.
func noProxyPatterns(noProxy string) []string {
	var patterns []string
	for _, entry := range strings.Split(noProxy, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if entry == "*" {
			return []string{"*"}
		}
		if pattern, ok := noProxyPattern(entry); ok {
			patterns = append(patterns, pattern)
		}
	}
	return patterns
}

// noProxyPattern translates one entry of NO_PROXY, in lower case, as
// httpproxy reads it (config.init), into a pattern; ok is false for an
// entry that matches no address rules can read.
func noProxyPattern(entry string) (pattern string, ok bool) {
	if _, block, err := net.ParseCIDR(entry); err == nil {
		return cidrPattern(block)
	}
	host, port, err := net.SplitHostPort(entry)
	if err != nil {
		host, port = entry, ""
	} else if host == "" {
		return "", false
	}
	if port != "" && !plainPort(port) {
		return "", false
	}
	if ip := net.ParseIP(host); ip != nil {
		addr, _ := netip.AddrFromSlice(ip)
		if port == "" {
			return addr.Unmap().String(), true
		}
		return net.JoinHostPort(addr.Unmap().String(), port), true
	}
	// A name: "name" matches itself and below, ".name" and "*.name" below.
	name := host
	if strings.HasPrefix(name, "*.") {
		name = name[1:]
	}
	self := !strings.HasPrefix(name, ".")
	name = strings.TrimPrefix(name, ".")
	if name == "" || strings.ContainsAny(name, "*[]") || strings.HasSuffix(name, ".") {
		// '*' is no wildcard to httpproxy, but would be one to rules; a
		// trailing dot would be dropped by rules, which httpproxy keeps.
		return "", false
	}
	if _, err := rules.Canonical(name + ":1"); err != nil {
		// A name rules refuses, one that ends in a number above all, is
		// no part of a name it reads, and would make "*.1" a glob over
		// IPv4 addresses, which httpproxy never matches by name.
		return "", false
	}
	if self {
		pattern = "." + name
	} else {
		pattern = "*." + name
	}
	if port != "" {
		pattern += ":" + port
	}
	if _, err := rules.Compile(pattern); err != nil {
		return "", false
	}
	return pattern, true
}

// cidrPattern is the pattern of an IP block from net.ParseCIDR, whose
// IPv4-mapped blocks of /96 or longer hold IPv4 addresses.
func cidrPattern(block *net.IPNet) (string, bool) {
	addr, ok := netip.AddrFromSlice(block.IP)
	if !ok {
		return "", false
	}
	bits, size := block.Mask.Size()
	if addr.Is4In6() && size == 128 {
		if bits < 96 {
			return "", false
		}
		addr, bits = addr.Unmap(), bits-96
	}
	return netip.PrefixFrom(addr.Unmap(), bits).String(), true
}

// plainPort reports whether port is a port number as rules reads it: the
// only spelling of a port that a canonical address can have.
func plainPort(port string) bool {
	if port == "" || len(port) > 5 || (port[0] == '0' && port != "0") {
		return false
	}
	n := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}
