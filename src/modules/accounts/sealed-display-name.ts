import type { SealedLocation } from '../../infra/encryption/field-cipher';
import { openPersonalData, sealPersonalData } from '../../infra/encryption/personal-data';
import { AppError, ErrorCode } from '../../shared/errors';

/**
 * A user's display name at rest: one AES-256-GCM sealed value (the same cipher and format as the shipping address,
 * see `field-cipher.ts`), column `app_user.display_name`, bound to the user's id, so a name copied to another row
 * fails to open. It is a person's name, often their real one: personal data like the address, though it is shown
 * publicly beside a shop. Everything that reads it goes through {@link openUserDisplayName}: `user.displayName`
 * for entities, this function for rows read with SQL.
 */
export const USER_DISPLAY_NAME_COLUMN = { table: 'app_user', column: 'display_name' } as const;

export function userDisplayNameLocation(userId: string): SealedLocation {
  return { ...USER_DISPLAY_NAME_COLUMN, rowId: userId };
}

/** The sealed form of `displayName` for the user `userId` (whose id must therefore be chosen first). */
export function sealUserDisplayName(userId: string, displayName: string): string {
  return sealPersonalData(displayName, userDisplayNameLocation(userId));
}

/** Opens the sealed display name of user `userId`; throws (after logging the row and key id) when it cannot. */
export function openUserDisplayName(userId: string, sealed: string): string {
  return openPersonalData(sealed, userDisplayNameLocation(userId));
}

/** The sealed display name did not open (unknown key, or altered): already logged with the user and key id. */
export class DisplayNameUnreadableError extends AppError {
  constructor() {
    super(ErrorCode.INTERNAL_SERVER_ERROR, 'The display name of this user cannot be read');
  }
}
