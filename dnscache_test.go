package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// countingResolver answers from a table it can be told to change, counts
// its lookups per host, and, with block set, holds each lookup until
// release is closed or the lookup's ctx ends.
type countingResolver struct {
	mu        sync.Mutex
	answers   map[string][]netip.Addr
	err       error // when set, every lookup fails with it
	lookups   map[string]int
	block     bool
	release   chan struct{}
	cancelled int // lookups that ended with their ctx
}

func newCountingResolver(answers map[string]string) *countingResolver {
	r := &countingResolver{answers: map[string][]netip.Addr{}, lookups: map[string]int{}, release: make(chan struct{})}
	for host, ip := range answers {
		r.answers[host] = []netip.Addr{netip.MustParseAddr(ip)}
	}
	return r
}

func (r *countingResolver) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.lookups[host]++
	block := r.block
	r.mu.Unlock()
	if block {
		select {
		case <-r.release:
		case <-ctx.Done():
			r.mu.Lock()
			r.cancelled++
			r.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	if addrs, ok := r.answers[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (r *countingResolver) count(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lookups[host]
}

func (r *countingResolver) fail(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// cacheKinds returns a ctx whose trace appends the kind of each resolve
// event to *kinds.
func cacheKinds(kinds *[]string) context.Context {
	var mu sync.Mutex
	return dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		if e.Op == "resolve" {
			mu.Lock()
			*kinds = append(*kinds, e.Kind)
			mu.Unlock()
		}
	})
}

// lastOf returns the last of addresses, or "" if there is none.
func lastOf(addresses []string) string {
	if len(addresses) == 0 {
		return ""
	}
	return addresses[len(addresses)-1]
}

// dialOK dials address through d and closes the connection, failing the
// test on an error.
func dialOK(t *testing.T, ctx context.Context, d dialx.Dialer, address string) {
	t.Helper()
	conn, err := d.DialContext(ctx, "tcp", address)
	require.NoError(t, err)
	conn.Close()
}

func TestCacheKeepsAnAnswerForItsTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"db.example": "192.0.2.1"})
		dialer := &recorder{}
		d := dialx.NewResolve(dialer, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{TTL: time.Minute}))
		var kinds []string
		ctx := cacheKinds(&kinds)

		dialOK(t, ctx, d, "db.example:5432")
		time.Sleep(time.Minute - time.Nanosecond)
		dialOK(t, ctx, d, "db.example:5432")
		dialOK(t, ctx, d, "DB.example.:443") // the same name, another port
		assert.Equal(t, 1, resolver.count("db.example"), "answered from the cache within the TTL")
		time.Sleep(time.Nanosecond)
		dialOK(t, ctx, d, "db.example:5432")
		assert.Equal(t, 2, resolver.count("db.example"), "looked up again at the TTL")
		assert.Equal(t, []string{"miss", "hit", "hit", "miss"}, kinds)
		assert.Equal(t, "192.0.2.1:5432", lastOf(dialer.got()))
	})
}

func TestCacheKeepsAFailureBriefly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(nil)
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver),
			dialx.WithCache(dialx.DNSCache{FailureTTL: 2 * time.Second}))
		var kinds []string
		ctx := cacheKinds(&kinds)

		_, first := d.DialContext(ctx, "tcp", "gone.example:80")
		var dnsErr *net.DNSError
		require.ErrorAs(t, first, &dnsErr)
		time.Sleep(2*time.Second - time.Nanosecond)
		_, again := d.DialContext(ctx, "tcp", "gone.example:80")
		require.ErrorAs(t, again, &dnsErr, "the failure kept is the resolver's")
		assert.Equal(t, first.Error(), again.Error())
		assert.Equal(t, 1, resolver.count("gone.example"))
		time.Sleep(time.Nanosecond)
		_, err := d.DialContext(ctx, "tcp", "gone.example:80")
		require.Error(t, err)
		assert.Equal(t, 2, resolver.count("gone.example"), "asked again once the failure expired")
		assert.Equal(t, []string{"miss", "hit", "miss"}, kinds)
	})
}

func TestCacheWithoutFailureTTLAsksOnEveryFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(nil)
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver),
			dialx.WithCache(dialx.DNSCache{FailureTTL: -1}))
		for range 3 {
			_, err := d.DialContext(context.Background(), "tcp", "gone.example:80")
			require.Error(t, err)
		}
		assert.Equal(t, 3, resolver.count("gone.example"))
	})
}

// A failure that is not kept takes no room: names that fail do not push
// out the answers of names that work.
func TestCacheWithoutFailureTTLKeepsNoRoomForFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"db.example": "192.0.2.1"})
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver),
			dialx.WithCache(dialx.DNSCache{FailureTTL: -1, Names: 1}))
		dialOK(t, context.Background(), d, "db.example:5432")
		_, err := d.DialContext(context.Background(), "tcp", "gone.example:80")
		require.Error(t, err)
		dialOK(t, context.Background(), d, "db.example:5432")
		assert.Equal(t, 1, resolver.count("db.example"))
	})
}

// staleCase is a Resolve with a cache that keeps answers a minute,
// failures a second and stale answers ten minutes, which has dialed
// db.example once; its ctx records the cache's events in kinds.
type staleCase struct {
	resolver *countingResolver
	dialer   *recorder
	d        *dialx.Resolve
	ctx      context.Context
	kinds    []string
}

func newStaleCase(t *testing.T) *staleCase {
	t.Helper()
	c := &staleCase{resolver: newCountingResolver(map[string]string{"db.example": "192.0.2.1"}), dialer: &recorder{}}
	c.d = dialx.NewResolve(c.dialer, dialx.WithResolver(c.resolver), dialx.WithCache(dialx.DNSCache{
		TTL: time.Minute, FailureTTL: time.Second, Stale: 10 * time.Minute}))
	c.ctx = cacheKinds(&c.kinds)
	dialOK(t, c.ctx, c.d, "db.example:5432")
	return c
}

func TestCacheServesAStaleAnswerForABoundedTimeWhenTheResolverFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newStaleCase(t)
		resolver, dialer, d, ctx := c.resolver, c.dialer, c.d, c.ctx

		outage := errors.New("resolver down")
		resolver.fail(outage)
		time.Sleep(time.Minute)
		dialOK(t, ctx, d, "db.example:5432") // looked up, failed: stale
		dialOK(t, ctx, d, "db.example:5432") // the failure is kept: stale, no lookup
		assert.Equal(t, 2, resolver.count("db.example"))
		assert.Equal(t, "192.0.2.1:5432", lastOf(dialer.got()))

		time.Sleep(10*time.Minute - time.Nanosecond) // the last moment of the stale window
		dialOK(t, ctx, d, "db.example:5432")
		time.Sleep(time.Second)
		_, err := d.DialContext(ctx, "tcp", "db.example:5432")
		assert.ErrorIs(t, err, outage, "past the stale window the failure is the answer")
		assert.Equal(t, []string{"miss", "stale", "stale", "stale", "miss"}, c.kinds)

		resolver.fail(nil)
		time.Sleep(time.Second)
		dialOK(t, ctx, d, "db.example:5432")
	})
}

func TestCacheDropsTheLeastRecentlyUsedName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"a.example": "192.0.2.1", "b.example": "192.0.2.2", "c.example": "192.0.2.3"})
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{Names: 2}))
		for _, host := range []string{"a", "b", "a", "c", "a", "b"} {
			dialOK(t, context.Background(), d, host+".example:80")
		}
		// a and b were kept; a was used again, so c pushed b out, and b's
		// return pushed c out.
		assert.Equal(t, 1, resolver.count("a.example"))
		assert.Equal(t, 2, resolver.count("b.example"))
		assert.Equal(t, 1, resolver.count("c.example"))
		dialOK(t, context.Background(), d, "c.example:80")
		assert.Equal(t, 2, resolver.count("c.example"))
	})
}

func TestCacheSharesOneLookupAmongConcurrentDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"db.example": "192.0.2.1"})
		resolver.block = true
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{}))
		const dials = 1000
		var mu sync.Mutex
		starters := map[int]int{} // miss events by N: 1 for the dial that started the lookup
		ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
			if e.Op == "resolve" && e.Kind == "miss" {
				mu.Lock()
				starters[e.N]++
				mu.Unlock()
			}
		})
		errs := make(chan error, dials)
		for range dials {
			go func() {
				conn, err := d.DialContext(ctx, "tcp", "db.example:5432")
				if err == nil {
					conn.Close()
				}
				errs <- err
			}()
		}
		synctest.Wait() // every dial waits for the one lookup
		close(resolver.release)
		for range dials {
			require.NoError(t, <-errs)
		}
		assert.Equal(t, 1, resolver.count("db.example"))
		assert.Equal(t, map[int]int{1: 1, 0: dials - 1}, starters)
	})
}

// A dial whose ctx ends stops waiting, while the lookup goes on for the
// others, the dial that started it included; when none waits, the lookup is
// cancelled and its cancellation is not kept as a failure.
func TestCacheLookupOutlivesTheDialsThatLeaveIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"db.example": "192.0.2.1"})
		resolver.block = true
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{}))

		first, cancelFirst := context.WithCancel(context.Background())
		firstErr := make(chan error, 1)
		go func() {
			_, err := d.DialContext(first, "tcp", "db.example:5432")
			firstErr <- err
		}()
		synctest.Wait()
		second := make(chan error, 1)
		go func() {
			conn, err := d.DialContext(context.Background(), "tcp", "db.example:5432")
			if err == nil {
				conn.Close()
			}
			second <- err
		}()
		synctest.Wait()
		cancelFirst()
		assert.ErrorIs(t, <-firstErr, context.Canceled, "the first dial left")
		synctest.Wait()
		assert.Zero(t, resolver.cancelled, "the lookup goes on for the second dial")
		close(resolver.release)
		require.NoError(t, <-second)
		assert.Equal(t, 1, resolver.count("db.example"))

		// Alone, a dial that leaves cancels the lookup.
		resolver.release = make(chan struct{})
		time.Sleep(time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		alone := make(chan error, 1)
		go func() {
			_, err := d.DialContext(ctx, "tcp", "db.example:5432")
			alone <- err
		}()
		synctest.Wait()
		cancel()
		assert.ErrorIs(t, <-alone, context.Canceled)
		synctest.Wait()
		assert.Equal(t, 1, resolver.cancelled, "nobody waits: the lookup is cancelled")
		close(resolver.release)
		dialOK(t, context.Background(), d, "db.example:5432")
		assert.Equal(t, 3, resolver.count("db.example"), "the cancelled lookup was not kept as a failure")
	})
}

// A lookup lasts no longer than the dial that started it would have waited:
// one that hangs is given up at that dial's deadline, and a dial that joined
// it with time left looks up again, rather than every later dial joining
// the hung lookup for as long as dials keep coming.
func TestCacheLookupLastsNoLongerThanTheDialThatStartedIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"db.example": "192.0.2.1"})
		resolver.block = true // the first lookup hangs, its answer lost
		d := dialx.NewResolve(&recorder{}, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{}))
		dial := func() <-chan error {
			result := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				conn, err := d.DialContext(ctx, "tcp", "db.example:5432")
				if err == nil {
					conn.Close()
				}
				result <- err
			}()
			return result
		}
		first := dial()
		synctest.Wait()
		resolver.mu.Lock()
		resolver.block = false // the next lookup is answered
		resolver.mu.Unlock()
		time.Sleep(time.Second / 2)
		second := dial() // joins the hung lookup
		assert.ErrorIs(t, <-first, context.DeadlineExceeded)
		require.NoError(t, <-second, "the second dial looked up again once the first's deadline passed")
		assert.Equal(t, 2, resolver.count("db.example"))
		assert.Equal(t, 1, resolver.cancelled)
		dialOK(t, context.Background(), d, "db.example:5432")
		assert.Equal(t, 2, resolver.count("db.example"), "the second lookup's answer is kept")
	})
}

// A resolver that stops answering, its lookups outlasting the dials that
// wait for them, fails as one that answers with an error does: a stale
// answer serves.
func TestCacheServesAStaleAnswerWhenTheResolverDoesNotAnswerInTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newStaleCase(t)
		resolver, d, ctx := c.resolver, c.d, c.ctx
		resolver.mu.Lock()
		resolver.block = true // from now on no lookup is answered
		resolver.mu.Unlock()
		time.Sleep(time.Minute)
		timed, cancel := context.WithTimeout(ctx, time.Second)
		d.DialContext(timed, "tcp", "db.example:5432") // waits for the lookup until its deadline
		cancel()
		synctest.Wait() // the lookup, cut at that deadline, has ended

		dialOK(t, ctx, d, "db.example:5432") // the failure is kept: stale, no lookup
		assert.Equal(t, 2, resolver.count("db.example"))
		assert.Equal(t, "stale", lastOf(c.kinds))
		assert.Equal(t, "192.0.2.1:5432", lastOf(c.dialer.got()))
	})
}

type panickingResolver struct{}

func (panickingResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	panic("resolver bug")
}

func TestCacheRaisesAResolverPanicOnTheDialersGoroutine(t *testing.T) {
	d := dialx.NewResolve(&recorder{}, dialx.WithResolver(panickingResolver{}), dialx.WithCache(dialx.DNSCache{}))
	assert.PanicsWithValue(t, "resolver bug", func() { d.Dial("tcp", "db.example:80") })
}

// A Guard checks a cached answer on every dial: the cache holds the
// resolver's answer, never the Guard's decision.
func TestGuardChecksACachedAnswerOnEveryDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolver := newCountingResolver(map[string]string{"rebind.example": "10.0.0.1", "public.example": "1.1.1.1"})
		dialer := &recorder{}
		guard, err := dialx.NewGuard(dialer, dialx.WithResolver(resolver), dialx.WithCache(dialx.DNSCache{}))
		require.NoError(t, err)
		var kinds []string
		ctx := cacheKinds(&kinds)
		for range 3 {
			_, err := guard.DialContext(ctx, "tcp", "rebind.example:80")
			require.ErrorIs(t, err, dialx.ErrRejected)
			assert.ErrorContains(t, err, "10.0.0.0/8 is Private-Use")
		}
		dialOK(t, ctx, guard, "public.example:80")
		dialOK(t, ctx, guard, "public.example:80")
		assert.Equal(t, []string{"miss", "hit", "hit", "miss", "hit"}, kinds)
		assert.Equal(t, 1, resolver.count("rebind.example"))
		assert.Equal(t, []string{"1.1.1.1:80", "1.1.1.1:80"}, dialer.got(), "the private address never reached the Dialer")
	})
}

func TestWithCachePanicsOnBadValues(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: WithCache: TTL must be >= 0, got -1s", func() { dialx.WithCache(dialx.DNSCache{TTL: -time.Second}) })
	assert.PanicsWithValue(t, "dialx: WithCache: Names must be >= 0, got -1", func() { dialx.WithCache(dialx.DNSCache{Names: -1}) })
	assert.PanicsWithValue(t, "dialx: NewRepeat: WithCache does not apply to a Repeat", func() {
		dialx.NewRepeat(&net.Dialer{}, 1, dialx.WithCache(dialx.DNSCache{}))
	})
}
