// Raft, written for reading: one server of the cluster, as the paper's Figure 2 describes it.
// (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014.)
//
// The simulator calls the four handlers below, one at a time; nothing else runs in between, and
// no real time passes. Everything this server must remember across a crash goes through
// ctx.storage (§5.1 "persistent state"); everything else is rebuilt after a restart.
//
// Client commands go through the log, gets included, so every answer is linearizable: a leader
// only answers once the command is committed and applied in log order.

const ELECTION_MIN_MS = 150; // election timeouts are drawn from [150, 300) ms (§5.2, §9.3)
const ELECTION_SPREAD_MS = 150;
const HEARTBEAT_MS = 50; // well under the election timeout, so followers keep quiet (§5.2)
const BATCH_MAX = 32; // entries per AppendEntries, so one message stays small

export default function node(ctx) {
  // Persistent state on all servers (Figure 2), loaded after every (re)start.
  let term = ctx.storage.get('term') ?? 0;
  let votedFor = ctx.storage.get('votedFor') ?? null;
  let log = ctx.storage.get('log') ?? []; // log[i - 1] is the entry at index i: { term, command }

  // Volatile state: lost in a crash.
  let role = 'follower';
  let leader = null; // whom we believe leads this term, for client hints
  let commit = 0; // highest index known committed
  let applied = 0; // highest index applied to the key-value store
  const store = new Map(); // the state machine: key -> value
  const sessions = new Map(); // client command id -> its result, so a retry applies once (§8)
  const waiting = new Map(); // log index -> the request to answer when that index is applied
  let votes = new Set(); // candidate: who granted us their vote this term
  let nextIndex = {}; // leader: next entry to send to each follower (Figure 2)
  let matchIndex = {}; // leader: highest entry known replicated on each follower

  const others = ctx.servers.filter((s) => s !== ctx.id);
  const majority = Math.floor(ctx.servers.length / 2) + 1;
  const lastIndex = () => log.length;
  const termAt = (index) => (index === 0 ? 0 : log[index - 1].term);

  function persist() {
    ctx.storage.set('term', term);
    ctx.storage.set('votedFor', votedFor);
    ctx.storage.set('log', log);
  }

  function report() {
    ctx.report({ role, term, votedFor, log, commit });
  }

  function resetElectionTimer() {
    ctx.setTimer('election', ELECTION_MIN_MS + Math.floor(ctx.random() * ELECTION_SPREAD_MS));
  }

  // §5.1: a server that sees a higher term adopts it and becomes a follower.
  function adoptTerm(newTerm) {
    term = newTerm;
    votedFor = null;
    persist();
    becomeFollower(null);
  }

  function becomeFollower(newLeader) {
    if (role === 'leader') ctx.clearTimer('heartbeat');
    role = 'follower';
    leader = newLeader;
    resetElectionTimer();
  }

  // §5.2: a follower that hears nothing for an election timeout starts an election.
  function startElection() {
    role = 'candidate';
    term += 1;
    votedFor = ctx.id;
    leader = null;
    persist();
    votes = new Set([ctx.id]);
    resetElectionTimer();
    if (votes.size >= majority) return becomeLeader(); // a cluster of one
    for (const peer of others) {
      ctx.send(peer, { type: 'RequestVote', term, lastIndex: lastIndex(), lastTerm: termAt(lastIndex()) });
    }
  }

  function becomeLeader() {
    role = 'leader';
    leader = ctx.id;
    ctx.clearTimer('election');
    nextIndex = {};
    matchIndex = {};
    for (const peer of others) {
      nextIndex[peer] = lastIndex() + 1;
      matchIndex[peer] = 0;
    }
    // An entry of our own term lets earlier entries commit too (§5.4.2, dissertation §6.4).
    log.push({ term, command: null });
    persist();
    advanceCommit();
    heartbeat();
  }

  function heartbeat() {
    for (const peer of others) sendAppend(peer);
    ctx.setTimer('heartbeat', HEARTBEAT_MS);
  }

  function sendAppend(peer) {
    const prevIndex = nextIndex[peer] - 1;
    ctx.send(peer, {
      type: 'AppendEntries',
      term,
      prevIndex,
      prevTerm: termAt(prevIndex),
      entries: log.slice(prevIndex, prevIndex + BATCH_MAX),
      commit,
    });
  }

  // §5.3, §5.4.2: the leader commits the highest index stored on a majority, but only counts
  // replicas for an entry of its own term (Figure 8 shows what goes wrong otherwise).
  function advanceCommit() {
    for (let n = lastIndex(); n > commit && termAt(n) === term; n -= 1) {
      const copies = 1 + others.filter((peer) => matchIndex[peer] >= n).length;
      if (copies >= majority) {
        commit = n;
        break;
      }
    }
    applyCommitted();
  }

  function applyCommitted() {
    while (applied < commit) {
      applied += 1;
      const command = log[applied - 1].command;
      const result = command ? apply(command) : null;
      // Answer the client that asked for this entry, if it was this command: a lost leadership
      // may have put another command at that index.
      const req = waiting.get(applied);
      waiting.delete(applied);
      if (req && command && command.id === req.id) ctx.reply(req, result);
    }
  }

  // The state machine: a key-value register with compare-and-set. A command already applied
  // (the client retried it) is not applied again; its first result is returned.
  function apply(command) {
    if (sessions.has(command.id)) return sessions.get(command.id);
    let result;
    if (command.op === 'put') {
      store.set(command.key, command.value);
      result = { ok: true };
    } else if (command.op === 'get') {
      result = { ok: true, value: store.has(command.key) ? store.get(command.key) : null };
    } else {
      const now = store.has(command.key) ? store.get(command.key) : null;
      if (now === command.expected) {
        store.set(command.key, command.value);
        result = { ok: true };
      } else {
        result = { ok: false, casFailed: true, value: now };
      }
    }
    sessions.set(command.id, result);
    return result;
  }

  function onRequestVote(from, msg) {
    // §5.2, §5.4.1: one vote per term, and only for a log at least as up-to-date as ours.
    const upToDate =
      msg.lastTerm > termAt(lastIndex()) || (msg.lastTerm === termAt(lastIndex()) && msg.lastIndex >= lastIndex());
    const granted = msg.term === term && (votedFor === null || votedFor === from) && upToDate;
    if (granted) {
      votedFor = from;
      persist();
      resetElectionTimer();
    }
    ctx.send(from, { type: 'RequestVoteReply', term, granted });
  }

  function onRequestVoteReply(from, msg) {
    if (role !== 'candidate' || msg.term !== term || !msg.granted) return;
    votes.add(from);
    if (votes.size >= majority) becomeLeader();
  }

  function onAppendEntries(from, msg) {
    if (msg.term < term) {
      ctx.send(from, { type: 'AppendEntriesReply', term, success: false, match: 0 });
      return;
    }
    // A current leader exists: candidates step down, followers wait again (§5.2).
    becomeFollower(from);
    // §5.3 consistency check: our log must hold the entry just before the new ones.
    if (msg.prevIndex > lastIndex() || termAt(msg.prevIndex) !== msg.prevTerm) {
      // Tell the leader where to look next: the end of our log, or the first entry of the
      // conflicting term (the fast backtracking of §5.3's last paragraphs).
      let hint = Math.min(msg.prevIndex, lastIndex() + 1);
      if (hint <= lastIndex() && hint > 0) {
        const conflict = termAt(hint);
        while (hint > 1 && termAt(hint - 1) === conflict) hint -= 1;
      }
      ctx.send(from, { type: 'AppendEntriesReply', term, success: false, match: 0, hint });
      return;
    }
    // Append what is new; delete a conflicting suffix, never entries that agree (§5.3 step 3).
    let changed = false;
    msg.entries.forEach((entry, i) => {
      const index = msg.prevIndex + 1 + i;
      if (index <= lastIndex() && termAt(index) !== entry.term) {
        log = log.slice(0, index - 1);
        changed = true;
      }
      if (index > lastIndex()) {
        log.push(entry);
        changed = true;
      }
    });
    if (changed) persist();
    const match = msg.prevIndex + msg.entries.length;
    if (msg.commit > commit) {
      commit = Math.min(msg.commit, match);
      applyCommitted();
    }
    ctx.send(from, { type: 'AppendEntriesReply', term, success: true, match });
  }

  function onAppendEntriesReply(from, msg) {
    if (role !== 'leader' || msg.term !== term) return;
    if (msg.success) {
      matchIndex[from] = Math.max(matchIndex[from], msg.match);
      nextIndex[from] = matchIndex[from] + 1;
      advanceCommit();
      if (nextIndex[from] <= lastIndex()) sendAppend(from);
    } else {
      // Back up, but never below what the follower is known to hold (a late reply may be stale).
      const back = Math.min(nextIndex[from] - 1, msg.hint ?? nextIndex[from] - 1);
      nextIndex[from] = Math.max(matchIndex[from] + 1, back);
      sendAppend(from);
    }
  }

  return {
    onStart() {
      resetElectionTimer();
      report();
    },

    onMessage(from, msg) {
      if (msg.term > term) adoptTerm(msg.term);
      if (msg.type === 'RequestVote') onRequestVote(from, msg);
      else if (msg.type === 'RequestVoteReply') onRequestVoteReply(from, msg);
      else if (msg.type === 'AppendEntries') onAppendEntries(from, msg);
      else if (msg.type === 'AppendEntriesReply') onAppendEntriesReply(from, msg);
      report();
    },

    onTimer(name) {
      if (name === 'election' && role !== 'leader') startElection();
      if (name === 'heartbeat' && role === 'leader') heartbeat();
      report();
    },

    onClient(req) {
      if (role !== 'leader') {
        ctx.reply(req, leader ? { ok: false, notLeader: true, leader } : { ok: false, notLeader: true });
        return;
      }
      // Already applied (a retry of a command that committed): answer at once.
      if (sessions.has(req.id)) {
        ctx.reply(req, sessions.get(req.id));
        return;
      }
      const { id, op, key, value, expected } = req;
      log.push({ term, command: { id, op, key, value: value ?? null, expected: expected ?? null } });
      persist();
      waiting.set(lastIndex(), req);
      for (const peer of others) sendAppend(peer);
      advanceCommit(); // a cluster of one commits at once
      report();
    },
  };
}
