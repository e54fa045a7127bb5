// The passwords a first `--demo` start prints once, by username (admin, agents and directory users).

/** Parses lines like `  agent           alice      <password>   (staffs Help Desk 1)`. */
export function demoCredentials(output: string): Map<string, string> {
  const found = new Map<string, string>();
  const line = /^ {2}(?:admin|agent|directory user) +(\S+) +(\S+) +\(/gm;
  for (const [, username, password] of output.matchAll(line)) {
    if (username && password) found.set(username, password);
  }
  return found;
}

/** The password printed for `username`; throws when the output has none. */
export function demoPassword(credentials: Map<string, string>, username: string): string {
  const password = credentials.get(username);
  if (password === undefined) throw new Error(`the demo start printed no password for ${username}`);
  return password;
}
