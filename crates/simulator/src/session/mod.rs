//! Time travel over a scenario: a session is always "this scenario, at this instant".
//!
//! Every change to the run (a scenario line, a stretch of time) is recorded as a scenario line
//! at the simulated instant it happened, so [`Session::recorded`] replays to the same state with
//! `raft-sim run` (same `trace_hash`). Checkpoints, taken at doubling intervals so that memory
//! stays bounded, let [`Session::seek`] show any instant of the recording; acting in the past
//! forks it. The [`tracker`] keeps what the simulator does not: every message's whole life and
//! the timeline's marks.
//!
//! Used by the page's handle (`raft-wasm`) and by `raft-sim run --at`; nothing here knows about
//! JavaScript. The types the page reads derive `Serialize` only.
//!
//! Servers built by the embedder (`protocol js`: a [`HostFactory`]) keep their state outside the
//! runner, so a clone of the runner would share it: such a session never clones. It keeps no
//! checkpoint but time zero, and goes back by building a fresh runner (fresh hosts from the
//! embedder's maker) and replaying the recording to the instant asked for.

mod goal;
pub mod tracker;

use raft_core::{sort, vecmap::VecMap};

use serde::Serialize;

use crate::runner::Runner;
use crate::scenario::{self, Action, Item, ItemKind};
#[cfg(feature = "hosted")]
use crate::scenario::Scenario;
use crate::engine::Observe;
use crate::servers::HostFactory;
pub use goal::GoalResult;
use tracker::{Happening, Mark, MessageRec, Tracker};

/// Feed lines in each snapshot.
const FEED_LINES: usize = 30;
/// The first checkpoint interval (simulated ms). When [`CHECKPOINTS_MAX`] are kept, every other
/// one goes and the interval doubles, so memory stays bounded however long the run (80 keeps
/// a 10-minute run at one checkpoint every 8 s: a seek replays at most 8 s).
const CHECKPOINT_FIRST_MS: u64 = 1_000;
const CHECKPOINTS_MAX: usize = 80;
/// Linearizability verdicts remembered for scrubbing back and forth.
const LIN_CACHE_MAX: usize = 4_096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecKind {
    /// A blank or comment line.
    Note,
    /// `run D`: from `at_ms` to `end_ms`.
    Run,
    /// `run until leader`: ends where a leader appeared (or its deadline).
    UntilLeader,
    /// Any other line: takes no time.
    Other,
}

/// One line of the recording, with the simulated instants it spans.
#[derive(Clone, Debug)]
struct Rec {
    text: String,
    item: Option<Item>,
    kind: RecKind,
    at_ms: u64,
    end_ms: u64,
    /// A `run` the session wrote itself (see [`Session::advance`]): live time lengthens it rather than adding lines.
    open: bool,
}

/// The runner as it was at `time_ms`, with `recs[..next]` applied (and `recs[next]`, a run,
/// possibly begun). `runner` is None in a session that never clones (see [`Fresh`]): its only
/// checkpoint is time zero, a fresh runner.
struct Checkpoint {
    time_ms: u64,
    next: usize,
    runner: Option<Runner>,
}

/// Makes fresh hosts for a session whose servers the embedder builds (`protocol js`): each call
/// a new, independent set (a new bridge), for a runner rebuilt from time zero.
pub type HostMaker = std::rc::Rc<dyn Fn() -> HostFactory>;

/// What a session that never clones needs to start a runner again from time zero.
#[cfg(feature = "hosted")]
struct Fresh {
    scenario: Scenario,
    hosts: HostMaker,
}

/// Without embedder-built servers (feature `hosted` off: the page's light module) there is no
/// such session, and none of its code is compiled in.
#[cfg(not(feature = "hosted"))]
enum Fresh {}

/// The linearizability verdict of a history, remembered by (operations, completed).
#[derive(Clone, Debug)]
struct LinVerdict {
    /// A violation was found (`detail` explains it).
    violated: bool,
    /// The checker ran out of its search budget: neither ok nor violated; the detail says so.
    undecided: bool,
    detail: Option<String>,
    lines: Vec<u32>,
    at_ms: u64,
}

/// A scenario being watched, played and rewritten.
///
/// The recording is a list of lines, each with the instant it was applied at. The runner shows
/// one instant of it: `recs[..next]` applied, perhaps part of `recs[next]` (a run). At the end
/// of the recording the run is live: time and actions extend the recording. Anywhere before,
/// time replays the recording, and an action forks it: the recording is cut at this instant
/// and the action appended. Seeking clones the nearest checkpoint at or before the instant and
/// replays from there, so the state at `t` is exactly that of running the recording cut at `t`.
pub struct Session {
    runner: Runner,
    recs: Vec<Rec>,
    next: usize,
    checkpoints: Vec<Checkpoint>,
    interval_ms: u64,
    tracker: Tracker,
    lin: VecMap<(usize, usize), LinVerdict>,
    /// The last view told of a linearizability violation (see `view`).
    lin_told: bool,
    /// Set when the runner must not be cloned: going back rebuilds it from time zero.
    fresh: Option<Fresh>,
    /// The linearizability search budget, for runners rebuilt from time zero.
    lin_budget: Option<u64>,
}

fn kind_of(item: &Option<Item>) -> RecKind {
    match item.as_ref().map(|i| &i.kind) {
        None => RecKind::Note,
        Some(ItemKind::Action(Action::Run { .. })) => RecKind::Run,
        Some(ItemKind::Action(Action::RunUntilLeader { .. })) => RecKind::UntilLeader,
        Some(_) => RecKind::Other,
    }
}

/// Run `runner` to `target`; with a tracker, showing it every event on the way.
fn run_to(runner: &mut Runner, target: u64, tracker: Option<&mut Tracker>) {
    match tracker {
        Some(tr) => {
            while runner.sim.step_one(target) {
                tr.observe(runner);
            }
            runner.sim.run_until(target);
        }
        None => {
            // Nobody watches: keep no events on the way.
            runner.sim.keep_events(false);
            runner.sim.run_until(target);
            runner.sim.keep_events(true);
        }
    }
}

/// Show the tracker, if any, what the last action did; otherwise forget it.
fn observe(runner: &mut Runner, tracker: Option<&mut Tracker>) {
    match tracker {
        Some(tr) => tr.observe(runner),
        None => drop(runner.sim.take_events()),
    }
}

/// Replay `recs` on `runner` from `*next` up to instant `t` (lines at `t` included). With a
/// tracker, every event is shown to it. Returns false if it stopped inside a `run until leader`
/// that was itself begun part way (the caller restarts from a checkpoint before that line).
fn replay(runner: &mut Runner, next: &mut usize, recs: &[Rec], t: u64, mut tracker: Option<&mut Tracker>) -> bool {
    while *next < recs.len() {
        let r = &recs[*next];
        let now = runner.sim.now();
        match r.kind {
            RecKind::Run => {
                let target = r.end_ms.min(t);
                if target > now {
                    run_to(runner, target, tracker.as_deref_mut());
                }
                if runner.sim.now() < r.end_ms {
                    break;
                }
            }
            RecKind::UntilLeader => {
                if r.at_ms > t {
                    break;
                }
                if now > r.at_ms && t >= r.end_ms {
                    return false;
                }
                if r.end_ms > t {
                    run_to(runner, t, tracker.as_deref_mut());
                    break;
                }
                runner.apply(r.item.as_ref().expect("a run line has its item"));
                observe(runner, tracker.as_deref_mut());
            }
            RecKind::Note | RecKind::Other => {
                if r.at_ms > t {
                    break;
                }
                if let Some(item) = &r.item {
                    runner.apply(item);
                    observe(runner, tracker.as_deref_mut());
                }
            }
        }
        *next += 1;
    }
    true
}

impl Session {
    pub fn new(text: &str) -> Result<Session, String> {
        Session::start(text, None)
    }

    /// A session whose `protocol js` servers `hosts` builds: each call of `hosts` gives an
    /// independent set of servers. Such a session never clones its runner (its servers live
    /// outside it); seeking back replays the recording on a fresh one.
    #[cfg(feature = "hosted")]
    pub fn with_hosts(text: &str, hosts: Option<HostMaker>) -> Result<Session, String> {
        Session::start(text, hosts)
    }

    fn start(text: &str, hosts: Option<HostMaker>) -> Result<Session, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let parsed = scenario::parse(text).map_err(|e| e.to_string())?;
        #[cfg(feature = "hosted")]
        let fresh = hosts.map(|hosts| {
            // (The runner reads the settings written before the first action: keep them.)
            let head = parsed.items.iter().take_while(|i| !matches!(i.kind, ItemKind::Action(_))).cloned().collect();
            Fresh { scenario: Scenario { items: head, code: None, nodes: parsed.nodes, seed: parsed.seed }, hosts }
        });
        #[cfg(not(feature = "hosted"))]
        let fresh: Option<Fresh> = hosts.and(None);
        let runner = match &fresh {
            #[cfg(feature = "hosted")]
            Some(f) => Runner::with_hosts(&parsed, Observe::PAGE, Some((f.hosts)())),
            #[cfg(not(feature = "hosted"))]
            Some(f) => match *f {},
            None => Runner::new(&parsed, Observe::PAGE),
        };
        // The parser's items by line (the parser gives them in order; the stable sort keeps a
        // line's last item last, the one kept, as a map from line to item would).
        let mut items = parsed.items;
        sort::sort_by_key(&mut items, |i| i.line);
        let mut items = items.into_iter().peekable();
        let mut lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let mut session = Session {
            checkpoints: vec![Checkpoint { time_ms: 0, next: 0, runner: if fresh.is_some() { None } else { Some(runner.clone()) } }],
            tracker: Tracker::from_runner(&runner),
            runner,
            recs: Vec::new(),
            next: 0,
            interval_ms: CHECKPOINT_FIRST_MS,
            lin: VecMap::new(),
            lin_told: false,
            fresh,
            lin_budget: None,
        };
        for (i, l) in lines.iter().enumerate() {
            let line = i as u32 + 1;
            let mut item = None;
            while let Some(next) = items.next_if(|it| it.line <= line) {
                if next.line == line {
                    item = Some(next);
                }
            }
            session.push_live(l.to_string(), item);
        }
        Ok(session)
    }

    pub fn time(&self) -> u64 {
        self.runner.sim.now()
    }

    /// The run as it is at this instant (read only: every change goes through the recording).
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The instant the recording ends at.
    pub fn end_ms(&self) -> u64 {
        self.recs.last().map_or(0, |r| r.end_ms)
    }

    /// At the end of the recording: time and actions extend it.
    pub fn is_live(&self) -> bool {
        self.next == self.recs.len()
    }

    // ---- live: the end of the recording moves --------------------------------------------

    /// Apply a line at the end of the recording, watching every event.
    fn push_live(&mut self, text: String, item: Option<Item>) {
        debug_assert!(self.is_live());
        let at = self.time();
        let kind = kind_of(&item);
        if let Some(it) = &item {
            self.tracker.mark_line(at, &it.kind, &text);
        }
        let run_ms = match item.as_ref().map(|i| &i.kind) {
            Some(ItemKind::Action(Action::Run { ms })) => Some(*ms),
            _ => None,
        };
        self.recs.push(Rec { text, item: item.clone(), kind, at_ms: at, end_ms: at, open: false });
        match (kind, run_ms) {
            (RecKind::Run, Some(ms)) => {
                self.recs.last_mut().expect("just pushed").end_ms = at + ms;
                self.run_live(at + ms);
            }
            _ => {
                if let Some(it) = &item {
                    self.runner.apply(it);
                    self.tracker.observe(&mut self.runner);
                }
                self.recs.last_mut().expect("just pushed").end_ms = self.time();
                self.next = self.recs.len();
            }
        }
    }

    /// Run the last recorded line (a run) live up to `target`, taking checkpoints on the way.
    fn run_live(&mut self, target: u64) {
        self.next = self.recs.len() - 1;
        loop {
            let cp = (self.time() / self.interval_ms + 1) * self.interval_ms;
            let stop = cp.min(target);
            run_to(&mut self.runner, stop, Some(&mut self.tracker));
            if self.runner.sim.halted() {
                // A server failed (a user's handler threw): the run stops at that instant, and
                // so does the recording's run line.
                let now = self.time();
                let last = self.recs.last_mut().expect("a run line is being played");
                if last.end_ms > now {
                    last.end_ms = now;
                    last.text = format!("run {}ms", now - last.at_ms);
                }
                break;
            }
            if stop == cp {
                self.take_checkpoint();
            }
            if stop == target {
                break;
            }
        }
        self.next = self.recs.len();
    }

    /// A runner as at time zero, for a session that never clones.
    fn fresh_runner(&self) -> Option<Runner> {
        let f = self.fresh.as_ref()?;
        #[cfg(not(feature = "hosted"))]
        match *f {}
        #[cfg(feature = "hosted")]
        {
            let mut runner = Runner::with_hosts(&f.scenario, Observe::PAGE, Some((f.hosts)()));
            if let Some(budget) = self.lin_budget {
                runner.lin_step_budget = budget;
            }
            Some(runner)
        }
    }

    /// The runner of checkpoint `cp`, to play on from there.
    fn runner_at(&self, cp: &Checkpoint) -> Runner {
        match &cp.runner {
            Some(r) => r.clone(),
            None => self.fresh_runner().expect("only a session that never clones keeps a checkpoint without a runner"),
        }
    }

    fn take_checkpoint(&mut self) {
        if self.fresh.is_some() {
            return;
        }
        let now = self.time();
        if self.checkpoints.last().is_some_and(|c| c.time_ms >= now) {
            return;
        }
        self.checkpoints.push(Checkpoint { time_ms: now, next: self.next, runner: Some(self.runner.clone()) });
        if self.checkpoints.len() > CHECKPOINTS_MAX {
            self.interval_ms *= 2;
            let every = self.interval_ms;
            self.checkpoints.retain(|c| c.time_ms % every == 0);
        }
    }

    pub fn advance(&mut self, ms: u64) {
        if ms == 0 || (self.is_live() && self.runner.sim.halted()) {
            // (A failed server stopped the run for good: live time would record nothing.)
            return;
        }
        let target = self.time() + ms;
        if !self.is_live() {
            self.seek(target.min(self.end_ms()));
            if !self.is_live() || target == self.time() {
                return;
            }
        }
        let now = self.time();
        match self.recs.last_mut() {
            Some(last) if last.open && last.kind == RecKind::Run && last.end_ms == now => {
                last.end_ms = target;
                last.text = format!("run {}ms", target - last.at_ms);
                self.run_live(target);
            }
            _ => {
                let line = self.recs.len() as u32 + 1;
                let item = Item { line, kind: ItemKind::Action(Action::Run { ms: target - now }) };
                self.push_live(format!("run {}ms", target - now), Some(item));
                self.recs.last_mut().expect("just pushed").open = true;
            }
        }
    }

    /// Run to the next event (at most `max_ms` ahead). Returns the milliseconds advanced.
    pub fn step(&mut self, max_ms: u64) -> u64 {
        let now = self.runner.sim.now();
        let target = match self.runner.sim.next_event_ms() {
            Some(t) if t <= now + max_ms => t.max(now),
            _ => now + max_ms,
        };
        self.advance(target - now);
        target - now
    }

    // ---- the past ---------------------------------------------------------------------

    /// Show instant `t` of the recording (clamped to its end), exactly as running the recording
    /// cut at `t` would leave it.
    pub fn seek(&mut self, t: u64) {
        let t = t.min(self.end_ms());
        let mut limit = usize::MAX;
        // Back, or far enough ahead that a checkpoint is closer than this instant: restore.
        let ahead = self.checkpoints.iter().rev().find(|c| c.time_ms <= t).is_some_and(|c| c.time_ms > self.time());
        if t < self.time() || ahead {
            self.restore(t, limit);
        }
        loop {
            if replay(&mut self.runner, &mut self.next, &self.recs, t, None) {
                return;
            }
            // Inside a `run until leader` begun part way: start again before that line.
            limit = self.next;
            let at = self.recs[self.next].at_ms;
            self.restore(at, limit);
        }
    }

    /// Back to the newest checkpoint at or before `t` (and before line `limit`).
    fn restore(&mut self, t: u64, limit: usize) {
        let cp = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.time_ms <= t && c.next <= limit)
            .expect("the checkpoint at time 0 is always kept");
        self.runner = self.runner_at(cp);
        self.next = cp.next;
    }

    /// How many recorded lines the recording keeps if it is cut at this instant.
    fn kept_lines(&self) -> usize {
        let now = self.time();
        match self.recs.get(self.next) {
            Some(r) if matches!(r.kind, RecKind::Run | RecKind::UntilLeader) && r.at_ms < now => self.next + 1,
            _ => self.next,
        }
    }

    /// Cut the recording at this instant: what came after is forgotten.
    fn fork(&mut self) {
        if self.is_live() {
            return;
        }
        let now = self.time();
        let keep = self.kept_lines();
        if keep > self.next {
            let r = &mut self.recs[self.next];
            r.text = format!("run {}ms", now - r.at_ms);
            r.item = None;
            r.kind = RecKind::Run;
            r.end_ms = now;
            r.open = true;
        }
        self.recs.truncate(keep);
        self.next = keep;
        self.checkpoints.retain(|c| c.time_ms <= now && c.next <= keep);
        self.tracker.truncate(&self.runner);
        self.lin.clear();
    }

    /// Apply one scenario line at the current instant. A line that does not parse changes
    /// nothing. Before the end of the recording, the recording forks here first.
    pub fn act(&mut self, text: &str) -> Result<(), String> {
        let text = text.trim();
        if text.contains('\n') {
            return Err("one scenario line at a time".to_string());
        }
        let line_no = self.kept_lines() as u32 + 1;
        let item = scenario::parse_line(text, line_no, self.runner.sim.max_node().max(9)).map_err(|e| e.to_string())?;
        let Some(item) = item else { return Ok(()) };
        if let ItemKind::Action(Action::Run { ms }) = item.kind {
            self.advance(ms);
            return Ok(());
        }
        self.validate(&item)?;
        self.fork();
        debug_assert_eq!(self.recs.len() as u32 + 1, item.line);
        self.push_live(text.to_string(), Some(item));
        Ok(())
    }

    /// Refuse what would make the recording replay differently from what happened here.
    fn validate(&self, item: &Item) -> Result<(), String> {
        let max = self.runner.sim.max_node();
        let check = |id: u8| -> Result<(), String> {
            if id > max {
                Err(format!("there is no server S{id}: this cluster has S1..S{max}"))
            } else {
                Ok(())
            }
        };
        use scenario::{Target, Action as A};
        let t = |x: &Target| match x {
            Target::Node(id) => check(*id),
            Target::Leader => Ok(()),
        };
        if let ItemKind::Action(a) = &item.kind {
            match a {
                A::Crash(x) | A::Restart(x) | A::Isolate(x) | A::Timeout(x) | A::Transfer(x) | A::Remove(x) => t(x)?,
                A::Cut { from, to, .. } => {
                    t(from)?;
                    t(to)?
                }
                A::Partition(groups) => {
                    for g in groups {
                        for id in g {
                            check(*id)?;
                        }
                    }
                }
                A::Put { via: Some(x), .. } | A::Get { via: Some(x), .. } | A::Cas { via: Some(x), .. } => t(x)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// The recording up to this instant: what `raft-sim run` replays to this very state.
    pub fn recorded(&self) -> String {
        let mut s = String::new();
        for r in &self.recs[..self.next] {
            s.push_str(&r.text);
            s.push('\n');
        }
        if self.kept_lines() > self.next {
            let r = &self.recs[self.next];
            s.push_str(&format!("run {}ms\n", self.time() - r.at_ms));
        }
        if s.is_empty() {
            s.push('\n');
        }
        s
    }

    /// The whole recording, also what lies after this instant.
    pub fn recorded_all(&self) -> String {
        let mut s: String = self.recs.iter().map(|r| format!("{}\n", r.text)).collect();
        if s.is_empty() {
            s.push('\n');
        }
        s
    }

    /// Sets the search steps the linearizability checker may take per key before it answers
    /// `undecided`, for this run, its checkpoints and the verdicts shown from now on. Tests use it
    /// to see how the page shows an undecided history; it changes nothing else about the run.
    pub fn set_lin_step_budget(&mut self, steps: u64) {
        self.runner.lin_step_budget = steps;
        self.lin_budget = Some(steps);
        for checkpoint in &mut self.checkpoints {
            if let Some(runner) = &mut checkpoint.runner {
                runner.lin_step_budget = steps;
            }
        }
        self.lin.clear();
    }

    pub fn trace_hash(&self) -> String {
        self.runner.sim.trace().hash_hex()
    }

    /// The trace of the run so far, as `raft-sim run --trace` prints it, by replaying the
    /// recording with the trace lines kept.
    pub fn trace_lines(&self) -> Result<Vec<String>, String> {
        let parsed = scenario::parse(&self.recorded()).map_err(|e| e.to_string())?;
        let observe = Observe { trace_hash: true, trace_lines: true, feed: false, events: false };
        // (Servers the embedder builds come from a fresh set of hosts, as for a seek.)
        #[cfg(feature = "hosted")]
        let runner = Runner::run_with_hosts(&parsed, observe, self.fresh.as_ref().map(|f| (f.hosts)()));
        #[cfg(not(feature = "hosted"))]
        let runner = Runner::run(&parsed, observe);
        Ok(runner.sim.trace().lines().to_vec())
    }

    /// The trace of the run so far, one JSON object per event (`{"time_ms", "text"}`), by
    /// replaying the recording with the trace lines kept. (The page's runner keeps only the
    /// hash: lines in every checkpoint would cost memory for nothing.)
    pub fn trace_jsonl(&self) -> Result<String, String> {
        let mut out = String::new();
        for line in &self.trace_lines()? {
            let (t, text) = crate::scenario::find_str(line, "ms ").map_or(("0", line.as_str()), |at| (&line[..at], &line[at + 3..]));
            let time_ms: u64 = t.parse().unwrap_or(0);
            // A struct, not `json!`: no `serde_json::Value` (and its B-tree map) in the page's
            // module. Fields in the order `json!`'s sorted map wrote them: the same bytes.
            #[derive(Serialize)]
            struct Line<'a> {
                text: &'a str,
                time_ms: u64,
            }
            // It cannot fail (no map, no I/O); its error's `Display` would only add bytes.
            out.push_str(&serde_json::to_string(&Line { text, time_ms }).map_err(|_| "a trace line could not be written as JSON")?);
            out.push('\n');
        }
        Ok(out)
    }

    /// Messages on the wire at any time in `from_ms..=to_ms` (up to this instant), each with its
    /// whole life as far as this instant knows it.
    pub fn messages_between(&self, from_ms: u64, to_ms: u64) -> Vec<MessageRec> {
        let now = self.time();
        let to = to_ms.min(now);
        if from_ms > to {
            return Vec::new();
        }
        let slack = self.runner.sim.settings().latency_max_ms.max(1_000);
        let covered = self.tracker.evicted_before_ms.is_none_or(|e| from_ms > e + slack);
        let mut replayed = None;
        let source = if covered {
            &self.tracker.messages
        } else {
            // Older than what is kept: replay from a checkpoint before the window.
            let cp = self.checkpoints.iter().rev().find(|c| c.time_ms <= from_ms).expect("time 0 is kept");
            let mut runner = self.runner_at(cp);
            let mut next = cp.next;
            let mut tr = Tracker::from_runner(&runner);
            // Far enough past the window for every message sent in it to land or be lost.
            replay(&mut runner, &mut next, &self.recs, (to + slack).min(now), Some(&mut tr));
            &replayed.insert(tr).messages
        };
        source
            .iter()
            .filter(|m| m.wire.sent_ms <= to && m.end_ms.is_none_or(|e| e >= from_ms))
            .map(|m| {
                let mut m = m.clone();
                if m.end_ms.is_some_and(|e| e > now) {
                    m.end_ms = None;
                    m.dropped = false;
                }
                m
            })
            .collect()
    }

    /// The timeline: where the recording ends, where we are, and its marks.
    pub fn timeline(&self) -> TimelineView {
        TimelineView {
            time_ms: self.time(),
            end_ms: self.end_ms(),
            live: self.is_live(),
            checkpoints: self.checkpoints.len() as u32,
            checkpoint_interval_ms: self.interval_ms,
            marks: self.tracker.marks.iter().cloned().collect(),
        }
    }

    /// The linearizability verdict of the history at this instant, remembered per history.
    fn lin_verdict(&mut self) -> LinVerdict {
        let h = &self.runner.sim.history();
        let done = h.iter().filter(|o| o.outcome.is_some()).count();
        let key = (h.len(), done);
        if let Some(v) = self.lin.get(&key) {
            return v.clone();
        }
        let v = self.runner.linearizability();
        let at_ms = h.iter().filter_map(|o| o.completed_ms).max().unwrap_or(0);
        let verdict = match v.violation {
            None if v.undecided => {
                LinVerdict { violated: false, undecided: true, detail: v.undecided_detail(), lines: Vec::new(), at_ms }
            }
            None => LinVerdict { violated: false, undecided: false, detail: None, lines: Vec::new(), at_ms },
            Some(x) => LinVerdict { violated: true, undecided: false, detail: Some(x.explanation), lines: x.lines, at_ms },
        };
        if self.lin.len() >= LIN_CACHE_MAX {
            self.lin.clear();
        }
        self.lin.insert(key, verdict.clone());
        verdict
    }

    pub fn view(&mut self) -> Snapshot {
        self.snapshot::<true>()
    }

    /// [`Session::view`] with the log tails of servers that report their Raft state left empty
    /// (see `runner::view::view_without_logs`): for a writer that takes them from the runner.
    pub fn view_without_logs(&mut self) -> Snapshot {
        self.snapshot::<false>()
    }

    fn snapshot<const LOG_TEXTS: bool>(&mut self) -> Snapshot {
        let lin = self.lin_verdict();
        // The verdict is the session's, not an event of the run: told once when it turns.
        if lin.violated != self.lin_told {
            self.lin_told = lin.violated;
            if lin.violated {
                self.tracker.tell_violation(lin.at_ms, "linearizability", lin.detail.clone().unwrap_or_default());
            }
        }
        let mut view = if LOG_TEXTS {
            crate::runner::view::view(&self.runner, FEED_LINES)
        } else {
            crate::runner::view::view_without_logs(&self.runner, FEED_LINES)
        };
        if lin.violated {
            view.safe = false;
            view.violations.push(crate::runner::view::ViolationView {
                property: "linearizability",
                at_ms: lin.at_ms,
                detail: lin.detail.clone().unwrap_or_default(),
            });
        }
        Snapshot {
            view,
            recorded_lines: self.kept_lines() as u32,
            live: self.is_live(),
            end_ms: self.end_ms(),
            linearizability: match (lin.violated, lin.undecided) {
                (true, _) => "violated",
                (false, true) => "undecided",
                (false, false) => "ok",
            },
            linearizability_undecided: if lin.undecided { lin.detail } else { None },
            linearizability_lines: lin.lines,
            happened: self.tracker.happened.iter().cloned().collect(),
        }
    }
}

#[derive(Serialize)]
pub struct TimelineView {
    pub time_ms: u64,
    pub end_ms: u64,
    pub live: bool,
    pub checkpoints: u32,
    pub checkpoint_interval_ms: u64,
    pub marks: Vec<Mark>,
}

#[derive(Serialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub view: crate::runner::view::View,
    pub recorded_lines: u32,
    /// At the end of the recording (false while looking at the past).
    pub live: bool,
    /// Where the recording ends.
    pub end_ms: u64,
    /// The linearizability check of the history at this instant: `ok`, `violated` (the violation
    /// is among `violations`) or `undecided` (the checker ran out of its search budget).
    pub linearizability: &'static str,
    /// When undecided: a sentence saying so, naming the key.
    pub linearizability_undecided: Option<String>,
    /// The operations (by line) of a linearizability violation, if there is one.
    pub linearizability_lines: Vec<u32>,
    /// What happened lately, for captions: a frame announces those whose `seq` it has not
    /// seen (see `tracker::Happening`).
    pub happened: Vec<Happening>,
}

#[cfg(test)]
mod tests;
