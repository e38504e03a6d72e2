package accounts

import (
	"context"
	"strings"
	"time"
	// The zone database inside the binary: the slim container image has no /usr/share/zoneinfo,
	// and a preference must not validate on one machine and fail on another.
	_ "time/tzdata"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/auth"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/mongodb"
	"github.com/tradehub/tradehub/services/audit"
)

// Locales the portal has catalogs for. The API's own messages stay English; these choose the
// portal's texts and its number and date formats.
var Locales = []string{"en", "zh-CN"}

// Preferences are how the signed-in person wants the portal: its language and, optionally, a
// time zone of their own (else the account's).
type Preferences struct {
	Locale   string // "" when never chosen
	TimeZone string // "" when never chosen
}

// PreferencesInput changes preferences; nil leaves one as it is, "" clears it.
type PreferencesInput struct {
	Locale   *string
	TimeZone *string
}

// countryZones is each demo and common seller country's main business zone; a country with
// several (US) gets the zone most of its sellers invoice from. Anything else starts on UTC
// until someone sets the account's zone.
var countryZones = map[string]string{
	"CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "JP": "Asia/Tokyo",
	"KR": "Asia/Seoul", "SG": "Asia/Singapore", "VN": "Asia/Ho_Chi_Minh", "TH": "Asia/Bangkok",
	"IN": "Asia/Kolkata", "AE": "Asia/Dubai", "DE": "Europe/Berlin", "FR": "Europe/Paris",
	"NL": "Europe/Amsterdam", "IT": "Europe/Rome", "ES": "Europe/Madrid", "PL": "Europe/Warsaw",
	"GB": "Europe/London", "IE": "Europe/Dublin", "US": "America/New_York", "CA": "America/Toronto",
	"MX": "America/Mexico_City", "BR": "America/Sao_Paulo", "AU": "Australia/Sydney",
	"NZ": "Pacific/Auckland",
}

// DefaultTimeZone is the zone an account of this country shows its dates in until one is set.
func DefaultTimeZone(country string) string {
	if tz, ok := countryZones[strings.ToUpper(country)]; ok {
		return tz
	}
	return "UTC"
}

func checkTimeZone(field, tz string) error {
	// LoadLocation also accepts "Local" and "", which mean this server's zone, not a place.
	if tz == "Local" || len(tz) > 64 {
		return errs.InvalidField(field, "an IANA time zone such as Asia/Shanghai or Europe/Berlin")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return errs.InvalidField(field, "an IANA time zone such as Asia/Shanghai or Europe/Berlin")
	}
	return nil
}

func checkLocale(field, locale string) error {
	for _, l := range Locales {
		if l == locale {
			return nil
		}
	}
	return errs.InvalidField(field, "one of the portal's languages: %s", strings.Join(Locales, ", "))
}

// MyPreferences are the signed-in person's preferences; an API key has none (it is a program).
func (s *Service) MyPreferences(ctx context.Context) (Preferences, bool, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindUser {
		return Preferences{}, false, nil
	}
	var doc userDoc
	if err := s.users.FindOne(ctx, bson.M{"_id": p.UserID}).Decode(&doc); err != nil {
		return Preferences{}, false, mongodb.MapError(err, "find user")
	}
	return Preferences{Locale: doc.Locale, TimeZone: doc.TimeZone}, true, nil
}

// UpdateMyPreferences changes the signed-in person's own preferences. Only a session may: an API
// key acts for an account, not as the person who created it.
func (s *Service) UpdateMyPreferences(ctx context.Context, in PreferencesInput) (Preferences, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok || p.Kind != auth.KindUser {
		return Preferences{}, errs.E(errs.Unauthenticated, "sign in to change your preferences")
	}
	audit.Annotate(ctx, "", p.UserID)
	set, unset := bson.M{}, bson.M{}
	if in.Locale != nil {
		if l := strings.TrimSpace(*in.Locale); l == "" {
			unset["locale"] = ""
		} else if err := checkLocale("input.locale", l); err != nil {
			return Preferences{}, err
		} else {
			set["locale"] = l
		}
	}
	if in.TimeZone != nil {
		if tz := strings.TrimSpace(*in.TimeZone); tz == "" {
			unset["timeZone"] = ""
		} else if err := checkTimeZone("input.timeZone", tz); err != nil {
			return Preferences{}, err
		} else {
			set["timeZone"] = tz
		}
	}
	update := bson.M{}
	if len(set) > 0 {
		update["$set"] = set
	}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	if len(update) == 0 {
		prefs, _, err := s.MyPreferences(ctx)
		return prefs, err
	}
	var doc userDoc
	err := s.users.FindOneAndUpdate(ctx, bson.M{"_id": p.UserID}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	if err != nil {
		return Preferences{}, mongodb.MapError(err, "update preferences")
	}
	return Preferences{Locale: doc.Locale, TimeZone: doc.TimeZone}, nil
}
