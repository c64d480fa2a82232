package config

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// The decoder walks the yaml.Node tree itself instead of using struct
// tags, so that every problem names the field path and the line, and so
// that it visits only the schema: values of unknown fields are never
// walked.
//
// Aliases are resolved because they are useful (a shared role or
// destination list), under a budget: every node the decoder looks at,
// including through an alias, counts, and it may look at no more nodes
// than the input has bytes, plus visitAllowance. Without aliases every
// node visited takes at least two bytes of input (a list item "x," or half
// of "role: x"), so only aliases can exceed the budget; an alias bomb hits
// it within milliseconds, in memory proportional to the input.
const visitAllowance = 10_000

// Field names of the schema, per mapping.
var (
	documentFields = []string{"version", "defaults", "buckets"}
	defaultsFields = []string{"role"}
	bucketFields   = []string{"tableBucketARN", "role", "destinations", "state"}
)

// scalar is a string value as written, with its line.
type scalar struct {
	Value string
	Line  int
}

// rawDocument is the document as written: every value keeps its line for
// validation's problems. Pointers are nil where the field was absent or
// null.
type rawDocument struct {
	Line        int
	DefaultRole *scalar
	// Buckets is nil when the key is absent, non-nil (maybe empty) when given.
	Buckets []rawBucket
}

type rawBucket struct {
	Path  string
	Line  int
	ARN   *scalar
	Role  *scalar
	State *scalar
	// Destinations is nil when the key is absent or null.
	Destinations     []scalar
	DestinationsLine int
}

type decoder struct {
	ps       *problems
	visits   int
	maxVisit int
}

// tooManyNodes aborts a decode that exceeds its budget.
type tooManyNodes struct{ line int }

// stopDecoding aborts a decode that has found too many problems.
type stopDecoding struct{}

// decode turns the document node, parsed from size bytes, into a
// rawDocument, reporting every decoding problem it finds. ok is false if
// there was any.
func decode(doc *yaml.Node, size int, ps *problems) (raw *rawDocument, ok bool) {
	d := &decoder{ps: ps, maxVisit: size + visitAllowance}
	before := ps.count()
	defer func() {
		switch v := recover().(type) {
		case nil:
		case tooManyNodes:
			ps.add("", v.line, "aliases expand the document to more than %d nodes (one per byte of input, plus %d); refusing it", d.maxVisit, visitAllowance)
			raw, ok = nil, false
		case stopDecoding:
			raw, ok = nil, false
		default:
			panic(v)
		}
	}()
	raw = d.document(doc.Content[0])
	return raw, ps.count() == before
}

// resolve counts a visit to n and follows it if it is an alias (whose
// target is never itself an alias).
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	d.visits++
	if d.visits > d.maxVisit {
		panic(tooManyNodes{line: n.Line})
	}
	if d.ps.full() {
		panic(stopDecoding{})
	}
	if n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

func (d *decoder) document(n *yaml.Node) *rawDocument {
	line := n.Line
	n = d.resolve(n)
	if isNull(n) {
		d.ps.add("", line, "document is empty (want version, defaults and buckets)")
		return nil
	}
	if n.Kind != yaml.MappingNode || n.ShortTag() != "!!map" {
		d.ps.add("", line, "document must be a mapping with version, defaults and buckets, not %s", describe(n))
		return nil
	}
	raw := &rawDocument{Line: line}
	before := d.ps.count()
	fields := d.fields("", n, documentFields)
	v, ok := fields.get("version")
	if !ok {
		d.ps.add("", line, `missing required field "version" (this replsync reads version: %d)`, CurrentVersion)
	} else if ver, known := d.version(v); !known {
		// An unknown version means the rest cannot be read as this
		// schema: report that alone. A missing or malformed version is
		// most likely a slip, so the rest is still checked then.
		d.ps.truncate(before)
		d.ps.add("version", v.line, "unknown version %d (this replsync reads version %d only)", ver, CurrentVersion)
		return raw
	}
	if v, ok := fields.get("defaults"); ok {
		d.defaults(raw, v)
	}
	if v, ok := fields.get("buckets"); ok {
		d.buckets(raw, v)
	}
	return raw
}

// version checks the version field. known is false only for a
// well-formed integer other than CurrentVersion, which it leaves to the
// caller to report.
func (d *decoder) version(f field) (ver int64, known bool) {
	line, n := f.line, d.resolve(f.node)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.ps.add("version", line, "want the integer %d, got %s", CurrentVersion, describe(n))
		return 0, true
	}
	ver, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		d.ps.add("version", line, "want the integer %d written in decimal, got %s", CurrentVersion, shown{n.Value, "another notation"})
		return 0, true
	}
	return ver, ver == CurrentVersion
}

func (d *decoder) defaults(raw *rawDocument, f field) {
	line, n := f.line, d.resolve(f.node)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode || n.ShortTag() != "!!map" {
		d.ps.add("defaults", line, "want a mapping with role, got %s", describe(n))
		return
	}
	fields := d.fields("defaults", n, defaultsFields)
	if v, ok := fields.get("role"); ok {
		raw.DefaultRole = d.optionalString("defaults.role", v, "an IAM role ARN")
	}
}

func (d *decoder) buckets(raw *rawDocument, f field) {
	line, n := f.line, d.resolve(f.node)
	if n.Kind != yaml.SequenceNode || n.ShortTag() != "!!seq" {
		d.ps.add("buckets", line, "want a list of buckets (use [] for none), got %s", describe(n))
		return
	}
	raw.Buckets = make([]rawBucket, 0, len(n.Content))
	for i, item := range n.Content {
		if b, ok := d.bucket(fmt.Sprintf("buckets[%d]", i), itemField(item)); ok {
			raw.Buckets = append(raw.Buckets, b)
		}
	}
}

func (d *decoder) bucket(path string, f field) (rawBucket, bool) {
	b := rawBucket{Path: path, Line: f.line}
	n := d.resolve(f.node)
	if n.Kind != yaml.MappingNode || n.ShortTag() != "!!map" {
		d.ps.add(path, b.Line, "want a bucket (a mapping with tableBucketARN, role, destinations, state), got %s", describe(n))
		return b, false
	}
	fields := d.fields(path, n, bucketFields)
	if v, ok := fields.get("tableBucketARN"); ok {
		b.ARN = d.optionalString(path+".tableBucketARN", v, "a table bucket ARN")
	}
	if v, ok := fields.get("role"); ok {
		b.Role = d.optionalString(path+".role", v, "an IAM role ARN")
	}
	if v, ok := fields.get("state"); ok {
		b.State = d.optionalString(path+".state", v, "present or absent")
	}
	if v, ok := fields.get("destinations"); ok {
		d.destinations(&b, path+".destinations", v)
	}
	return b, true
}

func (d *decoder) destinations(b *rawBucket, path string, f field) {
	line, n := f.line, d.resolve(f.node)
	if isNull(n) {
		return
	}
	b.DestinationsLine = line
	if n.Kind != yaml.SequenceNode || n.ShortTag() != "!!seq" {
		d.ps.add(path, line, "want a list of table bucket ARNs, got %s", describe(n))
		return
	}
	b.Destinations = make([]scalar, 0, len(n.Content))
	for i, item := range n.Content {
		line, n := item.Line, d.resolve(item)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			d.ps.add(fmt.Sprintf("%s[%d]", path, i), line, "want a table bucket ARN, got %s", describe(n))
			continue
		}
		b.Destinations = append(b.Destinations, scalar{Value: n.Value, Line: line})
	}
}

// optionalString decodes an optional string field: null is the same as
// leaving the field out (nil), anything but a string is a problem.
func (d *decoder) optionalString(path string, f field, want string) *scalar {
	line, n := f.line, d.resolve(f.node)
	if isNull(n) {
		return nil
	}
	if s, ok := d.strNode(path, line, n, want); ok {
		return &s
	}
	return nil
}

// strNode checks that the resolved node n, written at line, is a string: a
// scalar that YAML resolves to one (quoted, or plain text that is not a
// number, boolean, null, ...). Destination lists do the same inline.
func (d *decoder) strNode(path string, line int, n *yaml.Node, want string) (scalar, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.ps.add(path, line, "want %s, got %s", want, describe(n))
		return scalar{}, false
	}
	return scalar{Value: n.Value, Line: line}, true
}

// field is a value to decode and the line its problems are reported at:
// the line of its key in a mapping (where a reader looks for "role:",
// even when a block list starts on the next line), of the item in a list.
type field struct {
	line int
	node *yaml.Node
}

func itemField(n *yaml.Node) field { return field{line: n.Line, node: n} }

// earlierKey returns the line of the first key before m.Content[i] named
// name. seen, if not nil, indexes the keys before i and is updated.
func earlierKey(m *yaml.Node, i int, name string, seen map[string]int) (int, bool) {
	if seen != nil {
		if l, ok := seen[name]; ok {
			return l, true
		}
		seen[name] = m.Content[i].Line
		return 0, false
	}
	for j := 0; j < i; j += 2 {
		if k := m.Content[j]; k.Kind == yaml.ScalarNode && k.Value == name {
			return k.Line, true
		}
	}
	return 0, false
}

// fieldSet holds the values of the known fields of one mapping.
type fieldSet struct {
	known  []string
	values [4]field // by index in known; node nil when absent
}

// get returns the value of the known field name, if the mapping has it.
func (fs *fieldSet) get(name string) (field, bool) {
	for i, k := range fs.known {
		if k == name {
			return fs.values[i], fs.values[i].node != nil
		}
	}
	panic("config: field " + name + " is not in the schema") // a bug here
}

// fields checks the keys of mapping m against known (at most 4 names),
// reporting unknown keys (with a suggestion), duplicate keys and keys that
// are not strings, and returns the value of each known key (the first, if
// repeated).
func (d *decoder) fields(path string, m *yaml.Node, known []string) fieldSet {
	fs := fieldSet{known: known}
	// Mappings are small: look for duplicates by scanning, unless large.
	var seen map[string]int
	if len(m.Content) > 32 {
		seen = make(map[string]int, len(m.Content)/2)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		keyLine := m.Content[i].Line
		k := d.resolve(m.Content[i])
		if k.Kind != yaml.ScalarNode {
			d.ps.add(path, keyLine, "field names must be strings, not %s", describe(k))
			continue
		}
		if first, dup := earlierKey(m, i, k.Value, seen); dup {
			d.ps.add(path, keyLine, "duplicate field %s (first at line %d)", quoteName(k.Value), first)
			continue
		}
		idx := slices.Index(known, k.Value)
		switch {
		case idx < 0:
			d.ps.add(path, keyLine, "unknown field %s%s", quoteName(k.Value), suggest(path, k.Value, known))
		case k.ShortTag() != "!!str":
			d.ps.add(path, keyLine, "field names must be strings, not %s", describe(k))
		default:
			fs.values[idx] = field{line: keyLine, node: m.Content[i+1]}
		}
	}
	return fs
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node is, for "want X, got Y" messages. Its
// redacted form names the kind of value only.
func describe(n *yaml.Node) shown {
	tag := n.ShortTag()
	switch {
	case n.Kind == yaml.MappingNode && tag == "!!map":
		return plain("a mapping")
	case n.Kind == yaml.MappingNode:
		return shown{"a mapping tagged " + tag, "a mapping with a tag"}
	case n.Kind == yaml.SequenceNode && tag == "!!seq":
		return plain("a list")
	case n.Kind == yaml.SequenceNode:
		return shown{"a list tagged " + tag, "a list with a tag"}
	case n.Kind != yaml.ScalarNode:
		return plain("an unexpected YAML node")
	}
	v := truncate(n.Value)
	if n.Style&yaml.TaggedStyle != 0 {
		// An explicit tag need not match the text: "!!int version".
		return shown{fmt.Sprintf("the value %q tagged %s", v, tag), "a value with a tag"}
	}
	switch tag {
	case "!!null":
		return plain("null")
	case "!!bool":
		return shown{"the boolean " + v, "a boolean"}
	case "!!int", "!!float":
		return shown{"the number " + v, "a number"}
	case "!!str":
		return shown{strconv.Quote(v), "a string"}
	case "!!timestamp":
		return shown{"the timestamp " + v, "a timestamp"}
	case "!!binary":
		return plain("binary data")
	case "!!merge":
		return plain("a merge key (<<)")
	default:
		return shown{"a value tagged " + tag, "a value with a tag"}
	}
}

// plain is a description that quotes nothing from the document.
func plain(s string) shown { return shown{s, s} }

// quoteName quotes a field name written in the document.
func quoteName(s string) shown { return shown{quote(s), "(name withheld)"} }

// truncate shortens s for a message, on a rune boundary.
func truncate(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	i := limit - 3
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// quote quotes a (possibly long) name for a message.
func quote(s string) string { return strconv.Quote(truncate(s)) }
