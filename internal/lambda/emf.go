package lambda

import (
	"encoding/json"
	"io"
	"time"

	replsync "github.com/replsync/replsync/pkg/sync"
)

// MetricsNamespace is the CloudWatch namespace of the function's metrics.
const MetricsNamespace = "replsync"

// Metrics are the figures of one pass, written as one CloudWatch Embedded
// Metric Format line: CloudWatch Logs turns it into metrics, with no API
// call and no extra permission.
type Metrics struct {
	// BucketsInSync counts buckets that needed no write.
	BucketsInSync int
	// BucketsDrifted counts buckets that needed a write (created, updated
	// or deleted; in a dry run, that would have been).
	BucketsDrifted int
	// BucketsFailed counts buckets that failed or were not attempted.
	BucketsFailed int
	// Writes counts the writes that landed.
	Writes int
	// Conflicts counts writes that lost a race and led to a re-read.
	Conflicts int
	// DocumentErrors is 1 when the document could not be read or is
	// invalid (no bucket was then looked at).
	DocumentErrors int
	// Duration is the time of the pass.
	Duration time.Duration
}

// MetricsOf returns the metrics of a report.
func MetricsOf(rep *replsync.Report) Metrics {
	m := Metrics{
		BucketsInSync:  rep.Summary.Noop,
		BucketsDrifted: rep.Summary.Create + rep.Summary.Update + rep.Summary.Delete,
		BucketsFailed:  rep.Summary.Failed,
		Duration:       time.Duration(rep.DurationSeconds * float64(time.Second)),
	}
	for _, b := range rep.Buckets {
		if b.Applied {
			m.Writes++
		}
		m.Conflicts += b.Conflicts
	}
	return m
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

// WriteEMF writes m as one EMF line on w, with the dimension FunctionName.
func WriteEMF(w io.Writer, functionName string, dryRun bool, at time.Time, m Metrics) error {
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []emfDirective{{
				Namespace:  MetricsNamespace,
				Dimensions: [][]string{{"FunctionName"}},
				Metrics: []emfMetric{
					{"BucketsInSync", "Count"},
					{"BucketsDrifted", "Count"},
					{"BucketsFailed", "Count"},
					{"Writes", "Count"},
					{"Conflicts", "Count"},
					{"DocumentErrors", "Count"},
					{"PassDuration", "Milliseconds"},
				},
			}},
		},
		"FunctionName":   functionName,
		"DryRun":         dryRun, // a property, not a dimension: searchable in Logs Insights
		"BucketsInSync":  m.BucketsInSync,
		"BucketsDrifted": m.BucketsDrifted,
		"BucketsFailed":  m.BucketsFailed,
		"Writes":         m.Writes,
		"Conflicts":      m.Conflicts,
		"DocumentErrors": m.DocumentErrors,
		"PassDuration":   float64(m.Duration.Microseconds()) / 1000,
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
