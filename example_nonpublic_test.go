package dialx_test

import (
	"errors"
	"fmt"

	"github.com/dialx/dialx"
)

// An SSRF guard: a Reject rule for every non-public block, then everything
// else dialed directly. Put a Resolve in front of it so that names are
// checked by the addresses they resolve to; here Match shows the decision
// for a few addresses without dialing. IPv4-mapped addresses are judged by
// the IPv4 address they carry; NAT64 addresses are refused whole.
func ExampleNonPublicPrefixes() {
	deny := dialx.NewReject(errors.New("non-public address"))
	var rules []dialx.Rule
	for _, prefix := range dialx.NonPublicPrefixes() {
		rules = append(rules, dialx.Rule{Pattern: prefix.String(), Dialer: deny})
	}
	rules = append(rules, dialx.Rule{Pattern: "*", Dialer: pipeDialer("direct")})
	guard, err := dialx.NewSelective(rules...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, address := range []string{
		"169.254.169.254:80",
		"100.100.100.200:80",
		"[fd00:ec2::254]:80",
		"[::ffff:127.0.0.1]:8080",
		"[64:ff9b::a00:5]:443",
		"[2002:a00:5::1]:443",
		"8.8.8.8:53",
		"[::ffff:8.8.8.8]:53",
		"[2606:4700:4700::1111]:443",
	} {
		rule, _, err := guard.Match(address)
		switch {
		case err != nil:
			fmt.Println(err)
		case rule.Dialer == deny:
			fmt.Printf("%s refused\n", address)
		default:
			fmt.Printf("%s allowed\n", address)
		}
	}
	// Output:
	// 169.254.169.254:80 refused
	// 100.100.100.200:80 refused
	// [fd00:ec2::254]:80 refused
	// [::ffff:127.0.0.1]:8080 refused
	// [64:ff9b::a00:5]:443 refused
	// [2002:a00:5::1]:443 refused
	// 8.8.8.8:53 allowed
	// [::ffff:8.8.8.8]:53 allowed
	// [2606:4700:4700::1111]:443 allowed
}
