package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/stride-pki/stride/internal/api"
	"github.com/stride-pki/stride/internal/config"
	"github.com/stride-pki/stride/internal/pki"
	"github.com/stride-pki/stride/internal/storage"
	"github.com/stride-pki/stride/internal/storage/open"
)

// RunOptions are what cmd/stride-ca hands the composition root.
type RunOptions struct {
	ConfigPath string
	// Base is $STRIDEPATH (or the context's authority folder): relative paths
	// in ca.json resolve against it, as step-ca resolves them against $STEPPATH.
	Base    string
	Secrets Secrets
	// PromptPassword, when set, asks for the intermediate key's password
	// (stdin is a terminal and no password was given).
	PromptPassword func(prompt string) ([]byte, error)
	PIDFile        string
	Version        string
	Log            io.Writer
	// Resolver is --resolver: the DNS server ("host:port") ACME validation
	// asks; "" is the system's.
	Resolver string
	// Ready, when set, is called once the listeners are open.
	Ready func(url string)
}

// tokenPurgeInterval is how often used tokens past their expiry are deleted.
const tokenPurgeInterval = time.Hour

// Run serves the CA of opts.ConfigPath until ctx ends or SIGTERM/SIGINT;
// SIGHUP reloads ca.json atomically (a bad file keeps the running config).
func Run(ctx context.Context, opts RunOptions) error {
	cfg, err := loadConfig(opts.ConfigPath)
	if err != nil {
		return err
	}
	log := NewLogger(opts.Log, cfg.Logger)
	if err := askPassword(cfg, &opts); err != nil {
		return err
	}
	store, err := open.FromConfig(cfg, opts.Base)
	if err != nil {
		return err
	}
	defer store.Close()
	started := time.Now()
	first, err := Build(cfg, opts.Base, opts.Secrets, store, started, log)
	if err != nil {
		return err
	}
	var current atomic.Pointer[CA]
	current.Store(first)
	metrics := api.NewMetrics(time.Now())
	acmeRT := startACME(ctx, cfg, store, opts.Resolver, &current, log)
	apiOpts := func(ca *CA) api.Options {
		o := api.Options{Logger: log, Version: opts.Version, Metrics: metrics, Mounts: acmeRT.mounts(ca)}
		if ca.Config.Logger != nil {
			o.TraceHeader = ca.Config.Logger.TraceHeader
		}
		return o
	}
	tlsCfg, err := serverTLS(ctx, cfg, &current, log)
	if err != nil {
		return err
	}
	rebuild := func(context.Context) (http.Handler, http.Handler, error) {
		next, err := reloadCA(opts, current.Load(), store, log)
		if err != nil {
			return nil, nil, err
		}
		current.Store(next)
		return api.New(next.Authority, apiOpts(next)), nil, nil
	}
	srv, err := New(Options{
		Address: cfg.Address, TLSConfig: tlsCfg, Handler: api.New(first.Authority, apiOpts(first)),
		MetricsAddress: cfg.MetricsAddress, MetricsHandler: metrics.Handler(),
		Rebuild: rebuild, Logger: log, Metrics: metrics, NotifySocket: NotifySocketFromEnv(),
	})
	if err != nil {
		return err
	}
	if opts.PIDFile != "" {
		remove, err := WritePIDFile(opts.PIDFile)
		if err != nil {
			return err
		}
		defer remove()
	}
	url := primaryURL(cfg)
	LogStartup(log, StartupInfo{Version: opts.Version, ConfigPath: opts.ConfigPath, URL: url,
		Roots: first.Authority.Roots(), Address: cfg.Address, Metrics: cfg.MetricsAddress})
	if opts.Ready != nil {
		opts.Ready(url)
	}
	go purgeTokens(ctx, store, log)
	return srv.Serve(ctx)
}

// serverTLS starts the renewer of the CA's own TLS certificate (minted from
// whichever authority is current, so a reload's new intermediate is used at
// the next renewal) and returns the listener's TLS configuration.
func serverTLS(ctx context.Context, cfg *config.CAConfig, current *atomic.Pointer[CA], log *slog.Logger) (*tls.Config, error) {
	renewer, err := NewCertRenewer(ctx, func(context.Context) (*tls.Certificate, error) {
		return current.Load().Authority.ServerCertificate()
	}, log)
	if err != nil {
		return nil, fmt.Errorf("minting the CA's TLS certificate: %w", err)
	}
	go renewer.Run(ctx)
	return TLSConfig(cfg.TLS, renewer.GetCertificate, current.Load().Authority.ClientCAs())
}

func loadConfig(path string) (*config.CAConfig, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// reloadCA builds the next generation from the file on disk with the same
// passwords and store. A changed "db" is refused, as step-ca refuses it: the
// store cannot be swapped under in-flight requests.
func reloadCA(opts RunOptions, cur *CA, store storage.Store, log *slog.Logger) (*CA, error) {
	cfg, err := loadConfig(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(cfg.DB, cur.Config.DB) {
		return nil, errors.New("the \"db\" section changed: restart stride-ca to use another database")
	}
	return Build(cfg, opts.Base, opts.Secrets, store, cur.Started, log)
}

// purgeTokens deletes used tokens a minute after they expired (the leeway
// within which they could still be presented), every tokenPurgeInterval.
func purgeTokens(ctx context.Context, store storage.Store, log *slog.Logger) {
	t := time.NewTicker(tokenPurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := store.PurgeTokens(ctx, time.Now().Add(-time.Minute))
			if err != nil {
				log.Warn("purging used tokens", "error", err)
			} else if n > 0 {
				log.Info("purged used tokens", "count", n)
			}
		}
	}
}

func primaryURL(cfg *config.CAConfig) string {
	names := cfg.DNSNames
	if len(names) == 0 {
		names = config.DefaultDNSNames()
	}
	return pki.CAURL(names[0], cfg.Address)
}

// CheckConfig loads and validates a ca.json (`stride-ca --check`).
func CheckConfig(path string) (*config.CAConfig, error) { return loadConfig(path) }
