package pgembed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	mode       int64
	body       string
}

func tarGz(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: e.mode, Size: int64(len(e.body))}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestExtractKeepsModesAndSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dst := t.TempDir()
	err := extractTarGz(context.Background(), tarGz(t,
		entry{name: "bin/", typ: tar.TypeDir, mode: 0o755},
		entry{name: "bin/postgres", typ: tar.TypeReg, mode: 0o755, body: "#!/bin/sh\n"},
		entry{name: "lib/libpq.so.5.17", typ: tar.TypeReg, mode: 0o644, body: "elf"},
		entry{name: "lib/libpq.so.5", typ: tar.TypeSymlink, link: "libpq.so.5.17"},
		entry{name: "./share/postgresql/timezone/UTC", typ: tar.TypeReg, mode: 0o600, body: "tz"},
	), dst)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"bin/postgres": 0o755, "lib/libpq.so.5.17": 0o644, "share/postgresql/timezone/UTC": 0o600} {
		fi, err := os.Stat(filepath.Join(dst, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	link, err := os.Readlink(filepath.Join(dst, "lib/libpq.so.5"))
	if err != nil || link != "libpq.so.5.17" {
		t.Errorf("lib/libpq.so.5 -> %q (%v), want a relative link to libpq.so.5.17", link, err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "lib/libpq.so.5")); err != nil || string(b) != "elf" {
		t.Errorf("reading through the symlink: %q, %v", b, err)
	}
}

func TestExtractRejectsEscapes(t *testing.T) {
	for name, e := range map[string]entry{
		"dot-dot":          {name: "../evil", typ: tar.TypeReg, mode: 0o644, body: "x"},
		"nested dot-dot":   {name: "bin/../../evil", typ: tar.TypeReg, mode: 0o644, body: "x"},
		"absolute":         {name: "/tmp/evil", typ: tar.TypeReg, mode: 0o644, body: "x"},
		"symlink out":      {name: "lib/escape", typ: tar.TypeSymlink, link: "../../etc"},
		"absolute symlink": {name: "lib/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"},
		"hard link out":    {name: "lib/passwd", typ: tar.TypeLink, link: "../../etc/passwd"},
		"device":           {name: "dev/null", typ: tar.TypeChar, mode: 0o666},
	} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "a", "b")
			if err := os.MkdirAll(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			err := extractTarGz(context.Background(), tarGz(t, e), dst)
			if err == nil {
				t.Fatalf("extracting %q (%q) succeeded", e.name, e.link)
			}
			if _, err := os.Lstat(filepath.Join(parent, "a", "evil")); err == nil {
				t.Error("a file was written outside the destination")
			}
		})
	}
}

// A symlink that stays inside may not be used to write outside later.
func TestExtractDoesNotWriteThroughSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	outside := t.TempDir()
	dst := t.TempDir()
	err := extractTarGz(context.Background(), tarGz(t,
		entry{name: "lib", typ: tar.TypeSymlink, link: "."},
		entry{name: "lib/../../" + filepath.Base(outside) + "/evil", typ: tar.TypeReg, mode: 0o644, body: "x"},
	), dst)
	if err == nil {
		t.Fatal("extraction succeeded")
	}
	if _, err := os.Lstat(filepath.Join(outside, "evil")); err == nil {
		t.Error("a file was written outside the destination")
	}
}

func TestBundleVersionMatchesScript(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "..", "build", "fetch-postgres.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^readonly PG_NPM_VERSION=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("no PG_NPM_VERSION in build/fetch-postgres.sh")
	}
	if string(m[1]) != bundleVersion {
		t.Errorf("build/fetch-postgres.sh pins %s, bundleVersion is %s", m[1], bundleVersion)
	}
	if !strings.HasPrefix(bundleVersion, bundleMajor+".") {
		t.Errorf("bundleMajor %s does not match bundleVersion %s", bundleMajor, bundleVersion)
	}
}

func TestBundleID(t *testing.T) {
	if !bundleEmbedded() {
		t.Skip("no bundle embedded; run build/fetch-postgres.sh")
	}
	id, err := bundleID()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(bundleVersion) + `-[0-9a-f]{8}$`).MatchString(id) {
		t.Errorf("bundleID() = %q", id)
	}
}

func TestIsPortClash(t *testing.T) {
	for msg, want := range map[string]bool{
		"process already listening on port 5432":                              true,
		"could not start postgres: LOG:  could not bind IPv4 address":         true,
		"FATAL:  could not create any TCP/IP sockets: Address already in use": true,
		"FATAL:  data directory has wrong ownership":                          false,
	} {
		if got := isPortClash(errors.New(msg)); got != want {
			t.Errorf("isPortClash(%q) = %v, want %v", msg, got, want)
		}
	}
}

func TestTailWriterKeepsTheEnd(t *testing.T) {
	var all bytes.Buffer
	tw := newTailWriter(&all, 16)
	for _, line := range []string{"first line\n", "second line\n", "FATAL: it broke\n"} {
		tw.Write([]byte(line))
	}
	if all.Len() != 39 {
		t.Errorf("passed on %d bytes, want 39", all.Len())
	}
	if got := tw.section(nil); got != "\npostgres log (tail):\nFATAL: it broke" {
		t.Errorf("section = %q", got)
	}
}

// BenchmarkExtract: the extraction part of a cold start.
func BenchmarkExtract(b *testing.B) {
	if !bundleEmbedded() {
		b.Skip("no bundle embedded; run build/fetch-postgres.sh")
	}
	for b.Loop() {
		dst := b.TempDir()
		f, err := bundleFS.Open("bundle/" + bundleName())
		if err != nil {
			b.Fatal(err)
		}
		if err := extractTarGz(context.Background(), f, dst); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
