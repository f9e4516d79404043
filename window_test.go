package dialx

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWindowCountsEachKindOverTheLastTenTicks(t *testing.T) {
	var w window
	for tick := range int64(10) {
		w.add(tick, 0)
		if tick%2 == 0 {
			w.add(tick, 1)
		}
	}
	first, second := w.counts(9)
	assert.Equal(t, [2]int64{10, 5}, [2]int64{first, second})

	first, second = w.counts(10) // tick 0 has left the window
	assert.Equal(t, [2]int64{9, 4}, [2]int64{first, second})
	first, second = w.counts(18) // only tick 9 is left
	assert.Equal(t, [2]int64{1, 0}, [2]int64{first, second})
	first, second = w.counts(1000)
	assert.Equal(t, [2]int64{0, 0}, [2]int64{first, second})
}

func TestWindowReusesASlotForItsNextTick(t *testing.T) {
	var w window
	for range 3 {
		w.add(0, 0)
		w.add(0, 1)
	}
	w.add(10, 0) // the slot of tick 0, which has left the window
	first, second := w.counts(10)
	assert.Equal(t, [2]int64{1, 0}, [2]int64{first, second})
}

func TestWindowCountSaturatesInsteadOfWrapping(t *testing.T) {
	var w window
	w.slots[3][1].Store(3<<32 | math.MaxUint32)
	w.add(3, 1)
	_, second := w.counts(3)
	assert.Equal(t, int64(math.MaxUint32), second)
}

func TestWindowResetForgetsEveryEvent(t *testing.T) {
	var w window
	for tick := range int64(10) {
		w.add(tick, 0)
		w.add(tick, 1)
	}
	w.reset()
	first, second := w.counts(9)
	assert.Equal(t, [2]int64{0, 0}, [2]int64{first, second})
}

func TestWindowCountsConcurrentEvents(t *testing.T) {
	var w window
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				w.add(int64(i%3), g%2)
			}
		})
	}
	wg.Wait()
	first, second := w.counts(2)
	assert.Equal(t, [2]int64{4000, 4000}, [2]int64{first, second})
}

func TestWindowTickIsATenthOfTheWindow(t *testing.T) {
	assert.Equal(t, int64(0), windowTick(999*time.Millisecond, 10*time.Second))
	assert.Equal(t, int64(1), windowTick(time.Second, 10*time.Second))
	assert.Equal(t, int64(25), windowTick(25*time.Nanosecond, 5*time.Nanosecond), "a tick is never shorter than 1 ns")
}
