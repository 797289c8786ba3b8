package password

import (
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

var b64 = base64.RawStdEncoding.Strict()

// maxMemoryKiB bounds the memory a stored hash may ask Verify for (256 MiB).
const maxMemoryKiB = 1 << 18

// encode formats a PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC argon2id string. It bounds the parameters so that a corrupt or hostile
// row cannot make Verify allocate gigabytes.
func decode(s string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version", ErrMalformed)
	}
	var m, t, th uint32
	n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th)
	if err != nil || n != 3 || fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) != parts[3] {
		return p, nil, nil, fmt.Errorf("%w: parameters", ErrMalformed)
	}
	if m < 8 || m > maxMemoryKiB || t < 1 || t > 64 || th < 1 || th > 64 || m < 8*th {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range", ErrMalformed)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 || b64.EncodeToString(salt) != parts[4] {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrMalformed)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 || b64.EncodeToString(key) != parts[5] {
		return p, nil, nil, fmt.Errorf("%w: hash", ErrMalformed)
	}
	p = Params{Memory: m, Time: t, Threads: uint8(th), SaltLen: len(salt), KeyLen: uint32(len(key))}
	return p, salt, key, nil
}
