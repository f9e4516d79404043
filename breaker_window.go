package dialx

import "sync/atomic"

// tick is the number of the window bucket the present falls into.
func (b *Breaker) tick() int64 {
	return int64(b.now() / max(b.cfg.window/windowBuckets, 1))
}

const windowBuckets = 10

// outcomeWindow counts dials and failures over the last windowBuckets ticks
// without a lock: each bucket is one word holding the tick it counts for
// (low 32 bits of it) and its failures and dials (16 bits each, saturating).
type outcomeWindow struct {
	buckets [windowBuckets]atomic.Uint64
}

func (w *outcomeWindow) add(tick int64, failed bool) {
	slot := &w.buckets[tick%windowBuckets]
	epoch := uint64(uint32(tick))
	for {
		old := slot.Load()
		next := epoch<<32 | 1
		if old>>32 == epoch {
			if old&0xffff == 0xffff {
				return
			}
			next = old + 1
		}
		if failed {
			next += 1 << 16
		}
		if slot.CompareAndSwap(old, next) {
			return
		}
	}
}

func (w *outcomeWindow) counts(tick int64) (failed, total int) {
	now := uint32(tick)
	for i := range w.buckets {
		word := w.buckets[i].Load()
		if now-uint32(word>>32) < windowBuckets {
			failed += int(word >> 16 & 0xffff)
			total += int(word & 0xffff)
		}
	}
	return failed, total
}

func (w *outcomeWindow) reset() {
	for i := range w.buckets {
		w.buckets[i].Store(0)
	}
}
