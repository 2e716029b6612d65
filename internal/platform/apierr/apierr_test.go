package apierr

import (
	"errors"
	"fmt"
	"testing"
)

func TestStatus(t *testing.T) {
	cause := errors.New("disk on fire")
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{cause, 500},
		{NotFound("Image %s could not be found.", "x"), 404},
		{fmt.Errorf("wrapped: %w", Conflict("taken")), 409},
		{BadRequest("bad").WithCause(cause), 400},
	}
	for _, tt := range tests {
		if got := Status(tt.err); got != tt.want {
			t.Errorf("Status(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestMessageAndCause(t *testing.T) {
	cause := errors.New("private")
	e := Forbidden("Quota exceeded for %s.", "cores").WithCause(cause).WithType("quota")
	if e.Message != "Quota exceeded for cores." || e.Type != "quota" {
		t.Fatalf("got %+v", e)
	}
	if !errors.Is(e, cause) {
		t.Error("the cause is not in the chain")
	}
	if Message(fmt.Errorf("x: %w", e)) != "Quota exceeded for cores." {
		t.Error("Message does not find the public message")
	}
}

func TestIsType(t *testing.T) {
	typed := Conflict("No more IP addresses available.").WithType("IpAddressGenerationFailure")
	tests := []struct {
		err  error
		typ  string
		want bool
	}{
		{typed, "IpAddressGenerationFailure", true},
		{fmt.Errorf("wrapped: %w", typed), "IpAddressGenerationFailure", true},
		{typed, "IpAddressAlreadyAllocated", false},
		{Conflict("untyped"), "IpAddressGenerationFailure", false},
		{errors.New("IpAddressGenerationFailure"), "IpAddressGenerationFailure", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		if got := IsType(tt.err, tt.typ); got != tt.want {
			t.Errorf("IsType(%v, %q) = %v, want %v", tt.err, tt.typ, got, tt.want)
		}
	}
}
