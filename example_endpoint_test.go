package dialx_test

import (
	"fmt"

	"github.com/dialx/dialx"
)

// Failover between database replicas: each Endpoint dials its replica
// whatever address the driver asks for, and Consecutive tries them in
// order. The routes here are stand-ins for a *net.Dialer.
func ExampleNewEndpoint() {
	d := dialx.NewConsecutive(
		dialx.NewEndpoint(downDialer("primary"), "db1.internal:5432"),
		dialx.NewEndpoint(pipeDialer("replica"), "db2.internal:5432"),
	)
	conn, err := d.Dial("tcp", "db.internal:5432") // what a driver's DialFunc gets
	if err != nil {
		fmt.Println(err)
		return
	}
	conn.Close()
	// Output:
	// primary: dialing tcp db1.internal:5432
	// replica: dialing tcp db2.internal:5432
}
