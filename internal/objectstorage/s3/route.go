package s3

import (
	"github.com/gostack/gostack/internal/objectstorage/s3/multipart"
	"github.com/gostack/gostack/internal/objectstorage/s3/ops"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
)

// controller serves one kind of S3 request.
type controller func(c *ops.Request) error

// unsupported are the subresources s3api answers 501 for.
var unsupported = []string{"notification", "policy", "publicAccessBlock", "requestPayment", "torrent", "website", "cors", "restore"}

// route picks the controller of the request, as S3Request.controller and
// the controllers' methods do; a method a controller lacks is 405.
func (c *call) route() (controller, error) {
	for _, p := range unsupported {
		if c.q.Has(p) {
			return nil, s3err.NotImplemented("The requested resource is not implemented")
		}
	}
	m := c.r.Method
	pick := func(resource string, ms map[string]controller) (controller, error) {
		if f, ok := ms[m]; ok {
			return f, nil
		}
		return nil, s3err.MethodNotAllowed(m, resource)
	}
	if c.bucket == "" {
		return pick("SERVICE", map[string]controller{"GET": (*ops.Request).ListBuckets})
	}
	switch {
	case c.q.Has("acl"):
		return pick("ACL", map[string]controller{"GET": (*ops.Request).GetACL, "PUT": (*ops.Request).PutACL})
	case c.q.Has("delete"):
		return pick("MULTI_OBJECT_DELETE", map[string]controller{"POST": bucketOp((*ops.Request).DeleteObjects)})
	case c.q.Has("location"):
		return pick("LOCATION", map[string]controller{"GET": bucketOp((*ops.Request).Location)})
	case c.q.Has("logging"):
		return pick("LOGGING_STATUS", map[string]controller{"GET": (*ops.Request).Logging, "PUT": (*ops.Request).Logging})
	case c.q.Has("partNumber") && m == "PUT":
		return multipart.UploadPart, nil
	case c.q.Has("partNumber"):
		return pick("OBJECT", objectMethods)
	case c.q.Has("uploadId"):
		return pick("UPLOAD", map[string]controller{"GET": multipart.ListParts, "DELETE": multipart.Abort, "POST": multipart.Complete})
	case c.q.Has("uploads"):
		return pick("UPLOADS", map[string]controller{"GET": multipart.ListUploads, "POST": multipart.Initiate})
	case c.q.Has("versioning"):
		return pick("VERSIONING", map[string]controller{"GET": bucketOp((*ops.Request).GetVersioning), "PUT": bucketOp((*ops.Request).PutVersioning)})
	case c.q.Has("tagging"):
		return pick("TAGGING", map[string]controller{"GET": (*ops.Request).GetTagging, "PUT": notImplemented, "DELETE": notImplemented})
	case c.q.Has("object-lock"):
		return pick("OBJECT_LOCK", map[string]controller{"GET": bucketOp((*ops.Request).GetObjectLock), "PUT": bucketOp(notImplemented)})
	case c.key != "":
		return pick("OBJECT", objectMethods)
	}
	return pick("BUCKET", map[string]controller{"HEAD": (*ops.Request).HeadBucket, "GET": (*ops.Request).ListObjects,
		"PUT": (*ops.Request).CreateBucket, "DELETE": (*ops.Request).DeleteBucket, "POST": notImplemented})
}

var objectMethods = map[string]controller{"GET": (*ops.Request).GetObject, "HEAD": (*ops.Request).GetObject,
	"PUT": (*ops.Request).PutObject, "POST": notImplemented, "DELETE": (*ops.Request).DeleteObject}

func notImplemented(*ops.Request) error { return s3err.NotImplemented("") }

// bucketOp serves a bucket operation sent with a key as if without it
// (s3api's bucket_operation).
func bucketOp(f controller) controller {
	return func(c *ops.Request) error {
		c.Key = ""
		return f(c)
	}
}
