package bulk

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// extract creates the objects of a tar archive: Swift's
// handle_extract_iter.
func (b *Bulk) extract(w http.ResponseWriter, r *http.Request, compress, format string) {
	p := &middleware.Progress{W: w, Format: format, Every: b.cfg.YieldFrequency}
	p.Start()
	created := 0
	var failed [][2]string
	values := func() map[string]any { return map[string]any{"Number Files Created": created} }
	sum := func() middleware.Summary {
		if format == "" {
			return Result(http.StatusOK, "", values(), fail(http.StatusNotAcceptable, ""))
		}
		if !hasLength(r) {
			return Result(http.StatusOK, "", values(), fail(http.StatusLengthRequired, ""))
		}
		path, ok := middleware.SplitPath(r.URL.Path)
		if !ok || (path.Object != "" && path.Container == "") {
			return Result(http.StatusOK, "", values(), fail(http.StatusNotFound, ""))
		}
		base := path.Container
		if path.Object != "" {
			base += "/" + path.Object
		}
		base = strings.TrimRight(base, "/")
		tr, err := tarReader(r.Body, compress)
		if err != nil {
			return Result(http.StatusBadRequest, "Invalid Tar File: "+err.Error(), values(), nil)
		}
		hdr := middleware.AuthHeader(r)
		ctx := r.Context()
		failType := http.StatusBadRequest
		accessed := map[string]bool{}
		containersCreated := 0
		maxPath := func(s string) string {
			if len(s) > maxPathLength {
				s = s[:maxPathLength]
			}
			return middleware.Quote(s)
		}
		for {
			p.Tick()
			if len(failed) >= b.cfg.MaxFailedExtractions {
				break
			}
			th, err := tr.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return Result(http.StatusBadRequest, "Invalid Tar File: "+err.Error(), values(), nil)
			}
			if th.Typeflag != tar.TypeReg {
				continue
			}
			objPath := strings.TrimPrefix(th.Name, "./")
			objPath = strings.TrimLeft(objPath, "/")
			if base != "" {
				objPath = base + "/" + objPath
			}
			if !strings.Contains(objPath, "/") {
				continue // a file at the top level has no container
			}
			dest := path.AccountPath() + "/" + objPath
			cont, _, _ := strings.Cut(objPath, "/")
			if swift.CheckUTF8(dest) != nil {
				failed = append(failed, [2]string{maxPath(objPath), middleware.StatusLine(http.StatusPreconditionFailed)})
				continue
			}
			if th.Size > swift.MaxFileSize {
				failed = append(failed, [2]string{maxPath(objPath), middleware.StatusLine(http.StatusRequestEntityTooLarge)})
				continue
			}
			var contFailure *[2]string
			if !accessed[cont] {
				contPath := path.AccountPath() + "/" + cont
				made, status := b.ensureContainer(r, hdr, contPath)
				switch {
				case status == 0 && made:
					containersCreated++
					if containersCreated > b.cfg.MaxContainersPerExtraction {
						return Result(http.StatusOK, "", values(), fail(http.StatusBadRequest,
							fmt.Sprintf("More than %d containers to create from tar.", b.cfg.MaxContainersPerExtraction)))
					}
				case status == http.StatusUnauthorized:
					return Result(http.StatusOK, "", values(), fail(http.StatusUnauthorized, ""))
				case status != 0:
					contFailure = &[2]string{maxPath(contPath), middleware.StatusLine(status)}
				}
			}
			req := middleware.NewRequest(ctx, http.MethodPut, dest, "", tr)
			for k, v := range hdr {
				req.Header[k] = v
			}
			req.ContentLength = th.Size
			req.TransferEncoding = nil
			req.Header.Set("Content-Length", strconv.FormatInt(th.Size, 10))
			for k, v := range r.Header {
				lk := strings.ToLower(k)
				if lk == "x-delete-at" || lk == "x-delete-after" || swift.IsUserMeta("object", k) {
					req.Header[k] = v
				}
			}
			for k, v := range th.PAXRecords {
				if name := paxHeader(k); name != "" {
					req.Header.Set(name, v)
				}
			}
			resp := middleware.Do(ctx, b.next, req)
			middleware.Drain(resp)
			accessed[cont] = true
			if resp.StatusCode/100 == 2 {
				created++
				continue
			}
			if contFailure != nil {
				failed = append(failed, *contFailure)
			}
			if resp.StatusCode == http.StatusUnauthorized {
				failed = append(failed, [2]string{maxPath(objPath), middleware.StatusLine(http.StatusUnauthorized)})
				s := Result(http.StatusOK, "", values(), fail(http.StatusUnauthorized, ""))
				s.Errors = failed
				return s
			}
			if resp.StatusCode/100 == 5 {
				failType = http.StatusBadGateway
			}
			failed = append(failed, [2]string{maxPath(objPath), middleware.StatusLine(resp.StatusCode)})
		}
		switch {
		case len(failed) > 0:
			return Result(failType, "", values(), nil)
		case created == 0:
			return Result(http.StatusBadRequest, "Invalid Tar File: No Valid Files", values(), nil)
		}
		return Result(http.StatusCreated, "", values(), nil)
	}()
	if sum.Errors == nil {
		sum.Errors = failed
	}
	p.Finish(sum.Render(format, "extract"))
}

// ensureContainer makes sure a container exists: made reports that it
// was created; status is the failing status, 0 on success.
func (b *Bulk) ensureContainer(r *http.Request, hdr http.Header, contPath string) (made bool, status int) {
	ctx := r.Context()
	do := func(method string) int {
		req := middleware.NewRequest(ctx, method, contPath, "", nil)
		for k, v := range hdr {
			req.Header[k] = v
		}
		resp := middleware.Do(ctx, b.next, req)
		middleware.Drain(resp)
		return resp.StatusCode
	}
	s := do(http.MethodHead)
	if s/100 == 2 {
		return false, 0
	}
	if s == http.StatusNotFound {
		s = do(http.MethodPut)
		if s/100 == 2 {
			return true, 0
		}
	}
	return false, s
}

// paxHeader maps the extended attributes GNU tar and libarchive store in
// PAX records to Swift headers: the MIME type and user metadata.
func paxHeader(key string) string {
	switch key {
	case "SCHILY.xattr.user.mime_type", "LIBARCHIVE.xattr.user.mime_type":
		return "Content-Type"
	}
	for _, p := range []string{"SCHILY.xattr.user.meta.", "LIBARCHIVE.xattr.user.meta."} {
		if rest, ok := strings.CutPrefix(key, p); ok {
			return "X-Object-Meta-" + rest
		}
	}
	return ""
}
