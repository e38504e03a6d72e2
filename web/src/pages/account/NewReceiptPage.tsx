import { useRef, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../../app/account';
import { setFlash } from '../../components/flash';
import { Field, FormAlert } from '../../components/Form';
import { useFormState } from '../../forms/useFormState';
import { graphql } from '../../gql';
import { mutationOutcome } from '../../graphql/mutations';
import { messages, type UserErrorLike } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { collectLines, lineFields, toFormRows, type LineRow } from '../../warehousing/lines';
import { LinesEditor, newLine } from '../../warehousing/LinesEditor';
import { paths } from '../../warehousing/paths';
import { dateInputToUTC } from '../../warehousing/period';
import { PageHeader, useCanOperate, useWarehouses, WarehouseOptions, type SkuOption } from '../../warehousing/ui';

export const CreateReceiptMutation = graphql(`
  mutation CreateReceipt($input: CreateReceiptInput!) {
    createReceipt(input: $input) {
      receipt {
        id
        reference
        status
        lines {
          sku {
            id
          }
          expected
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

/** `/accounts/:id/receipts/new`: announce inbound goods (an ASN). `?sku=` starts with that SKU. */
export default function NewReceiptPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  return (
    <>
      <title>{t.common.title(t.receiptForm.title, account.legalName)}</title>
      <PageHeader
        eyebrow={<Link href={paths.receipts(account.id)}>{t.receipts.title}</Link>}
        title={t.receiptForm.title}
        lead={t.receiptForm.lead}
      />
      {operate ? <ReceiptForm /> : <p className="callout callout-info">{t.common.readOnlyRole}</p>}
    </>
  );
}

type ReceiptField = 'warehouseId' | 'reference' | 'expectedAt' | string;

function ReceiptForm() {
  const { account } = useAccount();
  const client = useClient();
  const [, navigate] = useLocation();
  const search = useSearch();
  const { warehouses, problem: warehousesProblem } = useWarehouses();
  const [warehouseId, setWarehouseId] = useState('');
  const [reference, setReference] = useState('');
  const [expectedOn, setExpectedOn] = useState('');
  const [rows, setRows] = useState<LineRow[]>(() => [newLine(new URLSearchParams(search).get('sku'))]);
  const [chosen, setChosen] = useState<ReadonlyMap<string, SkuOption>>(new Map());
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const form = useFormState<ReceiptField>(['warehouseId', 'reference', 'expectedAt', 'shipmentId', 'purchaseOrderId', ...lineFields(rows.length)]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) {
      return;
    }
    const required = t.receiptForm.required;
    const { lines, sentRows, errors } = collectLines(rows, {
      skuRequired: messages.client.required(required.sku),
      quantityInvalid: t.common.positiveNumber,
      duplicateSku: t.receiptForm.duplicateSku,
      noLines: t.receiptForm.noLines,
    });
    const local: UserErrorLike[] = [];
    if (warehouseId === '') {
      local.push({ code: 'REQUIRED', field: ['input', 'warehouseId'], message: messages.client.required(required.warehouse) });
    }
    const expectedAt = expectedOn === '' ? null : dateInputToUTC(expectedOn);
    if (expectedOn !== '' && expectedAt === null) {
      local.push({ code: 'INVALID', field: ['input', 'expectedAt'], message: t.receiptForm.expectedAtHint });
    }
    if (local.length + errors.length > 0) {
      form.refuse([...local, ...errors]);
      return;
    }
    sending.current = true;
    setBusy(true);
    const result = await client
      .mutation(CreateReceiptMutation, {
        input: { accountId: account.id, warehouseId, reference: reference.trim() || null, expectedAt, lines },
      })
      .toPromise();
    sending.current = false;
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.createReceipt);
    if (outcome.kind === 'failed') {
      form.fail(outcome.problem);
    } else if (outcome.kind === 'refused') {
      form.refuse(toFormRows(outcome.errors, ['input', 'lines'], sentRows));
    } else if (outcome.payload.receipt) {
      const receipt = outcome.payload.receipt;
      const to = paths.receipt(account.id, receipt.id);
      setFlash(to, t.receiptForm.created(receipt.reference ?? receipt.id));
      navigate(to);
    }
  }

  const e = form.errors.fields;
  return (
    <section className="card card-wide" aria-label={t.receiptForm.formLabel}>
      <div className="card-body">
        <FormAlert errors={form.errors.form} problem={form.problem} alertRef={form.alertRef} title={t.receiptForm.notCreated} />
        <form ref={form.formRef} className="form form-grid" onSubmit={onSubmit} noValidate aria-label={t.receiptForm.formLabel}>
          <Field
            label={t.common.warehouse}
            hint={warehousesProblem ? t.common.warehousesFailed : t.receiptForm.warehouseHint}
            errors={e.warehouseId}
          >
            {(props) => (
              <select {...props} value={warehouseId} onChange={(ev) => setWarehouseId(ev.target.value)} required>
                <WarehouseOptions warehouses={warehouses} empty={t.common.chooseWarehouse} />
              </select>
            )}
          </Field>
          <Field label={t.common.optional(t.common.reference)} hint={t.receiptForm.referenceHint} errors={e.reference}>
            {(props) => (
              <input {...props} value={reference} onChange={(ev) => setReference(ev.target.value)} maxLength={100} autoComplete="off" />
            )}
          </Field>
          <Field label={t.common.optional(t.receiptForm.expectedAt)} hint={t.receiptForm.expectedAtHint} errors={e.expectedAt}>
            {(props) => <input {...props} type="date" value={expectedOn} onChange={(ev) => setExpectedOn(ev.target.value)} />}
          </Field>
          <LinesEditor
            accountId={account.id}
            rows={rows}
            onChange={setRows}
            errors={form.errors}
            legend={t.receiptForm.lines}
            hint={t.receiptForm.linesHint}
            chosen={chosen}
            onChoose={(sku) => setChosen((m) => new Map(m).set(sku.id, sku))}
            paused={busy}
          />
          <div className="form-actions form-span">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t.receiptForm.submitting : t.receiptForm.submit}
            </button>
            <Link href={paths.receipts(account.id)} className="button button-secondary">
              {t.skuForm.cancel}
            </Link>
          </div>
        </form>
      </div>
    </section>
  );
}
