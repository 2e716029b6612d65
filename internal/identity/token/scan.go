package token

import (
	"encoding/binary"
	"errors"
)

var errShape = errors.New("token payload: malformed msgpack")

// checkShape walks msgpack bytes before they are decoded, so that a
// forged length cannot make the decoder allocate gigabytes: every
// declared length must fit in the bytes that remain. Payloads hold only
// arrays, integers, floats, booleans, nil, strings and binaries; maps
// and extensions are refused.
func checkShape(b []byte) error {
	n, err := scanValue(b, 0)
	if err != nil {
		return err
	}
	if n != len(b) {
		return errShape
	}
	return nil
}

// scanValue returns the length in bytes of the msgpack value at b[0].
func scanValue(b []byte, depth int) (int, error) {
	if len(b) == 0 || depth > 4 {
		return 0, errShape
	}
	c := b[0]
	need := func(n int) (int, error) {
		if n < 0 || n > len(b) {
			return 0, errShape
		}
		return n, nil
	}
	be := func(off, size int) (int, bool) {
		if len(b) < off+size {
			return 0, false
		}
		switch size {
		case 1:
			return int(b[off]), true
		case 2:
			return int(binary.BigEndian.Uint16(b[off:])), true
		default:
			v := binary.BigEndian.Uint32(b[off:])
			if v > 1<<20 {
				return 0, false
			}
			return int(v), true
		}
	}
	array := func(hdr, count int) (int, error) {
		off := hdr
		for i := 0; i < count; i++ {
			if off >= len(b) {
				return 0, errShape
			}
			n, err := scanValue(b[off:], depth+1)
			if err != nil {
				return 0, err
			}
			off += n
		}
		return off, nil
	}
	switch {
	case c <= 0x7f, c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3: // fixint, nil, bool
		return 1, nil
	case c >= 0xa0 && c <= 0xbf: // fixstr
		return need(1 + int(c&0x1f))
	case c >= 0x90 && c <= 0x9f: // fixarray
		return array(1, int(c&0x0f))
	}
	switch c {
	case 0xcc, 0xd0:
		return need(2)
	case 0xcd, 0xd1:
		return need(3)
	case 0xce, 0xd2, 0xca:
		return need(5)
	case 0xcf, 0xd3, 0xcb:
		return need(9)
	case 0xd9, 0xc4: // str8, bin8
		l, ok := be(1, 1)
		if !ok {
			return 0, errShape
		}
		return need(2 + l)
	case 0xda, 0xc5:
		l, ok := be(1, 2)
		if !ok {
			return 0, errShape
		}
		return need(3 + l)
	case 0xdb, 0xc6:
		l, ok := be(1, 4)
		if !ok {
			return 0, errShape
		}
		return need(5 + l)
	case 0xdc:
		l, ok := be(1, 2)
		if !ok || l > len(b) {
			return 0, errShape
		}
		return array(3, l)
	case 0xdd:
		l, ok := be(1, 4)
		if !ok || l > len(b) {
			return 0, errShape
		}
		return array(5, l)
	}
	return 0, errShape
}
