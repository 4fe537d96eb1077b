// Package storage keeps attachment bytes. The default is a directory on local disk;
// anything with the same three methods (an S3 bucket, say) can replace it.
package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Blobs stores opaque byte streams under keys it chooses.
type Blobs interface {
	Put(ctx context.Context, prefix string, r io.Reader, max int64) (key string, size int64, err error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// ErrTooLarge is returned by Put when the stream exceeds max.
var ErrTooLarge = errors.New("storage: too large")

// ErrNotFound is returned by Open for a missing key.
var ErrNotFound = errors.New("storage: not found")

// Local stores blobs as files under Dir.
type Local struct{ Dir string }

func (l Local) path(key string) (string, error) {
	// Keys are ours (prefix/random hex), but a key read back from the database is
	// still checked: it must stay inside Dir.
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("storage: bad key %q", key)
	}
	return filepath.Join(l.Dir, filepath.FromSlash(key)), nil
}

// Put writes r to a new file, failing with ErrTooLarge (and leaving nothing) past max bytes.
func (l Local) Put(ctx context.Context, prefix string, r io.Reader, max int64) (string, int64, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", 0, err
	}
	key := strings.Trim(prefix, "/") + "/" + hex.EncodeToString(rnd[:])
	p, err := l.path(key)
	if err != nil {
		return "", 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return "", 0, fmt.Errorf("storage: %w", err)
	}
	tmp := p + ".part"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", 0, fmt.Errorf("storage: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = ErrTooLarge
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", 0, err
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return "", 0, fmt.Errorf("storage: %w", err)
	}
	return key, n, nil
}

// Open reads a blob.
func (l Local) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Delete removes a blob; a missing one is not an error.
func (l Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
