// The server's log: JSON lines with the request id of what is being served, and no secret in any
// field or message, whatever a library hands it.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pinoLogger } from '../../../server/logger';
import { withRequestId } from '../../../server/logging/request-context';
import { scrubText } from '../../../server/logging/redaction';

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const logger = pinoLogger({ destination: stream, pretty: false });
  const records = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { logger, lines, records };
}

describe('the server log', () => {
  it('writes one JSON object a line, with level, time and message', async () => {
    const { logger, records } = capture();
    logger.info('ready', { port: 3000 });
    logger.warn('slow');
    const [ready, slow] = await records();
    expect(ready).toMatchObject({ level: 'info', msg: 'ready', port: 3000 });
    expect(Date.parse(String(ready!.time))).not.toBeNaN();
    expect(slow).toMatchObject({ level: 'warn', msg: 'slow' });
  });

  it('carries the id of the request being served, through awaits, and none outside one', async () => {
    const { logger, records } = capture();
    await withRequestId('abc123', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('inside');
    });
    logger.info('outside');
    const [inside, outside] = await records();
    expect(inside!.reqId).toBe('abc123');
    expect(outside).not.toHaveProperty('reqId');
  });

  it('replaces fields named for secrets, at the top and one level down', async () => {
    const { logger, lines, records } = capture();
    logger.info('fields', {
      password: 'hunter2-pass',
      otp: '48213907',
      token: 'tok-abcdef',
      headers: { authorization: 'Bearer sekrit-token', cookie: 'hd_flow=cookie-value' },
      user: { password: 'nested-pass', name: 'jsmith' },
    });
    const [entry] = await records();
    expect(entry).toMatchObject({
      password: '[redacted]',
      otp: '[redacted]',
      token: '[redacted]',
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      user: { password: '[redacted]', name: 'jsmith' },
    });
    for (const secret of [
      'hunter2-pass',
      '48213907',
      'tok-abcdef',
      'sekrit-token',
      'cookie-value',
      'nested-pass',
    ])
      expect(lines.join('\n')).not.toContain(secret);
  });

  it("scrubs secrets out of messages and errors, a database URL's password among them", async () => {
    const { logger, lines, records } = capture();
    const error = new Error(
      'connect to postgres://app:db-Secret-9@db.internal:5432/helpdesk failed',
    );
    logger.error('store failed: Authorization: Bearer abc.def.ghi', error);
    const [entry] = await records();
    expect(String(entry!.msg)).toContain('Authorization: [redacted]');
    expect(JSON.stringify(entry!.err)).toContain('postgres://app:[redacted]@db.internal:5432');
    expect(lines.join('\n')).not.toMatch(/db-Secret-9|abc\.def\.ghi/);
  });

  it('leaves ordinary text alone', () => {
    const text =
      'request 01J9 claimed by alice at https://signin.example.com/agent (code not-found)';
    expect(scrubText(text)).toBe(text);
    expect(scrubText('password=abc&user=x')).toBe('password=[redacted]&user=x');
    expect(scrubText('{"token":"abc"}')).toBe('{"token":"[redacted]"}');
  });
});
