import { openFields, type RuleTree } from '../../shared/rule-tree';
import { isStaff } from '../accounts';

/** Notifications: the emails about orders are the operators' (ADMIN and SUPPORT) to read; nobody writes them through the API. */
export const notificationRules: RuleTree = {
  Query: { emails: isStaff },
  // Reached only through `emails`, which is guarded.
  EmailMessageConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  EmailMessageEdge: openFields(['cursor', 'node']),
  EmailMessage: openFields(['id', 'kind', 'order', 'recipient', 'to', 'subject', 'body', 'transport', 'messageId', 'createdAt', 'sentAt']),
};
