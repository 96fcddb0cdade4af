// The bundled server (dist/server.js --stdio) driven over the protocol, as an editor would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DidChangeTextDocumentNotification, type CodeAction, type CompletionItem, type CompletionList, type DocumentSymbol, type MarkupContent, type SemanticTokens } from 'vscode-languageserver-protocol';
import { FIXTURES, hoverText, positionOf, RULE, ruleText, SEQ, startServer, uriOf, type Client } from './client';

let c: Client;
before(async () => {
  c = await startServer();
});
after(async () => {
  await c?.close();
});

const completeAt = async (uri: string, position: { line: number; character: number }) => {
  const r = (await c.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position })) as CompletionList | CompletionItem[] | null;
  return Array.isArray(r) ? r : (r?.items ?? []);
};

describe('lifecycle and diagnostics', () => {
  test('initialize announces the features', () => {
    const caps = c.init.capabilities;
    assert.equal(typeof caps.textDocumentSync === 'object' && caps.textDocumentSync.change, 2, 'incremental sync');
    assert.ok(caps.hoverProvider);
    assert.ok(caps.completionProvider?.resolveProvider);
    assert.ok(caps.codeLensProvider?.resolveProvider);
    assert.ok(caps.semanticTokensProvider);
    assert.ok(caps.documentSymbolProvider);
    assert.deepEqual(caps.executeCommandProvider?.commands, ['eqlRules.server.run', 'eqlRules.server.reindex']);
  });

  test('the workspace is indexed in the background: diagnostics for rules that are not open', async () => {
    const n = (await c.conn.sendRequest('eqlRules/indexed')) as number;
    assert.ok(n >= 3, `indexed ${n}`);
    const seq = c.latest.get(uriOf(SEQ));
    assert.ok(seq, 'diagnostics were published for a rule nobody opened');
    assert.deepEqual(seq.diagnostics, [], 'the sequence rule is clean');
    assert.equal(c.latest.get(uriOf(join(FIXTURES, 'rules/pyproject.toml'))), undefined, 'a TOML file without [rule] is left alone');
    const broken = c.latest.get(uriOf(RULE));
    assert.ok(broken?.diagnostics.some((d) => d.code === 'rule/severity-risk-mismatch'));
  });

  test('open publishes at once; the misspelled field and the severity mismatch are reported', async () => {
    const wait = c.diagnostics(uriOf(RULE));
    const t0 = Date.now();
    await c.open(RULE);
    const diags = await wait;
    assert.ok(Date.now() - t0 < 2000);
    const unknown = diags.find((d) => d.code === 'eql/unknown-field');
    assert.ok(unknown, JSON.stringify(diags));
    assert.deepEqual(unknown.range.start, positionOf(ruleText, 'process.nmae'));
    assert.equal(ruleText.split('\n')[unknown.range.end.line].slice(unknown.range.start.character, unknown.range.end.character), 'process.nmae');
    const sev = diags.find((d) => d.code === 'rule/severity-risk-mismatch');
    assert.ok(sev);
    assert.equal(sev.range.start.line, positionOf(ruleText, 'severity').line);
  });

  test('changes are debounced, then published for the new version', async () => {
    const uri = uriOf(RULE);
    const fixed = ruleText.replace('process.nmae', 'process.name').replace('risk_score = 47', 'risk_score = 73');
    const wait = c.diagnostics(uri);
    const t0 = Date.now();
    c.change(uri, 2, fixed);
    const diags = await wait;
    const waited = Date.now() - t0;
    assert.ok(waited >= 140, `published after ${waited} ms: the debounce holds typing back`);
    assert.deepEqual(diags, []);
    assert.equal(c.latest.get(uri)?.version, 2);
    // Two quick edits publish once, for the last one.
    const again = c.diagnostics(uri);
    c.change(uri, 3, ruleText);
    c.change(uri, 4, ruleText.replace('risk_score = 47', 'risk_score = 50'));
    const d4 = await again;
    assert.equal(c.latest.get(uri)?.version, 4);
    assert.ok(d4.some((d) => d.code === 'eql/unknown-field'));
    assert.ok(!d4.some((d) => d.code === 'rule/severity-risk-mismatch'));
    c.change(uri, 5, ruleText);
    await c.diagnostics(uri);
  });

  test('save publishes at once, without waiting for the debounce', async () => {
    const uri = uriOf(RULE);
    c.change(uri, 20, ruleText.replace('risk_score = 47', 'risk_score = 48'));
    const wait = c.diagnostics(uri);
    const t0 = Date.now();
    await c.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
    const diags = await wait;
    assert.ok(Date.now() - t0 < 150, `published ${Date.now() - t0} ms after the save`);
    assert.equal(c.latest.get(uri)?.version, 20);
    assert.ok(!diags.some((d) => d.code === 'rule/severity-risk-mismatch'));
    c.change(uri, 21, ruleText);
    await c.diagnostics(uri);
  });

  test('incremental edits (ranges) are applied', async () => {
    const path = join(FIXTURES, 'rules/incremental.toml');
    const uri = uriOf(path);
    const first = c.diagnostics(uri);
    await c.open(path, ruleText);
    assert.ok((await first).some((d) => d.code === 'eql/unknown-field'));
    const start = positionOf(ruleText, 'process.nmae', 'process.'.length);
    const next = c.diagnostics(uri);
    await c.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start, end: { line: start.line, character: start.character + 4 } }, text: 'name' }],
    });
    const diags = await next;
    assert.ok(!diags.some((d) => d.code === 'eql/unknown-field'), JSON.stringify(diags));
    assert.ok(diags.some((d) => d.code === 'rule/severity-risk-mismatch'));
  });

  test('garbage never takes the server down', async () => {
    const garbage = [
      '[rule]\nquery = \'\'\'\nprocess where (((( and or "unterminated\n\'\'\'\n',
      '[rule]\nquery = """\\u{zz} \\',
      '[rule]\n\u0000\u0001\uffff[[[[]]]]=====\n'.repeat(50),
      '[rule]\nquery = \'\'\'sequence [[[[[[[[[[[[ by by by with maxspan=-1x\'\'\'',
      `[rule]\nquery = '''${'('.repeat(5000)}'''`,
      '[rule]\ntype = "eql"\nlanguage = "eql"\nquery = 42\n',
    ];
    for (const [i, text] of garbage.entries()) {
      const path = join(FIXTURES, `rules/garbage-${i}.toml`);
      const uri = uriOf(path);
      const wait = c.diagnostics(uri);
      await c.open(path, text);
      const diags = await wait;
      assert.ok(Array.isArray(diags));
      for (const [pos] of [[{ line: 1, character: 3 }]]) {
        await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: pos });
        await c.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: pos });
      }
      await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } });
      await c.conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } });
      await c.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
      await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, context: { diagnostics: [] } });
    }
    assert.equal(c.proc.exitCode, null, 'still running');
    assert.match(await hoverText(c, uriOf(RULE), ruleText, 'process.parent.name', 3), /process\.parent\.name/, 'and still serving');
  });
});

describe('hover', () => {
  const uri = uriOf(RULE);
  test('an ECS field: description, type, example, source and reference link', async () => {
    const t = await hoverText(c, uri, ruleText, 'process.parent.name', 4);
    assert.match(t, /\*\*process\.parent\.name\*\* `keyword`/);
    assert.match(t, /Process name/);
    assert.match(t, /Example: `ssh`/);
    assert.match(t, /Schema: ecs/i);
    assert.match(t, /ecs-process\.html#field-process-parent-name/);
  });
  test('allowed values of a field', async () => {
    const t = await hoverText(c, uri, ruleText, 'event.type', 2);
    assert.match(t, /Allowed values: .*`start`/);
  });
  test('an unknown field says so and suggests `?`', async () => {
    const t = await hoverText(c, uri, ruleText, 'process.nmae', 2);
    assert.match(t, /Not in the schemas/);
    assert.match(t, /\?process\.nmae/);
  });
  test('operators and keywords from the one table', async () => {
    assert.match(await hoverText(c, uri, ruleText, ' : (', 1), /Case-insensitive equality with `\*` and `\?` wildcards/);
    assert.match(await hoverText(c, uri, ruleText, '== "start"', 0), /Case-sensitive equality\. \*\*No wildcards\*\*/);
    assert.match(await hoverText(c, uri, ruleText, 'where', 2), /Selects events of a category/);
  });
  test('event category', async () => {
    const t = await hoverText(c, uri, ruleText, "process where", 2);
    assert.match(t, /\*\*process\*\* event category/);
  });
  test('a function: signature, ~ support, doc', async () => {
    const eql = join(FIXTURES, 'rules/lookup.eql');
    const text = readFileSync(eql, 'utf8');
    await c.open(eql);
    const t = await hoverText(c, uriOf(eql), text, 'startsWith', 3);
    assert.match(t, /startsWith\[~\]\(source, prefix\)/);
    assert.match(t, /Case-insensitive form: `startsWith~\(\.\.\.\)`/);
  });
  test('rule keys and MITRE ids in the TOML', async () => {
    assert.match(await hoverText(c, uri, ruleText, 'risk_score', 2), /low 0-21, medium 22-47, high 48-73, critical 74-100/);
    assert.match(await hoverText(c, uri, ruleText, 'from =', 1), /look-back/);
    const t = await hoverText(c, uri, ruleText, '"TA0002"', 2);
    assert.match(t, /TA0002\*\* Execution/);
    assert.match(t, /attack\.mitre\.org\/tactics\/TA0002\//);
    assert.match(await hoverText(c, uri, ruleText, '"T1059"', 2), /techniques\/T1059\//);
  });
});

describe('completion', () => {
  const path = join(FIXTURES, 'rules/completion.toml');
  const uri = uriOf(path);
  const base = ruleText.replace('process.nmae', 'process.name');
  const at = async (query: string, marker = '|') => {
    const text = base.replace(/query = '''\n[\s\S]*?'''/, `query = '''\n${query.replace(marker, '')}\n'''`);
    await c.open(path, text);
    const i = text.indexOf("query = '''\n") + "query = '''\n".length + query.indexOf(marker);
    const before = text.slice(0, i);
    return completeAt(uri, { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 });
  };
  test('fields after where/and/or/by/( with type, ranked by what sibling rules use', async () => {
    const all = await at('process where |');
    assert.ok(all.some((i) => i.label === '@timestamp'));
    const items = await at('process where process.par|');
    const f = items.find((i) => i.label === 'process.parent.name');
    assert.ok(f, 'an ECS field');
    assert.equal(f.kind, 5 /* Field */);
    assert.match(f.detail ?? '', /keyword/);
    // office_child_sequence.toml in the same folder uses event.type and host.id.
    const used = all.filter((i) => /used by/.test(i.detail ?? '')).map((i) => i.label);
    assert.ok(used.includes('event.type') && used.includes('host.id'), used.join(', '));
    const sorted = [...all].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1));
    assert.ok(/used by/.test(sorted[0].detail ?? ''), 'sibling fields rank first');
    const resolved = (await c.conn.sendRequest('completionItem/resolve', f)) as CompletionItem;
    assert.match((resolved.documentation as MarkupContent).value, /Process name/);
    for (const q of ['process where true and |', 'process where a == 1 or |', 'sequence by |', 'process where (|']) {
      assert.ok((await at(q)).some((i) => i.label === '@timestamp'), q);
    }
  });
  test('a typed prefix narrows the list', async () => {
    const items = await at('process where process.pa|');
    assert.ok(items.length > 0 && items.every((i) => i.kind !== 5 || i.label.toLowerCase().includes('process.pa')));
  });
  test('event categories at term start', async () => {
    for (const q of ['|', 'sequence by host.id\n  [|']) {
      const labels = (await at(q)).map((i) => i.label);
      assert.ok(labels.includes('process') && labels.includes('network') && labels.includes('any'), `${q}: ${labels.join(',')}`);
    }
    assert.ok((await at('|')).some((i) => i.label.startsWith('sequence by') && i.insertTextFormat === 2), 'a sequence skeleton');
  });
  test('allowed values after == and in ( on fields that have them', async () => {
    for (const q of ['process where event.type == |', 'process where event.type in (|', 'process where event.type : ("start", |']) {
      const items = await at(q);
      const start = items.find((i) => i.label === 'start');
      assert.ok(start, q);
      assert.equal(start.insertText, '"start"');
    }
    const inString = (await at('process where event.type == "st|')).find((i) => i.label === 'start');
    assert.equal(inString?.insertText, 'start', 'inside quotes the value goes in bare');
  });
  test('values are escaped for the TOML string style of the query', async () => {
    const text = base.replace(/query = '''\n[\s\S]*?'''/, 'query = "process where event.type == "');
    await c.open(path, text);
    const i = text.indexOf('event.type == ') + 'event.type == '.length;
    const before = text.slice(0, i);
    const items = await completeAt(uri, { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 });
    assert.equal(items.find((x) => x.label === 'start')?.insertText, '\\"start\\"');
  });
  test('functions as snippets with their arguments', async () => {
    const fn = (await at('process where |')).find((i) => i.label === 'startsWith');
    assert.ok(fn);
    assert.equal(fn.insertTextFormat, 2);
    assert.equal(fn.insertText, 'startsWith(${1:source}, ${2:prefix})');
    assert.match(fn.detail ?? '', /startsWith\[~\]\(source, prefix\)/);
  });
  test('keywords after an operand', async () => {
    const labels = (await at('process where process.name == "a" |')).map((i) => i.label);
    assert.ok(labels.includes('and') && labels.includes('or'));
  });
  test('rule keys and enum values in the TOML', async () => {
    const text = base.replace('severity = "high"\n', 'severity = \n').replace('license = "Elastic License v2"\n', '\n');
    await c.open(path, text);
    const sevLine = text.split('\n').findIndex((l) => l.startsWith('severity = '));
    const values = (await completeAt(uri, { line: sevLine, character: 'severity = '.length })).map((i) => i.label);
    assert.deepEqual(values, ['low', 'medium', 'high', 'critical']);
    const blank = text.split('\n').findIndex((l, i) => l === '' && i > 7);
    const keys = (await completeAt(uri, { line: blank, character: 0 })).map((i) => i.label);
    assert.ok(keys.includes('license') && keys.includes('timestamp_field'), keys.join(','));
    assert.ok(!keys.includes('severity') && !keys.includes('name'), 'keys already present are not offered');
  });
});

describe('code actions, lenses, tokens, symbols', () => {
  test('quick fixes from the diagnostics: did-you-mean, severity, make optional', async () => {
    const path = join(FIXTURES, 'rules/actions.toml');
    const uri = uriOf(path);
    const wait = c.diagnostics(uri);
    await c.open(path, ruleText);
    const diags = await wait;
    const actions = (await c.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } },
      context: { diagnostics: diags },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    const rename = actions.find((a) => a.edit?.changes?.[uri]?.some((e) => e.newText === 'process.name'));
    assert.ok(rename, titles.join(' | '));
    assert.equal(rename.kind, 'quickfix');
    const optional = actions.find((a) => /optional/.test(a.title));
    assert.ok(optional, titles.join(' | '));
    const edit = optional.edit!.changes![uri][0];
    assert.equal(edit.newText, '?');
    assert.deepEqual(edit.range.start, positionOf(ruleText, 'process.nmae'));
    assert.ok(actions.some((a) => a.edit?.changes?.[uri]?.some((e) => /medium|73|48/.test(e.newText))), `a severity/risk fix: ${titles.join(' | ')}`);
  });

  test('operators: == with a wildcard and a bare = get fixes', async () => {
    const path = join(FIXTURES, 'rules/actions2.toml');
    const uri = uriOf(path);
    const text = ruleText.replace('process.nmae : ("cmd.exe", "powershell.exe")', 'process.name == "cmd*" and process.pid = 4');
    const wait = c.diagnostics(uri);
    await c.open(path, text);
    const diags = await wait;
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 19, character: 0 }, end: { line: 24, character: 0 } }, context: { diagnostics: diags } })) as CodeAction[];
    const edits = actions.flatMap((a) => a.edit?.changes?.[uri] ?? []).map((e) => e.newText);
    assert.ok(edits.includes(':') || edits.includes('like'), `== "cmd*": ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(edits.includes('=='), `= -> ==: ${actions.map((a) => a.title).join(' | ')}`);
  });

  test('semantic tokens for the EQL inside the TOML string', async () => {
    const uri = uriOf(SEQ);
    const text = readFileSync(SEQ, 'utf8');
    await c.open(SEQ);
    const tokens = (await c.conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } })) as SemanticTokens;
    const types = (c.init.capabilities.semanticTokensProvider as { legend: { tokenTypes: string[] } }).legend.tokenTypes;
    const decoded: { line: number; char: number; text: string; type: string }[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      line += tokens.data[i];
      char = tokens.data[i] ? tokens.data[i + 1] : char + tokens.data[i + 1];
      decoded.push({ line, char, text: text.split('\n')[line].slice(char, char + tokens.data[i + 2]), type: types[tokens.data[i + 3]] });
    }
    const find = (t: string) => decoded.find((d) => d.text === t);
    assert.equal(find('host.id')?.type, 'property');
    assert.equal(find('process.parent.name')?.type, 'property');
    assert.equal(find('network')?.type, 'enumMember');
    assert.equal(find('"winword.exe"')?.type, 'string');
    assert.equal(find('sequence')?.type, 'keyword');
    assert.equal(find('where')?.type, 'keyword');
    assert.equal(find(':')?.type, 'operator');
    assert.ok(decoded.every((d) => d.line > positionOf(text, "query = '''").line), 'only inside the query');
  });

  test('document symbols: the rule, its query and its threat entries', async () => {
    const symbols = (await c.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uriOf(RULE) } })) as DocumentSymbol[];
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0].name, 'Shell Spawned by Office');
    const names = symbols[0].children!.map((s) => s.name);
    assert.ok(names.includes('query'));
    const threat = symbols[0].children!.find((s) => s.name.startsWith('threat:'));
    assert.equal(threat?.name, 'threat: TA0002 Execution');
    assert.equal(threat?.children?.[0].name, 'T1059 Command and Scripting Interpreter');
  });
});

test('shutdown then exit ends the server process', async () => {
  const other = await startServer({ root: null });
  const exited = new Promise<number | null>((r) => other.proc.once('exit', (code) => r(code)));
  await other.conn.sendRequest('shutdown');
  await other.conn.sendNotification('exit');
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 5000))]);
  assert.equal(code, 0);
  await other.close();
});

