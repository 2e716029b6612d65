package filestore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha512"
	"errors"
	"io"
	"math/rand"
	"testing"
)

func TestFanoutCopy(t *testing.T) {
	for _, size := range []int{0, 1, 1 << 20, 1<<20 + 1, 5<<20 + 12345} {
		data := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(data)
		var out bytes.Buffer
		m5, s512 := md5.New(), sha512.New()
		n, err := Copy(bytes.NewReader(data), &out, m5, s512)
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: n=%d err=%v", size, n, err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("size %d: data differs", size)
		}
		if want := md5.Sum(data); !bytes.Equal(m5.Sum(nil), want[:]) {
			t.Fatalf("size %d: md5 differs", size)
		}
		if want := sha512.Sum512(data); !bytes.Equal(s512.Sum(nil), want[:]) {
			t.Fatalf("size %d: sha512 differs", size)
		}
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk full")
	}
	f.after--
	return len(b), nil
}

type failReader struct{ n int }

func (f *failReader) Read(b []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	f.n--
	return len(b), nil
}

func TestFanoutCopyErrors(t *testing.T) {
	if _, err := Copy(io.LimitReader(zeros{}, 10<<20), &failWriter{after: 2}, io.Discard); err == nil || err.Error() != "disk full" {
		t.Fatalf("writer error: %v", err)
	}
	if _, err := Copy(&failReader{n: 3}, io.Discard, io.Discard); err == nil || err.Error() != "connection reset" {
		t.Fatalf("reader error: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }

func BenchmarkFanoutCopy(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Copy(bytes.NewReader(data), io.Discard, md5.New(), sha512.New())
	}
}

func BenchmarkSerialCopy(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	buf := make([]byte, 1<<20)
	for b.Loop() {
		io.CopyBuffer(io.MultiWriter(io.Discard, md5.New(), sha512.New()), bytes.NewReader(data), buf)
	}
}
