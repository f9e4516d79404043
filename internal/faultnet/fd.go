package faultnet

import (
	"os"
	"testing"
	"time"

	"github.com/dialx/dialx/internal/slack"
)

// FDCount returns the number of file descriptors the process has open, read
// from /proc/self/fd, and false where the platform has no such directory.
func FDCount() (int, bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	// One of the entries is the descriptor ReadDir itself had open.
	return len(entries) - 1, true
}

// CheckFDs records the number of open file descriptors and returns a
// function that fails tb unless the count is back at (or below) that number
// within the slack for the machine's load at that moment (a second on a
// quiet machine, see internal/slack); sockets a client closed are released
// at once, but a server goroutine may take a moment to close its side.
// Where FDCount is not available, the returned function only logs that the
// check was skipped.
func CheckFDs(tb testing.TB) func() {
	tb.Helper()
	before, ok := FDCount()
	if !ok {
		return func() { tb.Log("faultnet: file descriptor count unavailable on this platform; check skipped") }
	}
	return func() {
		tb.Helper()
		if now, _ := FDCount(); now <= before {
			return
		}
		deadline := time.Now().Add(slack.Now(10 * time.Millisecond))
		for {
			now, _ := FDCount()
			if now <= before {
				return
			}
			if time.Now().After(deadline) {
				tb.Errorf("faultnet: %d file descriptor(s) open before, %d after: %d leaked", before, now, now-before)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
