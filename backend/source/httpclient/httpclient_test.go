package httpclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func fast(opts Options) Options {
	opts.RetryWaitMin = 5 * time.Millisecond
	opts.RetryWaitMax = 20 * time.Millisecond
	return opts
}

func TestRetryAfterIsWaitedOut(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c := New(fast(Options{}))
	start := time.Now()
	var got struct{ OK bool }
	if _, err := c.GetJSON(context.Background(), srv.URL, nil, &got); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 950*time.Millisecond {
		t.Errorf("waited %s, want the 1s Retry-After", waited)
	}
	if !got.OK || c.Requests() != 2 {
		t.Errorf("ok=%v requests=%d, want true, 2", got.OK, c.Requests())
	}
}

func TestGitHubAndGitLabQuotaResetIsWaitedOut(t *testing.T) {
	for _, tc := range []struct {
		name, remaining, reset string
		status                 int
	}{
		{"github primary limit (403)", "X-RateLimit-Remaining", "X-RateLimit-Reset", http.StatusForbidden},
		{"gitlab (429)", "RateLimit-Remaining", "RateLimit-Reset", http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.Header().Set(tc.remaining, "0")
					// An epoch reset one second from now (+1 s of margin).
					w.Header().Set(tc.reset, strconv.FormatInt(time.Now().Unix()+1, 10))
					w.WriteHeader(tc.status)
					return
				}
				fmt.Fprint(w, `[]`)
			}))
			defer srv.Close()
			c := New(fast(Options{}))
			start := time.Now()
			var got []int
			if _, err := c.GetJSON(context.Background(), srv.URL, nil, &got); err != nil {
				t.Fatal(err)
			}
			if waited := time.Since(start); waited < time.Second {
				t.Errorf("waited %s, want until the reset", waited)
			}
		})
	}
}

func TestRateLimitLongerThanMaxWaitFailsAtOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := New(fast(Options{MaxRateLimitWait: time.Minute}))
	start := time.Now()
	_, err := c.Get(context.Background(), srv.URL, nil)
	if err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Fatalf("err = %v, want a rate-limit error", err)
	}
	if time.Since(start) > 5*time.Second || c.Requests() != 1 {
		t.Errorf("took %s and %d requests; want an immediate failure", time.Since(start), c.Requests())
	}
}

func TestServerErrorsAreRetriedThenReported(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, `{"n":3}`)
	}))
	defer srv.Close()
	c := New(fast(Options{}))
	var got struct{ N int }
	if _, err := c.GetJSON(context.Background(), srv.URL, nil, &got); err != nil || got.N != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	if c.Requests() != 3 {
		t.Errorf("requests = %d, want 3 (two 502s, one success)", c.Requests())
	}

	always := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "boom")
	}))
	defer always.Close()
	c = New(fast(Options{RetryMax: 2}))
	_, err := c.GetJSON(context.Background(), always.URL+"/x?private_token=s3cr3t", nil, &got)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 500 {
		t.Fatalf("err = %v, want a StatusError 500", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error shows the query's token: %v", err)
	}
	if c.Requests() != 3 {
		t.Errorf("requests = %d, want 3 (1 + 2 retries)", c.Requests())
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // connection refused from now on
	c := New(fast(Options{RetryMax: 2}))
	_, err := c.Get(context.Background(), url+"/?token=hunter2", nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v, want a refused connection without the token", err)
	}
	if c.Requests() != 3 {
		t.Errorf("requests = %d, want 3", c.Requests())
	}
}

func TestSlowBodyTimesOutAndCancelStops(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"a":`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New(fast(Options{Timeout: 200 * time.Millisecond, RetryMax: 1}))
	var v map[string]any
	start := time.Now()
	if _, err := c.GetJSON(context.Background(), srv.URL, nil, &v); err == nil {
		t.Fatal("a body that never ends decoded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the timeout took %s", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	c = New(fast(Options{Timeout: time.Minute}))
	if _, err := c.GetJSON(ctx, srv.URL, nil, &v); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}

func TestMalformedBodyIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items": [1, 2,`)
	}))
	defer srv.Close()
	var v struct{ Items []int }
	_, err := New(fast(Options{})).GetJSON(context.Background(), srv.URL, nil, &v)
	if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("err = %v", err)
	}
}

func TestNotModifiedKeepsTheCallersCopy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, `{"n":1}`)
	}))
	defer srv.Close()
	c := New(fast(Options{}))
	var v struct{ N int }
	resp, err := c.GetJSON(context.Background(), srv.URL, nil, &v)
	if err != nil || v.N != 1 {
		t.Fatal(v, err)
	}
	v.N = 7
	resp, err = c.GetJSON(context.Background(), srv.URL, http.Header{"If-None-Match": {resp.Header.Get("ETag")}}, &v)
	if err != nil || resp.StatusCode != http.StatusNotModified || v.N != 7 {
		t.Fatalf("status %d, n %d, %v; want a 304 that leaves the value", resp.StatusCode, v.N, err)
	}
}

func TestPacingAndSecretsStayOutOfLogs(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%2 == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c := New(fast(Options{RequestsPerSecond: 20, Secrets: []string{"tok-123"},
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
	start := time.Now()
	for range 3 {
		req, _ := http.NewRequest("GET", srv.URL+"/tok-123/x?access_token=tok-123", nil)
		req.Header.Set("Authorization", "Bearer tok-123")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// 6 requests at 20/s with a burst of 1 take at least 250 ms.
	if d := time.Since(start); d < 240*time.Millisecond || c.Requests() != 6 {
		t.Errorf("%d requests in %s; want 6 paced at 20/s", c.Requests(), d)
	}
	if !strings.Contains(logs.String(), "retrying") || strings.Contains(logs.String(), "tok-123") {
		t.Errorf("logs: %s", logs.String())
	}
}

func TestPagination(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if p < 3 {
			w.Header().Set("Link", fmt.Sprintf(`<%s/items?page=%d>; rel="next", <%s/items?page=3>; rel="last"`, srv.URL, p+1, srv.URL))
		}
		fmt.Fprintf(w, `[%d, %d]`, p*2, p*2+1)
	}))
	defer srv.Close()
	c := New(fast(Options{}))
	var got []int
	err := EachLinkPage(context.Background(), c, srv.URL+"/items?page=1", nil, func(page []int) (bool, error) {
		got = append(got, page...)
		return true, nil
	})
	if err != nil || fmt.Sprint(got) != "[2 3 4 5 6 7]" {
		t.Errorf("link pages: %v, %v", got, err)
	}

	got = nil
	err = EachOffsetPage(context.Background(), c, 2, func(n int) string { return fmt.Sprintf("%s/items?page=%d", srv.URL, n+1) },
		func(page []int) (bool, error) { got = append(got, page...); return len(got) < 4, nil })
	if err != nil || fmt.Sprint(got) != "[2 3 4 5]" {
		t.Errorf("offset pages: %v, %v", got, err)
	}

	cur := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("cursor") {
		case "":
			fmt.Fprint(w, `{"values":[1],"next":"b"}`)
		case "b":
			fmt.Fprint(w, `{"values":[2],"next":""}`)
		}
	}))
	defer cur.Close()
	type page struct {
		Values []int
		Next   string
	}
	got = nil
	err = EachCursorPage(context.Background(), c, func(c string) string { return cur.URL + "/?cursor=" + c },
		func(p *page) string { return p.Next }, func(p *page) (bool, error) { got = append(got, p.Values...); return true, nil })
	if err != nil || fmt.Sprint(got) != "[1 2]" {
		t.Errorf("cursor pages: %v, %v", got, err)
	}
}

// TestRateLimitHints reads each form of "wait this long": Retry-After in
// seconds or as an HTTP date, GitHub's secondary limit (403 + Retry-After),
// exhausted quotas with an epoch or a delta reset; a plain 403 or a 429
// with no hint is not a rate-limit wait.
func TestRateLimitHints(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		status  int
		header  map[string]string
		wait    time.Duration
		limited bool
	}{
		{"retry-after seconds", 429, map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{"retry-after http date", 503, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"retry-after date in the past", 429, map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0, true},
		{"github secondary limit", 403, map[string]string{"Retry-After": "60"}, time.Minute, true},
		{"github primary limit", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(now.Unix()+30, 10)}, 31 * time.Second, true},
		{"gitlab limit", 429, map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": strconv.FormatInt(now.Unix()+5, 10)}, 6 * time.Second, true},
		{"ietf draft delta", 429, map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": "12"}, 12 * time.Second, true},
		{"quota left", 403, map[string]string{"X-RateLimit-Remaining": "12", "X-RateLimit-Reset": strconv.FormatInt(now.Unix()+30, 10)}, 0, false},
		{"plain 403: permissions", 403, nil, 0, false},
		{"429 without a hint: backoff", 429, nil, 0, false},
		{"200 with headers", 200, map[string]string{"Retry-After": "5"}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			for k, v := range tc.header {
				resp.Header.Set(k, v)
			}
			wait, limited := rateLimitWait(resp, now)
			if wait != tc.wait || limited != tc.limited {
				t.Errorf("wait %s limited %v, want %s %v", wait, limited, tc.wait, tc.limited)
			}
		})
	}
}

// TestPermissionDeniedIsNotRetried: a 403 with no rate-limit header fails
// at once with the status, after one request.
func TestPermissionDeniedIsNotRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Resource not accessible by integration"}`)
	}))
	defer srv.Close()
	c := New(fast(Options{}))
	var v map[string]any
	_, err := c.GetJSON(context.Background(), srv.URL, nil, &v)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden || !strings.Contains(err.Error(), "not accessible") || c.Requests() != 1 {
		t.Fatalf("err = %v after %d requests, want a 403 after one", err, c.Requests())
	}
}
