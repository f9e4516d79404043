// Command rulecheck tells, for each address, which rule of a rules file
// matches it (the rule a dialx.Selective built from the file would route it
// through), without dialing anything, so that a rule list can be tested
// before it is deployed:
//
//	cd examples && go run ./rulecheck -rules rulecheck/testdata/rules.txt rulecheck/testdata/addresses.txt
//
// The rules file has the format of rules.Parse; its targets, the dialer
// names of dialx.ParseRules, are only printed. Addresses are read one a line
// (host:port) from the files named as arguments, or from standard input.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dialx/dialx/rules"
)

func main() {
	rulesPath := flag.String("rules", "", "rules file (PATTERN TARGET lines)")
	flag.Parse()
	if *rulesPath == "" {
		fmt.Fprintln(os.Stderr, "usage: rulecheck -rules FILE [ADDRESS-FILE...]")
		os.Exit(2)
	}
	file, err := os.ReadFile(*rulesPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rulecheck:", err)
		os.Exit(1)
	}
	var addresses io.Reader = os.Stdin
	if flag.NArg() > 0 {
		var readers []io.Reader
		for _, name := range flag.Args() {
			data, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, "rulecheck:", err)
				os.Exit(1)
			}
			readers = append(readers, bytes.NewReader(data))
		}
		addresses = io.MultiReader(readers...)
	}
	if err := run(file, addresses, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rulecheck:", err)
		os.Exit(1)
	}
}

// run prints one decision per address: the matching rule's index, pattern,
// line and target, or why there is none.
func run(file []byte, addresses io.Reader, out io.Writer) error {
	table, err := rules.Parse(bytes.NewReader(file))
	if err != nil {
		return err
	}
	scanner := bufio.NewScanner(addresses)
	for scanner.Scan() {
		address := strings.TrimSpace(scanner.Text())
		if address == "" || strings.HasPrefix(address, "#") {
			continue
		}
		i, _, err := table.Match(address)
		switch {
		case err != nil:
			fmt.Fprintf(out, "%s\t%v\n", address, err)
		case i < 0:
			fmt.Fprintf(out, "%s\tno rule matches\n", address)
		default:
			pattern, target, line := table.Rule(i)
			fmt.Fprintf(out, "%s\trule %d %q (line %d) -> %s\n", address, i, pattern, line, target)
		}
	}
	return scanner.Err()
}
