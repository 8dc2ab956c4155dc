package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
)

const schemeAESGCM = "aesgcm"

// The operator's key: the key itself in the environment, or a file.
const (
	EnvKey     = "MOMENTUM_SECRET_KEY"
	EnvKeyFile = "MOMENTUM_SECRET_KEY_FILE"
)

// minKeyMaterial keeps guessable keys out: `openssl rand -base64 32` gives 44.
const minKeyMaterial = 32

// Encrypted stores secrets in the reference itself, sealed with AES-256-GCM.
// The name is authenticated too, so a sealed value moved to another key
// does not open. It needs no storage of its own and works on any host that
// has the key, such as several `serve` processes on one PostgreSQL.
type Encrypted struct {
	aead cipher.AEAD
}

// NewEncrypted derives the AES key from the operator's key material.
func NewEncrypted(material []byte) (*Encrypted, error) {
	if len(material) < minKeyMaterial {
		return nil, fmt.Errorf("secret: the key is %d bytes; use at least %d random bytes, e.g. `openssl rand -base64 32`", len(material), minKeyMaterial)
	}
	key, err := hkdf.Key(sha256.New, material, []byte("momentum-secret-store"), "config secrets v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Encrypted{aead: aead}, nil
}

// KeyFromEnv reads the operator's key: MOMENTUM_SECRET_KEY, or the file
// MOMENTUM_SECRET_KEY_FILE names, which must not be readable by others. It
// returns nil, nil when neither is set.
func KeyFromEnv(getenv func(string) string) ([]byte, error) {
	if k := strings.TrimSpace(getenv(EnvKey)); k != "" {
		return []byte(k), nil
	}
	path := getenv(EnvKeyFile)
	if path == "" {
		return nil, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("secret: %s=%s: %v", EnvKeyFile, path, err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: the key file %s is readable by others (mode %o); run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret: unable to read the key file: %v", err)
	}
	return []byte(strings.TrimSpace(string(b))), nil
}

func (e *Encrypted) Scheme() string { return schemeAESGCM }

// Put seals value; the reference is "aesgcm:NAME:BASE64(nonce|ciphertext)".
func (e *Encrypted) Put(name, value string) (string, error) {
	if strings.Contains(name, ":") {
		return "", fmt.Errorf("secret: name %q may not contain ':'", name)
	}
	nonce := make([]byte, e.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := e.aead.Seal(nonce, nonce, []byte(value), []byte(name))
	return schemeAESGCM + ":" + name + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

func (e *Encrypted) Get(ref string) (string, error) {
	parts := strings.SplitN(ref, ":", 3)
	if len(parts) != 3 || parts[0] != schemeAESGCM {
		return "", errors.New("secret: malformed encrypted reference; set the value again")
	}
	sealed, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(sealed) < e.aead.NonceSize() {
		return "", errors.New("secret: malformed encrypted value; set it again")
	}
	n := e.aead.NonceSize()
	plain, err := e.aead.Open(nil, sealed[:n], sealed[n:], []byte(parts[1]))
	if err != nil {
		return "", fmt.Errorf("secret: %s does not decrypt with this key (was %s changed?); set it again", parts[1], EnvKey)
	}
	return string(plain), nil
}

// Delete has nothing to do: the sealed value lives in the reference.
func (e *Encrypted) Delete(string) error { return nil }
