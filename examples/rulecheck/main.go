// Command rulecheck tells, for each address, which rule of a rules file a
// dialx.Selective would route it through, without dialing anything, so that
// a rule list can be tested before it is deployed:
//
//	cd examples && go run ./rulecheck -rules rulecheck/testdata/rules.txt rulecheck/testdata/addresses.txt
//
// The rules file has the format of dialx.ParseRules; the dialer names in it
// are only printed. Addresses are read one a line (host:port) from the files
// named as arguments, or from standard input.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dialx/dialx"
)

func main() {
	rulesPath := flag.String("rules", "", "rules file (PATTERN DIALER-NAME lines)")
	flag.Parse()
	if *rulesPath == "" {
		fmt.Fprintln(os.Stderr, "usage: rulecheck -rules FILE [ADDRESS-FILE...]")
		os.Exit(2)
	}
	rules, err := os.ReadFile(*rulesPath)
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
	if err := run(rules, addresses, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rulecheck:", err)
		os.Exit(1)
	}
}

// named stands for a dialer of the rules file; it is never dialed.
type named struct{ dialx.Dialer }

// run prints one decision per address: the rule's line in the list, its
// pattern and dialer name, or why there is none.
func run(rules []byte, addresses io.Reader, out io.Writer) error {
	dialers := map[string]dialx.Dialer{}
	names := map[dialx.Dialer]string{}
	for _, line := range strings.Split(string(rules), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if fields := strings.Fields(line); len(fields) == 2 && dialers[fields[1]] == nil {
			d := &named{Dialer: dialx.NewReject(nil)}
			dialers[fields[1]], names[d] = d, fields[1]
		}
	}
	list, err := dialx.ParseRules(bytes.NewReader(rules), dialers)
	if err != nil {
		return err
	}
	selective, err := dialx.NewSelective(list...)
	if err != nil {
		return err
	}
	scanner := bufio.NewScanner(addresses)
	for scanner.Scan() {
		address := strings.TrimSpace(scanner.Text())
		if address == "" || strings.HasPrefix(address, "#") {
			continue
		}
		rule, i, err := selective.Match(address)
		switch {
		case errors.Is(err, dialx.ErrNoMatch):
			fmt.Fprintf(out, "%s\tno rule matches\n", address)
		case err != nil:
			fmt.Fprintf(out, "%s\t%v\n", address, err)
		default:
			fmt.Fprintf(out, "%s\trule %d %q -> %s\n", address, i, rule.Pattern, names[rule.Dialer])
		}
	}
	return scanner.Err()
}
