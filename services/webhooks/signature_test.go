package webhooks_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tradehub/tradehub/services/webhooks"
)

func TestParseAndVerify(t *testing.T) {
	const secret = "whsec_test"
	body := []byte(`{"id":"evt_x"}`)
	at := time.Unix(1795160400, 0)
	sig := webhooks.Sign(secret, at, body)
	other := webhooks.Sign("whsec_other", at, body)
	tests := []struct {
		name   string
		header string
		want   error
	}{
		{"OK", "t=1795160400,v1=" + sig, nil},
		{"OKSpaces", " t = 1795160400 , v1 = " + sig + " ", nil},
		{"OKSecondOfTwo", "t=1795160400,v1=" + other + ",v1=" + sig, nil},
		{"OKUnknownSchemeIgnored", "t=1795160400,v0=abc,v2=" + sig + ",v1=" + sig, nil},
		{"OKUpperCaseHex", "t=1795160400,v1=" + strings.ToUpper(sig), nil},
		{"Empty", "", webhooks.ErrNoSignature},
		{"Blank", "   ", webhooks.ErrNoSignature},
		{"NoTimestamp", "v1=" + sig, webhooks.ErrMalformedSignature},
		{"NoV1", "t=1795160400", webhooks.ErrMalformedSignature},
		{"TwoTimestamps", "t=1795160400,t=1795160400,v1=" + sig, webhooks.ErrMalformedSignature},
		{"NegativeTimestamp", "t=-1,v1=" + sig, webhooks.ErrMalformedSignature},
		{"HugeTimestamp", "t=99999999999999999999,v1=" + sig, webhooks.ErrMalformedSignature},
		{"TimestampNotDigits", "t=17951604OO,v1=" + sig, webhooks.ErrMalformedSignature},
		{"V1NotHex", "t=1795160400,v1=" + strings.Repeat("z", 64), webhooks.ErrMalformedSignature},
		{"V1Short", "t=1795160400,v1=" + sig[:62], webhooks.ErrMalformedSignature},
		{"TooLong", "t=1795160400,v1=" + sig + strings.Repeat(",x=y", 2000), webhooks.ErrMalformedSignature},
		{"WrongSignature", "t=1795160400,v1=" + other, webhooks.ErrSignatureMismatch},
		{"OtherTimestamp", "t=1795160401,v1=" + sig, webhooks.ErrSignatureMismatch},
		{"Old", "t=1795160000,v1=" + webhooks.Sign(secret, time.Unix(1795160000, 0), body), webhooks.ErrStaleSignature},
		{"Future", "t=1795160800,v1=" + webhooks.Sign(secret, time.Unix(1795160800, 0), body), webhooks.ErrStaleSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhooks.Verify(body, tt.header, secret, at.Add(time.Minute), 0); !errors.Is(err, tt.want) {
				t.Fatalf("Verify(%q) = %v, want %v", tt.header, err, tt.want)
			}
		})
	}
}

func TestSignatureHeaderOrderAndTolerance(t *testing.T) {
	body := []byte("{}")
	at := time.Unix(1795160400, 0)
	h := webhooks.SignatureHeader(at, body, "whsec_new", "whsec_old")
	want := "t=1795160400,v1=" + webhooks.Sign("whsec_new", at, body) + ",v1=" + webhooks.Sign("whsec_old", at, body)
	if h != want {
		t.Fatalf("SignatureHeader = %q, want %q", h, want)
	}
	if err := webhooks.Verify(body, h, "whsec_old", at.Add(time.Hour), 2*time.Hour); err != nil {
		t.Errorf("with a 2 h tolerance: %v", err)
	}
	if err := webhooks.Verify(body, h, "whsec_old", at.Add(6*time.Minute), 0); !errors.Is(err, webhooks.ErrStaleSignature) {
		t.Errorf("6 min late with the default tolerance: %v", err)
	}
}

// Parsing never panics and accepts only what it documents; whatever it accepts re-verifies
// exactly when a v1 is the true HMAC.
func FuzzVerify(f *testing.F) {
	at := time.Unix(1795160400, 0)
	f.Add("t=1795160400,v1="+webhooks.Sign("whsec_a", at, []byte("{}")), []byte("{}"), "whsec_a")
	f.Add("t=1,v1=00,v1="+strings.Repeat("0", 64), []byte("x"), "k")
	f.Add(",,=,t=,v1==", []byte{}, "")
	f.Add("t=1795160400,t=1795160400", []byte("{}"), "whsec_a")
	f.Fuzz(func(t *testing.T, header string, body []byte, secret string) {
		ts, sigs, err := webhooks.ParseSignatureHeader(header)
		if err != nil {
			if !errors.Is(err, webhooks.ErrNoSignature) && !errors.Is(err, webhooks.ErrMalformedSignature) {
				t.Fatalf("ParseSignatureHeader error %v is not one of the documented ones", err)
			}
			return
		}
		if len(sigs) == 0 || ts.Unix() < 0 || len(header) > 4096 {
			t.Fatalf("accepted %q: t=%v, %d signatures", header, ts, len(sigs))
		}
		for _, s := range sigs {
			if len(s) != 32 {
				t.Fatalf("accepted a %d-byte signature", len(s))
			}
		}
		err = webhooks.Verify(body, header, secret, ts, 0)
		matches := false
		for _, s := range sigs {
			matches = matches || string(s) == string(mustDecodeHex(t, webhooks.Sign(secret, ts, body)))
		}
		if (err == nil) != matches {
			t.Fatalf("Verify = %v, but a matching v1 present = %v", err, matches)
		}
		// A header made by SignatureHeader always verifies.
		if err := webhooks.Verify(body, webhooks.SignatureHeader(ts, body, secret), secret, ts, 0); err != nil {
			t.Fatalf("own header does not verify: %v", err)
		}
	})
}

func mustDecodeHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("Sign returned non-hex %q", s)
	}
	return b
}
