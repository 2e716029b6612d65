// Package s3err holds the S3 error responses of the S3 API: the code,
// the HTTP status and the message of each, as Swift's s3api middleware
// answers them (s3response.py), and their XML body.
package s3err

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Field is one extra element of an error body after Code, Message and
// RequestId (BucketName, Key, ArgumentName...), in the order given.
type Field struct {
	Name, Value string
}

// Error is an S3 error response. Cause, if set, is for the log only.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  []Field
	Cause   error
}

// Error returns the code and message (and the cause, for the log).
func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// With returns a copy of e with the extra fields appended.
func (e *Error) With(kv ...string) *Error {
	c := *e
	c.Fields = append(append([]Field(nil), e.Fields...), pairs(kv)...)
	return &c
}

// WithCause returns a copy of e carrying cause for the log.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

func pairs(kv []string) []Field {
	var f []Field
	for i := 0; i+1 < len(kv); i += 2 {
		f = append(f, Field{kv[i], kv[i+1]})
	}
	return f
}

func newErr(status int, code, msg string, kv ...string) *Error {
	return &Error{Status: status, Code: code, Message: msg, Fields: pairs(kv)}
}

// Declaration is the XML declaration lxml writes before every document
// s3api renders.
const Declaration = "<?xml version='1.0' encoding='UTF-8'?>\n"

// Body renders the error document: Code, Message, RequestId (when
// known), then the extra fields, without the S3 namespace, as s3api's
// ErrorResponse does.
func (e *Error) Body(requestID string) []byte {
	var b strings.Builder
	b.WriteString(Declaration)
	b.WriteString("<Error><Code>")
	Escape(&b, e.Code)
	b.WriteString("</Code><Message>")
	Escape(&b, e.Message)
	b.WriteString("</Message>")
	if requestID != "" {
		b.WriteString("<RequestId>")
		Escape(&b, requestID)
		b.WriteString("</RequestId>")
	}
	for _, f := range e.Fields {
		b.WriteString("<" + f.Name + ">")
		Escape(&b, f.Value)
		b.WriteString("</" + f.Name + ">")
	}
	b.WriteString("</Error>")
	return []byte(b.String())
}

// Write sends e as the response, with its request id in x-amz-request-id
// and x-amz-id-2 (set by the caller beforehand). A HEAD answer carries
// no body, as HTTP requires.
func (e *Error) Write(w http.ResponseWriter, r *http.Request, requestID string) {
	body := e.Body(requestID)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if e.Code == "RequestTimeout" {
		h.Set("Connection", "close")
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client is gone if this fails
	}
}

// Escape writes s to b with XML's special characters escaped.
func Escape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s)) // a strings.Builder never fails
}

// The errors the S3 API answers with, with s3response.py's statuses and
// messages.
func AccessDenied(msg string) *Error {
	if msg == "" {
		msg = "Access Denied."
	}
	return newErr(http.StatusForbidden, "AccessDenied", msg)
}

func AuthorizationHeaderMalformed(msg string) *Error {
	if msg == "" {
		msg = "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."
	}
	return newErr(http.StatusBadRequest, "AuthorizationHeaderMalformed", msg)
}

func AuthorizationQueryParametersError(msg string) *Error {
	return newErr(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)
}

func BadDigest(msg string) *Error {
	if msg == "" {
		msg = "The Content-MD5 you specified did not match what we received."
	}
	return newErr(http.StatusBadRequest, "BadDigest", msg)
}

func XAmzContentSHA256Mismatch(client, computed string) *Error {
	return newErr(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.",
		"ClientComputedContentSHA256", client, "S3ComputedContentSHA256", computed)
}

func BucketAlreadyExists(bucket string) *Error {
	return newErr(http.StatusConflict, "BucketAlreadyExists",
		"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
		"BucketName", bucket)
}

func BucketAlreadyOwnedByYou(bucket string) *Error {
	return newErr(http.StatusConflict, "BucketAlreadyOwnedByYou",
		"Your previous request to create the named bucket succeeded and you already own it.", "BucketName", bucket)
}

func BucketNotEmpty() *Error {
	return newErr(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
}

func EntityTooSmall(msg string) *Error {
	if msg == "" {
		msg = "Your proposed upload is smaller than the minimum allowed object size."
	}
	return newErr(http.StatusBadRequest, "EntityTooSmall", msg)
}

func EntityTooLarge() *Error {
	return newErr(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
}

func IncompleteBody(msg string, kv ...string) *Error {
	if msg == "" {
		msg = "You did not provide the number of bytes specified by the Content-Length HTTP header"
	}
	return newErr(http.StatusBadRequest, "IncompleteBody", msg, kv...)
}

func InternalError(msg string) *Error {
	if msg == "" {
		msg = "We encountered an internal error. Please try again."
	}
	return newErr(http.StatusInternalServerError, "InternalError", msg)
}

func InvalidArgument(name, value, msg string) *Error {
	if msg == "" {
		msg = "Invalid Argument."
	}
	return newErr(http.StatusBadRequest, "InvalidArgument", msg, "ArgumentName", name, "ArgumentValue", value)
}

func InvalidPartArgument(maxParts int, value string) *Error {
	return newErr(http.StatusBadRequest, "InvalidArgument",
		"Part number must be an integer between 1 and "+strconv.Itoa(maxParts)+", inclusive",
		"ArgumentName", "partNumber", "ArgumentValue", value)
}

func InvalidBucketName(bucket string) *Error {
	return newErr(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.", "BucketName", bucket)
}

func InvalidChunkSize(chunk, size int) *Error {
	return newErr(http.StatusForbidden, "InvalidChunkSizeError",
		"Only the last chunk is allowed to have a size less than 8192 bytes",
		"Chunk", strconv.Itoa(chunk), "BadChunkSize", strconv.Itoa(size))
}

func InvalidDigest(contentMD5 string) *Error {
	return newErr(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.", "ContentMD5", contentMD5)
}

func InvalidLocationConstraint() *Error {
	return newErr(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location constraint is not valid.")
}

func InvalidPart(uploadID string, kv ...string) *Error {
	return newErr(http.StatusBadRequest, "InvalidPart",
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
		append([]string{"UploadId", uploadID}, kv...)...)
}

func InvalidPartOrder(uploadID string) *Error {
	return newErr(http.StatusBadRequest, "InvalidPartOrder",
		"The list of parts was not in ascending order.Parts list must specified in order by part number.", "UploadId", uploadID)
}

func InvalidRange() *Error {
	return newErr(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range cannot be satisfied.")
}

func InvalidPartNumber() *Error {
	return newErr(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable")
}

func InvalidRequest(msg string) *Error {
	if msg == "" {
		msg = "Invalid Request."
	}
	return newErr(http.StatusBadRequest, "InvalidRequest", msg)
}

func InvalidStorageClass() *Error {
	return newErr(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid.")
}

func InvalidURI(uri string) *Error {
	return newErr(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.", "URI", uri)
}

func KeyTooLong() *Error {
	return newErr(http.StatusBadRequest, "KeyTooLongError", "Your key is too long.")
}

func MalformedACL() *Error {
	return newErr(http.StatusBadRequest, "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema.")
}

func MalformedTrailer() *Error {
	return newErr(http.StatusBadRequest, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.")
}

func MalformedXML() *Error {
	return newErr(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

func MethodNotAllowed(method, resourceType string) *Error {
	return newErr(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.",
		"Method", method, "ResourceType", resourceType)
}

func MissingContentLength() *Error {
	return newErr(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
}

func MissingRequestBody() *Error {
	return newErr(http.StatusBadRequest, "MissingRequestBodyError", "Request body is empty.")
}

func MissingSecurityHeader(name string) *Error {
	return newErr(http.StatusBadRequest, "MissingSecurityHeader", "Your request was missing a required header.", "MissingHeaderName", name)
}

func NoSuchBucket(bucket string) *Error {
	return newErr(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.", "BucketName", bucket)
}

func NoSuchKey(key string) *Error {
	return newErr(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", "Key", key)
}

func NoSuchUpload(uploadID string) *Error {
	return newErr(http.StatusNotFound, "NoSuchUpload",
		"The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.",
		"UploadId", uploadID)
}

func NoSuchVersion(key, version string) *Error {
	return newErr(http.StatusNotFound, "NoSuchVersion", "The specified version does not exist.", "Key", key, "VersionId", version)
}

// NotImplemented is s3api's S3NotImplemented (code NotImplemented, 501).
func NotImplemented(msg string, kv ...string) *Error {
	if msg == "" {
		msg = "Not implemented."
	}
	return newErr(http.StatusNotImplemented, "NotImplemented", msg, kv...)
}

func PreconditionFailed() *Error {
	return newErr(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the preconditions you specified did not hold.")
}

func RequestTimeout() *Error {
	return newErr(http.StatusBadRequest, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period.")
}

func RequestTimeTooSkewed() *Error {
	return newErr(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
}

func SignatureDoesNotMatch(kv ...string) *Error {
	return newErr(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.", kv...)
}

func ServiceUnavailable() *Error {
	return newErr(http.StatusServiceUnavailable, "ServiceUnavailable", "Please reduce your request rate.")
}

// SlowDown is a 503 whose reason phrase s3api gives as "Slow Down"; Go
// writes the standard phrase.
func SlowDown() *Error {
	return newErr(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
}

func UnexpectedContent() *Error {
	return newErr(http.StatusBadRequest, "UnexpectedContent", "This request does not support content.")
}

func UserKeyMustBeSpecified() *Error {
	return newErr(http.StatusBadRequest, "UserKeyMustBeSpecified",
		"The bucket POST must contain the specified field name. If it is specified, please check the order of the fields.")
}

func BrokenMPU() *Error {
	return newErr(http.StatusConflict, "BrokenMPU", "Multipart upload has broken segment data.")
}

// Is reports whether err is the S3 error with code.
func Is(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
