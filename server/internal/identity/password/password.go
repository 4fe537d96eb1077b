// Package password hashes and verifies user passwords with Argon2id and
// enforces the password rules shown to users at sign-up and reset.
package password

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters. They are recorded in every encoded
// hash, so changing them never invalidates stored hashes; Verify reports
// needsRehash so hashes are upgraded on the user's next successful login.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the OWASP-recommended Argon2id configuration
// (19 MiB, 2 passes, 1 lane), which costs tens of milliseconds per hash on a
// server core: slow enough for offline attacks, cheap enough for login.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters. Encoded hashes come from the database, which an
// attacker may have written to; without limits a single stored
// "m=4194304" would make every login attempt allocate 4 GiB.
const (
	maxMemory  = 1 << 20 // KiB, i.e. 1 GiB
	maxTime    = 20
	maxThreads = 16
	minSaltLen = 8 // the Argon2 spec's minimum
	maxSaltLen = 64
	minKeyLen  = 16 // shorter tags make collisions practical
	maxKeyLen  = 128
)

// ErrMalformedHash is returned by Verify when the stored string is not a
// well-formed Argon2id PHC string within the accepted parameter bounds.
var ErrMalformedHash = errors.New("password: malformed hash")

func (p Params) validate() error {
	switch {
	case p.Memory < 1 || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range [1, %d]", p.Memory, maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range [1, %d]", p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d out of range [1, %d]", p.Threads, maxThreads)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range [%d, %d]", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords. It is safe for concurrent use.
type Hasher struct {
	params Params
	// sem bounds concurrent Argon2 runs: each one holds Params.Memory KiB
	// and a full core, so a burst of logins must queue rather than exhaust
	// the machine's memory.
	sem chan struct{}
	// dummy is a well-formed hash with the hasher's own parameters whose
	// tag no known password produces; see Dummy.
	dummy     string
	paramsErr error
}

// NewHasher returns a Hasher producing hashes with p. Zero fields of p take
// their DefaultParams value. maxConcurrent <= 0 means runtime.GOMAXPROCS(0),
// since more parallel hashes than cores only adds memory without throughput.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	d := DefaultParams()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
	// Out-of-range params are reported by Hash; the lengths must not be
	// trusted for allocating the dummy either.
	if h.paramsErr = p.validate(); h.paramsErr == nil {
		// Fixed, non-secret bytes: the dummy only needs to cost the same as
		// a real verification, not to be unguessable.
		salt := make([]byte, p.SaltLen)
		key := bytes.Repeat([]byte{0xA5}, int(p.KeyLen))
		h.dummy = encode(p, salt, key)
	}
	return h
}

func (h *Hasher) acquire(ctx context.Context) error {
	// Checked first because select picks randomly among ready cases, and a
	// request that is already gone should not burn a hash's worth of CPU.
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns plain hashed with a fresh random salt, encoded as a PHC string
// such as "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	if h.paramsErr != nil {
		return "", fmt.Errorf("password: invalid hasher params: %w", h.paramsErr)
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(plain), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

// Verify reports whether plain matches encoded. needsRehash is reported only
// together with ok, because only then does the caller hold the plaintext
// needed to store a new hash; it means encoded was produced with parameters
// other than the hasher's.
func (h *Hasher) Verify(ctx context.Context, encoded, plain string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(plain), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// Dummy performs a verification that cannot succeed in practice. Call it
// when a login names an unknown account so the response takes as long as a
// wrong password, and account existence cannot be probed by timing.
func (h *Hasher) Dummy(ctx context.Context, plain string) {
	// The result is meaningless by construction; only the elapsed time
	// matters, so errors (such as a cancelled ctx) are deliberately dropped.
	_, _, _ = h.Verify(ctx, h.dummy, plain)
}

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decode(encoded string) (Params, []byte, []byte, error) {
	fail := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	// Guards the base64 decoders below against giant inputs; a real hash
	// with the maximum salt and key is well under this.
	if len(encoded) > 512 {
		return fail("too long")
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want 5 '$'-separated fields")
	}
	if parts[1] != "argon2id" {
		return fail("unsupported algorithm %q", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("unsupported version %q", parts[2])
	}
	var p Params
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return fail("want m,t,p parameters")
	}
	m, err := parseParam(kv[0], "m=", 32)
	if err != nil {
		return fail("%v", err)
	}
	t, err := parseParam(kv[1], "t=", 32)
	if err != nil {
		return fail("%v", err)
	}
	threads, err := parseParam(kv[2], "p=", 8)
	if err != nil {
		return fail("%v", err)
	}
	p.Memory, p.Time, p.Threads = uint32(m), uint32(t), uint8(threads)
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fail("salt: %v", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return fail("hash: %v", err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return fail("%v", err)
	}
	return p, salt, key, nil
}

// parseParam parses "name=digits" strictly: no sign, no leading zeros, no
// whitespace, so each hash has exactly one encoding.
func parseParam(s, name string, bits int) (uint64, error) {
	v, found := strings.CutPrefix(s, name)
	if !found {
		return 0, fmt.Errorf("want %q parameter, got %q", name, s)
	}
	if v == "" || (len(v) > 1 && v[0] == '0') || strings.TrimLeft(v, "0123456789") != "" {
		return 0, fmt.Errorf("bad %s value %q", name, v)
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("bad %s value %q", name, v)
	}
	return n, nil
}
