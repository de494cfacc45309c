// A stand-in for web/pkg/raft_wasm.js with the same API, used only to develop the page while
// the Rust simulator is not built (scripts/fake-wasm.sh copies it into web/pkg). It runs a toy
// Raft (elections, replication, partitions, crashes, client puts) that is good enough to draw,
// and it is not the real thing: its trace hash means nothing.

export default async function init() {}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DURATION = /^(\d+)(ms|s)$/;
function dur(tok) {
  const m = DURATION.exec(tok || '');
  if (!m) return null;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

export class Playground {
  constructor(text) {
    this.settings = {
      nodes: 5, seed: 1, loss_pct: 0, duplicate_pct: 0, latency_min_ms: 10, latency_max_ms: 30,
      prevote: false, check_quorum: false, election_min_ms: 150, election_max_ms: 300, heartbeat_ms: 50,
    };
    this.lines = [];
    this.t = 0;
    this.msgs = [];
    this.nextId = 1;
    this.partition = [];
    this.cuts = [];
    this.history = [];
    this.events = [];
    this.started = false;
    const lines = String(text).split('\n');
    // Validate everything first: nothing half-applied.
    lines.forEach((l, i) => this.check(l, i + 1));
    for (const l of lines) {
      const s = l.replace(/#.*/, '').trim();
      if (!s) continue;
      const [w, a] = s.split(/\s+/);
      if (w === 'nodes') this.settings.nodes = Number(a);
      else if (w === 'seed') this.settings.seed = Number(a);
    }
    this.start();
    for (const l of lines) {
      const s = l.replace(/#.*/, '').trim();
      if (!s || /^(nodes|seed)\b/.test(s)) continue;
      this.apply(s);
    }
  }

  start() {
    this.rand = mulberry32(this.settings.seed * 2654435761);
    this.nodes = [];
    for (let i = 1; i <= this.settings.nodes; i++) {
      this.nodes.push({ id: `S${i}`, running: true, role: 'follower', term: 0, voted_for: null, log: [],
        commit_index: 0, last_applied: 0, leader_hint: null, votes: [], state: {}, next: {}, match: {},
        timer: null });
      this.resetElection(this.nodes[i - 1]);
    }
    this.started = true;
  }

  check(line, no) {
    const s = line.replace(/#.*/, '').trim();
    if (!s) return;
    const toks = s.split(/\s+/);
    const known = ['nodes', 'seed', 'run', 'crash', 'restart', 'partition', 'heal', 'cut', 'put', 'get', 'cas',
      'loss', 'duplicate', 'latency', 'prevote', 'check-quorum', 'expect', 'timeout', 'isolate', 'election-timeout', 'heartbeat'];
    if (!known.includes(toks[0])) {
      throw new Error(`line ${no}, column 1: expected a command, found "${toks[0]}"`);
    }
    const nodeTok = /^S[1-9]$/i;
    if (['crash', 'restart', 'timeout', 'isolate'].includes(toks[0]) && !(nodeTok.test(toks[1] || '') || toks[1] === 'leader')) {
      const col = s.indexOf(toks[1] || '') + 1 || s.length + 2;
      throw new Error(`line ${no}, column ${col}: expected a node name S1..S${this.settings.nodes}, found "${toks[1] || 'end of line'}"`);
    }
    if (toks[0] === 'run' && dur(toks[1]) == null) {
      throw new Error(`line ${no}, column 5: expected a duration like 150ms, found "${toks[1] || 'end of line'}"`);
    }
  }

  node(id) {
    if (id === 'leader') return this.leader();
    return this.nodes.find((n) => n.id.toLowerCase() === String(id).toLowerCase());
  }

  leader() {
    let best = null;
    for (const n of this.nodes) if (n.running && n.role === 'leader' && (!best || n.term > best.term)) best = n;
    return best;
  }

  event(text) {
    this.events.push({ time_ms: this.t, text });
    if (this.events.length > 200) this.events.shift();
  }

  record(line) {
    const m = /^run (\d+)ms$/.exec(line);
    const last = this.lines[this.lines.length - 1];
    const lm = last && /^run (\d+)ms$/.exec(last);
    if (m && lm) this.lines[this.lines.length - 1] = `run ${Number(lm[1]) + Number(m[1])}ms`;
    else this.lines.push(line);
  }

  apply(s) {
    const toks = s.split(/\s+/);
    const [w] = toks;
    switch (w) {
      case 'run': this.run(dur(toks[1])); return;
      case 'crash': { const n = this.node(toks[1]); n.running = false; n.role = 'follower'; n.votes = []; n.timer = null; n.commit_index = 0; n.last_applied = 0; n.state = {}; this.event(`${n.id} crashed`); break; }
      case 'restart': { const n = this.node(toks[1]); n.running = true; this.resetElection(n); this.event(`${n.id} restarted`); break; }
      case 'partition': {
        const groups = s.slice(10).split('|').map((g) => g.trim().split(/\s+/).filter(Boolean).map((x) => x.toUpperCase()));
        const named = new Set(groups.flat());
        const rest = this.nodes.map((n) => n.id).filter((id) => !named.has(id));
        if (rest.length) groups.push(rest);
        this.partition = groups;
        this.event(`the network splits into ${groups.map((g) => g.join(' ')).join(' | ')}`);
        break;
      }
      case 'heal': this.partition = []; this.cuts = []; this.event('the network heals'); break;
      case 'cut': {
        if (toks[2] === '->') this.cuts.push({ from: toks[1], to: toks[3] });
        else this.cuts.push({ from: toks[1], to: toks[2] }, { from: toks[2], to: toks[1] });
        break;
      }
      case 'loss': this.settings.loss_pct = parseFloat(toks[1]); break;
      case 'duplicate': this.settings.duplicate_pct = parseFloat(toks[1]); break;
      case 'latency': { const [a, b] = toks[1].split('..'); this.settings.latency_min_ms = dur(a); this.settings.latency_max_ms = dur(b); break; }
      case 'prevote': this.settings.prevote = toks[1] === 'on'; break;
      case 'check-quorum': this.settings.check_quorum = toks[1] === 'on'; break;
      case 'timeout': { const n = this.node(toks[1]); if (n && n.running) this.campaign(n); break; }
      case 'put': case 'get': case 'cas': this.client(s, toks); break;
      default: break;
    }
    this.record(s);
  }

  blocked(from, to) {
    if (this.cuts.some((c) => c.from === from && c.to === to)) return true;
    if (!this.partition.length) return false;
    const g = (id) => this.partition.findIndex((grp) => grp.includes(id));
    return g(from) !== g(to);
  }

  send(from, to, kind, fields) {
    const lat = this.settings.latency_min_ms + Math.floor(this.rand() * (this.settings.latency_max_ms - this.settings.latency_min_ms + 1));
    const m = { id: this.nextId++, from, to, kind, response: kind.endsWith('Response') || kind === 'ClientReply',
      sent_ms: this.t, deliver_ms: this.t + lat, dropped_ms: null, ...fields };
    m.summary = `${from}->${to} ${kind} term=${m.term ?? 0}`;
    if (this.rand() * 100 < this.settings.loss_pct) m.dropped_ms = this.t + Math.floor(lat / 2);
    this.msgs.push(m);
  }

  resetElection(n) {
    const { election_min_ms: a, election_max_ms: b } = this.settings;
    n.timer = { kind: 'election', started_ms: this.t, deadline_ms: this.t + a + Math.floor(this.rand() * (b - a)) };
  }

  campaign(n) {
    n.term += 1; n.role = 'candidate'; n.voted_for = n.id; n.votes = [n.id]; n.leader_hint = null;
    this.resetElection(n);
    this.event(`${n.id} timed out and starts an election for term ${n.term}`);
    const lastIndex = n.log.length; const lastTerm = lastIndex ? n.log[lastIndex - 1].term : 0;
    for (const p of this.nodes) if (p !== n) this.send(n.id, p.id, 'RequestVote', { term: n.term, lastIndex, lastTerm });
    this.maybeWin(n);
  }

  maybeWin(n) {
    if (n.role === 'candidate' && n.votes.length * 2 > this.nodes.length) {
      n.role = 'leader'; n.leader_hint = n.id;
      n.timer = { kind: 'heartbeat', started_ms: this.t, deadline_ms: this.t };
      for (const p of this.nodes) { n.next[p.id] = n.log.length + 1; n.match[p.id] = 0; }
      n.log.push({ index: n.log.length + 1, term: n.term, command: 'no-op' });
      n.match[n.id] = n.log.length;
      this.event(`${n.id} won the election for term ${n.term} with votes from ${n.votes.join(', ')}`);
      this.heartbeat(n);
      this.advanceCommit(n);
    }
  }

  heartbeat(n) {
    n.timer = { kind: 'heartbeat', started_ms: this.t, deadline_ms: this.t + this.settings.heartbeat_ms };
    for (const p of this.nodes) {
      if (p === n) continue;
      const prev = n.next[p.id] - 1;
      this.send(n.id, p.id, 'AppendEntries', { term: n.term, prev, prevTerm: prev ? n.log[prev - 1].term : 0,
        entries: n.log.slice(prev).map((e) => ({ ...e })), commit: n.commit_index });
    }
  }

  stepDown(n, term) {
    if (term > n.term) { n.term = term; n.voted_for = null; }
    if (n.role !== 'follower') { n.role = 'follower'; this.resetElection(n); }
    n.votes = [];
  }

  apply_(n) {
    while (n.last_applied < n.commit_index) {
      n.last_applied++;
      const e = n.log[n.last_applied - 1];
      const m = /^put (\S+) (\S+)$/.exec(e.command);
      if (m) n.state[m[1]] = m[2];
      if (n.role === 'leader' && e.client) {
        const h = this.history.find((x) => x.line === e.client);
        if (h && h.outcome == null) { h.outcome = 'ok'; h.completed_ms = this.t + 15; this.send(n.id, 'client', 'ClientReply', { term: n.term }); }
      }
    }
  }

  advanceCommit(n) {
    for (let i = n.log.length; i > n.commit_index; i--) {
      const count = this.nodes.filter((p) => (p === n ? n.log.length : n.match[p.id]) >= i).length;
      if (count * 2 > this.nodes.length && n.log[i - 1].term === n.term) {
        n.commit_index = i;
        for (const e of n.log.slice(0, i)) e.committed = true;
        this.apply_(n);
        break;
      }
    }
  }

  deliver(m) {
    const n = this.node(m.to);
    if (m.kind === 'ClientReply') return;
    if (!n || !n.running) return;
    if (m.kind === 'ClientRequest') {
      const l = this.leader();
      if (n.role === 'leader') {
        n.log.push({ index: n.log.length + 1, term: n.term, command: m.command, client: m.line });
        n.match[n.id] = n.log.length;
      } else if (l) {
        this.send('client', l.id, 'ClientRequest', { command: m.command, line: m.line, term: 0 });
      }
      return;
    }
    if (m.term > n.term) this.stepDown(n, m.term);
    switch (m.kind) {
      case 'RequestVote': {
        const lastIndex = n.log.length; const lastTerm = lastIndex ? n.log[lastIndex - 1].term : 0;
        const ok = m.term === n.term && (n.voted_for == null || n.voted_for === m.from) &&
          (m.lastTerm > lastTerm || (m.lastTerm === lastTerm && m.lastIndex >= lastIndex));
        if (ok) { n.voted_for = m.from; this.resetElection(n); }
        this.send(n.id, m.from, 'RequestVoteResponse', { term: n.term, granted: ok });
        break;
      }
      case 'RequestVoteResponse':
        if (n.role === 'candidate' && m.granted && m.term === n.term && !n.votes.includes(m.from)) {
          n.votes.push(m.from); this.maybeWin(n);
        }
        break;
      case 'AppendEntries': {
        if (m.term < n.term) { this.send(n.id, m.from, 'AppendEntriesResponse', { term: n.term, ok: false }); break; }
        n.role = 'follower'; n.leader_hint = m.from; this.resetElection(n);
        const okPrev = m.prev === 0 || (n.log[m.prev - 1] && n.log[m.prev - 1].term === m.prevTerm);
        if (!okPrev) { this.send(n.id, m.from, 'AppendEntriesResponse', { term: n.term, ok: false, match: 0 }); break; }
        n.log = n.log.slice(0, m.prev).concat(m.entries.map((e) => ({ ...e, committed: false })));
        const newCommit = Math.min(m.commit, n.log.length);
        if (newCommit > n.commit_index) n.commit_index = newCommit;
        n.log.forEach((e, i) => { e.committed = i < n.commit_index; });
        this.apply_(n);
        this.send(n.id, m.from, 'AppendEntriesResponse', { term: n.term, ok: true, match: n.log.length });
        break;
      }
      case 'AppendEntriesResponse':
        if (n.role !== 'leader' || m.term !== n.term) break;
        if (m.ok) { n.match[m.from] = m.match; n.next[m.from] = m.match + 1; this.advanceCommit(n); }
        else n.next[m.from] = Math.max(1, n.next[m.from] - 1);
        break;
      default: break;
    }
  }

  client(s, toks) {
    const line = this.lines.length + 1;
    const [op, key] = toks;
    this.history.push({ line, op, key, value: op === 'put' ? toks[2] : op === 'cas' ? toks[3] : null,
      expected: op === 'cas' ? toks[2] : null, outcome: null, result: null, invoked_ms: this.t, completed_ms: null });
    const l = this.leader();
    const target = l ? l.id : this.nodes[0].id;
    this.send('client', target, 'ClientRequest', { command: op === 'cas' ? `put ${key} ${toks[3]}` : s, line, term: 0 });
  }

  run(ms) {
    for (let i = 0; i < ms; i++) {
      this.t += 1;
      const due = this.msgs.filter((m) => m.deliver_ms <= this.t && m.dropped_ms == null);
      this.msgs = this.msgs.filter((m) => !due.includes(m));
      for (const m of due) {
        if (m.to !== 'client' && m.from !== 'client' && this.blocked(m.from, m.to)) { m.dropped_ms = this.t; this.msgs.push(m); continue; }
        this.deliver(m);
      }
      this.msgs = this.msgs.filter((m) => m.dropped_ms == null || this.t - m.dropped_ms < 200);
      for (const m of this.msgs) {
        if (m.dropped_ms == null && m.to !== 'client' && m.from !== 'client' && this.blocked(m.from, m.to)) m.dropped_ms = this.t;
      }
      for (const n of this.nodes) {
        if (!n.running || !n.timer || n.timer.deadline_ms > this.t) continue;
        if (n.timer.kind === 'heartbeat') this.heartbeat(n);
        else this.campaign(n);
      }
    }
  }

  advance(ms) {
    if (ms <= 0) return;
    this.run(ms);
    this.record(`run ${ms}ms`);
  }

  act(line) {
    const s = String(line).trim();
    this.check(s, this.lines.length + 1);
    this.apply(s);
  }

  snapshot() {
    const leader = this.leader();
    return {
      time_ms: this.t,
      nodes: this.nodes.map((n) => ({
        id: n.id, running: n.running, role: n.running ? n.role : 'follower', term: n.term, voted_for: n.voted_for,
        commit_index: n.commit_index, last_applied: n.last_applied, leader_hint: n.leader_hint, member: true,
        timer: n.running && n.timer ? { ...n.timer } : { kind: null, started_ms: 0, deadline_ms: 0 },
        log: n.log.map((e) => ({ index: e.index, term: e.term, command: e.command, committed: e.index <= n.commit_index })),
        snapshot: null, state: { ...n.state }, votes: n.role === 'candidate' ? [...n.votes] : [],
      })),
      messages: this.msgs.map(({ id, from, to, kind, response, summary, sent_ms, deliver_ms, dropped_ms }) =>
        ({ id, from, to, kind, response, summary, sent_ms, deliver_ms, dropped_ms })),
      partition: this.partition.length > 1 ? this.partition.map((g) => g.join(' ')).join(' | ') : '',
      cuts: this.cuts.map((c) => ({ ...c })),
      settings: { ...this.settings },
      history: this.history.map((h) => ({ ...h })),
      events: this.events.slice(-60),
      safe: true, violations: [], expectations: [], trace_hash: this.traceHash(), error: null,
      leader: leader ? leader.id : null,
    };
  }

  recorded() {
    return [`nodes ${this.settings.nodes}`, `seed ${this.settings.seed}`, ...this.lines].join('\n') + '\n';
  }

  traceHash() {
    let h = 2166136261;
    const s = this.recorded();
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    return `fake${h.toString(16).padStart(8, '0')}`;
  }

  time() {
    return this.t;
  }

  free() {}
}
