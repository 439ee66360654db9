/**
 * The notifications module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export { eraseEmailsOfDeletedUser, queuePasswordResetEmail } from './account-emails';
export { EmailKind } from './email-message.entity';
export { queueBuyerEmail, queueOrderPaidEmails } from './order-emails';
