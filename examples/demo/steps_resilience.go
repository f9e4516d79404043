package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/dialx/dialx"
)

// The steps that show the decorators a production stack adds around the
// original nine: a circuit breaker, a limit on dials in flight, retries
// spaced by a backoff and capped by a budget, a resolver that races the
// addresses of a name, the SSRF guard, and tracing.

func (d *demo) breaker() error {
	d.step("Breaker over a refused port", "dialx.NewBreaker(refused, dialx.WithConsecutiveFailures(2))")
	b := dialx.NewBreaker(d.refused, dialx.WithConsecutiveFailures(2))
	for i := 1; i <= 3; i++ {
		_, err := dial(context.Background(), b, "db.internal:5432")
		if err == nil {
			return errors.New("breaker: a refused port accepted a connection")
		}
		d.say("dial %d: %v", i, err)
		if i == 3 && !errors.Is(err, dialx.ErrOpen) {
			return fmt.Errorf("breaker: the third dial was not refused by the open circuit: %w", err)
		}
	}
	d.say("errors.Is(err, dialx.ErrOpen) = true: the third dial sent no packet; state %v",
		b.State("tcp", "db.internal:5432"))
	return nil
}

func (d *demo) limit() error {
	d.step("Limit on dials in flight", "dialx.NewLimit(held, 1): three dials at once, one at a time")
	release := make(chan struct{})
	held := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return d.alpha.DialContext(ctx, network, address)
	})
	// The trace tells when the other two dials are waiting for the slot, so
	// the demo releases the held one only then: no timing is guessed.
	waiting := make(chan struct{}, 3)
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		if e.Op == "limit" && e.Kind == "wait" {
			waiting <- struct{}{}
		}
	})
	l := dialx.NewLimit(held, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			_, err := dial(ctx, l, "api.internal:443")
			errs <- err
		})
	}
	<-waiting
	<-waiting
	d.say("two dials wait for the slot while the first is in flight")
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return fmt.Errorf("limit: %w", err)
		}
	}
	d.say("released: all three connected to alpha, one after another")
	return nil
}

func (d *demo) budget() error {
	const backoff = "dialx.ExponentialBackoff{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}"
	d.step("Repeat with Backoff and Budget", "dialx.NewRepeat(refused, 5, dialx.WithBackoff("+backoff+"), dialx.WithBudget(budget))")
	// A budget with no floor: retries may add 50 % to the first tries made
	// through it, and nothing more.
	budget := dialx.NewBudget(0.5, 0, 10*time.Second)
	up := dialx.NewRepeat(d.alpha, 5, dialx.WithBudget(budget))
	for range 4 {
		if _, err := dial(context.Background(), up, "db.internal:5432"); err != nil {
			return fmt.Errorf("budget: %w", err)
		}
	}
	d.say("4 first tries that succeeded earned 2 retries")
	down := dialx.NewRepeat(d.refused, 5,
		dialx.WithBackoff(dialx.ExponentialBackoff{Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}),
		dialx.WithBudget(budget))
	_, err := dial(context.Background(), down, "db.internal:5432")
	if !errors.Is(err, dialx.ErrBudgetExhausted) {
		return fmt.Errorf("budget: want the budget to stop the retries, got %v", err)
	}
	d.say("error: %v", err)
	d.say("errors.Is(err, dialx.ErrBudgetExhausted) = true: 3 tries instead of 5")
	return nil
}

// hosts is a Resolver that answers from a fixed table, as /etc/hosts would.
type hosts map[string][]netip.Addr

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := h[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (d *demo) resolve() error {
	d.step("Resolve racing the addresses of a name",
		`dialx.NewResolve(&net.Dialer{}, dialx.WithResolver(hosts{"alpha.demo": {::1, 127.0.0.1}}))`)
	port := d.servers[0].ln.Addr().(*net.TCPAddr).Port
	r := dialx.NewResolve(&net.Dialer{}, dialx.WithResolver(hosts{
		"alpha.demo": {netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")},
	}))
	var mu sync.Mutex
	var tried []string
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		if e.Op == "dial" && e.Kind == "done" {
			mu.Lock()
			defer mu.Unlock()
			outcome := "connected"
			if e.Err != nil {
				outcome = "failed"
			}
			tried = append(tried, e.Address+" "+outcome)
		}
	})
	who, err := dial(ctx, r, fmt.Sprintf("alpha.demo:%d", port))
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	d.say("dialed: %s", strings.Join(tried, ", "))
	d.say("connected to %s: nothing listens on ::1, so the IPv4 address won", who)
	return nil
}

func (d *demo) guard() error {
	d.step("Guard against SSRF", "dialx.NewGuard(&net.Dialer{})")
	alpha := d.servers[0].addr()
	g, err := dialx.NewGuard(&net.Dialer{})
	if err != nil {
		return fmt.Errorf("guard: %w", err)
	}
	_, err = dial(context.Background(), g, alpha)
	if !errors.Is(err, dialx.ErrRejected) {
		return fmt.Errorf("guard: want loopback refused, got %v", err)
	}
	d.say("%s: %v", alpha, err)
	allowed, err := dialx.NewGuard(&net.Dialer{}, dialx.WithExceptions(dialx.Rule{Pattern: alpha, Dialer: d.alpha}))
	if err != nil {
		return fmt.Errorf("guard: %w", err)
	}
	who, err := dial(context.Background(), allowed, alpha)
	if err != nil {
		return fmt.Errorf("guard: %w", err)
	}
	d.say("with dialx.WithExceptions(dialx.Rule{Pattern: %q, Dialer: alpha}): connected to %s", alpha, who)
	return nil
}

func (d *demo) trace() error {
	d.step("Tracing with log/slog", "dialx.WithTrace(ctx, dialx.NewSlogTrace(logger, slog.LevelInfo)) over NewRepeat(NewConsecutive(refused, alpha), 2)")
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "elapsed" {
				return slog.Attr{} // the demo's output stays the same from run to run
			}
			return a
		},
	}))
	ctx := dialx.WithTrace(context.Background(), dialx.NewSlogTrace(logger, slog.LevelInfo))
	who, err := dial(ctx, dialx.NewRepeat(dialx.NewConsecutive(d.refused, d.alpha), 2), "db.internal:5432")
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	for line := range strings.Lines(log.String()) {
		d.say("%s", strings.TrimSpace(line))
	}
	d.say("connected to %s", who)
	return nil
}
