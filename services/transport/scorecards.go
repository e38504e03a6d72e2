package transport

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tradehub/tradehub/internal/errs"
)

// ScorecardKey names one scorecard: a carrier service on a lane (origin country → destination
// country) for the shipments booked in a month ("2026-11", UTC).
type ScorecardKey struct {
	CarrierID   string
	ServiceCode string
	Origin      string
	Destination string
	Month       string
}

func (k ScorecardKey) id() string {
	return strings.Join([]string{k.CarrierID, k.ServiceCode, k.Origin, k.Destination, k.Month}, "|")
}

func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// Scorecard is a carrier service's record on a lane for one booking month.
type Scorecard struct {
	ScorecardKey
	Shipments    int64
	Delivered    int64
	OnTime       int64
	Late         int64
	Exceptions   int64
	CustomsHolds int64
	Lost         int64
	Returned     int64
	Complaints   map[ComplaintKind]int64
	// TransitHistogram counts delivered shipments by transit days: index d is d days, the last
	// index (MaxTransitBucket) is that many days or more.
	TransitHistogram []int64
	P50Days          *int
	P90Days          *int
	OnTimeRate       *float64 // of delivered shipments with a pickup time
	ExceptionRate    *float64 // of shipments
	CustomsHoldRate  *float64
	LostRate         *float64
	ComplaintRate    *float64
}

type scorecardDoc struct {
	ID           string           `bson:"_id"`
	CarrierID    string           `bson:"carrierId"`
	ServiceCode  string           `bson:"serviceCode"`
	Origin       string           `bson:"origin"`
	Destination  string           `bson:"destination"`
	Month        string           `bson:"month"`
	Shipments    int64            `bson:"shipments"`
	Delivered    int64            `bson:"delivered"`
	OnTime       int64            `bson:"onTime"`
	Late         int64            `bson:"late"`
	Exceptions   int64            `bson:"exceptions"`
	CustomsHolds int64            `bson:"customsHolds"`
	Lost         int64            `bson:"lost"`
	Returned     int64            `bson:"returned"`
	Transit      map[string]int64 `bson:"transit"`
	Complaints   map[string]int64 `bson:"complaints"`
}

// summaryProjection leaves out the op markers.
var summaryProjection = bson.D{{Key: fSeen, Value: 0}, {Key: fSeenAt, Value: 0}}

func (d scorecardDoc) histogram() []int64 {
	h := make([]int64, MaxTransitBucket+1)
	for k, v := range d.Transit {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "d")); err == nil && n >= 0 && n <= MaxTransitBucket {
			h[n] += v
		}
	}
	return h
}

func (d scorecardDoc) toScorecard() Scorecard {
	sc := Scorecard{ScorecardKey: ScorecardKey{d.CarrierID, d.ServiceCode, d.Origin, d.Destination, d.Month},
		Shipments: d.Shipments, Delivered: d.Delivered, OnTime: d.OnTime, Late: d.Late, Exceptions: d.Exceptions,
		CustomsHolds: d.CustomsHolds, Lost: d.Lost, Returned: d.Returned, Complaints: map[ComplaintKind]int64{},
		TransitHistogram: d.histogram()}
	var complaints int64
	for k, v := range d.Complaints {
		if v != 0 {
			sc.Complaints[ComplaintKind(k)] = v
			complaints += v
		}
	}
	sc.P50Days, sc.P90Days = percentile(sc.TransitHistogram, 50), percentile(sc.TransitHistogram, 90)
	sc.OnTimeRate = rate(d.OnTime, d.OnTime+d.Late)
	sc.ExceptionRate = rate(d.Exceptions, d.Shipments)
	sc.CustomsHoldRate = rate(d.CustomsHolds, d.Shipments)
	sc.LostRate = rate(d.Lost, d.Shipments)
	sc.ComplaintRate = rate(complaints, d.Shipments)
	return sc
}

func rate(n, of int64) *float64 {
	if of <= 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

// percentile is the smallest d such that at least p % of the histogram is ≤ d days; nil when
// empty.
func percentile(h []int64, p int64) *int {
	var n int64
	for _, v := range h {
		n += v
	}
	if n == 0 {
		return nil
	}
	need := (n*p + 99) / 100
	var cum int64
	for d, v := range h {
		cum += v
		if cum >= need {
			return &d
		}
	}
	last := len(h) - 1
	return &last
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Scorecard returns one scorecard, with zero counts when nothing was booked. It costs one
// query. Scorecards hold no account's data: any authenticated caller may read them. It returns
// UNAUTHENTICATED without a principal and INVALID for a malformed month ("month", YYYY-MM).
func (s *Service) Scorecard(ctx context.Context, k ScorecardKey) (Scorecard, error) {
	if err := requirePrincipal(ctx); err != nil {
		return Scorecard{}, err
	}
	if !monthPattern.MatchString(k.Month) {
		return Scorecard{}, errs.InvalidField("month", "a month is YYYY-MM")
	}
	var d scorecardDoc
	err := s.scores.FindOne(ctx, bson.D{{Key: fID, Value: k.id()}}, options.FindOne().SetProjection(summaryProjection)).Decode(&d)
	if err == mongo.ErrNoDocuments {
		d = scorecardDoc{CarrierID: k.CarrierID, ServiceCode: k.ServiceCode, Origin: k.Origin, Destination: k.Destination, Month: k.Month}
	} else if err != nil {
		return Scorecard{}, internal("read scorecard", err)
	}
	return d.toScorecard(), nil
}

// ScorecardFilter narrows ListScorecards; empty fields match everything. Months are YYYY-MM,
// inclusive.
type ScorecardFilter struct {
	CarrierID   string
	ServiceCode string
	Origin      string
	Destination string
	FromMonth   string
	ToMonth     string
}

// MaxScorecards is the most ListScorecards returns.
const MaxScorecards = 1000

// ListScorecards returns the scorecards that match f, by month then carrier and service, at most
// MaxScorecards (for the scorecard page's chart: one document per carrier service, lane and
// month, in one query). It returns UNAUTHENTICATED without a principal and INVALID for a
// malformed month.
func (s *Service) ListScorecards(ctx context.Context, f ScorecardFilter) ([]Scorecard, error) {
	if err := requirePrincipal(ctx); err != nil {
		return nil, err
	}
	filter := bson.D{}
	for _, x := range []struct{ k, v string }{{fCarrierID, f.CarrierID}, {fServiceCode, f.ServiceCode},
		{fOrigin, f.Origin}, {fDestination, f.Destination}} {
		if x.v != "" {
			filter = append(filter, bson.E{Key: x.k, Value: x.v})
		}
	}
	months := bson.D{}
	if f.FromMonth != "" {
		if !monthPattern.MatchString(f.FromMonth) {
			return nil, errs.InvalidField("filter.fromMonth", "a month is YYYY-MM")
		}
		months = append(months, bson.E{Key: "$gte", Value: f.FromMonth})
	}
	if f.ToMonth != "" {
		if !monthPattern.MatchString(f.ToMonth) {
			return nil, errs.InvalidField("filter.toMonth", "a month is YYYY-MM")
		}
		months = append(months, bson.E{Key: "$lte", Value: f.ToMonth})
	}
	if len(months) > 0 {
		filter = append(filter, bson.E{Key: fMonth, Value: months})
	}
	cur, err := s.scores.Find(ctx, filter, options.Find().SetProjection(summaryProjection).SetLimit(MaxScorecards).
		SetSort(bson.D{{Key: fMonth, Value: 1}, {Key: fCarrierID, Value: 1}, {Key: fServiceCode, Value: 1}, {Key: fID, Value: 1}}))
	if err != nil {
		return nil, internal("list scorecards", err)
	}
	var docs []scorecardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("list scorecards", err)
	}
	out := make([]Scorecard, len(docs))
	for i, d := range docs {
		out[i] = d.toScorecard()
	}
	return out, nil
}

// Reliability priors: a carrier service with no record is assumed on time 85 % of the time,
// losing 0.5 % and with exceptions on 5 % of shipments, with the weight of 20 shipments.
const (
	priorWeight    = 20.0
	priorOnTime    = 0.85
	priorLost      = 0.005
	priorException = 0.05
)

// Reliability is the factor BEST_VALUE divides a price by:
//
//	onTime      = (onTime + 20 × 0.85)  / (onTime + late + 20)
//	lost        = (lost + 20 × 0.005)   / (shipments + 20)
//	exceptions  = (exceptions + 20 × 0.05) / (shipments + 20)
//	reliability = onTime × (1 − lost) × (1 − exceptions / 2)
//
// Each rate is smoothed toward an industry-typical prior with the weight of 20 shipments, so a
// carrier with a handful of deliveries is neither crowned nor sunk by them, and one with
// thousands is judged on its record. A quote's BEST_VALUE score is its total price in USD minor
// units ÷ reliability: a carrier that is late half the time must be almost half the price of a
// punctual one to rank above it. Floats are used here only for ranking; prices stay integers.
func Reliability(shipments, onTime, late, lost, exceptions int64) float64 {
	ot := (float64(onTime) + priorWeight*priorOnTime) / (float64(onTime+late) + priorWeight)
	ls := (float64(lost) + priorWeight*priorLost) / (float64(shipments) + priorWeight)
	ex := (float64(exceptions) + priorWeight*priorException) / (float64(shipments) + priorWeight)
	return ot * (1 - ls) * (1 - ex/2)
}

func (d scoreSummaryDoc) toSummary() ScorecardSummary {
	s := ScorecardSummary{Months: d.Months, Shipments: d.Shipments, Delivered: d.Delivered, OnTime: d.OnTime,
		Late: d.Late, Exceptions: d.Exceptions, CustomsHolds: d.CustomsHolds, Lost: d.Lost, Complaints: d.Complaints,
		Reliability: d.Reliability}
	s.OnTimeRate = rate(d.OnTime, d.OnTime+d.Late)
	s.ExceptionRate = rate(d.Exceptions, d.Shipments)
	s.LostRate = rate(d.Lost, d.Shipments)
	if len(d.Histogram) > 0 {
		s.P50Days, s.P90Days = percentile(d.Histogram, 50), percentile(d.Histogram, 90)
	}
	return s
}

// laneService names a carrier service on a country lane, for summaries.
type laneService struct{ carrierID, service, origin, destination string }

// summaries reads the last ScorecardMonths of scorecards of every lane service in one query.
func (s *Service) summaries(ctx context.Context, lanes []laneService, now time.Time) (map[laneService]scoreSummaryDoc, error) {
	out := map[laneService]scoreSummaryDoc{}
	if len(lanes) == 0 {
		return out, nil
	}
	var ids []string
	for _, l := range lanes {
		for m := range ScorecardMonths {
			month := monthOf(time.Date(now.Year(), now.Month()-time.Month(m), 1, 0, 0, 0, 0, time.UTC))
			ids = append(ids, ScorecardKey{l.carrierID, l.service, l.origin, l.destination, month}.id())
		}
	}
	cur, err := s.scores.Find(ctx, bson.D{{Key: fID, Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(summaryProjection))
	if err != nil {
		return nil, internal("read scorecards", err)
	}
	var docs []scorecardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("read scorecards", err)
	}
	for _, l := range lanes {
		out[l] = scoreSummaryDoc{Months: ScorecardMonths, Histogram: make([]int64, MaxTransitBucket+1)}
	}
	for _, d := range docs {
		l := laneService{d.CarrierID, d.ServiceCode, d.Origin, d.Destination}
		sum, ok := out[l]
		if !ok {
			continue
		}
		sum.Shipments += d.Shipments
		sum.Delivered += d.Delivered
		sum.OnTime += d.OnTime
		sum.Late += d.Late
		sum.Exceptions += d.Exceptions
		sum.CustomsHolds += d.CustomsHolds
		sum.Lost += d.Lost
		for _, v := range d.Complaints {
			sum.Complaints += v
		}
		for i, v := range d.histogram() {
			sum.Histogram[i] += v
		}
		out[l] = sum
	}
	for l, sum := range out {
		sum.Reliability = Reliability(sum.Shipments, sum.OnTime, sum.Late, sum.Lost, sum.Exceptions)
		out[l] = sum
	}
	return out, nil
}

func (k ScorecardKey) String() string {
	return fmt.Sprintf("%s/%s %s→%s %s", k.CarrierID, k.ServiceCode, k.Origin, k.Destination, k.Month)
}

// CarrierLane is a carrier service on a lane, all months together. An empty field matches any.
type CarrierLane struct {
	CarrierID, ServiceCode, Origin, Destination string
}

func (l CarrierLane) filter() bson.D {
	f := bson.D{}
	for _, x := range []struct{ k, v string }{{fCarrierID, l.CarrierID}, {fServiceCode, l.ServiceCode},
		{fOrigin, l.Origin}, {fDestination, l.Destination}} {
		if x.v != "" {
			f = append(f, bson.E{Key: x.k, Value: x.v})
		}
	}
	return f
}

func (l CarrierLane) matches(d scorecardDoc) bool {
	return (l.CarrierID == "" || l.CarrierID == d.CarrierID) && (l.ServiceCode == "" || l.ServiceCode == d.ServiceCode) &&
		(l.Origin == "" || l.Origin == d.Origin) && (l.Destination == "" || l.Destination == d.Destination)
}

// ScorecardsOfLanes returns the scorecards of each carrier lane, by month, in one query: what
// ListScorecards returns for each lane's filter (at most MaxScorecards each), for financing's
// risk picture of a page of requests. A lane without scorecards is absent. It returns
// UNAUTHENTICATED without a principal.
func (s *Service) ScorecardsOfLanes(ctx context.Context, lanes []CarrierLane) (map[CarrierLane][]Scorecard, error) {
	if err := requirePrincipal(ctx); err != nil {
		return nil, err
	}
	out := map[CarrierLane][]Scorecard{}
	var unique []CarrierLane
	for _, l := range lanes {
		if !slices.Contains(unique, l) {
			unique = append(unique, l)
		}
	}
	lanes = unique
	if len(lanes) == 0 {
		return out, nil
	}
	or := make(bson.A, len(lanes))
	for i, l := range lanes {
		or[i] = l.filter()
	}
	cur, err := s.scores.Find(ctx, bson.D{{Key: "$or", Value: or}}, options.Find().SetProjection(summaryProjection).
		SetLimit(int64(MaxScorecards*len(lanes))).
		SetSort(bson.D{{Key: fMonth, Value: 1}, {Key: fCarrierID, Value: 1}, {Key: fServiceCode, Value: 1}, {Key: fID, Value: 1}}))
	if err != nil {
		return nil, internal("list scorecards of lanes", err)
	}
	var docs []scorecardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, internal("list scorecards of lanes", err)
	}
	for _, d := range docs {
		for _, l := range lanes {
			if l.matches(d) && len(out[l]) < MaxScorecards {
				out[l] = append(out[l], d.toScorecard())
			}
		}
	}
	return out, nil
}
