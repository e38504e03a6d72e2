// What the accept-invitation page shows for an invitation preview, decided without React.
import type { InvitationStatus } from '../gql/graphql';

export interface PreviewLike {
  status: InvitationStatus;
  expiresAt: string;
}

/**
 * Where an invitation link stands: `open` to accept; `expired` (its status says so, or its time
 * passed while it still reads PENDING); `used` when accepted or withdrawn; `unknown` when the
 * server knows no such token.
 */
export type InvitationState = 'open' | 'expired' | 'used' | 'unknown';

export function invitationState(preview: PreviewLike | null | undefined, now: number = Date.now()): InvitationState {
  if (!preview) {
    return 'unknown';
  }
  switch (preview.status) {
    case 'ACCEPTED':
    case 'REVOKED':
      return 'used';
    case 'EXPIRED':
      return 'expired';
    case 'PENDING': {
      const expires = new Date(preview.expiresAt).getTime();
      return !Number.isNaN(expires) && expires <= now ? 'expired' : 'open';
    }
  }
}
