package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRunNamesTheRuleEachAddressTakes(t *testing.T) {
	rules, err := os.ReadFile("testdata/rules.txt")
	require.NoError(t, err)
	addresses, err := os.Open("testdata/addresses.txt")
	require.NoError(t, err)
	defer addresses.Close()
	var out bytes.Buffer
	require.NoError(t, run(rules, addresses, &out))
	assert.Equal(t, strings.Join([]string{
		"cdn.ads.example:443\trule 0 \".ads.example\" (line 2) -> block",
		"ADS.EXAMPLE.:80\trule 0 \".ads.example\" (line 2) -> block",
		"10.1.2.3:22\trule 1 \"10.0.0.0/8:22\" (line 3) -> vpn",
		"[::ffff:10.1.2.3]:80\trule 2 \"10.0.0.0/8\" (line 4) -> block",
		"wiki.corp.example:80\trule 4 \".corp.example\" (line 6) -> vpn",
		"www.example.org:443\trule 5 \"*:443\" (line 7) -> direct",
		"www.example.org:80\tno rule matches",
		"127.1:443\tdialx: invalid address: host \"127.1\" ends in a number but is not a dotted-quad IPv4 address",
	}, "\n")+"\n", out.String())
}

func TestRunRefusesABadRulesFile(t *testing.T) {
	err := run([]byte("example.com:nope direct\n"), strings.NewReader(""), &bytes.Buffer{})
	assert.ErrorContains(t, err, `dialx: line 1: pattern "example.com:nope"`)
}
