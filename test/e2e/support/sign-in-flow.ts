// Helpers for driving the end-user sign-in in a real browser while an agent works the request over the socket API.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshot, seriousA11yViolations } from './browser';

export { claimAndVerify, issueCode, requestIdOf } from './agent-desk';

/** Screenshots the page and fails on any serious or critical axe-core violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await seriousA11yViolations(page);
  expect(violations, `accessibility of ${name}`).toEqual([]);
}

/** The reference code shown on the request page. */
export async function referenceCode(page: Page): Promise<string> {
  const code = await page
    .getByText(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/)
    .first()
    .textContent();
  if (!code) throw new Error('no reference code on the page');
  return code.trim();
}

/** The passcode as a person types it when it is read out in groups. */
export function spoken(otp: string): string {
  return otp.length === 8
    ? `${otp.slice(0, 4)} ${otp.slice(4)}`
    : otp.replace(/(\d{3})(?=\d)/g, '$1-');
}

/** From the start page: type the username (and the password where asked) and continue. */
export async function identify(page: Page, username: string, password?: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  if (password !== undefined) await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** From the method page: choose a desk, send the request, and return the reference code shown. */
export async function sendRequest(page: Page, deskName: string): Promise<string> {
  await page.getByRole('radio', { name: new RegExp(deskName) }).check();
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect
    .poll(() => page.getByRole('heading', { level: 1 }).textContent())
    .toBe(`Call or email ${deskName}`);
  return referenceCode(page);
}
