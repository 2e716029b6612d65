package pyfmt

import "testing"

func TestStr(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string
	}{
		{nil, "None"}, {true, "True"}, {false, "False"}, {"it's", "it's"}, {float64(3), "3"},
		{float64(1e6), "1000000"}, {1.5, "1.5"}, {1e21, "1e+21"}, {7, "7"}, {int64(-2), "-2"},
	} {
		if got := Str(tt.in); got != tt.want {
			t.Errorf("Str(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRepr(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string
	}{
		{"a", "'a'"}, {"it's", `"it's"`}, {`it's "x"`, `'it\'s "x"'`}, {`a\b`, `'a\\b'`}, {"a\nb\x01", `'a\nb\x01'`},
		{nil, "None"}, {true, "True"}, {float64(3), "3"}, {1.5, "1.5"},
		{[]any{}, "[]"}, {[]string{"a", "b"}, "['a', 'b']"}, {[]any{float64(1), "a", nil}, "[1, 'a', None]"},
		{map[string]any{}, "{}"}, {map[string]any{"k": float64(1), "a": []any{true}}, "{'a': [True], 'k': 1}"},
	} {
		if got := Repr(tt.in); got != tt.want {
			t.Errorf("Repr(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
