package swift

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rawPerSecond is the number of Timestamp ticks in a second: Swift keeps
// time to the deca-microsecond (1e-5 s).
const rawPerSecond = 100000

// maxRaw is the first raw value out of bounds: Swift refuses timestamps
// at or past 10000000000 seconds so that the normal form keeps ten digits
// before the point and string order stays time order.
const maxRaw = 10000000000 * rawPerSecond

// ErrInvalidTimestamp is wrapped by every error ParseTimestamp returns.
var ErrInvalidTimestamp = errors.New("invalid timestamp")

// Timestamp is Swift's timestamp (swift.common.utils.Timestamp): seconds
// since the epoch at deca-microsecond resolution, plus an offset that
// orders internal rewrites of the same client write. The zero value is
// the epoch.
type Timestamp struct {
	raw    int64  // units of 1e-5 s since the epoch
	offset uint64 // Swift's 16-hex-digit offset vector
}

// Now returns the current time as a Timestamp.
func Now() Timestamp {
	return FromTime(time.Now())
}

// FromTime returns t rounded to the nearest deca-microsecond.
func FromTime(t time.Time) Timestamp {
	ns := t.UnixNano()
	raw := ns / 10000
	if ns%10000 >= 5000 {
		raw++
	}
	return Timestamp{raw: raw}
}

// FromRaw returns the Timestamp raw deca-microseconds after the epoch.
func FromRaw(raw int64) Timestamp { return Timestamp{raw: raw} }

// ParseTimestamp parses what Swift's Timestamp constructor accepts: a
// decimal number of seconds ("1402437380.58186", "1402437380", "1e9"),
// optionally followed by "_" and up to 16 hex digits of offset
// ("1402437380.58186_00000000000000ab"). The value must lie in
// [0, 10000000000) seconds, as Swift's bounds check requires.
func ParseTimestamp(s string) (Timestamp, error) {
	floatPart, hexPart, hasHex := strings.Cut(s, "_")
	var t Timestamp
	if hasHex {
		if strings.Contains(hexPart, "_") || len(hexPart) > 16 {
			return Timestamp{}, fmt.Errorf("%w: bad offset in %q", ErrInvalidTimestamp, s)
		}
		if hexPart != "" {
			off, err := strconv.ParseUint(hexPart, 16, 64)
			if err != nil {
				return Timestamp{}, fmt.Errorf("%w: bad offset in %q", ErrInvalidTimestamp, s)
			}
			t.offset = off
		}
	}
	f, err := parseFloat(floatPart)
	if err != nil {
		return Timestamp{}, fmt.Errorf("%w: %q", ErrInvalidTimestamp, s)
	}
	// Python computes int(round(f / 1e-5)); the same float64 operations
	// here give the same result bit for bit, banker's rounding included.
	r := math.RoundToEven(f / 1e-5)
	if r < 0 || r >= maxRaw {
		return Timestamp{}, fmt.Errorf("%w: %q out of range", ErrInvalidTimestamp, s)
	}
	t.raw = int64(r)
	return t, nil
}

// parseFloat accepts what Python's float() accepts for finite decimal
// numbers: surrounding white space, a sign, exponents. Hex floats,
// underscores and the words inf and nan are refused (Python refuses the
// first two and Swift fails on the last two).
func parseFloat(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "xXpP_") {
		return 0, strconv.ErrSyntax
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, strconv.ErrSyntax
	}
	return f, nil
}

// Raw returns the time in deca-microseconds since the epoch.
func (t Timestamp) Raw() int64 { return t.raw }

// Offset returns the offset vector.
func (t Timestamp) Offset() uint64 { return t.offset }

// IsZero reports whether t is the epoch with no offset (Python's bool()).
func (t Timestamp) IsZero() bool { return t.raw == 0 && t.offset == 0 }

// Normal returns Swift's normalized form, "%016.05f" of the seconds, such
// as "1402437380.58186" or "0000000001.00000". Clients only ever see this
// form.
func (t Timestamp) Normal() string {
	var b [24]byte
	return string(t.appendNormal(b[:0]))
}

func (t Timestamp) appendNormal(b []byte) []byte {
	sec, frac := t.raw/rawPerSecond, t.raw%rawPerSecond
	s := strconv.AppendInt(nil, sec, 10)
	for i := len(s); i < 10; i++ {
		b = append(b, '0')
	}
	b = append(b, s...)
	b = append(b, '.')
	f := strconv.AppendInt(nil, frac, 10)
	for i := len(f); i < 5; i++ {
		b = append(b, '0')
	}
	return append(b, f...)
}

// Internal returns the form that orders and identifies timestamps inside
// the cluster: the normal form, followed by "_" and the offset in 16 hex
// digits when the offset is not zero.
func (t Timestamp) Internal() string {
	if t.offset == 0 {
		return t.Normal()
	}
	var b [40]byte
	out := t.appendNormal(b[:0])
	out = append(out, '_')
	h := strconv.AppendUint(nil, t.offset, 16)
	for i := len(h); i < 16; i++ {
		out = append(out, '0')
	}
	return string(append(out, h...))
}

// Short returns the normal form followed by "_" and the offset in as few
// hex digits as needed when the offset is not zero (Swift's short form,
// used in encoded timestamps).
func (t Timestamp) Short() string {
	if t.offset == 0 {
		return t.Normal()
	}
	return t.Normal() + "_" + strconv.FormatUint(t.offset, 16)
}

// String returns the internal form.
func (t Timestamp) String() string { return t.Internal() }

// Time returns t as a time.Time, without the offset.
func (t Timestamp) Time() time.Time {
	return time.Unix(t.raw/rawPerSecond, (t.raw%rawPerSecond)*10000).UTC()
}

// Seconds returns t as floating-point seconds, as Python's float(ts).
func (t Timestamp) Seconds() float64 { return float64(t.raw) * 1e-5 }

// Ceil returns the seconds of t rounded up to a whole second: Swift's
// Last-Modified is this value.
func (t Timestamp) Ceil() int64 {
	return (t.raw + rawPerSecond - 1) / rawPerSecond
}

// HTTPDate returns the Last-Modified value Swift sends for t: the time
// rounded up to the next whole second, in HTTP date format.
func (t Timestamp) HTTPDate() string {
	return time.Unix(t.Ceil(), 0).UTC().Format(http.TimeFormat)
}

// Compare returns -1, 0 or +1 as t is before, equal to or after u,
// ordering first by time and then by offset, as Swift's internal form
// sorts.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.raw < u.raw:
		return -1
	case t.raw > u.raw:
		return 1
	case t.offset < u.offset:
		return -1
	case t.offset > u.offset:
		return 1
	}
	return 0
}

// Before reports whether t orders before u.
func (t Timestamp) Before(u Timestamp) bool { return t.Compare(u) < 0 }

// After reports whether t orders after u.
func (t Timestamp) After(u Timestamp) bool { return t.Compare(u) > 0 }

// Equal reports whether t and u have the same time and offset.
func (t Timestamp) Equal(u Timestamp) bool { return t == u }

// WithOffset returns t with its offset increased by n.
func (t Timestamp) WithOffset(n uint64) Timestamp {
	t.offset += n
	return t
}

// Add returns t moved by delta deca-microseconds (Swift's delta
// argument), keeping the offset.
func (t Timestamp) Add(delta int64) Timestamp {
	t.raw += delta
	return t
}

// Normalized returns t without its offset.
func (t Timestamp) Normalized() Timestamp { return Timestamp{raw: t.raw} }

// ValidTimestamp returns the X-Timestamp of a backend request, or Swift's
// 400 when it is missing or malformed.
func ValidTimestamp(h http.Header) (Timestamp, error) {
	v, ok := h["X-Timestamp"]
	if !ok || len(v) == 0 {
		return Timestamp{}, NewError(http.StatusBadRequest, "Missing X-Timestamp header")
	}
	t, err := ParseTimestamp(v[0])
	if err != nil {
		return Timestamp{}, NewError(http.StatusBadRequest, "Invalid X-Timestamp header")
	}
	return t, nil
}

// EncodeTimestamps encodes up to three timestamps into one string as
// Swift's encode_timestamps does: t1's short form, then the signed hex
// deltas t2-t1 and t3-t2 in raw units when any is non-zero (or always
// when explicit). Pass nil for absent t2 or t3.
func EncodeTimestamps(t1 Timestamp, t2, t3 *Timestamp, explicit bool) string {
	out := t1.Short()
	if t2 == nil {
		return out
	}
	d1 := t2.raw - t1.raw
	explicit = explicit || d1 != 0
	var d2 int64
	if t3 != nil {
		d2 = t3.raw - t2.raw
		explicit = explicit || d2 != 0
	}
	if !explicit {
		return out
	}
	out += signedHex(d1)
	if t3 != nil {
		out += signedHex(d2)
	}
	return out
}

func signedHex(d int64) string {
	if d < 0 {
		return "-" + strconv.FormatInt(-d, 16)
	}
	return "+" + strconv.FormatInt(d, 16)
}

// DecodeTimestamps reverses EncodeTimestamps. When explicit is false a
// missing component takes the value of the one before it; when true it
// is returned as nil. A zero delta keeps the previous component whole,
// offset included, as Swift does.
func DecodeTimestamps(encoded string, explicit bool) (t1 Timestamp, t2, t3 *Timestamp, err error) {
	var parts []string
	var signs []int64
	for _, pos := range strings.Split(encoded, "+") {
		neg := strings.Split(pos, "-")
		for i, p := range neg {
			parts = append(parts, p)
			if i == 0 {
				signs = append(signs, 1)
			} else {
				signs = append(signs, -1)
			}
		}
	}
	t1, err = ParseTimestamp(parts[0])
	if err != nil {
		return Timestamp{}, nil, nil, err
	}
	delta := func(i int) (int64, error) {
		d, err := strconv.ParseInt(parts[i], 16, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: bad delta in %q", ErrInvalidTimestamp, encoded)
		}
		return signs[i] * d, nil
	}
	if len(parts) > 1 {
		d, err := delta(1)
		if err != nil {
			return Timestamp{}, nil, nil, err
		}
		v := t1
		if d != 0 {
			v = Timestamp{raw: t1.raw + d}
		}
		t2 = &v
	} else if !explicit {
		v := t1
		t2 = &v
	}
	if len(parts) > 2 {
		d, err := delta(2)
		if err != nil {
			return Timestamp{}, nil, nil, err
		}
		v := *t2
		if d != 0 {
			v = Timestamp{raw: t2.raw + d}
		}
		t3 = &v
	} else if !explicit && t2 != nil {
		v := *t2
		t3 = &v
	}
	return t1, t2, t3, nil
}

// NormalizeDeleteAt formats an X-Delete-At value as Swift's
// normalize_delete_at_timestamp: whole seconds in ten digits, clamped to
// [0, 9999999999].
func NormalizeDeleteAt(sec float64) string {
	sec = math.Min(math.Max(0, sec), 9999999999.99999)
	return fmt.Sprintf("%010d", int64(sec))
}

// maxRawTime is Swift's MAX_RAW_TIME, the pivot of Invert.
const maxRawTime = 999999999999999

// Invert returns Swift's ~timestamp: a timestamp whose order is the
// reverse of t's, for names that must list newest first (object
// versions).
func (t Timestamp) Invert() Timestamp {
	if t.offset == 0 {
		return Timestamp{raw: maxRawTime - t.raw}
	}
	return Timestamp{raw: maxRawTime - t.raw - 1, offset: ^uint64(0) - t.offset + 1}
}

// MarshalText returns the internal form.
func (t Timestamp) MarshalText() ([]byte, error) { return []byte(t.Internal()), nil }

// UnmarshalText parses any form ParseTimestamp accepts.
func (t *Timestamp) UnmarshalText(b []byte) error {
	v, err := ParseTimestamp(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
