import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { canBill } from '../access/access';
import { useAccount } from '../app/account';
import { Field, FormAlert } from '../components/Form';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import type { BillingOverviewQuery } from '../gql/graphql';
import type { Problem } from '../graphql/errors';
import { mutationOutcome } from '../graphql/mutations';
import { billingMessages as t } from '../i18n/billing';
import { formatDate, formatMoney, type UserErrorLike } from '../i18n/messages';
import { PageHeader } from '../warehousing/ui';

export const BillingOverviewQueryDoc = graphql(`
  query BillingOverview($accountId: ID!) {
    invoices(accountId: $accountId, first: 50) {
      nodes {
        id
        number
        status
        periodStart
        periodEnd
        total {
          amount
          currencyCode
        }
        balance {
          amount
          currencyCode
        }
        dueDate
      }
    }
    currentUsage(accountId: $accountId) {
      currencyCode
      periodStart
      total {
        amount
        currencyCode
      }
      unpricedCodes
      sections {
        category
        subtotal {
          amount
          currencyCode
        }
      }
    }
    billingStatement(accountId: $accountId) {
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
        days0To30 {
          amount
          currencyCode
        }
        days31To60 {
          amount
          currencyCode
        }
        days61To90 {
          amount
          currencyCode
        }
        over90 {
          amount
          currencyCode
        }
      }
    }
  }
`);

export const RunInvoicesMutation = graphql(`
  mutation RunInvoices($input: RunInvoicesInput!) {
    runInvoices(input: $input) {
      invoices {
        id
      }
      claimed
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const AddAdHocChargeMutation = graphql(`
  mutation AddAdHocCharge($input: AddAdHocChargeInput!) {
    addAdHocCharge(input: $input) {
      usageRecord {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const billingContext = { additionalTypenames: ['Invoice', 'UsageRecord'] };

type Overview = BillingOverviewQuery;

/** `/accounts/:id/billing`: invoices, this month's running usage, the statement; the console for staff. */
export default function BillingPage() {
  const { account, access } = useAccount();
  const [result, reexecute] = useQuery({
    query: BillingOverviewQueryDoc,
    variables: { accountId: account.id },
    context: billingContext,
    requestPolicy: 'cache-and-network',
  });
  return (
    <>
      <title>{t.title(t.billing.title, account.legalName)}</title>
      <PageHeader title={t.billing.title} lead={t.billing.lead} />
      {canBill(access) && <Console accountId={account.id} onDone={() => reexecute({ requestPolicy: 'network-only' })} />}
      <Remote
        value={result.data}
        result={result}
        what={t.billing.what}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.billing.loading}
      >
        {(data) => (
          <>
            <Invoices accountId={account.id} invoices={data.invoices.nodes} />
            <div className="two-columns">
              <CurrentUsage previews={data.currentUsage} />
              <Statement aging={data.billingStatement.aging} />
            </div>
          </>
        )}
      </Remote>
    </>
  );
}

function Invoices({ accountId, invoices }: { accountId: string; invoices: Overview['invoices']['nodes'] }) {
  return (
    <section className="card card-wide" aria-labelledby="invoices-heading" data-testid="invoices">
      <div className="card-header">
        <h2 id="invoices-heading">{t.billing.invoices}</h2>
      </div>
      {invoices.length === 0 ? (
        <div className="card-body">
          <p className="muted">{t.billing.noInvoices}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label={t.billing.invoices}>
            <thead>
              <tr>
                <th scope="col">{t.billing.number}</th>
                <th scope="col">{t.billing.period}</th>
                <th scope="col">{t.billing.status}</th>
                <th scope="col" className="num">
                  {t.billing.total}
                </th>
                <th scope="col" className="num">
                  {t.billing.balance}
                </th>
                <th scope="col">{t.billing.due}</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((inv) => (
                <tr key={inv.id} data-invoice={inv.id}>
                  <th scope="row">
                    <Link href={`/accounts/${accountId}/billing/${inv.id}`}>{inv.number ?? t.billing.draft}</Link>
                  </th>
                  <td>{formatDate(inv.periodStart, { utc: true })}</td>
                  <td>
                    <span className={`badge badge-${inv.status.toLowerCase()}`}>{t.statuses[inv.status]}</span>
                  </td>
                  <td className="num">{formatMoney(inv.total)}</td>
                  <td className="num">{formatMoney(inv.balance)}</td>
                  <td>{inv.dueDate ? formatDate(inv.dueDate, { utc: true }) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CurrentUsage({ previews }: { previews: Overview['currentUsage'] }) {
  const empty = previews.every((p) => p.sections.length === 0);
  return (
    <section className="card card-wide" aria-labelledby="current-usage-heading" data-testid="current-usage">
      <div className="card-header">
        <h2 id="current-usage-heading">{t.billing.currentUsage}</h2>
      </div>
      <p className="card-note muted">{t.billing.currentUsageLead}</p>
      {empty ? (
        <div className="card-body">
          <p className="muted">{t.billing.noUsage}</p>
        </div>
      ) : (
        previews.map((p) => (
          <div className="table-wrap" key={p.currencyCode}>
            <table className="table" aria-label={`${t.billing.currentUsage} (${p.currencyCode})`}>
              <tbody>
                {p.sections.map((s) => (
                  <tr key={s.category}>
                    <th scope="row">{t.categories[s.category]}</th>
                    <td className="num">{formatMoney(s.subtotal)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t.billing.runningTotal}</th>
                  <td className="num" data-testid={`running-total-${p.currencyCode}`}>
                    <strong>{formatMoney(p.total)}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
            {p.unpricedCodes.length > 0 && <p className="muted">{t.billing.unpriced([...new Set(p.unpricedCodes)].join(', '))}</p>}
          </div>
        ))
      )}
    </section>
  );
}

function Statement({ aging }: { aging: Overview['billingStatement']['aging'] }) {
  return (
    <section className="card card-wide" aria-labelledby="statement-heading" data-testid="statement">
      <div className="card-header">
        <h2 id="statement-heading">{t.billing.statement}</h2>
      </div>
      {aging.length === 0 ? (
        <div className="card-body">
          <p className="muted">{t.billing.nothingOpen}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label={t.billing.aging}>
            <thead>
              <tr>
                <th scope="col">{t.billing.open}</th>
                <th scope="col">{t.billing.overdue}</th>
                <th scope="col">{t.billing.bucket0}</th>
                <th scope="col">{t.billing.bucket31}</th>
                <th scope="col">{t.billing.bucket61}</th>
                <th scope="col">{t.billing.bucket90}</th>
              </tr>
            </thead>
            <tbody>
              {aging.map((a) => (
                <tr key={a.currencyCode}>
                  <td>{formatMoney(a.balance)}</td>
                  <td>{formatMoney(a.overdue)}</td>
                  <td>{formatMoney(a.days0To30)}</td>
                  <td>{formatMoney(a.days31To60)}</td>
                  <td>{formatMoney(a.days61To90)}</td>
                  <td>{formatMoney(a.over90)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

/**
 * The account manager's console: run the month, add an ad-hoc charge or credit. The page's
 * query refreshes itself when a mutation returns an Invoice or a UsageRecord (urql's document
 * cache); onDone asks again when a run returned nothing to go by.
 */
function Console({ accountId, onDone }: { accountId: string; onDone: () => void }) {
  const [period, setPeriod] = useState(thisMonth());
  const [runState, run] = useMutation(RunInvoicesMutation);
  const [runErrors, setRunErrors] = useState<UserErrorLike[]>([]);
  const [runProblem, setRunProblem] = useState<Problem | null>(null);
  const [runDone, setRunDone] = useState<string | null>(null);

  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [reason, setReason] = useState('');
  const [chargeState, addCharge] = useMutation(AddAdHocChargeMutation);
  const [chargeErrors, setChargeErrors] = useState<UserErrorLike[]>([]);
  const [chargeProblem, setChargeProblem] = useState<Problem | null>(null);
  const [chargeDone, setChargeDone] = useState(false);

  async function submitRun(e: FormEvent) {
    e.preventDefault();
    setRunDone(null);
    const res = await run({ input: { period, accountId } });
    const outcome = mutationOutcome(res, (d) => d.runInvoices);
    setRunErrors(outcome.kind === 'refused' ? outcome.errors : []);
    setRunProblem(outcome.kind === 'failed' ? outcome.problem : null);
    if (outcome.kind === 'ok') {
      setRunDone(t.console.runDone(outcome.payload.invoices.length, outcome.payload.claimed));
      // The returned invoices refresh the page through the cache; without any, ask again.
      if (outcome.payload.invoices.length === 0) {
        onDone();
      }
    }
  }

  async function submitCharge(e: FormEvent) {
    e.preventDefault();
    setChargeDone(false);
    const res = await addCharge({
      input: { accountId, amount: { amount: amount.trim(), currencyCode: currency }, reason: reason.trim(), idempotencyKey: crypto.randomUUID() },
    });
    const outcome = mutationOutcome(res, (d) => d.addAdHocCharge);
    setChargeErrors(outcome.kind === 'refused' ? outcome.errors : []);
    setChargeProblem(outcome.kind === 'failed' ? outcome.problem : null);
    if (outcome.kind === 'ok') {
      setChargeDone(true);
      setAmount('');
      setReason('');
    }
  }

  const at = (errors: UserErrorLike[], field: string) => errors.filter((e) => e.field?.includes(field));
  return (
    <section className="card card-wide" aria-labelledby="console-heading" data-testid="billing-console">
      <div className="card-header">
        <h2 id="console-heading">{t.console.title}</h2>
      </div>
      <p className="card-note muted">{t.console.lead}</p>
      <div className="two-columns">
        <form className="card-body" onSubmit={submitRun} aria-label={t.console.run}>
          <FormAlert errors={runErrors.filter((e) => !e.field?.includes('period'))} problem={runProblem} />
          <Field label={t.console.period} hint={t.console.periodHint} errors={at(runErrors, 'period')}>
            {(p) => <input {...p} value={period} onChange={(e) => setPeriod(e.target.value)} />}
          </Field>
          <button type="submit" className="button button-primary" disabled={runState.fetching}>
            {t.console.run}
          </button>
          {runDone && (
            <p role="status" data-testid="run-done">
              {runDone}
            </p>
          )}
        </form>
        <form className="card-body" onSubmit={submitCharge} aria-label={t.console.adHoc}>
          <h3>{t.console.adHoc}</h3>
          <FormAlert errors={chargeErrors.filter((e) => !['amount', 'reason'].some((f) => e.field?.includes(f)))} problem={chargeProblem} />
          <Field label={t.console.amount} hint={t.console.amountHint} errors={at(chargeErrors, 'amount')}>
            {(p) => <input {...p} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
          </Field>
          <Field label={t.console.currency}>
            {(p) => (
              <select {...p} value={currency} onChange={(e) => setCurrency(e.target.value)}>
                {['USD', 'EUR', 'CNY'].map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t.console.reason} hint={t.console.reasonHint} errors={at(chargeErrors, 'reason')}>
            {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <button type="submit" className="button button-secondary" disabled={chargeState.fetching}>
            {t.console.add}
          </button>
          {chargeDone && <p role="status">{t.console.added}</p>}
        </form>
      </div>
    </section>
  );
}
