package secret

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

const schemeKeychain = "keychain"

// Keychain stores secrets in the OS keychain under one service name.
type Keychain struct {
	Service string // "momentum"
}

func (k Keychain) Scheme() string { return schemeKeychain }

// Put stores value under account name; the reference is the account.
func (k Keychain) Put(name, value string) (string, error) {
	if err := keyring.Set(k.Service, name, value); err != nil {
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return "", fmt.Errorf("secret: %s is too large for the OS keychain; use the encrypted store (%s)", name, EnvKeyFile)
		}
		return "", fmt.Errorf("secret: unable to save %s in the OS keychain: %w", name, err)
	}
	return schemeKeychain + ":" + name, nil
}

func (k Keychain) Get(ref string) (string, error) {
	name := strings.TrimPrefix(ref, schemeKeychain+":")
	v, err := keyring.Get(k.Service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("secret: %s is no longer in the OS keychain; set it again", name)
	}
	if err != nil {
		return "", fmt.Errorf("secret: unable to read %s from the OS keychain: %w", name, err)
	}
	return v, nil
}

func (k Keychain) Delete(ref string) error {
	err := keyring.Delete(k.Service, strings.TrimPrefix(ref, schemeKeychain+":"))
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("secret: unable to delete from the OS keychain: %w", err)
	}
	return nil
}

// Probe checks that the keychain works by writing, reading and deleting a
// test item. A keychain that blocks (a locked collection waiting for a
// prompt nobody answers) counts as missing after timeout.
func (k Keychain) Probe(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		const item = "momentum-probe"
		if err := keyring.Set(k.Service, item, "probe"); err != nil {
			done <- err
			return
		}
		v, err := keyring.Get(k.Service, item)
		keyring.Delete(k.Service, item)
		if err == nil && v != "probe" {
			err = errors.New("the keychain returned another value")
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("the OS keychain did not answer within %s (locked?)", timeout)
	}
}
