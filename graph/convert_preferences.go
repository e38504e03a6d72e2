package graph

import (
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/services/accounts"
)

func toGQLPreferences(p accounts.Preferences) *model.Preferences {
	out := &model.Preferences{AvailableLocales: append([]string(nil), accounts.Locales...)}
	if p.Locale != "" {
		out.Locale = &p.Locale
	}
	if p.TimeZone != "" {
		out.TimeZone = &p.TimeZone
	}
	return out
}
