// Copies a text to the clipboard and says so; where the clipboard is refused, nothing happens.
import { useState } from 'react';

export function CopyButton({ text, className = 'button' }: { text: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={className}
      onClick={() =>
        void navigator.clipboard
          ?.writeText(text)
          .then(() => setCopied(true))
          .catch(() => undefined)
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
