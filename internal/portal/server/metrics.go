package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

type metrics struct {
	signins  *prometheus.CounterVec
	links    *prometheus.CounterVec
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	streams  prometheus.Gauge
	limited  *prometheus.CounterVec
	capped   *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, st *store.Store) *metrics {
	m := &metrics{
		signins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cpx_portal_signins_total",
			Help: "Sign-ins by method, result (ok, refused) and error code."}, []string{"method", "result", "code"}),
		links: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cpx_portal_phone_links_total",
			Help: "Desk phone link attempts by result."}, []string{"result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cpx_portal_http_requests_total",
			Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cpx_portal_http_request_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cpx_portal_event_streams",
			Help: "Open session event streams."}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cpx_portal_rate_limited_total",
			Help: "Requests refused by the per-address rate limit, by route."}, []string{"route"}),
		capped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cpx_portal_codes_capped_total",
			Help: "Codes not sent because the account reached its hourly cap, by flow."}, []string{"flow"}),
	}
	open := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cpx_portal_sessions_open",
		Help: "Sessions not ended (read from the database at scrape)."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := st.CountOpenSessions(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	reg.MustRegister(m.signins, m.links, m.requests, m.latency, m.streams, m.limited, m.capped, open,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (m *metrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}
