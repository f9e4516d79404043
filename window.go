package dialx

import (
	"math"
	"sync/atomic"
	"time"
)

// window counts two kinds of event over a sliding window, without a lock:
// a Budget's first tries and retries, a Breaker circuit's successes and
// failures. The window is windowSlots ticks long and slides by one tick; a
// tick is a tenth of the window's length (see windowTick).
//
// Each slot holds one word per kind: the low 32 bits of the tick it counts
// for, and the count (32 bits, saturating). A word whose tick has left the
// window counts nothing and is reset by the next event that lands in its
// slot, so the window never needs sweeping.
type window struct {
	slots [windowSlots][2]atomic.Uint64
}

// windowSlots is the number of steps a window slides by.
const windowSlots = 10

// windowTick is the number of the window tick that now, a monotonic instant,
// falls into, for a window length long.
func windowTick(now, long time.Duration) int64 {
	return int64(now / max(long/windowSlots, 1))
}

// add counts one event of kind (0 or 1) at tick. A caller delayed past a
// whole window between reading tick and adding may restart a slot a later
// tick owns, losing that tick's counts: the window is a statistic, and
// telling such a caller from a word 2^31 ticks old would cost a wider word.
func (w *window) add(tick int64, kind int) {
	word := &w.slots[tick%windowSlots][kind]
	epoch := uint64(uint32(tick)) << 32
	for {
		old := word.Load()
		next := epoch | 1
		if old&^math.MaxUint32 == epoch {
			if old&math.MaxUint32 == math.MaxUint32 {
				return
			}
			next = old + 1
		}
		if word.CompareAndSwap(old, next) {
			return
		}
	}
}

// counts returns how many events of each kind the window holds at tick.
func (w *window) counts(tick int64) (first, second int64) {
	now := uint32(tick)
	for i := range w.slots {
		first += countAt(w.slots[i][0].Load(), now)
		second += countAt(w.slots[i][1].Load(), now)
	}
	return first, second
}

// countAt is the count a slot's word holds for the window ending at tick
// now: nothing once its tick has left the window.
func countAt(word uint64, now uint32) int64 {
	if now-uint32(word>>32) >= windowSlots {
		return 0
	}
	return int64(word & math.MaxUint32)
}

// reset forgets every event.
func (w *window) reset() {
	for i := range w.slots {
		w.slots[i][0].Store(0)
		w.slots[i][1].Store(0)
	}
}
