package financing

import (
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestLedgerProperties drives a loan's ledger through random sequences of funding, daily
// accruals, payments, late fees and write-offs: after every step each entry balances, the
// receivable accounts equal what is outstanding, and outstanding equals principal + fees +
// interest − payments − written off.
func TestLedgerProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		principal := rapid.Int64Range(1, 1_000_000_000).Draw(t, "principal")
		l := &Loan{ID: "loan_x", APRBps: rapid.Int64Range(0, 50_000).Draw(t, "apr"), Status: LoanActive}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		p := posting{l}
		p.disburse(principal, rapid.Int64Range(0, principal).Draw(t, "fee"), at)
		check := func(step string) {
			if err := StatementOf(*l).Check(); err != nil {
				t.Fatalf("after %s: %v", step, err)
			}
			o := l.Outstanding
			if o.Principal < 0 || o.Fees < 0 || o.Interest < 0 {
				t.Fatalf("after %s: negative balance %+v", step, o)
			}
		}
		check("disburse")
		refs := 0
		for i, n := 0, rapid.IntRange(0, 60).Draw(t, "steps"); i < n && l.Status != LoanWrittenOff; i++ {
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0:
				at = at.AddDate(0, 0, 1)
				want := DailyInterest(l.Outstanding.Principal, l.APRBps)
				before := l.Outstanding.Interest
				p.accrue(day(at), at)
				if got := l.Outstanding.Interest - before; got != want {
					t.Fatalf("accrued %d, want %d", got, want)
				}
				// The same day again posts nothing.
				p.accrue(day(at), at)
				if l.Outstanding.Interest-before != want {
					t.Fatalf("a day posted twice")
				}
				check("accrue")
			case 1:
				if l.Outstanding.Total() == 0 {
					continue
				}
				amt := rapid.Int64Range(1, l.Outstanding.Total()).Draw(t, "payment")
				before := l.Outstanding
				refs++
				p.pay(amt, "ref-"+strconv.Itoa(refs), at)
				// Fees first, then interest, then principal.
				paidFees := before.Fees - l.Outstanding.Fees
				paidInterest := before.Interest - l.Outstanding.Interest
				if paidFees != min(amt, before.Fees) || paidInterest != min(amt-paidFees, before.Interest) {
					t.Fatalf("allocation: paid %d of %+v → %+v", amt, before, l.Outstanding)
				}
				check("pay")
			case 2:
				p.lateFee(rapid.Int64Range(0, 100_000).Draw(t, "late"), at)
				check("late fee")
			case 3:
				if rapid.IntRange(0, 4).Draw(t, "writeoff") == 0 {
					p.writeOff(at)
					l.Status = LoanWrittenOff
					if l.Outstanding.Total() != 0 {
						t.Fatalf("written off but %d outstanding", l.Outstanding.Total())
					}
					check("write-off")
				}
			}
		}
	})
}
