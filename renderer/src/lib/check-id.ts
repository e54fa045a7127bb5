// A verification check's id, made from its label: the id is the realm's internal name for the check
// (records refer to it), so admins never type it; it follows the server's rule (lower-case letters,
// digits and dashes, a letter first, 2–40 characters) and is unique in the policy.

const MAX = 40;

function slug(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, MAX)
    .replace(/-+$/, '');
}

/** An id for a check labelled `label` that none of `taken` has. */
export function checkIdFromLabel(label: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let base = slug(label);
  if (base.length < 2) base = base ? `check-${base}` : 'check';
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!used.has(candidate)) return candidate;
  }
}
