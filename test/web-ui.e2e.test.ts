/**
 * The web UI in a real browser: Debian's Chromium driven by playwright-core, against `deckhand serve` as a real
 * process (the URL it prints), the real crm and email servers, and the OpenAI wire fake streaming word by word.
 * Skipped, with the reason, where /usr/bin/chromium is missing (`.ci/run` installs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type OpenAIChatRequest, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { CLI, cliEnv, freshWorkspace, REPO_ROOT } from './helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';
/** Polls for conditions: the machine is shared, so be patient (no wall-clock assertions). */
const POLL = { timeout: 60_000, interval: 100 };
const FIRST_TEXT = 'I will look up the email address of the customer on order XYZ-789 first.';

const SCRIPT: FakeTurn[] = [
  { text: FIRST_TEXT, toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }], usage: { inputTokens: 1_200, outputTokens: 40 } },
  {
    text: 'Now I will send the shipping confirmation.',
    toolCalls: [{ name: 'email__sendShippingConfirmation', args: { email: 'lisa.park@example.com', order_details: 'Order XYZ-789 has shipped.' } }],
    usage: { inputTokens: 1_500, outputTokens: 50 },
  },
  { text: 'Sent the shipping confirmation for order **XYZ-789** to lisa.park@example.com.', usage: { inputTokens: 1_800, outputTokens: 30 } },
];

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts `deckhand serve` and resolves with the URL it prints (with the token) once it listens. */
function serve(ws: { home: string; cwd: string }, fake: FakeProvider<OpenAIChatRequest>, port: number): Promise<{ url: string; child: ChildProcess }> {
  const env = cliEnv(ws.home, { DECKHAND_MODEL: 'openai:gpt-4.1-mini', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` });
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], { cwd: ws.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  cleanups.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Open (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ url: match[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`deckhand serve exited ${code}: ${stderr}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The browser with a fresh profile; console errors and page errors are collected for the final check. */
async function openBrowser(): Promise<{ context: BrowserContext; errors: string[] }> {
  const profile = mkdtempSync(join(tmpdir(), 'deckhand-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 860 } });
  cleanups.push(() => context.close());
  return { context, errors: [] };
}

function watch(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
}

describe.skipIf(!existsSync(CHROMIUM))('the web UI in Chromium', () => {
  it('streams a task, survives a reload and a server restart mid-approval, approves, and shows tool cards and usage', async () => {
    const fake = await startOpenAIFake(SCRIPT);
    cleanups.push(() => fake.close());
    const { home, cwd } = freshWorkspace();
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['crm', 'email'], budget: { usd: 0.01 } }));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    let server = await serve({ home, cwd }, fake, port);

    const { context, errors } = await openBrowser();
    // The machine's cores are shared: give the browser time rather than assert speed.
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    watch(page, errors);
    // The text deltas the page receives on /ws/chat, to see the answer arrive in pieces rather than at the end.
    const deltas: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; text?: string; step?: number };
        if (frame.type === 'text-delta' && frame.step === 1) deltas.push(frame.text ?? '');
      });
    });

    await page.goto(server.url);
    // The token went into an HttpOnly cookie and out of the address bar.
    await page.waitForFunction("!window.location.search.includes('token')");
    expect(await page.evaluate('document.cookie')).not.toContain('deckhand_token');

    await page.locator('#task').fill(TASK);
    await page.locator('#task').press('Enter');
    await expect.poll(() => page.getByTestId('user-message').first().textContent(), POLL).toBe(TASK);
    await expect.poll(() => page.getByTestId('assistant-message').first().textContent(), POLL).toBe(FIRST_TEXT);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(FIRST_TEXT);

    const approval = page.getByTestId('approval-card');
    await approval.waitFor();
    expect(await approval.textContent()).toContain('email.sendShippingConfirmation');
    expect(await approval.textContent()).toContain('lisa.park@example.com');
    const lookup = page.getByTestId('tool-card').filter({ hasText: 'crm.getCustomerEmail' });
    expect(await lookup.textContent()).toContain('done');
    const meter = page.getByTestId('usage-meter');
    await expect.poll(() => meter.textContent(), POLL).toContain('2,790 tokens');

    // A second tab on the same session sees the decision made in the first.
    const sessionUrl = page.url();
    const otherTab = await context.newPage();
    watch(otherTab, errors);
    await otherTab.goto(sessionUrl);
    await otherTab.getByTestId('approval-card').waitFor();

    // Mid-approval: the page reloads, and the server restarts; the pending approval is a stored row, not page state.
    await page.reload();
    await page.getByTestId('approval-card').waitFor();
    expect(await page.getByTestId('approval-status').textContent()).toBe('pending');
    const beforeRestart = errors.length;
    await stop(server.child);
    server = await serve({ home, cwd }, fake, port);
    await page.reload();
    await otherTab.getByTestId('approval-card').waitFor();
    // While the server stopped (503 while closing) and was down, Chromium logged the refused requests and reconnects of the two tabs; nothing else may fail.
    const duringRestart = errors.splice(beforeRestart);
    expect(duringRestart.filter((error) => !/net::ERR_CONNECTION_(REFUSED|RESET)|status of 503/.test(error))).toEqual([]);
    await page.getByTestId('approval-card').waitFor();
    expect(await page.getByTestId('approval-status').textContent()).toBe('pending');

    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const answer = page.getByTestId('assistant-message').last();
    await expect.poll(() => answer.textContent(), POLL).toBe('Sent the shipping confirmation for order XYZ-789 to lisa.park@example.com.');
    expect(await answer.locator('strong').textContent()).toBe('XYZ-789');
    expect(await page.getByTestId('approval-status').textContent()).toBe('approved');
    const send = page.getByTestId('tool-card').filter({ hasText: 'email.sendShippingConfirmation' });
    await expect.poll(() => send.textContent(), POLL).toContain('done');
    await expect.poll(() => meter.textContent(), POLL).toContain('4,620 tokens');
    await expect.poll(() => otherTab.getByTestId('approval-status').textContent(), POLL).toBe('approved');

    expect(await meter.textContent()).toContain('/ $0.01');
    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'web-chat.png') });

    // Tool cards expand to their arguments and result, from the keyboard.
    await send.locator('button').focus();
    await page.keyboard.press('Enter');
    expect(await send.textContent()).toContain('Arguments');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate("document.documentElement.dataset.theme = 'dark'");
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'web-chat-phone-dark.png') });

    // The panels: servers with their tools, usage with its chart.
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: 'Servers' }).click();
    await expect.poll(() => page.locator('.panel').textContent(), POLL).toContain('getCustomerEmail');
    await page.getByRole('button', { name: 'Usage' }).click();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'web-usage.png') });
    expect(await page.locator('table').textContent()).toContain('openai:gpt-4.1-mini');

    expect(errors).toEqual([]);
    await stop(server.child);
  }, 300_000);
});
