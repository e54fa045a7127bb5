// The floor for figure 6: fetch the queue, render every row as a plain element, append on events.
/* global document, io */
const queue = document.getElementById('queue');
const row = (r) => {
  const el = document.createElement('div');
  el.setAttribute('role', 'option');
  el.textContent = `${r.reference} ${r.username} ${r.state}`;
  return el;
};
fetch('/api/queue')
  .then((res) => res.json())
  .then(({ requests }) => {
    const fragment = document.createDocumentFragment();
    for (const r of requests) fragment.append(row(r));
    queue.append(fragment);
  });
io('/agent', { auth: { desk: '1' }, transports: ['websocket'] }).on('request:created', (r) =>
  queue.append(row(r)),
);
