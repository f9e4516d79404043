package dialx_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// tableShapes are the two shapes of large lists: names with everything
// below them (ad and tracker lists, threat feeds), and IPv4 blocks
// (reputation and country lists). Each makes rule i as a Selective pattern
// and as a proxy.PerHost item for the same destinations, and an address
// that rule i alone matches.
var tableShapes = []struct {
	name    string
	pattern func(i int) string
	address func(i int) string
}{
	{"subdomains",
		func(i int) string { return fmt.Sprintf("*.name%d.example.com", i) },
		func(i int) string { return fmt.Sprintf("www.name%d.example.com:443", i) }},
	{"ipv4-24",
		func(i int) string { return fmt.Sprintf("%d.%d.%d.0/24", 1+i>>16, i>>8&255, i&255) },
		func(i int) string { return fmt.Sprintf("%d.%d.%d.7:443", 1+i>>16, i>>8&255, i&255) }},
}

// BenchmarkRuleTable measures, in one run, a Selective and a proxy.PerHost
// holding the same n rules of each shape: the time to build each, the heap
// each keeps per rule (its text included: nothing of the input list stays
// reachable but what the structure keeps), and for the Selective the cost
// of a dial through an instant Dialer, which hits the first, middle and
// last rule and misses once, at 10 rules and up.
func BenchmarkRuleTable(b *testing.B) {
	instant := dialx.DialerFunc(dialtest.Instant())
	for _, shape := range tableShapes {
		for _, n := range []int{10, 10000, 100000, 1000000} {
			items := func() []string {
				list := make([]string, n)
				for i := range list {
					list[i] = shape.pattern(i)
				}
				return list
			}
			selective := func(items []string) any {
				rules := make([]dialx.Rule, len(items)+1)
				for i, item := range items {
					rules[i] = dialx.Rule{Pattern: item, Dialer: instant}
				}
				rules[len(items)] = dialx.Rule{Pattern: "*", Dialer: instant}
				s, err := dialx.NewSelective(rules...)
				require.NoError(b, err)
				return s
			}
			perHost := func(items []string) any {
				p := proxy.NewPerHost(instant, instant)
				for _, item := range items {
					p.AddFromString(item)
				}
				return p
			}
			if n >= 10000 {
				for _, impl := range []struct {
					name  string
					build func([]string) any
				}{{"selective", selective}, {"perhost", perHost}} {
					b.Run(fmt.Sprintf("op=build/shape=%s/rules=%d/impl=%s", shape.name, n, impl.name), func(b *testing.B) {
						list := items()
						b.ReportAllocs()
						for b.Loop() {
							impl.build(list)
						}
						b.ReportMetric(float64(retainedFrom(items, impl.build))/float64(n), "B/rule")
					})
				}
			}
			s := selective(items()).(*dialx.Selective)
			addresses := []string{shape.address(0), shape.address(n / 2), shape.address(n - 1), "unlisted.example.org:443"}
			b.Run(fmt.Sprintf("op=dial/shape=%s/rules=%d", shape.name, n), func(b *testing.B) {
				b.ReportAllocs()
				ctx, i := context.Background(), 0
				for b.Loop() {
					if _, err := s.DialContext(ctx, "tcp", addresses[i%len(addresses)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// retainedFrom reports how many bytes of heap build keeps alive from a list
// that make makes and that nothing else keeps.
func retainedFrom(make func() []string, build func([]string) any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build(make())
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return after.HeapAlloc - before.HeapAlloc
}
