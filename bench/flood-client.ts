// A flooding client in its own process (as an attacker would be): one address, submitting back to
// back for a while, then printing what it got as JSON.
import { closedLoop, submit } from './lib/load';

const [url, durationMs, ip] = process.argv.slice(2);
const counts = { sent: 0, answered429: 0, accepted: 0 };
await closedLoop(4, Number(durationMs), async (i) => {
  counts.sent++;
  const res = await submit(url!, `flood${i}`, '1', ip!);
  if (res.status === 429) counts.answered429++;
  else if (res.status === 201) counts.accepted++;
});
console.log(JSON.stringify(counts));
