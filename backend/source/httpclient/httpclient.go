// Package httpclient is the HTTP client every data source uses: timeouts and
// context cancellation, retries with backoff on network errors, 5xx and 429
// (go-retryablehttp), waiting out Retry-After and the rate-limit headers of
// GitHub, GitLab and others instead of failing, client-side pacing
// (x/time/rate), and a count of requests for the run record. URLs in errors
// and logs lose their query string, and configured secrets are masked.
package httpclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Options tune a client; the zero value is usable.
type Options struct {
	// Timeout bounds one attempt, body included (default 60s).
	Timeout time.Duration
	// RetryMax is how many times a failed attempt is retried (default 5).
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff (1s, 30s).
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRateLimitWait is the longest the client waits for a rate limit to
	// reset before it gives up (default 15m): the next run resumes.
	MaxRateLimitWait time.Duration
	// RequestsPerSecond paces requests (0: no pacing); Burst defaults to 1.
	RequestsPerSecond float64
	Burst             int
	// Secrets are masked in every error and log line.
	Secrets   []string
	UserAgent string
	Log       *slog.Logger
	// Transport is the underlying transport (default: a pooled one).
	Transport http.RoundTripper
}

// Client is safe for concurrent use. Each collection job gets its own, so
// that Requests counts that job's requests.
type Client struct {
	opts     Options
	rc       *retryablehttp.Client
	std      *http.Client
	limiter  *rate.Limiter
	requests atomic.Int64
	log      *slog.Logger
}

// New returns a client.
func New(opts Options) *Client {
	if opts.Timeout == 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.RetryMax == 0 {
		opts.RetryMax = 5
	}
	if opts.RetryWaitMin == 0 {
		opts.RetryWaitMin = time.Second
	}
	if opts.RetryWaitMax == 0 {
		opts.RetryWaitMax = 30 * time.Second
	}
	if opts.MaxRateLimitWait == 0 {
		opts.MaxRateLimitWait = 15 * time.Minute
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "Momentum"
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{opts: opts, log: log}
	if opts.RequestsPerSecond > 0 {
		burst := opts.Burst
		if burst < 1 {
			burst = 1
		}
		c.limiter = rate.NewLimiter(rate.Limit(opts.RequestsPerSecond), burst)
	}
	base := opts.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Timeout: opts.Timeout, Transport: &countingTransport{c: c, next: base}}
	rc.Logger = nil // we log ourselves, without queries or secrets
	rc.RetryMax = opts.RetryMax
	rc.RetryWaitMin = opts.RetryWaitMin
	rc.RetryWaitMax = opts.RetryWaitMax
	rc.CheckRetry = c.checkRetry
	rc.Backoff = c.backoff
	rc.ErrorHandler = c.giveUp
	rc.RequestLogHook = func(_ retryablehttp.Logger, r *http.Request, attempt int) {
		if attempt > 0 {
			c.log.Info("http: retrying", "method", r.Method, "url", c.RedactURL(r.URL), "attempt", attempt+1)
		}
	}
	c.rc = rc
	c.std = rc.StandardClient()
	return c
}

// Requests is the number of HTTP requests sent, retries included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// StandardClient is an *http.Client with the same retries, waiting, pacing
// and counting, for SDKs that take one (go-github, client-go).
func (c *Client) StandardClient() *http.Client { return c.std }

// Do sends req with retries. A response is returned for any status the
// client does not retry (4xx, 304); the caller checks the status.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, c.redactErr(err)
	}
	resp, err := c.rc.Do(rreq)
	if err != nil {
		return nil, c.redactErr(err)
	}
	return resp, nil
}

// Get sends a GET with the given headers.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, c.redactErr(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return c.Do(req)
}

// StatusError is a response the caller did not expect.
type StatusError struct {
	Method, URL string
	Status      int
	Body        string // the start of the body, secrets masked
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	switch e.Status {
	case http.StatusUnauthorized:
		msg += " (check the token)"
	case http.StatusForbidden:
		msg += " (the token lacks a permission, or the rate limit was exhausted)"
	}
	return msg
}

// GetJSON GETs rawURL and decodes a 2xx JSON body into into. A 304 (with
// If-None-Match in header) returns the response and leaves into alone.
func (c *Client) GetJSON(ctx context.Context, rawURL string, header http.Header, into any) (*http.Response, error) {
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Accept") == "" {
		header.Set("Accept", "application/json")
	}
	resp, err := c.Get(ctx, rawURL, header)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return resp, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, c.statusError(resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return resp, c.redactErr(fmt.Errorf("GET %s: the response is not valid JSON: %w", c.RedactURL(resp.Request.URL), err))
	}
	return resp, nil
}

func (c *Client) statusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	return &StatusError{
		Method: resp.Request.Method,
		URL:    c.RedactURL(resp.Request.URL),
		Status: resp.StatusCode,
		Body:   c.redact(strings.TrimSpace(string(b))),
	}
}

// countingTransport counts every attempt and paces it with the limiter.
type countingTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.c.limiter != nil {
		if err := t.c.limiter.Wait(r.Context()); err != nil {
			return nil, err
		}
	}
	t.c.requests.Add(1)
	return t.next.RoundTrip(r)
}

// errWaitTooLong stops retries when a limit resets later than we wait.
type errWaitTooLong struct {
	host  string
	until time.Duration
	max   time.Duration
}

func (e *errWaitTooLong) Error() string {
	return fmt.Sprintf("%s is rate limited for another %s, longer than the %s Momentum waits; the next collection resumes from here",
		e.host, e.until.Round(time.Second), e.max)
}

func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err == nil && resp != nil {
		if wait, limited := rateLimitWait(resp, time.Now()); limited {
			if wait > c.opts.MaxRateLimitWait {
				return false, &errWaitTooLong{host: resp.Request.URL.Host, until: wait, max: c.opts.MaxRateLimitWait}
			}
			return true, nil
		}
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

func (c *Client) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, limited := rateLimitWait(resp, time.Now()); limited {
			c.log.Info("http: rate limited, waiting", "host", resp.Request.URL.Host, "status", resp.StatusCode, "wait", wait.Round(time.Millisecond))
			return wait
		}
	}
	return retryablehttp.DefaultBackoff(min, max, attempt, resp)
}

// rateLimitWait reads how long the server asks us to wait: Retry-After on
// 429/503/403 (GitHub's secondary limits), or an exhausted quota's reset
// time (GitHub X-RateLimit-*, GitLab and the IETF draft RateLimit-*).
func rateLimitWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusForbidden:
	default:
		return 0, false
	}
	h := resp.Header
	if ra := h.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	for _, p := range []struct{ remaining, reset string }{
		{"X-RateLimit-Remaining", "X-RateLimit-Reset"}, // GitHub, Bitbucket
		{"RateLimit-Remaining", "RateLimit-Reset"},     // GitLab, IETF draft
	} {
		if strings.TrimSpace(h.Get(p.remaining)) != "0" {
			continue
		}
		reset, err := strconv.ParseInt(strings.TrimSpace(h.Get(p.reset)), 10, 64)
		if err != nil {
			continue
		}
		if reset > 1_000_000_000 { // an epoch time (GitHub, GitLab)
			return max(time.Unix(reset, 0).Sub(now), 0) + time.Second, true
		}
		return time.Duration(reset) * time.Second, true // seconds from now (IETF draft)
	}
	// A plain 403 is a permission error, not ours to retry; a 429 or 503
	// without a hint gets the exponential backoff.
	return 0, false
}

// giveUp builds the error after the last attempt: status or cause, no query.
func (c *Client) giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	var tooLong *errWaitTooLong
	if errors.As(err, &tooLong) {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, tooLong
	}
	if resp != nil {
		if err == nil || strings.HasPrefix(err.Error(), "unexpected HTTP status") {
			se := c.statusError(resp).(*StatusError)
			resp.Body.Close()
			return nil, fmt.Errorf("%w (after %d attempts)", se, attempts)
		}
		resp.Body.Close()
	}
	if err == nil {
		err = errors.New("no response")
	}
	return nil, fmt.Errorf("%w (after %d attempts)", c.redactErr(err), attempts)
}

// RedactURL drops the query (tokens sometimes travel there) and any
// password from u.
func (c *Client) RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	r.RawQuery = ""
	r.ForceQuery = false
	if _, ok := r.User.Password(); ok {
		r.User = url.UserPassword(r.User.Username(), "xxxxx")
	}
	return c.redact(r.String())
}

func (c *Client) redact(s string) string {
	for _, sec := range c.opts.Secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "********")
		}
	}
	return s
}

// redactErr rewrites URLs inside net/url errors and masks secrets.
func (c *Client) redactErr(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			safe := &url.Error{Op: ue.Op, URL: c.RedactURL(u), Err: ue.Err}
			return &redacted{msg: c.redact(safe.Error()), err: ue.Err}
		}
	}
	return &redacted{msg: c.redact(err.Error()), err: errors.Unwrap(err)}
}

// redacted keeps errors.Is working (context cancellation) with a safe text.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
