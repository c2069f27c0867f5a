/**
 * The webhook URLs carry their secret (`/webhooks/zspay/<secret>`): whoever reads a log line or an
 * error body holding one can post fake "paid" events. Every text the API writes about a request
 * goes through here first.
 */
import type { WebhookSecrets } from './routes/webhooks';

export const REDACTED = '[redacted]';

/** The segment after /webhooks/<provider>/, whatever it is: a wrong secret may be an old or a mistyped real one. */
const WEBHOOK_SECRET_SEGMENT = /(\/+webhooks\/+(?:zspay|adiq)\/+)[^/?#\s"'\\]+/gi;

/** A request URL (or any text holding one) with the webhook secret segment replaced. */
export function redactWebhookPath(text: string): string {
  return text.replace(WEBHOOK_SECRET_SEGMENT, `$1${REDACTED}`);
}

/** A request URL as text to show: percent-decoded (when it decodes), so an encoded secret is recognised too. */
export function decodedUrl(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

/**
 * Redacts the webhook secrets from any text: the secret segment of webhook paths, and the secrets
 * themselves wherever they appear (raw, URL-encoded or JSON-escaped: a log line is JSON).
 */
export function secretRedactor(secrets: WebhookSecrets): (text: string) => string {
  const forms = [
    ...new Set(
      Object.values(secrets)
        .filter((s) => s.length > 0)
        .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]),
    ),
  ]
    // Longest first, so a secret inside another is not half-replaced.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let redacted = redactWebhookPath(text);
    for (const form of forms) redacted = redacted.split(form).join(REDACTED);
    return redacted;
  };
}
