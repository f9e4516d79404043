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
	return readList(r, parseLine)
}

// readList reads a list file into a Table, handing each line to parseLine
// without its end of line, and the first without a byte order mark. It is
// the one loop of every list format, so that each bounds its lines and
// reports its bad lines and the reader's error alike.
func readList(r io.Reader, parseLine func(b *builder, line int, text string)) (*Table, error) {
	// Wrapped, so that a *bufio.Reader of the caller's with a larger buffer
	// is not used as it is: the buffer's size is the line limit.
	lines := bufio.NewReaderSize(struct{ io.Reader }{r}, maxLine+len("\r\n"))
	b := newBuilder(0, 0, true)
	for line := 1; ; line++ {
		// A read that ends the file may still bring its last line; an
		// empty one holds no rule.
		raw, tooLong, err := readLine(lines)
		switch {
		case tooLong:
			b.fail(&Error{Line: line, Index: b.count(), Pattern: excerpt(raw),
				Err: errors.New("line is longer than " + strconv.Itoa(maxLine) + " bytes")})
		case line == 1:
			parseLine(b, line, strings.TrimPrefix(string(raw), "\uFEFF"))
		default:
			parseLine(b, line, string(raw))
		}
		if err != nil {
			if err != io.EOF {
				b.fail(fmt.Errorf("dialx: line %d: %w", line, err))
			}
			break
		}
	}
	return b.table()
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

// parseLine reads line number line of a rules file into b.
func parseLine(b *builder, line int, text string) {
	if comment := strings.IndexByte(text, '#'); comment >= 0 {
		text = text[:comment]
	}
	// strings.Fields, without a slice for the fields of every line.
	pattern, rest := nextField(text)
	target, rest := nextField(rest)
	switch extra, _ := nextField(rest); {
	case pattern == "":
	case target == "" || extra != "":
		b.fail(&Error{Line: line, Index: b.count(), Pattern: pattern,
			Err: errors.New("want PATTERN TARGET, got " + strconv.Itoa(len(strings.Fields(text))) + " fields")})
	default:
		b.add(pattern, target, line)
	}
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
