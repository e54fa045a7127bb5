// Where the server started by `npm start` will listen, read from the same flags and environment
// the server reads, so start.mjs knows where to poll /healthz and where to point the app.

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;

/** The value of `--name value` or `--name=value`; the last one wins, as with most CLIs. */
function flagValue(args, name) {
  let value;
  args.forEach((arg, i) => {
    if (arg === `--${name}`) value = args[i + 1];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  });
  return value;
}

/** A wildcard listen address is reached through loopback. */
function reachableHost(host) {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

export function serverAddress(args, env) {
  const host = reachableHost(flagValue(args, 'host') ?? env.HOST ?? DEFAULT_HOST);
  const portText = flagValue(args, 'port') ?? env.PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`npm start needs a fixed port (1-65535), not "${portText}"`);
  }
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { host, port, url: `http://${urlHost}:${port}` };
}
