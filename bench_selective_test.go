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
// plus a catch-all; and addresses that fall deep inside some of them (an
// IPv4 address, its IPv4-mapped form, an IPv6 address) or in none.
func benchPrefixRules(n int) (patterns, addresses []string) {
	r := rand.New(rand.NewPCG(5, 6))
	random4 := func() netip.Addr {
		return netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	}
	random6 := func() netip.Addr {
		var b [16]byte
		b[0], b[1] = 0x20, 0x01
		for i := 2; i < 16; i++ {
			b[i] = byte(r.IntN(256))
		}
		return netip.AddrFrom16(b)
	}
	var last4, last6 netip.Addr
	for i := range n {
		var ip netip.Addr
		bits := i % (33 + 129)
		if bits < 33 {
			ip = random4()
			last4 = ip
		} else {
			bits -= 33
			ip = random6()
			last6 = ip
		}
		patterns = append(patterns, netip.PrefixFrom(ip, bits).Masked().String())
	}
	addresses = []string{
		last4.String() + ":443",
		"[::ffff:" + last4.String() + "]:443",
		"[" + last6.String() + "]:443",
		"[2001:db8::1]:443",
		"192.0.2.1:443",
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
