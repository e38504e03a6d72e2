// Package cursor implements the opaque cursors and the paging arguments of Relay connections,
// for keyset pagination: a list sorted by (sort key, _id) continues after or before the
// position a cursor names, so pages stay stable while rows are inserted, and MongoDB walks an
// index { accountId, <key>, _id } instead of skipping rows.
//
// A cursor is the base64url (no padding) of a small versioned binary form of a Cursor. It is not
// signed or encrypted: a client that forges one only moves the start of its page within rows it
// may see anyway, because every list query is scoped by the service's authorization, never by
// the cursor. Decode only makes sure that what reaches a query is well formed.
package cursor

import (
	"encoding/base64"
	"encoding/binary"
	"unicode/utf8"

	"github.com/tradehub/tradehub/internal/errs"
)

// MaxLen is the length of the longest cursor string Decode accepts, which bounds the work an
// argument can cause. The Key and ID of a Cursor must fit in it once encoded: about 380 bytes
// together, plenty for a time, a code or an id but not for free text, so never sort a
// connection on an unbounded field.
const MaxLen = 512

// version is the first byte of every encoded cursor. A change of format takes a new version, and
// Decode rejects the old one: clients then get INVALID_CURSOR and start again from the first
// page, as they must be ready to after any deployment.
const version = 1

// ErrInvalidCursor reports an after or before argument that is not a cursor this server made.
var ErrInvalidCursor = errs.Sentinel(errs.Invalid, "INVALID_CURSOR",
	"cursor is not valid: use a cursor from this connection's edges or pageInfo")

// Cursor is a position in a list sorted by (Key, ID).
type Cursor struct {
	// Key is the sort field's value at that position, written so that the service can parse it
	// back into the stored type: RFC 3339 with nanoseconds for a time, the value itself for a
	// code. It is empty for a list sorted by _id alone.
	Key string
	// ID is the row's _id; it breaks ties between equal keys. It is never empty.
	ID string
}

// Encode returns c as an opaque cursor string. It panics if c could not be decoded (an empty ID,
// text that is not UTF-8, or an encoded length over MaxLen): those are bugs in the sort a
// connection was given, not something a client can cause.
func Encode(c Cursor) string {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(c.Key)+len(c.ID))
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(len(c.Key)))
	b = append(b, c.Key...)
	b = append(b, c.ID...)
	s := base64.RawURLEncoding.EncodeToString(b)
	if !wellFormed(c) || len(s) > MaxLen {
		panic("cursor.Encode: cursor would not decode: " + s)
	}
	return s
}

// Decode parses a cursor made by Encode. field names the argument it came in ("after" or
// "before") and becomes the error's field. It returns ErrInvalidCursor (INVALID) for anything
// else: an empty or over-long string, bad or non-canonical base64 (padding, line breaks),
// another version, a truncated body, an empty ID, or text that is not UTF-8.
func Decode(s, field string) (Cursor, error) {
	invalid := ErrInvalidCursor.With(field, nil)
	if s == "" || len(s) > MaxLen {
		return Cursor{}, invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || b[0] != version {
		return Cursor{}, invalid
	}
	b = b[1:]
	n, size := binary.Uvarint(b)
	if size <= 0 || n > uint64(len(b)-size) {
		return Cursor{}, invalid
	}
	b = b[size:]
	c := Cursor{Key: string(b[:n]), ID: string(b[n:])}
	// Accept only Encode's own spelling: the decoders would also take line breaks, non-zero
	// trailing bits and over-long varints, and one position should have one cursor.
	if !wellFormed(c) || Encode(c) != s {
		return Cursor{}, invalid
	}
	return c, nil
}

func wellFormed(c Cursor) bool {
	return c.ID != "" && utf8.ValidString(c.Key) && utf8.ValidString(c.ID)
}
