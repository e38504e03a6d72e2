// The addresses of the transport pages of an account.
import { accountPath } from '../access/access';

const seg = encodeURIComponent;

export const transportPaths = {
  shipments: (accountId: string, search = '') => `${accountPath(accountId, 'shipments')}${search}`,
  shipment: (accountId: string, id: string) => `${accountPath(accountId, 'shipments')}/${seg(id)}`,
  ship: (accountId: string) => `${accountPath(accountId)}/ship`,
  scorecards: (accountId: string) => `${accountPath(accountId)}/scorecards`,
};

/** The status filter of the shipments list from the URL's search (`?status=IN_TRANSIT`). */
export function parseStatus<S extends string>(search: string, allowed: readonly S[]): S | null {
  const value = new URLSearchParams(search).get('status');
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as S) : null;
}
