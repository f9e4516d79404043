// Command demo shows the dialx decorators at work on real connections. It
// starts its own servers on 127.0.0.1, needs no network beyond loopback, and
// finishes in about a second:
//
//	cd examples && go run ./demo
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dialx/dialx"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// slowness is how long the slow route takes to connect; timeout, shorter,
// is what the demo is willing to wait.
const (
	slowness = time.Second
	timeout  = 100 * time.Millisecond
)

// demo holds the servers and routes every step uses, and numbers the steps.
type demo struct {
	w                  io.Writer
	servers            []*server
	alpha, beta, gamma dialx.Dialer // routes to the servers of those names
	refused            dialx.Dialer // a route to a port where nothing listens
	slow               dialx.Dialer // alpha, after a delay of slowness
	steps              int
}

// run starts the servers, runs every step and stops the servers.
func run(w io.Writer) error {
	d := &demo{w: w}
	defer d.close()
	if err := d.start(); err != nil {
		return err
	}
	for _, step := range []func() error{
		d.repeat, d.timeout, d.consecutive, d.random, d.concurrent, d.reject, d.swappable, d.selective,
		d.breaker, d.limit, d.budget, d.resolve, d.guard, d.trace,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\ndone.")
	return nil
}

func (d *demo) start() error {
	fmt.Fprintln(d.w, "dialx demo: every server is on loopback and was started by this program.")
	routes := make(map[string]dialx.Dialer)
	for _, name := range []string{"alpha", "beta", "gamma"} {
		s, err := startServer(name)
		if err != nil {
			return err
		}
		d.servers = append(d.servers, s)
		routes[name] = route(s.addr())
		fmt.Fprintf(d.w, "  %-8s %s  greets every connection with its name\n", name, s.addr())
	}
	refused, err := refusedAddr()
	if err != nil {
		return err
	}
	d.alpha, d.beta, d.gamma = routes["alpha"], routes["beta"], routes["gamma"]
	d.refused = route(refused)
	d.slow = dialx.NewDelay(d.alpha, slowness)
	fmt.Fprintf(d.w, "  %-8s %s  nothing listens: connection refused\n", "refused", refused)
	fmt.Fprintf(d.w, "  %-8s dialx.NewDelay(alpha, %v): a route that takes %v to connect\n", "slow", slowness, slowness)
	fmt.Fprintln(d.w, "Each route connects to its server whatever address is dialed; the names dialed are never resolved.")
	return nil
}

func (d *demo) close() {
	for _, s := range d.servers {
		s.close()
	}
}

// step prints the heading of the next step and the stack it uses.
func (d *demo) step(title, stack string) {
	d.steps++
	fmt.Fprintf(d.w, "\n%d. %s\n   %s\n", d.steps, title, stack)
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.w, "   "+format+"\n", args...)
}

// dial dials address through dialer and returns the name of the server that
// answered.
func dial(ctx context.Context, dialer dialx.Dialer, address string) (string, error) {
	conn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return "", err
	}
	return greeting(conn)
}
