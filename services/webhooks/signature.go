package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery (package doc).
const (
	HeaderWebhookID = "Tradehub-Webhook-Id"
	HeaderEventID   = "Tradehub-Event-Id"
	HeaderEventType = "Tradehub-Event-Type"
	HeaderAttempt   = "Tradehub-Webhook-Attempt"
	HeaderSignature = "Tradehub-Signature"
	userAgent       = "Tradehub-Webhooks/1.0"
)

// DefaultTolerance is how far a signature's timestamp may be from the receiver's clock.
const DefaultTolerance = 5 * time.Minute

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// maxSignatureHeaderLen bounds what ParseSignatureHeader reads: a timestamp and a few v1 values
// take under 300 bytes.
const maxSignatureHeaderLen = 4096

// Errors of Verify and ParseSignatureHeader, for receivers. They are plain errors: a receiver
// answers 400 to all of them.
var (
	ErrNoSignature         = errors.New("webhooks: no signature header")
	ErrMalformedSignature  = errors.New("webhooks: malformed signature header")
	ErrStaleSignature      = errors.New("webhooks: signature timestamp outside the tolerance")
	ErrSignatureMismatch   = errors.New("webhooks: no signature matches")
	errEmptySigningSecrets = errors.New("webhooks: no secret to sign with")
)

// Sign returns the v1 signature of body sent at t: the lower-case hex HMAC-SHA256, keyed with
// secret's bytes, of the decimal Unix seconds of t, ".", and body.
func Sign(secret string, t time.Time, body []byte) string {
	return hex.EncodeToString(mac(secret, t.Unix(), body))
}

func mac(secret string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strconv.FormatInt(unix, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// SignatureHeader returns the Tradehub-Signature value for body sent at t, with one v1 per
// secret, in the order given: "t=1795160400,v1=…,v1=…". It panics without a secret.
func SignatureHeader(t time.Time, body []byte, secrets ...string) string {
	if len(secrets) == 0 {
		panic(errEmptySigningSecrets)
	}
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(t.Unix(), 10))
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(Sign(s, t, body))
	}
	return b.String()
}

// ParseSignatureHeader splits a Tradehub-Signature value into its timestamp and its v1
// signatures (decoded from hex). Items are "key=value" separated by commas, with optional
// spaces; keys other than t and v1 are ignored (future schemes), and so are v1 values that are
// not 64 hex digits. It returns ErrNoSignature for an empty header, and ErrMalformedSignature
// for one over 4 KiB, without exactly one t of 1 to 12 decimal digits, or without a usable v1.
func ParseSignatureHeader(header string) (time.Time, [][]byte, error) {
	if strings.TrimSpace(header) == "" {
		return time.Time{}, nil, ErrNoSignature
	}
	if len(header) > maxSignatureHeaderLen {
		return time.Time{}, nil, ErrMalformedSignature
	}
	var (
		unix     int64 = -1
		sigs     [][]byte
		seenTime bool
	)
	for item := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "t":
			if seenTime || !isDigits(value, 12) {
				return time.Time{}, nil, ErrMalformedSignature
			}
			seenTime = true
			unix, _ = strconv.ParseInt(value, 10, 64) // 12 digits always fit
		case "v1":
			if len(value) != 2*sha256.Size {
				continue
			}
			sig, err := hex.DecodeString(value)
			if err != nil {
				continue
			}
			sigs = append(sigs, sig)
		}
	}
	if !seenTime || len(sigs) == 0 {
		return time.Time{}, nil, ErrMalformedSignature
	}
	return time.Unix(unix, 0).UTC(), sigs, nil
}

func isDigits(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Verify checks a delivery as a receiver should: header is the Tradehub-Signature value, body
// the raw request body, secret the subscription's signing secret, now the receiver's clock.
// It returns nil when one v1 signature matches (compared in constant time) and the timestamp
// is within tolerance of now (either way; tolerance ≤ 0 means DefaultTolerance);
// ErrNoSignature, ErrMalformedSignature, ErrStaleSignature or ErrSignatureMismatch
// otherwise. The timestamp bound is what stops an old, captured delivery from being replayed.
func Verify(body []byte, header, secret string, now time.Time, tolerance time.Duration) error {
	t, sigs, err := ParseSignatureHeader(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Sub(t); d > tolerance || d < -tolerance {
		return ErrStaleSignature
	}
	want := mac(secret, t.Unix(), body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// newSecret returns a fresh signing secret: the prefix and 32 random bytes in base64url.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// secretHint is the part of a secret that Subscription shows: the prefix and 4 characters,
// 24 of its 256 bits.
func secretHint(secret string) string {
	n := len(SecretPrefix) + 4
	if len(secret) < n {
		return ""
	}
	return secret[:n] + "…"
}

// redactSignature keeps the timestamp of a signature header for the attempt log and replaces
// the HMACs, which a reader of the log could otherwise replay within the tolerance.
func redactSignature(header string) string {
	var parts []string
	for item := range strings.SplitSeq(header, ",") {
		if k, _, _ := strings.Cut(item, "="); k == "v1" {
			parts = append(parts, "v1=[redacted]")
			continue
		}
		parts = append(parts, item)
	}
	return strings.Join(parts, ",")
}
