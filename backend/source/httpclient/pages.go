package httpclient

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
)

var linkNext = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// NextLink returns the rel="next" URL of an RFC 8288 Link header (GitHub,
// GitLab, Bitbucket Server), resolved against the request URL, or "".
func NextLink(resp *http.Response) string {
	for _, h := range resp.Header.Values("Link") {
		if m := linkNext.FindStringSubmatch(h); m != nil {
			next, err := url.Parse(m[1])
			if err != nil {
				return ""
			}
			if resp.Request != nil && resp.Request.URL != nil {
				next = resp.Request.URL.ResolveReference(next)
			}
			return next.String()
		}
	}
	return ""
}

// EachLinkPage GETs first and every rel="next" page after it, decoding each
// JSON page into a []T and handing it to fn. fn returns false to stop early
// (for example when a page is older than the window).
func EachLinkPage[T any](ctx context.Context, c *Client, first string, header http.Header, fn func(page []T) (more bool, err error)) error {
	for u := first; u != ""; {
		var page []T
		resp, err := c.GetJSON(ctx, u, header, &page)
		if err != nil {
			return err
		}
		more, err := fn(page)
		if err != nil || !more {
			return err
		}
		u = NextLink(resp)
	}
	return nil
}

// EachOffsetPage walks page- or offset-numbered pages: pageURL(n) for
// n = 0, 1, 2 ... until a page is empty, shorter than pageSize, or fn stops.
func EachOffsetPage[T any](ctx context.Context, c *Client, pageSize int, pageURL func(n int) string, fn func(page []T) (more bool, err error)) error {
	for n := 0; ; n++ {
		var page []T
		if _, err := c.GetJSON(ctx, pageURL(n), nil, &page); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		more, err := fn(page)
		if err != nil || !more || len(page) < pageSize {
			return err
		}
	}
}

// EachCursorPage walks cursor-paginated APIs (Jira's nextPageToken, GraphQL
// endCursor, Slack's next_cursor): pageURL("") first, then pageURL(next)
// while decode reports a next cursor. P is the page's JSON shape.
func EachCursorPage[P any](ctx context.Context, c *Client, pageURL func(cursor string) string, next func(*P) string, fn func(*P) (more bool, err error)) error {
	cursor := ""
	for {
		var page P
		if _, err := c.GetJSON(ctx, pageURL(cursor), nil, &page); err != nil {
			return err
		}
		more, err := fn(&page)
		if err != nil || !more {
			return err
		}
		if cursor = next(&page); cursor == "" {
			return nil
		}
	}
}
