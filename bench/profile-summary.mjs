/**
 * `node bench/profile-summary.mjs PROFILE.cpuprofile [top=40] [inclusiveTop=0] [skipSeconds=0]`:
 * the functions of a V8 CPU profile by self time (and by inclusive time), as percentages of
 * the non-idle samples after the first `skipSeconds` (to leave start-up out).
 */
import { readFileSync } from 'node:fs';

const [file, topArg = '40', inclArg = '0', skipArg = '0'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*?\/(src|node_modules|gen|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const skipUs = Number(skipArg) * 1e6;
const time = new Map();
let t = prof.startTime;
let total = 0;
prof.samples.forEach((id, i) => {
  t += prof.timeDeltas[i] ?? 0;
  if (t - prof.startTime < skipUs) return;
  if (byId.get(id).callFrame.functionName === '(idle)') return;
  const d = prof.timeDeltas[i] ?? 0;
  time.set(id, (time.get(id) ?? 0) + d);
  total += d;
});
const self = new Map();
const incl = new Map();
for (const [id, d] of time) {
  const k = label(byId.get(id));
  self.set(k, (self.get(k) ?? 0) + d);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = label(byId.get(cur));
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + d);
  }
}
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, d]) => `${((100 * d) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`non-idle ${(total / 1e6).toFixed(1)} s\nSELF\n${top(self, Number(topArg))}`);
if (Number(inclArg) > 0) console.log(`\nINCLUSIVE\n${top(incl, Number(inclArg))}`);
