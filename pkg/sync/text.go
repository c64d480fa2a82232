package sync

import (
	"fmt"
	"io"
	"strings"
)

// WriteText renders the report as a plan a person reads at a glance:
//
//   - create  arn:...:bucket/a
//     role: (none) -> arn:...:role/R
//     destinations: +arn:...:bucket/b
//     ~ update  arn:...:bucket/c
//     destinations: +arn:...:bucket/d -arn:...:bucket/e
//
//   - delete  arn:...:bucket/f
//     ! failed  arn:...:bucket/g
//     AccessDeniedException: ...
//
//     Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged, 1 failed.
//
// Buckets in sync are counted, not listed.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	doc := r.Document
	fmt.Fprintf(&b, "Document %s (version %d", orNone(doc.Source), doc.Version)
	if doc.SHA256 != "" {
		fmt.Fprintf(&b, ", sha256 %.12s", doc.SHA256)
	}
	b.WriteString(")\n")
	if r.DryRun {
		b.WriteString("Dry run: nothing is written.\n")
	}
	b.WriteString("\n")
	for _, br := range r.Buckets {
		marker, verb := bucketMarker(br)
		if marker == "" {
			continue
		}
		fmt.Fprintf(&b, "%s %-8s %s\n", marker, verb, br.TableBucketARN)
		writeDiff(&b, br.Diff)
		if br.Error != "" {
			fmt.Fprintf(&b, "    error: %s\n", br.Error)
		}
	}
	s := r.Summary
	if s.Noop == len(r.Buckets) {
		b.WriteString("No changes: every bucket matches the document.\n")
	}
	if r.DryRun {
		fmt.Fprintf(&b, "\nPlan: %d to create, %d to update, %d to delete, %d unchanged, %d failed.\n",
			s.Create, s.Update, s.Delete, s.Noop, s.Failed)
	} else {
		fmt.Fprintf(&b, "\nApplied: %d created, %d updated, %d deleted, %d unchanged, %d failed.\n",
			s.Create, s.Update, s.Delete, s.Noop, s.Failed)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDiff renders a diff with one destination a line.
func writeDiff(b *strings.Builder, d Diff) {
	if d.roleChanged() {
		fmt.Fprintf(b, "    role: %s -> %s\n", orNone(d.RoleFrom), orNone(d.RoleTo))
	}
	if d.rulesChanged() {
		fmt.Fprintf(b, "    rules: %d -> %d\n", d.RulesFrom, d.RulesTo)
	}
	if len(d.Added)+len(d.Removed) > 0 {
		b.WriteString("    destinations:\n")
		for _, a := range d.Added {
			fmt.Fprintf(b, "      + %s\n", a)
		}
		for _, r := range d.Removed {
			fmt.Fprintf(b, "      - %s\n", r)
		}
	}
}

// bucketMarker returns the line marker and verb of a bucket, or "" for a
// bucket in sync.
func bucketMarker(b BucketResult) (string, string) {
	switch {
	case b.NotAttempted:
		return "?", "skipped"
	case b.Failed():
		return "!", "failed"
	case b.Action == ActionCreate:
		return "+", "create"
	case b.Action == ActionUpdate:
		return "~", "update"
	case b.Action == ActionDelete:
		return "-", "delete"
	}
	return "", ""
}
