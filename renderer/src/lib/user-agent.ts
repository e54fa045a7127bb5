// A user-agent string as an agent reads it ("Chrome 131 on Linux"), by bowser, a maintained parser.
import Bowser from 'bowser';

/** The browser and system a request came from, in words; null when the string says nothing usable. */
export function describeUserAgent(userAgent: string): string | null {
  if (!userAgent.trim()) return null;
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent);
  } catch {
    return null;
  }
  const name = parsed.browser.name;
  if (!name) return null;
  const major = parsed.browser.version?.split('.')[0];
  const browser = major ? `${name} ${major}` : name;
  // Only the system's name: browsers freeze its version (Windows 11 says 10, every Mac says 10.15).
  const os = parsed.os.name ?? '';
  const device = parsed.platform.type === 'mobile' || parsed.platform.type === 'tablet';
  const on = os ? ` on ${os}` : '';
  return `${browser}${on}${device && parsed.platform.model ? ` (${parsed.platform.model})` : ''}`;
}
