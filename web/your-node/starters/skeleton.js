// Your server. The simulator calls these four handlers, one at a time, inside simulated time.
// ctx is your only way out: ctx.send, ctx.setTimer, ctx.reply, ctx.storage (survives a crash),
// ctx.report (so the page draws your role, term and log), ctx.log, ctx.random, ctx.now.
// The full contract: "Write your own node" in the page's help, or NODE-API.md.

export default function node(ctx) {
  return {
    onStart() {
      // Called when the server starts and after every restart. A good place to set a timer:
      // ctx.setTimer('election', 150 + Math.floor(ctx.random() * 150));
      ctx.report({ role: 'follower', term: 0, votedFor: null, log: [], commit: 0 });
    },

    onMessage(from, msg) {
      // msg is whatever another server passed to ctx.send; msg.type is drawn as its label.
    },

    onTimer(name) {
      // A timer set with ctx.setTimer(name, ms) fired.
    },

    onClient(req) {
      // req = { id, op: 'put' | 'get' | 'cas', key, value, expected }.
      // Nobody leads yet: tell the client so, and it will try another server.
      ctx.reply(req, { ok: false, notLeader: true });
    },
  };
}
