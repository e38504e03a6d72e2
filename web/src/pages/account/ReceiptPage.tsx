import { useRef, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { Link, useParams } from 'wouter';
import { useAccount } from '../../app/account';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useFlash } from '../../components/flash';
import { FormAlert } from '../../components/Form';
import { Remote } from '../../components/Remote';
import { NoAccess } from '../../components/States';
import { useFormState } from '../../forms/useFormState';
import { graphql } from '../../gql';
import type { ReceiptDetailQuery } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome } from '../../graphql/mutations';
import { formatCount, formatDate, formatDateTime, messages, userErrorText, type UserErrorLike } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { parseUnits, toFormRows } from '../../warehousing/lines';
import { paths } from '../../warehousing/paths';
import { dateInputToUTC } from '../../warehousing/period';
import { discrepancies, goodUnits, showsDiscrepancy } from '../../warehousing/receipts';
import { PageHeader, ReceiptStatusBadge, useCanOperate, WarehouseCode } from '../../warehousing/ui';

export const ReceiptDetailQueryDoc = graphql(`
  query ReceiptDetail($id: ID!) {
    receipt(id: $id) {
      id
      accountId
      reference
      purchaseOrderId
      shipmentId
      expectedAt
      status
      hasDiscrepancy
      receivedAt
      putAwayAt
      createdAt
      warehouse {
        id
        code
        name
      }
      lines {
        sku {
          id
          code
          name
          tracksLots
        }
        expected
        received
        damaged
        over
        short
        lot
        expiresAt
      }
    }
  }
`);

export const ReceiveReceiptMutation = graphql(`
  mutation ReceiveReceipt($input: ReceiveReceiptInput!) {
    receiveReceipt(input: $input) {
      receipt {
        id
        status
        hasDiscrepancy
        receivedAt
        lines {
          sku {
            id
          }
          expected
          received
          damaged
          over
          short
          lot
          expiresAt
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

export const PutawayReceiptMutation = graphql(`
  mutation PutawayReceipt($input: ReceiptIdInput!) {
    putawayReceipt(input: $input) {
      receipt {
        id
        status
        putAwayAt
        lines {
          sku {
            id
          }
          received
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

export const CancelReceiptMutation = graphql(`
  mutation CancelReceipt($input: ReceiptIdInput!) {
    cancelReceipt(input: $input) {
      receipt {
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

// urql compares a query's context by identity: a new object on each render would ask again each time.
const receiptContext = { additionalTypenames: ['Receipt'] };

type Receipt = NonNullable<ReceiptDetailQuery['receipt']>;

// Receiving and putting away change stock: the inventory and SKU pages ask again.
const stockContext = { additionalTypenames: ['Receipt', 'InventoryBalance', 'Sku', 'StockMovement'] };

/** `/accounts/:id/receipts/:receiptId`: a receipt, its lines, and receiving, putaway or cancelling. */
export default function ReceiptPage() {
  const { account } = useAccount();
  const { receiptId = '' } = useParams<{ receiptId: string }>();
  const path = paths.receipt(account.id, receiptId);
  const [notice, setNotice] = useFlash(path);
  const [result, reexecute] = useQuery({
    query: ReceiptDetailQueryDoc,
    variables: { id: receiptId },
    context: receiptContext,
    requestPolicy: 'cache-and-network',
  });
  const receipt = result.data?.receipt;
  const name = receipt ? (receipt.reference ?? receipt.id) : t.common.noAccessReceipt;

  return (
    <>
      <title>{t.common.title(receipt ? t.receipt.title(name) : name, account.legalName)}</title>
      <Remote
        value={receipt}
        result={result}
        what={t.common.noAccessReceipt}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.receipt.loading}
      >
        {(r) =>
          r.accountId !== account.id ? (
            <NoAccess what={t.common.noAccessReceipt} />
          ) : (
            <ReceiptView receipt={r} notice={notice} setNotice={setNotice} />
          )
        }
      </Remote>
    </>
  );
}

function ReceiptView({ receipt, notice, setNotice }: { receipt: Receipt; notice: string; setNotice: (text: string) => void }) {
  const { account } = useAccount();
  const operate = useCanOperate();
  const client = useClient();
  const [cancelling, setCancelling] = useState(false);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  // After a change, focus goes to the notice that says what happened: the form or button that had
  // it is gone, and the next Tab continues from there.
  const announce = (text: string) => {
    setNotice(text);
    requestAnimationFrame(() => noticeRef.current?.focus());
  };
  const showDiff = showsDiscrepancy(receipt);
  const diff = showDiff ? discrepancies(receipt.lines) : [];
  const received = receipt.status !== 'EXPECTED' && receipt.status !== 'CANCELLED';
  const name = receipt.reference ?? receipt.id;

  return (
    <>
      <PageHeader
        eyebrow={<Link href={paths.receipts(account.id)}>{t.receipts.title}</Link>}
        title={
          <>
            {t.receipt.title(name)} <ReceiptStatusBadge status={receipt.status} />
          </>
        }
        lead={t.receipt.statusHelp[receipt.status]}
      />
      <p className="notice" role="status" aria-live="polite" ref={noticeRef} tabIndex={-1}>
        {notice}
      </p>

      {diff.length > 0 && (
        <div className="callout callout-danger" role="note" data-testid="discrepancy">
          <p className="callout-title">{t.receipt.discrepancyTitle}</p>
          <p>{t.receipt.discrepancyLead}</p>
          <ul>
            {diff.map((d) => {
              const parts = [
                d.short > 0 ? t.receipt.shortPart(d.short) : null,
                d.over > 0 ? t.receipt.overPart(d.over) : null,
                d.damaged > 0 ? t.receipt.damagedPart(d.damaged) : null,
              ].filter((p): p is string => p !== null);
              return <li key={d.sku.id}>{t.receipt.discrepancyLine(d.sku.code, parts)}</li>;
            })}
          </ul>
        </div>
      )}

      {operate && receipt.status === 'EXPECTED' && (
        <ReceiveForm receipt={receipt} onReceived={() => announce(t.receipt.receivedNotice)} />
      )}
      {operate && receipt.status === 'RECEIVED' && (
        <Putaway receipt={receipt} onDone={() => announce(t.receipt.putAwayNotice)} />
      )}

      <section className="card card-wide" aria-labelledby="receipt-lines-heading">
        <div className="card-header">
          <h2 id="receipt-lines-heading">{t.receipt.lines}</h2>
        </div>
        <div className="table-wrap">
          <table className="table" aria-labelledby="receipt-lines-heading" data-testid="receipt-lines">
            <thead>
              <tr>
                <th scope="col">{t.common.sku}</th>
                <th scope="col" className="num">
                  {t.receipt.expected}
                </th>
                {received && (
                  <>
                    <th scope="col" className="num">
                      {t.receipt.received}
                    </th>
                    <th scope="col" className="num">
                      {t.receipt.damaged}
                    </th>
                    <th scope="col" className="num">
                      {t.receipt.over}
                    </th>
                    <th scope="col" className="num">
                      {t.receipt.short}
                    </th>
                    <th scope="col">{t.receipt.lot}</th>
                    <th scope="col">{t.receipt.expiry}</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {receipt.lines.map((l) => (
                <tr key={l.sku.id} data-sku={l.sku.code}>
                  <th scope="row" className="cell-primary">
                    <Link href={paths.sku(account.id, l.sku.id)}>{l.sku.code}</Link>
                    <span className="muted table-sub">{l.sku.name}</span>
                  </th>
                  <td className="num">{formatCount(l.expected)}</td>
                  {received && (
                    <>
                      <td className="num">{formatCount(l.received)}</td>
                      <td className={`num${l.damaged > 0 ? ' num-bad' : ''}`}>{formatCount(l.damaged)}</td>
                      <td className={`num${l.over > 0 ? ' num-bad' : ''}`}>{formatCount(l.over)}</td>
                      <td className={`num${l.short > 0 ? ' num-bad' : ''}`}>{formatCount(l.short)}</td>
                      <td>{l.lot ?? t.common.none}</td>
                      <td>{l.expiresAt ? formatDate(l.expiresAt, { utc: true }) : t.common.none}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card card-wide" aria-labelledby="receipt-details-heading">
        <div className="card-header">
          <h2 id="receipt-details-heading">{t.receipt.details}</h2>
        </div>
        <div className="card-body">
          <dl className="details details-2col">
            <dt>{t.receipt.warehouse}</dt>
            <dd>
              <WarehouseCode warehouse={receipt.warehouse} />
            </dd>
            <dt>{t.receipt.reference}</dt>
            <dd>{receipt.reference ?? t.common.none}</dd>
            {receipt.purchaseOrderId && (
              <>
                <dt>{t.receipt.purchaseOrder}</dt>
                <dd>
                  <code>{receipt.purchaseOrderId}</code>
                </dd>
              </>
            )}
            {receipt.shipmentId && (
              <>
                <dt>{t.receipt.shipment}</dt>
                <dd>
                  <code>{receipt.shipmentId}</code>
                </dd>
              </>
            )}
            <dt>{t.receipt.expectedAt}</dt>
            <dd>{receipt.expectedAt ? formatDate(receipt.expectedAt, { utc: true }) : t.common.none}</dd>
            <dt>{t.receipt.createdAt}</dt>
            <dd>{formatDateTime(receipt.createdAt)}</dd>
            <dt>{t.receipt.receivedAt}</dt>
            <dd>{receipt.receivedAt ? formatDateTime(receipt.receivedAt) : t.common.none}</dd>
            <dt>{t.receipt.putAwayAt}</dt>
            <dd>{receipt.putAwayAt ? formatDateTime(receipt.putAwayAt) : t.common.none}</dd>
          </dl>
          {operate && receipt.status === 'EXPECTED' && (
            <p>
              <button
                type="button"
                className="button button-secondary button-danger-text"
                onClick={() => setCancelling(true)}
              >
                {t.receipt.cancel}
              </button>
            </p>
          )}
        </div>
      </section>

      <ConfirmDialog
        open={cancelling}
        title={t.receipt.cancelTitle}
        confirmLabel={t.receipt.cancelConfirm}
        busyLabel={t.receipt.cancelling}
        cancelLabel={t.common.cancelDialog}
        failedTitle={t.common.notDone}
        onCancel={() => setCancelling(false)}
        onConfirm={async () => {
          const result = await client.mutation(CancelReceiptMutation, { input: { receiptId: receipt.id } }).toPromise();
          const outcome = mutationOutcome(result, (d) => d.cancelReceipt);
          if (outcome.kind === 'ok') {
            setCancelling(false);
            announce(t.receipt.cancelledNotice);
          }
          return outcome;
        }}
      >
        <p>{t.receipt.cancelBody}</p>
      </ConfirmDialog>
    </>
  );
}

interface ReceiveRow {
  received: string;
  damaged: string;
  lot: string;
  expiry: string;
}

/** Per line: good units (the expected number to start with), damaged ones, and the lot where tracked. */
function ReceiveForm({ receipt, onReceived }: { receipt: Receipt; onReceived: () => void }) {
  const client = useClient();
  const [rows, setRows] = useState<ReceiveRow[]>(() =>
    receipt.lines.map((l) => ({ received: String(l.expected), damaged: '0', lot: '', expiry: '' })),
  );
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const keys = receipt.lines.flatMap((_, i) => [
    `lines.${i}`,
    `lines.${i}.received`,
    `lines.${i}.damaged`,
    `lines.${i}.lot`,
    `lines.${i}.expiresAt`,
    `lines.${i}.skuId`,
  ]);
  const form = useFormState<string>(['lines', ...keys]);
  const e = form.errors.fields as Partial<Record<string, UserErrorLike[]>>;

  const update = (i: number, change: Partial<ReceiveRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) {
      return;
    }
    const local: UserErrorLike[] = [];
    const lines: { skuId: string; received: number; damaged: number; lot: string | null; expiresAt: string | null }[] = [];
    const sentRows: number[] = [];
    receipt.lines.forEach((line, i) => {
      const row = rows[i] as ReceiveRow;
      const at = (field: string, message: string, code = 'INVALID') =>
        local.push({ code, field: ['input', 'lines', String(i), field], message });
      const received = parseUnits(row.received) ?? 0;
      const damaged = parseUnits(row.damaged) ?? 0;
      if (received === undefined) {
        at('received', t.common.wholeNumber);
      }
      if (damaged === undefined) {
        at('damaged', t.common.wholeNumber);
      }
      if (received === undefined || damaged === undefined || received + damaged === 0) {
        // Nothing arrived on this line: left out, the API records it as short.
        return;
      }
      const lot = row.lot.trim();
      if (line.sku.tracksLots && lot === '') {
        at('lot', messages.userErrors['LOT_REQUIRED'] as string, 'LOT_REQUIRED');
      }
      const expiresAt = row.expiry === '' ? null : dateInputToUTC(row.expiry);
      lines.push({ skuId: line.sku.id, received, damaged, lot: lot || null, expiresAt });
      sentRows.push(i);
    });
    if (local.length === 0 && lines.length === 0) {
      local.push({ code: 'REQUIRED', field: ['input', 'lines'], message: t.receipt.nothingReceived });
    }
    if (local.length > 0) {
      form.refuse(local);
      return;
    }
    sending.current = true;
    setBusy(true);
    const result = await client
      .mutation(ReceiveReceiptMutation, { input: { receiptId: receipt.id, lines } }, stockContext)
      .toPromise();
    sending.current = false;
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.receiveReceipt);
    if (outcome.kind === 'failed') {
      form.fail(outcome.problem);
    } else if (outcome.kind === 'refused') {
      form.refuse(toFormRows(outcome.errors, ['input', 'lines'], sentRows));
    } else {
      form.clear();
      onReceived();
    }
  }

  const listErrors = e['lines'] ?? [];
  return (
    <section className="card card-wide card-action" aria-labelledby="receive-heading">
      <div className="card-header">
        <h2 id="receive-heading">{t.receipt.receiveTitle}</h2>
      </div>
      <div className="card-body">
        <p className="muted">{t.receipt.receiveLead}</p>
        <FormAlert errors={[...form.errors.form, ...listErrors]} problem={form.problem} alertRef={form.alertRef} title={t.receipt.notReceived} />
        <form ref={form.formRef} onSubmit={onSubmit} noValidate aria-label={t.receipt.receiveForm}>
          <div className="table-wrap">
            <table className="table table-compact table-form">
              <thead>
                <tr>
                  <th scope="col">{t.common.sku}</th>
                  <th scope="col" className="num">
                    {t.receipt.expected}
                  </th>
                  <th scope="col">{t.receipt.received}</th>
                  <th scope="col">{t.receipt.damaged}</th>
                  <th scope="col">{t.receipt.lot}</th>
                  <th scope="col">{t.receipt.expiry}</th>
                </tr>
              </thead>
              <tbody>
                {receipt.lines.map((line, i) => {
                  const row = rows[i] as ReceiveRow;
                  const errorsOf = (field: string) => [...(e[`lines.${i}.${field}`] ?? [])];
                  const lineErrors = [
                    ...(e[`lines.${i}`] ?? []),
                    ...(e[`lines.${i}.skuId`] ?? []),
                    ...errorsOf('received'),
                    ...errorsOf('damaged'),
                    ...errorsOf('lot'),
                    ...errorsOf('expiresAt'),
                  ];
                  const errorId = `receive-line-${i}-errors`;
                  const described = lineErrors.length > 0 ? errorId : undefined;
                  return (
                    <tr key={line.sku.id} data-sku={line.sku.code}>
                      <th scope="row">
                        {line.sku.code}
                        <span className="muted table-sub">{line.sku.name}</span>
                        {lineErrors.length > 0 && (
                          <ul id={errorId} className="field-errors">
                            {lineErrors.map((err, k) => (
                              <li key={k}>{userErrorText(err)}</li>
                            ))}
                          </ul>
                        )}
                      </th>
                      <td className="num">{formatCount(line.expected)}</td>
                      <td>
                        <input
                          className="input-number"
                          aria-label={t.receipt.receivedOf(line.sku.code)}
                          value={row.received}
                          onChange={(ev) => update(i, { received: ev.target.value })}
                          inputMode="numeric"
                          aria-invalid={errorsOf('received').length > 0}
                          aria-describedby={described}
                        />
                      </td>
                      <td>
                        <input
                          className="input-number"
                          aria-label={t.receipt.damagedOf(line.sku.code)}
                          value={row.damaged}
                          onChange={(ev) => update(i, { damaged: ev.target.value })}
                          inputMode="numeric"
                          aria-invalid={errorsOf('damaged').length > 0}
                          aria-describedby={described}
                        />
                      </td>
                      <td>
                        {line.sku.tracksLots ? (
                          <input
                            aria-label={t.receipt.lotOf(line.sku.code)}
                            value={row.lot}
                            onChange={(ev) => update(i, { lot: ev.target.value })}
                            maxLength={64}
                            autoComplete="off"
                            aria-invalid={errorsOf('lot').length > 0}
                            aria-describedby={described}
                            title={t.receipt.lotHint}
                            required
                          />
                        ) : (
                          <span className="muted">{t.common.none}</span>
                        )}
                      </td>
                      <td>
                        {line.sku.tracksLots ? (
                          <input
                            type="date"
                            aria-label={t.receipt.expiryOf(line.sku.code)}
                            value={row.expiry}
                            onChange={(ev) => update(i, { expiry: ev.target.value })}
                            aria-invalid={errorsOf('expiresAt').length > 0}
                            aria-describedby={described}
                          />
                        ) : (
                          <span className="muted">{t.common.none}</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t.receipt.receiving : t.receipt.receive}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}

function Putaway({ receipt, onDone }: { receipt: Receipt; onDone: () => void }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const alert = useRef<HTMLDivElement>(null);

  async function putaway() {
    setBusy(true);
    setErrors([]);
    setProblem(null);
    const result = await client
      .mutation(PutawayReceiptMutation, { input: { receiptId: receipt.id } }, stockContext)
      .toPromise();
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.putawayReceipt);
    if (outcome.kind === 'ok') {
      onDone();
      return;
    }
    if (outcome.kind === 'refused') {
      setErrors(outcome.errors);
    } else {
      setProblem(outcome.problem);
    }
    requestAnimationFrame(() => alert.current?.focus());
  }

  return (
    <section className="card card-wide card-action" aria-labelledby="putaway-heading">
      <div className="card-header">
        <h2 id="putaway-heading">{t.receipt.putawayTitle}</h2>
      </div>
      <div className="card-body">
        <p>{t.receipt.putawayLead(goodUnits(receipt.lines))}</p>
        <FormAlert errors={errors} problem={problem} alertRef={alert} title={t.common.notDone} />
        <p>
          <button type="button" className="button button-primary" onClick={putaway} disabled={busy}>
            {busy ? t.receipt.puttingAway : t.receipt.putaway}
          </button>
        </p>
      </div>
    </section>
  );
}
