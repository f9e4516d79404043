package dialx_test

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// BenchmarkResolveCache compares a dial through a Resolve that looks the
// name up each time with one answered from its cache, over two resolvers:
// Go's own asking a DNS server on loopback (the cheapest real lookup), and
// a Resolver in memory (the Resolve's own cost without a cache).
func BenchmarkResolveCache(b *testing.B) {
	inner := dialx.DialerFunc(dialtest.Instant())
	resolvers := []struct {
		name     string
		resolver dialx.Resolver
	}{
		{"loopbackDNS", loopbackDNS(b)},
		{"inMemory", lookupFunc(func(context.Context, string, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
		})},
	}
	for _, r := range resolvers {
		for _, cached := range []bool{false, true} {
			opts := []dialx.Option{dialx.WithResolver(r.resolver)}
			name := r.name + "/uncached"
			if cached {
				opts = append(opts, dialx.WithCache(dialx.DNSCache{}))
				name = r.name + "/hit"
			}
			d := dialx.NewResolve(inner, opts...)
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.DialContext(ctx, "tcp", "db.example.com:5432"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkResolveCacheConcurrent makes 1,000 dials of one name at once
// through a fresh cache per round, holding the lookup until all of them wait
// for it, and reports the lookups made per round.
func BenchmarkResolveCacheConcurrent(b *testing.B) {
	const dials = 1000
	inner := dialx.DialerFunc(dialtest.Instant())
	var lookups atomic.Int64
	release := make(chan struct{})
	resolver := lookupFunc(func(ctx context.Context, _, _ string) ([]netip.Addr, error) {
		lookups.Add(1)
		<-release
		return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
	})
	rounds := 0
	b.ReportAllocs()
	for b.Loop() {
		rounds++
		d := dialx.NewResolve(inner, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{}))
		release = make(chan struct{})
		var wg sync.WaitGroup
		for range dials {
			wg.Go(func() {
				if _, err := d.DialContext(context.Background(), "tcp", "db.example.com:5432"); err != nil {
					b.Error(err)
				}
			})
		}
		for d.CacheWaiters() < dials {
			runtime.Gosched()
		}
		close(release)
		wg.Wait()
	}
	b.ReportMetric(float64(lookups.Load())/float64(rounds), "lookups/op")
}

// loopbackDNS returns Go's own resolver asking a DNS server on loopback that
// answers every A question with 192.0.2.1 and every other with no record.
func loopbackDNS(b *testing.B) *net.Resolver {
	b.Helper()
	server, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			n, from, err := server.ReadFrom(buf)
			if err != nil {
				return
			}
			if answer, err := dnsAnswer(buf[:n]); err == nil {
				server.WriteTo(answer, from)
			}
		}
	}()
	b.Cleanup(func() {
		server.Close()
		<-done
	})
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", server.LocalAddr().String())
	}}
}

// dnsAnswer is the response to query: 192.0.2.1 for an A question, no
// record for any other.
func dnsAnswer(query []byte) ([]byte, error) {
	var parser dnsmessage.Parser
	header, err := parser.Start(query)
	if err != nil {
		return nil, err
	}
	question, err := parser.Question()
	if err != nil {
		return nil, err
	}
	builder := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: header.ID, Response: true, Authoritative: true, RecursionDesired: header.RecursionDesired})
	builder.EnableCompression()
	if err := builder.StartQuestions(); err != nil {
		return nil, err
	}
	if err := builder.Question(question); err != nil {
		return nil, err
	}
	if err := builder.StartAnswers(); err != nil {
		return nil, err
	}
	if question.Type == dnsmessage.TypeA {
		rh := dnsmessage.ResourceHeader{Name: question.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}
		if err := builder.AResource(rh, dnsmessage.AResource{A: [4]byte{192, 0, 2, 1}}); err != nil {
			return nil, err
		}
	}
	return builder.Finish()
}
