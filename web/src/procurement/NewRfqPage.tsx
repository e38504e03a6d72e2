import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useLocation } from 'wouter';
import { useAccount } from '../app/account';
import { graphql } from '../gql';
import type { ProcurementIncoterm } from '../gql/graphql';
import { formatCountry } from '../i18n/messages';
import { incoterms, procurementMessages as t } from '../i18n/procurement';
import { PageHeader, useSkuOptions, useWarehouses } from '../warehousing/ui';
import { localInDays, procurementPaths, toRFC3339 } from './paths';
import { Errors } from './ui';

export const RfqSuppliersQuery = graphql(`
  query RfqSuppliers($accountId: ID!) {
    suppliers(accountId: $accountId, first: 100) {
      nodes {
        id
        name
        country
        status
        score {
          percent
        }
      }
    }
  }
`);

export const CreateRfqMutation = graphql(`
  mutation CreateRfq($input: CreateRfqInput!) {
    createRfq(input: $input) {
      rfq {
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

export const SendRfqMutation = graphql(`
  mutation SendRfq($rfqId: ID!) {
    sendRfq(input: { rfqId: $rfqId }) {
      rfq {
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

type Line = { skuId: string; description: string; quantity: string; target: string; weight: string; hsCode: string };
const emptyLine: Line = { skuId: '', description: '', quantity: '', target: '', weight: '', hsCode: '' };

/** `/accounts/:id/procurement/rfqs/new`: write an RFQ and send it to up to 10 suppliers. */
export default function NewRfqPage() {
  const { account } = useAccount();
  const [, navigate] = useLocation();
  const { warehouses } = useWarehouses();
  const skus = useSkuOptions(account.id);
  const [suppliersResult] = useQuery({ query: RfqSuppliersQuery, variables: { accountId: account.id } });
  const suppliers = (suppliersResult.data?.suppliers.nodes ?? []).filter((s) => s.status !== 'SUSPENDED');

  const [title, setTitle] = useState('');
  const [warehouseId, setWarehouseId] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [incoterm, setIncoterm] = useState<ProcurementIncoterm>('FOB');
  const [deadline, setDeadline] = useState(localInDays(3));
  const [showTargets, setShowTargets] = useState(false);
  const [lines, setLines] = useState<Line[]>([{ ...emptyLine }]);
  const [invited, setInvited] = useState<string[]>([]);
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [, create] = useMutation(CreateRfqMutation);
  const [sendState, send] = useMutation(SendRfqMutation);

  const setLine = (i: number, patch: Partial<Line>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invited.length > 10) {
      setErrors([{ message: t.newRfq.tooMany }]);
      return;
    }
    const res = await create({
      input: {
        accountId: account.id,
        title,
        destinationWarehouseId: warehouseId,
        currency: currency.trim().toUpperCase(),
        incoterm,
        responseDeadline: toRFC3339(deadline) ?? '',
        showTargetPrices: showTargets,
        supplierIds: invited,
        lines: lines.map((l) => ({
          skuId: l.skuId || null,
          description: l.description || null,
          quantity: Number.parseInt(l.quantity, 10) || 0,
          targetUnitPrice: l.target || null,
          unitWeightGrams: l.weight ? Number.parseInt(l.weight, 10) : null,
          hsCode: l.hsCode || null,
        })),
      },
    });
    const ue = res.data?.createRfq.userErrors ?? [];
    const id = res.data?.createRfq.rfq?.id;
    if (res.error || ue.length > 0 || !id) {
      setErrors(res.error ? [{ message: res.error.message }] : ue);
      return;
    }
    const sent = await send({ rfqId: id }, { additionalTypenames: ['Rfq'] });
    const sue = sent.data?.sendRfq.userErrors ?? [];
    if (sent.error || sue.length > 0) {
      setErrors(sent.error ? [{ message: sent.error.message }] : sue);
    }
    navigate(procurementPaths.rfq(account.id, id));
  };

  return (
    <>
      <title>{t.title(t.newRfq.title, account.legalName)}</title>
      <PageHeader title={t.newRfq.title} lead={t.newRfq.lead} />
      <form className="card card-wide card-body form" onSubmit={submit} data-testid="rfq-form">
        <Errors errors={errors} />
        <div className="field">
          <label htmlFor="rfq-title">{t.newRfq.rfqTitle}</label>
          <input id="rfq-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="rfq-warehouse">{t.newRfq.warehouse}</label>
          <select id="rfq-warehouse" value={warehouseId} onChange={(e) => setWarehouseId(e.target.value)} required>
            <option value="" />
            {warehouses.map((w) => (
              <option key={w.id} value={w.id}>
                {w.code} · {w.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rfq-currency">{t.newRfq.currency}</label>
          <input id="rfq-currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="rfq-incoterm">{t.newRfq.incoterm}</label>
          <select id="rfq-incoterm" value={incoterm} onChange={(e) => setIncoterm(e.target.value as ProcurementIncoterm)}>
            {incoterms.map((i) => (
              <option key={i} value={i}>
                {t.incoterms[i]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rfq-deadline">{t.newRfq.deadline}</label>
          <input id="rfq-deadline" type="datetime-local" value={deadline} onChange={(e) => setDeadline(e.target.value)} required />
        </div>
        <div className="field field-check">
          <input id="rfq-targets" type="checkbox" checked={showTargets} onChange={(e) => setShowTargets(e.target.checked)} />
          <label htmlFor="rfq-targets">{t.newRfq.showTargets}</label>
        </div>
        {lines.map((l, i) => (
          <fieldset key={i} className="fieldset" data-testid="rfq-line">
            <legend>{t.newRfq.line(i + 1)}</legend>
            <div className="field">
              <label htmlFor={`line-${i}-sku`}>{t.newRfq.sku}</label>
              <select id={`line-${i}-sku`} value={l.skuId} onChange={(e) => setLine(i, { skuId: e.target.value })}>
                <option value="">{t.newRfq.noSku}</option>
                {skus.options.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.code} · {k.name}
                  </option>
                ))}
              </select>
            </div>
            {!l.skuId && (
              <div className="field">
                <label htmlFor={`line-${i}-description`}>{t.newRfq.description}</label>
                <input id={`line-${i}-description`} value={l.description} onChange={(e) => setLine(i, { description: e.target.value })} />
              </div>
            )}
            <div className="field">
              <label htmlFor={`line-${i}-quantity`}>{t.newRfq.quantity}</label>
              <input id={`line-${i}-quantity`} inputMode="numeric" value={l.quantity} onChange={(e) => setLine(i, { quantity: e.target.value })} required />
            </div>
            <div className="field">
              <label htmlFor={`line-${i}-target`}>{t.newRfq.target}</label>
              <input id={`line-${i}-target`} inputMode="decimal" value={l.target} onChange={(e) => setLine(i, { target: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`line-${i}-weight`}>{t.newRfq.weight}</label>
              <input id={`line-${i}-weight`} inputMode="numeric" value={l.weight} onChange={(e) => setLine(i, { weight: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`line-${i}-hs`}>{t.newRfq.hsCode}</label>
              <input id={`line-${i}-hs`} value={l.hsCode} onChange={(e) => setLine(i, { hsCode: e.target.value })} />
            </div>
            {lines.length > 1 && (
              <button type="button" className="button button-secondary" onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}>
                {t.newRfq.removeLine}
              </button>
            )}
          </fieldset>
        ))}
        <button type="button" className="button button-secondary" onClick={() => setLines((ls) => [...ls, { ...emptyLine }])}>
          {t.newRfq.addLine}
        </button>
        <fieldset className="fieldset">
          <legend>{t.newRfq.suppliers}</legend>
          {suppliers.map((s) => (
            <div key={s.id} className="field field-check">
              <input
                id={`invite-${s.id}`}
                type="checkbox"
                checked={invited.includes(s.id)}
                onChange={(e) => setInvited((v) => (e.target.checked ? [...v, s.id] : v.filter((x) => x !== s.id)))}
              />
              <label htmlFor={`invite-${s.id}`}>
                {s.name} · {formatCountry(s.country)}
                {s.score.percent !== null && s.score.percent !== undefined && ` · ${s.score.percent}`}
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button button-primary" disabled={sendState.fetching}>
          {sendState.fetching ? t.newRfq.saving : t.newRfq.submit}
        </button>
      </form>
    </>
  );
}
