// Saving a file the console made or fetched: a Blob behind a short-lived object URL, and CSV text.

/** Hands `blob` to the browser (or the desktop app) as a download named `fileName`. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; the file itself stays with the browser.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** RFC 4180 text: every field quoted when it holds a comma, quote or line break. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const field = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
