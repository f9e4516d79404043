package dialx

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Budget caps the retries of every [Repeat] that shares it, so that when a
// backend starts failing, a fleet of clients does not multiply its load by
// the number of tries. Give it to Repeats with [WithBudget].
//
// Each first try deposits into the budget and each retry withdraws from it.
// Over a sliding window (10 s by default), retries may add at most a ratio
// (20 % by default) on top of the first tries, plus a floor of retries per
// second (10 by default) so that a client that dials rarely can still retry.
// This is the retry budget of Finagle: under a total outage the dials that
// reach the backend are about 1.2 per first try, where five tries without a
// budget would send five. The window slides in steps of a tenth of its
// length.
//
// When the budget is empty a Repeat makes no further try and returns the
// errors so far, marked so that errors.Is(err, [ErrBudgetExhausted]) holds.
//
// Checking the budget takes a short critical section over time-bucketed
// counters; no lock is held across a dial.
//
// The zero value is a budget with the defaults, the same as NewBudget().
// A Budget must not be copied after first use.
//
// A Budget is safe for concurrent use by multiple goroutines.
type Budget struct {
	// Settings, fixed after NewBudget (or at first use of a zero Budget).
	ratio   float64
	reserve float64 // retries allowed over a window on top of ratio×deposits
	width   time.Duration

	mu          sync.Mutex
	epoch       time.Time // start of slot 0, on the monotonic clock
	head        int64     // number of the newest slot in use
	slots       [budgetSlots]budgetSlot
	deposits    int64 // totals over slots
	withdrawals int64
}

// budgetSlots is the number of steps the window slides by.
const budgetSlots = 10

type budgetSlot struct {
	deposits, withdrawals int64
}

// The defaults of Budget, those of Finagle's RetryBudget.
const (
	defaultBudgetRatio   = 0.2
	defaultBudgetMinRate = 10 // retries per second
	defaultBudgetWindow  = 10 * time.Second
)

// BudgetOption configures a [Budget] made by [NewBudget]. Options are
// immutable values, safe to share between goroutines and constructors.
type BudgetOption interface {
	applyBudget(*budgetSettings)
}

type budgetSettings struct {
	ratio, minRate float64
	window         time.Duration
}

// NewBudget returns a [Budget] with the defaults (20 % of first tries, 10
// retries per second, a 10 s window) changed by opts.
func NewBudget(opts ...BudgetOption) *Budget {
	s := budgetSettings{ratio: defaultBudgetRatio, minRate: defaultBudgetMinRate, window: defaultBudgetWindow}
	for _, opt := range opts {
		opt.applyBudget(&s)
	}
	b := &Budget{}
	b.configure(s)
	return b
}

func (b *Budget) configure(s budgetSettings) {
	b.ratio = s.ratio
	b.reserve = s.minRate * s.window.Seconds()
	b.width = max(s.window/budgetSlots, 1)
}

// WithRetryRatio sets the fraction of first tries that may be retried over
// the window: 0.2 (the default) lets retries add 20 % on top of first
// tries. Zero leaves only the floor of [WithMinRetryRate]. It panics if
// ratio is negative or not a number.
func WithRetryRatio(ratio float64) BudgetOption {
	if !(ratio >= 0) || math.IsInf(ratio, 1) {
		panic(fmt.Sprintf("dialx: WithRetryRatio: ratio must be a finite number >= 0, got %v", ratio))
	}
	return budgetRatio(ratio)
}

type budgetRatio float64

func (r budgetRatio) applyBudget(s *budgetSettings) { s.ratio = float64(r) }

// WithMinRetryRate sets the floor of retries per second that the budget
// allows whatever the number of first tries; the default is 10. It panics
// if perSecond is negative or not a number.
func WithMinRetryRate(perSecond float64) BudgetOption {
	if !(perSecond >= 0) || math.IsInf(perSecond, 1) {
		panic(fmt.Sprintf("dialx: WithMinRetryRate: perSecond must be a finite number >= 0, got %v", perSecond))
	}
	return budgetMinRate(perSecond)
}

type budgetMinRate float64

func (r budgetMinRate) applyBudget(s *budgetSettings) { s.minRate = float64(r) }

// WithBudgetWindow sets how long deposits and withdrawals count; the
// default is 10 s. It panics if window is not positive.
func WithBudgetWindow(window time.Duration) BudgetOption {
	if window <= 0 {
		panic(fmt.Sprintf("dialx: WithBudgetWindow: window must be > 0, got %v", window))
	}
	return budgetWindow(window)
}

type budgetWindow time.Duration

func (w budgetWindow) applyBudget(s *budgetSettings) { s.window = time.Duration(w) }

// deposit records a first try.
func (b *Budget) deposit() {
	b.mu.Lock()
	slot := b.advance()
	slot.deposits++
	b.deposits++
	b.mu.Unlock()
}

// withdraw takes one retry from the budget and reports whether there was
// one to take.
func (b *Budget) withdraw() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	slot := b.advance()
	// A product such as 0.29×100 comes out a hair under the whole number it
	// stands for; the tolerance keeps that retry.
	allowed := (b.ratio*float64(b.deposits) + b.reserve) * (1 + 1e-12)
	if float64(b.withdrawals+1) > allowed {
		return false
	}
	slot.withdrawals++
	b.withdrawals++
	return true
}

// advance slides the window to now, forgetting the slots that left it, and
// returns the current slot. b.mu must be held.
func (b *Budget) advance() *budgetSlot {
	if b.width == 0 { // zero Budget, first use
		b.configure(budgetSettings{ratio: defaultBudgetRatio, minRate: defaultBudgetMinRate, window: defaultBudgetWindow})
	}
	if b.epoch.IsZero() {
		b.epoch = time.Now()
	}
	current := int64(time.Since(b.epoch) / b.width)
	if steps := min(current-b.head, budgetSlots); steps > 0 {
		for k := int64(1); k <= steps; k++ {
			slot := &b.slots[(b.head+k)%budgetSlots]
			b.deposits -= slot.deposits
			b.withdrawals -= slot.withdrawals
			*slot = budgetSlot{}
		}
		b.head = current
	}
	return &b.slots[b.head%budgetSlots]
}
