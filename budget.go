package dialx

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Budget caps the retries of the Repeats that share it ([WithBudget]): over a
// sliding window, retries may add a ratio of the first tries plus a floor per
// second, as Finagle's retry budget does. Once it is empty, a Repeat stops
// with an error matching [ErrBudgetExhausted].
//
// The zero value is NewBudget(0.2, 10, 10*time.Second). A Budget must not be
// copied after first use. A Budget is safe for concurrent use by multiple
// goroutines.
type Budget struct {
	// Fixed by NewBudget, or at first use of a zero Budget.
	ratio   float64
	reserve float64       // retries allowed over a window on top of ratio×deposits
	long    time.Duration // the window's length

	once   sync.Once
	epoch  time.Time // the origin of the window's ticks, on the monotonic clock
	events window    // deposited and withdrawn
	mu     sync.Mutex
}

// The kinds of event a Budget's window counts.
const (
	deposited = iota // a first try
	withdrawn        // a retry
)

// The defaults of Budget, those of Finagle's RetryBudget.
const (
	defaultBudgetRatio   = 0.2
	defaultBudgetMinRate = 10 // retries per second
	defaultBudgetWindow  = 10 * time.Second
)

// NewBudget returns a Budget that lets retries add ratio of the first tries
// plus minPerSecond a second, over the last window. It panics if ratio or
// minPerSecond is negative or not finite, or window is not positive.
func NewBudget(ratio, minPerSecond float64, window time.Duration) *Budget {
	if !(ratio >= 0) || math.IsInf(ratio, 1) {
		panic(fmt.Sprintf("dialx: NewBudget: ratio must be a finite number >= 0, got %v", ratio))
	}
	if !(minPerSecond >= 0) || math.IsInf(minPerSecond, 1) {
		panic(fmt.Sprintf("dialx: NewBudget: minPerSecond must be a finite number >= 0, got %v", minPerSecond))
	}
	if window <= 0 {
		panic(fmt.Sprintf("dialx: NewBudget: window must be > 0, got %v", window))
	}
	return &Budget{ratio: ratio, reserve: minPerSecond * window.Seconds(), long: window}
}

// begin starts the window at the first use of b, with the defaults if b is
// a zero Budget.
func (b *Budget) begin() {
	if b.long == 0 {
		b.ratio, b.reserve, b.long = defaultBudgetRatio, defaultBudgetMinRate*defaultBudgetWindow.Seconds(), defaultBudgetWindow
	}
	b.epoch = time.Now()
}

// tick is the window tick of the present.
func (b *Budget) tick() int64 {
	return windowTick(time.Since(b.epoch), b.long)
}

// deposit records a first try.
func (b *Budget) deposit() {
	b.once.Do(b.begin)
	b.events.add(b.tick(), deposited)
}

// withdraw takes one retry from the budget and reports whether there was
// one to take. Withdrawals are serialised, so that concurrent ones never
// overdraw.
func (b *Budget) withdraw() bool {
	b.once.Do(b.begin)
	b.mu.Lock()
	defer b.mu.Unlock()
	tick := b.tick()
	deposits, withdrawals := b.events.counts(tick)
	// A product such as 0.29×100 comes out a hair under the whole number it
	// stands for; the tolerance keeps that retry.
	allowed := (b.ratio*float64(deposits) + b.reserve) * (1 + 1e-12)
	if float64(withdrawals+1) > allowed {
		return false
	}
	b.events.add(tick, withdrawn)
	return true
}

// WithBudget makes a [Repeat] draw its retries from budget, which Repeats may
// share. It panics if budget is nil.
func WithBudget(budget *Budget) Option {
	if budget == nil {
		panic("dialx: WithBudget: budget must not be nil, got nil")
	}
	return &option{name: "WithBudget", to: takenByRepeat,
		set: func(s *settings) { s.budget = budget }}
}
