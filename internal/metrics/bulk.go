package metrics

import "github.com/prometheus/client_golang/prometheus"

// bulkCollectors count bulk exports (services/bulk) as this process ends them.
type bulkCollectors struct {
	exports *prometheus.CounterVec
	objects prometheus.Counter
}

func newBulkCollectors(reg *prometheus.Registry) bulkCollectors {
	c := bulkCollectors{
		exports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradehub_bulk_exports_total",
			Help: "Bulk exports ended by this process, by status (completed, failed, canceled) and, for failed ones, error code.",
		}, []string{"status", "error"}),
		objects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tradehub_bulk_export_objects_total",
			Help: "Lines written by completed bulk exports.",
		}),
	}
	reg.MustRegister(c.exports, c.objects)
	return c
}

// bulkErrorCodes bounds the error label (services/bulk's codes).
var bulkErrorCodes = map[string]bool{"TOO_MANY_OBJECTS": true, "FILE_TOO_LARGE": true, "QUERY_FAILED": true, "INTERRUPTED": true, "INTERNAL": true}

// ObserveBulkExport records an export that ended: its status (COMPLETED, FAILED, CANCELED), the
// error code of a failed one, and the lines written.
func (m *Metrics) ObserveBulkExport(status, errorCode string, objects int64) {
	label := "other"
	switch status {
	case "COMPLETED":
		label = "completed"
		m.bulk.objects.Add(float64(objects))
	case "FAILED":
		label = "failed"
	case "CANCELED":
		label = "canceled"
	}
	if errorCode != "" && !bulkErrorCodes[errorCode] {
		errorCode = "OTHER"
	}
	m.bulk.exports.WithLabelValues(label, errorCode).Inc()
}
