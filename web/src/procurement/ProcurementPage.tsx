import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { useAccount } from '../app/account';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import { formatCountry, formatDateTime, formatMoney } from '../i18n/messages';
import { procurementMessages as t } from '../i18n/procurement';
import { ButtonLink, PageHeader, useCanOperate } from '../warehousing/ui';
import { procurementPaths, receivedPercent } from './paths';
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
