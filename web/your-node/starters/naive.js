// A naive replicator: every server accepts writes and copies them to the others, no leader,
// no votes, no majority. It looks fine while the network is whole. Split the cluster, write to
// both sides, and the linearizability checker shows why Raft needs a majority.

export default function node(ctx) {
  const store = new Map(); // key -> { value, stamp }; the newest stamp wins
  const done = new Map(); // client command id -> its result, so a retry applies once
  const others = ctx.servers.filter((s) => s !== ctx.id);

  // A stamp orders writes: (simulated time, server name). Last writer wins, by this order.
  const newer = (a, b) => a.at > b.at || (a.at === b.at && a.by > b.by);

  function write(key, value, stamp) {
    const now = store.get(key);
    if (!now || newer(stamp, now.stamp)) store.set(key, { value, stamp });
  }

  return {
    onStart() {
      // Nothing is persisted: a restarted server starts empty and learns only new writes.
    },

    onMessage(from, msg) {
      if (msg.type === 'Copy') write(msg.key, msg.value, msg.stamp);
    },

    onTimer() {},

    onClient(req) {
      if (done.has(req.id)) return ctx.reply(req, done.get(req.id));
      const current = store.has(req.key) ? store.get(req.key).value : null;
      let result;
      if (req.op === 'get') {
        result = { ok: true, value: current };
      } else if (req.op === 'cas' && current !== req.expected) {
        result = { ok: false, casFailed: true, value: current };
      } else {
        const stamp = { at: ctx.now(), by: ctx.id };
        write(req.key, req.value, stamp);
        // Answer at once, before anyone else has a copy: that is the mistake.
        for (const peer of others) ctx.send(peer, { type: 'Copy', key: req.key, value: req.value, stamp });
        result = { ok: true };
      }
      done.set(req.id, result);
      ctx.reply(req, result);
    },
  };
}
