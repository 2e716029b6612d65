package imports

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// hostFilter is web-download's allow-list: only http and https URLs whose
// host is listed by name, or is an address inside a listed prefix, are
// fetched, and every connection (redirects included) is checked again at
// dial time against the address actually dialled.
type hostFilter struct {
	names    map[string]bool
	prefixes []netip.Prefix
}

func newHostFilter(hosts []string) (*hostFilter, error) {
	f := &hostFilter{names: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if p, err := netip.ParsePrefix(h); err == nil {
			f.prefixes = append(f.prefixes, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(h); err == nil {
			f.prefixes = append(f.prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		if strings.ContainsAny(h, "/:@ ") {
			return nil, fmt.Errorf("image: web-download allowed host %q is not a host name, address or prefix", h)
		}
		f.names[h] = true
	}
	return f, nil
}

func (f *hostFilter) allowHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		for _, p := range f.prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return f.names[host]
}

func (f *hostFilter) allowURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not allowed")
	}
	if u.Hostname() == "" || !f.allowHost(u.Hostname()) {
		return fmt.Errorf("host %q is not allowed", u.Hostname())
	}
	return nil
}

func (f *hostFilter) allowString(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	return f.allowURL(u)
}

// client returns an HTTP client that fetches only what the filter
// allows: no proxy from the environment, redirects checked, and the
// dialled address checked (an allowed name that resolves is trusted; an
// address literal must be inside a listed prefix).
func (f *hostFilter) client() *http.Client {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if !f.allowHost(host) {
				return nil, fmt.Errorf("web-download: host %q is not allowed", host)
			}
			return d.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("web-download: too many redirects")
			}
			return f.allowURL(req.URL)
		},
	}
}

// webDownload fetches uri into the staging area.
func (s *Service) webDownload(ctx context.Context, id, uri string) error {
	resp, err := s.fetch(ctx, uri, "web-download")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	maxSize := s.img.Config().MaxImageSize
	w, err := s.img.Staging().Put(ctx, id, resp.Body, maxSize)
	if err != nil {
		if e, ok := apierr.As(err); ok && e.Code == http.StatusRequestEntityTooLarge {
			return &importError{Msg: e.Message}
		}
		if ctx.Err() == nil {
			return &importError{Msg: fmt.Sprintf("Cannot download %s: %v", uri, err)}
		}
		return err
	}
	if resp.ContentLength >= 0 && w.Size != resp.ContentLength {
		_ = s.img.Staging().Delete(ctx, id)
		return &importError{Msg: fmt.Sprintf("Downloaded %d bytes of %s, expected %d", w.Size, uri, resp.ContentLength)}
	}
	return nil
}

// fetch starts the download of uri through the allow-list's client, for
// web-download and for the tasks API's import tasks (what names the
// caller in the messages). A refusal, an unreachable server, an answer
// other than 200 and data larger than the image size cap are
// importErrors; the caller closes the body.
func (s *Service) fetch(ctx context.Context, uri, what string) (*http.Response, error) {
	if err := s.filter.allowString(uri); err != nil {
		return nil, &importError{Msg: fmt.Sprintf("URI for %s does not pass filtering: %s", what, uri)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, &importError{Msg: fmt.Sprintf("Bad %s URI %s: %v", what, uri, err)}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, &importError{Msg: fmt.Sprintf("Cannot download %s: %v", uri, err)}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &importError{Msg: fmt.Sprintf("Cannot download %s: %s", uri, resp.Status)}
	}
	if maxSize := s.img.Config().MaxImageSize; maxSize > 0 && resp.ContentLength > maxSize {
		resp.Body.Close()
		return nil, &importError{Msg: fmt.Sprintf("%s is %d bytes, more than the maximum image size %d", uri, resp.ContentLength, maxSize)}
	}
	return resp, nil
}
