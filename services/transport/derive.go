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

// ---- the shipment's tracking state: order-free aggregates ----
//
// Keeping every event on the shipment document would make each guarded write carry the whole
// timeline. The shipment keeps instead, per status, the earliest and the latest accepted event
// (its time and id): each is a min or a max, so adding events in any order gives the same
// state, and adding one twice changes nothing. The timeline itself lives in the tracking events
// collection, one document per event.
//
// Everything derive computes from the full sorted fold follows from these aggregates:
//
//   - F, the first final event (the earliest of DELIVERED, LOST, RETURNED_TO_SENDER), is always
//     valid, and nothing after it is.
//   - Before F, a ranked event is valid iff its rank is at least the highest rank of any event
//     before it (an invalid event never raises that maximum, so counting all events is the
//     same as counting the valid ones), and an EXCEPTION always is.
//   - Picked up: the earliest event of rank ≥ 1 before F (the earliest ranked event is always
//     valid). Customs hold: the earliest CUSTOMS_HOLD is before F and before every event of
//     rank ≥ 3. Exception: the earliest EXCEPTION is before F.
//   - Status: F if any; else the later of the latest EXCEPTION and the latest event of the
//     highest rank present (both valid).
//
// An event refused at arrival is never added, and one accepted but later invalidated stays in
// the aggregates; the formulas above give the same answer either way, which TestTrackMatchesFold
// checks against derive on random event sets.

// evKey places an event in the fold's order (time, rank, id).
type evKey struct {
	T  time.Time `bson:"t"`
	ID string    `bson:"i"`
}

func (k evKey) zero() bool { return k.ID == "" }

// before reports whether event a (of status sa) sorts before event b (of status sb).
func before(a evKey, sa Status, b evKey, sb Status) bool {
	return lessEvent(eventDoc{ID: a.ID, Status: string(sa), OccurredAt: a.T}, eventDoc{ID: b.ID, Status: string(sb), OccurredAt: b.T}) < 0
}

// trackDoc is the shipment's tracking state: the earliest and latest accepted event per
// status (by status name).
type trackDoc struct {
	Min map[string]evKey `bson:"min"`
	Max map[string]evKey `bson:"max"`
}

func (t trackDoc) clone() trackDoc {
	c := trackDoc{Min: map[string]evKey{}, Max: map[string]evKey{}}
	for k, v := range t.Min {
		c.Min[k] = v
	}
	for k, v := range t.Max {
		c.Max[k] = v
	}
	return c
}

var finals = []Status{StatusDelivered, StatusLost, StatusReturnedToSender}

// first returns the earliest event among the statuses' minimums.
func (t trackDoc) first(sts ...Status) (Status, evKey, bool) {
	var best Status
	var bk evKey
	for _, s := range sts {
		k, ok := t.Min[string(s)]
		if !ok {
			continue
		}
		if bk.zero() || before(k, s, bk, best) {
			best, bk = s, k
		}
	}
	return best, bk, !bk.zero()
}

// allows reports whether an event of status st at k is valid among the accepted events.
func (t trackDoc) allows(st Status, k evKey) bool {
	if !st.Valid() || st == StatusBooked {
		return false
	}
	if fs, fk, ok := t.first(finals...); ok && !(fs == st && fk == k) && before(fk, fs, k, st) {
		return false
	}
	r, ranked := statusRank[st]
	if !ranked || st.Final() {
		return true
	}
	for s, mk := range t.Min {
		if sr, ok := statusRank[Status(s)]; ok && !Status(s).Final() && sr > r && before(mk, Status(s), k, st) {
			return false
		}
	}
	return true
}

// add records an accepted event.
func (t *trackDoc) add(st Status, k evKey) {
	if t.Min == nil {
		t.Min, t.Max = map[string]evKey{}, map[string]evKey{}
	}
	if m, ok := t.Min[string(st)]; !ok || before(k, st, m, st) {
		t.Min[string(st)] = k
	}
	if m, ok := t.Max[string(st)]; !ok || before(m, st, k, st) {
		t.Max[string(st)] = k
	}
}

// state derives the status, the status-defining event and the facts (see above).
func (t trackDoc) state() (Status, evKey, factsDoc) {
	var f factsDoc
	fs, fk, final := t.first(finals...)
	beforeF := func(s Status, k evKey) bool { return !final || before(k, s, fk, fs) }
	ranked := []Status{StatusPickedUp, StatusInTransit, StatusCustomsHold, StatusCustomsCleared, StatusOutForDelivery}
	if ps, pk, ok := t.first(ranked...); ok && beforeF(ps, pk) {
		tm := pk.T
		f.PickedUpAt = &tm
	} else if final && fs == StatusDelivered {
		tm := fk.T // delivered without any earlier scan: picked up and delivered at once
		f.PickedUpAt = &tm
	}
	if ek, ok := t.Min[string(StatusException)]; ok && beforeF(StatusException, ek) {
		f.Exception = true
	}
	if hk, ok := t.Min[string(StatusCustomsHold)]; ok && beforeF(StatusCustomsHold, hk) {
		f.CustomsHold = true
		if cs, ck, ok := t.first(StatusCustomsCleared, StatusOutForDelivery); ok && before(ck, cs, hk, StatusCustomsHold) {
			f.CustomsHold = false
		}
	}
	if final {
		tm := fk.T
		switch fs {
		case StatusDelivered:
			f.DeliveredAt = &tm
		case StatusLost:
			f.Lost = true
		case StatusReturnedToSender:
			f.Returned = true
		}
		return fs, fk, f
	}
	status, sk := StatusBooked, evKey{}
	for _, s := range ranked {
		k, ok := t.Max[string(s)]
		if !ok {
			continue
		}
		if sk.zero() || statusRank[s] > statusRank[status] || statusRank[s] == statusRank[status] && before(sk, status, k, s) {
			status, sk = s, k
		}
	}
	if ek, ok := t.Max[string(StatusException)]; ok && (sk.zero() || before(sk, status, ek, StatusException)) {
		status, sk = StatusException, ek
	}
	return status, sk, f
}
