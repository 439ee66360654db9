import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';

/**
 * Operations the server offers beyond the contract, typed by hand (codegen types only the contract's).
 */

export interface MyAccountSubscription {
  myAccount: { id: string; role: string; status: string };
}

/** The caller's account now, then after each change an operator makes. */
export const MyAccountDocument = parse('subscription MyAccount { myAccount { id role status } }') as TypedDocumentNode<
  MyAccountSubscription,
  Record<string, never>
>;

export interface AuditEventsQuery {
  auditEvents: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; type: string; userId: string | null; actorId: string | null; clientAddress: string | null; requestId: string | null; details: Record<string, unknown>; createdAt: string } }[];
  };
}

export interface AuditEventsVariables {
  first: number;
  after?: string | null;
  filter?: { type?: string | null; userId?: string | null } | null;
}

export const AuditEventsDocument = parse(`
  query AuditEvents($first: Int!, $after: String, $filter: AuditEventFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id type userId actorId clientAddress requestId details createdAt } }
    }
  }
`) as TypedDocumentNode<AuditEventsQuery, AuditEventsVariables>;

export interface EmailsQuery {
  emails: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        kind: string;
        to: string;
        subject: string;
        body: string;
        transport: string;
        messageId: string;
        createdAt: string;
        sentAt: string | null;
        order: { id: string; number: string; status: string };
        recipient: { id: string; email: string };
      };
    }[];
  };
}

export interface EmailsVariables {
  first: number;
  after?: string | null;
  orderId?: string | null;
}

export const EmailsDocument = parse(`
  query Emails($first: Int!, $after: String, $orderId: ID) {
    emails(first: $first, after: $after, orderId: $orderId) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id kind to subject body transport messageId createdAt sentAt order { id number status } recipient { id email } } }
    }
  }
`) as TypedDocumentNode<EmailsQuery, EmailsVariables>;
