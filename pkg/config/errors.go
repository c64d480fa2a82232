package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Problem is one thing wrong with a document.
type Problem struct {
	// Path names the field, e.g. "buckets[2].destinations[0]"; empty for
	// the document as a whole.
	Path string
	// Line is the 1-based line in the document, or 0 when unknown.
	Line int
	// Message says what is wrong, without the path or the line.
	Message string
}

// String formats the problem as "line 7: buckets[1].role: message",
// leaving out the line when unknown and the path when empty.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// maxListedProblems bounds the problems that Error() spells out, so that a
// hopeless document does not produce a log line of megabytes. Problems
// always holds all of them.
const maxListedProblems = 100

// maxProblems bounds the problems recorded for one document: a hopeless
// 1 MiB document could otherwise yield millions, and as many allocations.
const maxProblems = 1000

// Error is the error returned by Parse and Load for a document that cannot
// be used. It lists the problems found, sorted by line: all of them, unless
// there are more than 1000. Nothing must be written to AWS on its account.
type Error struct {
	// Source is the canonical location of the document (see
	// Source.String); empty when the bytes were parsed directly.
	Source string
	// Problems lists the problems found, sorted by line. Never empty.
	Problems []Problem
	// Truncated is true when checking stopped after the first 1000
	// problems; Problems holds those.
	Truncated bool
	// Redacted is true when the messages do not quote the document's text
	// (a SecureString parameter; see ParseRedacted): problems then give
	// paths, lines and the kind of value only.
	Redacted bool
}

// Error returns "invalid document <source>: N problem(s):" followed by one
// indented line per problem (at most 100; the rest are counted).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid document")
	if e.Source != "" {
		b.WriteString(" ")
		b.WriteString(e.Source)
	}
	n := len(e.Problems)
	switch {
	case e.Truncated:
		fmt.Fprintf(&b, ": more than %d problems:", n)
	case n == 1:
		b.WriteString(": 1 problem:")
	default:
		fmt.Fprintf(&b, ": %d problems:", n)
	}
	if e.Redacted {
		b.WriteString(" (values withheld: the document is secret)")
	}
	for i, p := range e.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "\n  ... and %d more", n-maxListedProblems)
			if e.Truncated {
				b.WriteString(", then checking stopped")
			}
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems in the order they are found, up to
// maxProblems; beyond that it only notes that there were more.
type problems struct {
	list      []Problem
	truncated bool
	// redact makes add print the redacted form of shown arguments.
	redact bool
}

// shown is a message argument that quotes the document's own text (a
// value, a field name, a parser message that may echo either). A redacting
// parse prints redacted instead, which names only the kind of thing.
// Every argument of a problem that comes from the document must be a
// shown: the redaction test checks that no marker put anywhere in a
// document survives.
type shown struct {
	text     string
	redacted string
}

// String returns the text, for messages of a parse that does not redact.
func (s shown) String() string { return s.text }

func (ps *problems) add(path string, line int, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		ps.truncated = true
		return
	}
	for i, a := range args {
		if s, ok := a.(shown); ok {
			if ps.redact {
				args[i] = s.redacted
			} else {
				args[i] = s.text
			}
		}
	}
	ps.list = append(ps.list, Problem{Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// count is the number of problems recorded.
func (ps *problems) count() int { return len(ps.list) }

// full reports that no more problems are recorded: checking can stop.
func (ps *problems) full() bool { return ps.truncated }

// truncate forgets the problems recorded after the first n.
func (ps *problems) truncate(n int) {
	ps.list = ps.list[:n]
	ps.truncated = false
}

// err returns the *Error for the problems (sorted by line; problems on the
// same line keep the order in which they were found), or nil if none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	out := slices.Clone(ps.list)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return &Error{Problems: out, Truncated: ps.truncated, Redacted: ps.redact}
}
