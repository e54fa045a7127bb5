// How a desk is named wherever a person must find it: the product's number ("Help Desk 2"), then the realm's name for it.
import type { HelpDesk, HelpDeskId } from './realm-config';

/**
 * "Help Desk 2 · Security Help Desk": the number the seed guide and the README use, then the name the
 * realm gave the desk. A desk still named by its number ("Help Desk 2", the default) reads once.
 */
export function deskLabel(id: HelpDeskId, desk: Pick<HelpDesk, 'name'>): string {
  const number = `Help Desk ${id}`;
  const name = desk.name.trim();
  return name === '' || name.toLowerCase() === number.toLowerCase()
    ? number
    : `${number} · ${name}`;
}
