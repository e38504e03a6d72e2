package financing

import (
	"fmt"
	"time"

	"github.com/tradehub/tradehub/internal/money"
)

// DailyInterest is one day's simple interest on principal at aprBps a year, actual/365:
// principal × aprBps / (10,000 × 365), rounded once, half-even, to the minor unit. A leap year
// still divides by 365 (so 366 days accrue slightly more than the APR): the convention lenders
// in trade finance quote, and the one the seller is shown up front.
func DailyInterest(principal, aprBps int64) int64 {
	if principal <= 0 || aprBps <= 0 {
		return 0
	}
	m, err := money.New(principal, money.MustCurrency("USD")).MulRat(aprBps, 10_000*365, money.HalfEven)
	if err != nil {
		return 0 // out of range only for amounts no facility holds
	}
	return m.Amount
}

// CostOf is the full cost of borrowing principal for tenor days: the origination fee (feeBps of
// the principal, half-even, at least minFee), the interest the daily accruals will post over the
// tenor on a constant principal, the total repayable and the effective APR in basis points
// ((fee + interest) ÷ principal × 365 ÷ tenor, half-even).
func CostOf(principal money.Money, tenor int, aprBps, feeBps int64, minFee int64) (Cost, error) {
	fee, err := principal.MulBasisPoints(feeBps, money.HalfEven)
	if err != nil {
		return Cost{}, err
	}
	if fee.Amount < minFee {
		fee.Amount = minFee
	}
	interest := money.New(DailyInterest(principal.Amount, aprBps)*int64(tenor), principal.Currency)
	total := money.New(principal.Amount+fee.Amount+interest.Amount, principal.Currency)
	var eff int64
	if principal.Amount > 0 && tenor > 0 {
		m, err := money.New(fee.Amount+interest.Amount, principal.Currency).MulRat(10_000*365, principal.Amount*int64(tenor), money.HalfEven)
		if err == nil {
			eff = m.Amount
		}
	}
	return Cost{Principal: principal, Fee: fee, Interest: interest, TotalRepayable: total, APRBps: aprBps,
		EffectiveAPRBps: eff, TenorDays: tenor}, nil
}

// day is the UTC date of t as YYYY-MM-DD.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func parseDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// posting is a loan's ledger arithmetic, kept apart from the store so that property tests can
// drive it with random sequences.
type posting struct {
	l *Loan
}

func (p posting) add(e Entry) {
	p.l.Ledger = append(p.l.Ledger, e)
}

func (p posting) has(id string) bool {
	for _, e := range p.l.Ledger {
		if e.ID == id {
			return true
		}
	}
	return false
}

// disburse posts the principal and the origination fee.
func (p posting) disburse(principal, fee int64, at time.Time) {
	d := day(at)
	p.add(Entry{ID: "disbursement", Kind: EntryDisbursement, Day: d, At: at,
		Lines: []Line{{Account: AccPrincipal, Debit: principal}, {Account: AccCash, Credit: principal}}})
	p.l.Outstanding.Principal += principal
	p.l.Totals.Principal += principal
	if fee > 0 {
		p.add(Entry{ID: "fee", Kind: EntryFee, Day: d, At: at,
			Lines: []Line{{Account: AccFees, Debit: fee}, {Account: AccFeeIncome, Credit: fee}}})
		p.l.Outstanding.Fees += fee
		p.l.Totals.Fees += fee
	}
}

// accrue posts one day's interest on the outstanding principal; it does nothing for a day
// already posted. It reports the amount posted.
func (p posting) accrue(d string, at time.Time) int64 {
	id := "interest:" + d
	if p.has(id) {
		return 0
	}
	amt := DailyInterest(p.l.Outstanding.Principal, p.l.APRBps)
	p.l.AccruedThrough = d
	if amt == 0 {
		return 0
	}
	p.add(Entry{ID: id, Kind: EntryInterest, Day: d, At: at,
		Lines: []Line{{Account: AccInterest, Debit: amt}, {Account: AccInterestIncome, Credit: amt}}})
	p.l.Outstanding.Interest += amt
	p.l.Totals.Interest += amt
	return amt
}

// lateFee posts the late fee once.
func (p posting) lateFee(amt int64, at time.Time) bool {
	if amt <= 0 || p.has("late_fee") {
		return false
	}
	p.add(Entry{ID: "late_fee", Kind: EntryLateFee, Day: day(at), At: at,
		Lines: []Line{{Account: AccFees, Debit: amt}, {Account: AccFeeIncome, Credit: amt}}})
	p.l.Outstanding.Fees += amt
	p.l.Totals.LateFees += amt
	return true
}

// pay allocates amt to fees, then interest, then principal, and returns the principal part.
// The caller has checked 0 < amt ≤ outstanding and that the reference is new.
func (p posting) pay(amt int64, ref string, at time.Time) (principal int64) {
	fees := min(amt, p.l.Outstanding.Fees)
	interest := min(amt-fees, p.l.Outstanding.Interest)
	principal = min(amt-fees-interest, p.l.Outstanding.Principal)
	lines := []Line{{Account: AccCash, Debit: amt}}
	for _, x := range []struct {
		acc string
		v   int64
	}{{AccFees, fees}, {AccInterest, interest}, {AccPrincipal, principal}} {
		if x.v > 0 {
			lines = append(lines, Line{Account: x.acc, Credit: x.v})
		}
	}
	p.add(Entry{ID: "payment:" + ref, Kind: EntryPayment, Day: day(at), Reference: ref, At: at, Lines: lines})
	p.l.Outstanding.Fees -= fees
	p.l.Outstanding.Interest -= interest
	p.l.Outstanding.Principal -= principal
	p.l.Totals.Payments += amt
	return principal
}

// writeOff writes everything outstanding off and returns the principal part.
func (p posting) writeOff(at time.Time) (principal int64) {
	o := p.l.Outstanding
	if o.Total() == 0 {
		return 0
	}
	lines := []Line{{Account: AccWriteOffExpense, Debit: o.Total()}}
	for _, x := range []struct {
		acc string
		v   int64
	}{{AccFees, o.Fees}, {AccInterest, o.Interest}, {AccPrincipal, o.Principal}} {
		if x.v > 0 {
			lines = append(lines, Line{Account: x.acc, Credit: x.v})
		}
	}
	p.add(Entry{ID: "write_off", Kind: EntryWriteOff, Day: day(at), At: at, Lines: lines})
	p.l.Totals.WrittenOff += o.Total()
	p.l.Outstanding = Balances{}
	return o.Principal
}

// StatementOf builds the trial balance of a loan's ledger and checks it: every entry balances,
// the receivable accounts add up to what is outstanding, and outstanding equals principal +
// fees + interest − payments − written off.
func StatementOf(l Loan) Statement {
	st := Statement{Loan: l, Balances: map[string]int64{}}
	balanced := true
	for _, e := range l.Ledger {
		var d, c int64
		for _, ln := range e.Lines {
			d += ln.Debit
			c += ln.Credit
			st.Balances[ln.Account] += ln.Debit - ln.Credit
		}
		st.TotalDebits += d
		st.TotalCredits += c
		if d != c {
			balanced = false
		}
	}
	st.Outstanding = l.Outstanding.Total()
	t := l.Totals
	st.FormulaAmount = t.Principal + t.Fees + t.LateFees + t.Interest - t.Payments - t.WrittenOff
	recv := st.Balances[AccPrincipal] + st.Balances[AccFees] + st.Balances[AccInterest]
	st.Balanced = balanced && st.TotalDebits == st.TotalCredits && recv == st.Outstanding &&
		st.FormulaAmount == st.Outstanding && st.Balances[AccPrincipal] == l.Outstanding.Principal &&
		st.Balances[AccFees] == l.Outstanding.Fees && st.Balances[AccInterest] == l.Outstanding.Interest
	return st
}

// Check returns an error describing the first broken invariant of a statement.
func (st Statement) Check() error {
	if st.Balanced {
		return nil
	}
	return fmt.Errorf("loan %s: debits %d credits %d outstanding %d formula %d balances %v",
		st.Loan.ID, st.TotalDebits, st.TotalCredits, st.Outstanding, st.FormulaAmount, st.Balances)
}
