package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// MaxBodyBytes caps JSON request bodies (oslo's default max_request_body_size
// is 112 KiB; we allow a little more for policy blobs and user data).
const MaxBodyBytes = 1 << 20

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// NoContent writes a 204.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// DecodeOptions controls Decode.
type DecodeOptions struct {
	// Strict rejects unknown object fields at every level of v.
	Strict bool
	// MaxBytes overrides MaxBodyBytes.
	MaxBytes int64
}

// Decode reads the request body as one JSON value into v. A malformed body,
// wrong types, trailing data or (with Strict) unknown fields give a 400 *apierr.Error
// whose message says what was wrong; an oversized body gives a 413.
func Decode(r *http.Request, v any, opt DecodeOptions) error {
	max := opt.MaxBytes
	if max == 0 {
		max = MaxBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return &apierr.Error{Code: http.StatusBadRequest, Message: "Could not read the request body.", Err: err}
	}
	if int64(len(body)) > max {
		return &apierr.Error{Code: http.StatusRequestEntityTooLarge, Message: "Request is too large."}
	}
	return DecodeBytes(body, v, opt.Strict)
}

// DecodeBytes is Decode over a byte slice.
func DecodeBytes(body []byte, v any, strict bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &apierr.Error{Code: http.StatusBadRequest, Message: "The request body is empty; a JSON object is required."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return &apierr.Error{Code: http.StatusBadRequest, Message: describeJSONError(err), Err: err}
	}
	if dec.More() {
		return &apierr.Error{Code: http.StatusBadRequest, Message: "Invalid JSON: unexpected data after the top-level value."}
	}
	return nil
}

// shortQuoted cuts a quoted field name the client sent to its first 100
// characters and "...": an error message names the field, it does not
// echo a 100 KB key back.
func shortQuoted(q string) string {
	s, err := strconv.Unquote(q)
	if err != nil || utf8.RuneCountInString(s) <= 100 {
		return q
	}
	return strconv.Quote(string([]rune(s)[:100]) + "...")
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("Invalid JSON at offset %d: %s.", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "request body"
		}
		return fmt.Sprintf("Invalid input for field '%s': expected %s, got JSON %s.", field, typ.Type.String(), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "Invalid JSON: the body ended early."
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Sprintf("Additional properties are not allowed (%s was unexpected).", shortQuoted(f))
	}
	return "Invalid JSON: " + msg
}
