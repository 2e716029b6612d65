package api

// DecodeAuthRequestForTest exposes the auth body decoder to fuzzing.
func DecodeAuthRequestForTest(b []byte) { decodeAuthRequest(b) }
