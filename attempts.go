package dialx

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// keptHead and keptTail bound the attempt errors one dial keeps: a Repeat of
// math.MaxInt tries that fail at once would otherwise hold an error per try
// until its ctx ends, about a million in 400 ms, and print them all.
const keptHead, keptTail = 4, 4

// attemptErrors collects the errors of the attempts at one dial: it keeps
// the keptHead lowest-numbered and the keptTail highest-numbered ones and
// counts the rest. Attempts made in turn come in order, so those are the
// first and the last; the attempts of a race may fail in any order, and
// their errors are still kept and printed in the order of the attempts.
//
// Its zero value is empty and it lives in its caller's frame, so a dial
// whose first attempt succeeds allocates nothing for it.
type attemptErrors struct {
	errs  [keptHead + keptTail]error
	nums  [keptHead + keptTail]int // attempt number of errs[i], ascending
	kept  int
	total int
}

// add records the error of attempt number num, which no earlier call gave.
func (a *attemptErrors) add(num int, err error) {
	a.total++
	if a.kept < len(a.errs) {
		a.insert(0, a.kept, num, err)
		a.kept++
		return
	}
	// Full: errs[:keptHead] are the lowest numbers seen and errs[keptHead:]
	// the highest, each lower than every one of those. The one pushed out
	// of either end is in neither group any more, so it is dropped.
	switch {
	case num < a.nums[keptHead-1]:
		a.insert(0, keptHead-1, num, err)
	case num > a.nums[keptHead]:
		copy(a.errs[keptHead:], a.errs[keptHead+1:])
		copy(a.nums[keptHead:], a.nums[keptHead+1:])
		a.insert(keptHead, len(a.errs)-1, num, err)
	}
}

// insert puts err at its place by num within errs[from:to+1], moving the
// entries after that place up by one; the entry at to is overwritten.
func (a *attemptErrors) insert(from, to, num int, err error) {
	i := to
	for ; i > from && a.nums[i-1] > num; i-- {
		a.errs[i], a.nums[i] = a.errs[i-1], a.nums[i-1]
	}
	a.errs[i], a.nums[i] = err, num
}

// attemptsError holds the errors of several attempts at one dial (tries of a
// Repeat, members of a Consecutive, racers of a Concurrent, addresses of a
// Resolve), printed on one line and each reachable by errors.Is and
// errors.As. When there were too many to keep, the middle ones are counted
// in omitted and shown as such after the first omitAt errors.
type attemptsError struct {
	summary   string
	errs      []error
	omitted   int
	omitAt    int
	cancelled bool // the caller's ctx was cancelled (not timed out)
}

func (e *attemptsError) Error() string {
	var b strings.Builder
	b.WriteString(e.summary)
	sep := ": "
	more := func() {
		b.WriteString(sep + "... " + strconv.Itoa(e.omitted) + " more ...")
		sep = "; "
	}
	for i, err := range e.errs {
		if i == e.omitAt && e.omitted > 0 {
			more()
		}
		b.WriteString(sep)
		b.WriteString(err.Error())
		sep = "; "
	}
	if e.omitAt >= len(e.errs) && e.omitted > 0 {
		more()
	}
	return b.String()
}

func (e *attemptsError) Unwrap() []error { return e.errs }

// Timeout reports whether the attempts ended because a deadline passed. A
// dial that the caller cancelled is not a timeout, even if one of its
// attempts timed out before; otherwise the first error that has a Timeout
// method decides, as [DialError.Timeout] would without this method.
func (e *attemptsError) Timeout() bool {
	if e.cancelled {
		return false
	}
	for _, err := range e.errs {
		var t interface{ Timeout() bool }
		if errors.As(err, &t) {
			return t.Timeout()
		}
	}
	return false
}

// allFailed is the cause when every one of the attempts failed.
func allFailed(noun string, errs *attemptErrors) error {
	e := &attemptsError{summary: "all " + strconv.Itoa(errs.total) + " " + noun + " failed"}
	errs.appendTo(e, nil)
	return e
}

// stopped is the cause when ctx ended, or the reason stop came up, while
// attempts were being made; that reason comes first so that the error is a
// timeout if ctx's deadline passed and so that errors.Is(err, ctx.Err())
// holds. An attempt that failed with that very value (it saw the same ctx
// end) is not listed again.
func stopped(stop error, made, planned int, noun string, errs *attemptErrors) error {
	summary := "stopped after " + strconv.Itoa(made) + " of " + strconv.Itoa(planned) + " " + noun
	if made == planned {
		summary = "all " + strconv.Itoa(made) + " " + noun + " failed"
	}
	e := &attemptsError{summary: summary, errs: []error{stop}, cancelled: errors.Is(stop, context.Canceled)}
	if errs != nil {
		errs.appendTo(e, stop)
	}
	return e
}

// appendTo adds the kept errors, but for those equal to skip, to e.errs, and
// notes where the ones not kept were.
func (a *attemptErrors) appendTo(e *attemptsError, skip error) {
	e.omitted = a.total - a.kept
	for i, err := range a.errs[:a.kept] {
		if i == keptHead {
			e.omitAt = len(e.errs)
		}
		if skip != nil && sameError(err, skip) {
			continue
		}
		e.errs = append(e.errs, err)
	}
}

// sameError reports whether err is the very value target, without the panic
// that == raises on two errors of one uncomparable type.
func sameError(err, target error) bool {
	if reflect.TypeOf(err) != reflect.TypeOf(target) || !reflect.ValueOf(target).Comparable() {
		return false
	}
	return err == target
}
