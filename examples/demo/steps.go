package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/dialx/dialx"
)

// The steps of the demo, in the order run takes them: one decorator each.

func (d *demo) repeat() error {
	d.step("Repeat over a refused port", "dialx.NewRepeat(refused, 3)")
	_, err := dial(context.Background(), dialx.NewRepeat(d.refused, 3), "db.internal:5432")
	if err == nil {
		return errors.New("repeat: a refused port accepted a connection")
	}
	d.say("error: %v", err)
	d.say("errors.Is(err, syscall.ECONNREFUSED) = %t: every try's error is kept", errors.Is(err, syscall.ECONNREFUSED))
	return nil
}

func (d *demo) timeout() error {
	d.step("Timeout on a slow route", fmt.Sprintf("dialx.NewTimeout(slow, %v)", timeout))
	start := time.Now()
	_, err := dial(context.Background(), dialx.NewTimeout(d.slow, timeout), "db.internal:5432")
	elapsed := time.Since(start)
	var netErr net.Error
	if err == nil || !errors.As(err, &netErr) {
		return fmt.Errorf("timeout: want a net.Error, got %v", err)
	}
	d.say("error after %v: %v", elapsed.Round(10*time.Millisecond), err)
	d.say("net.Error with Timeout() = %t; errors.Is(err, context.DeadlineExceeded) = %t",
		netErr.Timeout(), errors.Is(err, context.DeadlineExceeded))
	return nil
}

func (d *demo) consecutive() error {
	stack := dialx.NewConsecutive(d.refused, dialx.NewTimeout(d.slow, timeout), d.beta)
	d.step("Consecutive failover", fmt.Sprintf("dialx.NewConsecutive(refused, dialx.NewTimeout(slow, %v), beta)", timeout))
	who, err := dial(context.Background(), stack, "db.internal:5432")
	if err != nil {
		return fmt.Errorf("consecutive: %w", err)
	}
	d.say("refused failed, slow timed out, connected to %s", who)
	return nil
}

func (d *demo) random() error {
	const dials = 60
	d.step("Random spread", "dialx.NewRandom(alpha, beta, gamma)")
	stack := dialx.NewRandom(d.alpha, d.beta, d.gamma)
	counts := make(map[string]int)
	for range dials {
		who, err := dial(context.Background(), stack, "api.internal:443")
		if err != nil {
			return fmt.Errorf("random: %w", err)
		}
		counts[who]++
	}
	d.say("%d dials: alpha %d, beta %d, gamma %d", dials, counts["alpha"], counts["beta"], counts["gamma"])
	return nil
}

func (d *demo) concurrent() error {
	d.step("Concurrent race", "dialx.NewConcurrent(slow, refused, gamma)")
	slowEnded := make(chan error, 1)
	slow := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := d.slow.DialContext(ctx, network, address)
		slowEnded <- err
		return conn, err
	})
	start := time.Now()
	who, err := dial(context.Background(), dialx.NewConcurrent(slow, d.refused, d.gamma), "api.internal:443")
	if err != nil {
		return fmt.Errorf("concurrent: %w", err)
	}
	d.say("%s won without waiting %v for slow", who, slowness)
	select {
	case err := <-slowEnded:
		d.say("the race cancelled slow after %v: %v", time.Since(start).Round(10*time.Millisecond), err)
	case <-time.After(2 * slowness):
		return errors.New("concurrent: the losing dial was not cancelled")
	}
	return nil
}

func (d *demo) reject() error {
	d.step("Reject", `dialx.NewReject(errors.New("ads are blocked"))`)
	_, err := dial(context.Background(), dialx.NewReject(errors.New("ads are blocked")), "ads.example:443")
	if err == nil {
		return errors.New("reject: a dial got through")
	}
	d.say("error: %v", err)
	d.say("errors.Is(err, dialx.ErrRejected) = %t, and no packet was sent", errors.Is(err, dialx.ErrRejected))
	return nil
}

func (d *demo) swappable() error {
	d.step("Swappable swap", "s := dialx.NewSwappable(alpha); s.Swap(beta)")
	s := dialx.NewSwappable(d.alpha)
	before, err := dial(context.Background(), s, "api.internal:443")
	if err != nil {
		return fmt.Errorf("swappable: %w", err)
	}
	s.Swap(d.beta)
	after, err := dial(context.Background(), s, "api.internal:443")
	if err != nil {
		return fmt.Errorf("swappable: %w", err)
	}
	d.say("before the swap: %s; after: %s", before, after)
	return nil
}

func (d *demo) selective() error {
	rules := []dialx.Rule{
		{Pattern: "*.internal", Dialer: d.alpha},
		{Pattern: "localhost", Dialer: d.beta},
		{Pattern: "ads.example", Dialer: dialx.NewReject(errors.New("ads are blocked"))},
	}
	d.step("Selective routing", `rules "*.internal" -> alpha, "localhost" -> beta, "ads.example" -> reject; nothing else`)
	s, err := dialx.NewSelective(rules...)
	if err != nil {
		return fmt.Errorf("selective: %w", err)
	}
	for _, address := range []string{"db.internal:5432", "LOCALHOST:8080", "ads.example:443", "example.com:443"} {
		who, err := dial(context.Background(), s, address)
		switch {
		case err == nil:
			d.say("%-17s -> %s", address, who)
		case errors.Is(err, dialx.ErrNoMatch):
			d.say("%-17s -> no match: %v", address, err)
		default:
			d.say("%-17s -> %v", address, err)
		}
	}
	return nil
}
