package dialx

import (
	"errors"
	"io"
	"strconv"

	"github.com/dialx/dialx/rules"
)

// ParseRules reads a rules file for [NewSelective]: the format of
// [rules.Parse], with the name of a Dialer in dialers as each pattern's
// target. The rules come back in file order. It reports every bad line at
// once, each as a [*rules.Error] with its line number, joined with
// [errors.Join]: first those of [rules.Parse], then, when the file parses,
// every name that dialers does not hold or holds as nil. On any error it
// returns no rules at all, never part of the list.
func ParseRules(r io.Reader, dialers map[string]Dialer) ([]Rule, error) {
	table, err := rules.Parse(r)
	if err != nil {
		return nil, err
	}
	var list []Rule
	var errs []error
	for i := range table.Len() {
		pattern, name, line := table.Rule(i)
		dialer, ok := dialers[name]
		switch {
		case !ok:
			err = errors.New("no Dialer named " + strconv.Quote(name))
		case isNilDialer(dialer):
			err = errors.New("the Dialer named " + strconv.Quote(name) + " is nil")
		default:
			list = append(list, Rule{Pattern: pattern, Dialer: dialer})
			continue
		}
		errs = append(errs, &rules.Error{Line: line, Index: i, Pattern: pattern, Err: err})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return list, nil
}
