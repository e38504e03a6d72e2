// Texts of the team page, the invitation page (`/accept-invitation`) and the partner workspace.
import { translatable } from './locale';
import { invitationZhCN, partnerZhCN, teamZhCN } from './zh-CN/team';

const teamEn = {
  title: (account: string) => `Team · ${account} · Tradehub`,
  heading: 'Team',
  lead: 'The people who work in this account and what each may do.',
  staffLead: ' As staff you can see the team; its owners and admins change it.',
  what: 'The team of this account',
  loading: 'Loading the team…',
  invited: (email: string, role: string) =>
    `Invitation sent to ${email} as ${role}. They get an email with a link to join; on a development server the link is written to the server log instead.`,
  members: 'Members',
  name: 'Name',
  email: 'Email',
  role: 'Role',
  actions: 'Actions',
  you: ' (you)',
  disabled: 'Disabled',
  changeRole: 'Change role',
  changeRoleOf: (name: string) => `Change role of ${name}`,
  remove: 'Remove',
  removeWho: (name: string) => `Remove ${name}`,
  noMembers: 'No members on this page.',
  pending: 'Pending invitations',
  invitationsWhat: 'The invitations of this account',
  invitationsLoading: 'Loading the invitations…',
  noPending: 'No invitation is waiting to be accepted.',
  sent: 'Sent',
  expires: 'Expires',
  revoke: 'Revoke',
  revokeOf: (email: string) => `Revoke the invitation of ${email}`,
  roleChanged: (name: string, role: string) => `${name} is now ${role}.`,
  removeTitle: (name: string) => `Remove ${name}?`,
  removeConfirm: 'Remove member',
  removing: 'Removing…',
  removed: (name: string) => `${name} was removed from the team.`,
  removeBody: (name: string, email: string, account: string) =>
    `${name} (${email}) loses access to ${account} at once, including any session they have open. API keys they created keep working until revoked.`,
  revokeTitle: 'Revoke the invitation?',
  revokeConfirm: 'Revoke invitation',
  revoking: 'Revoking…',
  revoked: (email: string) => `The invitation of ${email} was revoked; its link no longer works.`,
  revokeBody: (email: string) => `The link sent to ${email} stops working. You can invite them again later.`,
  invite: 'Invite someone',
  inviteFailed: 'The invitation was not sent',
  anEmail: 'an email address',
  sending: 'Sending…',
  send: 'Send invitation',
  inviteHint:
    'The invitation link is emailed to them and is valid for a limited time. On a development server it is written to the server log instead of being emailed.',
  changeRoleTitle: (name: string) => `Change the role of ${name}`,
  changeFailed: 'The role was not changed',
  roleHere: 'Role in this account',
  cancel: 'Cancel',
  saving: 'Saving…',
  saveRole: 'Save role',
};

const invitationEn = {
  title: 'Accept invitation · Tradehub',
  join: 'Join your team on Tradehub',
  noToken: 'This link has no invitation in it',
  invalid: 'This invitation link is not valid',
  reopen:
    'Open the link from your invitation email again, and make sure it was not cut off. If it still fails, ask the person who invited you to send a new invitation.',
  loading: 'Loading your invitation…',
  expired: (org: string) => `This invitation to ${org} has expired`,
  expiredBody: (until: string, email: string) => `It was valid until ${until}. Ask the person who invited you to send a new one to ${email}.`,
  accepted: (org: string) => `This invitation to ${org} was already accepted`,
  withdrawn: (org: string) => `This invitation to ${org} was withdrawn`,
  acceptedBody: (email: string) => `If you accepted it, sign in as ${email}.`,
  withdrawnBody: 'If you still need access, ask the person who invited you to send a new invitation.',
  haveSignIn: 'Already have a sign-in?',
  signIn: 'Sign in',
  aMember: 'a member',
  joinAs: (org: string, role: string) => `Join ${org} as ${role}`,
  existing: (email: string) => `You already sign in to Tradehub as ${email}: enter your current password to accept.`,
  newUser: (email: string) => `The invitation is for ${email}. Give your name and choose a password to accept it.`,
  failed: 'The invitation was not accepted',
  form: 'Accept invitation',
  yourName: 'Your name',
  currentPassword: 'Current password',
  password: 'Password',
  passwordHint: 'At least 12 characters; a passphrase of a few words is easy to remember.',
  accepting: 'Accepting…',
  accept: 'Accept invitation',
  missingName: 'your name',
  missingPassword: 'a password',
  missingCurrent: 'your current password',
};

const partnerEn = {
  workspace: 'Partner workspace',
  title: (partner: string) => `${partner} · Tradehub`,
  noAccess: "You don't have access",
  noAccessBody: 'The partner workspace is for the people of a finance partner, and you are not one.',
  youAre: (role: string, partner: string) => `You are ${role} at ${partner}.`,
  what: 'This partner',
  organisation: 'Your organisation',
  name: 'Name',
  registeredIn: 'Registered in',
  yourRole: 'Your role',
  borrowers: 'Borrowers',
  borrowersLead: (partner: string) => `The seller accounts that allowed ${partner} to see their financing data.`,
  noBorrowers: 'No seller account has consented yet.',
  legalName: 'Legal name',
};

export const teamMessages = translatable('team', teamEn, { 'zh-CN': teamZhCN });
export const invitationMessages = translatable('invitation', invitationEn, { 'zh-CN': invitationZhCN });
export const partnerMessages = translatable('partner', partnerEn, { 'zh-CN': partnerZhCN });

export type TeamCatalog = typeof teamEn;
export type InvitationCatalog = typeof invitationEn;
export type PartnerCatalog = typeof partnerEn;
