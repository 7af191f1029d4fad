package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the CA's Prometheus metrics, with step-ca's names where step
// has one (reference §10.3) so existing dashboards keep working. One value
// lives for the whole process, across reloads. A nil *Metrics is valid and
// records nothing.
type Metrics struct {
	reg            *prometheus.Registry
	signed         *prometheus.CounterVec
	renewed        *prometheus.CounterVec
	rekeyed        *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	reloadFailures prometheus.Counter
}

// NewMetrics registers the metrics in a registry of their own (plus the Go
// runtime and process collectors); start is when the CA started, for
// step_ca_uptime_seconds.
func NewMetrics(start time.Time) *Metrics {
	reg := prometheus.NewRegistry()
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"provisioner", "success"})
	}
	m := &Metrics{
		reg:     reg,
		signed:  counter("step_ca_x509_signed_total", "X.509 certificates signed, by provisioner and outcome."),
		renewed: counter("step_ca_x509_renewed_total", "X.509 certificates renewed, by provisioner and outcome."),
		rekeyed: counter("step_ca_x509_rekeyed_total", "X.509 certificates rekeyed, by provisioner and outcome."),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stride_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "status"}),
		reloadFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stride_config_reload_failures_total",
			Help: "Reloads (SIGHUP) refused because the new configuration could not be loaded; the old one keeps serving.",
		}),
	}
	uptime := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "step_ca_uptime_seconds",
		Help: "Seconds since the CA started.",
	}, func() float64 { return time.Since(start).Seconds() })
	reg.MustRegister(m.signed, m.renewed, m.rekeyed, m.latency, m.reloadFailures, uptime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registerer lets other parts of the CA (KMS, webhooks, ACME) add their
// metrics to the same /metrics page.
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// Handler serves the Prometheus exposition format (mounted at /metrics on
// the metricsAddress listener).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// X509Signed, X509Renewed and X509Rekeyed count one outcome. provisioner is
// "" when the request failed before a provisioner was known.
func (m *Metrics) X509Signed(provisioner string, ok bool) {
	if m != nil {
		count(m.signed, provisioner, ok)
	}
}

func (m *Metrics) X509Renewed(provisioner string, ok bool) {
	if m != nil {
		count(m.renewed, provisioner, ok)
	}
}

func (m *Metrics) X509Rekeyed(provisioner string, ok bool) {
	if m != nil {
		count(m.rekeyed, provisioner, ok)
	}
}

// ReloadFailed counts a refused reload (security.md §4.4).
func (m *Metrics) ReloadFailed() {
	if m != nil {
		m.reloadFailures.Inc()
	}
}

func count(v *prometheus.CounterVec, provisioner string, ok bool) {
	v.WithLabelValues(provisioner, strconv.FormatBool(ok)).Inc()
}

func (m *Metrics) observeRequest(route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched" // 404s of unknown paths: one series, not one per path
	}
	if status == 0 {
		status = http.StatusOK
	}
	m.latency.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
}
