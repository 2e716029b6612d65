package swift

import (
	"errors"
	"math/rand"
	"slices"
	"testing"
	"time"
)

// The want values come from Swift's own Timestamp under Python 3.
func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in       string
		raw      int64
		normal   string
		internal string
	}{
		{"1402437380.58186", 140243738058186, "1402437380.58186", "1402437380.58186"},
		{"1402437380", 140243738000000, "1402437380.00000", "1402437380.00000"},
		{"1e9", 100000000000000, "1000000000.00000", "1000000000.00000"},
		{" 12.3 ", 1230000, "0000000012.30000", "0000000012.30000"},
		{"0.000005", 0, "0000000000.00000", "0000000000.00000"}, // half to even
		{"0.000015", 2, "0000000000.00002", "0000000000.00002"},
		{"0.000025", 2, "0000000000.00002", "0000000000.00002"},
		{"1402437380.581865", 140243738058186, "1402437380.58186", "1402437380.58186"},
		{"9999999999.99999", 999999999999999, "9999999999.99999", "9999999999.99999"},
		{"1402437380.58186_00000000000000ab", 140243738058186, "1402437380.58186", "1402437380.58186_00000000000000ab"},
		{"1.2_ab", 120000, "0000000001.20000", "0000000001.20000_00000000000000ab"},
		{"1.2_", 120000, "0000000001.20000", "0000000001.20000"},
		{"0", 0, "0000000000.00000", "0000000000.00000"},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in)
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		if got.Raw() != tt.raw || got.Normal() != tt.normal || got.Internal() != tt.internal {
			t.Errorf("ParseTimestamp(%q) = raw %d normal %q internal %q, want %d %q %q",
				tt.in, got.Raw(), got.Normal(), got.Internal(), tt.raw, tt.normal, tt.internal)
		}
		back, err := ParseTimestamp(got.Internal())
		if err != nil || back != got {
			t.Errorf("round trip of %q: %v, %v", got.Internal(), back, err)
		}
	}
}

func TestParseTimestampInvalid(t *testing.T) {
	for _, in := range []string{
		"", "abc", "-1", "10000000000", "1_2_3", "1.0_00000000000000001", "1.0_xyz",
		"inf", "nan", "0x10", "1.0_-1",
	} {
		if got, err := ParseTimestamp(in); !errors.Is(err, ErrInvalidTimestamp) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want ErrInvalidTimestamp", in, got, err)
		}
	}
}

func TestTimestampOrdering(t *testing.T) {
	mk := func(s string) Timestamp {
		ts, err := ParseTimestamp(s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	a, aOff, b := mk("1402437380.58186"), mk("1402437380.58186_ab"), mk("1402437380.58187")
	if !a.Before(aOff) || !aOff.Before(b) || !b.After(a) || a.Equal(aOff) || !a.Equal(mk("1402437380.58186_0")) {
		t.Errorf("ordering of %v %v %v is wrong", a, aOff, b)
	}
	if a.WithOffset(0xab) != aOff {
		t.Errorf("WithOffset: %v", a.WithOffset(0xab))
	}
	// Internal strings sort as the timestamps do, which the on-disk file
	// names and the databases rely on.
	r := rand.New(rand.NewSource(1))
	var ts []Timestamp
	for range 500 {
		ts = append(ts, FromRaw(r.Int63n(maxRaw)).WithOffset(uint64(r.Intn(3))))
	}
	byValue := slices.Clone(ts)
	slices.SortFunc(byValue, Timestamp.Compare)
	byString := slices.Clone(ts)
	slices.SortFunc(byString, func(x, y Timestamp) int {
		switch {
		case x.Internal() < y.Internal():
			return -1
		case x.Internal() > y.Internal():
			return 1
		}
		return 0
	})
	if !slices.Equal(byValue, byString) {
		t.Error("internal string order differs from timestamp order")
	}
}

func TestTimestampTime(t *testing.T) {
	ts, _ := ParseTimestamp("1402437380.58186")
	if got, want := ts.Time(), time.Unix(1402437380, 581860000).UTC(); !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	if got := ts.Ceil(); got != 1402437381 {
		t.Errorf("Ceil() = %d", got)
	}
	if got, want := ts.HTTPDate(), "Tue, 10 Jun 2014 21:56:21 GMT"; got != want {
		t.Errorf("HTTPDate() = %q, want %q", got, want)
	}
	whole, _ := ParseTimestamp("1402437380")
	if whole.Ceil() != 1402437380 {
		t.Errorf("Ceil of a whole second moved: %d", whole.Ceil())
	}
	now := time.Now()
	if d := FromTime(now).Time().Sub(now); d > 5*time.Microsecond || d < -5*time.Microsecond {
		t.Errorf("FromTime off by %v", d)
	}
}

func TestEncodeDecodeTimestamps(t *testing.T) {
	mk := func(s string) Timestamp { ts, _ := ParseTimestamp(s); return ts }
	a, b, c := mk("1402437380.58186"), mk("1402437381.00000"), mk("1402437379.5")
	aOff := mk("1402437380.58186_ab")
	tests := []struct {
		t1       Timestamp
		t2, t3   *Timestamp
		explicit bool
		want     string
	}{
		{a, &b, &c, false, "1402437380.58186+a356-249f0"},
		{a, &a, &a, false, "1402437380.58186"},
		{a, &a, &a, true, "1402437380.58186+0+0"},
		{aOff, &b, nil, false, "1402437380.58186_ab+a356"},
		{a, nil, nil, false, "1402437380.58186"},
	}
	for _, tt := range tests {
		if got := EncodeTimestamps(tt.t1, tt.t2, tt.t3, tt.explicit); got != tt.want {
			t.Errorf("EncodeTimestamps = %q, want %q", got, tt.want)
		}
	}
	str := func(p *Timestamp) string {
		if p == nil {
			return "nil"
		}
		return p.Internal()
	}
	decodes := []struct {
		in       string
		explicit bool
		want     [3]string
	}{
		{"1402437380.58186+a1cb-c350", false, [3]string{"1402437380.58186", "1402437380.99605", "1402437380.49605"}},
		{"1402437380.58186_ab+0", true, [3]string{"1402437380.58186_00000000000000ab", "1402437380.58186_00000000000000ab", "nil"}},
		{"1402437380.58186", true, [3]string{"1402437380.58186", "nil", "nil"}},
		{"1402437380.58186", false, [3]string{"1402437380.58186", "1402437380.58186", "1402437380.58186"}},
	}
	for _, tt := range decodes {
		t1, t2, t3, err := DecodeTimestamps(tt.in, tt.explicit)
		if err != nil {
			t.Errorf("DecodeTimestamps(%q): %v", tt.in, err)
			continue
		}
		if got := [3]string{t1.Internal(), str(t2), str(t3)}; got != tt.want {
			t.Errorf("DecodeTimestamps(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if _, _, _, err := DecodeTimestamps("1.0+zz", false); err == nil {
		t.Error("bad delta accepted")
	}
}

func TestValidTimestamp(t *testing.T) {
	tests := []struct {
		h    map[string][]string
		body string
	}{
		{nil, "Missing X-Timestamp header"},
		{map[string][]string{"X-Timestamp": {"nope"}}, "Invalid X-Timestamp header"},
		{map[string][]string{"X-Timestamp": {"1402437380.58186"}}, ""},
	}
	for _, tt := range tests {
		_, err := ValidTimestamp(tt.h)
		var he *HTTPError
		switch {
		case tt.body == "" && err != nil:
			t.Errorf("ValidTimestamp(%v): %v", tt.h, err)
		case tt.body != "" && (!errors.As(err, &he) || he.Status != 400 || he.Body != tt.body):
			t.Errorf("ValidTimestamp(%v) = %v, want 400 %q", tt.h, err, tt.body)
		}
	}
}

func TestNormalizeDeleteAt(t *testing.T) {
	for in, want := range map[float64]string{-5: "0000000000", 12.7: "0000000012", 1e11: "9999999999", 1402437380: "1402437380"} {
		if got := NormalizeDeleteAt(in); got != want {
			t.Errorf("NormalizeDeleteAt(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestInvertAndText(t *testing.T) {
	// The wants are Swift's ~Timestamp.
	for in, want := range map[string]string{
		"1402437380.58186":    "8597562619.41813",
		"1402437380.58186_ab": "8597562619.41812_ffffffffffffff55",
	} {
		ts, _ := ParseTimestamp(in)
		if got := ts.Invert().Internal(); got != want {
			t.Errorf("Invert(%s) = %s, want %s", in, got, want)
		}
	}
	a, _ := ParseTimestamp("1.5")
	b, _ := ParseTimestamp("2.5")
	if !a.Invert().After(b.Invert()) {
		t.Error("Invert does not reverse order")
	}
	var back Timestamp
	text, _ := a.WithOffset(3).MarshalText()
	if err := back.UnmarshalText(text); err != nil || back != a.WithOffset(3) {
		t.Errorf("text round trip: %s → %v, %v", text, back, err)
	}
	if back.UnmarshalText([]byte("x")) == nil {
		t.Error("UnmarshalText accepted junk")
	}
}
