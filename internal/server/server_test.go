package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stride-pki/stride/internal/api"
	"github.com/stride-pki/stride/internal/config"
)

// fixture is a Server on 127.0.0.1:0 serving TLS with a certificate from
// ca, accepting client certificates from clientCA.
type fixture struct {
	srv     *Server
	ca      *testCA
	client  *testCA
	cancel  context.CancelFunc
	done    chan error
	baseURL string
}

func start(t *testing.T, h http.Handler, mod func(*Options)) *fixture {
	t.Helper()
	ca, clientCA := newCA(t, "Server CA"), newCA(t, "Client CA")
	leaf := ca.issue(t, "server", time.Hour)
	tc, err := TLSConfig(nil, func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return leaf, nil }, clientCA.pool)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Address: "127.0.0.1:0", TLSConfig: tc, Handler: h}
	if mod != nil {
		mod(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &fixture{srv: srv, ca: ca, client: clientCA, cancel: cancel, done: make(chan error, 1),
		baseURL: "https://" + srv.Addr("https").String()}
	go func() { f.done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-f.done:
		case <-time.After(30 * time.Second):
			t.Error("server did not stop")
		}
	})
	return f
}

// httpClient trusts the server CA and presents cert when not nil.
func (f *fixture) httpClient(cert *tls.Certificate) *http.Client {
	tc := &tls.Config{RootCAs: f.ca.pool}
	if cert != nil {
		tc.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc, MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, url string) (int, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func text(s string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, s) })
}

func TestServeTLSWithoutSNI(t *testing.T) {
	f := start(t, text("hello"), nil)
	// An IP URL sends no SNI: GetCertificate must still answer.
	status, body, err := get(t, f.httpClient(nil), f.baseURL+"/")
	if err != nil || status != 200 || body != "hello" {
		t.Fatalf("%d %q %v", status, body, err)
	}
	// TLS 1.1 is refused by step's default minimum.
	_, err = tls.Dial("tcp", f.srv.Addr("https").String(), &tls.Config{RootCAs: f.ca.pool, MaxVersion: tls.VersionTLS11})
	if err == nil {
		t.Error("TLS 1.1 handshake succeeded")
	}
}

func TestClientCertificateIfGiven(t *testing.T) {
	peers := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			io.WriteString(w, "none")
			return
		}
		io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	})
	f := start(t, peers, nil)
	if _, body, err := get(t, f.httpClient(nil), f.baseURL); err != nil || body != "none" {
		t.Errorf("without a client cert: %q %v", body, err)
	}
	good := f.client.issue(t, "alice", time.Hour)
	if _, body, err := get(t, f.httpClient(good), f.baseURL); err != nil || body != "alice" {
		t.Errorf("with a client cert: %q %v", body, err)
	}
	// Go clients only send a certificate the server's CA list names, so
	// force one from another CA onto the handshake.
	stranger := newCA(t, "Other CA").issue(t, "mallory", time.Hour)
	c := f.httpClient(nil)
	c.Transport.(*http.Transport).TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return stranger, nil
	}
	if _, body, err := get(t, c, f.baseURL); err == nil {
		t.Errorf("a client cert from an unknown CA was accepted: %q", body)
	}
}

// TestReloadUnderLoad swaps the handler 50 times while requests run: none
// may fail, and the last handler must win.
func TestReloadUnderLoad(t *testing.T) {
	f := start(t, text("v0"), nil)
	c := f.httpClient(nil)
	var failures, total atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, body, err := get(t, c, f.baseURL)
				total.Add(1)
				if err != nil || status != 200 || !strings.HasPrefix(body, "v") {
					failures.Add(1)
				}
			}
		}()
	}
	for i := 1; i <= 50; i++ {
		f.srv.Reload(text(fmt.Sprintf("v%d", i)))
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 || total.Load() < 50 {
		t.Fatalf("%d failures in %d requests", failures.Load(), total.Load())
	}
	if _, body, _ := get(t, c, f.baseURL); body != "v50" {
		t.Errorf("after reloads: %q", body)
	}
	// Spare connections the transport dialled but never used would hold
	// Shutdown for net/http's 5 s grace on new connections.
	c.CloseIdleConnections()
}

func TestGracefulShutdownDrains(t *testing.T) {
	entered := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		time.Sleep(500 * time.Millisecond)
		io.WriteString(w, "finished")
	})
	f := start(t, slow, nil)
	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		_, body, err := get(t, f.httpClient(nil), f.baseURL)
		res <- result{body, err}
	}()
	<-entered
	f.cancel() // as SIGTERM would
	r := <-res
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if err := <-f.done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	f.done <- nil // for the cleanup
	if _, err := net.DialTimeout("tcp", f.srv.Addr("https").String(), time.Second); err == nil {
		t.Error("still accepting after shutdown")
	}
}

func TestShutdownDeadline(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	stuck := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(entered)
		<-release
	})
	f := start(t, stuck, func(o *Options) { o.ShutdownTimeout = 200 * time.Millisecond })
	go get(t, f.httpClient(nil), f.baseURL)
	<-entered
	f.cancel()
	select {
	case err := <-f.done:
		if err == nil || !strings.Contains(err.Error(), "still running") {
			t.Errorf("Serve: %v", err)
		}
		f.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return at the deadline")
	}
}

func TestListenerErrors(t *testing.T) {
	f := start(t, text("x"), nil)
	tc, _ := TLSConfig(nil, nil, nil)
	_, err := New(Options{Address: f.srv.Addr("https").String(), TLSConfig: tc, Handler: text("y")})
	if err == nil || !strings.Contains(err.Error(), f.srv.Addr("https").String()) {
		t.Errorf("port in use: %v", err)
	}
	if _, err := New(Options{Address: "127.0.0.1:0", TLSConfig: tc, Handler: text("y"), InsecureAddress: "127.0.0.1:0"}); err == nil {
		t.Error("insecureAddress without routes accepted")
	}
}

func TestInsecureAndMetricsListeners(t *testing.T) {
	m := api.NewMetrics(time.Now())
	f := start(t, text("tls"), func(o *Options) {
		o.InsecureAddress, o.InsecureHandler = "127.0.0.1:0", text("plain")
		o.MetricsAddress, o.MetricsHandler = "127.0.0.1:0", m.Handler()
	})
	_, body, err := get(t, http.DefaultClient, "http://"+f.srv.Addr("http").String()+"/crl")
	if err != nil || body != "plain" {
		t.Errorf("insecure: %q %v", body, err)
	}
	f.srv.ReloadInsecure(text("plain2"))
	if _, body, _ := get(t, http.DefaultClient, "http://"+f.srv.Addr("http").String()+"/crl"); body != "plain2" {
		t.Errorf("insecure after reload: %q", body)
	}
	_, body, err = get(t, http.DefaultClient, "http://"+f.srv.Addr("metrics").String()+"/metrics")
	if err != nil || !strings.Contains(body, "step_ca_uptime_seconds") {
		t.Errorf("metrics: %v", err)
	}
}

// listenNotify opens a unixgram socket standing in for systemd's.
func listenNotify(t *testing.T) (string, *net.UnixConn) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return path, conn
}

func readDatagram(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	if err := Notify("", NotifyReady); err != nil {
		t.Errorf("no socket: %v", err)
	}
	path, conn := listenNotify(t)
	if err := Notify(path, NotifyReady); err != nil {
		t.Fatal(err)
	}
	if got := readDatagram(t, conn); got != "READY=1" {
		t.Errorf("got %q", got)
	}
	r := NotifyReloading()
	if !strings.HasPrefix(r, "RELOADING=1\nMONOTONIC_USEC=") || strings.HasSuffix(r, "=0") {
		t.Errorf("reloading state %q", r)
	}
	if err := Notify(filepath.Join(t.TempDir(), "absent"), NotifyReady); err == nil {
		t.Error("no error for a missing socket")
	}
}

// TestServeNotifiesAndReloads runs the whole lifecycle: READY, a SIGHUP
// that fails (old handler kept, counted), one that succeeds, STOPPING.
func TestServeNotifiesAndReloads(t *testing.T) {
	path, conn := listenNotify(t)
	m := api.NewMetrics(time.Now())
	var calls atomic.Int32
	rebuild := func(context.Context) (http.Handler, http.Handler, error) {
		if calls.Add(1) == 1 {
			return nil, nil, fmt.Errorf("ca.json: bad")
		}
		return text("rebuilt"), nil, nil
	}
	f := start(t, text("orig"), func(o *Options) { o.NotifySocket, o.Rebuild, o.Metrics = path, rebuild, m })
	if got := readDatagram(t, conn); got != NotifyReady {
		t.Fatalf("first state %q", got)
	}
	c := f.httpClient(nil)
	for i, want := range []string{"orig", "rebuilt"} {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if got := readDatagram(t, conn); !strings.HasPrefix(got, "RELOADING=1\nMONOTONIC_USEC=") {
			t.Fatalf("reload %d: %q", i, got)
		}
		if got := readDatagram(t, conn); got != NotifyReady {
			t.Fatalf("after reload %d: %q", i, got)
		}
		if _, body, err := get(t, c, f.baseURL); body != want {
			t.Errorf("after reload %d: %q %v", i, body, err)
		}
	}
	f.cancel()
	if got := readDatagram(t, conn); got != NotifyStopping {
		t.Errorf("on stop: %q", got)
	}
}

func TestTLSConfig(t *testing.T) {
	cases := []struct {
		name    string
		cfg     *config.TLS
		min     uint16
		max     uint16
		suites  int
		wantErr string
	}{
		{"defaults", nil, tls.VersionTLS12, tls.VersionTLS13, 2, ""},
		{"zero members", &config.TLS{}, tls.VersionTLS12, tls.VersionTLS13, 2, ""},
		{"explicit", &config.TLS{MinVersion: 1.3, MaxVersion: 1.3, CipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}, tls.VersionTLS13, tls.VersionTLS13, 1, ""},
		{"old", &config.TLS{MinVersion: 1.0, MaxVersion: 1.1}, tls.VersionTLS10, tls.VersionTLS11, 2, ""},
		{"unknown suite", &config.TLS{CipherSuites: []string{"TLS_NOPE"}}, 0, 0, 0, `unknown cipher suite "TLS_NOPE"`},
		{"bad version", &config.TLS{MinVersion: 1.4}, 0, 0, 0, "unsupported version 1.4"},
		{"min above max", &config.TLS{MinVersion: 1.3, MaxVersion: 1.2}, 0, 0, 0, "above"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := TLSConfig(tc.cfg, nil, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.MinVersion != tc.min || c.MaxVersion != tc.max || len(c.CipherSuites) != tc.suites ||
				c.ClientAuth != tls.VerifyClientCertIfGiven || len(c.Certificates) != 0 {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
}

func TestWritePIDFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stride.pid")
	remove, err := WritePIDFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != fmt.Sprintf("%d\n", os.Getpid()) {
		t.Errorf("pid file %q", b)
	}
	if err := remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("pid file not removed")
	}
	if _, err := WritePIDFile(filepath.Join(t.TempDir(), "no", "dir", "x.pid")); err == nil {
		t.Error("no error for a missing directory")
	}
}
