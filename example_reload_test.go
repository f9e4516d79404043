package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/rules"
)

// A block list of domains, read from a file and read again when it is
// edited: a bad edit keeps the last good list and says which line is wrong.
// With dialx.WithInterval(time.Minute) the file would be checked every
// minute, and Close would stop that.
func ExampleNewReloading() {
	dir, err := os.MkdirTemp("", "blocklist")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "blocklist.txt")
	write := func(list string) {
		// A new file renamed over the old one is never read half written.
		if err := os.WriteFile(path+".new", []byte(list), 0o600); err != nil {
			fmt.Println(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			fmt.Println(err)
		}
	}

	blocked := dialx.NewReject(errors.New("blocked"))
	load := func(r io.Reader) (dialx.Dialer, error) {
		table, err := rules.ParseDomains(r)
		if err != nil {
			return nil, err
		}
		return dialx.NewListed(table, blocked, pipeDialer("direct")), nil
	}
	write("ads.example\n")
	blocklist, err := dialx.NewReloading(context.Background(), path, load)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer blocklist.Close()
	dial := func(address string) {
		conn, err := blocklist.Dial("tcp", address)
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Close()
	}
	dial("www.ads.example:443")

	write("ads.example\n||tracker.example^\n")
	if err := blocklist.Reload(); err != nil {
		var bad *rules.Error
		if errors.As(err, &bad) {
			fmt.Println("kept the last good list:", bad.Line, bad.Pattern)
		}
	}
	dial("tracker.example:443")

	write("ads.example\ntracker.example\n")
	if err := blocklist.Reload(); err != nil {
		fmt.Println(err)
	}
	dial("tracker.example:443")
	// Output:
	// dialx: reject tcp www.ads.example:443: blocked
	// kept the last good list: 2 ||tracker.example^
	// direct: dialing tcp tracker.example:443
	// dialx: reject tcp tracker.example:443: blocked
}
