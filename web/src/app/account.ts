import { createContext, useContext } from 'react';
import type { AccountAccess } from '../access/access';
import type { AccountStatus } from '../gql/graphql';

/** The account of the page (from the URL) and how the viewer reaches it. */
export interface AccountContextValue {
  account: { id: string; legalName: string; status: AccountStatus };
  access: AccountAccess;
  /** SUSPENDED or CLOSED: the server refuses every change, so the pages offer none. */
  readOnly: boolean;
}

export const AccountContext = createContext<AccountContextValue | null>(null);

export function useAccount(): AccountContextValue {
  const value = useContext(AccountContext);
  if (!value) {
    throw new Error('useAccount outside an account page');
  }
  return value;
}
