// The dashboard's "Amount due" tile: the balance of the account's open (finalized, unpaid)
// invoices and the part past due, per currency, from `billingStatement`. Lazily loaded through
// dashboard/slots.ts; nothing shows while loading or when the statement cannot be read.
import { useQuery } from 'urql';
import { accountPath } from '../access/access';
import { KpiTile } from '../dashboard/Kpi';
import { graphql } from '../gql';
import { formatMoney } from '../i18n/messages';
import { portalMessages } from '../i18n/portal';

const DashboardAmountDueQuery = graphql(`
  query DashboardAmountDue($accountId: ID!) {
    billingStatement(accountId: $accountId) {
      accountId
      aging {
        currencyCode
        balance {
          amount
          currencyCode
        }
        overdue {
          amount
          currencyCode
        }
      }
    }
  }
`);

const isZero = (amount: string) => !/[1-9]/.test(amount);

// A constant: urql asks again whenever the context object changes, so a new one per render loops.
const invoiceContext = { additionalTypenames: ['Invoice'] };

export default function AmountDueTile({ accountId }: { accountId: string }) {
  const t = portalMessages.dashboard;
  const [result] = useQuery({
    query: DashboardAmountDueQuery,
    variables: { accountId },
    context: invoiceContext,
    requestPolicy: 'cache-and-network',
  });
  const aging = result.data?.billingStatement.aging;
  if (!aging) {
    return null;
  }
  const owed = aging.filter((a) => !isZero(a.balance.amount));
  const overdue = owed.filter((a) => !isZero(a.overdue.amount));
  return (
    <KpiTile
      testId="kpi-amount-due"
      label={t.amountDue}
      value={owed.length > 0 ? owed.map((a) => formatMoney(a.balance)).join(' + ') : '–'}
      hint={owed.length > 0 ? t.amountDueHint(overdue.length > 0 ? overdue.map((a) => formatMoney(a.overdue)).join(' + ') : null) : t.nothingDue}
      tone={overdue.length > 0 ? 'danger' : 'neutral'}
      href={accountPath(accountId, 'billing')}
      linkText={t.viewInvoices}
    />
  );
}
