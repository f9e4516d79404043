package dialx

import (
	"errors"
	"io"
	"strconv"

	"github.com/dialx/dialx/rules"
)

// ParseRules reads a rules file in the format of [rules.Parse], each target
// naming a Dialer in dialers. It reports every bad line and every unknown or
// nil name as a [*rules.Error], joined with [errors.Join], and no rules.
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
