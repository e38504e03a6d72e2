// Texts of the financing pages (the seller's financing page and the partner's queue and
// portfolio), keyed by the API's codes.
import type { CollateralType, FinancingRequestStatus, LoanStatus } from '../gql/graphql';
import { translatable } from './locale';
import { financingZhCN } from './zh-CN/financing';

const financingEn = {
  title: (page: string, where: string) => `${page} · ${where}`,
  seller: {
    title: 'Financing',
    lead: 'Borrow against goods Tradehub holds or moves for you. Their value is read from their live state, never typed.',
    what: 'The financing of this account',
    noFacility: 'No finance partner has opened a facility for this account yet.',
    facility: 'Facility',
    limit: 'Limit',
    available: 'Available',
    terms: (apr: string, fee: string, tenor: number, grace: number) =>
      `APR ${apr} · fee ${fee} · up to ${tenor} days · due ${grace} days after delivery at the latest`,
    collateral: 'Eligible collateral',
    collateralLead: 'Pick what to pledge. Stock is pledged by units; a shipment as a whole.',
    noCollateral: 'Nothing to pledge right now.',
    value: 'Value',
    advance: 'Advance',
    units: 'Units',
    amount: 'Amount',
    tenor: 'Tenor (days)',
    showCost: 'Show the cost',
    request: 'Ask for financing',
    requested: 'Your request was sent to the partner.',
    requests: 'Requests',
    loans: 'Loans',
    noRequests: 'No requests yet.',
    noLoans: 'No loans yet.',
    answer: 'Answer',
    schedule: 'Due',
    statement: 'Statement',
    balanced: 'Balanced: debits equal credits and outstanding follows from the entries.',
    unbalanced: 'Not balanced: contact Tradehub.',
  },
  cost: {
    maxAdvance: 'Maximum advance',
    principal: 'Principal',
    fee: 'Fee',
    interest: 'Interest for the tenor',
    total: 'Total to repay',
    effectiveApr: 'Effective APR',
  },
  partner: {
    queue: 'Requests to decide',
    emptyQueue: 'No open requests.',
    portfolio: 'Portfolio',
    byAccount: 'By account',
    byLane: 'By lane',
    byType: 'By collateral type',
    atRisk: 'At risk',
    overdue: 'Overdue',
    open: 'Open loans',
    repaid: 'Repaid loans',
    approve: 'Approve',
    reject: 'Reject',
    ask: 'Ask for information',
    fund: 'Fund',
    reason: 'Reason',
    question: 'Question',
    risk: 'Risk',
    history: (loans: number, repaid: number, onTime: string) => `${loans} loans, ${repaid} repaid, ${onTime} on time`,
    exposure: 'Current exposure',
    scorecard: (on: number, delivered: number, shipments: number) => `carrier on this lane: ${on}/${delivered} on time of ${shipments}`,
  },
  requestStatuses: {
    SUBMITTED: 'Submitted',
    INFO_REQUESTED: 'Information requested',
    APPROVED: 'Approved',
    REJECTED: 'Rejected',
    FUNDING: 'Being funded',
    FUNDED: 'Funded',
  } satisfies Record<FinancingRequestStatus, string>,
  loanStatuses: {
    ACTIVE: 'Active',
    AT_RISK: 'At risk',
    OVERDUE: 'Overdue',
    REPAID: 'Repaid',
    DEFAULTED: 'Defaulted',
    WRITTEN_OFF: 'Written off',
  } satisfies Record<LoanStatus, string>,
  collateralTypes: {
    IN_TRANSIT_SHIPMENT: 'Shipment in transit',
    WAREHOUSE_INVENTORY: 'Stock in a warehouse',
    PURCHASE_ORDER: 'Purchase order',
  } satisfies Record<CollateralType, string>,
  reasons: {
    SHIPMENT_STATUS: 'its status is not accepted',
    LANE: 'its lane is not accepted',
    DESTINATION: 'its destination is not accepted',
    CURRENCY: 'its value is in another currency',
    NO_VALUE: 'it has no declared value',
    NOT_ACCEPTED: 'the product does not take this kind',
    ALREADY_PLEDGED: 'already pledged',
    INSUFFICIENT_STOCK: 'not enough units available',
    PO_STATUS: 'the order is not confirmed',
  } as Record<string, string>,
};

export type FinancingCatalog = typeof financingEn;

export const financingMessages = translatable('financing', financingEn, { 'zh-CN': financingZhCN });

/** Basis points as a percentage: 1200 → "12.00 %". */
export function bps(v: number): string {
  return `${(v / 100).toFixed(2)} %`;
}
