// Package slack sizes what a test on real sockets allows beyond a time bound,
// from how late timers fire in the test binary while the test runs.
//
// Real sockets cannot run on the fake clock of testing/synctest, so a test
// that bounds how long a dial takes must allow for the scheduler. A fixed
// allowance is too tight on a busy machine, where a plain 100 ms
// context.WithTimeout has been seen to fire seconds late, and raising it
// until it never fails makes the bound prove nothing on a quiet machine.
// Instead a test runs control timers of the bound it checks next to the
// operation it times ([Measure]), and allows [Floor] plus [Multiple] times
// the latest control ([Allow]): what a quiet machine needs, and a few
// wake-ups as late as the controls' on top.
package slack

import (
	"context"
	"runtime"
	"sync"
	"time"
)

const (
	// Floor is the slack allowed however punctual the controls: on a quiet
	// machine a loopback dial's own work and wake-ups stay well below it.
	Floor = time.Second
	// Multiple is how many times the controls' lateness is allowed on top
	// of Floor: an operation that honours a deadline wakes up several times
	// after it fires (the timer, the poller, the goroutines that return and
	// report), and each wake-up can be as late as a control.
	Multiple = 10

	// controls is how many control timers run at once: the latest of
	// several is a steadier measure than one.
	controls = 4
)

// Measure starts control timers, each a context.WithTimeout of d as a
// dial's deadline would be, to run next to the operation the caller times.
// It returns a function that waits for them to fire and reports how late
// the latest one was; the function may be called any number of times.
//
// A control counts as on time only once it has run again after its timer
// fired and then waited its turn behind the goroutines already runnable:
// a goroutine woken by a timer jumps that queue, but one woken by the
// network, as a dial's often is, does not, and when hundreds of goroutines
// are runnable the queue is most of the delay.
func Measure(d time.Duration) (late func() time.Duration) {
	overshoots := make(chan time.Duration, controls)
	for range controls {
		go func() {
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			<-ctx.Done()
			runtime.Gosched()
			overshoots <- time.Since(start) - d
		}()
	}
	return sync.OnceValue(func() time.Duration {
		var latest time.Duration
		for range controls {
			latest = max(latest, <-overshoots)
		}
		return latest
	})
}

// Allow returns the slack for a bound whose control timers fired late by
// late: Floor plus Multiple times late.
func Allow(late time.Duration) time.Duration {
	return Floor + Multiple*max(late, 0)
}

// Now is the slack for a bound of d on the machine as it is now, measured
// before the operation rather than next to it; it takes about d. It suits
// waits whose length must be chosen up front, such as how long to wait for
// a server to see a connection close.
func Now(d time.Duration) time.Duration {
	return Allow(Measure(d)())
}
