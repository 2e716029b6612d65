package middleware

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// PyJSON encodes v as Python's json.dumps does by default, so bodies
// and stored manifests are byte for byte what Swift writes: ", " between
// items, ": " after keys, non-ASCII as \uXXXX escapes, and "<>&" left as
// they are. Struct field order is kept; map keys come out sorted.
func PyJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	out := make([]byte, 0, len(b)+len(b)/8)
	inStr, esc := false, false
	const hexd = "0123456789abcdef"
	u4 := func(r rune) {
		out = append(out, '\\', 'u', hexd[r>>12&15], hexd[r>>8&15], hexd[r>>4&15], hexd[r&15])
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(b[i:])
			if r > 0xFFFF {
				r -= 0x10000
				u4(0xD800 + (r>>10)&0x3FF)
				u4(0xDC00 + r&0x3FF)
			} else {
				u4(r)
			}
			i += n
			continue
		}
		out = append(out, c)
		i++
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case ',', ':':
			out = append(out, ' ')
		}
	}
	return out
}
