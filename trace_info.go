package dialx

import "time"

// DialStartInfo describes an innermost dial that is starting.
// It is a plain value, safe to keep and to share between goroutines.
type DialStartInfo struct {
	Network, Address string
}

// DialDoneInfo describes an innermost dial that has returned.
// It is a plain value, safe to keep and to share between goroutines.
type DialDoneInfo struct {
	Network, Address string
	Duration         time.Duration // from DialStart
	Err              error         // nil on success
}

// AttemptInfo describes an attempt of a [Repeat], [Consecutive] or [Random].
// It is a plain value, safe to keep and to share between goroutines.
type AttemptInfo struct {
	Op               string // "repeat", "consecutive" or "random"
	Network, Address string
	Attempt          int           // from 1
	Of               int           // attempts planned
	Wait             time.Duration // waited before this attempt
}

// SelectiveMatchInfo describes the rule a [Selective] chose.
// It is a plain value, safe to keep and to share between goroutines.
type SelectiveMatchInfo struct {
	Network, Address string
	Index            int    // in the list given to NewSelective
	Pattern          string // the rule's pattern
}

// ConcurrentStartInfo describes a racer of a [Concurrent] that starts.
// It is a plain value, safe to keep and to share between goroutines.
type ConcurrentStartInfo struct {
	Network, Address string
	Racer            int           // index of its Dialer, from 0
	After            time.Duration // since the race began
}

// ConcurrentWonInfo describes the racer of a [Concurrent] that won.
// It is a plain value, safe to keep and to share between goroutines.
type ConcurrentWonInfo struct {
	Network, Address string
	Racer            int
	After            time.Duration // since the race began
}

// ConcurrentCancelledInfo describes a racer of a [Concurrent] cancelled
// while it was still dialing.
// It is a plain value, safe to keep and to share between goroutines.
type ConcurrentCancelledInfo struct {
	Network, Address string
	Racer            int
}

// BreakerRefusedInfo describes a dial that a [Breaker] refused.
// It is a plain value, safe to keep and to share between goroutines.
type BreakerRefusedInfo struct {
	Network, Address string
	Key              string       // the circuit's key
	State            BreakerState // open, or half-open with its probe out
}

// BreakerStateChangeInfo describes a change of state of a [Breaker]'s
// circuit, made by the dial being traced.
// It is a plain value, safe to keep and to share between goroutines.
type BreakerStateChangeInfo struct {
	Network, Address string
	Key              string
	From, To         BreakerState
}

// LimitWaitStartInfo describes a dial that starts waiting for a slot.
// It is a plain value, safe to keep and to share between goroutines.
type LimitWaitStartInfo struct {
	Network, Address string
}

// LimitWaitDoneInfo describes the end of a wait for a slot.
// It is a plain value, safe to keep and to share between goroutines.
type LimitWaitDoneInfo struct {
	Network, Address string
	Waited           time.Duration
	Err              error // nil when a slot was obtained
}

// DelayWaitInfo describes the wait of a [Delay].
// It is a plain value, safe to keep and to share between goroutines.
type DelayWaitInfo struct {
	Network, Address string
	Wait             time.Duration
}

// TimeoutFiredInfo describes a dial that a [Timeout] gave up on.
// It is a plain value, safe to keep and to share between goroutines.
type TimeoutFiredInfo struct {
	Network, Address string
	After            time.Duration
}
