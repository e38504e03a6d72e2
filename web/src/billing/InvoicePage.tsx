import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useParams } from 'wouter';
import { canBill } from '../access/access';
import { useAccount } from '../app/account';
import { Field, FormAlert } from '../components/Form';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import type { InvoiceQuery } from '../gql/graphql';
import type { Problem } from '../graphql/errors';
import { mutationOutcome } from '../graphql/mutations';
import { billingMessages as t } from '../i18n/billing';
import { formatDate, formatDecimal, formatMoney, type UserErrorLike } from '../i18n/messages';
import { PageHeader } from '../warehousing/ui';

export const InvoiceQueryDoc = graphql(`
  query Invoice($id: ID!) {
    invoice(id: $id) {
      id
      accountId
      number
      status
      periodStart
      periodEnd
      dueDate
      memo
      syncStatus
      payUrl
      pdfUrl
      csvUrl
      unpricedCodes
      sections {
        category
        subtotal {
          amount
          currencyCode
        }
        lines {
          code
          description
          quantity
          unit
          amount {
            amount
            currencyCode
          }
        }
      }
      subtotal {
        amount
        currencyCode
      }
      tax {
        name
        rateBps
        reverseCharge
        amount {
          amount
          currencyCode
        }
      }
      total {
        amount
        currencyCode
      }
      credited {
        amount
        currencyCode
      }
      paid {
        amount
        currencyCode
      }
      balance {
        amount
        currencyCode
      }
      payments {
        id
        method
        reference
        receivedAt
        amount {
          amount
          currencyCode
        }
      }
    }
  }
`);

export const FinalizeInvoiceMutation = graphql(`
  mutation FinalizeInvoice($input: InvoiceIdInput!) {
    finalizeInvoice(input: $input) {
      invoice {
        id
        status
        number
        syncStatus
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RecalculateInvoiceMutation = graphql(`
  mutation RecalculateInvoice($input: InvoiceIdInput!) {
    recalculateInvoice(input: $input) {
      invoice {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const RecordInvoicePaymentMutation = graphql(`
  mutation RecordInvoicePayment($input: RecordInvoicePaymentInput!) {
    recordInvoicePayment(input: $input) {
      invoice {
        id
        status
        balance {
          amount
          currencyCode
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Inv = NonNullable<InvoiceQuery['invoice']>;

/** `/accounts/:id/billing/:invoiceId`: an invoice by service, its documents and how to pay it. */
export default function InvoicePage() {
  const { account, access } = useAccount();
  const { invoiceId } = useParams<{ invoiceId: string }>();
  const [result, reexecute] = useQuery({ query: InvoiceQueryDoc, variables: { id: invoiceId }, requestPolicy: 'cache-and-network' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  return (
    <Remote value={result.data?.invoice ?? undefined} result={result} what={t.invoice.what} onRetry={refresh} loadingLabel={t.invoice.loading}>
      {(inv) => (
        <>
          <title>{t.title(t.invoice.title(inv.number), account.legalName)}</title>
          <PageHeader
            title={t.invoice.title(inv.number)}
            lead={`${formatDate(inv.periodStart, { utc: true })} – ${formatDate(new Date(Date.parse(inv.periodEnd) - 1).toISOString(), { utc: true })}`}
            actions={
              <>
                <a className="button button-secondary" href={inv.pdfUrl}>
                  {t.invoice.pdf}
                </a>
                <a className="button button-secondary" href={inv.csvUrl}>
                  {t.invoice.csv}
                </a>
                {inv.payUrl && (
                  <a className="button button-primary" href={inv.payUrl} target="_blank" rel="noreferrer">
                    {t.invoice.pay}
                  </a>
                )}
              </>
            }
          />
          <p>
            <span className={`badge badge-${inv.status.toLowerCase()}`} data-testid="invoice-status">
              {t.statuses[inv.status]}
            </span>{' '}
            <span className="muted">{t.invoice.stripe[inv.syncStatus]}</span>
          </p>
          {inv.unpricedCodes.length > 0 && <p className="muted">{t.invoice.unpriced([...new Set(inv.unpricedCodes)].join(', '))}</p>}
          {inv.sections.map((s) => (
            <Section key={s.category} section={s} />
          ))}
          <Totals inv={inv} />
          {!inv.payUrl && inv.status !== 'DRAFT' && inv.status !== 'PAID' && <p className="muted">{t.invoice.payBank}</p>}
          {canBill(access) && <Actions inv={inv} />}
        </>
      )}
    </Remote>
  );
}

function Section({ section }: { section: Inv['sections'][number] }) {
  const title = t.categories[section.category];
  return (
    <section className="card card-wide" aria-label={title} data-section={section.category}>
      <div className="card-header">
        <h2>{title}</h2>
        <span>{formatMoney(section.subtotal)}</span>
      </div>
      <div className="table-wrap">
        <table className="table" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{t.invoice.line}</th>
              <th scope="col" className="num">
                {t.invoice.quantity}
              </th>
              <th scope="col" className="num">
                {t.invoice.amount}
              </th>
            </tr>
          </thead>
          <tbody>
            {section.lines.map((l, i) => (
              <tr key={`${l.code}-${i}`} data-code={l.code}>
                <th scope="row">{l.description}</th>
                <td className="num">
                  {formatDecimal(l.quantity)} {t.units[l.unit] ?? l.unit}
                </td>
                <td className="num">{formatMoney(l.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Totals({ inv }: { inv: Inv }) {
  const tax = inv.tax.reverseCharge ? t.invoice.reverseCharge : `${t.invoice.tax} (${inv.tax.name}, ${inv.tax.rateBps / 100} %)`;
  const rows: [string, { amount: string; currencyCode: string }][] = [
    [t.invoice.subtotal, inv.subtotal],
    [tax, inv.tax.amount],
    [t.invoice.total, inv.total],
    [t.invoice.credited, inv.credited],
    [t.invoice.paid, inv.paid],
    [t.invoice.balance, inv.balance],
  ];
  return (
    <section className="card" aria-label={t.invoice.total}>
      <table className="table" aria-label={t.invoice.total}>
        <tbody>
          {rows.map(([label, m]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num" data-testid={label === t.invoice.total ? 'invoice-total' : undefined}>
                {formatMoney(m)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Staff actions: recalculate and finalize a draft; record a bank transfer on an open invoice.
 * Each mutation returns the invoice, which refreshes the page through urql's cache.
 */
function Actions({ inv }: { inv: Inv }) {
  const [finState, finalize] = useMutation(FinalizeInvoiceMutation);
  const [recState, recalc] = useMutation(RecalculateInvoiceMutation);
  const [payState, pay] = useMutation(RecordInvoicePaymentMutation);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');

  function settle<P extends { userErrors: readonly UserErrorLike[] }>(outcome: ReturnType<typeof mutationOutcome<unknown, P>>, ok: string) {
    setErrors(outcome.kind === 'refused' ? outcome.errors : []);
    setProblem(outcome.kind === 'failed' ? outcome.problem : null);
    if (outcome.kind === 'ok') {
      setDone(ok);
    }
  }

  async function submitPayment(e: FormEvent) {
    e.preventDefault();
    const res = await pay({
      input: { invoiceId: inv.id, amount: { amount: amount.trim(), currencyCode: inv.balance.currencyCode }, reference: reference.trim() },
    });
    settle(mutationOutcome(res, (d) => d.recordInvoicePayment), t.invoice.recorded);
  }

  const at = (field: string) => errors.filter((e) => e.field?.includes(field));
  return (
    <section className="card card-wide" aria-labelledby="invoice-actions-heading" data-testid="invoice-actions">
      <div className="card-header">
        <h2 id="invoice-actions-heading">{t.console.title}</h2>
      </div>
      <div className="card-body">
        <FormAlert errors={errors.filter((e) => !['amount', 'reference'].some((f) => e.field?.includes(f)))} problem={problem} />
        {done && <p role="status">{done}</p>}
        {inv.status === 'DRAFT' && (
          <p>
            <button
              type="button"
              className="button button-secondary"
              disabled={recState.fetching}
              onClick={async () => settle(mutationOutcome(await recalc({ input: { invoiceId: inv.id } }), (d) => d.recalculateInvoice), t.invoice.recalculate)}
            >
              {t.invoice.recalculate}
            </button>{' '}
            <button
              type="button"
              className="button button-primary"
              disabled={finState.fetching}
              onClick={async () => settle(mutationOutcome(await finalize({ input: { invoiceId: inv.id } }), (d) => d.finalizeInvoice), t.invoice.finalized)}
            >
              {t.invoice.finalize}
            </button>
            <span className="muted"> {t.invoice.finalizeHint}</span>
          </p>
        )}
        {(inv.status === 'FINALIZED' || inv.status === 'PARTIALLY_PAID' || inv.status === 'OVERDUE') && (
          <form onSubmit={submitPayment} aria-label={t.invoice.recordPayment}>
            <h3>{t.invoice.recordPayment}</h3>
            <Field label={`${t.console.amount} (${inv.balance.currencyCode})`} errors={at('amount')}>
              {(p) => <input {...p} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
            </Field>
            <Field label={t.invoice.reference} errors={at('reference')}>
              {(p) => <input {...p} value={reference} onChange={(e) => setReference(e.target.value)} />}
            </Field>
            <button type="submit" className="button button-primary" disabled={payState.fetching}>
              {t.invoice.record}
            </button>
          </form>
        )}
      </div>
    </section>
  );
}
