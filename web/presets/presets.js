// The figures of "Why Distributed Systems Need Consensus", one preset each.
//
// A preset is data only: a title, a caption, and one or more variants (the reader may switch
// between them: 3 or 5 servers, a crash before or after the commit). A variant has one or two
// panes (bike-booking shows the same inputs without and with consensus side by side), each with
// its own setup scenario, and a list of narrated steps shared by its panes. A step happens at a
// fixed instant of simulated time (`at`, in ms): its scenario lines are applied to every pane
// then, and its sentence is shown and announced. Because steps are tied to simulated time, a
// figure played slowly and a figure jumped to step 4 give the same run, bit for bit.

/** @typedef {{ at: number, say: string, lines?: string[] }} Step */
/** @typedef {{ id: string, label: string, setup: string }} Pane */
/** @typedef {{ id: string, label: string, panes: Pane[], steps: Step[], endMs: number }} Variant */
/** @typedef {{ name: string, title: string, caption: string, show?: 'log', variants: Variant[] }} Preset */
// `show: 'log'`: under the drawing, each server's newest log entries (✓ committed); otherwise
// the value each server holds of the keys the clients used.

const raft = (label, setup) => ({ id: 'raft', label, setup });

/** @type {Preset[]} */
export const PRESETS = [
  {
    name: 'conflicting-truth',
    title: 'Failure creates conflicting truth',
    caption:
      'Without consensus each server answers on its own. S1 is cut off, takes a payment and says "done"; S2 and S3 have no record of it, and they say so.',
    variants: [{
      id: 'default',
      label: 'Three servers, no consensus',
      panes: [{ id: 'naive', label: 'No consensus', setup: 'nodes 3\nprotocol naive\n' }],
      endMs: 2600,
      steps: [
        { at: 0, say: 'Three servers hold the same data. Each accepts writes and copies them to the others in the background.' },
        { at: 200, say: 'The network cuts S1 off from S2 and S3.', lines: ['isolate S1'] },
        { at: 400, say: 'A payment arrives at S1. S1 records it and answers "done": nothing stops it.', lines: ['put payment7 paid via S1'] },
        { at: 900, say: 'Another client asks S2 about the payment: S2 has no record of it.', lines: ['get payment7 via S2'] },
        { at: 1300, say: 'S3 has no record either. Two servers, two truths, and both answered with confidence.', lines: ['get payment7 via S3'] },
        { at: 1800, say: 'The network heals. S1 finally copies the payment over; until then, the system had lied.', lines: ['heal'] },
      ],
    }],
  },
  {
    name: 'bike-booking',
    title: 'Bike #42, booked twice',
    caption:
      'Alice and Bob book bike #42 at the same instant through different servers. Without consensus both are told yes; with Raft one booking wins and the other is refused.',
    variants: [{
      id: 'default',
      label: 'Without and with consensus',
      panes: [
        { id: 'naive', label: 'No consensus', setup: 'nodes 3\nprotocol naive\n' },
        raft('Raft', 'nodes 3\nclient-timeout 10s\ntimeout S1\n'),
      ],
      endMs: 1600,
      steps: [
        { at: 0, say: 'The same three servers twice: on the left they accept writes on their own, on the right they run Raft (S1 leads).' },
        { at: 400, say: 'Alice books bike #42 through S1 and, at the same instant, Bob books it through S3.', lines: ['cas bike42 - alice via S1', 'cas bike42 - bob via S3'] },
        { at: 700, say: 'Left: S1 and S3 each saw the bike free and both said yes — bike #42 is booked twice. Right: the leader ordered the two requests; Alice got the bike, Bob was told it is taken.' },
        { at: 1200, say: 'Left: the servers later agree on one value (last write wins), but one customer holds a confirmation for a booking that is gone.' },
      ],
    }],
  },
  {
    name: 'leader-election',
    title: 'Leader election',
    caption:
      'Every server starts as a follower with a random election timer. The first to time out asks for votes; a majority makes it leader, and its heartbeats keep the others following.',
    variants: [{
      id: 'default',
      label: 'Five servers',
      panes: [raft('Raft', 'nodes 5\n')],
      endMs: 3000,
      steps: [
        { at: 0, say: 'Five followers, no leader yet. Each runs an election timer of random length (the arcs).' },
        { at: 60, say: 'S3\'s timer runs out first: it becomes a candidate for term 1, votes for itself and asks the others.', lines: ['timeout S3'] },
        { at: 200, say: 'A majority (3 of 5) voted for S3: it is the leader of term 1. Its heartbeats reset everyone\'s timer.' },
        { at: 900, say: 'The leader crashes. The heartbeats stop…', lines: ['crash leader'] },
        { at: 1500, say: '…so a follower times out, starts a new term and wins a majority of the four still running.' },
        { at: 2200, say: 'S3 comes back with its old term. It learns the higher term and follows the leader.', lines: ['restart S3'] },
      ],
    }],
  },
  {
    name: 'log-replication',
    show: 'log',
    title: 'Log replication',
    caption:
      'Client → leader → append → replicate → a majority acknowledges → committed. Only a committed entry is applied and answered.',
    variants: [{
      id: 'default',
      label: 'Five servers',
      panes: [raft('Raft', 'nodes 5\ntimeout S1\n')],
      endMs: 900,
      steps: [
        { at: 0, say: 'S1 is elected leader.' },
        { at: 300, say: 'A client sends "put x 1" to the leader. S1 appends it to its own log (not committed yet).', lines: ['put x 1'] },
        { at: 322, say: 'S1 replicates the entry to every follower with AppendEntries.' },
        { at: 345, say: 'Followers append it and acknowledge. When a majority (S1 and two others) stores it, it is committed.' },
        { at: 420, say: 'Committed: S1 applies x = 1 and answers the client. The next heartbeats tell the followers to apply it too.' },
      ],
    }],
  },
  {
    name: 'majority-quorum',
    show: 'log',
    title: 'Majority quorum',
    caption:
      'A write commits once a majority stores it: 2 of 3 servers, 3 of 5. With fewer running, nothing commits — and nothing wrong is ever answered.',
    variants: [
      {
        id: '3',
        label: '3 servers',
        panes: [raft('Raft', 'nodes 3\nclient-timeout 10s\ntimeout S1\n')],
        endMs: 2400,
        steps: [
          { at: 0, say: 'Three servers: a majority is 2.' },
          { at: 300, say: 'S3 crashes. Two of three are still running.', lines: ['crash S3'] },
          { at: 400, say: 'A write reaches the leader; S1 and S2 store it: 2 of 3 is a majority, so it commits.', lines: ['put x 1'] },
          { at: 900, say: 'S2 crashes too. Only the leader is left: 1 of 3.', lines: ['crash S2'] },
          { at: 1000, say: 'Another write is appended but can never commit: no majority stores it. The client waits.', lines: ['put x 2'] },
        ],
      },
      {
        id: '5',
        label: '5 servers',
        panes: [raft('Raft', 'nodes 5\nclient-timeout 10s\ntimeout S1\n')],
        endMs: 2400,
        steps: [
          { at: 0, say: 'Five servers: a majority is 3.' },
          { at: 300, say: 'S4 and S5 crash. Three of five are still running.', lines: ['crash S4', 'crash S5'] },
          { at: 400, say: 'A write reaches the leader; S1, S2 and S3 store it: 3 of 5 is a majority, so it commits.', lines: ['put x 1'] },
          { at: 900, say: 'S3 crashes too: 2 of 5 are left.', lines: ['crash S3'] },
          { at: 1000, say: 'Another write is appended but can never commit: 2 of 5 is not a majority. The client waits.', lines: ['put x 2'] },
        ],
      },
    ],
  },
  {
    name: 'leader-crash',
    show: 'log',
    title: 'The leader crashes',
    caption:
      'An entry a majority stored survives any leader crash. An entry that only the leader had may be discarded — a feature: the client was never told it succeeded.',
    variants: [
      {
        id: 'after-commit',
        label: 'Crash after the commit',
        panes: [raft('Raft', 'nodes 5\nclient-timeout 10s\ntimeout S1\n')],
        endMs: 2000,
        steps: [
          { at: 0, say: 'S1 leads.' },
          { at: 300, say: 'A client writes "put pay 7"; S1 replicates it.', lines: ['put pay 7 via S1'] },
          { at: 400, say: 'A majority stores it: committed, and the client is told "ok".' },
          { at: 500, say: 'Now S1 crashes.', lines: ['crash S1'] },
          { at: 1200, say: 'A new leader is elected — only a server holding every committed entry can win — and pay = 7 is still there.' },
          { at: 1500, say: 'S1 returns as a follower.', lines: ['restart S1'] },
        ],
      },
      {
        id: 'before-commit',
        label: 'Crash before the commit',
        panes: [raft('Raft', 'nodes 5\nclient-timeout 10s\ntimeout S1\n')],
        endMs: 2400,
        steps: [
          { at: 0, say: 'S1 leads.' },
          { at: 300, say: 'S1 is cut off, then a client writes "put pay 7" to it. S1 appends it but cannot replicate it.', lines: ['isolate S1', 'put pay 7 via S1'] },
          { at: 400, say: 'S1 crashes with the entry only in its own log. Nobody was told it succeeded.', lines: ['crash S1', 'heal'] },
          { at: 1100, say: 'The others elect a new leader. They never saw the entry.' },
          { at: 1400, say: 'S1 restarts and follows the new leader, which overwrites S1\'s uncommitted entry: discarded, safely.', lines: ['restart S1', 'put pay 8'] },
        ],
      },
    ],
  },
  {
    name: 'split-brain',
    show: 'log',
    title: 'Split brain prevention: A B | C D E',
    caption:
      'A partition cuts the leader and one follower off. The minority side cannot commit anything; the majority side elects a new leader and goes on. When the network heals, everyone follows the majority.',
    variants: [{
      id: 'default',
      label: 'Five servers',
      panes: [raft('Raft', 'nodes 5\nclient-timeout 10s\ntimeout S1\n')],
      endMs: 3200,
      steps: [
        { at: 0, say: 'S1 leads five servers.' },
        { at: 300, say: 'The network splits: S1 S2 | S3 S4 S5.', lines: ['partition S1 S2 | S3 S4 S5'] },
        { at: 400, say: 'A client writes to S1. S1 still thinks it leads, but only 2 of 5 store the entry: it never commits.', lines: ['put bike42 alice via S1'] },
        { at: 1000, say: 'On the majority side a follower times out and wins 3 votes: a new leader for a higher term.' },
        { at: 1300, say: 'A write on the majority side commits with 3 of 5.', lines: ['put bike42 bob via S3'] },
        { at: 2200, say: 'The network heals. S1 sees the higher term, steps down, and its uncommitted entry is replaced.', lines: ['heal'] },
      ],
    }],
  },
];

/** The preset named `name`, or undefined. */
export function presetByName(name) {
  return PRESETS.find((p) => p.name === name);
}

/**
 * The scenario a pane plays up to `untilMs`: its setup, then each step's lines at its instant.
 * What the figure does step by step is exactly this text (the same trace hash).
 */
export function paneScenario(variant, pane, untilMs = variant.endMs) {
  let text = pane.setup.endsWith('\n') ? pane.setup : `${pane.setup}\n`;
  let now = 0;
  for (const step of variant.steps) {
    if (step.at > untilMs) break;
    if (step.at > now) text += `run ${step.at - now}ms\n`;
    now = Math.max(now, step.at);
    for (const line of step.lines || []) text += `${line}\n`;
  }
  if (untilMs > now) text += `run ${untilMs - now}ms\n`;
  return text;
}
