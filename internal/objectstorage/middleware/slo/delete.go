package slo

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/middleware/bulk"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func decodeData(s string) []byte {
	d, _ := base64.StdEncoding.DecodeString(s)
	return d
}

// delete serves DELETE ?multipart-manifest=delete: every segment (those
// of manifests within it too), then the manifest, with bulk delete's
// summary. Swift's handle_multipart_delete.
func (s *SLO) delete(w http.ResponseWriter, r *http.Request, p middleware.Path) {
	// ?async=true (queueing the segments for the expirer) is not
	// offered: /info says allow_async_delete: false, and Swift with it
	// off deletes synchronously, as here.
	format, err := middleware.BestMatch(r.Header.Get("Accept"), middleware.SummaryFormats())
	if err != nil {
		format = ""
	}
	prog := &middleware.Progress{W: w, Format: format, Every: s.cfg.YieldFrequency}
	prog.Start()
	var sum middleware.Summary
	if swift.CheckUTF8(r.URL.Path) != nil {
		sum = bulk.Result(http.StatusPreconditionFailed, "Invalid UTF8 or contains NULL", nil, nil)
	} else if format == "" {
		sum = bulk.Result(http.StatusNotAcceptable, swift.DefaultBody(http.StatusNotAcceptable), nil, nil)
	} else {
		items, err := s.toDelete(r, p)
		if err != nil {
			sum = bulk.Result(err.Status, err.Body, nil, nil)
		} else {
			sum = s.deleter.Delete(r, prog, func(yield func(bulk.Item) bool) {
				for _, it := range items {
					if !yield(it) {
						return
					}
				}
			}, 1000)
		}
	}
	prog.Finish(sum.Render(format, "delete"))
}

// toDelete walks a manifest and the manifests within it and lists the
// objects to delete, the manifests last, as Swift's
// get_segments_to_delete_iter.
func (s *SLO) toDelete(r *http.Request, p middleware.Path) ([]bulk.Item, *swift.HTTPError) {
	type entry struct {
		name   string
		subSLO bool
		data   bool
		item   bulk.Item
	}
	queue := []entry{{name: "/" + p.Container + "/" + p.Object, subSLO: true}}
	var out []bulk.Item
	for len(queue) > 0 {
		if len(queue) > s.cfg.MaxManifestSegments*10 {
			return nil, swift.NewError(http.StatusBadRequest, "Too many buffered slo segments to delete.")
		}
		e := queue[0]
		queue = queue[1:]
		if e.data {
			continue
		}
		if !e.subSLO {
			out = append(out, e.item)
			continue
		}
		item := bulk.Item{Name: e.name}
		segs, herr := s.manifestSegments(r, p, e.name)
		if herr != nil {
			item.Status, item.Message = herr.Status, herr.Body
		}
		for _, sg := range segs {
			queue = append(queue, entry{name: sg.Name, subSLO: sg.SubSLO, data: sg.Data != "", item: bulk.Item{Name: sg.Name}})
		}
		queue = append(queue, entry{name: e.name, item: item})
	}
	return out, nil
}

// manifestSegments reads the manifest named "/container/object" for a
// delete, with Swift's errors: 404 "SLO manifest not found", 400 "Not an
// SLO manifest", 401, or 500.
func (s *SLO) manifestSegments(r *http.Request, p middleware.Path, name string) ([]Stored, *swift.HTTPError) {
	req := middleware.NewRequest(r.Context(), http.MethodGet, p.AccountPath()+"/"+strings.TrimLeft(name, "/"), "multipart-manifest=get", nil)
	for k, v := range middleware.AuthHeader(r) {
		req.Header[k] = v
	}
	resp := middleware.Do(r.Context(), s.next, req)
	defer resp.Body.Close()
	switch {
	case resp.StatusCode/100 == 2:
		if !trueValue(resp.Header.Get("X-Static-Large-Object")) {
			return nil, swift.NewError(http.StatusBadRequest, "Not an SLO manifest")
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, int64(2*s.cfg.MaxManifestSize+1<<20)))
		var segs []Stored
		if err != nil || json.Unmarshal(body, &segs) != nil {
			return nil, swift.NewError(http.StatusInternalServerError, "Unable to load SLO manifest")
		}
		return segs, nil
	case resp.StatusCode == http.StatusNotFound:
		return nil, swift.NewError(http.StatusNotFound, "SLO manifest not found")
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, swift.NewError(http.StatusUnauthorized, "401 Unauthorized")
	}
	return nil, swift.NewError(http.StatusInternalServerError, "Unable to load SLO manifest or segment.")
}
