// The packaged extension in a real VS Code workbench: code-server 4.100.3 (VS Code 1.100.3)
// driven by Debian's Chromium through playwright-core. Reads what a person sees: squiggles,
// the Problems panel, hover text, the suggest widget, code lenses and the results view.
// Screenshots of every step land in test-results/ (on failure too).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, ROOT, cleanup, ensureCodeServer, grepFiles, missing, packageVsix, RESULTS, startCodeServer, tempDir, waitFor, workspaceCopy, type CodeServer } from './harness';

let skip: string | undefined;
if (!CHROMIUM) skip = missing('chromium', 'apt-get install -y chromium');
else if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('.e2e/code-server/.done')) skip = missing('libkrb5-dev', 'apt-get install -y libkrb5-dev, needed to install code-server');

let server: CodeServer | undefined;
const servers: CodeServer[] = [];
let browser: Browser | undefined;
let page: Page | undefined;
let work: string | undefined;
let vsix: string;
let workspace: string;
let shot = 0;
const workspaces: string[] = [];
let prefix = 'vscode';

async function screenshot(name: string): Promise<void> {
  if (!page) return;
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${prefix}-${String(++shot).padStart(2, '0')}-${name}.png`) }).catch(() => {});
}

/** A code-server of its own and a fresh page for one test. */
async function session(name: string, extra: Parameters<typeof startCodeServer>[2] = {}): Promise<Page> {
  prefix = name;
  shot = 0;
  workspace = workspaceCopy();
  workspaces.push(workspace);
  server = await startCodeServer(vsix, workspace, extra);
  servers.push(server);
  const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  return page;
}

async function openRule(p: Page): Promise<void> {
  await p.goto(`${server!.url}/?folder=${encodeURIComponent(workspace)}`);
  await p.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await p.waitForTimeout(1500);
  await p.keyboard.press('Control+P');
  await p.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await p.keyboard.type('suspicious_cmd.toml');
  await waitFor('quick open result', async () => ((await p.locator('.quick-input-list .monaco-list-row').count()) > 0 ? true : undefined), 15_000);
  await p.keyboard.press('Enter');
  await waitFor('the rule in an editor', async () => ((await activeEditorText()).includes('Shell Spawned by Office') ? true : undefined), 20_000);
}

/** The rendered colour of the first token whose text is exactly `text`. */
async function tokenColor(p: Page, text: string): Promise<string> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const span = p.locator('.editor-group-container.active .view-line span span').filter({ hasText: new RegExp(`^[\\s\u00a0]*${escaped}[\\s\u00a0]*$`) }).first();
  // Runs in the page, where the DOM exists (this project's TypeScript has no DOM types).
  return span.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color, undefined, { timeout: 10_000 });
}

/** Runs one step; a failure leaves a screenshot named after the step. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    const v = await fn();
    await screenshot(name);
    return v;
  } catch (e) {
    await screenshot(`FAILED-${name}`);
    throw e;
  }
}

const norm = (s: string) => s.replace(/\u00a0/g, ' ');

async function goto(line: number, col: number): Promise<void> {
  await page!.keyboard.press('Control+G');
  await page!.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page!.keyboard.type(`${line}:${col}`);
  await page!.keyboard.press('Enter');
  await page!.waitForTimeout(300);
}

async function activeEditorText(): Promise<string> {
  return norm(await page!.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText());
}

before(async () => {
  if (skip) return;
  ensureCodeServer();
  work = tempDir('vscode');
  vsix = packageVsix(work);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  for (const [i, s] of servers.entries()) {
    // Activation time for bench/lsp.ts: the client logs it to its output channel's log file.
    const hits = i === 0 ? grepFiles(s.home, /eql-rules activated in \d+ ms/) : [];
    if (hits.length) {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, 'activation.json'), JSON.stringify({ ms: Number(/(\d+) ms/.exec(hits[0])![1]), at: new Date().toISOString() }));
    }
    await s.stop();
    cleanup(s.home);
  }
  cleanup(work);
  for (const d of workspaces) cleanup(join(d, '..'));
});

test('a rule file in code-server: squiggle, Problems, hover, completion, quick fix, run on samples, results view', { skip, timeout: 300_000 }, async () => {
  const p = await session('vscode');
  await step('open-rule', async () => {
    await openRule(p);
    // Our TOML grammar and the EQL injection colour the file (it would be plain text otherwise).
    const mode = await p.locator('.statusbar-item[id="status.editor.mode"]').innerText();
    assert.match(mode, /TOML/i, `language mode shown: ${mode}`);
    assert.notEqual(await tokenColor(p, 'where'), await tokenColor(p, '"eql"'), 'EQL inside the string is not coloured as a string');
  });

  await step('squiggle', async () => {
    await goto(23, 5);
    await waitFor('an error squiggle', async () => ((await p.locator('.squiggly-error').count()) > 0 ? true : undefined), 60_000);
  });

  const problems = await step('problems', async () => {
    await p.keyboard.press('Control+Shift+M');
    return waitFor(
      'the unknown field in Problems',
      async () => {
        const t = norm(await p.locator('.markers-panel').innerText());
        return /process\.nmae/.test(t) ? t : undefined;
      },
      30_000,
    );
  });
  assert.match(problems, /process\.nmae/);
  assert.match(problems, /risk score/i, 'the severity/risk_score mismatch is listed too');

  await step('hover', async () => {
    await p.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await goto(22, 12); // inside process.parent.name
    await p.keyboard.press('Control+K');
    await p.keyboard.press('Control+I');
    const text = await waitFor(
      'the field hover',
      async () => {
        const h = p.locator('.monaco-hover:visible');
        if ((await h.count()) === 0) return undefined;
        const t = norm(await h.first().innerText());
        return t.includes('process.parent.name') ? t : undefined;
      },
      20_000,
    );
    assert.match(text, /Process name/, 'the ECS description');
    assert.match(text, /keyword/);
  });

  await step('quick-fix', async () => {
    await p.keyboard.press('Escape');
    await goto(23, 12); // inside process.nmae
    await p.keyboard.press('Control+.');
    // The did-you-mean fix is the preferred one, first in the menu.
    await p.getByText('Change to `process.name`').first().waitFor({ state: 'visible', timeout: 20_000 });
    await p.keyboard.press('Enter');
    await waitFor('the fixed field', async () => ((await activeEditorText()).includes('process.name : ("cmd.exe"') ? true : undefined), 10_000);
  });

  await step('completion', async () => {
    await goto(23, 1);
    await p.keyboard.press('End');
    await p.keyboard.type(' and user.na');
    await p.keyboard.press('Control+Space');
    const row = p.locator('.suggest-widget .monaco-list-row', { hasText: 'user.name' }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await p.keyboard.press('Enter');
    await waitFor('the accepted field', async () => ((await activeEditorText()).includes('and user.name') ? true : undefined), 10_000);
    await p.keyboard.press('Escape');
    // Undo the completion (several undo stops) so the query matches the sample events again.
    await waitFor(
      'the query as before the completion',
      async () => {
        if (!(await activeEditorText()).includes('"powershell.exe") and')) return true;
        await p.keyboard.press('Control+Z');
        return undefined;
      },
      10_000,
    );
    await p.keyboard.press('Control+S');
  });

  await step('run-on-samples', async () => {
    await goto(19, 1);
    const run = p.locator('.codelens-decoration a', { hasText: 'Run on samples' }).first();
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await run.innerText(), /1 event file/);
    await run.click();
    const lens = p.locator('.codelens-decoration a', { hasText: /match/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(norm(await lens.innerText()), /^2 matches in 4 events, [\d,]+ ms$/);
  });

  await step('results-view', async () => {
    await p.locator('.codelens-decoration a', { hasText: /match/ }).first().click();
    const text = await waitFor(
      'the results view',
      async () => {
        const t = await activeEditorText();
        return t.includes('Event files') ? t : undefined;
      },
      20_000,
    );
    assert.match(text, /Shell Spawned by Office/);
    assert.match(text, /2 matches in 4 events/);
    assert.match(text, /cmd\.exe/);
    assert.match(text, /office\.ndjson:1\b/, 'each event links to its file and line');
    assert.match(text, /office\.ndjson:3\b/);
    // The `file:line` references are live links (our DocumentLinkProvider).
    await waitFor('links in the results view', async () => ((await p.locator('.editor-group-container.active .detected-link').count()) >= 2 ? true : undefined), 10_000);
  });
});

test('beside another TOML extension (its own `toml` language and source.toml grammar), EQL is still injected and checked', { skip, timeout: 240_000 }, async () => {
  // Stands in for Even Better TOML, which cannot be downloaded here: same language id and scope.
  const other = join(tempDir('other-toml'), 'ext');
  mkdirSync(other, { recursive: true });
  const grammar = JSON.parse(readFileSync(join(ROOT, 'syntaxes/toml.tmLanguage.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(other, 'toml.tmLanguage.json'), JSON.stringify({ ...grammar, name: 'Other TOML', scopeName: 'source.toml' }));
  writeFileSync(
    join(other, 'package.json'),
    JSON.stringify({
      name: 'other-toml',
      publisher: 'test',
      version: '1.0.0',
      engines: { vscode: '^1.60.0' },
      contributes: {
        languages: [{ id: 'toml', aliases: ['TOML'], extensions: ['.toml'] }],
        grammars: [{ language: 'toml', scopeName: 'source.toml', path: './toml.tmLanguage.json' }],
      },
    }),
  );
  // Semantic highlighting off: the colours seen come from the TextMate grammars alone.
  const p = await session('vscode-other-toml', { unpacked: [other], settings: { 'editor.semanticHighlighting.enabled': false } });
  workspaces.push(other); // cleaned up with its parent temp dir, like the workspaces
  await step('open-rule', async () => {
    await openRule(p);
    assert.notEqual(await tokenColor(p, 'where'), await tokenColor(p, '"eql"'), 'the injection applies to the other grammar too');
    assert.notEqual(await tokenColor(p, 'process.parent.name'), await tokenColor(p, '"eql"'));
  });
  await step('squiggle', async () => {
    await goto(23, 5);
    await waitFor('a diagnostic squiggle', async () => ((await p.locator('.squiggly-warning, .squiggly-error').count()) > 0 ? true : undefined), 60_000);
    await p.keyboard.press('Control+Shift+M');
    await waitFor('the unknown field in Problems', async () => (/process\.nmae/.test(norm(await p.locator('.markers-panel').innerText())) ? true : undefined), 30_000);
  });
  await step('palette-run', async () => {
    // The command palette path: the query under the cursor runs on the samples.
    await p.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await goto(22, 5);
    await p.keyboard.press('F1');
    await p.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await p.keyboard.type('EQL Rules: Run Query on Samples');
    await p.locator('.quick-input-list .monaco-list-row', { hasText: 'Run Query on Samples' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await p.keyboard.press('Enter');
    await goto(19, 1);
    const lens = p.locator('.codelens-decoration a', { hasText: /match/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 });
    // `process.nmae` is unknown, so nothing matches: the run used the text as it is.
    assert.match(norm(await lens.innerText()), /^0 matches in 4 events, [\d,]+ ms$/);
  });
});
