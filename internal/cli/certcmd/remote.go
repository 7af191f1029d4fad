package certcmd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// remoteFlags are step's flags for commands that accept https://host[:port]
// in place of a file.
type remoteFlags struct {
	roots      string
	insecure   bool
	serverName string
}

func (r *remoteFlags) register(cmd *cobra.Command, withInsecure bool) {
	cmd.Flags().StringVar(&r.roots, "roots", "", "root certificate(s) to trust for a remote server: a file, a comma-separated list of files, or a directory")
	cmd.Flags().StringVar(&r.serverName, "servername", "", "TLS Server Name Indication to send to a remote server")
	if withInsecure {
		cmd.Flags().BoolVar(&r.insecure, "insecure", false, "do not verify a remote server's certificate")
	}
}

// isURL reports whether arg names a remote server rather than a file. Like
// step, only an https:// prefix selects the network.
func isURL(arg string) bool {
	return strings.HasPrefix(strings.ToLower(arg), "https://")
}

// dialTimeout bounds how long a remote inspection may wait.
const dialTimeout = 15 * time.Second

// fetchPeerCerts connects to an https:// URL and returns the chain the server
// sent, verified against --roots (or the system pool) unless --insecure.
func fetchPeerCerts(ctx context.Context, rawURL string, r remoteFlags) ([]*x509.Certificate, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid URL %q", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	conf := &tls.Config{ServerName: u.Hostname(), InsecureSkipVerify: r.insecure} //nolint:gosec // --insecure is the user's explicit choice
	if r.serverName != "" {
		conf.ServerName = r.serverName
	}
	if r.roots != "" {
		pool, err := loadRoots(r.roots)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	d := tls.Dialer{Config: conf}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", addr, err)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, errors.New(addr + " sent no certificate")
	}
	return certs, nil
}

// loadArg reads a FILE or an https:// URL argument.
func loadArg(cmd *cobra.Command, arg string, r remoteFlags) (*input, error) {
	if isURL(arg) {
		certs, err := fetchPeerCerts(ctxOf(cmd), arg, r)
		if err != nil {
			return nil, err
		}
		return &input{name: arg, certs: certs}, nil
	}
	return readInput(arg)
}
