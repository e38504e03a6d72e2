/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query AccountFrame($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      status\n    }\n  }\n": typeof types.AccountFrameDocument,
    "\n  mutation AcceptInvitation($input: AcceptInvitationInput!) {\n    acceptInvitation(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.AcceptInvitationDocument,
    "\n  query PartnerWorkspace($id: ID!) {\n    partner(id: $id) {\n      id\n      name\n      country\n    }\n  }\n": typeof types.PartnerWorkspaceDocument,
    "\n  mutation SignIn($input: LoginInput!) {\n    login(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  query AccountOverview($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      country\n      defaultCurrency\n      billingEmail\n      status\n      createdAt\n      viewerRole\n      accountManagers {\n        id\n        name\n        email\n      }\n    }\n  }\n": typeof types.AccountOverviewDocument,
    "\n  query ApiKeys($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      apiKeys(first: $first, after: $after) {\n        nodes {\n          id\n          name\n          role\n          secretPrefix\n          createdAt\n          createdBy {\n            id\n            name\n          }\n          lastUsedAt\n          expiresAt\n          revokedAt\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        id\n        name\n        role\n        secretPrefix\n      }\n      secret\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      apiKey {\n        id\n        revokedAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query TeamMembers($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        nodes {\n          role\n          user {\n            id\n            name\n            email\n            status\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.TeamMembersDocument,
    "\n  query TeamInvitations($id: ID!) {\n    account(id: $id) {\n      id\n      invitations {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n    }\n  }\n": typeof types.TeamInvitationsDocument,
    "\n  mutation InviteMember($input: InviteAccountMemberInput!) {\n    inviteAccountMember(input: $input) {\n      invitation {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.InviteMemberDocument,
    "\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) {\n    changeMemberRole(input: $input) {\n      membership {\n        role\n        user {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.ChangeMemberRoleDocument,
    "\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input) {\n      removedUserId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation RevokeInvitation($input: RevokeInvitationInput!) {\n    revokeInvitation(input: $input) {\n      invitation {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.RevokeInvitationDocument,
    "\n  query SessionViewer {\n    viewer {\n      authenticated\n      user {\n        id\n        name\n        email\n      }\n      memberships {\n        role\n        account {\n          id\n          legalName\n          status\n        }\n      }\n      staffRole\n      partnerMembership {\n        role\n        partner {\n          id\n          name\n        }\n      }\n      supplierId\n    }\n  }\n": typeof types.SessionViewerDocument,
    "\n  query StaffAccounts {\n    accounts(first: 100) {\n      nodes {\n        id\n        legalName\n        status\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": typeof types.StaffAccountsDocument,
    "\n  mutation SignOut {\n    logout {\n      sessionsEnded\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.SignOutDocument,
};
const documents: Documents = {
    "\n  query AccountFrame($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      status\n    }\n  }\n": types.AccountFrameDocument,
    "\n  mutation AcceptInvitation($input: AcceptInvitationInput!) {\n    acceptInvitation(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.AcceptInvitationDocument,
    "\n  query PartnerWorkspace($id: ID!) {\n    partner(id: $id) {\n      id\n      name\n      country\n    }\n  }\n": types.PartnerWorkspaceDocument,
    "\n  mutation SignIn($input: LoginInput!) {\n    login(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  query AccountOverview($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      country\n      defaultCurrency\n      billingEmail\n      status\n      createdAt\n      viewerRole\n      accountManagers {\n        id\n        name\n        email\n      }\n    }\n  }\n": types.AccountOverviewDocument,
    "\n  query ApiKeys($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      apiKeys(first: $first, after: $after) {\n        nodes {\n          id\n          name\n          role\n          secretPrefix\n          createdAt\n          createdBy {\n            id\n            name\n          }\n          lastUsedAt\n          expiresAt\n          revokedAt\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        id\n        name\n        role\n        secretPrefix\n      }\n      secret\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      apiKey {\n        id\n        revokedAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query TeamMembers($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        nodes {\n          role\n          user {\n            id\n            name\n            email\n            status\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.TeamMembersDocument,
    "\n  query TeamInvitations($id: ID!) {\n    account(id: $id) {\n      id\n      invitations {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n    }\n  }\n": types.TeamInvitationsDocument,
    "\n  mutation InviteMember($input: InviteAccountMemberInput!) {\n    inviteAccountMember(input: $input) {\n      invitation {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.InviteMemberDocument,
    "\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) {\n    changeMemberRole(input: $input) {\n      membership {\n        role\n        user {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.ChangeMemberRoleDocument,
    "\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input) {\n      removedUserId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.RemoveMemberDocument,
    "\n  mutation RevokeInvitation($input: RevokeInvitationInput!) {\n    revokeInvitation(input: $input) {\n      invitation {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.RevokeInvitationDocument,
    "\n  query SessionViewer {\n    viewer {\n      authenticated\n      user {\n        id\n        name\n        email\n      }\n      memberships {\n        role\n        account {\n          id\n          legalName\n          status\n        }\n      }\n      staffRole\n      partnerMembership {\n        role\n        partner {\n          id\n          name\n        }\n      }\n      supplierId\n    }\n  }\n": types.SessionViewerDocument,
    "\n  query StaffAccounts {\n    accounts(first: 100) {\n      nodes {\n        id\n        legalName\n        status\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": types.StaffAccountsDocument,
    "\n  mutation SignOut {\n    logout {\n      sessionsEnded\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.SignOutDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountFrame($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      status\n    }\n  }\n"): (typeof documents)["\n  query AccountFrame($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptInvitation($input: AcceptInvitationInput!) {\n    acceptInvitation(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptInvitation($input: AcceptInvitationInput!) {\n    acceptInvitation(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PartnerWorkspace($id: ID!) {\n    partner(id: $id) {\n      id\n      name\n      country\n    }\n  }\n"): (typeof documents)["\n  query PartnerWorkspace($id: ID!) {\n    partner(id: $id) {\n      id\n      name\n      country\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($input: LoginInput!) {\n    login(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($input: LoginInput!) {\n    login(input: $input) {\n      viewer {\n        authenticated\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountOverview($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      country\n      defaultCurrency\n      billingEmail\n      status\n      createdAt\n      viewerRole\n      accountManagers {\n        id\n        name\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  query AccountOverview($id: ID!) {\n    account(id: $id) {\n      id\n      legalName\n      country\n      defaultCurrency\n      billingEmail\n      status\n      createdAt\n      viewerRole\n      accountManagers {\n        id\n        name\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      apiKeys(first: $first, after: $after) {\n        nodes {\n          id\n          name\n          role\n          secretPrefix\n          createdAt\n          createdBy {\n            id\n            name\n          }\n          lastUsedAt\n          expiresAt\n          revokedAt\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      apiKeys(first: $first, after: $after) {\n        nodes {\n          id\n          name\n          role\n          secretPrefix\n          createdAt\n          createdBy {\n            id\n            name\n          }\n          lastUsedAt\n          expiresAt\n          revokedAt\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        id\n        name\n        role\n        secretPrefix\n      }\n      secret\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        id\n        name\n        role\n        secretPrefix\n      }\n      secret\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      apiKey {\n        id\n        revokedAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      apiKey {\n        id\n        revokedAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamMembers($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        nodes {\n          role\n          user {\n            id\n            name\n            email\n            status\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamMembers($id: ID!, $first: Int!, $after: String) {\n    account(id: $id) {\n      id\n      members(first: $first, after: $after) {\n        nodes {\n          role\n          user {\n            id\n            name\n            email\n            status\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamInvitations($id: ID!) {\n    account(id: $id) {\n      id\n      invitations {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamInvitations($id: ID!) {\n    account(id: $id) {\n      id\n      invitations {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteMember($input: InviteAccountMemberInput!) {\n    inviteAccountMember(input: $input) {\n      invitation {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InviteMember($input: InviteAccountMemberInput!) {\n    inviteAccountMember(input: $input) {\n      invitation {\n        id\n        email\n        accountRole\n        status\n        expiresAt\n        createdAt\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) {\n    changeMemberRole(input: $input) {\n      membership {\n        role\n        user {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) {\n    changeMemberRole(input: $input) {\n      membership {\n        role\n        user {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input) {\n      removedUserId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveMember($input: RemoveMemberInput!) {\n    removeMember(input: $input) {\n      removedUserId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeInvitation($input: RevokeInvitationInput!) {\n    revokeInvitation(input: $input) {\n      invitation {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeInvitation($input: RevokeInvitationInput!) {\n    revokeInvitation(input: $input) {\n      invitation {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionViewer {\n    viewer {\n      authenticated\n      user {\n        id\n        name\n        email\n      }\n      memberships {\n        role\n        account {\n          id\n          legalName\n          status\n        }\n      }\n      staffRole\n      partnerMembership {\n        role\n        partner {\n          id\n          name\n        }\n      }\n      supplierId\n    }\n  }\n"): (typeof documents)["\n  query SessionViewer {\n    viewer {\n      authenticated\n      user {\n        id\n        name\n        email\n      }\n      memberships {\n        role\n        account {\n          id\n          legalName\n          status\n        }\n      }\n      staffRole\n      partnerMembership {\n        role\n        partner {\n          id\n          name\n        }\n      }\n      supplierId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffAccounts {\n    accounts(first: 100) {\n      nodes {\n        id\n        legalName\n        status\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffAccounts {\n    accounts(first: 100) {\n      nodes {\n        id\n        legalName\n        status\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    logout {\n      sessionsEnded\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    logout {\n      sessionsEnded\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;