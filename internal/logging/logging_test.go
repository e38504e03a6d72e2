package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/tradehub/tradehub/internal/logging"
	"github.com/tradehub/tradehub/internal/requestid"
)

func TestRecordsCarryTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log, err := logging.New(&buf, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	log.With("component", "test").InfoContext(requestid.With(context.Background(), "req_abc"), "hello")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["request_id"] != "req_abc" || rec["component"] != "test" {
		t.Errorf("record = %v, want request_id req_abc and component test", rec)
	}
}

func TestRejectsUnknownFormatAndLevel(t *testing.T) {
	for _, c := range []struct{ name, format, level string }{
		{"BadFormat", "xml", "info"},
		{"BadLevel", "json", "loud"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := logging.New(&bytes.Buffer{}, c.format, c.level); err == nil {
				t.Error("got nil error")
			}
		})
	}
}
