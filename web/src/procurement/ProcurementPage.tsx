import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { useAccount } from '../app/account';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import { formatCountry, formatDateTime, formatMoney } from '../i18n/messages';
import { procurementMessages as t } from '../i18n/procurement';
import { ButtonLink, PageHeader, useCanOperate } from '../warehousing/ui';
import { localInDays, procurementPaths, receivedPercent, toRFC3339 } from './paths';
import { Errors, Progress, PurchaseOrderStatusBadge, RfqStatusBadge, Section } from './ui';

export const ProcurementOverviewQuery = graphql(`
  query ProcurementOverview($accountId: ID!) {
    rfqs(accountId: $accountId, last: 20) {
      nodes {
        id
        title
        status
        responseDeadline
        lines {
          id
        }
      }
    }
    purchaseOrders(accountId: $accountId, last: 20) {
      nodes {
        id
        number
        status
        total {
          amount
          currencyCode
        }
        supplier {
          id
          name
        }
        lines {
          quantity
          received
          rejected
        }
      }
    }
    inventoryBalances(accountId: $accountId, filter: { lowStock: true }, first: 20) {
      nodes {
        available
        sku {
          id
          code
          name
        }
        warehouse {
          id
          code
        }
      }
    }
    suppliers(accountId: $accountId, first: 50) {
      nodes {
        id
        accountId
        name
        country
        status
        score {
          percent
          orders
        }
      }
    }
  }
`);

export const LowStockRfqMutation = graphql(`
  mutation LowStockRfq($input: CreateRfqFromLowStockInput!) {
    createRfqFromLowStock(input: $input) {
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

export const CreateSupplierMutation = graphql(`
  mutation CreateSupplier($input: CreateSupplierInput!) {
    createSupplier(input: $input) {
      supplier {
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

const context = { additionalTypenames: ['Rfq', 'PurchaseOrder', 'Supplier'] };

/** `/accounts/:id/procurement`: the account's RFQs, purchase orders and suppliers. */
export default function ProcurementPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  const [result, reexecute] = useQuery({
    query: ProcurementOverviewQuery,
    variables: { accountId: account.id },
    context,
    requestPolicy: 'cache-and-network',
  });
  return (
    <>
      <title>{t.title(t.section, account.legalName)}</title>
      <PageHeader
        title={t.section}
        lead={t.lead}
        actions={
          operate && (
            <ButtonLink href={procurementPaths.newRfq(account.id)} primary>
              {t.rfqs.create}
            </ButtonLink>
          )
        }
      />
      <Remote value={result.data} result={result} what={t.rfqs.what} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
        {(data) => (
          <>
            <Section id="rfqs-heading" title={t.rfqs.heading}>
              {data.rfqs.nodes.length === 0 ? (
                <div className="card-body empty-state">
                  <p>{t.rfqs.empty}</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" aria-labelledby="rfqs-heading" data-testid="rfq-table">
                    <thead>
                      <tr>
                        <th scope="col">{t.rfqs.title}</th>
                        <th scope="col">{t.rfqs.status}</th>
                        <th scope="col">{t.rfqs.lines}</th>
                        <th scope="col">{t.rfqs.deadline}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...data.rfqs.nodes].reverse().map((r) => (
                        <tr key={r.id}>
                          <td>
                            <Link href={procurementPaths.rfq(account.id, r.id)}>{r.title}</Link>
                          </td>
                          <td>
                            <RfqStatusBadge status={r.status} />
                          </td>
                          <td className="num">{r.lines.length}</td>
                          <td>{formatDateTime(r.responseDeadline)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
            <Section id="pos-heading" title={t.pos.heading}>
              {data.purchaseOrders.nodes.length === 0 ? (
                <div className="card-body empty-state">
                  <p>{t.pos.empty}</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" aria-labelledby="pos-heading" data-testid="po-table">
                    <thead>
                      <tr>
                        <th scope="col">{t.pos.number}</th>
                        <th scope="col">{t.rfqs.status}</th>
                        <th scope="col">{t.pos.supplier}</th>
                        <th scope="col">{t.pos.total}</th>
                        <th scope="col">{t.pos.progress}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...data.purchaseOrders.nodes].reverse().map((p) => (
                        <tr key={p.id}>
                          <td>
                            <Link href={procurementPaths.po(account.id, p.id)}>{p.number}</Link>
                          </td>
                          <td>
                            <PurchaseOrderStatusBadge status={p.status} />
                          </td>
                          <td>{p.supplier?.name}</td>
                          <td className="num">{formatMoney(p.total)}</td>
                          <td>
                            <Progress percent={receivedPercent(p.lines)} label={t.pos.progress} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
            {operate && data.inventoryBalances.nodes.length > 0 && (
              <LowStock
                accountId={account.id}
                low={data.inventoryBalances.nodes}
                suppliers={data.suppliers.nodes.filter((s) => s.status !== 'SUSPENDED')}
              />
            )}
            <Section id="suppliers-heading" title={t.suppliers.heading}>
              <div className="table-wrap">
                <table className="table" aria-labelledby="suppliers-heading" data-testid="supplier-table">
                  <thead>
                    <tr>
                      <th scope="col">{t.suppliers.name}</th>
                      <th scope="col">{t.suppliers.country}</th>
                      <th scope="col">{t.rfqs.status}</th>
                      <th scope="col">{t.suppliers.score}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.suppliers.nodes.map((s) => (
                      <tr key={s.id}>
                        <td>
                          {s.name}
                          <span className="muted table-sub">{s.accountId ? t.suppliers.own : t.suppliers.curated}</span>
                        </td>
                        <td>{formatCountry(s.country)}</td>
                        <td>{t.supplierStatuses[s.status]}</td>
                        <td className="num">{s.score.percent ?? t.suppliers.noScore}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {operate && <AddSupplier accountId={account.id} />}
            </Section>
          </>
        )}
      </Remote>
    </>
  );
}

type LowBalance = { available: number; sku: { id: string; code: string; name: string }; warehouse: { id: string; code: string } };

/** Low-stock SKUs of one warehouse at a time, turned into a pre-filled RFQ to chosen suppliers. */
function LowStock({ accountId, low, suppliers }: { accountId: string; low: readonly LowBalance[]; suppliers: readonly { id: string; name: string }[] }) {
  const [, navigate] = useLocation();
  const warehouses = [...new Map(low.map((b) => [b.warehouse.id, b.warehouse])).values()];
  const [warehouseId, setWarehouseId] = useState(warehouses[0]?.id ?? '');
  const [currency, setCurrency] = useState('USD');
  const [invited, setInvited] = useState<string[]>([]);
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [state, create] = useMutation(LowStockRfqMutation);
  const here = low.filter((b) => b.warehouse.id === warehouseId);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await create(
      {
        input: {
          accountId,
          warehouseId,
          currency: currency.trim().toUpperCase(),
          skuIds: here.map((b) => b.sku.id),
          supplierIds: invited,
          responseDeadline: toRFC3339(localInDays(3)) ?? '',
        },
      },
      context,
    );
    const ue = res.data?.createRfqFromLowStock.userErrors ?? [];
    const id = res.data?.createRfqFromLowStock.rfq?.id;
    if (res.error || ue.length > 0 || !id) {
      setErrors(res.error ? [{ message: res.error.message }] : ue);
      return;
    }
    navigate(procurementPaths.rfq(accountId, id));
  };
  return (
    <Section id="low-heading" title={t.lowStock.heading}>
      <form className="card-body form" onSubmit={submit} data-testid="low-stock">
        <p className="muted">{t.lowStock.lead}</p>
        <Errors errors={errors} />
        <div className="field">
          <label htmlFor="low-warehouse">{t.newRfq.warehouse}</label>
          <select id="low-warehouse" value={warehouseId} onChange={(e) => setWarehouseId(e.target.value)}>
            {warehouses.map((w) => (
              <option key={w.id} value={w.id}>
                {w.code}
              </option>
            ))}
          </select>
        </div>
        <ul>
          {here.map((b) => (
            <li key={b.sku.id}>
              {b.sku.code} · {b.sku.name} · {t.lowStock.available(b.available)}
            </li>
          ))}
        </ul>
        <div className="field">
          <label htmlFor="low-currency">{t.newRfq.currency}</label>
          <input id="low-currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} />
        </div>
        <fieldset className="fieldset">
          <legend>{t.newRfq.suppliers}</legend>
          {suppliers.map((s) => (
            <div key={s.id} className="field field-check">
              <input
                id={`low-invite-${s.id}`}
                type="checkbox"
                checked={invited.includes(s.id)}
                onChange={(e) => setInvited((v) => (e.target.checked ? [...v, s.id] : v.filter((x) => x !== s.id)))}
              />
              <label htmlFor={`low-invite-${s.id}`}>{s.name}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button button-secondary" disabled={state.fetching || here.length === 0}>
          {t.lowStock.start}
        </button>
      </form>
    </Section>
  );
}

function AddSupplier({ accountId }: { accountId: string }) {
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [state, create] = useMutation(CreateSupplierMutation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await create({ input: { accountId, name, country: country.trim().toUpperCase() } }, context);
    const ue = res.data?.createSupplier.userErrors ?? [];
    setErrors(res.error ? [{ message: res.error.message }] : ue);
    if (!res.error && ue.length === 0) {
      setName('');
      setCountry('');
    }
  };
  return (
    <form className="card-body form-inline" onSubmit={submit}>
      <Errors errors={errors} />
      <div className="field">
        <label htmlFor="supplier-name">{t.suppliers.addName}</label>
        <input id="supplier-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor="supplier-country">{t.suppliers.addCountry}</label>
        <input id="supplier-country" value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} required />
      </div>
      <button type="submit" className="button button-secondary" disabled={state.fetching}>
        {t.suppliers.add}
      </button>
    </form>
  );
}
