package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Parse decodes data (YAML or JSON), validates it and returns the normalized
// document. Its errors are *Error values listing the problems found (all of
// them, unless there are more than 1000).
//
// Parse refuses data larger than MaxDocumentSize (exactly MaxDocumentSize
// bytes is accepted) and data that is not UTF-8; a UTF-8 byte order mark is
// allowed. A stream holds exactly one document. Anchors and aliases are
// allowed (a JSON document has none) but decoding visits a bounded number of
// nodes, so an alias bomb fails quickly. Problems with the decoding (syntax,
// types, unknown or duplicate fields, version) are reported alone: only a
// document that decodes is validated, and then every validation problem is
// reported at once.
func Parse(data []byte) (*Document, error) {
	var ps problems
	doc := parse(data, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return doc, nil
}

// ParseRedacted is Parse for a document whose text is secret (an SSM
// SecureString parameter). Its problems never quote the document: they
// give the path, the line and the kind of the offending value ("want an
// IAM role ARN, got a string"), and the *Error has Redacted set. The
// document it returns is the same as Parse's.
func ParseRedacted(data []byte) (*Document, error) {
	ps := problems{redact: true}
	doc := parse(data, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return doc, nil
}

func parse(data []byte, ps *problems) *Document {
	if len(data) > MaxDocumentSize {
		ps.list = append(ps.list, tooLargeProblem(int64(len(data))))
		return nil
	}
	data, ok := checkEncoding(data, ps)
	if !ok {
		return nil
	}
	root, ok := readYAML(jsonAsYAML(data), ps)
	if !ok {
		return nil
	}
	raw, ok := decode(root, len(data), ps)
	if !ok {
		return nil
	}
	return validate(raw, ps)
}

// tooLargeProblem is the problem of a document of size bytes (-1: unknown,
// but more than the limit).
func tooLargeProblem(size int64) Problem {
	if size < 0 {
		return Problem{Message: fmt.Sprintf("document is larger than the limit of %d bytes (1 MiB)", MaxDocumentSize)}
	}
	return Problem{Message: fmt.Sprintf("document is %d bytes, larger than the limit of %d bytes (1 MiB)", size, MaxDocumentSize)}
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF16LE = []byte{0xFF, 0xFE}
)

// checkEncoding strips a UTF-8 byte order mark and refuses anything that is
// not UTF-8 text the YAML reader accepts, with the line of the first
// offending byte. The YAML library would decode UTF-16 itself and reports
// bad characters without a line; doing it here gives one clear rule.
func checkEncoding(data []byte, ps *problems) ([]byte, bool) {
	for _, b := range []struct {
		bom  []byte
		name string
	}{{bomUTF32BE, "UTF-32"}, {bomUTF32LE, "UTF-32"}, {bomUTF16BE, "UTF-16"}, {bomUTF16LE, "UTF-16"}} {
		if bytes.HasPrefix(data, b.bom) {
			ps.add("", 0, "document must be UTF-8 (it starts with a %s byte order mark)", b.name)
			return nil, false
		}
	}
	data = bytes.TrimPrefix(data, bomUTF8)
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			ps.add("", line, "document must be UTF-8 (invalid byte 0x%02X at offset %d)", data[i], i)
			return nil, false
		case r == 0:
			ps.add("", line, "document must be UTF-8 text (NUL byte at offset %d: UTF-16 or binary data?)", i)
			return nil, false
		case r == '\n':
			line++
		case !yamlPrintable(r):
			ps.add("", line, "control character %U is not allowed (write it as an escape in a double-quoted string)", r)
			return nil, false
		}
		i += size
	}
	return data, true
}

// yamlPrintable mirrors the character set the YAML reader accepts.
func yamlPrintable(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0x7E) || r == 0x85 ||
		(r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

// readYAML parses the single YAML document in data into its root node.
func readYAML(data []byte, ps *problems) (root *yaml.Node, ok bool) {
	defer func() {
		// The library turns its own failures into errors; anything else
		// it panics with is a bug there, and must not take the caller down.
		if v := recover(); v != nil {
			ps.add("", 0, "internal error in the YAML parser: %s", shown{fmt.Sprint(v), "(details withheld)"})
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.add("", 0, "document is empty (want version, defaults and buckets)")
		} else {
			addYAMLError(ps, err)
		}
		return nil, false
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		addYAMLError(ps, err)
		return nil, false
	default:
		ps.add("", next.Line, "a second YAML document starts here; a stream must hold exactly one")
		return nil, false
	}
	if len(doc.Content) != 1 {
		ps.add("", doc.Line, "document is empty (want version, defaults and buckets)")
		return nil, false
	}
	return &doc, true
}

var yamlErrorRe = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// addYAMLError records a syntax error from the YAML library. Its line is
// where the library noticed the problem, which may be a line before the
// offending text (the start of the enclosing construct).
func addYAMLError(ps *problems, err error) {
	m := yamlErrorRe.FindStringSubmatch(err.Error())
	if m == nil {
		ps.add("", 0, "YAML: %s", shown{err.Error(), "error (details withheld)"})
		return
	}
	line, _ := strconv.Atoi(m[1])
	ps.add("", line, "YAML syntax: %s", shown{m[2], "error (details withheld)"})
}
