package accounts

import (
	"context"
	"log/slog"
)

// LogMailer "sends" email by logging it: the default until a real sender is configured. The
// body (which holds invitation links, i.e. secrets) is logged only in development.
type LogMailer struct {
	Logger   *slog.Logger
	ShowBody bool
}

// Send logs the message.
func (m LogMailer) Send(ctx context.Context, to, subject, body string) error {
	if m.ShowBody {
		m.Logger.InfoContext(ctx, "email (development: not sent)", "to", to, "subject", subject, "body", body)
		return nil
	}
	m.Logger.WarnContext(ctx, "email not sent: no mail sender is configured", "to", to, "subject", subject)
	return nil
}
