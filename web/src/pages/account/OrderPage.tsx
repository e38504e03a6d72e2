import { useRef, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { Link, useParams } from 'wouter';
import { useAccount } from '../../app/account';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { useFlash } from '../../components/flash';
import { Field, FormAlert } from '../../components/Form';
import { Remote } from '../../components/Remote';
import { NoAccess } from '../../components/States';
import { useFormState } from '../../forms/useFormState';
import { graphql } from '../../gql';
import type { OrderDetailQuery } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome, type MutationOutcome } from '../../graphql/mutations';
import { formatCount, formatCountry, formatDateTime, messages, type UserErrorLike } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { parseUnits } from '../../warehousing/lines';
import { orderActions, orderProgress, reservation, type OrderAction } from '../../warehousing/orders';
import { paths } from '../../warehousing/paths';
import { OrderStatusBadge, PageHeader, useCanOperate, WarehouseCode } from '../../warehousing/ui';

export const OrderDetailQueryDoc = graphql(`
  query OrderDetail($id: ID!) {
    fulfilmentOrder(id: $id) {
      id
      accountId
      idempotencyKey
      reference
      status
      serviceLevel
      carrier
      trackingNumber
      createdAt
      updatedAt
      shippedAt
      deliveredAt
      cancelledAt
      warehouse {
        id
        code
        name
      }
      shipTo {
        name
        phone
        email
        address {
          line1
          line2
          city
          region
          postalCode
          country
        }
      }
      lines {
        sku {
          id
          code
          name
        }
        quantity
        reserved
      }
      packages {
        weightGrams
        lengthMm
        widthMm
        heightMm
      }
    }
  }
`);

export const PickOrderMutation = graphql(`
  mutation PickOrder($input: FulfilmentOrderIdInput!) {
    pickFulfilmentOrder(input: $input) {
      fulfilmentOrder {
        id
        status
        updatedAt
        lines {
          sku {
            id
          }
          quantity
          reserved
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

export const PackOrderMutation = graphql(`
  mutation PackOrder($input: PackFulfilmentOrderInput!) {
    packFulfilmentOrder(input: $input) {
      fulfilmentOrder {
        id
        status
        updatedAt
        packages {
          weightGrams
          lengthMm
          widthMm
          heightMm
        }
        lines {
          sku {
            id
          }
          quantity
          reserved
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

export const ShipOrderMutation = graphql(`
  mutation ShipOrder($input: ShipFulfilmentOrderInput!) {
    shipFulfilmentOrder(input: $input) {
      fulfilmentOrder {
        id
        status
        updatedAt
        shippedAt
        carrier
        trackingNumber
        lines {
          sku {
            id
          }
          quantity
          reserved
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

export const DeliverOrderMutation = graphql(`
  mutation DeliverOrder($input: FulfilmentOrderIdInput!) {
    deliverFulfilmentOrder(input: $input) {
      fulfilmentOrder {
        id
        status
        updatedAt
        deliveredAt
        lines {
          sku {
            id
          }
          quantity
          reserved
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

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($input: FulfilmentOrderIdInput!) {
    cancelFulfilmentOrder(input: $input) {
      fulfilmentOrder {
        id
        status
        updatedAt
        cancelledAt
        lines {
          sku {
            id
          }
          quantity
          reserved
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

// urql compares a query's context by identity: a new object on each render would ask again each time.
const orderContext = { additionalTypenames: ['FulfilmentOrder'] };

type Order = NonNullable<OrderDetailQuery['fulfilmentOrder']>;

// Every action moves stock (reserved, picked, shipped, released): the inventory pages ask again.
const stockContext = { additionalTypenames: ['FulfilmentOrder', 'InventoryBalance', 'Sku', 'StockMovement'] };

/** `/accounts/:id/orders/:orderId`: an order, its progress, and what its status allows. */
export default function OrderPage() {
  const { account } = useAccount();
  const { orderId = '' } = useParams<{ orderId: string }>();
  const path = paths.order(account.id, orderId);
  const [notice, setNotice] = useFlash(path);
  const [result, reexecute] = useQuery({
    query: OrderDetailQueryDoc,
    variables: { id: orderId },
    context: orderContext,
    requestPolicy: 'cache-and-network',
  });
  const order = result.data?.fulfilmentOrder;
  const name = order ? (order.reference ?? order.id) : t.common.noAccessOrder;
  return (
    <>
      <title>{t.common.title(order ? t.order.title(name) : name, account.legalName)}</title>
      <Remote
        value={order}
        result={result}
        what={t.common.noAccessOrder}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.order.loading}
      >
        {(o) =>
          o.accountId !== account.id ? (
            <NoAccess what={t.common.noAccessOrder} />
          ) : (
            <OrderView order={o} notice={notice} setNotice={setNotice} />
          )
        }
      </Remote>
    </>
  );
}

function OrderView({ order, notice, setNotice }: { order: Order; notice: string; setNotice: (text: string) => void }) {
  const { account } = useAccount();
  const operate = useCanOperate();
  const name = order.reference ?? order.id;
  const r = reservation(order.lines);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  // After an action, focus goes to the notice that says what happened (the button is gone).
  const announce = (text: string) => {
    setNotice(text);
    requestAnimationFrame(() => noticeRef.current?.focus());
  };

  return (
    <>
      <PageHeader
        eyebrow={<Link href={paths.orders(account.id)}>{t.orders.title}</Link>}
        title={
          <>
            {t.order.title(name)} <OrderStatusBadge status={order.status} />
          </>
        }
      />
      <p className="notice" role="status" aria-live="polite" ref={noticeRef} tabIndex={-1}>
        {notice}
      </p>

      {order.status === 'BACKORDERED' && (
        <div className="callout callout-warning" role="note" data-testid="backordered">
          <p className="callout-title">{t.order.backorderedTitle}</p>
          <p>{t.order.backordered(r.missing, order.warehouse.code)}</p>
        </div>
      )}
      {order.status === 'PENDING' && <p className="callout callout-info">{t.order.pendingNote}</p>}

      {operate && <Actions order={order} onDone={announce} />}

      <div className="two-columns">
        <section className="card card-wide" aria-labelledby="progress-heading">
          <div className="card-header">
            <h2 id="progress-heading">{t.order.progress}</h2>
          </div>
          <div className="card-body">
            <ol className="progress" aria-label={t.order.progressLabel}>
              {orderProgress(order).map((step) => (
                <li key={step.step} className={`progress-step progress-${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
                  <span className="progress-dot" aria-hidden="true" />
                  <span className="progress-name">{t.orderSteps[step.step]}</span>
                  <span className="visually-hidden">
                    {', '}
                    {step.state === 'done' ? t.order.stepDone : step.state === 'current' ? t.order.stepCurrent : t.order.stepUpcoming}
                  </span>
                  {step.state !== 'upcoming' && (
                    <span className="muted progress-time">{step.at ? formatDateTime(step.at) : t.order.timeUnknown}</span>
                  )}
                </li>
              ))}
            </ol>
          </div>
        </section>

        <section className="card card-wide" aria-labelledby="ship-to-heading">
          <div className="card-header">
            <h2 id="ship-to-heading">{t.order.shipTo}</h2>
          </div>
          <div className="card-body">
            <address className="address">
              <strong>{order.shipTo.name}</strong>
              <span>{order.shipTo.address.line1}</span>
              {order.shipTo.address.line2 && <span>{order.shipTo.address.line2}</span>}
              <span>
                {[order.shipTo.address.postalCode, order.shipTo.address.city, order.shipTo.address.region].filter(Boolean).join(' ')}
              </span>
              <span>{formatCountry(order.shipTo.address.country)}</span>
              {order.shipTo.phone && <span>{order.shipTo.phone}</span>}
              {order.shipTo.email && <span>{order.shipTo.email}</span>}
            </address>
          </div>
        </section>
      </div>

      <section className="card card-wide" aria-labelledby="order-lines-heading">
        <div className="card-header">
          <h2 id="order-lines-heading">{t.order.lines}</h2>
        </div>
        <div className="table-wrap">
          <table className="table" aria-labelledby="order-lines-heading" data-testid="order-lines">
            <thead>
              <tr>
                <th scope="col">{t.common.sku}</th>
                <th scope="col" className="num">
                  {t.order.ordered}
                </th>
                <th scope="col" className="num">
                  {t.order.reserved}
                </th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((l) => (
                <tr key={l.sku.id} data-sku={l.sku.code}>
                  <th scope="row" className="cell-primary">
                    <Link href={paths.sku(account.id, l.sku.id)}>{l.sku.code}</Link>
                    <span className="muted table-sub">{l.sku.name}</span>
                  </th>
                  <td className="num">{formatCount(l.quantity)}</td>
                  <td className={`num${order.status === 'BACKORDERED' && l.reserved < l.quantity ? ' num-bad' : ''}`}>
                    {formatCount(l.reserved)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {order.packages.length > 0 && (
        <section className="card card-wide" aria-labelledby="packages-heading">
          <div className="card-header">
            <h2 id="packages-heading">{t.order.packages}</h2>
          </div>
          <div className="card-body">
            <ol className="plain-list">
              {order.packages.map((p, i) => (
                <li key={i}>
                  {t.order.packageN(i + 1)}: {t.order.packageValue(p.weightGrams, p.lengthMm, p.widthMm, p.heightMm)}
                </li>
              ))}
            </ol>
          </div>
        </section>
      )}

      <section className="card card-wide" aria-labelledby="order-details-heading">
        <div className="card-header">
          <h2 id="order-details-heading">{t.order.details}</h2>
        </div>
        <div className="card-body">
          <dl className="details details-2col">
            <dt>{t.order.warehouse}</dt>
            <dd>
              <WarehouseCode warehouse={order.warehouse} />
            </dd>
            <dt>{t.order.reference}</dt>
            <dd>{order.reference ?? t.common.none}</dd>
            <dt>{t.order.serviceLevel}</dt>
            <dd>{t.serviceLevels[order.serviceLevel]}</dd>
            <dt>{t.order.carrier}</dt>
            <dd>{order.carrier ?? t.common.none}</dd>
            <dt>{t.order.trackingNumber}</dt>
            <dd>{order.trackingNumber ? <code>{order.trackingNumber}</code> : t.common.none}</dd>
            <dt>{t.order.createdAt}</dt>
            <dd>{formatDateTime(order.createdAt)}</dd>
            <dt>{t.order.updatedAt}</dt>
            <dd>{formatDateTime(order.updatedAt)}</dd>
            <dt>{t.order.idempotencyKey}</dt>
            <dd>
              <code>{order.idempotencyKey}</code>
            </dd>
          </dl>
        </div>
      </section>
    </>
  );
}

/** The buttons the order's status allows; pack and ship ask for their details in a dialog, cancel asks first. */
function Actions({ order, onDone }: { order: Order; onDone: (text: string) => void }) {
  const client = useClient();
  const actions = orderActions(order.status);
  const [busy, setBusy] = useState<OrderAction | null>(null);
  const [open, setOpen] = useState<'pack' | 'ship' | 'cancel' | null>(null);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const alert = useRef<HTMLDivElement>(null);
  const name = order.reference ?? order.id;

  function show(outcome: MutationOutcome<unknown>, done: string) {
    if (outcome.kind === 'ok') {
      setErrors([]);
      setProblem(null);
      onDone(done);
      return;
    }
    if (outcome.kind === 'refused') {
      setErrors(outcome.errors);
      setProblem(null);
    } else {
      setErrors([]);
      setProblem(outcome.problem);
    }
    requestAnimationFrame(() => alert.current?.focus());
  }

  async function run(action: 'pick' | 'deliver') {
    setBusy(action);
    const input = { orderId: order.id };
    if (action === 'pick') {
      const result = await client.mutation(PickOrderMutation, { input }, stockContext).toPromise();
      setBusy(null);
      show(mutationOutcome(result, (d) => d.pickFulfilmentOrder), t.order.picked);
    } else {
      const result = await client.mutation(DeliverOrderMutation, { input }, stockContext).toPromise();
      setBusy(null);
      show(mutationOutcome(result, (d) => d.deliverFulfilmentOrder), t.order.delivered);
    }
  }

  return (
    <section className="card card-wide card-action" aria-labelledby="order-actions-heading">
      <div className="card-header">
        <h2 id="order-actions-heading">{t.order.actions}</h2>
      </div>
      <div className="card-body">
        <FormAlert errors={errors} problem={problem} alertRef={alert} title={t.common.notDone} />
        {actions.length === 0 ? (
          <p className="muted">{t.order.noActions}</p>
        ) : (
          <p className="button-row">
            {actions.includes('pick') && (
              <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => run('pick')}>
                {busy === 'pick' ? t.order.picking : t.order.pick}
              </button>
            )}
            {actions.includes('pack') && (
              <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => setOpen('pack')}>
                {t.order.pack}
              </button>
            )}
            {actions.includes('ship') && (
              <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => setOpen('ship')}>
                {t.order.ship}
              </button>
            )}
            {actions.includes('deliver') && (
              <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => run('deliver')}>
                {busy === 'deliver' ? t.order.delivering : t.order.deliver}
              </button>
            )}
            {actions.includes('cancel') && (
              <button
                type="button"
                className="button button-secondary button-danger-text"
                disabled={busy !== null}
                onClick={() => setOpen('cancel')}
              >
                {t.order.cancel}
              </button>
            )}
          </p>
        )}
      </div>

      {open === 'pack' && (
        <PackDialog
          order={order}
          onClose={() => setOpen(null)}
          onPacked={() => {
            setOpen(null);
            onDone(t.order.packed);
          }}
        />
      )}
      {open === 'ship' && (
        <ShipDialog
          order={order}
          onClose={() => setOpen(null)}
          onShipped={() => {
            setOpen(null);
            onDone(t.order.shipped);
          }}
        />
      )}
      <ConfirmDialog
        open={open === 'cancel'}
        title={t.order.cancelTitle(name)}
        confirmLabel={t.order.cancelConfirm}
        busyLabel={t.order.cancelling}
        cancelLabel={t.common.cancelDialog}
        failedTitle={t.common.notDone}
        onCancel={() => setOpen(null)}
        onConfirm={async () => {
          const result = await client.mutation(CancelOrderMutation, { input: { orderId: order.id } }, stockContext).toPromise();
          const outcome = mutationOutcome(result, (d) => d.cancelFulfilmentOrder);
          if (outcome.kind === 'ok') {
            setOpen(null);
            onDone(t.order.cancelled);
          }
          return outcome;
        }}
      >
        <p>{t.order.cancelBody}</p>
      </ConfirmDialog>
    </section>
  );
}

interface PackageRow {
  key: number;
  weight: string;
  length: string;
  width: string;
  height: string;
}

let packageKey = 1;
const newPackage = (): PackageRow => ({ key: packageKey++, weight: '', length: '', width: '', height: '' });
const packageParts = ['weight', 'length', 'width', 'height'] as const;
const packageInput = { weight: 'weightGrams', length: 'lengthMm', width: 'widthMm', height: 'heightMm' } as const;

function PackDialog({ order, onClose, onPacked }: { order: Order; onClose: () => void; onPacked: () => void }) {
  const client = useClient();
  const [rows, setRows] = useState<PackageRow[]>(() => [newPackage()]);
  const [busy, setBusy] = useState(false);
  const keys = rows.flatMap((_, i) => [`packages.${i}`, ...packageParts.map((p) => `packages.${i}.${packageInput[p]}`)]);
  const form = useFormState<string>(['packages', ...keys]);
  const e = form.errors.fields as Partial<Record<string, UserErrorLike[]>>;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local: UserErrorLike[] = [];
    const packages = rows.map((row, i) => {
      const values = packageParts.map((p) => {
        const n = parseUnits(row[p]);
        if (n === null || n === undefined || n <= 0) {
          local.push({
            code: n === null ? 'REQUIRED' : 'INVALID',
            field: ['input', 'packages', String(i), packageInput[p]],
            message: t.order.packInvalid,
          });
          return 0;
        }
        return n;
      });
      return { weightGrams: values[0] ?? 0, lengthMm: values[1] ?? 0, widthMm: values[2] ?? 0, heightMm: values[3] ?? 0 };
    });
    if (local.length > 0) {
      form.refuse(local);
      return;
    }
    setBusy(true);
    const result = await client
      .mutation(PackOrderMutation, { input: { orderId: order.id, packages } }, stockContext)
      .toPromise();
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.packFulfilmentOrder);
    if (outcome.kind === 'ok') {
      onPacked();
    } else if (outcome.kind === 'refused') {
      form.refuse(outcome.errors);
    } else {
      form.fail(outcome.problem);
    }
  }

  const labels = { weight: t.order.weight, length: t.order.length, width: t.order.width, height: t.order.height };
  return (
    <Dialog open onClose={onClose} title={t.order.packTitle} busy={busy} className="dialog-wide">
      <p className="muted">{t.order.packLead}</p>
      <FormAlert errors={[...form.errors.form, ...(e['packages'] ?? [])]} problem={form.problem} alertRef={form.alertRef} title={t.common.notDone} />
      <form ref={form.formRef} onSubmit={onSubmit} noValidate aria-label={t.order.packForm} className="form">
        {rows.map((row, i) => (
          <fieldset key={row.key} className="fieldset">
            <legend>{t.order.packageN(i + 1)}</legend>
            <div className="field-row">
              {packageParts.map((p) => (
                <Field key={p} label={labels[p](i + 1)} errors={[...(e[`packages.${i}.${packageInput[p]}`] ?? []), ...(p === 'weight' ? (e[`packages.${i}`] ?? []) : [])]}>
                  {(props) => (
                    <input
                      {...props}
                      className="input-number"
                      value={row[p]}
                      onChange={(ev) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [p]: ev.target.value } : r)))}
                      inputMode="numeric"
                      autoComplete="off"
                    />
                  )}
                </Field>
              ))}
            </div>
            {rows.length > 1 && (
              <button
                type="button"
                className="button button-secondary button-small"
                onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
              >
                {t.order.removePackage(i + 1)}
              </button>
            )}
          </fieldset>
        ))}
        <p>
          <button type="button" className="button button-secondary button-small" onClick={() => setRows((rs) => [...rs, newPackage()])}>
            {t.order.addPackage}
          </button>
        </p>
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            {t.common.close}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t.order.packing : t.order.packConfirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ShipDialog({ order, onClose, onShipped }: { order: Order; onClose: () => void; onShipped: () => void }) {
  const client = useClient();
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useFormState<'carrier' | 'trackingNumber'>(['carrier', 'trackingNumber']);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local: UserErrorLike[] = [];
    if (carrier.trim() === '') {
      local.push({ code: 'REQUIRED', field: ['input', 'carrier'], message: messages.client.required(t.order.required.carrier) });
    }
    if (tracking.trim() === '') {
      local.push({
        code: 'REQUIRED',
        field: ['input', 'trackingNumber'],
        message: messages.client.required(t.order.required.trackingNumber),
      });
    }
    if (local.length > 0) {
      form.refuse(local);
      return;
    }
    setBusy(true);
    const result = await client
      .mutation(ShipOrderMutation, { input: { orderId: order.id, carrier: carrier.trim(), trackingNumber: tracking.trim() } }, stockContext)
      .toPromise();
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.shipFulfilmentOrder);
    if (outcome.kind === 'ok') {
      onShipped();
    } else if (outcome.kind === 'refused') {
      form.refuse(outcome.errors);
    } else {
      form.fail(outcome.problem);
    }
  }

  return (
    <Dialog open onClose={onClose} title={t.order.shipTitle} busy={busy}>
      <p className="muted">{t.order.shipLead}</p>
      <FormAlert errors={form.errors.form} problem={form.problem} alertRef={form.alertRef} title={t.common.notDone} />
      <form ref={form.formRef} onSubmit={onSubmit} noValidate aria-label={t.order.shipTitle} className="form">
        <Field label={t.order.carrier} hint={t.order.carrierHint} errors={form.errors.fields.carrier}>
          {(props) => <input {...props} value={carrier} onChange={(e) => setCarrier(e.target.value)} autoComplete="off" />}
        </Field>
        <Field label={t.order.trackingNumber} errors={form.errors.fields.trackingNumber}>
          {(props) => (
            <input {...props} value={tracking} onChange={(e) => setTracking(e.target.value)} autoComplete="off" spellCheck={false} />
          )}
        </Field>
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            {t.common.close}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t.order.shipping : t.order.shipConfirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
