// Package runs stores a value for each of a long list of positions in the
// space of the runs of equal values: a million rules that all route to one
// Dialer, or whose lines follow one another, take a few bytes, not a few
// megabytes.
package runs

import "sort"

// Runs maps positions 0, 1, 2, ... to int32 values, added in order. The zero
// Runs is empty. A Runs is safe for concurrent reads once no more values are
// added.
type Runs struct {
	starts []int32 // the first position of each run, increasing
	values []int32 // the value of each run
	n      int32   // the number of positions added
}

// Add gives the next position the value v.
func (r *Runs) Add(v int32) { r.AddN(v, 1) }

// AddN gives the next n positions the value v.
func (r *Runs) AddN(v int32, n int) {
	if n <= 0 {
		return
	}
	if len(r.values) == 0 || r.values[len(r.values)-1] != v {
		r.starts = append(r.starts, r.n)
		r.values = append(r.values, v)
	}
	r.n += int32(n)
}

// At returns the value of position i, which must have been added.
func (r *Runs) At(i int) int32 {
	if i < 0 || i >= int(r.n) {
		panic("runs: position out of range")
	}
	// The last run that starts at or before i.
	j := sort.Search(len(r.starts), func(j int) bool { return int(r.starts[j]) > i }) - 1
	return r.values[j]
}

// Len returns the number of positions added.
func (r *Runs) Len() int { return int(r.n) }

// Values returns the value of each run, in order: every value at least once,
// and a value again only where another came between.
func (r *Runs) Values() []int32 { return r.values }

// Trim drops the spare capacity of a Runs that is complete.
func (r *Runs) Trim() {
	r.starts = append([]int32(nil), r.starts...)
	r.values = append([]int32(nil), r.values...)
}
