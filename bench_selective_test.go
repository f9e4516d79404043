package dialx_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"path"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// benchRules makes n rules of the shape block-lists have: mostly zones
// (".zoneN.example", a name and everything below it), every tenth a /24
// block, all routed to one Dialer, plus a catch-all sending the rest to
// another. It returns the same list as Selective patterns, as the items of
// a proxy.PerHost, and as a rules file.
func benchRules(n int) (patterns, perHost []string, file string) {
	var b strings.Builder
	for i := range n {
		var pattern string
		if i%10 == 9 {
			pattern = fmt.Sprintf("%d.%d.%d.0/24", 10+i>>16, i>>8&255, i&255)
			perHost = append(perHost, pattern)
		} else {
			pattern = fmt.Sprintf(".zone%d.example", i)
			perHost = append(perHost, fmt.Sprintf("*.zone%d.example", i))
		}
		patterns = append(patterns, pattern)
		fmt.Fprintf(&b, "%s bypass\n", pattern)
	}
	b.WriteString("* direct\n")
	return patterns, perHost, b.String()
}

// benchAddresses hits the middle zone, the last zone and the last block of
// benchRules(n), and misses twice.
func benchAddresses(n int) []string {
	lastZone, lastBlock := n-1, n-1
	for lastZone%10 == 9 {
		lastZone--
	}
	for lastBlock%10 != 9 && lastBlock > 0 {
		lastBlock--
	}
	return []string{
		fmt.Sprintf("www.zone%d.example:443", n/2/10*10),
		fmt.Sprintf("zone%d.example:443", lastZone),
		fmt.Sprintf("%d.%d.%d.7:443", 10+lastBlock>>16, lastBlock>>8&255, lastBlock&255),
		"unlisted.example.org:443",
		"192.0.2.1:443",
	}
}

// benchPrefixRules makes n IP rules spread evenly over every prefix length,
// the 33 of IPv4 and the 129 of IPv6, each a block around a random address,
// and five addresses: an IPv4 address, its IPv4-mapped form, an IPv6
// address, and an IPv4 and an IPv6 address that only the two /0 blocks
// hold. Only the last rules hold the addresses (a /24 and a /32, a /64 and
// a /128, then the /0 blocks), so a linear matcher scans the whole list for
// each, while the index walks down as deep as the trie goes.
func benchPrefixRules(n int) (patterns, addresses []string) {
	r := rand.New(rand.NewPCG(5, 6))
	random := func(size int) netip.Addr {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		ip, _ := netip.AddrFromSlice(b)
		return ip
	}
	hit4, hit6, miss4, miss6 := random(4), random(16), random(4), random(16)
	targets := []netip.Addr{hit4, netip.AddrFrom16(hit4.As16()), hit6, miss4, netip.AddrFrom16(miss4.As16()), miss6}
	holdsTarget := func(prefix netip.Prefix) bool {
		for _, ip := range targets {
			if prefix.Contains(ip) {
				return true
			}
		}
		return false
	}
	last := []netip.Prefix{
		netip.PrefixFrom(hit4, 24), netip.PrefixFrom(hit4, 32), netip.PrefixFrom(hit6, 64), netip.PrefixFrom(hit6, 128),
		netip.PrefixFrom(miss4, 0), netip.PrefixFrom(miss6, 0),
	}
	for i := 0; len(patterns) < n-len(last); i++ {
		bits, size := i%(33+129), 4
		if bits >= 33 {
			bits, size = bits-33, 16
		}
		if bits == 0 {
			continue // a /0 holds every address; the two come last
		}
		prefix := netip.PrefixFrom(random(size), bits).Masked()
		for try := 0; holdsTarget(prefix) && try < 100; try++ {
			prefix = netip.PrefixFrom(random(size), bits).Masked()
		}
		if !holdsTarget(prefix) { // at the shortest lengths there may be no such block
			patterns = append(patterns, prefix.String())
		}
	}
	for _, prefix := range last {
		patterns = append(patterns, prefix.Masked().String())
	}
	for _, ip := range targets {
		addresses = append(addresses, netip.AddrPortFrom(ip, 443).String())
	}
	return patterns, addresses
}

// globLoop is the original's approach: every rule, in order, matched with
// a shell glob (and, for blocks, which globs cannot express, a Contains).
type globLoop struct {
	globs    [][2]string // zone "z": "z" and "*.z"
	prefixes []netip.Prefix
	route    []dialx.Dialer
	def      dialx.Dialer
}

func (g *globLoop) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ip, ipErr := netip.ParseAddr(host)
	for i := range g.route {
		if g.prefixes[i].IsValid() {
			if ipErr == nil && g.prefixes[i].Contains(ip) {
				return g.route[i].DialContext(ctx, network, address)
			}
			continue
		}
		for _, glob := range g.globs[i] {
			if ok, _ := path.Match(glob, host); ok {
				return g.route[i].DialContext(ctx, network, address)
			}
		}
	}
	return g.def.DialContext(ctx, network, address)
}

// BenchmarkSelective compares, in one run, the indexed Selective with a
// proxy.PerHost holding the same zones and blocks and with a linear glob
// loop: the cost of one dial through an instant Dialer, and the time and
// memory to build each from 100,000 rules.
func BenchmarkSelective(b *testing.B) {
	instant := dialx.DialerFunc(dialtest.Instant())
	for _, n := range []int{10, 1000, 100000} {
		patterns, perHostItems, _ := benchRules(n)
		addresses := benchAddresses(n)
		rules := make([]dialx.Rule, 0, n+1)
		loop := &globLoop{def: instant}
		for _, p := range patterns {
			rules = append(rules, dialx.Rule{Pattern: p, Dialer: instant})
			loop.route = append(loop.route, instant)
			if prefix, err := netip.ParsePrefix(p); err == nil {
				loop.prefixes, loop.globs = append(loop.prefixes, prefix), append(loop.globs, [2]string{})
			} else {
				loop.prefixes, loop.globs = append(loop.prefixes, netip.Prefix{}), append(loop.globs, [2]string{p[1:], "*" + p})
			}
		}
		rules = append(rules, dialx.Rule{Pattern: "*", Dialer: instant})
		selective, err := dialx.NewSelective(rules...)
		require.NoError(b, err)
		perHost := proxy.NewPerHost(instant, instant)
		for _, item := range perHostItems {
			perHost.AddFromString(item)
		}
		for _, impl := range []struct {
			name   string
			dialer dialx.Dialer
		}{{"selective", selective}, {"perhost", perHost}, {"globloop", loop}} {
			b.Run(fmt.Sprintf("op=dial/rules=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				ctx, i := context.Background(), 0
				for b.Loop() {
					if _, err := impl.dialer.DialContext(ctx, "tcp", addresses[i%len(addresses)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}

	// The same three for 100,000 IP and CIDR rules over every prefix length.
	patterns, addresses := benchPrefixRules(100000)
	rules := make([]dialx.Rule, 0, len(patterns)+1)
	perHost := proxy.NewPerHost(instant, instant)
	loop := &globLoop{def: instant}
	for _, p := range patterns {
		rules = append(rules, dialx.Rule{Pattern: p, Dialer: instant})
		perHost.AddFromString(p)
		loop.route = append(loop.route, instant)
		loop.prefixes, loop.globs = append(loop.prefixes, netip.MustParsePrefix(p)), append(loop.globs, [2]string{})
	}
	rules = append(rules, dialx.Rule{Pattern: "*", Dialer: instant})
	selective, err := dialx.NewSelective(rules...)
	require.NoError(b, err)
	for _, impl := range []struct {
		name   string
		dialer dialx.Dialer
	}{{"selective", selective}, {"perhost", perHost}, {"globloop", loop}} {
		b.Run("op=dial/rules=100000-prefix-lengths/impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx, i := context.Background(), 0
			for b.Loop() {
				if _, err := impl.dialer.DialContext(ctx, "tcp", addresses[i%len(addresses)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}

	patterns, perHostItems, file := benchRules(100000)
	rules = make([]dialx.Rule, 0, len(patterns)+1)
	for _, p := range patterns {
		rules = append(rules, dialx.Rule{Pattern: p, Dialer: instant})
	}
	rules = append(rules, dialx.Rule{Pattern: "*", Dialer: instant})
	dialers := map[string]dialx.Dialer{"bypass": instant, "direct": instant}
	for _, impl := range []struct {
		name  string
		build func() any
	}{
		{"selective", func() any {
			s, err := dialx.NewSelective(rules...)
			require.NoError(b, err)
			return s
		}},
		{"selective-from-file", func() any {
			rules, err := dialx.ParseRules(strings.NewReader(file), dialers)
			require.NoError(b, err)
			s, err := dialx.NewSelective(rules...)
			require.NoError(b, err)
			return s
		}},
		{"perhost", func() any {
			p := proxy.NewPerHost(instant, instant)
			for _, item := range perHostItems {
				p.AddFromString(item)
			}
			return p
		}},
	} {
		b.Run("op=build/rules=100000/impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				impl.build()
			}
			b.ReportMetric(float64(retained(impl.build)), "retained-B")
		})
	}
}

// retained reports how many bytes of heap what build returns keeps alive.
func retained(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return after.HeapAlloc - before.HeapAlloc
}
