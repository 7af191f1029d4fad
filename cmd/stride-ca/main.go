// Command stride-ca is Stride's online certificate authority.
//
// Until the server lands (issue 3) it validates a ca.json: `stride-ca --check
// [ca.json]` loads and validates the file like `nginx -t`, naming the file,
// line and field of any problem.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stride-pki/stride/internal/config"
)

func main() {
	fs := flag.NewFlagSet("stride-ca", flag.ContinueOnError)
	check := fs.Bool("check", false, "validate ca.json and exit")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	path := fs.Arg(0)
	if path == "" {
		path = filepath.Join(basePath(), "config", config.CAConfigName)
	}
	cfg, err := config.Load(path)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stride-ca: "+err.Error())
		os.Exit(1)
	}
	if *check {
		fmt.Printf("%s is valid\n", path)
		return
	}
	fmt.Fprintln(os.Stderr, "stride-ca: the online CA is not built yet; `stride-ca --check` validates a ca.json")
	os.Exit(1)
}

func basePath() string {
	if p := os.Getenv("STRIDEPATH"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".stride")
}
