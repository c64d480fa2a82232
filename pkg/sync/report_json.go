package sync

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the report as indented JSON: the same bytes as a
// json.Encoder with SetIndent("", "  ") would write, trailing newline
// included. It encodes one bucket at a time, so its memory does not grow
// with the number of buckets (encoding a 10 000-bucket report in one piece
// allocates several times its 11 MiB).
func (r *Report) WriteJSON(w io.Writer) error {
	if r.Buckets == nil { // "buckets": null; nothing to stream
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	head := *r
	head.Buckets = []BucketResult{}
	frame, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return err
	}
	// The frame has "buckets": [] where the buckets go. No string value
	// before it can hold that sequence: its quotes would be escaped.
	const slot = `"buckets": []`
	i := bytes.Index(frame, []byte(slot))
	if i < 0 {
		return fmt.Errorf("sync: report frame without %s", slot)
	}
	bw := bufio.NewWriter(w)
	bw.Write(frame[:i+len(slot)-1]) // up to and including '['
	for n, b := range r.Buckets {
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		one, err := json.MarshalIndent(&b, "    ", "  ")
		if err != nil {
			return err
		}
		bw.Write(one)
	}
	if len(r.Buckets) > 0 {
		bw.WriteString("\n  ")
	}
	bw.Write(frame[i+len(slot)-1:]) // from ']'
	bw.WriteByte('\n')
	return bw.Flush()
}
