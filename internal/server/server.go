// Package server is Stride's composition root and HTTP edge: it owns the
// listeners (HTTPS on "address", optional plain HTTP on "insecureAddress"
// and metrics on "metricsAddress"), TLS, hot reload and graceful shutdown.
// Building the authority from ca.json lives beside this, in its own files;
// what is here is generic: it serves whatever handlers it is given.
//
// Reload keeps one listener and one http.Server and swaps the handler
// behind an atomic pointer, so nothing is closed and no queued connection
// is dropped (security.md §4.4); the TLS certificate is likewise served
// through GetCertificate (see CertRenewer).
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stride-pki/stride/internal/api"
)

// step-ca's HTTP timeouts (reference §14.9), and the shutdown deadline:
// long enough for a slow signature, short of systemd's 90 s stop timeout.
const (
	DefaultTimeout         = 15 * time.Second
	DefaultShutdownTimeout = 25 * time.Second
)

// Options configure a Server. TLSConfig and Handler are required; each
// optional listener needs its address and handler.
type Options struct {
	Address   string      // HTTPS, ca.json "address"
	TLSConfig *tls.Config // from TLSConfig
	Handler   http.Handler

	InsecureAddress string       // plain HTTP (CRL, SCEP); "" for none
	InsecureHandler http.Handler // wrap with api.Wrap for request ids and logs

	MetricsAddress string // Prometheus; "" for none
	MetricsHandler http.Handler

	// Rebuild is called on SIGHUP: it re-reads the configuration and returns
	// the new HTTPS and insecure handlers (insecure may be nil to keep the
	// current one). On error the old handlers keep serving. nil ignores SIGHUP.
	Rebuild func(ctx context.Context) (https, insecure http.Handler, err error)

	Logger          *slog.Logger
	Metrics         *api.Metrics  // counts refused reloads; may be nil
	NotifySocket    string        // $NOTIFY_SOCKET (NotifySocketFromEnv); "" for none
	ShutdownTimeout time.Duration // 0 means DefaultShutdownTimeout
	Timeout         time.Duration // read, read-header, write, idle; 0 means DefaultTimeout
}

// Server serves the CA's listeners until its context ends or it receives
// SIGINT/SIGTERM.
type Server struct {
	opts      Options
	log       *slog.Logger
	https     atomic.Pointer[http.Handler]
	insecure  atomic.Pointer[http.Handler]
	listeners []*listener
}

// listener is one socket and the http.Server answering on it.
type listener struct {
	name string
	ln   net.Listener
	srv  *http.Server
	tls  bool
}

// New opens the listeners, so a port in use fails here, before anything
// is served and with the address in the message.
func New(opts Options) (*Server, error) {
	if opts.Handler == nil || opts.TLSConfig == nil {
		return nil, errors.New("server: Handler and TLSConfig are required")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	s := &Server{opts: opts, log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.https.Store(&opts.Handler)
	if err := s.add("https", opts.Address, swapper(&s.https), opts.TLSConfig); err != nil {
		return nil, err
	}
	if opts.InsecureAddress != "" {
		if opts.InsecureHandler == nil {
			s.closeAll()
			return nil, errors.New("server: insecureAddress is set but there are no plain-HTTP routes")
		}
		s.insecure.Store(&opts.InsecureHandler)
		if err := s.add("http", opts.InsecureAddress, swapper(&s.insecure), nil); err != nil {
			return nil, err
		}
	}
	if opts.MetricsAddress != "" && opts.MetricsHandler != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", opts.MetricsHandler)
		if err := s.add("metrics", opts.MetricsAddress, mux, nil); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// handlerBudget is how long a handler may work: two thirds of the request
// timeout, so that a core stuck on a database that stopped answering gives
// up (context.DeadlineExceeded, answered 503) while there is still time to
// write the answer, instead of the write timeout dropping the connection.
func handlerBudget(timeout time.Duration) time.Duration { return timeout * 2 / 3 }

// withDeadline bounds every request's context by budget.
func withDeadline(h http.Handler, budget time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), budget)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// swapper serves through whatever handler p points to at request time.
func swapper(p *atomic.Pointer[http.Handler]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*p.Load()).ServeHTTP(w, r)
	})
}

func (s *Server) add(name, addr string, h http.Handler, tc *tls.Config) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.closeAll()
		return fmt.Errorf("listening for %s on %s: %w", name, addr, err)
	}
	t := s.opts.Timeout
	srv := &http.Server{
		Handler:           withDeadline(h, handlerBudget(t)),
		TLSConfig:         tc,
		ReadTimeout:       t,
		ReadHeaderTimeout: t,
		WriteTimeout:      t,
		IdleTimeout:       t,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.listeners = append(s.listeners, &listener{name: name, ln: ln, srv: srv, tls: tc != nil})
	return nil
}

func (s *Server) closeAll() {
	for _, l := range s.listeners {
		l.ln.Close()
	}
}

// Addr returns the bound address of a listener ("https", "http",
// "metrics"), nil if there is none; useful with port 0.
func (s *Server) Addr(name string) net.Addr {
	for _, l := range s.listeners {
		if l.name == name {
			return l.ln.Addr()
		}
	}
	return nil
}

// Reload swaps the HTTPS handler: requests already running finish on the
// old one, new requests get h. Nothing is closed. Safe for concurrent use.
func (s *Server) Reload(h http.Handler) { s.https.Store(&h) }

// ReloadInsecure swaps the plain-HTTP handler likewise (no-op without that
// listener).
func (s *Server) ReloadInsecure(h http.Handler) {
	if s.insecure.Load() != nil {
		s.insecure.Store(&h)
	}
}

// Notify sends an sd_notify state; failures are logged, never fatal (the
// CA serves whether or not systemd hears of it).
func (s *Server) Notify(state string) {
	if err := Notify(s.opts.NotifySocket, state); err != nil {
		s.log.Warn("sd_notify failed", "error", err)
	}
}

// Serve serves every listener until ctx is done, SIGINT or SIGTERM
// arrives, or a listener fails; then it stops accepting, lets in-flight
// requests finish within ShutdownTimeout, and returns. SIGHUP calls
// Rebuild. It returns nil after a clean stop.
func (s *Server) Serve(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	if s.opts.Rebuild != nil {
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	errc := make(chan error, len(s.listeners))
	var wg sync.WaitGroup
	for _, l := range s.listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- l.serve()
		}()
	}
	s.Notify(NotifyReady)
	var failure error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-errc:
			failure = err
			break loop
		case <-hup:
			s.reload(ctx)
		}
	}
	err := s.shutdown()
	wg.Wait()
	return errors.Join(failure, err)
}

func (l *listener) serve() error {
	var err error
	if l.tls {
		err = l.srv.ServeTLS(l.ln, "", "")
	} else {
		err = l.srv.Serve(l.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("%s listener on %s: %w", l.name, l.ln.Addr(), err)
}

// shutdown stops every listener at once, waiting for in-flight requests up
// to the deadline, then closes what is left.
func (s *Server) shutdown() error {
	s.Notify(NotifyStopping)
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	errs := make([]error, len(s.listeners))
	var wg sync.WaitGroup
	for i, l := range s.listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.srv.Shutdown(ctx); err != nil {
				l.srv.Close()
				errs[i] = fmt.Errorf("%s listener: requests still running after %v: %w", l.name, s.opts.ShutdownTimeout, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// reload rebuilds the handlers (SIGHUP). A failure keeps the old ones
// serving, logs one actionable line and counts it.
func (s *Server) reload(ctx context.Context) {
	s.Notify(NotifyReloading())
	defer s.Notify(NotifyReady)
	https, insecure, err := s.opts.Rebuild(ctx)
	if err != nil {
		s.opts.Metrics.ReloadFailed()
		s.log.Error("reload refused; the previous configuration keeps serving", "error", err)
		return
	}
	s.Reload(https)
	if insecure != nil {
		s.ReloadInsecure(insecure)
	}
	s.log.Info("configuration reloaded")
}
