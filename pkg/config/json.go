package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

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
