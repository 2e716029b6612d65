package oauth1

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Signed is an OAuth1-signed request as the API hands it over.
type Signed struct {
	// Method is the HTTP method.
	Method string
	// URL is the request URL as the client signed it: scheme, host as
	// the client sent it, path and query.
	URL string
	// Authorization is the Authorization header ("OAuth k="v", ...").
	Authorization string
	// Headers holds the other request headers an endpoint reads
	// (Requested-Project-Id).
	Headers map[string]string
}

// params is the parsed OAuth protocol parameters of a request.
type params map[string]string

// timestampLifetime is oauthlib's: a signed request older or newer than
// this is refused.
const timestampLifetime = 600 * time.Second

// hexChars are the characters of Keystone's uuid-hex keys and the only
// ones its validator accepts in a key or a nonce.
const hexChars = "abcdef0123456789"

// verifierChars are Keystone's verifier characters: letters and digits
// without the easily confused ones.
const verifierChars = "abcdefghkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// oauthError is oauthlib's error body, which Keystone turns into a 400.
type oauthError struct{ kind, desc string }

func (e *oauthError) Error() string { return e.kind + ": " + e.desc }

func invalidRequest(desc string) error { return &oauthError{"invalid_request", desc} }

// parseAuthorization reads an "OAuth ..." Authorization header as
// oauthlib's parse_authorization_header does: comma-separated
// key="value" pairs, percent-decoded.
func parseAuthorization(h string) (params, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "OAuth") {
		return nil, invalidRequest("Malformed authorization header.")
	}
	p := params{}
	for item := range strings.SplitSeq(rest, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return nil, invalidRequest("Malformed authorization header.")
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		key, err1 := url.PathUnescape(strings.TrimSpace(k))
		val, err2 := url.PathUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, invalidRequest("Malformed authorization header.")
		}
		if _, dup := p[key]; dup {
			return nil, invalidRequest("Duplicate OAuth1 entries.")
		}
		p[key] = val
	}
	return p, nil
}

// encode is RFC 5849's percent-encoding (RFC 3986 unreserved characters
// kept, everything else %XX in upper case).
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// baseString is the signature base string of RFC 5849 3.4.1: the method,
// the base string URI and the normalized parameters (the protocol
// parameters but the signature and realm, and the query).
func baseString(method, rawURL string, p params) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", invalidRequest("Invalid request URI.")
	}
	host := strings.ToLower(u.Host)
	scheme := strings.ToLower(u.Scheme)
	if h, port, ok := strings.Cut(host, ":"); ok && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	var pairs [][2]string
	for k, vs := range u.Query() {
		for _, v := range vs {
			pairs = append(pairs, [2]string{encode(k), encode(v)})
		}
	}
	for k, v := range p {
		if k == "oauth_signature" || k == "realm" {
			continue
		}
		pairs = append(pairs, [2]string{encode(k), encode(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	norm := make([]string, len(pairs))
	for i, kv := range pairs {
		norm[i] = kv[0] + "=" + kv[1]
	}
	return strings.ToUpper(method) + "&" + encode(scheme+"://"+host+path) + "&" + encode(strings.Join(norm, "&")), nil
}

// sign computes the signature of a request with the signature method of
// p, the consumer secret and the token secret ("" before a token).
func sign(method, rawURL string, p map[string]string, consumerSecret, tokenSecret string) (string, error) {
	key := encode(consumerSecret) + "&" + encode(tokenSecret)
	var h func() hash.Hash
	switch p["oauth_signature_method"] {
	case "PLAINTEXT":
		return key, nil
	case "HMAC-SHA1":
		h = sha1.New
	case "HMAC-SHA256":
		h = sha256.New
	case "HMAC-SHA512":
		h = sha512.New
	default:
		return "", &oauthError{"invalid_signature_method", "Invalid signature, " + p["oauth_signature_method"] + " not in HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, PLAINTEXT."}
	}
	base, err := baseString(method, rawURL, p)
	if err != nil {
		return "", err
	}
	m := hmac.New(h, []byte(key))
	m.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// verify reports whether the request's signature is right for the two
// secrets.
func verify(r Signed, p params, consumerSecret, tokenSecret string) bool {
	want, err := sign(r.Method, r.URL, p, consumerSecret, tokenSecret)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(p["oauth_signature"])) == 1
}

// only reports whether every character of s is in set.
func only(s, set string) bool {
	for _, c := range s {
		if !strings.ContainsRune(set, c) {
			return false
		}
	}
	return true
}

// isKey is Keystone's validator check of a client, request or access
// key: 32 lower-case hex characters.
func isKey(s string) bool { return len(s) == 32 && only(s, hexChars) }

// checkMandatory is oauthlib's _check_mandatory_parameters, with
// Keystone's validator: the protocol parameters every signed request
// carries, a known signature method, version 1.0, a fresh timestamp, a
// well-formed consumer key and nonce.
func checkMandatory(p params, now time.Time) error {
	for _, k := range []string{"oauth_signature", "oauth_consumer_key", "oauth_nonce", "oauth_timestamp", "oauth_signature_method"} {
		if p[k] == "" {
			return invalidRequest("Missing mandatory OAuth parameters.")
		}
	}
	switch p["oauth_signature_method"] {
	case "HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "PLAINTEXT":
	default:
		return &oauthError{"invalid_signature_method", "Invalid signature, " + p["oauth_signature_method"] + " not in HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, PLAINTEXT."}
	}
	if v, ok := p["oauth_version"]; ok && v != "1.0" {
		return invalidRequest("Invalid OAuth version.")
	}
	ts := p["oauth_timestamp"]
	if len(ts) != 10 {
		return invalidRequest("Invalid timestamp size")
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return invalidRequest("Timestamp must be an integer.")
	}
	if d := now.Sub(time.Unix(n, 0)); d > timestampLifetime || d < -timestampLifetime {
		return invalidRequest("Timestamp given is invalid, differ from allowed by over 600 seconds.")
	}
	if !isKey(p["oauth_consumer_key"]) {
		return invalidRequest("Invalid client key format.")
	}
	if !only(p["oauth_nonce"], hexChars) {
		return invalidRequest("Invalid nonce format.")
	}
	return nil
}
