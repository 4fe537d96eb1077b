package password

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cheap keeps tests fast on a shared 2-core machine; only the tests about
// the defaults pay for the real cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashDefaultFormat(t *testing.T) {
	h := NewHasher(DefaultParams(), 1)
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(enc) {
		t.Fatalf("Hash() = %q, want match for %s", enc, re)
	}
	ok, rehash, err := h.Verify(context.Background(), enc, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ok, true; got != want {
		t.Errorf("Verify ok = %v, want %v", got, want)
	}
	if got, want := rehash, false; got != want {
		t.Errorf("Verify needsRehash = %v, want %v", got, want)
	}
}

func TestZeroParamsMeanDefaults(t *testing.T) {
	if got, want := NewHasher(Params{}, 0).params, DefaultParams(); got != want {
		t.Errorf("NewHasher(Params{}).params = %+v, want %+v", got, want)
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	h := NewHasher(cheap, 0)
	a, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of the same password are equal: %q", a)
	}
}

func TestVerify(t *testing.T) {
	h := NewHasher(cheap, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "пароль密码🔑")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		plain string
		want  bool
	}{
		{"correct", "пароль密码🔑", true},
		{"wrong", "пароль密码", false},
		{"empty", "", false},
		{"case differs", "ПАРОЛЬ密码🔑", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(ctx, enc, tt.plain)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ok, tt.want; got != want {
				t.Errorf("ok = %v, want %v", got, want)
			}
			if got, want := rehash, false; got != want {
				t.Errorf("needsRehash = %v, want %v", got, want)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := NewHasher(cheap, 0)
	const salt = "c2FsdHNhbHRzYWx0c2FsdA"                     // 16 bytes
	const key = "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U" // 32 bytes
	valid := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	if _, _, err := h.Verify(context.Background(), valid, "x"); err != nil {
		t.Fatalf("control case %q: %v", valid, err)
	}
	tests := []struct {
		name, enc string
	}{
		{"empty", ""},
		{"dollar only", "$"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"no leading dollar", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"extra field", valid + "$"},
		{"params reordered", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"params missing", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"param not a number", "$argon2id$v=19$m=lots,t=1,p=1$" + salt + "$" + key},
		{"negative param", "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"space in param", "$argon2id$v=19$m= 64,t=1,p=1$" + salt + "$" + key},
		{"m overflows uint32", "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key},
		{"m 4 GiB", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"m just over 1 GiB", "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + key},
		{"m zero", "$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key},
		{"t zero", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"t 21", "$argon2id$v=19$m=64,t=21,p=1$" + salt + "$" + key},
		{"p zero", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"p 17", "$argon2id$v=19$m=64,t=1,p=17$" + salt + "$" + key},
		{"p overflows uint8", "$argon2id$v=19$m=64,t=1,p=257$" + salt + "$" + key},
		{"bad base64 salt", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"bad base64 hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$%%%%"},
		{"padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"empty salt", "$argon2id$v=19$m=64,t=1,p=1$$" + key},
		{"empty hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5"},
		{"key over 128 bytes", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 172)},
		{"huge input", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), tt.enc, "x")
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify(%.80q) error = %v, want ErrMalformedHash", tt.enc, err)
			}
			if ok || rehash {
				t.Errorf("Verify(%.80q) = %v, %v, want false, false", tt.enc, ok, rehash)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	old := NewHasher(cheap, 0)
	enc, err := old.Hash(ctx, "hunter2hunter2")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params Params
		plain  string
		wantOK bool
		want   bool
	}{
		{"same params", cheap, "hunter2hunter2", true, false},
		{"more memory", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, "hunter2hunter2", true, true},
		{"more time", Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, "hunter2hunter2", true, true},
		{"more threads", Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, "hunter2hunter2", true, true},
		{"longer key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64}, "hunter2hunter2", true, true},
		{"longer salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32}, "hunter2hunter2", true, true},
		// Rehashing needs the plaintext, so a failed login must not ask for it.
		{"wrong password", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, "hunter3", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := NewHasher(tt.params, 0).Verify(ctx, enc, tt.plain)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ok, tt.wantOK; got != want {
				t.Errorf("ok = %v, want %v", got, want)
			}
			if got, want := rehash, tt.want; got != want {
				t.Errorf("needsRehash = %v, want %v", got, want)
			}
		})
	}
}

func TestInvalidHasherParams(t *testing.T) {
	for _, p := range []Params{
		{Memory: maxMemory + 1},
		{Threads: maxThreads + 1},
		// Must not allocate 4 GiB for the dummy hash on construction.
		{KeyLen: 1<<32 - 1, SaltLen: 1<<32 - 1},
	} {
		h := NewHasher(p, 0)
		if _, err := h.Hash(context.Background(), "whatever"); err == nil {
			t.Errorf("Hash with params %+v: got nil error", p)
		}
		h.Dummy(context.Background(), "whatever") // must not panic
	}
}

func TestSemaphoreRespectsContext(t *testing.T) {
	h := NewHasher(cheap, 1)
	enc, err := h.Hash(context.Background(), "password-123")
	if err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{} // occupy the only slot
	defer h.release()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "password-123"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash while saturated: err = %v, want DeadlineExceeded", err)
	}
	if _, _, err := h.Verify(ctx, enc, "password-123"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify while saturated: err = %v, want DeadlineExceeded", err)
	}

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	done := make(chan struct{})
	go func() {
		h.Dummy(cancelled, "password-123")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Dummy blocked on a full semaphore despite a cancelled context")
	}
}

func TestCancelledContextSkipsWorkEvenWhenFree(t *testing.T) {
	h := NewHasher(cheap, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		if _, err := h.Hash(ctx, "password-123"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Hash with cancelled ctx: err = %v, want Canceled", err)
		}
	}
}

func TestSemaphoreReleased(t *testing.T) {
	h := NewHasher(cheap, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	enc, err := h.Hash(ctx, "password-123")
	if err != nil {
		t.Fatal(err)
	}
	// With one slot, any leaked acquisition would make these time out.
	for range 3 {
		if _, _, err := h.Verify(ctx, enc, "wrong"); err != nil {
			t.Fatal(err)
		}
		h.Dummy(ctx, "password-123")
	}
	if _, _, err := h.Verify(ctx, "garbage", "x"); err == nil {
		t.Fatal("Verify(garbage): got nil error")
	}
	if got, want := len(h.sem), 0; got != want {
		t.Errorf("slots held after operations = %d, want %d", got, want)
	}
}

func TestDummyHashIsWellFormed(t *testing.T) {
	for _, p := range []Params{cheap, DefaultParams()} {
		h := NewHasher(p, 0)
		got, _, _, err := decode(h.dummy)
		if err != nil {
			t.Fatalf("dummy %q does not parse: %v", h.dummy, err)
		}
		// Same parameters as real hashes, hence the same verification cost.
		if got != p {
			t.Errorf("dummy params = %+v, want %+v", got, p)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultParams(), 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
