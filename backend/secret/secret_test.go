package secret

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const testKey = "0123456789abcdef0123456789abcdef-test-key"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEncryptedRoundTripAndTamper(t *testing.T) {
	e, err := NewEncrypted([]byte(testKey))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := e.Put("github/GITHUB_TOKEN", "ghp_supersecret")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ref, "ghp_supersecret") || !strings.HasPrefix(ref, "aesgcm:github/GITHUB_TOKEN:") {
		t.Fatalf("ref %q", ref)
	}
	if v, err := e.Get(ref); err != nil || v != "ghp_supersecret" {
		t.Fatalf("get: %q, %v", v, err)
	}
	// Each Put uses a fresh nonce.
	if ref2, _ := e.Put("github/GITHUB_TOKEN", "ghp_supersecret"); ref2 == ref {
		t.Error("two seals of one value are equal: nonce reused")
	}
	other, _ := NewEncrypted([]byte(testKey + "x"))
	if _, err := other.Get(ref); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Errorf("another key opened it: %v", err)
	}
	moved := strings.Replace(ref, "GITHUB_TOKEN", "OTHER_KEY", 1)
	if _, err := e.Get(moved); err == nil {
		t.Error("a sealed value moved to another name opened")
	}
	if _, err := NewEncrypted([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}

func TestKeyFromEnvAndFile(t *testing.T) {
	if k, err := KeyFromEnv(env(nil)); k != nil || err != nil {
		t.Errorf("no key: %q, %v", k, err)
	}
	if k, _ := KeyFromEnv(env(map[string]string{EnvKey: " " + testKey + "\n"})); string(k) != testKey {
		t.Errorf("env key: %q", k)
	}
	path := filepath.Join(t.TempDir(), "secret.key")
	os.WriteFile(path, []byte(testKey+"\n"), 0o600)
	if k, err := KeyFromEnv(env(map[string]string{EnvKeyFile: path})); err != nil || string(k) != testKey {
		t.Errorf("file key: %q, %v", k, err)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if _, err := KeyFromEnv(env(map[string]string{EnvKeyFile: path})); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a world-readable key file: %v", err)
		}
	}
	if _, err := KeyFromEnv(env(map[string]string{EnvKeyFile: path + ".missing"})); err == nil {
		t.Error("a missing key file was accepted")
	}
}

func TestVaultDispatchesByScheme(t *testing.T) {
	mem := NewMemory()
	e, _ := NewEncrypted([]byte(testKey))
	old, _ := e.Put("a/A_KEY", "old")
	v := NewVault(mem, e)
	if v.Kind() != "memory" {
		t.Errorf("kind %q", v.Kind())
	}
	ref, _ := v.Put("a/B_KEY", "new")
	for r, want := range map[string]string{old: "old", ref: "new"} {
		if got, err := v.Get(r); err != nil || got != want {
			t.Errorf("Get(%s) = %q, %v", r, got, err)
		}
	}
	v.Delete(ref)
	if mem.Len() != 0 {
		t.Error("delete left the secret")
	}
	if _, err := NewVault(mem).Get(old); err == nil || !strings.Contains(err.Error(), EnvKey) {
		t.Errorf("an encrypted ref without the key: %v", err)
	}
	none := NewVault(nil)
	none.whyNone = "no keychain"
	if _, err := none.Put("x/Y", "z"); !errors.Is(err, ErrNoBackend) {
		t.Errorf("put with no backend: %v", err)
	}
}

// TestOpenWithoutKeychainUsesTheOperatorKey runs where no Secret Service
// answers: no D-Bus session at all.
func TestOpenWithoutKeychainUsesTheOperatorKey(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	if runtime.GOOS != "linux" {
		t.Skip("only Linux can hide its keychain from a test")
	}
	v, err := Open(Options{Getenv: env(nil), ProbeTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Put("github/GITHUB_TOKEN", "x")
	if !errors.Is(err, ErrNoBackend) || !strings.Contains(err.Error(), EnvKeyFile) {
		t.Fatalf("put without keychain or key: %v", err)
	}
	v, err = Open(Options{Getenv: env(map[string]string{EnvKey: testKey}), ProbeTimeout: 2 * time.Second})
	if err != nil || v.Kind() != "aesgcm" {
		t.Fatalf("with a key: %v, %v", v.Kind(), err)
	}
}

// TestRealKeychain stores, reads and deletes through the real Secret
// Service (gnome-keyring under dbus-run-session, as build/test.sh runs it).
func TestRealKeychain(t *testing.T) {
	kc := Keychain{Service: "momentum-test"}
	if err := kc.Probe(5 * time.Second); err != nil {
		if os.Getenv("MOMENTUM_TEST_REQUIRE_KEYCHAIN") == "1" {
			t.Fatalf("OS keychain required (MOMENTUM_TEST_REQUIRE_KEYCHAIN=1): %v", err)
		}
		t.Skipf("no OS keychain here (run under dbus-run-session with gnome-keyring): %v", err)
	}
	v, err := Open(Options{Service: "momentum-test", Getenv: env(nil)})
	if err != nil || v.Kind() != "keychain" {
		t.Fatalf("open: kind %q, %v", v.Kind(), err)
	}
	ref, err := v.Put("github/GITHUB_TOKEN", "ghp_realkeychain")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ref, "ghp_realkeychain") {
		t.Fatalf("the reference holds the secret: %s", ref)
	}
	if got, err := v.Get(ref); err != nil || got != "ghp_realkeychain" {
		t.Fatalf("get: %q, %v", got, err)
	}
	if err := v.Delete(ref); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(ref); err == nil || !strings.Contains(err.Error(), "no longer in the OS keychain") {
		t.Errorf("after delete: %v", err)
	}
}
