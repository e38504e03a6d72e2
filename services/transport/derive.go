package transport

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// statusRank orders the progress statuses; EXCEPTION, LOST and RETURNED_TO_SENDER have none.
var statusRank = map[Status]int{
	StatusBooked: 0, StatusPickedUp: 1, StatusInTransit: 2, StatusCustomsHold: 2,
	StatusCustomsCleared: 3, StatusOutForDelivery: 4, StatusDelivered: 5,
}

// sortRank breaks ties between events of the same time: progress first, in rank order, then
// the unranked ones.
func sortRank(s Status) int {
	if r, ok := statusRank[s]; ok {
		return r
	}
	return 6
}

// fold is the status machine's state while events are folded in time order.
type fold struct {
	status  Status
	maxRank int
	final   bool
}

// allows reports whether next may follow the state (see the package doc).
func (f fold) allows(next Status) bool {
	if f.final || next == StatusBooked || !next.Valid() {
		return false
	}
	switch next {
	case StatusException, StatusLost, StatusReturnedToSender:
		return true
	}
	return statusRank[next] >= f.maxRank
}

func (f *fold) apply(s Status) {
	f.status = s
	if r, ok := statusRank[s]; ok && r > f.maxRank {
		f.maxRank = r
	}
	if s.Final() {
		f.final = true
	}
}

// derived is what a shipment's events say, whatever order they arrived in.
type derived struct {
	ordered  []eventDoc // the events in (occurredAt, rank, id) order
	valid    []bool     // whether each ordered event counts
	status   Status
	statusAt time.Time // time of the last valid event; zero if none
	facts    factsDoc
}

func lessEvent(a, b eventDoc) int {
	if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
		return c
	}
	if c := sortRank(Status(a.Status)) - sortRank(Status(b.Status)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// derive folds the events in time order through the status machine. It is a pure function of
// the set of events: the order of the slice does not matter.
func derive(events []eventDoc) derived {
	d := derived{ordered: slices.Clone(events), status: StatusBooked}
	slices.SortFunc(d.ordered, lessEvent)
	d.valid = make([]bool, len(d.ordered))
	f := fold{status: StatusBooked}
	for i, e := range d.ordered {
		st := Status(e.Status)
		if !f.allows(st) {
			continue
		}
		d.valid[i] = true
		f.apply(st)
		d.statusAt = e.OccurredAt
		at := e.OccurredAt
		switch {
		case st == StatusDelivered:
			d.facts.DeliveredAt = &at
		case st == StatusException:
			d.facts.Exception = true
		case st == StatusCustomsHold:
			d.facts.CustomsHold = true
		case st == StatusLost:
			d.facts.Lost = true
		case st == StatusReturnedToSender:
			d.facts.Returned = true
		}
		if r, ok := statusRank[st]; ok && r >= 1 && d.facts.PickedUpAt == nil {
			d.facts.PickedUpAt = &at
		}
	}
	d.status = f.status
	return d
}

// MaxTransitBucket is the last transit-time histogram bucket: it counts MaxTransitBucket days
// or more.
const MaxTransitBucket = 30

// contribution is what one shipment adds to its scorecard. It is stored on the shipment as
// "scored" (what is counted so far) and diffed to make ops.
type contribution struct {
	Shipments    int64 `bson:"shipments"`
	Delivered    int64 `bson:"delivered"`
	OnTime       int64 `bson:"onTime"`
	Late         int64 `bson:"late"`
	Bucket       int   `bson:"bucket"` // transit days bucket + 1; 0 = none
	Exceptions   int64 `bson:"exceptions"`
	CustomsHolds int64 `bson:"customsHolds"`
	Lost         int64 `bson:"lost"`
	Returned     int64 `bson:"returned"`
	CLate        int64 `bson:"complaintsLate"`
	CDamaged     int64 `bson:"complaintsDamaged"`
	CLost        int64 `bson:"complaintsLost"`
	COther       int64 `bson:"complaintsOther"`
}

// transitDays is the elapsed time rounded up to whole days.
func transitDays(from, to time.Time) int {
	d := to.Sub(from)
	if d <= 0 {
		return 0
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

func contributionOf(f factsDoc, promisedMaxDays int, complaints []complaintDoc) contribution {
	c := contribution{Shipments: 1}
	if f.DeliveredAt != nil {
		c.Delivered = 1
		if f.PickedUpAt != nil {
			days := transitDays(*f.PickedUpAt, *f.DeliveredAt)
			c.Bucket = min(days, MaxTransitBucket) + 1
			if days <= promisedMaxDays {
				c.OnTime = 1
			} else {
				c.Late = 1
			}
		}
	}
	b := func(v bool) int64 {
		if v {
			return 1
		}
		return 0
	}
	c.Exceptions, c.CustomsHolds, c.Lost, c.Returned = b(f.Exception), b(f.CustomsHold), b(f.Lost), b(f.Returned)
	for _, k := range complaints {
		switch ComplaintKind(k.Kind) {
		case ComplaintLate:
			c.CLate = 1
		case ComplaintDamaged:
			c.CDamaged = 1
		case ComplaintLost:
			c.CLost = 1
		default:
			c.COther = 1
		}
	}
	return c
}

// Scorecard document counter fields.
const (
	scShipments    = "shipments"
	scDelivered    = "delivered"
	scOnTime       = "onTime"
	scLate         = "late"
	scExceptions   = "exceptions"
	scCustomsHolds = "customsHolds"
	scLost         = "lost"
	scReturned     = "returned"
	scTransit      = "transit" // transit.d<days>
	scComplaints   = "complaints"
)

func (c contribution) counters() map[string]int64 {
	m := map[string]int64{
		scShipments: c.Shipments, scDelivered: c.Delivered, scOnTime: c.OnTime, scLate: c.Late,
		scExceptions: c.Exceptions, scCustomsHolds: c.CustomsHolds, scLost: c.Lost, scReturned: c.Returned,
		scComplaints + ".LATE": c.CLate, scComplaints + ".DAMAGED": c.CDamaged,
		scComplaints + ".LOST": c.CLost, scComplaints + ".OTHER": c.COther,
	}
	if c.Bucket > 0 {
		m[scTransit+".d"+strconv.Itoa(c.Bucket-1)] = 1
	}
	return m
}

// diff returns the $inc that turns the counted contribution a into b, sorted by field.
func diff(a, b contribution) []incDoc {
	ca, cb := a.counters(), b.counters()
	keys := map[string]bool{}
	for k := range ca {
		keys[k] = true
	}
	for k := range cb {
		keys[k] = true
	}
	var out []incDoc
	for k := range keys {
		if n := cb[k] - ca[k]; n != 0 {
			out = append(out, incDoc{Field: k, N: n})
		}
	}
	slices.SortFunc(out, func(x, y incDoc) int { return strings.Compare(x.Field, y.Field) })
	return out
}
