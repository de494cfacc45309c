//! The per-frame snapshot as JSON text, written by hand, and the frame that sends only what
//! changed.
//!
//! The page asks for a snapshot every animation frame. Most of it is lists that barely move
//! from one frame to the next: each server's log tail, the history of client operations (which
//! grows with the run), the messages on the wire, the feed and the captions' happenings. A
//! *frame* ([`Sent::frame`]) writes such a list as segments: an item the page already holds
//! from the previous frame is not written again, a run of them is written `[start, count]`
//! (positions in the page's copy of that list), and a new or changed item is written whole (an
//! object, so the two cannot be confused). web/model.js rebuilds the lists from its previous
//! frame; the result is the same object `snapshot()` gives. The servers' log tails are written
//! from the runner's entries rather than from the view (`Session::view_without_logs`), so that
//! an entry's text is formatted only when the page does not hold the entry yet.
//!
//! The writer replaces serde's derived serializer on this path: one pass over the data, no
//! `flatten` (which serde_json writes through its map machinery), and the module is smaller.
//! Its output has exactly the fields and values of the `Serialize` derives of the same types
//! (checked by the tests below against serde_json for several runs); a field added to those
//! types must be added here too, and the tests say so when it is not.

use raft_core::vecmap::VecMap;
use raft_core::{Entry, Log};
use simulator::runner::report::{self, NodeBase, OpReport};
use simulator::runner::view::{log_tail, EventView, MessageView, NodeView, View};
use simulator::runner::Runner;
use simulator::session::tracker::Happening;
use simulator::session::Snapshot;

/// The whole snapshot as JSON text (what `Playground::snapshot` returns). `snap` may leave the
/// log tails of servers that report their Raft state unbuilt (`Session::view_without_logs()`):
/// they are written from `runner`, whose instant `snap` is.
pub fn full(snap: &Snapshot, runner: &Runner) -> String {
    let mut w = Json::with_capacity(16 * 1024);
    w.out.push('{');
    write_snapshot(&mut w, snap, None, runner, None);
    w.out.push('}');
    w.out
}

/// What the page holds from the last frame it was sent: the number of that frame and its lists.
#[derive(Default)]
pub struct Sent {
    frame: u64,
    lists: Option<Lists>,
}

#[derive(Default)]
struct Lists {
    history: Vec<OpReport>,
    events: Vec<EventView>,
    happened: Vec<Happening>,
    messages: Vec<MessageView>,
    /// The log tail of each server that reports its Raft state, by server id: the entries
    /// themselves, not their views (an entry's text is formatted only when it is sent), and
    /// the server's commit index then (an entry at or below it was sent as committed).
    logs: Vec<(String, u64, Vec<Entry>)>,
}

impl Sent {
    /// The snapshot as a frame numbered one more than the last. `have` is the number of the
    /// frame the page holds (anything else, say -1, when it holds none): only when it is the
    /// last one sent are its lists referred to; otherwise every list is written whole.
    /// `snap` may leave the log tails of servers that report their Raft state unbuilt
    /// (`Session::view_without_logs()`): they are written from `runner`, whose instant `snap` is.
    pub fn frame(&mut self, mut snap: Snapshot, runner: &Runner, have: f64) -> String {
        let mut old = if have == self.frame as f64 { self.lists.take() } else { None };
        self.frame += 1;
        let mut w = Json::with_capacity(8 * 1024);
        w.out.push('{');
        w.key("frame");
        w.u64(self.frame);
        let mut logs = Vec::new();
        write_snapshot(&mut w, &snap, old.as_mut(), runner, Some(&mut logs));
        w.out.push('}');
        // Keep this frame's lists for the next one (moved out: the snapshot is done with).
        let v = &mut snap.view;
        self.lists = Some(Lists {
            history: std::mem::take(&mut v.history),
            events: std::mem::take(&mut v.events),
            happened: std::mem::take(&mut snap.happened),
            messages: std::mem::take(&mut v.messages),
            logs,
        });
        w.out
    }
}

/// A log tail: `[gone, same]`, the run of the page's copy (`held`) that begins the tail
/// unchanged and marked committed alike, then the entries after it written whole. A log only
/// grows at its end, loses its oldest entries from the tail and is cut back by a new leader, so
/// one run is what a frame usually keeps; entries after the first that changed (a commit that
/// marks a few entries committed) are written again, which is only a longer frame. Returns the
/// tail as the page now holds it (the kept entries moved from `held`).
fn write_log(w: &mut Json, tail: &[Entry], log: &Log, commit: u64, mut held: Vec<Entry>, held_commit: u64) -> Vec<Entry> {
    let first = tail.first().map_or(0, |e| e.index);
    let mut gone = 0;
    while gone < held.len() && held[gone].index < first {
        gone += 1;
    }
    let mut same = 0;
    while gone + same < held.len() && same < tail.len() && {
        let (h, e) = (&held[gone + same], &tail[same]);
        // (An entry is sent as committed when its index is at or below the commit index.)
        h == e && (h.index <= held_commit) == (e.index <= commit)
    } {
        same += 1;
    }
    w.out.push('[');
    let mut runs = Runs::default();
    if same > 0 {
        runs.0 = Some((gone, same));
        runs.flush(w);
    }
    for e in &tail[same..] {
        w.sep();
        write_entry(w, e.index, e.term, &report::entry_text(&e.data), e.index <= commit);
    }
    w.out.push(']');
    held.truncate(gone + same);
    held.drain(..gone);
    if let Some(e) = tail.get(same) {
        held.append(&mut log.entries_from(e.index, usize::MAX));
    }
    held
}

/// The snapshot's members (the caller writes the braces); `old`: the lists the page holds (its
/// log tails are taken); `runner`: where the log tails `s` leaves unbuilt come from; `keep`:
/// where to keep those tails for the next frame.
fn write_snapshot(w: &mut Json, s: &Snapshot, mut old: Option<&mut Lists>, runner: &Runner, keep: Option<&mut Vec<(String, u64, Vec<Entry>)>>) {
    write_view(w, &s.view, old.as_deref_mut(), runner, keep);
    let old = old.as_deref();
    w.key("recorded_lines");
    w.u64(s.recorded_lines.into());
    w.key("live");
    w.bool(s.live);
    w.key("end_ms");
    w.u64(s.end_ms);
    w.key("linearizability");
    w.str(s.linearizability);
    w.key("linearizability_undecided");
    w.opt_str(s.linearizability_undecided.as_deref());
    w.key("linearizability_lines");
    w.list(&s.linearizability_lines, |w, l| w.u64((*l).into()));
    w.key("happened");
    w.list_since(old.map(|o| &o.happened[..]), &s.happened, |h| h.seq, PartialEq::eq, write_happening);
}

fn write_view(w: &mut Json, v: &View, mut old: Option<&mut Lists>, runner: &Runner, mut keep: Option<&mut Vec<(String, u64, Vec<Entry>)>>) {
    w.key("time_ms");
    w.u64(v.time_ms);
    w.key("nodes");
    w.out.push('[');
    for (i, n) in v.nodes.iter().enumerate() {
        w.sep();
        let id = &n.base.id;
        write_node(w, n);
        match runner.sim.servers().get(i).and_then(log_tail) {
            Some((tail, log, commit)) => {
                // (What the page holds of this log: taken, to keep what is still there.)
                let held = old.as_deref_mut().and_then(|o| o.logs.iter_mut().find(|(h, _, _)| h == id));
                let (held_commit, held) = held.map(|(_, c, l)| (*c, std::mem::take(l))).unwrap_or_default();
                let now_held = write_log(w, tail, log, commit, held, held_commit);
                if let Some(keep) = keep.as_deref_mut() {
                    keep.push((id.clone(), commit, now_held));
                }
            }
            // A plain server's log (its applied writes) is written whole: such runs are small.
            None => w.list(&n.log, |w, e| write_entry(w, e.index, e.term, &e.command, e.committed)),
        }
        w.out.push('}');
    }
    w.out.push(']');
    let old = old.as_deref();
    w.key("messages");
    w.list_since(old.map(|o| &o.messages[..]), &v.messages, |m| m.id, PartialEq::eq, write_message);
    w.key("partition");
    w.str(&v.partition);
    w.key("partition_groups");
    w.list(&v.partition_groups, |w, g| w.list(g, |w, id| w.str(id)));
    w.key("cuts");
    w.list(&v.cuts, |w, c| {
        w.out.push('{');
        w.key("from");
        w.str(&c.from);
        w.key("to");
        w.str(&c.to);
        w.out.push('}');
    });
    let st = &v.settings;
    w.key("settings");
    w.out.push('{');
    w.key("nodes");
    w.u64(st.nodes.into());
    w.key("seed");
    w.u64(st.seed);
    w.key("loss_pct");
    w.percent(st.loss_pct);
    w.key("duplicate_pct");
    w.percent(st.duplicate_pct);
    w.key("latency_min_ms");
    w.u64(st.latency_min_ms);
    w.key("latency_max_ms");
    w.u64(st.latency_max_ms);
    w.key("prevote");
    w.bool(st.prevote);
    w.key("check_quorum");
    w.bool(st.check_quorum);
    w.key("election_min_ms");
    w.u64(st.election_min_ms);
    w.key("election_max_ms");
    w.u64(st.election_max_ms);
    w.key("heartbeat_ms");
    w.u64(st.heartbeat_ms);
    w.key("client_timeout_ms");
    w.u64(st.client_timeout_ms);
    w.key("reads");
    w.str(st.reads);
    w.key("protocol");
    w.str(st.protocol);
    w.key("bugs");
    w.list(&st.bugs, |w, b| w.str(b));
    w.out.push('}');
    w.key("history");
    w.list_since(old.map(|o| &o.history[..]), &v.history, |o| o.invoked_seq, PartialEq::eq, write_op);
    w.key("events");
    w.list_since(old.map(|o| &o.events[..]), &v.events, |e| e.time_ms, PartialEq::eq, |w, e| {
        w.out.push('{');
        w.key("time_ms");
        w.u64(e.time_ms);
        w.key("text");
        w.str(&e.text);
        w.out.push('}');
    });
    w.key("safe");
    w.bool(v.safe);
    w.key("violations");
    w.list(&v.violations, |w, x| {
        w.out.push('{');
        w.key("property");
        w.str(x.property);
        w.key("at_ms");
        w.u64(x.at_ms);
        w.key("detail");
        w.str(&x.detail);
        w.out.push('}');
    });
    w.key("expectations");
    w.list(&v.expectations, |w, e| {
        w.out.push('{');
        w.key("line");
        w.u64(e.line.into());
        w.key("text");
        w.str(&e.text);
        w.key("passed");
        w.bool(e.passed);
        w.key("detail");
        w.str(&e.detail);
        w.key("undecided");
        w.bool(e.undecided);
        w.out.push('}');
    });
    w.key("errors");
    w.list(&v.errors, |w, e| w.str(e));
    w.key("trace_hash");
    w.str(&v.trace_hash);
    w.key("leader");
    w.opt_str(v.leader.as_deref());
}

fn write_base(w: &mut Json, b: &NodeBase) {
    w.key("id");
    w.str(&b.id);
    w.key("running");
    w.bool(b.running);
    w.key("role");
    w.str(b.role);
    w.key("term");
    w.u64(b.term);
    w.key("voted_for");
    w.opt_str(b.voted_for.as_deref());
    w.key("commit_index");
    w.u64(b.commit_index);
    w.key("last_applied");
    w.u64(b.last_applied);
    w.key("state");
    write_pairs(w, &b.state);
    w.key("voters");
    w.list(&b.voters, |w, v| w.str(v));
    w.key("snapshot");
    match &b.snapshot {
        None => w.out.push_str("null"),
        Some(s) => {
            w.out.push('{');
            w.key("last_index");
            w.u64(s.last_index);
            w.key("last_term");
            w.u64(s.last_term);
            w.out.push('}');
        }
    }
}

fn write_pairs(w: &mut Json, pairs: &VecMap<String, String>) {
    w.out.push('{');
    for (k, v) in pairs.iter() {
        w.key_dyn(k);
        w.str(v);
    }
    w.out.push('}');
}

fn write_entry(w: &mut Json, index: u64, term: u64, command: &str, committed: bool) {
    w.out.push('{');
    w.key("index");
    w.u64(index);
    w.key("term");
    w.u64(term);
    w.key("command");
    w.str(command);
    w.key("committed");
    w.bool(committed);
    w.out.push('}');
}

/// A node's members but its `log` (the caller writes that member last, and the closing brace).
fn write_node(w: &mut Json, n: &NodeView) {
    w.out.push('{');
    write_base(w, &n.base);
    w.key("leader_hint");
    w.opt_str(n.leader_hint.as_deref());
    w.key("member");
    w.bool(n.member);
    w.key("timer");
    match &n.timer {
        None => w.out.push_str("null"),
        Some(t) => {
            w.out.push('{');
            w.key("kind");
            w.str(t.kind);
            w.key("started_ms");
            w.u64(t.started_ms);
            w.key("deadline_ms");
            w.u64(t.deadline_ms);
            w.out.push('}');
        }
    }
    w.key("log_len");
    w.u64(n.log_len);
    w.key("votes");
    w.list(&n.votes, |w, v| w.str(v));
    w.key("votes_needed");
    w.opt_u64(n.votes_needed.map(|x| x as u64));
    w.key("membership");
    w.str(n.membership);
    w.key("progress");
    w.list(&n.progress, |w, p| {
        w.out.push('{');
        w.key("id");
        w.str(&p.id);
        w.key("match_index");
        w.u64(p.match_index);
        w.key("next_index");
        w.u64(p.next_index);
        w.key("learner");
        w.bool(p.learner);
        w.out.push('}');
    });
    w.key("plain");
    w.bool(n.plain);
    w.key("log");
}

fn write_message(w: &mut Json, m: &MessageView) {
    w.out.push('{');
    w.key("id");
    w.u64(m.id);
    w.key("from");
    w.str(&m.from);
    w.key("to");
    w.str(&m.to);
    w.key("kind");
    w.str(m.kind);
    w.key("response");
    w.bool(m.response);
    w.key("heartbeat");
    w.bool(m.heartbeat);
    w.key("summary");
    w.str(&m.summary);
    w.key("sent_ms");
    w.u64(m.sent_ms);
    w.key("deliver_ms");
    w.u64(m.deliver_ms);
    w.key("dropped_ms");
    w.opt_u64(m.dropped_ms);
    w.out.push('}');
}

fn write_op(w: &mut Json, o: &OpReport) {
    w.out.push('{');
    w.key("line");
    w.u64(o.line.into());
    w.key("op");
    w.str(o.op);
    w.key("key");
    w.str(&o.key);
    w.key("value");
    w.opt_str(o.value.as_deref());
    w.key("expected");
    w.opt_str(o.expected.as_deref());
    w.key("outcome");
    w.opt_str(o.outcome);
    w.key("result");
    w.opt_str(o.result.as_deref());
    w.key("observed");
    match &o.observed {
        None => w.out.push_str("null"),
        Some(seen) => {
            w.out.push('{');
            w.key("value");
            w.opt_str(seen.value.as_deref());
            w.out.push('}');
        }
    }
    w.key("invoked_ms");
    w.u64(o.invoked_ms);
    w.key("completed_ms");
    w.opt_u64(o.completed_ms);
    w.key("invoked_seq");
    w.u64(o.invoked_seq);
    w.key("completed_seq");
    w.opt_u64(o.completed_seq);
    w.out.push('}');
}

fn write_happening(w: &mut Json, h: &Happening) {
    w.out.push('{');
    w.key("seq");
    w.u64(h.seq);
    w.key("time_ms");
    w.u64(h.time_ms);
    w.key("kind");
    w.str(h.kind);
    // Absent rather than null when not set (the derive's `skip_serializing_if`).
    if let Some(node) = &h.node {
        w.key("node");
        w.str(node);
    }
    if let Some(term) = h.term {
        w.key("term");
        w.u64(term);
    }
    if let Some(index) = h.index {
        w.key("index");
        w.u64(index);
    }
    if let Some(line) = h.line {
        w.key("line");
        w.u64(line.into());
    }
    if let Some(property) = h.property {
        w.key("property");
        w.str(property);
    }
    if let Some(detail) = &h.detail {
        w.key("detail");
        w.str(detail);
    }
    w.out.push('}');
}

/// JSON text being written. Commas: `key` and `sep` put one before a member or an element
/// unless the object or array was just opened.
struct Json {
    out: String,
}

impl Json {
    fn with_capacity(n: usize) -> Json {
        Json { out: String::with_capacity(n) }
    }

    fn sep(&mut self) {
        if !matches!(self.out.as_bytes().last(), Some(b'{' | b'[') | None) {
            self.out.push(',');
        }
    }

    /// A member's name (the names here need no escaping) and the colon.
    fn key(&mut self, k: &str) {
        self.sep();
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
    }

    /// A member's name from the data (escaped).
    fn key_dyn(&mut self, k: &str) {
        self.sep();
        self.str(k);
        self.out.push(':');
    }

    fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    fn u64(&mut self, v: u64) {
        raft_core::push_decimal(&mut self.out, v);
    }

    fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            Some(v) => self.u64(v),
            None => self.out.push_str("null"),
        }
    }

    /// A percentage the simulator keeps in parts per million (`loss 10%` is 100,000 ppm, shown
    /// as `ppm / 10_000`): written as that exact decimal (`10`, `0.5`, `12.3456`), which reads
    /// back as the same number, without any float formatting in the module.
    fn percent(&mut self, pct: f64) {
        let ppm = if pct.is_finite() && pct > 0.0 { (pct * 10_000.0).round() as u64 } else { 0 };
        self.u64(ppm / 10_000);
        let mut frac = ppm % 10_000;
        if frac > 0 {
            self.out.push('.');
            let mut digits = 4;
            while frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            let mut scale = 10u64.pow(digits - 1);
            while scale > 0 {
                self.out.push((b'0' + (frac / scale % 10) as u8) as char);
                scale /= 10;
            }
        }
    }

    fn str(&mut self, s: &str) {
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape: &str = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            // Cut only at ASCII bytes: the slices stay on character boundaries.
            self.out.push_str(&s[start..i]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(HEX[(b >> 4) as usize] as char);
                self.out.push(HEX[(b & 15) as usize] as char);
            } else {
                self.out.push_str(escape);
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.out.push_str("null"),
        }
    }

    fn list<T>(&mut self, items: &[T], item: impl Fn(&mut Json, &T)) {
        self.out.push('[');
        for x in items {
            self.sep();
            item(self, x);
        }
        self.out.push(']');
    }

    /// A list. With `old` (what the page holds of it from the previous frame), an item the
    /// same as one there (`same`: equal, usually) is not written again: runs of such items are
    /// written `[start, count]`, positions in `old`; every other item is written whole (always
    /// an object). `key` finds the candidates in `old` (a message's id, an entry's index…):
    /// only items with the same key are compared.
    fn list_since<T>(
        &mut self,
        old: Option<&[T]>,
        new: &[T],
        key: impl Fn(&T) -> u64,
        same: impl Fn(&T, &T) -> bool,
        item: impl Fn(&mut Json, &T),
    ) {
        let Some(old) = old else { return self.list(new, item) };
        // (What does not depend on the item type is in `Runs`: one copy in the module.)
        let mut runs = Runs::default();
        self.out.push('[');
        for x in new {
            let at = match runs.next() {
                Some(p) if old.get(p).is_some_and(|o| same(o, x)) => Some(p),
                // A scan (the lists are short; `history` grows, but its new items are few),
                // comparing keys before items.
                _ => {
                    let k = key(x);
                    old.iter().position(|o| key(o) == k && same(o, x))
                }
            };
            match at {
                Some(p) => runs.keep(self, p),
                None => {
                    runs.flush(self);
                    self.sep();
                    item(self, x);
                }
            }
        }
        runs.flush(self);
        self.out.push(']');
    }
}

/// The run of old items being kept, `(start, count)`, written `[start,count]` when it ends.
#[derive(Default)]
struct Runs(Option<(usize, usize)>);

impl Runs {
    /// The old position that would continue the run.
    fn next(&self) -> Option<usize> {
        self.0.map(|(s, n)| s + n)
    }

    fn keep(&mut self, w: &mut Json, p: usize) {
        match self.0 {
            Some((s, n)) if p == s + n => self.0 = Some((s, n + 1)),
            _ => {
                self.flush(w);
                self.0 = Some((p, 1));
            }
        }
    }

    fn flush(&mut self, w: &mut Json) {
        if let Some((s, n)) = self.0.take() {
            w.sep();
            w.out.push('[');
            w.u64(s as u64);
            w.out.push(',');
            w.u64(n as u64);
            w.out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use simulator::session::Session;

    /// Numbers compared as numbers (`10` and `10.0` are the same to JSON.parse).
    fn normal(v: Value) -> Value {
        match v {
            Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
            Value::Array(a) => Value::Array(a.into_iter().map(normal).collect()),
            Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normal(v))).collect()),
            v => v,
        }
    }

    fn parse(text: &str) -> Value {
        normal(serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}")))
    }

    /// The page's rebuilding of a frame (web/model.js's `patchFrame`), in Rust.
    fn patch(frame: &mut Value, prev: Option<&Value>) {
        let obj = frame.as_object_mut().unwrap();
        obj.remove("frame");
        let Some(prev) = prev else { return };
        fn list(new: &mut Value, old: &Value) {
            let old = old.as_array().unwrap();
            let mut out = Vec::new();
            for seg in new.as_array().unwrap() {
                match seg {
                    Value::Array(r) => {
                        let (s, n) = (r[0].as_f64().unwrap() as usize, r[1].as_f64().unwrap() as usize);
                        out.extend(old[s..s + n].iter().cloned());
                    }
                    item => out.push(item.clone()),
                }
            }
            *new = Value::Array(out);
        }
        for f in ["history", "events", "happened", "messages"] {
            list(obj.get_mut(f).unwrap(), &prev[f]);
        }
        for n in obj.get_mut("nodes").unwrap().as_array_mut().unwrap() {
            let id = n["id"].clone();
            let old = prev["nodes"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap();
            list(n.get_mut("log").unwrap(), &old["log"]);
        }
    }

    const RUNS: &[&str] = &[
        "nodes 9\nseed 3\nloss 10%\n",
        "nodes 5\nseed 7\nloss 12.5%\nduplicate 0.25%\nsnapshot-every 8\nprevote on\n",
        "nodes 3\nprotocol naive\n",
        "nodes 5\nbug small-quorum\ncheck-quorum on\n",
    ];

    /// Drives a session like the page: time passes, clients write and read, a server crashes
    /// and restarts, a partition comes and goes, and the page looks back in time.
    fn drive(text: &str, mut each: impl FnMut(&mut Session, usize)) {
        let mut s = Session::new(text).unwrap();
        for i in 0..400usize {
            s.advance(16 + (i % 5) as u64);
            match i % 97 {
                10 => drop(s.act("put k1 \"a \\\"quoted\\\" value\"")),
                20 => drop(s.act("get k1")),
                30 => drop(s.act("crash S2")),
                50 => drop(s.act("restart S2")),
                60 => drop(s.act("partition S1 S2 | S3")),
                80 => drop(s.act("heal")),
                _ if i % 7 == 0 => drop(s.act(&format!("put k{} v{i}", i % 4))),
                _ => {}
            }
            if i == 300 {
                s.seek(2000);
            }
            if i == 320 {
                drop(s.act("put k9 forked"));
            }
            each(&mut s, i);
        }
    }

    #[test]
    fn the_hand_written_snapshot_is_what_serde_writes() {
        for text in RUNS {
            drive(text, |s, i| {
                if i % 13 == 0 {
                    let snap = s.view();
                    let ours = parse(&full(&s.view_without_logs(), s.runner()));
                    let serde = normal(serde_json::to_value(&snap).unwrap());
                    assert_eq!(ours, serde, "{text} at step {i}");
                }
            });
        }
    }

    #[test]
    fn a_frame_rebuilt_from_the_previous_one_is_the_whole_snapshot() {
        for text in RUNS {
            let mut sent = Sent::default();
            let mut held: Option<(f64, Value)> = None;
            let mut kept_bytes = 0;
            let mut kept_entries = 0;
            drive(text, |s, i| {
                let whole = normal(serde_json::to_value(&s.view()).unwrap());
                // (What the handle sends: the log tails written from the runner.)
                let snap = s.view_without_logs();
                // Now and then the page has lost its copy (a new page, a failed frame).
                let have = match &held {
                    Some((n, _)) if i % 50 != 49 => *n,
                    _ => -1.0,
                };
                let text_frame = sent.frame(snap, s.runner(), have);
                let mut frame = parse(&text_frame);
                let n = frame["frame"].as_f64().unwrap();
                // Log entries the page holds are referred to, not written again.
                let logs = frame["nodes"].as_array().unwrap().iter().map(|n| &n["log"]);
                kept_entries += logs.flat_map(|l| l.as_array().unwrap()).filter(|e| e.is_array()).count();
                let prev = held.as_ref().filter(|(h, _)| *h == have).map(|(_, v)| v);
                patch(&mut frame, prev);
                assert_eq!(frame, whole, "{text} at step {i}");
                kept_bytes += serde_json::to_string(&whole).unwrap().len().saturating_sub(text_frame.len());
                held = Some((n, frame));
            });
            assert!(kept_bytes > 0, "frames of {text} never referred to the previous one");
            // (A plain server's log is written whole.)
            assert!(kept_entries > 0 || text.contains("naive"), "frames of {text} never referred to a log entry of the previous one");
        }
    }

    #[test]
    fn strings_and_percentages_are_written_as_json() {
        let mut w = Json::with_capacity(0);
        w.str("a\"b\\c\nd\u{1}é");
        assert_eq!(w.out, r#""a\"b\\c\nd\u0001é""#);
        for (pct, text) in [(10.0, "10"), (0.5, "0.5"), (12.3456, "12.3456"), (0.0001, "0.0001"), (0.0, "0"), (100.0, "100")] {
            let mut w = Json::with_capacity(0);
            w.percent(pct);
            assert_eq!(w.out, text);
        }
    }
}
