import { describe, expect, it } from 'vitest';
import { serverAddress } from '../../../scripts/server-address.mjs';

describe('serverAddress', () => {
  it('defaults to loopback port 3000', () => {
    expect(serverAddress([], {})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      url: 'http://127.0.0.1:3000',
    });
  });

  it('reads --host and --port in both spellings, before HOST and PORT', () => {
    expect(serverAddress(['--port', '4000', '--host=localhost'], { PORT: '5000' }).url).toBe(
      'http://localhost:4000',
    );
    expect(serverAddress(['--data-dir', './data'], { HOST: '10.0.0.5', PORT: '5000' }).url).toBe(
      'http://10.0.0.5:5000',
    );
  });

  it('reaches a wildcard listen address through loopback', () => {
    expect(serverAddress(['--host', '0.0.0.0'], {}).url).toBe('http://127.0.0.1:3000');
    expect(serverAddress(['--host', '::'], {}).url).toBe('http://[::1]:3000');
  });

  it('refuses a port it could not poll', () => {
    expect(() => serverAddress(['--port', '0'], {})).toThrow(/fixed port/);
    expect(() => serverAddress(['--port=http'], {})).toThrow(/fixed port/);
  });
});
