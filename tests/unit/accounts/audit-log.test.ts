import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { AuditEventType } from '../../../src/modules/accounts/audit-event.entity';
import { logAudit } from '../../../src/modules/accounts/audit';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('audit log lines', () => {
  it('should write one structured line naming the event, the user, the client address and the request', () => {
    const { logger, lines } = capture();
    logAudit(logger, {
      id: 'e1',
      type: AuditEventType.USER_BANNED,
      userId: 'u1',
      actorId: 'admin1',
      clientAddress: '203.0.113.7',
      requestId: 'req-42',
      details: { reason: 'spam' },
    });
    expect(lines()).toEqual([
      expect.objectContaining({
        audit: 'USER_BANNED',
        auditEventId: 'e1',
        userId: 'u1',
        actorId: 'admin1',
        clientAddress: '203.0.113.7',
        requestId: 'req-42',
        details: { reason: 'spam' },
        msg: 'audit: USER_BANNED',
      }),
    ]);
  });

  it('should write the request id once when the logger of the request already carries it', () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const requestLogger = pino({ level: 'info' }, stream).child({ requestId: 'req-42', userId: 'admin1' });
    logAudit(requestLogger, { type: AuditEventType.USER_BANNED, userId: 'u1', actorId: 'admin1', clientAddress: null, requestId: 'req-42', details: {} });
    const [line] = chunks.join('').trim().split('\n');
    expect(line!.match(/"requestId"/g)).toHaveLength(1);
    expect(JSON.parse(line!)).toMatchObject({ requestId: 'req-42', userId: 'u1', actorId: 'admin1' });
  });

  it('should log failed log-ins and refresh-token reuse as warnings', () => {
    const { logger, lines } = capture();
    const base = { userId: null, actorId: null, clientAddress: null, requestId: 'r', details: {} };
    logAudit(logger, { ...base, type: AuditEventType.LOGIN_FAILED });
    logAudit(logger, { ...base, type: AuditEventType.REFRESH_TOKEN_REUSED });
    logAudit(logger, { ...base, type: AuditEventType.LOGIN_SUCCEEDED });
    expect(lines().map((line) => line.level)).toEqual([40, 40, 30]);
  });
});
