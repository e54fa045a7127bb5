// A flooding client in its own process (as an attacker would be): one address, scripting the
// sign-in forms back to back for a while (a username, then a desk, again and again, with the one
// session and CSRF token it fetched once), then printing what it got as JSON.
import { closedLoop } from './lib/load';
import { PageClient } from './lib/sign-in';

const [url, durationMs, ip] = process.argv.slice(2);
const counts = { sent: 0, answered429: 0, accepted: 0, other: 0 };
const count = (status: number) => {
  counts.sent++;
  if (status === 429) counts.answered429++;
  else if (status === 303) counts.accepted++;
  else counts.other++;
};
const browsers = await Promise.all(
  Array.from({ length: 4 }, async () => {
    const browser = new PageClient(url!, ip!);
    await browser.get('/sign-in');
    return browser;
  }),
);
// The measuring side starts its honest traffic on this line, once the flood is really under way.
console.log('flooding');
await closedLoop(4, Number(durationMs), async (i) => {
  const browser = browsers[i % 4]!;
  count((await browser.post('/sign-in', { username: `flood${i}` })).status);
  count((await browser.post('/sign-in/method', { desk: '1' })).status);
});
console.log(JSON.stringify(counts));
