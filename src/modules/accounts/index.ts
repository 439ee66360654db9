/**
 * The accounts module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export type { AccountsRuntime } from './accounts-runtime';
export { requireViewer } from './accounts.errors';
export { hasRole, isArtisan, isAuthenticated, isStaff } from './auth.rules';
export { Role, User, UserStatus } from './user.entity';
export type { Viewer } from './viewer';
export { openUserDisplayName, sealUserDisplayName, USER_DISPLAY_NAME_COLUMN } from './sealed-display-name';
export { rotateUserBatch } from './display-name-rotation';
