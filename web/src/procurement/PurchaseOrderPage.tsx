import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useParams } from 'wouter';
import { useAccount } from '../app/account';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import { formatDateTime, formatMoney } from '../i18n/messages';
import { procurementMessages as t } from '../i18n/procurement';
import { paths } from '../warehousing/paths';
import { PageHeader, useCanOperate } from '../warehousing/ui';
import { procurementPaths, receivedPercent } from './paths';
import { Errors, Progress, PurchaseOrderStatusBadge, Section } from './ui';

export const PurchaseOrderQuery = graphql(`
  query PurchaseOrder($id: ID!) {
    purchaseOrder(id: $id) {
      id
      number
      status
      incoterm
      notes
      promisedShipBy
      issuedAt
      shippedAt
      total {
        amount
        currencyCode
      }
      receivedValue {
        amount
        currencyCode
      }
      paymentTerms {
        depositPercent
        balance
      }
      supplier {
        id
        name
        score {
          percent
        }
      }
      destinationWarehouse {
        id
        code
        name
      }
      lines {
        rfqLineId
        description
        quantity
        unit
        received
        rejected
        unitPrice {
          amount
          currencyCode
        }
      }
      receipt {
        id
        status
      }
    }
  }
`);

export const PurchaseOrderActionMutation = graphql(`
  mutation PurchaseOrderAction($id: ID!, $confirm: Boolean!, $ship: Boolean!, $cancel: Boolean!, $close: Boolean!) {
    confirmPurchaseOrder(input: { purchaseOrderId: $id }) @include(if: $confirm) {
      purchaseOrder {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
    shipPurchaseOrder(input: { purchaseOrderId: $id }) @include(if: $ship) {
      purchaseOrder {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
    cancelPurchaseOrder(input: { purchaseOrderId: $id }) @include(if: $cancel) {
      purchaseOrder {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
    closePurchaseOrder(input: { purchaseOrderId: $id }) @include(if: $close) {
      purchaseOrder {
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

export type POAction = 'confirm' | 'ship' | 'cancel' | 'close';

/** The variables of PurchaseOrderAction for one action. */
export function actionVars(id: string, action: POAction) {
  return { id, confirm: action === 'confirm', ship: action === 'ship', cancel: action === 'cancel', close: action === 'close' };
}

const context = { additionalTypenames: ['PurchaseOrder', 'Receipt'] };

/** `/accounts/:id/procurement/purchase-orders/:poId`: a purchase order and its receiving progress. */
export default function PurchaseOrderPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  const { poId = '' } = useParams<{ poId: string }>();
  const [result, reexecute] = useQuery({ query: PurchaseOrderQuery, variables: { id: poId }, context, requestPolicy: 'cache-and-network' });
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [, act] = useMutation(PurchaseOrderActionMutation);
  const reload = () => reexecute({ requestPolicy: 'network-only' });
  const run = async (action: POAction) => {
    const res = await act(actionVars(poId, action), context);
    const d = res.data;
    const ue = [
      ...(d?.confirmPurchaseOrder?.userErrors ?? []),
      ...(d?.shipPurchaseOrder?.userErrors ?? []),
      ...(d?.cancelPurchaseOrder?.userErrors ?? []),
      ...(d?.closePurchaseOrder?.userErrors ?? []),
    ];
    setErrors(res.error ? [{ message: res.error.message }] : ue);
  };

  return (
    <Remote value={result.data?.purchaseOrder} result={result} what={t.pos.what} onRetry={reload}>
      {(po) => {
        const buttons: [POAction, boolean][] = [
          ['confirm', po.status === 'ISSUED'],
          ['ship', po.status === 'CONFIRMED'],
          ['cancel', po.status === 'ISSUED' || po.status === 'CONFIRMED'],
          ['close', po.status === 'RECEIVED' || po.status === 'PARTIALLY_RECEIVED'],
        ];
        return (
          <>
            <title>{t.title(po.number, account.legalName)}</title>
            <PageHeader
              title={po.number}
              eyebrow={<Link href={procurementPaths.home(account.id)}>{t.section}</Link>}
              lead={
                <>
                  <PurchaseOrderStatusBadge status={po.status} /> {po.supplier?.name} · {formatMoney(po.total)} ·{' '}
                  {t.po.terms(po.paymentTerms.depositPercent, t.balances[po.paymentTerms.balance])}
                </>
              }
              actions={
                operate &&
                buttons
                  .filter(([, shown]) => shown)
                  .map(([a]) => (
                    <button key={a} type="button" className="button button-secondary" onClick={() => run(a)}>
                      {t.po[a]}
                    </button>
                  ))
              }
            />
            <Errors errors={errors} />
            <Section id="po-lines-heading" title={t.po.lines} actions={<Progress percent={receivedPercent(po.lines)} label={t.pos.progress} />}>
              <div className="table-wrap">
                <table className="table" aria-labelledby="po-lines-heading" data-testid="po-lines">
                  <thead>
                    <tr>
                      <th scope="col">{t.newRfq.description}</th>
                      <th scope="col">{t.po.ordered}</th>
                      <th scope="col">{t.po.received}</th>
                      <th scope="col">{t.po.rejected}</th>
                      <th scope="col">{t.po.unitPrice}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {po.lines.map((l) => (
                      <tr key={l.rfqLineId}>
                        <td>{l.description}</td>
                        <td className="num">
                          {l.quantity} {l.unit}
                        </td>
                        <td className="num" data-testid="line-received">
                          {l.received}
                        </td>
                        <td className="num" data-testid="line-rejected">
                          {l.rejected}
                        </td>
                        <td className="num">{formatMoney(l.unitPrice)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <dl className="card-body details">
                <dt>{t.po.warehouse}</dt>
                <dd>
                  {po.destinationWarehouse?.code} · {po.destinationWarehouse?.name}
                </dd>
                <dt>{t.po.promised}</dt>
                <dd>{formatDateTime(po.promisedShipBy)}</dd>
                <dt>{t.pos.progress}</dt>
                <dd>{formatMoney(po.receivedValue)}</dd>
                {po.receipt && (
                  <>
                    <dt>{t.po.receipt}</dt>
                    <dd>
                      <Link href={paths.receipt(account.id, po.receipt.id)} data-testid="po-receipt">
                        {po.receipt.id}
                      </Link>
                    </dd>
                  </>
                )}
                {po.supplier?.score.percent !== null && po.supplier?.score.percent !== undefined && (
                  <>
                    <dt>{t.suppliers.score}</dt>
                    <dd data-testid="supplier-score">{po.supplier.score.percent}</dd>
                  </>
                )}
              </dl>
            </Section>
          </>
        );
      }}
    </Remote>
  );
}
