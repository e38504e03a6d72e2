// The addresses of the warehousing pages of an account.
import { accountPath } from '../access/access';

const seg = encodeURIComponent;

export const paths = {
  inventory: (accountId: string, search = '') => `${accountPath(accountId, 'inventory')}${search}`,
  newSku: (accountId: string) => `${accountPath(accountId, 'inventory')}/new`,
  sku: (accountId: string, skuId: string) => `${accountPath(accountId, 'inventory')}/${seg(skuId)}`,
  editSku: (accountId: string, skuId: string) => `${accountPath(accountId, 'inventory')}/${seg(skuId)}/edit`,
  receipts: (accountId: string, search = '') => `${accountPath(accountId, 'receipts')}${search}`,
  newReceipt: (accountId: string, skuId?: string) =>
    `${accountPath(accountId, 'receipts')}/new${skuId ? `?sku=${seg(skuId)}` : ''}`,
  receipt: (accountId: string, receiptId: string) => `${accountPath(accountId, 'receipts')}/${seg(receiptId)}`,
  orders: (accountId: string, search = '') => `${accountPath(accountId, 'orders')}${search}`,
  newOrder: (accountId: string, skuId?: string) =>
    `${accountPath(accountId, 'orders')}/new${skuId ? `?sku=${seg(skuId)}` : ''}`,
  order: (accountId: string, orderId: string) => `${accountPath(accountId, 'orders')}/${seg(orderId)}`,
  usage: (accountId: string, search = '') => `${accountPath(accountId, 'usage')}${search}`,
};

/** The page of an object by the prefix of its id (`ord_…`, `rcpt_…`, `sku_…`), if the portal has one. */
export function objectPath(accountId: string, id: string): string | null {
  if (id.startsWith('ord_')) {
    return paths.order(accountId, id);
  }
  if (id.startsWith('rcpt_')) {
    return paths.receipt(accountId, id);
  }
  if (id.startsWith('sku_')) {
    return paths.sku(accountId, id);
  }
  return null;
}
