package config

import (
	"fmt"
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

// Error is the error returned by Parse and Load for a document that cannot
// be used. It lists every problem found, sorted by line. Nothing must be
// written to AWS on its account.
type Error struct {
	// Source is the canonical location of the document (see
	// Source.String); empty when the bytes were parsed directly.
	Source string
	// Problems lists every problem found, sorted by line. Never empty.
	Problems []Problem
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
	if n == 1 {
		b.WriteString(": 1 problem:")
	} else {
		fmt.Fprintf(&b, ": %d problems:", n)
	}
	for i, p := range e.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "\n  ... and %d more", n-maxListedProblems)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems in the order they are found.
type problems []Problem

func (ps *problems) add(path string, line int, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// sorted returns the problems sorted by line; problems on the same line
// keep the order in which they were found (document order).
func (ps problems) sorted() []Problem {
	out := []Problem(ps)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
