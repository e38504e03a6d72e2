package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WebhookStats are a webhooks service's counters since it started (webhooks.Stats).
type WebhookStats struct {
	Enqueued, Succeeded, Retrying, Failed, Canceled, Refused, Disabled, InFlight int64
}

// WebhookSource is what the webhooks collector reads; cmd/tradehub adapts the webhooks service.
type WebhookSource struct {
	// Stats returns the process's counters; it is called on every scrape and must be cheap.
	Stats func() WebhookStats
	// QueueDepth counts the pending deliveries and those due now, in the store.
	QueueDepth func(ctx context.Context) (pending, due int64, err error)
}

const (
	// queueDepthEvery is how often a scrape may count the queue in the store; scrapes in
	// between report the last count. Two counts every few seconds, whatever the scrape rate.
	queueDepthEvery = 5 * time.Second
	// queueDepthTimeout bounds the counts, so that a slow store does not hold a scrape.
	queueDepthTimeout = 2 * time.Second
)

// RegisterWebhooks adds the webhook counters and the queue gauges, read from src at each scrape.
func (m *Metrics) RegisterWebhooks(src WebhookSource) {
	m.reg.MustRegister(&webhookCollector{src: src})
}

type webhookCollector struct {
	src WebhookSource

	mu       sync.Mutex
	at       time.Time // when the queue was last counted
	ok       bool      // whether that count succeeded
	pending  int64
	due      int64
	failures float64
}

var (
	descEnqueued = prometheus.NewDesc("tradehub_webhook_deliveries_enqueued_total",
		"Webhook deliveries queued by this process's dispatcher.", nil, nil)
	descAttempts = prometheus.NewDesc("tradehub_webhook_attempts_total",
		"Webhook attempts finished by this process, by outcome: succeeded (2xx), retrying (failed, retry scheduled), failed (failed, retries exhausted), canceled (not sent: the subscription is paused, disabled or deleted).",
		[]string{"outcome"}, nil)
	descRefused = prometheus.NewDesc("tradehub_webhook_attempts_refused_total",
		"Failed webhook attempts whose target address the production guard refused (also counted as retrying or failed).", nil, nil)
	descDisabled = prometheus.NewDesc("tradehub_webhook_subscriptions_disabled_total",
		"Webhook subscriptions this process disabled after a day of failures.", nil, nil)
	descInFlight = prometheus.NewDesc("tradehub_webhook_attempts_in_flight",
		"Webhook attempts being made by this process now.", nil, nil)
	descPending = prometheus.NewDesc("tradehub_webhook_queue_pending",
		"Pending webhook deliveries in the store, due or waiting for a retry, across processes.", nil, nil)
	descDue = prometheus.NewDesc("tradehub_webhook_queue_due",
		"Pending webhook deliveries due now, across processes (a backlog when it stays high).", nil, nil)
	descQueueErrors = prometheus.NewDesc("tradehub_webhook_queue_count_errors_total",
		"Failed counts of the webhook queue (the queue gauges are missing from a scrape whose count failed).", nil, nil)
)

func (c *webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEnqueued, descAttempts, descRefused, descDisabled, descInFlight, descPending, descDue, descQueueErrors} {
		ch <- d
	}
}

func (c *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Stats()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(descEnqueued, s.Enqueued)
	counter(descAttempts, s.Succeeded, "succeeded")
	counter(descAttempts, s.Retrying, "retrying")
	counter(descAttempts, s.Failed, "failed")
	counter(descAttempts, s.Canceled, "canceled")
	counter(descRefused, s.Refused)
	counter(descDisabled, s.Disabled)
	ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(s.InFlight))

	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) >= queueDepthEvery {
		ctx, cancel := context.WithTimeout(context.Background(), queueDepthTimeout)
		pending, due, err := c.src.QueueDepth(ctx)
		cancel()
		c.at, c.ok = time.Now(), err == nil
		if err != nil {
			c.failures++
		} else {
			c.pending, c.due = pending, due
		}
	}
	if c.ok {
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(c.pending))
		ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(c.due))
	}
	ch <- prometheus.MustNewConstMetric(descQueueErrors, prometheus.CounterValue, c.failures)
}
