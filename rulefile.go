package dialx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxRuleLine bounds a line of a rules file.
const maxRuleLine = 64 << 10

// ParseRules reads a rules file for [NewSelective]. Each line holds a
// pattern and the name of a Dialer in dialers, separated by spaces or tabs;
// '#' starts a comment that runs to the end of the line, and blank lines are
// skipped:
//
//	# block ads, send the intranet through the VPN, everything else direct
//	.ads.example      block
//	10.0.0.0/8        vpn
//	[fd00::/8]:443    vpn
//	*                 direct
//
// The rules come back in file order. ParseRules checks every pattern as
// NewSelective would and reports every bad line at once, each as a
// [*RuleError] with its line number, joined with [errors.Join]; on any
// error it returns no rules at all, never part of the list.
func ParseRules(r io.Reader, dialers map[string]Dialer) ([]Rule, error) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(nil, maxRuleLine)
	var rules []Rule
	var errs []error
	line := 0
	for scanner.Scan() {
		line++
		text := scanner.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if comment := strings.IndexByte(text, '#'); comment >= 0 {
			text = text[:comment]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		bad := func(err error) {
			errs = append(errs, &RuleError{Line: line, Index: len(rules), Pattern: fields[0], Err: err})
		}
		if len(fields) != 2 {
			bad(errors.New("want PATTERN DIALER-NAME, got " + strconv.Itoa(len(fields)) + " fields"))
			continue
		}
		pattern, name := fields[0], fields[1]
		_, err := parsePattern(pattern)
		if err != nil {
			bad(err)
		}
		dialer, ok := dialers[name]
		switch {
		case !ok:
			bad(errors.New("no Dialer named " + strconv.Quote(name)))
		case isNilDialer(dialer):
			bad(errors.New("the Dialer named " + strconv.Quote(name) + " is nil"))
		case err == nil:
			rules = append(rules, Rule{Pattern: pattern, Dialer: dialer})
		}
	}
	if err := scanner.Err(); err != nil {
		errs = append(errs, fmt.Errorf("dialx: line %d: %w", line+1, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}
