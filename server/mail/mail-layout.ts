// Every mail the realm sends, laid out once: a plain-text part and an HTML part with the same words,
// the realm's name at the top, values escaped. Never put a help-desk passcode in one.
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface MailBody {
  realmName: string;
  subject: string;
  heading: string;
  /** Paragraphs of plain text (escaped in the HTML part). */
  paragraphs: readonly string[];
  /** Label/value lines shown as a small table (e.g. When, Desk, Browser, Address). */
  facts?: readonly (readonly [string, string])[];
  /** One action link (absolute URL), shown as a button and as a plain URL. */
  action?: { label: string; url: string };
  /** The closing line in small print. */
  footer?: string;
}

const escapeHtml = (value: string) =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Subject lines cannot carry line breaks (header injection) and stay short. */
const oneLine = (value: string, max = 200) => value.replace(/[\r\n]+/g, ' ').slice(0, max);

export function renderMail(body: MailBody): MailContent {
  const subject = oneLine(`${body.subject} · ${body.realmName}`);
  const facts = body.facts ?? [];
  const labelWidth = Math.max(0, ...facts.map(([label]) => label.length)) + 2;
  const text = [
    body.realmName,
    '',
    body.heading,
    '',
    ...body.paragraphs.flatMap((p) => [p, '']),
    ...(facts.length > 0
      ? [...facts.map(([label, value]) => `${`${label}:`.padEnd(labelWidth)}${value}`), '']
      : []),
    ...(body.action ? [`${body.action.label}: ${body.action.url}`, ''] : []),
    ...(body.footer ? [body.footer] : []),
  ]
    .join('\n')
    .trimEnd();
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#111827">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e5e7eb;border-radius:12px;padding:24px">
<p style="margin:0 0 16px;font-weight:700;color:#1e3a8a">${escapeHtml(body.realmName)}</p>
<h1 style="margin:0 0 16px;font-size:20px">${escapeHtml(body.heading)}</h1>
${body.paragraphs.map((p) => `<p style="margin:0 0 12px;line-height:1.5">${escapeHtml(p)}</p>`).join('\n')}
${
  facts.length > 0
    ? `<table style="margin:8px 0 16px;border-collapse:collapse">${facts
        .map(
          ([label, value]) =>
            `<tr><td style="padding:2px 16px 2px 0;color:#4b5563">${escapeHtml(label)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${
  body.action
    ? `<p style="margin:16px 0"><a href="${escapeHtml(body.action.url)}" style="display:inline-block;background:#b91c1c;color:#ffffff;text-decoration:none;padding:10px 16px;border-radius:8px;font-weight:600">${escapeHtml(body.action.label)}</a></p>
<p style="margin:0 0 12px;font-size:12px;color:#4b5563;word-break:break-all">${escapeHtml(body.action.url)}</p>`
    : ''
}
${body.footer ? `<p style="margin:16px 0 0;font-size:12px;color:#6b7280">${escapeHtml(body.footer)}</p>` : ''}
</div></body></html>`;
  return { subject, text, html };
}
