// Generates ECS process and network events as NDJSON (time-ordered) for the engine bench.
// Usage: npx tsx bench/gen-events.ts [count=1000000] [out=bench/.data/engine-events.ndjson]
// Deterministic (seeded), about 0.5 KB per event, so 1,000,000 events is about 0.5 GB.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const count = Number(process.argv[2] ?? 1_000_000);
const out = process.argv[3] ?? 'bench/.data/engine-events.ndjson';

let seed = 0x2f6b1d;
const rand = () => {
  // xorshift32: fast and reproducible.
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const hexId = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

const HOSTS = Array.from({ length: 5000 }, (_, i) => ({ id: hexId(32), name: `host-${String(i).padStart(4, '0')}`, linux: i % 3 !== 0 }));
const USERS = ['root', 'www-data', 'postgres', 'jdoe', 'asmith', 'svc_backup', 'deploy', 'SYSTEM', 'Administrator'];
const LINUX = [
  { name: 'bash', exe: '/usr/bin/bash', args: ['bash', '-c', 'ls -la /var/log'] },
  { name: 'curl', exe: '/usr/bin/curl', args: ['curl', '-s', 'https://repo.example.com/pkg/index.json'] },
  { name: 'wget', exe: '/usr/bin/wget', args: ['wget', '-q', '-O', '/tmp/update.tar.gz', 'https://mirror.example.org/update.tar.gz'] },
  { name: 'python3', exe: '/usr/bin/python3', args: ['python3', '/opt/app/worker.py', '--queue', 'default'] },
  { name: 'sshd', exe: '/usr/sbin/sshd', args: ['sshd', '-D'] },
  { name: 'systemctl', exe: '/usr/bin/systemctl', args: ['systemctl', 'restart', 'nginx'] },
  { name: 'x7', exe: '/tmp/x7', args: ['/tmp/x7', '--connect'] },
  { name: 'kubectl', exe: '/usr/local/bin/kubectl', args: ['kubectl', 'get', 'pods', '-n', 'kube-system'] },
] as const;
const WINDOWS = [
  { name: 'svchost.exe', exe: 'C:\\Windows\\System32\\svchost.exe', args: ['svchost.exe', '-k', 'netsvcs', '-p'] },
  { name: 'powershell.exe', exe: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', args: ['powershell.exe', '-NoProfile', '-ExecutionPolicy', 'Bypass', '-Command', 'Get-Service'] },
  { name: 'powershell.exe', exe: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', args: ['powershell.exe', '-enc', 'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA='] },
  { name: 'cmd.exe', exe: 'C:\\Windows\\System32\\cmd.exe', args: ['cmd.exe', '/c', 'whoami /all'] },
  { name: 'rundll32.exe', exe: 'C:\\Windows\\System32\\rundll32.exe', args: ['rundll32.exe', 'C:\\Users\\Public\\lib64.dll,Start'] },
  { name: 'chrome.exe', exe: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', args: ['chrome.exe', '--type=renderer'] },
] as const;
const PORTS = [443, 443, 443, 80, 53, 22, 8080, 4444, 5432];

mkdirSync(dirname(out), { recursive: true });
const w = createWriteStream(out, { highWaterMark: 1 << 22 });
let t = Date.parse('2026-11-20T00:00:00Z');
let buf = '';
let written = 0;

async function main() {
  for (let i = 0; i < count; i++) {
    t += int(0, 40); // about 40 events a second, strictly non-decreasing
    const host = pick(HOSTS);
    const user = pick(USERS);
    const p = host.linux ? pick(LINUX) : pick(WINDOWS);
    const pid = int(300, 65000);
    const base = {
      '@timestamp': new Date(t).toISOString(),
      host: { id: host.id, name: host.name, os: { type: host.linux ? 'linux' : 'windows', family: host.linux ? 'debian' : 'windows' } },
      user: { name: user },
    };
    let ev: Record<string, unknown>;
    if (rand() < 0.6) {
      ev = {
        ...base,
        event: { category: ['process'], type: ['start'], action: 'exec', id: hexId(12) },
        process: {
          pid,
          entity_id: hexId(16),
          name: p.name,
          executable: p.exe,
          args: p.args,
          command_line: p.args.join(' '),
          parent: { pid: int(1, 65000), name: host.linux ? 'bash' : 'explorer.exe', entity_id: hexId(16) },
        },
      };
    } else {
      const port = pick(PORTS);
      ev = {
        ...base,
        event: { category: ['network'], type: ['start'], action: 'connection_attempted', id: hexId(12) },
        network: { direction: rand() < 0.8 ? 'egress' : 'ingress', transport: 'tcp', type: 'ipv4' },
        process: { pid, name: p.name, executable: p.exe, entity_id: hexId(16) },
        source: { ip: `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`, port: int(1024, 65535) },
        destination: { ip: rand() < 0.5 ? `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}` : `${int(11, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`, port },
      };
    }
    buf += JSON.stringify(ev) + '\n';
    if (buf.length > 1 << 20) {
      written += buf.length;
      if (!w.write(buf)) await new Promise<void>((r) => w.once('drain', () => r()));
      buf = '';
    }
  }
  written += buf.length;
  w.end(buf);
  await new Promise<void>((r) => w.once('finish', () => r()));
  process.stdout.write(`wrote ${count} events, ${(written / 1e6).toFixed(0)} MB to ${out}\n`);
}

void main();
