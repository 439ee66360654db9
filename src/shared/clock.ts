/** The time, injectable so that tests can move it (token expiry, reservations). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
