package dialx

import (
	"math"
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

func TestBudgetAllowsARatioOfFirstTriesPlusAFloor(t *testing.T) {
	tests := []struct {
		name     string
		budget   func() *Budget
		deposits int
		want     int
	}{
		{name: "Finagle's values, no first tries: the floor over 10 s", budget: func() *Budget { return NewBudget(0.2, 10, 10*time.Second) }, want: 100},
		{name: "Finagle's values, 1000 first tries", budget: func() *Budget { return NewBudget(0.2, 10, 10*time.Second) }, deposits: 1000, want: 300},
		{name: "zero value has Finagle's values", budget: func() *Budget { return new(Budget) }, deposits: 1000, want: 300},
		{name: "zero value has Finagle's floor", budget: func() *Budget { return new(Budget) }, want: 100},
		{name: "ratio only", budget: func() *Budget { return NewBudget(0.5, 0, 10*time.Second) }, deposits: 10, want: 5},
		{name: "floor only", budget: func() *Budget { return NewBudget(0, 2, 10*time.Second) }, deposits: 1000, want: 20},
		{name: "window scales the floor", budget: func() *Budget { return NewBudget(0.2, 10, time.Second) }, want: 10},
		{name: "ratio 0.29 of 100", budget: func() *Budget { return NewBudget(0.29, 0, 10*time.Second) }, deposits: 100, want: 29},
		{name: "ratio 0.57 of 100", budget: func() *Budget { return NewBudget(0.57, 0, 10*time.Second) }, deposits: 100, want: 57},
		{name: "floor 0.7 a second over 10 s", budget: func() *Budget { return NewBudget(0, 0.7, 10*time.Second) }, want: 7},
		{name: "no retries at all", budget: func() *Budget { return NewBudget(0, 0, 10*time.Second) }, deposits: 1000, want: 0},
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

func TestBudgetRefillsAsItsWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(0.2, 0, 10*time.Second) // slots of 1 s
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

func TestBudgetHoldsItsRatioInTheSteadyState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := new(Budget)
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
		b := NewBudget(0.2, 10, 10*time.Second)
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

func TestNewBudgetPanicsOnBadValues(t *testing.T) {
	tests := []struct {
		name string
		make func()
		want string
	}{
		{name: "negative ratio", make: func() { NewBudget(-0.1, 10, time.Second) }, want: "dialx: NewBudget: ratio must be a finite number >= 0, got -0.1"},
		{name: "NaN ratio", make: func() { NewBudget(math.NaN(), 10, time.Second) }, want: "dialx: NewBudget: ratio must be a finite number >= 0, got NaN"},
		{name: "infinite ratio", make: func() { NewBudget(math.Inf(1), 10, time.Second) }, want: "dialx: NewBudget: ratio must be a finite number >= 0, got +Inf"},
		{name: "negative rate", make: func() { NewBudget(0.2, -1, time.Second) }, want: "dialx: NewBudget: minPerSecond must be a finite number >= 0, got -1"},
		{name: "infinite rate", make: func() { NewBudget(0.2, math.Inf(1), time.Second) }, want: "dialx: NewBudget: minPerSecond must be a finite number >= 0, got +Inf"},
		{name: "zero window", make: func() { NewBudget(0.2, 10, 0) }, want: "dialx: NewBudget: window must be > 0, got 0s"},
		{name: "negative window", make: func() { NewBudget(0.2, 10, -time.Second) }, want: "dialx: NewBudget: window must be > 0, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.make)
		})
	}
}

func TestBudgetCheckDoesNotAllocate(t *testing.T) {
	b := new(Budget)
	allocs := testing.AllocsPerRun(1000, func() {
		b.deposit()
		b.withdraw()
	})
	assert.Zero(t, allocs)
}
