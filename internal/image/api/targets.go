package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// target is an image's policy target, as Glance builds it.
func (h *Handler) target(r *http.Request, img *image.Image) map[string]any {
	t := map[string]any{"project_id": img.Owner, "owner": img.Owner, "visibility": img.Visibility, "id": img.ID}
	if img.Visibility == image.Shared {
		if creds, ok := auth.FromContext(r.Context()); ok && creds.ProjectID != "" {
			if m, err := h.svc.MemberOf(r.Context(), img, creds.ProjectID); err == nil && m != nil {
				t["member_id"] = m.MemberID
			}
		}
	}
	return t
}

// imageTarget is the target of the path's image, read as the caller sees
// it: an image the caller may not see is a 404 before any rule.
func (h *Handler) imageTarget(r *http.Request) (map[string]any, error) {
	img, err := h.svc.Show(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return nil, err
	}
	return h.target(r, img), nil
}

// memberTarget is the image's target with member_id the path's member:
// modify_member is about the membership being changed.
func (h *Handler) memberTarget(r *http.Request) (map[string]any, error) {
	t, err := h.imageTarget(r)
	if err != nil {
		return nil, err
	}
	t["member_id"] = r.PathValue("member_id")
	return t, nil
}

// newImageTarget is add_image's target: the owner and visibility the
// new image asks for.
func (h *Handler) newImageTarget(r *http.Request) (map[string]any, error) {
	body, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	owner := h.caller(r).ProjectID
	if o, ok := body["owner"].(string); ok {
		owner = o
	}
	vis, _ := body["visibility"].(string)
	return map[string]any{"project_id": owner, "owner": owner, "visibility": vis}, nil
}

// checked runs check before target. Glance validates a request (media
// type, body) before it enforces its rules, so that a malformed request
// is answered as such even to a caller who may not act on the image.
func checked(check func(*http.Request) error, target func(*http.Request) (map[string]any, error)) func(*http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		if err := check(r); err != nil {
			return nil, err
		}
		return target(r)
	}
}

// readBody reads the request body, at most max bytes, and puts it back
// for the handler to read again.
func readBody(r *http.Request, max int) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		return nil, &apierr.Error{Code: http.StatusBadRequest, Message: "Could not read the request body.", Err: err}
	}
	if len(body) > max {
		return nil, apierr.TooLarge("Request is too large.")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// decodeObject reads a JSON object body, numbers kept as json.Number so
// that integers can be told from floats.
func decodeObject(r *http.Request) (map[string]any, error) {
	body, err := readBody(r, httpapi.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, apierr.BadRequest("Request body must be a JSON object.")
	}
	return m, nil
}

// checkPatch accepts an update in one of Glance's patch media types and
// within the body size limit.
func checkPatch(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != patch.V21 && mt != patch.V20 {
		return apierr.New(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q: use %s.", mt, patch.V21)
	}
	_, err := readBody(r, httpapi.MaxBodyBytes)
	return err
}

// checkOctets accepts only application/octet-stream data (what is the
// data's name in the refusal).
func checkOctets(what string) func(*http.Request) error {
	return func(r *http.Request) error {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/octet-stream" {
			return apierr.New(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q: %s is application/octet-stream.", mt, what)
		}
		return nil
	}
}

// checkStage accepts staged data when glance-direct is enabled, the
// image stage not existing otherwise.
func (h *Handler) checkStage(r *http.Request) error {
	if err := checkOctets("staged data")(r); err != nil {
		return err
	}
	if !h.imp.Enabled(imports.MethodGlanceDirect) {
		return apierr.NotFound("No image stage found with ID %s", r.PathValue("image_id"))
	}
	return nil
}

// checkImport accepts an import request of an enabled method.
func (h *Handler) checkImport(r *http.Request) error {
	req, err := importRequest(r)
	if err != nil {
		return err
	}
	if !h.imp.Enabled(req.Method) {
		return apierr.BadRequest("Import method %s is not valid. Valid methods: %s", req.Method, strings.Join(h.imp.Methods(), ", "))
	}
	return nil
}

// checkNewMember accepts {"member": "<project id>"}.
func checkNewMember(r *http.Request) error {
	_, err := newMember(r)
	return err
}

// checkMemberStatus accepts {"status": ...} and the member's read-only
// attributes.
func checkMemberStatus(r *http.Request) error {
	_, err := memberStatus(r)
	return err
}
