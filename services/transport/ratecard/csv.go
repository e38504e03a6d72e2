package ratecard

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tradehub/tradehub/internal/country"
	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/money"
)

// CSV limits.
const (
	MaxCSVRows   = 10_000
	MaxCSVErrors = 50
)

// Columns of the rate card CSV, in any order; a header row names them. One row is one weight
// break; rows with the same carrier, service, origin, destination and effective_from form one
// card, and every card column must then repeat the same value on each of its rows.
//
//	carrier, service          codes of an existing carrier and one of its services
//	origin                    ISO 3166-1 country ("CN") or ISO 3166-2 subdivision ("CN-GD")
//	destination               ISO 3166-1 country
//	currency                  ISO 4217, e.g. USD; every amount below is in it, as a decimal
//	volumetric_divisor        cm³ per kg, e.g. 5000
//	fuel_surcharge_bps        basis points, e.g. 1850 for 18.5 %
//	minimum_charge            amount
//	remote_area_surcharge     amount, optional (empty = 0)
//	remote_postcodes          postcode prefixes separated by spaces, optional
//	oversize_surcharge        amount per parcel, optional
//	oversize_length_cm        optional; oversize_weight_kg optional
//	transit_days_min, transit_days_max   promised days, 0 ≤ min ≤ max ≤ 180
//	effective_from            YYYY-MM-DD (UTC midnight); effective_to optional, exclusive
//	max_kg, per_kg            this row's weight break: up to max_kg, per_kg an amount per kg
//	tiers                     optional: "pooledKg:bps" pairs separated by spaces, e.g. "0:0 5000:300"
var Columns = []string{
	"carrier", "service", "origin", "destination", "currency", "volumetric_divisor",
	"fuel_surcharge_bps", "minimum_charge", "remote_area_surcharge", "remote_postcodes",
	"oversize_surcharge", "oversize_length_cm", "oversize_weight_kg", "transit_days_min",
	"transit_days_max", "effective_from", "effective_to", "max_kg", "per_kg", "tiers",
}

var optionalColumns = map[string]bool{
	"remote_area_surcharge": true, "remote_postcodes": true, "oversize_surcharge": true,
	"oversize_length_cm": true, "oversize_weight_kg": true, "effective_to": true, "tiers": true,
}

// LineError is one problem in a CSV, at a 1-based line and a column name ("" for the row).
type LineError struct {
	Line    int
	Column  string
	Message string
}

func (e LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Message)
}

// Lane says where a card applies.
type Lane struct {
	Origin      string // "CN" or "CN-GD"
	Destination string // "US"
}

// Entry is one rate card read from CSV.
type Entry struct {
	Line           int // the line of its first row
	CarrierCode    string
	ServiceCode    string
	Lane           Lane
	TransitDaysMin int
	TransitDaysMax int
	EffectiveFrom  time.Time
	EffectiveTo    *time.Time
	Card           Card
}

var originPattern = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)

// ValidateLane checks a lane: origin an ISO 3166-1 country or a subdivision code of one
// ("CN-GD"), destination a country. Fields are "origin" and "destination".
func ValidateLane(l Lane) error {
	if !originPattern.MatchString(l.Origin) || country.Validate(l.Origin[:2]) != nil {
		return errs.InvalidField("origin", "origin must be a country code such as CN or a region code such as CN-GD")
	}
	if country.Validate(l.Destination) != nil {
		return errs.InvalidField("destination", "destination must be an ISO 3166-1 alpha-2 country code")
	}
	return nil
}

// ValidateTransit checks promised transit days.
func ValidateTransit(minDays, maxDays int) error {
	if minDays < 0 || maxDays < minDays || maxDays > 180 {
		return errs.InvalidField("transitDays", "transit days must satisfy 0 ≤ min ≤ max ≤ 180")
	}
	return nil
}

// ParseCSV reads rate cards. It returns every card it could read and every problem it found
// (at most MaxCSVErrors, with line numbers); a caller imports nothing unless the problems are
// none. It never panics on any input (a fuzz target checks it).
func ParseCSV(r io.Reader) ([]Entry, []LineError) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var problems []LineError
	add := func(line int, col, format string, args ...any) bool {
		problems = append(problems, LineError{Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
		return len(problems) < MaxCSVErrors
	}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			add(1, "", "the file is empty: the first line must name the columns")
		} else {
			add(lineOf(err, 1), "", "not valid CSV: %s", csvMessage(err))
		}
		return nil, problems
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := idx[h]; dup {
			add(1, h, "column appears twice")
			return nil, problems
		}
		idx[h] = i
	}
	for _, c := range Columns {
		if _, ok := idx[c]; !ok && !optionalColumns[c] {
			if !add(1, c, "required column is missing") {
				return nil, problems
			}
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}

	type key struct{ carrier, service, origin, dest, from string }
	var entries []Entry
	byKey := map[key]int{}
	signature := map[key]string{}
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			add(lineOf(err, 1), "", "not valid CSV: %s", csvMessage(err))
			return entries, problems
		}
		line, _ := cr.FieldPos(0) // rec has at least one field when err is nil
		if rows++; rows > MaxCSVRows {
			add(line, "", "too many rows: at most %d", MaxCSVRows)
			return entries, problems
		}
		get := func(c string) string {
			i, ok := idx[c]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if allEmpty(rec) {
			continue
		}
		e, b, errsOfRow := parseRow(line, get)
		if len(errsOfRow) > 0 {
			for _, p := range errsOfRow {
				if !add(p.Line, p.Column, "%s", p.Message) {
					return entries, problems
				}
			}
			continue
		}
		k := key{e.CarrierCode, e.ServiceCode, e.Lane.Origin, e.Lane.Destination, get("effective_from")}
		sig := cardSignature(get)
		if i, ok := byKey[k]; ok {
			if signature[k] != sig {
				if !add(line, "", "card columns differ from the card's first row on line %d", entries[i].Line) {
					return entries, problems
				}
				continue
			}
			entries[i].Card.Breaks = append(entries[i].Card.Breaks, b)
			continue
		}
		e.Card.Breaks = []Break{b}
		byKey[k], signature[k] = len(entries), sig
		entries = append(entries, e)
	}
	for _, e := range entries {
		slicesSortBreaks(e.Card.Breaks)
		if err := e.Card.Validate(); err != nil {
			msg, field := err.Error(), ""
			if ee, ok := errs.As(err); ok {
				msg, field = ee.Message, strings.Join(ee.Field, ".")
			}
			if !add(e.Line, field, "%s", msg) {
				return entries, problems
			}
		}
	}
	return entries, problems
}

func parseRow(line int, get func(string) string) (Entry, Break, []LineError) {
	var bad []LineError
	fail := func(col, format string, args ...any) {
		bad = append(bad, LineError{Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
	}
	e := Entry{Line: line, CarrierCode: strings.ToUpper(get("carrier")), ServiceCode: strings.ToUpper(get("service")),
		Lane: Lane{Origin: strings.ToUpper(get("origin")), Destination: strings.ToUpper(get("destination"))}}
	if !codePattern.MatchString(e.CarrierCode) {
		fail("carrier", "a carrier code is 2 to 20 letters, digits or _")
	}
	if !codePattern.MatchString(e.ServiceCode) {
		fail("service", "a service code is 2 to 20 letters, digits or _")
	}
	if err := ValidateLane(e.Lane); err != nil {
		ee, _ := errs.As(err)
		fail(ee.Field[0], "%s", ee.Message)
	}
	cur, err := money.ParseCurrency(strings.ToUpper(get("currency")))
	if err != nil {
		fail("currency", "not an ISO 4217 currency code such as USD")
	}
	e.Card.Currency = cur
	intCol := func(col string, dst *int64) {
		v, err := strconv.ParseInt(get(col), 10, 64)
		if err != nil {
			fail(col, "must be a whole number")
			return
		}
		*dst = v
	}
	amountCol := func(col string, dst *int64, optional bool) {
		s := get(col)
		if s == "" && optional {
			return
		}
		if cur.IsZero() {
			return // reported on currency
		}
		v, err := money.ParseAmount(s, cur)
		if err != nil || v < 0 {
			fail(col, "must be an amount in %s such as 12.50", cur.Code())
			return
		}
		*dst = v
	}
	fixedCol := func(col string, digits int, scale int64, dst *int64, optional bool, unit string) {
		s := get(col)
		if s == "" && optional {
			return
		}
		v, ok := ParseFixed(s, digits)
		if !ok || v <= 0 {
			fail(col, "must be a positive number of %s with at most %d decimals", unit, digits)
			return
		}
		*dst = v * scale
	}
	intCol("volumetric_divisor", &e.Card.VolumetricDivisor)
	intCol("fuel_surcharge_bps", &e.Card.FuelSurchargeBps)
	amountCol("minimum_charge", &e.Card.MinimumCharge, false)
	amountCol("remote_area_surcharge", &e.Card.RemoteAreaSurcharge, true)
	amountCol("oversize_surcharge", &e.Card.OversizeSurcharge, true)
	fixedCol("oversize_length_cm", 1, 1, &e.Card.OversizeLengthMM, true, "cm")
	fixedCol("oversize_weight_kg", 3, 1, &e.Card.OversizeWeightGrams, true, "kg")
	if s := get("remote_postcodes"); s != "" {
		e.Card.RemotePostcodePrefixes = strings.Fields(strings.ToUpper(s))
	}
	var tmin, tmax int64
	intCol("transit_days_min", &tmin)
	intCol("transit_days_max", &tmax)
	e.TransitDaysMin, e.TransitDaysMax = int(tmin), int(tmax)
	if tmin < 0 || tmax < tmin || tmax > 180 {
		fail("transit_days_max", "transit days must satisfy 0 ≤ min ≤ max ≤ 180")
	}
	from, err := time.Parse(time.DateOnly, get("effective_from"))
	if err != nil {
		fail("effective_from", "must be a date YYYY-MM-DD")
	}
	e.EffectiveFrom = from
	if s := get("effective_to"); s != "" {
		to, err := time.Parse(time.DateOnly, s)
		if err != nil || !to.After(from) {
			fail("effective_to", "must be a date YYYY-MM-DD after effective_from")
		} else {
			e.EffectiveTo = &to
		}
	}
	var b Break
	fixedCol("max_kg", 3, 1, &b.UpToGrams, false, "kg")
	amountCol("per_kg", &b.PerKg, false)
	if s := get("tiers"); s != "" {
		tiers, err := parseTiers(s)
		if err != nil {
			fail("tiers", "%s", err.Error())
		}
		e.Card.Tiers = tiers
	}
	return e, b, bad
}

var codePattern = regexp.MustCompile(`^[A-Z0-9_]{2,20}$`)

// ValidCode reports whether s is a carrier or service code: 2 to 20 of A–Z, 0–9 and _.
func ValidCode(s string) bool { return codePattern.MatchString(s) }

func parseTiers(s string) ([]Tier, error) {
	var out []Tier
	for _, f := range strings.Fields(s) {
		kg, bps, ok := strings.Cut(f, ":")
		g, ok1 := ParseFixed(kg, 3)
		b, err := strconv.ParseInt(bps, 10, 64)
		if !ok || !ok1 || err != nil || g < 0 {
			return nil, errors.New(`tiers are "pooledKg:basisPoints" pairs separated by spaces, such as "0:0 5000:300"`)
		}
		out = append(out, Tier{MinPooledGrams: g, DiscountBps: b})
	}
	if len(out) > MaxTiers {
		return nil, fmt.Errorf("at most %d tiers", MaxTiers)
	}
	return out, nil
}

// cardSignature is the text of the card-level columns, which must agree across a card's rows.
func cardSignature(get func(string) string) string {
	var b strings.Builder
	for _, c := range Columns {
		if c == "max_kg" || c == "per_kg" {
			continue
		}
		b.WriteString(get(c))
		b.WriteByte(0)
	}
	return b.String()
}

// ParseFixed parses a non-negative decimal with at most digits fraction digits into an integer
// scaled by 10^digits: ParseFixed("1.25", 3) is 1250. It accepts "0.5" and "12", not ".5",
// "5.", "+1", "1e3", spaces or values above 10^12.
func ParseFixed(s string, digits int) (int64, bool) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || hasPoint && (frac == "" || len(frac) > digits) {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(whole+frac+strings.Repeat("0", digits-len(frac)), 10, 64)
	return v, err == nil
}

// ParseKilograms reads a weight in kg ("1.25", at most 3 decimals) as grams, for the GraphQL
// Decimal inputs. It returns an INVALID error at field for anything else.
func ParseKilograms(field, s string) (int64, error) {
	v, ok := ParseFixed(s, 3)
	if !ok {
		return 0, errs.InvalidField(field, "must be a weight in kg such as 1.25, with at most 3 decimals")
	}
	return v, nil
}

// ParseCentimetres reads a length in cm ("30.5", at most 1 decimal) as millimetres.
func ParseCentimetres(field, s string) (int64, error) {
	v, ok := ParseFixed(s, 1)
	if !ok {
		return 0, errs.InvalidField(field, "must be a length in cm such as 30.5, with at most 1 decimal")
	}
	return v, nil
}

// FormatKilograms prints grams as kg with up to 3 decimals: 1500 → "1.5".
func FormatKilograms(grams int64) string {
	s := strconv.FormatInt(grams/1000, 10)
	if r := grams % 1000; r != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%03d", r), "0")
	}
	return s
}

func allEmpty(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func lineOf(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.Line > 0 {
		return pe.Line
	}
	return fallback
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return "unreadable"
}

func slicesSortBreaks(b []Break) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j].UpToGrams < b[j-1].UpToGrams; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}
