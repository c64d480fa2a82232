package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Parse decodes data (YAML or JSON), validates it and returns the normalized
// document. Errors are *Error values listing every problem found.
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
	doc, ps := parse(data)
	if len(ps) > 0 {
		return nil, &Error{Problems: ps.sorted()}
	}
	return doc, nil
}

func parse(data []byte) (*Document, problems) {
	var ps problems
	if len(data) > MaxDocumentSize {
		return nil, problems{tooLargeProblem(int64(len(data)))}
	}
	data, ok := checkEncoding(data, &ps)
	if !ok {
		return nil, ps
	}
	root, ok := readYAML(jsonAsYAML(data), &ps)
	if !ok {
		return nil, ps
	}
	raw, ok := decode(root, len(data), &ps)
	if !ok {
		return nil, ps
	}
	return validate(raw, &ps)
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
			ps.add("", 0, "internal error in the YAML parser: %v", v)
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
		ps.add("", 0, "YAML: %v", err)
		return
	}
	line, _ := strconv.Atoi(m[1])
	ps.add("", line, "YAML syntax: %s", m[2])
}

// jsonAsYAML makes valid JSON digestible by the YAML parser, which lacks
// two of JSON's string escapes: "\/" (emitted by some encoders for every
// slash, and every ARN has one) and UTF-16 surrogate pairs "\ud83d\ude00".
// It rewrites them to "/" and "\U0001F600"; a lone surrogate becomes
// U+FFFD, as encoding/json does. No newline moves, so lines still match.
// Data that is not valid JSON is returned unchanged.
func jsonAsYAML(data []byte) []byte {
	if !bytes.Contains(data, []byte(`\`)) || !json.Valid(data) {
		return data
	}
	out := make([]byte, 0, len(data))
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c == '\\':
			// Valid JSON: an escape is followed by one of "\/bfnrtu.
			switch data[i+1] {
			case '/':
				out = append(out, '/')
				i++
				continue
			case 'u':
				r, n := jsonUnicodeEscape(data[i:])
				if n > 0 {
					out = fmt.Appendf(out, `\U%08X`, r)
					i += n - 1
					continue
				}
			}
			out = append(out, c, data[i+1])
			i++
			continue
		}
		out = append(out, c)
	}
	return out
}

// jsonUnicodeEscape decodes the surrogate escape(s) at the start of b
// ("\uD83D\uDE00" or a lone "\uD83D"), returning the rune and the bytes
// used; n is 0 when b does not start with a surrogate.
func jsonUnicodeEscape(b []byte) (r rune, n int) {
	hi, ok := hex4(b)
	if !ok || !utf16.IsSurrogate(hi) {
		return 0, 0
	}
	if lo, ok := hex4(b[6:]); ok {
		if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
			return r, 12
		}
	}
	return utf8.RuneError, 6
}

// hex4 reads a "\uXXXX" escape at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[2:6]), 16, 32)
	return rune(v), err == nil
}
