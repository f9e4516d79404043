package rules

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// maxLine bounds a line of a rules file.
const maxLine = 64 << 10

// Parse reads a rules file into a Table. Each line holds a pattern and the
// name of its target (for example a route or an action, which
// [Table.Rule] returns), separated by spaces or tabs; '#' starts a comment
// that runs to the end of the line, and blank lines are skipped:
//
//	# block ads, send the intranet through the VPN, everything else direct
//	.ads.example      block
//	10.0.0.0/8        vpn
//	[fd00::/8]:443    vpn
//	*                 direct
//
// The patterns keep the file's order. Parse reports every bad line at once,
// each as an [*Error] with its Line, joined with [errors.Join], and then
// returns no Table. A line may hold at most 64 KiB (65,536 bytes) before its
// end of line: a longer one is reported as a bad line and skipped, without
// being held in memory, and the lines after it are still checked. An error
// of r ends the file and is returned too, naming the line it was reading.
func Parse(r io.Reader) (*Table, error) {
	// Wrapped, so that a *bufio.Reader of the caller's with a larger buffer
	// is not used as it is: the buffer's size is the line limit.
	lines := bufio.NewReaderSize(struct{ io.Reader }{r}, maxLine+len("\r\n"))
	// The rules are gathered in chunks and copied once their number is
	// known: growing slices by append would allocate, over a large file,
	// about five times what the Table keeps.
	var chunks [][]parsed
	count := 0
	var errs []error
	for line := 1; ; line++ {
		// A read that ends the file may still bring its last line; an
		// empty one holds no rule.
		raw, tooLong, err := readLine(lines)
		if tooLong {
			errs = append(errs, &Error{Line: line, Index: count, Pattern: excerpt(raw),
				Err: errors.New("line is longer than " + strconv.Itoa(maxLine) + " bytes")})
		} else if rule, bad := parseLine(line, string(raw), count); bad != nil {
			errs = append(errs, bad)
		} else if rule.text != "" {
			if len(chunks) == 0 || len(chunks[len(chunks)-1]) == cap(chunks[len(chunks)-1]) {
				size := 1024 // from the seventh chunk on
				if len(chunks) < 6 {
					size = 16 << len(chunks)
				}
				chunks = append(chunks, make([]parsed, 0, size))
			}
			chunks[len(chunks)-1] = append(chunks[len(chunks)-1], rule)
			count++
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
	t := &Table{patterns: make([]string, 0, count), targets: make([]string, 0, count), lines: make([]int, 0, count)}
	compiled := make([]pattern, 0, count)
	for _, chunk := range chunks {
		for _, rule := range chunk {
			compiled = append(compiled, rule.compiled)
			t.patterns, t.targets, t.lines = append(t.patterns, rule.text), append(t.targets, rule.target), append(t.lines, rule.line)
		}
	}
	t.deferred = compiled
	return t, nil
}

// parsed is a rule of a rules file: its pattern compiled and as written,
// its target and its line.
type parsed struct {
	compiled     pattern
	text, target string
	line         int
}

// readLine returns the next line without its end of line ("\n" or "\r\n").
// A line longer than maxLine is skipped to its end, not held: tooLong is
// set and raw keeps the line's first bytes. err is the reader's error, io.EOF
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
	if len(raw) > maxLine {
		return raw[:64], true, err
	}
	return raw, false, err
}

// excerpt is the start of an over-long line, to name it in an error.
func excerpt(raw []byte) string {
	text := strings.ToValidUTF8(string(raw[:min(len(raw), 32)]), "")
	return text + "..."
}

// parseLine reads line number line of a rules file, which holds the rule
// number index if it holds one. It returns the rule, with an empty text for
// a line without one, or the error of a bad line.
func parseLine(line int, text string, index int) (parsed, error) {
	if line == 1 {
		text = strings.TrimPrefix(text, "\uFEFF")
	}
	if comment := strings.IndexByte(text, '#'); comment >= 0 {
		text = text[:comment]
	}
	// strings.Fields, without a slice for the fields of every line.
	pattern, rest := nextField(text)
	target, rest := nextField(rest)
	switch extra, _ := nextField(rest); {
	case pattern == "":
		return parsed{}, nil
	case target == "" || extra != "":
		return parsed{}, &Error{Line: line, Index: index, Pattern: pattern,
			Err: errors.New("want PATTERN TARGET, got " + strconv.Itoa(len(strings.Fields(text))) + " fields")}
	}
	p, err := parsePattern(pattern)
	if err != nil {
		return parsed{}, &Error{Line: line, Index: index, Pattern: pattern, Err: err}
	}
	return parsed{compiled: p, text: pattern, target: target, line: line}, nil
}

// nextField returns the first field of s, as strings.Fields splits it, and
// what follows it.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		return s, ""
	}
	return s[:end], s[end:]
}
