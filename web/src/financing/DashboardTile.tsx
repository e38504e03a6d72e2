// The dashboard's "Open financing" tile: what the account's open loans (ACTIVE, AT_RISK,
// OVERDUE) still owe and the next repayment's due date, from the `loans` list (at most 250, a
// seller has a handful). Lazily loaded through dashboard/slots.ts; nothing shows while loading
// or when the loans cannot be read, so the rest of the dashboard never waits for it.
import { useQuery } from 'urql';
import { accountPath } from '../access/access';
import { openFinancing } from '../dashboard/dashboard';
import { KpiTile } from '../dashboard/Kpi';
import { graphql } from '../gql';
import { formatDate, formatMoney } from '../i18n/messages';
import { portalMessages } from '../i18n/portal';

const DashboardFinancingQuery = graphql(`
  query DashboardFinancing($accountId: ID!) {
    loans(accountId: $accountId) {
      id
      status
      dueDate
      outstanding {
        amount
        currencyCode
      }
    }
  }
`);

// A constant: urql asks again whenever the context object changes, so a new one per render loops.
const loanContext = { additionalTypenames: ['Loan'] };

export default function FinancingTile({ accountId }: { accountId: string }) {
  const t = portalMessages.dashboard;
  const [result] = useQuery({
    query: DashboardFinancingQuery,
    variables: { accountId },
    context: loanContext,
    requestPolicy: 'cache-and-network',
  });
  const loans = result.data?.loans;
  if (!loans) {
    return null;
  }
  const open = openFinancing(loans);
  // Due dates are whole days: shown as the UTC day, never shifted by the reader's zone.
  const nextDue = open.nextDue ? formatDate(`${open.nextDue}T00:00:00Z`, { utc: true }) : null;
  return (
    <KpiTile
      testId="kpi-financing"
      label={t.financing}
      value={open.count > 0 ? open.outstanding.map((m) => formatMoney(m)).join(' + ') : '–'}
      hint={open.count > 0 ? t.financingHint(open.count, nextDue) : t.noFinancing}
      tone={open.worst === 'OVERDUE' ? 'danger' : open.worst === 'AT_RISK' ? 'warning' : 'neutral'}
      href={accountPath(accountId, 'financing')}
      linkText={t.viewFinancing}
    />
  );
}
