package dialx_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestSwappableSwapReturnsTheReplacedDialer(t *testing.T) {
	a, b := &dialtest.Dialer{Label: "a"}, &dialtest.Dialer{Label: "b"}
	s := dialx.NewSwappable(a)
	assert.Same(t, a, s.Dialer())
	assert.Same(t, a, s.Swap(b))
	assert.Same(t, b, s.Dialer())

	conn, err := s.DialContext(context.Background(), "tcp", "example.com:80")
	require.NoError(t, err)
	assert.Equal(t, "b", conn.(*dialtest.Conn).Label)
	conn.Close()
}

func TestSwappableInFlightDialFinishesOnItsDialer(t *testing.T) {
	release := make(chan struct{})
	a := &dialtest.Dialer{Label: "a", Block: true, IgnoreCtx: true, Release: release, Started: make(chan string, 1)}
	b := &dialtest.Dialer{Label: "b"}
	s := dialx.NewSwappable(a)

	type result struct {
		label string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := s.DialContext(context.Background(), "tcp", "example.com:80")
		if err != nil {
			done <- result{err: err}
			return
		}
		defer conn.Close()
		done <- result{label: conn.(*dialtest.Conn).Label}
	}()
	<-a.Started
	s.Swap(b)
	close(release)
	got := <-done
	require.NoError(t, got.err)
	assert.Equal(t, "a", got.label, "the dial in flight stays on the dialer it started with")
	assert.Zero(t, b.Calls())
}

// Thousands of dials race with swaps; -race checks the memory model and every
// dial must land on one of the dialers ever installed.
func TestSwappableDialsLandOnAnInstalledDialerWhileSwapsRace(t *testing.T) {
	const dialers, goroutines, dialsEach = 8, 16, 250
	installed := make([]*dialtest.Dialer, dialers)
	labels := map[string]bool{}
	for i := range installed {
		installed[i] = &dialtest.Dialer{Label: fmt.Sprint(i)}
		labels[installed[i].Label] = true
	}
	s := dialx.NewSwappable(installed[0])

	stop := make(chan struct{})
	var swapper sync.WaitGroup
	swapper.Go(func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
				s.Swap(installed[i%dialers])
			}
		}
	})
	var dialing sync.WaitGroup
	for range goroutines {
		dialing.Go(func() {
			for range dialsEach {
				conn, err := s.DialContext(context.Background(), "tcp", "example.com:80")
				if !assert.NoError(t, err) {
					return
				}
				assert.True(t, labels[conn.(*dialtest.Conn).Label])
				conn.Close()
			}
		})
	}
	dialing.Wait()
	close(stop)
	swapper.Wait()

	total := 0
	for _, d := range installed {
		total += d.Calls()
	}
	assert.Equal(t, goroutines*dialsEach, total)
}
