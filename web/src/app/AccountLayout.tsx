import { lazy, Suspense, useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { Route, Switch } from 'wouter';
import { accountAccess } from '../access/access';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { ProblemCallout } from '../components/Problem';
import { Loading, NoAccess } from '../components/States';
import { graphql } from '../gql';
import { describeError, errorCode } from '../graphql/errors';
import { messages } from '../i18n/messages';
import { NotFoundPage } from '../pages/NotFoundPage';
import type { SignedInViewer } from '../session/viewer';
import { AccountContext, type AccountContextValue } from './account';
import { setAccountTimeZone } from '../i18n/locale';
import { portalMessages } from '../i18n/portal';

const AccountOverviewPage = lazy(() => import('../pages/account/AccountOverviewPage'));
const TeamPage = lazy(() => import('../pages/account/TeamPage'));
const ApiKeysPage = lazy(() => import('../pages/account/ApiKeysPage'));
const InventoryPage = lazy(() => import('../pages/account/InventoryPage'));
const SkuPage = lazy(() => import('../pages/account/SkuPage'));
const NewSkuPage = lazy(() => import('../pages/account/SkuFormPage').then((m) => ({ default: m.NewSkuPage })));
const EditSkuPage = lazy(() => import('../pages/account/SkuFormPage').then((m) => ({ default: m.EditSkuPage })));
const ReceiptsPage = lazy(() => import('../pages/account/ReceiptsPage'));
const NewReceiptPage = lazy(() => import('../pages/account/NewReceiptPage'));
const ReceiptPage = lazy(() => import('../pages/account/ReceiptPage'));
const OrdersPage = lazy(() => import('../pages/account/OrdersPage'));
const NewOrderPage = lazy(() => import('../pages/account/NewOrderPage'));
const OrderPage = lazy(() => import('../pages/account/OrderPage'));
const UsagePage = lazy(() => import('../pages/account/UsagePage'));
const WebhooksPage = lazy(() => import('../pages/account/WebhooksPage'));
const WebhookPage = lazy(() => import('../pages/account/WebhookPage'));
const ShipmentsPage = lazy(() => import('../pages/account/ShipmentsPage'));
const ShipmentPage = lazy(() => import('../pages/account/ShipmentPage'));
const ShipPage = lazy(() => import('../pages/account/ShipPage'));
const ScorecardsPage = lazy(() => import('../pages/account/ScorecardsPage'));
const ProcurementPage = lazy(() => import('../procurement/ProcurementPage'));
const NewRfqPage = lazy(() => import('../procurement/NewRfqPage'));
const RfqPage = lazy(() => import('../procurement/RfqPage'));
const PurchaseOrderPage = lazy(() => import('../procurement/PurchaseOrderPage'));
const FinancingPage = lazy(() => import('../financing/FinancingPage'));
const BillingPage = lazy(() => import('../billing/BillingPage'));
const InvoicePage = lazy(() => import('../billing/InvoicePage'));

/** What every page of an account needs: its name and status, asked once for all its pages. */
export const AccountFrameQuery = graphql(`
  query AccountFrame($id: ID!) {
    account(id: $id) {
      id
      legalName
      status
      timeZone
    }
  }
`);

/**
 * The frame of `/accounts/:accountId/…`: loads the account, shows who the viewer acts as and
 * whether the account refuses changes, and the account's page.
 */
export function AccountLayout({ accountId, viewer }: { accountId: string; viewer: SignedInViewer }) {
  const [result, reexecute] = useQuery({ query: AccountFrameQuery, variables: { id: accountId } });
  const account = result.data?.account;
  const access = accountAccess(viewer, accountId);
  const sh = portalMessages.shell;

  // The account's pages show its dates in its zone (unless the person chose their own).
  setAccountTimeZone(account?.timeZone);
  useEffect(() => () => setAccountTimeZone(undefined), []);

  // accountAccess builds a new object on each render; its content is what matters.
  const accessKey = JSON.stringify(access);
  const value = useMemo<AccountContextValue | null>(
    () => (account ? { account, access, readOnly: account.status !== 'ACTIVE' } : null),
    [account, accessKey],
  );

  if (!account) {
    if (result.error) {
      const code = errorCode(result.error);
      if (code === 'NOT_FOUND' || code === 'FORBIDDEN') {
        return <NoAccess what={sh.thisAccount} />;
      }
      return (
        <ProblemCallout
          problem={describeError(result.error)}
          onRetry={() => reexecute({ requestPolicy: 'network-only' })}
          retrying={result.fetching}
        />
      );
    }
    if (result.fetching || !result.data) {
      return <Loading label={sh.loadingAccount} />;
    }
    return <NoAccess what={sh.thisAccount} />;
  }

  return (
    <AccountContext.Provider value={value}>
      {access.kind === 'staff' && (
        <div className="banner banner-acting" role="note" data-testid="acting-as">
          <p>
            <strong>{sh.actingAs(account.legalName)}</strong> · {messages.staffRoles[access.staffRole]}
          </p>
          <span className="banner-detail">{sh.actingDetail}</span>
        </div>
      )}
      {account.status !== 'ACTIVE' && (
        <div className="banner banner-warning" role="note" data-testid="account-status">
          <p>
            <strong>{sh.accountReadOnly(messages.accountStatuses[account.status])}</strong>
          </p>
          <span className="banner-detail">{account.status === 'SUSPENDED' ? sh.suspendedDetail : sh.closedDetail}</span>
        </div>
      )}
      <ErrorBoundary resetKey={accountId}>
        <Suspense fallback={<Loading />}>
          <Switch>
            <Route path="/accounts/:accountId" component={AccountOverviewPage} />
            <Route path="/accounts/:accountId/team" component={TeamPage} />
            <Route path="/accounts/:accountId/api-keys" component={ApiKeysPage} />
            <Route path="/accounts/:accountId/inventory" component={InventoryPage} />
            <Route path="/accounts/:accountId/inventory/new" component={NewSkuPage} />
            <Route path="/accounts/:accountId/inventory/:skuId" component={SkuPage} />
            <Route path="/accounts/:accountId/inventory/:skuId/edit" component={EditSkuPage} />
            <Route path="/accounts/:accountId/receipts" component={ReceiptsPage} />
            <Route path="/accounts/:accountId/receipts/new" component={NewReceiptPage} />
            <Route path="/accounts/:accountId/receipts/:receiptId" component={ReceiptPage} />
            <Route path="/accounts/:accountId/orders" component={OrdersPage} />
            <Route path="/accounts/:accountId/orders/new" component={NewOrderPage} />
            <Route path="/accounts/:accountId/orders/:orderId" component={OrderPage} />
            <Route path="/accounts/:accountId/usage" component={UsagePage} />
            <Route path="/accounts/:accountId/ship" component={ShipPage} />
            <Route path="/accounts/:accountId/scorecards" component={ScorecardsPage} />
            <Route path="/accounts/:accountId/shipments" component={ShipmentsPage} />
            <Route path="/accounts/:accountId/shipments/:shipmentId" component={ShipmentPage} />
            <Route path="/accounts/:accountId/procurement" component={ProcurementPage} />
            <Route path="/accounts/:accountId/procurement/rfqs/new" component={NewRfqPage} />
            <Route path="/accounts/:accountId/procurement/rfqs/:rfqId" component={RfqPage} />
            <Route path="/accounts/:accountId/procurement/purchase-orders/:poId" component={PurchaseOrderPage} />
            <Route path="/accounts/:accountId/financing" component={FinancingPage} />
            <Route path="/accounts/:accountId/billing" component={BillingPage} />
            <Route path="/accounts/:accountId/billing/:invoiceId" component={InvoicePage} />
            <Route path="/accounts/:accountId/webhooks" component={WebhooksPage} />
            <Route path="/accounts/:accountId/webhooks/:subscriptionId" component={WebhookPage} />
            <Route component={NotFoundPage} />
          </Switch>
        </Suspense>
      </ErrorBoundary>
    </AccountContext.Provider>
  );
}
