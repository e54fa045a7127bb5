// Audit entries to an HTTPS endpoint: each batch is one POST of `{"entries":[…]}` (entries as the
// log holds them, oldest first), signed with HMAC-SHA256 under the realm's webhook secret.
//
// Headers:
//   X-HelpDesk-Timestamp: <unix seconds when this attempt was signed>
//   X-HelpDesk-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>
//   X-HelpDesk-Seq: <first seq>-<last seq>
//
// How a receiver checks a delivery: take the raw body bytes as received (before any JSON parsing),
// compute HMAC-SHA256 with the shared secret over `${timestamp}.${body}`, compare its hex with the
// signature header in constant time (e.g. `crypto.timingSafeEqual`), and reject the request when
// they differ or when the timestamp is more than a few minutes from its own clock (a replayed
// request carries an old timestamp, and the timestamp cannot be changed without the secret). Each
// retry is signed afresh with a new timestamp. Delivery is at least once: a retry after a lost answer
// repeats entries the receiver already has, so it keeps the highest seq it stored and skips entries
// at or below it (or deduplicates by seq/hash).
//
// The receiver's answer decides: 2xx delivered; 408, 429 and 5xx (and no answer at all) are tried
// again later, after Retry-After when it is given; any other answer is a refusal that repeating will
// not change (a wrong URL, a secret the receiver does not know), so the exporter stops and tells
// admins.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { WebhookExportSettings } from '../../contract/realm-config';
import type { AuditEntry } from '../audit-chain';
import type { AuditSink } from './sink';
import { DeliveryError, describeFailure } from './sink';

export const SIGNATURE_HEADER = 'x-helpdesk-signature';
export const TIMESTAMP_HEADER = 'x-helpdesk-timestamp';
export const SEQ_HEADER = 'x-helpdesk-seq';
/** An attempt with no answer within this long is abandoned and tried again later. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Statuses worth trying again: the receiver is busy, overloaded or broken for now. */
const RETRIED = new Set([408, 429]);

/** `sha256=<hex>` over `${timestamp}.${body}`: what the signature header carries. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110, 10.2.3). */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class WebhookSink implements AuditSink {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(
    settings: WebhookExportSettings,
    private readonly secret: string,
    private readonly now: () => number,
  ) {
    this.url = new URL(settings.url);
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(settings.caPem !== undefined ? { ca: [settings.caPem] } : {}),
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
          })
        : new http.Agent({ keepAlive: true });
  }

  deliver(entries: readonly AuditEntry[]): Promise<void> {
    const body = JSON.stringify({ entries });
    const timestamp = String(Math.floor(this.now() / 1000));
    const first = entries[0]?.seq ?? 0;
    const last = entries.at(-1)?.seq ?? 0;
    const request = (this.url.protocol === 'https:' ? https : http).request;
    return new Promise((resolve, reject) => {
      const req = request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'helpdesk-otp-audit-export',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(this.secret, timestamp, body),
          [SEQ_HEADER]: `${first}-${last}`,
        },
        timeout: REQUEST_TIMEOUT_MS,
      });
      req.once('timeout', () =>
        req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
      );
      req.once('error', (error) =>
        reject(new DeliveryError(`webhook request failed: ${describeFailure(error)}`, true)),
      );
      req.once('response', (res) => {
        // The body is not needed; reading it to the end lets the connection be used again.
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve();
          return;
        }
        const what = `the webhook answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`;
        if (RETRIED.has(status) || status >= 500)
          reject(
            new DeliveryError(
              what,
              true,
              retryAfterMs(headerValue(res.headers['retry-after']), this.now()),
            ),
          );
        else reject(new DeliveryError(what, false));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
