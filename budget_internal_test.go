package dialx

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// withdrawAll withdraws until the budget refuses and returns how many
// withdrawals it granted.
func withdrawAll(b *Budget) int {
	granted := 0
	for b.withdraw() {
		granted++
	}
	return granted
}

func depositN(b *Budget, n int) {
	for range n {
		b.deposit()
	}
}

func TestBudgetAllowance(t *testing.T) {
	tests := []struct {
		name     string
		budget   func() *Budget
		deposits int
		want     int
	}{
		{name: "defaults, no first tries: the floor over 10 s", budget: func() *Budget { return NewBudget() }, want: 100},
		{name: "defaults, 1000 first tries", budget: func() *Budget { return NewBudget() }, deposits: 1000, want: 300},
		{name: "zero value has the defaults", budget: func() *Budget { return new(Budget) }, deposits: 1000, want: 300},
		{name: "ratio only", budget: func() *Budget { return NewBudget(WithMinRetryRate(0), WithRetryRatio(0.5)) }, deposits: 10, want: 5},
		{name: "floor only", budget: func() *Budget { return NewBudget(WithRetryRatio(0), WithMinRetryRate(2)) }, deposits: 1000, want: 20},
		{name: "window scales the floor", budget: func() *Budget { return NewBudget(WithBudgetWindow(time.Second)) }, want: 10},
		{name: "ratio 0.29 of 100", budget: func() *Budget { return NewBudget(WithMinRetryRate(0), WithRetryRatio(0.29)) }, deposits: 100, want: 29},
		{name: "ratio 0.57 of 100", budget: func() *Budget { return NewBudget(WithMinRetryRate(0), WithRetryRatio(0.57)) }, deposits: 100, want: 57},
		{name: "floor 0.7 a second over 10 s", budget: func() *Budget { return NewBudget(WithRetryRatio(0), WithMinRetryRate(0.7)) }, want: 7},
		{name: "no retries at all", budget: func() *Budget { return NewBudget(WithRetryRatio(0), WithMinRetryRate(0)) }, deposits: 1000, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := tt.budget()
				depositN(b, tt.deposits)
				assert.Equal(t, tt.want, withdrawAll(b))
			})
		})
	}
}

func TestBudgetWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(WithMinRetryRate(0)) // ratio 0.2 over 10 s, slots of 1 s
		depositN(b, 50)
		assert.Equal(t, 10, withdrawAll(b))

		time.Sleep(5 * time.Second)
		depositN(b, 50) // 100 deposits and 10 withdrawals in the window
		assert.Equal(t, 10, withdrawAll(b))

		time.Sleep(5 * time.Second) // the first 50 deposits and 10 withdrawals leave
		assert.Equal(t, 0, withdrawAll(b), "50 deposits left allow 10, all taken")
		depositN(b, 50)
		assert.Equal(t, 10, withdrawAll(b))

		time.Sleep(time.Hour) // everything leaves at once
		assert.Equal(t, 0, withdrawAll(b))
		depositN(b, 5)
		assert.Equal(t, 1, withdrawAll(b))
	})
}

func TestBudgetSteadyStateRatio(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget()
		var first, retries int
		// 100 first tries a second, each wanting up to 4 retries, for a minute.
		for range 600 {
			for range 10 {
				b.deposit()
				first++
				for range 4 {
					if !b.withdraw() {
						break
					}
					retries++
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		// 20 % of first tries plus 10 a second, plus the first window's floor.
		assert.InDelta(t, 0.2*float64(first)+10*60, float64(retries), 110)
	})
}

func TestBudgetConcurrentUseNeverOverdraws(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget()
		var granted atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 500 {
					b.deposit()
					if b.withdraw() {
						granted.Add(1)
					}
					if b.withdraw() {
						granted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		// 4000 deposits in one instant: 800 by ratio plus 100 by floor.
		assert.Equal(t, int64(900), granted.Load())
	})
}

func TestBudgetOptionsPanicOnBadValues(t *testing.T) {
	tests := []struct {
		name string
		make func()
		want string
	}{
		{name: "negative ratio", make: func() { WithRetryRatio(-0.1) }, want: "dialx: WithRetryRatio: ratio must be a finite number >= 0, got -0.1"},
		{name: "negative rate", make: func() { WithMinRetryRate(-1) }, want: "dialx: WithMinRetryRate: perSecond must be a finite number >= 0, got -1"},
		{name: "zero window", make: func() { WithBudgetWindow(0) }, want: "dialx: WithBudgetWindow: window must be > 0, got 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}

func TestBudgetCheckDoesNotAllocate(t *testing.T) {
	b := NewBudget()
	allocs := testing.AllocsPerRun(1000, func() {
		b.deposit()
		b.withdraw()
	})
	assert.Zero(t, allocs)
}
