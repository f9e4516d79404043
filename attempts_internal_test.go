package dialx

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAttemptErrorsKeepsTheLowestAndHighestNumbersInAnyOrder adds attempt
// errors in the orders a dial can see them (in turn, and as racers finish) and
// checks that the lowest and highest attempt numbers are kept, in order, and
// the rest counted.
func TestAttemptErrorsKeepsTheLowestAndHighestNumbersInAnyOrder(t *testing.T) {
	inTurn := func(n int) []int {
		nums := make([]int, n)
		for i := range nums {
			nums[i] = i
		}
		return nums
	}
	reversed := func(n int) []int {
		nums := inTurn(n)
		slices.Reverse(nums)
		return nums
	}
	shuffled := func(n int) []int {
		nums := inTurn(n)
		r := rand.New(rand.NewPCG(1, uint64(n)))
		r.Shuffle(n, func(i, j int) { nums[i], nums[j] = nums[j], nums[i] })
		return nums
	}
	tests := []struct {
		name  string
		order func(n int) []int
	}{
		{name: "in turn", order: inTurn},
		{name: "reversed", order: reversed},
		{name: "shuffled", order: shuffled},
	}
	for _, tt := range tests {
		for _, n := range []int{0, 1, 4, 7, 8, 9, 16, 100, 1000} {
			t.Run(tt.name+"/"+strconv.Itoa(n), func(t *testing.T) {
				var errs attemptErrors
				byNum := make([]error, n)
				for _, num := range tt.order(n) {
					byNum[num] = errors.New(strconv.Itoa(num))
					errs.add(num, byNum[num])
				}
				want := byNum
				if n > keptHead+keptTail {
					want = append(slices.Clone(byNum[:keptHead]), byNum[n-keptTail:]...)
				}
				got := &attemptsError{}
				errs.appendTo(got, nil)
				assert.Equal(t, want, nonNil(got.errs))
				assert.Equal(t, n, errs.total)
				assert.Equal(t, max(0, n-keptHead-keptTail), got.omitted)
			})
		}
	}
}

func nonNil(errs []error) []error {
	if len(errs) == 0 {
		return []error{}
	}
	return errs
}

func TestAttemptsErrorMessageCountsTheOmittedAndListsTheStopReasonOnce(t *testing.T) {
	stop := errors.New("stop")
	tests := []struct {
		name  string
		nums  int
		same  []int // attempts that failed with stop itself
		want  string
		inErr bool // made by stopped rather than allFailed
	}{
		{name: "few", nums: 3, want: "all 3 tries failed: 0; 1; 2"},
		{name: "eight", nums: 8, want: "all 8 tries failed: 0; 1; 2; 3; 4; 5; 6; 7"},
		{name: "many", nums: 1000, want: "all 1000 tries failed: 0; 1; 2; 3; ... 992 more ...; 996; 997; 998; 999"},
		{name: "stopped", nums: 1000, inErr: true,
			want: "stopped after 1000 of 2000 tries: stop; 0; 1; 2; 3; ... 992 more ...; 996; 997; 998; 999"},
		{name: "the stop reason is listed once", nums: 10, same: []int{1, 9}, inErr: true,
			want: "stopped after 10 of 2000 tries: stop; 0; 2; 3; ... 2 more ...; 6; 7; 8"},
		{name: "only the stop reason at the end", nums: 10, same: []int{6, 7, 8, 9}, inErr: true,
			want: "stopped after 10 of 2000 tries: stop; 0; 1; 2; 3; ... 2 more ..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs attemptErrors
			for i := range tt.nums {
				err := errors.New(strconv.Itoa(i))
				if slices.Contains(tt.same, i) {
					err = stop
				}
				errs.add(i, err)
			}
			var err error
			if tt.inErr {
				err = stopped(stop, tt.nums, 2000, "tries", &errs)
			} else {
				err = allFailed("tries", &errs)
			}
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// sameError must not panic on errors of a type that == cannot compare.
func TestSameErrorDoesNotPanicOnUncomparableErrors(t *testing.T) {
	a, b := uncomparable{[]string{"x"}}, uncomparable{[]string{"x"}}
	assert.False(t, sameError(a, b))
	assert.False(t, sameError(a, errors.New("x")))
	stop := errors.New("stop")
	assert.True(t, sameError(stop, stop))
	assert.False(t, sameError(errors.New("stop"), stop))
}

type uncomparable struct{ parts []string }

func (u uncomparable) Error() string { return u.parts[0] }
