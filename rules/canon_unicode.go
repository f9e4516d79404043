package rules

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// encodeLabels appends the ASCII form of a host name that IDNA has mapped
// to dst, label by label. A label whose ASCII form would not fit in 63 bytes
// is refused while it is being encoded.
func encodeLabels(dst []byte, mapped string) ([]byte, error) {
	var runes [64]rune
	for label := range strings.SplitSeq(mapped, ".") {
		n := 0
		for _, r := range label {
			if n == len(runes) {
				return dst, errors.New("label longer than 63 bytes")
			}
			runes[n] = r
			n++
		}
		var ok bool
		if dst, ok = appendPunycode(dst, runes[:n], 63); !ok {
			return dst, errors.New("label longer than 63 bytes in ASCII form")
		}
		if len(dst) > maxHostLen+1 {
			// Stop encoding here: the name cannot fit.
			return dst, errors.New("host name longer than 253 bytes in ASCII form")
		}
		dst = append(dst, '.')
	}
	return dst[:len(dst)-1], nil
}

// checkASCIIRuns refuses a host with a run of more than 63 ASCII letters,
// digits and hyphens: no label can hold it, and IDNA would decode one that
// starts with "xn--" in time quadratic in its length.
func checkASCIIRuns(host string) error {
	run := 0
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' {
			if run++; run > 63 {
				return errors.New("label longer than 63 bytes")
			}
			continue
		}
		run = 0
	}
	return nil
}

// checkUnicode refuses what IDNA would repair or drop without a word:
// bytes that are not UTF-8 (IDNA reads them as U+FFFD and carries on, so
// "localhost\xff" would become a name of its own while a parser downstream
// that skips bad bytes reads "localhost"), control characters (NUL among
// them, where C code cuts a string), U+FFFD itself (the mark of an earlier
// repair), and the characters the UTS 46 mapping deletes (soft hyphen,
// zero-width space, variation selectors...), so that what is matched is
// what was written. It also refuses a host of more than 253 characters,
// which no name in DNS has.
func checkUnicode(host string) error {
	chars := 0
	for i, r := range host {
		if chars++; chars > maxHostLen {
			// A name in DNS has at most 253 characters; a longer host
			// is refused even if combining marks in it would compose,
			// which bounds the work IDNA is given.
			return errors.New("more than " + strconv.Itoa(maxHostLen) + " characters")
		}
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(host[i:]); size == 1 {
				return errors.New("byte " + quote(host[i:i+1]) + " at offset " + strconv.Itoa(i) + " is not valid UTF-8")
			}
			return errors.New("replacement character U+FFFD at offset " + strconv.Itoa(i))
		case unicode.IsControl(r):
			return errors.New("control character " + strconv.QuoteRune(r) + " at offset " + strconv.Itoa(i))
		case idnaIgnored(r):
			return errors.New("character " + strconv.QuoteRune(r) + " at offset " + strconv.Itoa(i) + " would be dropped by IDNA")
		}
	}
	return nil
}

// idnaIgnored reports whether the UTS 46 mapping deletes r. The ranges are
// the "ignored" entries of the IDNA mapping table; a test walks every code
// point through the mapping in use and checks that these are exactly the
// ones it drops.
func idnaIgnored(r rune) bool {
	switch {
	case r < 0xAD:
		return false
	case r == 0x00AD, r == 0x034F, 0x180B <= r && r <= 0x180D, r == 0x180F,
		r == 0x200B, r == 0x2060, r == 0x2064, 0xFE00 <= r && r <= 0xFE0F, r == 0xFEFF,
		0x1BCA0 <= r && r <= 0x1BCA3, 0xE0100 <= r && r <= 0xE01EF:
		return true
	}
	return false
}

// quote quotes s for an error message, cut after its first 64 bytes so that
// an error about a huge input costs little to make and to read.
func quote(s string) string {
	const shown = 64
	if len(s) <= shown {
		return strconv.Quote(s)
	}
	cut := shown
	for cut > shown-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}
