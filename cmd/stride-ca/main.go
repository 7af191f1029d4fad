// Command stride-ca is Stride's online certificate authority.
//
// The server lands with the online-CA issue; until then this main only reports that.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "stride-ca: the online CA is not built yet; use `stride ca init` and `stride certificate create` for an offline PKI")
	os.Exit(1)
}
