package dialx

import (
	"bufio"
	"bytes"
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
// error it returns no rules at all, never part of the list. A line may hold
// at most 64 KiB (65,536 bytes) before its end of line: a longer one is
// reported as a bad line and skipped, without being held in memory, and the
// lines after it are still checked.
func ParseRules(r io.Reader, dialers map[string]Dialer) ([]Rule, error) {
	// Wrapped, so that a *bufio.Reader of the caller's with a larger buffer
	// is not used as it is: the buffer's size is the line limit.
	lines := bufio.NewReaderSize(struct{ io.Reader }{r}, maxRuleLine+len("\r\n"))
	var rules []Rule
	var errs []error
	for line := 1; ; line++ {
		// A read that ends the file may still bring its last line; an
		// empty one holds no rule.
		raw, tooLong, err := readLine(lines)
		if tooLong {
			errs = append(errs, &RuleError{Line: line, Index: len(rules), Pattern: excerpt(raw),
				Err: errors.New("line is longer than " + strconv.Itoa(maxRuleLine) + " bytes")})
		} else if rule, bad := parseRuleLine(line, string(raw), len(rules), dialers); bad != nil {
			errs = append(errs, bad...)
		} else if rule.Dialer != nil {
			rules = append(rules, rule)
		}
		if err != nil {
			if err != io.EOF {
				errs = append(errs, fmt.Errorf("dialx: line %d: %w", line, err))
			}
			break
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

// readLine returns the next line without its end of line ("\n" or "\r\n").
// A line longer than maxRuleLine is skipped to its end, not held: tooLong
// is set and raw keeps the line's first bytes. err is the reader's error, io.EOF
// at the end of the file, which may come with a last line.
func readLine(lines *bufio.Reader) (raw []byte, tooLong bool, err error) {
	raw, err = lines.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		head := append([]byte(nil), raw[:min(len(raw), 64)]...)
		for err == bufio.ErrBufferFull {
			_, err = lines.ReadSlice('\n')
		}
		return head, true, err
	}
	raw = bytes.TrimSuffix(raw, []byte("\n"))
	raw = bytes.TrimSuffix(raw, []byte("\r"))
	if len(raw) > maxRuleLine {
		return raw[:64], true, err
	}
	return raw, false, err
}

// excerpt is the start of an over-long line, to name it in an error.
func excerpt(raw []byte) string {
	text := strings.ToValidUTF8(string(raw[:min(len(raw), 32)]), "")
	return text + "..."
}

// parseRuleLine reads one line of a rules file that holds the rule number
// index if it holds a rule. It returns a Rule with a nil Dialer for a line
// without a rule, and every error of a bad one.
func parseRuleLine(line int, text string, index int, dialers map[string]Dialer) (Rule, []error) {
	if line == 1 {
		text = strings.TrimPrefix(text, "\uFEFF")
	}
	if comment := strings.IndexByte(text, '#'); comment >= 0 {
		text = text[:comment]
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return Rule{}, nil
	}
	var errs []error
	bad := func(err error) {
		errs = append(errs, &RuleError{Line: line, Index: index, Pattern: fields[0], Err: err})
	}
	if len(fields) != 2 {
		bad(errors.New("want PATTERN DIALER-NAME, got " + strconv.Itoa(len(fields)) + " fields"))
		return Rule{}, errs
	}
	pattern, name := fields[0], fields[1]
	if _, err := parsePattern(pattern); err != nil {
		bad(err)
	}
	dialer, ok := dialers[name]
	switch {
	case !ok:
		bad(errors.New("no Dialer named " + strconv.Quote(name)))
	case isNilDialer(dialer):
		bad(errors.New("the Dialer named " + strconv.Quote(name) + " is nil"))
	}
	if errs != nil {
		return Rule{}, errs
	}
	return Rule{Pattern: pattern, Dialer: dialer}, nil
}
