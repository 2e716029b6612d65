package console

import (
	"crypto/des"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
)

// The RFB (VNC) security handshake, RFC 6143 section 7.1-7.2, for a VNC
// server with a password: the proxy authenticates to the server with the
// password from the token, then offers the browser the security type
// None. This is Nova's RFBSecurityProxy; the browser never sees the
// password.

// RFB security types (RFC 6143 section 7.2).
const (
	secInvalid = 0
	secNone    = 1
	secVNCAuth = 2
)

// rfbVersion is an RFB protocol version 3.minor.
type rfbVersion int

func (v rfbVersion) banner() []byte { return fmt.Appendf(nil, "RFB 003.%03d\n", int(v)) }

// readVersion reads a 12-byte ProtocolVersion message and returns the
// version to speak: 3.3, 3.7 or 3.8. Unknown minors (Apple's 3.889)
// speak 3.8, older ones 3.3, as the RFC advises.
func readVersion(r io.Reader) (rfbVersion, error) {
	var b [12]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	major, err1 := strconv.Atoi(string(b[4:7]))
	minor, err2 := strconv.Atoi(string(b[8:11]))
	if string(b[:4]) != "RFB " || b[7] != '.' || b[11] != '\n' || err1 != nil || err2 != nil || major != 3 {
		return 0, fmt.Errorf("not an RFB version: %q", b[:])
	}
	switch {
	case minor >= 8:
		return 8, nil
	case minor == 7:
		return 7, nil
	default:
		return 3, nil
	}
}

// readReason reads a failure reason: a u32 length then the text.
func readReason(r io.Reader) string {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil || n > 4096 {
		return "no reason given"
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "no reason given"
	}
	return string(b)
}

// authServer performs the client's half of the handshake with a VNC
// server, up to and including a successful SecurityResult, using
// password for VNC authentication. The server then waits for ClientInit,
// which the browser sends.
func authServer(rw io.ReadWriter, password string) error {
	v, err := readVersion(rw)
	if err != nil {
		return err
	}
	if _, err := rw.Write(v.banner()); err != nil {
		return err
	}
	var sec uint8
	if v == 3 {
		// 3.3: the server chooses.
		var t uint32
		if err := binary.Read(rw, binary.BigEndian, &t); err != nil {
			return err
		}
		if t == secInvalid {
			return fmt.Errorf("VNC server refused the connection: %s", readReason(rw))
		}
		sec = uint8(t)
	} else {
		var n uint8
		if err := binary.Read(rw, binary.BigEndian, &n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("VNC server refused the connection: %s", readReason(rw))
		}
		types := make([]byte, n)
		if _, err := io.ReadFull(rw, types); err != nil {
			return err
		}
		for _, t := range types {
			if t == secVNCAuth || (t == secNone && sec != secVNCAuth) {
				sec = t
			}
		}
		if sec == 0 {
			return fmt.Errorf("VNC server offers no supported security type (%v)", types)
		}
		if _, err := rw.Write([]byte{sec}); err != nil {
			return err
		}
	}
	switch sec {
	case secNone:
		if v < 8 {
			return nil // no SecurityResult for None before 3.8
		}
	case secVNCAuth:
		var challenge [16]byte
		if _, err := io.ReadFull(rw, challenge[:]); err != nil {
			return err
		}
		if _, err := rw.Write(vncAuthResponse(password, challenge)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("VNC server chose unsupported security type %d", sec)
	}
	var result uint32
	if err := binary.Read(rw, binary.BigEndian, &result); err != nil {
		return err
	}
	if result != 0 {
		reason := "authentication failed"
		if v >= 8 {
			reason = readReason(rw)
		}
		return fmt.Errorf("VNC server: %s", reason)
	}
	return nil
}

// offerNone performs the server's half of the handshake with the
// browser, offering only the security type None. The browser then sends
// ClientInit, which goes to the real server.
func offerNone(rw io.ReadWriter) error {
	if _, err := rw.Write(rfbVersion(8).banner()); err != nil {
		return err
	}
	v, err := readVersion(rw)
	if err != nil {
		return err
	}
	if v == 3 {
		return binary.Write(rw, binary.BigEndian, uint32(secNone))
	}
	if _, err := rw.Write([]byte{1, secNone}); err != nil {
		return err
	}
	var choice [1]byte
	if _, err := io.ReadFull(rw, choice[:]); err != nil {
		return err
	}
	if choice[0] != secNone {
		return errors.New("VNC client chose a security type that was not offered")
	}
	if v < 8 {
		return nil
	}
	return binary.Write(rw, binary.BigEndian, uint32(0))
}

// vncAuthResponse encrypts the server's challenge with DES under the
// password (first 8 bytes, zero padded), each key byte's bits reversed
// as VNC has always done.
func vncAuthResponse(password string, challenge [16]byte) []byte {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		key[i] = bits.Reverse8(b)
	}
	block, err := des.NewCipher(key[:])
	if err != nil {
		panic(err) // unreachable: the key is 8 bytes
	}
	out := make([]byte, 16)
	block.Encrypt(out[:8], challenge[:8])
	block.Encrypt(out[8:], challenge[8:])
	return out
}
