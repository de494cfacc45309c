//! Linearizability of the client history (Herlihy & Wing 1990) against a key-value register with
//! compare-and-set.
//!
//! # Contract
//! [`check`] takes the history as the simulator records it (one [`Operation`] per client
//! command) and returns a [`Verdict`]. It reads no clock and draws no random number: the same
//! history gives the same verdict, word for word, natively and in WebAssembly.
//!
//! # Model
//! Every key is a register, initially absent. `put K V` sets it, `get K` reads it, `cas K OLD NEW`
//! sets it to NEW if it is OLD (`-` = absent). What each outcome tells the checker:
//! - `ok`: the operation took effect at one instant between its invocation and its completion;
//!   an `ok` get returned `result`.
//! - `fail`: a put or get had no effect and is ignored. A failed cas changed nothing, but it
//!   reports the value it found instead of OLD ([`Operation::observed`]): it is a read of that
//!   value (absent included), at some instant of its interval. A cas turned away by every server
//!   observed nothing and is ignored like a failed put.
//! - `unknown`, or still pending: it may or may not have taken effect, at any instant after its
//!   invocation (its completion is "never"). An unknown get constrains nothing and is dropped.
//!
//! One operation precedes another when it completed before the other was invoked, in the
//! simulator's event order (`invoked_seq`, `completed_seq`; see [`Operation`]), so that two
//! operations in the same millisecond are ordered as they happened. Histories without sequence
//! numbers are ordered by milliseconds alone. Milliseconds are kept for the explanations.
//!
//! # Method
//! Keys are checked one at a time: a history is linearizable iff each key's subhistory is
//! (P-compositionality, Herlihy & Wing §3.3). Per key:
//! 1. Two linear passes catch the common violations and tell them best: a read of a value no
//!    write could have produced in time (`unexplained_observation`), and two operations, one
//!    after the other, where the second saw a value that no write could have produced after
//!    the first (`contradicting_pair`): stale reads, lost writes, double reads.
//! 2. Otherwise, the search of Wing & Gong, improved by Lowe and used by Porcupine: extend a
//!    linear order one operation at a time, trying only operations invoked before the earliest
//!    completion among those not yet placed, and remember every (placed set, register value)
//!    explored, so that no configuration is explored twice. Refinements for registers:
//!    - A read (or failed cas) that is allowed now is placed at once, without alternatives:
//!      placing it earlier never hurts, since it changes nothing and nothing must precede it.
//!    - A move after which some pending read can no longer be satisfied (its value is not held
//!      and nothing left writes it) is cut at once (`Supply`); so is one after which the op that
//!      completes first must find a value that the key does not hold and that nothing allowed to
//!      come before it can write (`first_read_unwritable`). Writes of that value are tried
//!      first.
//!    - Unknown writes are not ordinary candidates (there can be hundreds after a partition, and
//!      trying each of them everywhere explodes). They are placed lazily, only when a read needs
//!      them: just before a read of value v the search may insert a short chain of unknown writes
//!      that turns the current value into v (an unknown put of v, or unknown cas steps). Any
//!      legal order can be rewritten into one of this shape, since an unknown write may always
//!      move later and one that nobody observes may be dropped. Unknown writes with the same
//!      effect are interchangeable, so the earliest-invoked unused one is always taken, and a
//!      configuration reached with fewer of them used dominates the same one reached with more.
//!      Moves through unknown writes are generated only once the direct moves of a node failed.
//!    - The memo is a table over keys in one arena, the unplaced ops a linked list: a node costs
//!      no allocation and a scan of the unplaced ops only.
//! 3. While the search is stuck, it looks for a small window of operations that fails on its own
//!    whatever the key held when the window began (`Window`); a failing window settles the
//!    key early. The searches of one window from each value it may begin with share their
//!    memo (`search_from_each`).
//!
//! A step budget bounds the search: a key whose search exceeds it makes the verdict `undecided`
//! instead of hanging. Histories from the simulator use a tiny fraction of it.
//!
//! When a key is not linearizable, the checker shrinks the failing window to a core in which
//! every operation is needed (see `Stretches::explain`) and describes that core in words for
//! students, with a sentence for the common shapes.

use std::collections::HashMap;

use raft_core::sort;

use crate::model::{OpKind, Operation};
use crate::model::OpOutcome;

/// Search steps allowed per key before the checker gives up on that key. A step is one
/// operation placed (or one link of an unknown-write chain considered), about half a
/// microsecond. Histories of thousands of operations from the simulator need a few thousand.
pub const DEFAULT_STEP_BUDGET: u64 = 5_000_000;

/// Steps allowed for finding and shrinking a failing window once a key is known to fail: the
/// explanation stays cheap, at worst a longer core.
const EXPLAIN_STEPS_MAX: u64 = 2_000_000;

/// The answer of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// True when every key was shown linearizable.
    pub linearizable: bool,
    /// The search of at least one key ran out of its step budget and found no violation before
    /// that: the checker could not decide. `linearizable` is then false and `violation` None.
    pub undecided: bool,
    /// The first key whose search ran out of its budget, if any.
    pub undecided_key: Option<String>,
    /// None when linearizable.
    pub violation: Option<Violation>,
    /// Search steps taken over all keys, explaining included: a measure of the work done.
    pub steps: u64,
}

/// Why a history is not linearizable: one key and a small set of its operations that admit no
/// legal order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub key: String,
    /// The operations involved, by scenario line, ascending.
    pub lines: Vec<u32>,
    /// Sentences for people, naming each operation by its line.
    pub explanation: String,
    /// None: these operations admit no legal order from the beginning of the run, when the key
    /// was absent. Some(t): they admit none whatever the key held at t ms, when the operation on
    /// line `from_line` was invoked; the operations that completed before that invocation (in
    /// the event order) play no part.
    pub from_ms: Option<u64>,
    /// The operation whose invocation `from_ms` is; None when `from_ms` is.
    pub from_line: Option<u32>,
}

impl Verdict {
    /// For people, when the checker could not decide: which key, and what that means.
    pub fn undecided_detail(&self) -> Option<String> {
        let key = self.undecided_key.as_ref()?;
        Some(format!(
            "undecided: the search for a legal order of the operations on {key} ran out of its budget; the history is not known to be linearizable"
        ))
    }
}

/// Checks the whole history with the default step budget.
pub fn check(history: &[Operation]) -> Verdict {
    check_with_budget(history, DEFAULT_STEP_BUDGET)
}

/// Checks the whole history; `step_budget` bounds the search of each key (looking for windows
/// while the search is stuck costs at most as much again, and explaining a violation at most
/// `EXPLAIN_STEPS_MAX` more).
pub fn check_with_budget(history: &[Operation], step_budget: u64) -> Verdict {
    let mut undecided_key: Option<String> = None;
    let mut steps = 0;
    for key_history in split_by_key(history) {
        match check_key(&key_history, step_budget, &mut steps) {
            KeyVerdict::Linearizable => {}
            KeyVerdict::Undecided => {
                undecided_key.get_or_insert_with(|| key_history.key.clone());
            }
            KeyVerdict::Violated(violation) => {
                let undecided = undecided_key.is_some();
                return Verdict { linearizable: false, undecided, undecided_key, violation: Some(violation), steps };
            }
        }
    }
    let undecided = undecided_key.is_some();
    Verdict { linearizable: !undecided, undecided, undecided_key, violation: None, steps }
}

/// When the search has taken this many steps (and again at each doubling), it looks for a
/// small failing window where it got stuck: a violation found that way ends the search early.
const FIRST_LOOK_STEPS: u64 = 20_000;

/// The widest window tried while the search is still running; wider ones cost about as much as
/// the search itself.
const LOOK_WIDTH_MAX: usize = 256;

enum KeyVerdict {
    Linearizable,
    Undecided,
    Violated(Violation),
}

/// Adds the steps it takes to `steps`.
fn check_key(key_history: &KeyHistory, step_budget: u64, steps: &mut u64) -> KeyVerdict {
    if let Some(op) = unexplained_observation(key_history) {
        let core = Core { ops: vec![op], from: None };
        return KeyVerdict::Violated(describe_violation(key_history, &core));
    }
    if let Some([first, second]) = contradicting_pair(key_history) {
        // Whatever the key held when the first began, the two contradict each other.
        let core = Core { ops: vec![first, second], from: Some(first) };
        return KeyVerdict::Violated(describe_violation(key_history, &core));
    }
    let mut search = Search::new(&key_history.ops, key_history.value_count(), ABSENT);
    let mut look_at_steps = FIRST_LOOK_STEPS;
    let mut looked_at = None;
    let mut last_look_cut_short = false;
    let mut stretches = Stretches::new(key_history, 0);
    let explain_steps = step_budget.min(EXPLAIN_STEPS_MAX);
    let verdict = loop {
        match search.resume(look_at_steps.min(step_budget)) {
            Some(true) => break KeyVerdict::Linearizable,
            Some(false) => {
                stretches.steps_left = explain_steps;
                let window = stretches
                    .find_refuting_window(&search.end(), usize::MAX)
                    .unwrap_or(Window { lo: 0, hi: search.ops.len() });
                stretches.steps_left = explain_steps;
                break KeyVerdict::Violated(stretches.explain(window));
            }
            None if search.steps >= step_budget => break KeyVerdict::Undecided,
            None => {
                // Look again only where the search got stuck somewhere new.
                let end = search.end();
                // Look again where the search got stuck somewhere new, or where the last look ran
                // out of steps before it had tried every window: it now has twice as many.
                let stuck_at = Some((end.deepest_frontier, end.furthest_starved_reader));
                if looked_at != stuck_at || last_look_cut_short {
                    looked_at = stuck_at;
                    stretches.steps_left = step_budget.min(look_at_steps);
                    if let Some(window) = stretches.find_refuting_window(&end, LOOK_WIDTH_MAX) {
                        stretches.steps_left = explain_steps;
                        break KeyVerdict::Violated(stretches.explain(window));
                    }
                    last_look_cut_short = stretches.steps_left == 0;
                }
                look_at_steps = look_at_steps.saturating_mul(2);
            }
        }
    };
    *steps += search.steps + stretches.steps_taken;
    verdict
}

/// The quickest violation to find and to tell: an operation that saw a value which no operation
/// invoked before it completed could have written (or a failed cas that found what it expected).
fn unexplained_observation(key_history: &KeyHistory) -> Option<KeyOp> {
    let ops = &key_history.ops;
    // The earliest invocation of a write of each value.
    let mut first_write = vec![NEVER; key_history.value_count()];
    for op in ops {
        if let Some(v) = op.effect.written() {
            first_write[v as usize] = first_write[v as usize].min(op.invoked);
        }
    }
    let written_in_time = |op: &KeyOp, value: Val| {
        if op.effect.written() == Some(value) {
            // A cas that writes what it expects does not explain itself.
            ops.iter().any(|w| w.line != op.line && w.invoked <= op.completed && w.effect.written() == Some(value))
        } else {
            first_write[value as usize] <= op.completed
        }
    };
    ops.iter()
        .filter(|op| match op.effect {
            // A cas that found what it expected would have succeeded.
            Effect::CasFailed { expected, found, .. } if found == expected => true,
            effect => effect.read().is_some_and(|value| value != ABSENT && !written_in_time(op, value)),
        })
        .min_by_key(|op| (op.completed, op.line))
        .copied()
}

/// The next quickest: two operations, one completed before the other began, where the first
/// left (or saw) a value and the second saw another, with no write of that other value whose
/// interval reaches between them. Any legal order would need such a write between the two.
/// Returns the pair whose second operation completed first.
fn contradicting_pair(key_history: &KeyHistory) -> Option<[KeyOp; 2]> {
    let ops = &key_history.ops;
    // What a definite op leaves the key holding (or saw it hold, for a read).
    let left = |op: &KeyOp| match op.effect {
        Effect::Get { value } | Effect::CasFailed { found: value, .. } => Some(value),
        Effect::Put { value } | Effect::Cas { new: value, .. } => Some(value),
        _ => None,
    };
    let writes = WritesInTime::new(ops, key_history.value_count());
    let mut firsts: Vec<&KeyOp> = ops.iter().filter(|op| left(op).is_some()).collect();
    sort::sort_by_key(&mut firsts, |op| op.completed);
    let mut seconds: Vec<&KeyOp> = ops.iter().filter(|op| op.effect.read().is_some()).collect();
    sort::sort_by_key(&mut seconds, |op| op.invoked);
    // Among the firsts completed so far: the latest invoked, and the latest invoked of those
    // that left something else than it did.
    let (mut latest, mut latest_other): (Option<&KeyOp>, Option<&KeyOp>) = (None, None);
    let mut next_first = 0;
    let mut found: Option<[KeyOp; 2]> = None;
    for second in seconds {
        while next_first < firsts.len() && firsts[next_first].completed < second.invoked {
            let first = firsts[next_first];
            next_first += 1;
            match latest {
                Some(best) if first.invoked <= best.invoked => {
                    if left(first) != left(best) && latest_other.is_none_or(|other| first.invoked > other.invoked)
                    {
                        latest_other = Some(first);
                    }
                }
                Some(best) => {
                    if left(first) != left(best) {
                        latest_other = Some(best);
                    }
                    latest = Some(first);
                }
                None => latest = Some(first),
            }
        }
        let Some(best) = latest else { continue };
        let Some(seen) = second.effect.read() else { continue };
        let first = if left(best) != Some(seen) { Some(best) } else { latest_other };
        let contradiction = first.filter(|first| !writes.any_between(first.invoked, second, seen)).copied();
        if let Some(first) = contradiction {
            let earlier = found.is_some_and(|[_, s]| (s.completed, s.line) <= (second.completed, second.line));
            if !earlier {
                found = Some([first, *second]);
            }
        }
    }
    found
}

/// Answers "could a write of this value take effect after t and before this op?" in logarithmic
/// time.
struct WritesInTime {
    /// Per value: the writes' (invocation, running maximum of completion), by invocation.
    by_value: Vec<Vec<(u64, u64)>>,
}

impl WritesInTime {
    fn new(ops: &[KeyOp], value_count: usize) -> WritesInTime {
        let mut by_value: Vec<Vec<(u64, u64)>> = vec![Vec::new(); value_count];
        for op in ops {
            if let Some(v) = op.effect.written() {
                by_value[v as usize].push((op.invoked, op.completed));
            }
        }
        for writes in &mut by_value {
            sort::sort(writes);
            let mut reach = 0;
            for write in writes.iter_mut() {
                reach = reach.max(write.1);
                write.1 = reach;
            }
        }
        WritesInTime { by_value }
    }

    /// Whether some write of `value` other than `op` itself has an interval reaching into
    /// [`after`, `op` completed].
    fn any_between(&self, after: u64, op: &KeyOp, value: Val) -> bool {
        // A cas that writes what it saw: its own write comes after what it saw.
        if op.effect.written() == Some(value) {
            return true;
        }
        let writes = &self.by_value[value as usize];
        let count = writes.partition_point(|&(invoked, _)| invoked <= op.completed);
        count > 0 && writes[count - 1].1 >= after
    }
}

// ---------------------------------------------------------------------------------------------
// One key's subhistory, in the checker's terms.

/// A register value, interned per key. `ABSENT` is 0.
type Val = u32;
const ABSENT: Val = 0;

/// "Never completes": the completion instant of unknown and pending operations.
const NEVER: u64 = u64::MAX;

/// What the checker knows about one operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Effect {
    /// `ok` put.
    Put { value: Val },
    /// `ok` get that returned `value`.
    Get { value: Val },
    /// `ok` cas: found `expected`, wrote `new`.
    Cas { expected: Val, new: Val },
    /// `fail` cas: found `found` (which should differ from `expected`), wrote nothing (`new` is
    /// only shown). A read of `found`.
    CasFailed { expected: Val, new: Val, found: Val },
    /// `unknown` put: may have written `value` once, at any instant after its invocation.
    MaybePut { value: Val },
    /// `unknown` cas: may have taken effect once, at any instant after its invocation.
    MaybeCas { expected: Val, new: Val },
}

impl Effect {
    fn is_definite(self) -> bool {
        !matches!(self, Effect::MaybePut { .. } | Effect::MaybeCas { .. })
    }

    /// The value this definite operation must find when it takes effect, if it reads one.
    fn read(self) -> Option<Val> {
        match self {
            Effect::Get { value } | Effect::Cas { expected: value, .. } | Effect::CasFailed { found: value, .. } => {
                Some(value)
            }
            Effect::Put { .. } | Effect::MaybePut { .. } | Effect::MaybeCas { .. } => None,
        }
    }

    /// Whether this definite operation can take effect while the key holds `v`, leaving it as it
    /// is: a read of `v` (a cas that writes what it expects is one too).
    fn reads_unchanged(self, v: Val) -> bool {
        match self {
            Effect::Get { value } => value == v,
            Effect::CasFailed { expected, found, .. } => found == v && found != expected,
            Effect::Cas { expected, new } => expected == v && new == v,
            _ => false,
        }
    }

    /// The value this operation writes, if it (may) write one.
    fn written(self) -> Option<Val> {
        match self {
            Effect::Put { value } | Effect::MaybePut { value } => Some(value),
            Effect::Cas { new, .. } | Effect::MaybeCas { new, .. } => Some(new),
            Effect::Get { .. } | Effect::CasFailed { .. } => None,
        }
    }

    /// The weakest claim that still follows from this one, used to shrink a violation: a read
    /// claims nothing any more (None), a definite write becomes a possible one. Unknown writes
    /// cannot be weakened (Some(self)).
    fn weakened(self) -> Option<Effect> {
        match self {
            Effect::Get { .. } | Effect::CasFailed { .. } => None,
            Effect::Put { value } => Some(Effect::MaybePut { value }),
            Effect::Cas { expected, new } => Some(Effect::MaybeCas { expected, new }),
            unknown => Some(unknown),
        }
    }
}

/// One operation of a key. `invoked` and `completed` are instants of the run's event order,
/// numbered densely per key (see [`split_by_key`]): the checker compares only them. The
/// milliseconds are for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct KeyOp {
    line: u32,
    invoked: u64,
    /// `NEVER` for unknown and pending operations.
    completed: u64,
    invoked_ms: u64,
    /// `NEVER` for unknown and pending operations.
    completed_ms: u64,
    effect: Effect,
}

struct KeyHistory {
    key: String,
    /// Interned values: `values[v]` is the text of value v; `values[ABSENT]` is None.
    values: Vec<Option<String>>,
    ops: Vec<KeyOp>,
}

impl KeyHistory {
    /// Value ids run below this. The last id, `values.len()`, is a value that no operation
    /// names, for "whatever the key held" (see [`Window`]).
    fn value_count(&self) -> usize {
        self.values.len() + 1
    }

    fn intern(&mut self, index: &mut HashMap<String, Val>, value: Option<&str>) -> Val {
        let Some(text) = value else { return ABSENT };
        if let Some(&v) = index.get(text) {
            return v;
        }
        let v = self.values.len() as Val;
        self.values.push(Some(text.to_string()));
        index.insert(text.to_string(), v);
        v
    }
}

/// Splits the history by key, in order of each key's first appearance, translating outcomes into
/// effects and leaving out what constrains nothing (failed puts and gets, unknown gets, anything
/// turned away by every server).
///
/// Instants: an invocation happens at (ms, `invoked_seq`), a completion at (ms, `completed_seq`),
/// compared in that order; an unrecorded invocation sequence (0) comes before everything else in
/// its millisecond and an unrecorded completion sequence after everything else, so that without
/// sequence numbers operations in one millisecond overlap. Each instant becomes one `u64` that
/// compares the same way (see the end of this function), so the search compares plain numbers.
fn split_by_key(history: &[Operation]) -> Vec<KeyHistory> {
    let mut slot_of_key: HashMap<&str, usize> = HashMap::new();
    // Per key: its history, its value index, and each op's (invocation, completion) instants.
    type Instant = (u64, u64);
    type KeyParts = (KeyHistory, HashMap<String, Val>, Vec<(Instant, Instant)>);
    let mut keys: Vec<KeyParts> = Vec::new();
    for op in history {
        // Turned away by every server: no effect, nothing observed.
        if op.turned_away {
            continue;
        }
        let slot = *slot_of_key.entry(op.key.as_str()).or_insert_with(|| {
            let key_history = KeyHistory { key: op.key.clone(), values: vec![None], ops: Vec::new() };
            keys.push((key_history, HashMap::new(), Vec::new()));
            keys.len() - 1
        });
        let (key_history, index, instants) = &mut keys[slot];
        // An `ok` without a completion time is treated as pending, as history.rs says.
        let outcome = match (op.outcome, op.completed_ms) {
            (Some(OpOutcome::Ok), Some(_)) => OpOutcome::Ok,
            (Some(OpOutcome::Fail), _) => OpOutcome::Fail,
            _ => OpOutcome::Unknown,
        };
        let invoked = (op.invoked_ms, op.invoked_seq);
        let (completed, completed_ms) = match (outcome, op.completed_ms) {
            (OpOutcome::Unknown, _) | (_, None) => ((NEVER, NEVER), NEVER),
            (_, Some(ms)) => {
                let ms = ms.max(op.invoked_ms);
                ((ms, op.completed_seq.unwrap_or(NEVER)).max(invoked), ms)
            }
        };
        let effect = match (&op.kind, outcome) {
            (OpKind::Get, OpOutcome::Ok) => Effect::Get { value: key_history.intern(index, op.result.as_deref()) },
            (OpKind::Get, _) | (OpKind::Put { .. }, OpOutcome::Fail) => continue,
            (OpKind::Put { value }, outcome) => {
                let value = key_history.intern(index, Some(value));
                if outcome == OpOutcome::Ok {
                    Effect::Put { value }
                } else {
                    Effect::MaybePut { value }
                }
            }
            (OpKind::Cas { expected, new }, outcome) => {
                let expected = key_history.intern(index, expected.as_deref());
                let new = key_history.intern(index, Some(new));
                match outcome {
                    OpOutcome::Ok => Effect::Cas { expected, new },
                    OpOutcome::Fail => {
                        let Some(found) = op.observed() else { continue };
                        Effect::CasFailed { expected, new, found: key_history.intern(index, found) }
                    }
                    // An unknown cas that would write what it expects changes nothing.
                    OpOutcome::Unknown if expected == new => continue,
                    OpOutcome::Unknown => Effect::MaybeCas { expected, new },
                }
            }
        };
        key_history.ops.push(KeyOp {
            line: op.line,
            invoked: 0,
            completed: NEVER,
            invoked_ms: op.invoked_ms,
            completed_ms,
            effect,
        });
        instants.push((invoked, completed));
    }
    // The simulator records every sequence number, and they grow with time: they alone are the
    // order. A history without any is ordered by milliseconds, an invocation before a completion
    // in the same one. Only a history with some and not others needs the instants numbered.
    let recorded = |op: &Operation| op.invoked_seq > 0 && (op.completed_ms.is_none() || op.completed_seq.is_some());
    let unrecorded = |op: &Operation| op.invoked_seq == 0 && op.completed_seq.is_none();
    let all_recorded = history.iter().all(recorded);
    let none_recorded = !all_recorded && history.iter().all(unrecorded);
    keys.into_iter()
        .map(|(mut key_history, _, instants)| {
            if all_recorded || none_recorded {
                let plain = |(ms, seq): Instant, completion: bool| match (all_recorded, completion) {
                    (true, _) => seq,
                    (false, false) => ms.saturating_mul(2),
                    (false, true) => ms.saturating_mul(2).saturating_add(1),
                };
                for (op, &(invoked, completed)) in key_history.ops.iter_mut().zip(&instants) {
                    op.invoked = plain(invoked, false);
                    op.completed = if completed == (NEVER, NEVER) { NEVER } else { plain(completed, true) };
                }
                return key_history;
            }
            let mut order: Vec<Instant> =
                instants.iter().flat_map(|&(i, c)| [i, c]).filter(|&c| c != (NEVER, NEVER)).collect();
            sort::sort(&mut order);
            order.dedup();
            let number = |instant: Instant| order.binary_search(&instant).expect("every instant is numbered") as u64;
            for (op, &(invoked, completed)) in key_history.ops.iter_mut().zip(&instants) {
                op.invoked = number(invoked);
                op.completed = if completed == (NEVER, NEVER) { NEVER } else { number(completed) };
            }
            key_history
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The search.

/// How one search ended.
#[derive(Clone, Copy, Debug)]
struct SearchEnd {
    /// Some(true) linearizable, Some(false) not, None when the step budget ran out.
    answer: Option<bool>,
    steps: u64,
    /// How far the search got: the most definite ops (in invocation order, see
    /// [`definite_order`]) that were ever all placed at once, and the furthest any window reached.
    /// A violation lies near there.
    deepest_frontier: usize,
    furthest_window_end: usize,
    /// The furthest reader that a move was seen to starve (see [`Supply`]), if any: a violation
    /// may lie there, beyond every window the search reached.
    furthest_starved_reader: Option<usize>,
}

/// Configurations explored (see [`Search::seen`]): a table with open addressing over keys kept
/// one after another in one vector, so that recording a configuration allocates nothing of its
/// own (a node of the search costs a few hundred nanoseconds, an allocation a good part of
/// that).
#[derive(Default)]
struct Memo {
    /// Per slot, an index into `entries` plus one; 0 for an empty slot. A power of two long.
    slots: Vec<u32>,
    entries: Vec<MemoEntry>,
    /// The keys: (frontier, value) in one word, then the words of the placed set from the
    /// frontier's word to the window's end.
    keys: Vec<u64>,
    /// The sets of unknown writes used that each configuration was reached with: (next set of
    /// the same configuration or `NO_SET`, start in `used_words`).
    used_sets: Vec<(u32, u32)>,
    used_words: Vec<u64>,
}

struct MemoEntry {
    hash: u64,
    key_start: u32,
    key_len: u32,
    first_set: u32,
}

const NO_SET: u32 = u32::MAX;

impl Memo {
    fn with_capacity(configurations: usize) -> Memo {
        Memo { slots: vec![0; (2 * configurations).next_power_of_two().max(16)], ..Memo::default() }
    }

    /// Records that the configuration `head` + `placed` was reached with the unknown writes
    /// `used`; false if it was recorded before with a subset of them (with fewer unknown writes
    /// spent, it had everything this visit has, and it failed).
    fn first_visit(&mut self, head: u64, placed: &[u64], used: &[u64]) -> bool {
        let hash = placed.iter().fold(fx_add(0, head), |hash, &word| fx_add(hash, word));
        if 2 * (self.entries.len() + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = Memo::slot_of(hash, mask);
        loop {
            let e = self.slots[slot];
            if e == 0 {
                break;
            }
            let entry = &self.entries[e as usize - 1];
            let start = entry.key_start as usize;
            let key = &self.keys[start..start + entry.key_len as usize];
            if entry.hash == hash && key[0] == head && &key[1..] == placed {
                let mut set = entry.first_set;
                while set != NO_SET {
                    let (next, start) = self.used_sets[set as usize];
                    let earlier = &self.used_words[start as usize..start as usize + used.len()];
                    if earlier.iter().zip(used).all(|(&e, &u)| e & !u == 0) {
                        return false;
                    }
                    set = next;
                }
                let first_set = self.push_set(entry.first_set, used);
                self.entries[e as usize - 1].first_set = first_set;
                return true;
            }
            slot = (slot + 1) & mask;
        }
        let key_start = self.keys.len() as u32;
        self.keys.push(head);
        self.keys.extend_from_slice(placed);
        let first_set = self.push_set(NO_SET, used);
        self.entries.push(MemoEntry { hash, key_start, key_len: placed.len() as u32 + 1, first_set });
        self.slots[slot] = self.entries.len() as u32;
        true
    }

    fn push_set(&mut self, next: u32, used: &[u64]) -> u32 {
        self.used_sets.push((next, self.used_words.len() as u32));
        self.used_words.extend_from_slice(used);
        self.used_sets.len() as u32 - 1
    }

    fn slot_of(hash: u64, mask: usize) -> usize {
        // The multiply leaves its best bits at the top.
        (hash >> 32 ^ hash) as usize & mask
    }

    fn grow(&mut self) {
        let length = (2 * self.slots.len()).max(16);
        self.slots = vec![0; length];
        let mask = length - 1;
        for (e, entry) in self.entries.iter().enumerate() {
            let mut slot = Memo::slot_of(entry.hash, mask);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = e as u32 + 1;
        }
    }
}

/// Searches `ops` (one key) for a legal order from each of `starts` (register values) in turn,
/// while each search fails; returns the end of the last one run (the first that did not fail,
/// if any), its steps counting those of all. `value_count` bounds every value id in `ops` and
/// `starts`.
///
/// The searches share what they explored. Why that loses no legal order: what can follow a
/// configuration (ops placed, value held, unknown writes used) does not depend on how it was
/// reached nor on where the search began, and every configuration a search records is fully
/// explored, without success, by the time that search fails; so a later search may skip it as
/// its own earlier visit would have. Starts differ only until the first write, after which
/// their searches mostly meet configurations already explored.
fn search_from_each(ops: &[KeyOp], value_count: usize, starts: &[Val], step_budget: u64) -> SearchEnd {
    let mut memo: Option<Memo> = None;
    let mut steps = 0;
    let mut last = None;
    for &start in starts {
        let mut search = Search::new(ops, value_count, start);
        if let Some(seen) = memo.take() {
            search.seen = seen;
        }
        search.resume(step_budget.saturating_sub(steps));
        let end = search.end();
        steps += end.steps;
        last = Some(SearchEnd { steps, ..end });
        if end.answer != Some(false) {
            break;
        }
        memo = Some(std::mem::take(&mut search.seen));
    }
    last.expect("at least one start")
}

/// The definite operations of `ops`, as indices, in the order the search numbers them:
/// by invocation, then completion, then line.
fn definite_order(ops: &[KeyOp]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].effect.is_definite()).collect();
    sort::sort_by_key(&mut order, |&i| (ops[i].invoked, ops[i].completed, ops[i].line));
    order
}

/// A definite operation: it must be placed, between its invocation and its completion.
#[derive(Clone, Copy, Debug)]
struct Definite {
    invoked: u64,
    completed: u64,
    effect: Effect,
}

/// All unknown writes with the same effect. They are interchangeable, so they are used in order
/// of invocation: `used[c]` of them are used, always the earliest.
struct UnknownClass {
    effect: Effect,
    /// Ascending.
    invoked: Vec<u64>,
    /// Index of this class's first bit in the `used_bits` bitset.
    first_bit: usize,
}

/// One way to extend the order: place definite `op`, preceded by the unknown writes
/// `chains[chain_start..chain_start + chain_len]` (class ids, in order), leaving `value_after`.
#[derive(Clone, Copy, Debug)]
struct Move {
    op: u32,
    chain_start: u32,
    chain_len: u32,
    value_after: Val,
}

/// How many operations still to place read, and may still write, each value. A value that some
/// op must still read (or a cas must still find) but that is not held now and that nothing left
/// can write is a dead end, seen at once rather than only when that reader's turn comes. With
/// values written once each, as students usually write them, this cuts most wrong orders short.
struct Supply {
    /// Definite gets of the value, ok cas expecting it and failed cas that found it, not yet
    /// placed.
    readers: Vec<u32>,
    /// Definite and unknown writes of the value, not yet placed or used.
    writers: Vec<u32>,
    /// How many values have readers but no writers.
    starving: u32,
}

impl Supply {
    fn is_starving(&self, v: Val) -> bool {
        self.readers[v as usize] > 0 && self.writers[v as usize] == 0
    }

    /// Counts an op's reads and writes in (`delta` = 1) or out (-1).
    fn count(&mut self, effect: Effect, delta: i32) {
        let (read, written) = (effect.read(), effect.written());
        for (v, is_read) in read.map(|v| (v, true)).into_iter().chain(written.map(|v| (v, false))) {
            let before = self.is_starving(v);
            let counter = if is_read { &mut self.readers[v as usize] } else { &mut self.writers[v as usize] };
            *counter = counter.checked_add_signed(delta).expect("counts stay in range");
            match (before, self.is_starving(v)) {
                (false, true) => self.starving += 1,
                (true, false) => self.starving -= 1,
                _ => {}
            }
        }
    }

    /// Whether some value other than `current` is still to be read and can no longer be written.
    fn starves(&self, current: Val) -> bool {
        self.starving > u32::from(self.is_starving(current))
    }
}

/// A node of the depth-first search: the moves generated there and the next one to try.
struct Frame {
    value: Val,
    moves_start: usize,
    next: usize,
    chains_start: usize,
    /// What `window` returned here.
    bound: u64,
    /// Whether the moves through unknown writes are generated yet: only once every direct move
    /// has failed (they come after them anyway), since most nodes never get that far.
    chained: bool,
}

struct Search {
    /// Sorted by invocation.
    ops: Vec<Definite>,
    classes: Vec<UnknownClass>,
    /// Unknown put classes by the value they write (at most one per value).
    put_class_of_value: Vec<Option<u32>>,
    /// Unknown cas classes by the value they write.
    cas_classes_by_new: Vec<Vec<u32>>,

    // The current configuration.
    placed: Vec<u64>,
    /// Every op before `frontier` is placed; `frontier` itself is not.
    frontier: usize,
    placed_count: usize,
    value: Val,
    used: Vec<u32>,
    used_bits: Vec<u64>,
    supply: Supply,

    /// The path of the depth-first search, kept between calls of `resume`.
    stack: Vec<Frame>,
    started: bool,
    answer: Option<bool>,
    steps: u64,
    deepest_frontier: usize,
    furthest_window_end: usize,
    furthest_starved_reader: Option<usize>,
    /// The unplaced ops, linked in order; index `ops.len()` is both ends of the ring.
    unplaced_next: Vec<u32>,
    unplaced_prev: Vec<u32>,
    /// Set by `window`: the unplaced op that completes first (at the bound), if any.
    first_to_complete: Option<u32>,
    /// Positions of the definite ops that read each value (gets, ok cas expecting it, failed cas
    /// that found it).
    readers_at: Vec<Vec<u32>>,
    /// Every configuration explored: (placed set, value) → the sets of unknown writes used when
    /// it was reached. One that was reached with fewer unknown writes used dominates: it had
    /// everything this one has, and it failed.
    seen: Memo,
    // Scratch space reused between nodes.
    candidates: Vec<u32>,
    /// The values that a definite write among the candidates could write right now.
    writable_now: Vec<Val>,
    moves: Vec<Move>,
    chains: Vec<u32>,
}

impl Search {
    fn new(key_ops: &[KeyOp], value_count: usize, initial: Val) -> Search {
        let ops: Vec<Definite> = definite_order(key_ops)
            .into_iter()
            .map(|i| Definite {
                invoked: key_ops[i].invoked,
                completed: key_ops[i].completed,
                effect: key_ops[i].effect,
            })
            .collect();

        let mut class_of_effect: HashMap<Effect, usize> = HashMap::new();
        let mut classes: Vec<UnknownClass> = Vec::new();
        // An unknown cas that would write what it expects changes nothing: leave it out.
        let changes = |effect: Effect| !matches!(effect, Effect::MaybeCas { expected, new } if expected == new);
        for op in key_ops.iter().filter(|op| !op.effect.is_definite() && changes(op.effect)) {
            let c = *class_of_effect.entry(op.effect).or_insert_with(|| {
                classes.push(UnknownClass { effect: op.effect, invoked: Vec::new(), first_bit: 0 });
                classes.len() - 1
            });
            classes[c].invoked.push(op.invoked);
        }
        let mut put_class_of_value = vec![None; value_count];
        let mut cas_classes_by_new = vec![Vec::new(); value_count];
        let mut bits = 0;
        for (c, class) in classes.iter_mut().enumerate() {
            sort::sort(&mut class.invoked);
            class.first_bit = bits;
            bits += class.invoked.len();
            match class.effect {
                Effect::MaybePut { value } => put_class_of_value[value as usize] = Some(c as u32),
                Effect::MaybeCas { new, .. } => cas_classes_by_new[new as usize].push(c as u32),
                _ => unreachable!("only unknown writes form classes"),
            }
        }
        let op_count = ops.len();
        let class_count = classes.len();
        let mut supply = Supply { readers: vec![0; value_count], writers: vec![0; value_count], starving: 0 };
        let mut readers_at = vec![Vec::new(); value_count];
        for (p, op) in ops.iter().enumerate() {
            supply.count(op.effect, 1);
            if let Some(value) = op.effect.read() {
                readers_at[value as usize].push(p as u32);
            }
        }
        for class in &classes {
            for _ in &class.invoked {
                supply.count(class.effect, 1);
            }
        }
        Search {
            ops,
            classes,
            put_class_of_value,
            cas_classes_by_new,
            placed: vec![0; op_count.div_ceil(64) + 1],
            frontier: 0,
            placed_count: 0,
            value: initial,
            used: vec![0; class_count],
            used_bits: vec![0; bits.div_ceil(64)],
            supply,
            stack: Vec::new(),
            started: false,
            answer: None,
            steps: 0,
            deepest_frontier: 0,
            furthest_window_end: 0,
            furthest_starved_reader: None,
            first_to_complete: None,
            unplaced_next: (0..=op_count as u32).map(|i| (i + 1) % (op_count as u32 + 1)).collect(),
            unplaced_prev: (0..=op_count as u32).map(|i| (i + op_count as u32) % (op_count as u32 + 1)).collect(),
            readers_at,
            seen: Memo::with_capacity(2 * op_count),
            candidates: Vec::new(),
            writable_now: Vec::new(),
            moves: Vec::new(),
            chains: Vec::new(),
        }
    }

    fn is_placed(&self, i: usize) -> bool {
        self.placed[i / 64] & (1 << (i % 64)) != 0
    }

    /// The ops that may come next, into `self.candidates`, and the bound: every op placed next
    /// (definite or unknown) must have been invoked by then. Returns (bound, end of the window).
    fn window(&mut self) -> (u64, usize) {
        self.candidates.clear();
        let mut bound = NEVER;
        let none = self.ops.len();
        self.first_to_complete = None;
        // Only the unplaced ops, through their links. The first one invoked after the bound ends
        // the window: every placed op was invoked by the bound of its time, and bounds only grow
        // along a path, so every op at or beyond it is unplaced.
        let mut end = self.frontier;
        while end < none && self.ops[end].invoked <= bound {
            if self.ops[end].completed < bound || self.first_to_complete.is_none() {
                bound = self.ops[end].completed;
                self.first_to_complete = Some(end as u32);
            }
            end = self.unplaced_next[end] as usize;
        }
        // `bound` only fell during the scan, so ops scanned early may lie beyond it.
        let mut i = self.frontier;
        while i != end {
            if self.ops[i].invoked <= bound {
                self.candidates.push(i as u32);
            }
            i = self.unplaced_next[i] as usize;
        }
        (bound, end)
    }

    /// Records the current configuration as explored; false if it (or one that dominates it)
    /// was explored before. `end` is where the window ends (no op at or beyond it is placed),
    /// so the placed set is the words from the frontier's to the end's.
    fn first_visit(&mut self, end: usize) -> bool {
        let first_word = self.frontier / 64;
        let last_word = if end > self.frontier { (end - 1) / 64 } else { first_word };
        let head = ((self.frontier as u64) << 32) | self.value as u64;
        self.seen.first_visit(head, &self.placed[first_word..=last_word], &self.used_bits)
    }

    /// Whether the unplaced op that completes first (at `bound`) reads a value that the key does
    /// not hold and that nothing allowed to come before that op can write: a dead end.
    ///
    /// Why no legal order is lost: every op placed before that op `e` (at `bound`) must have been
    /// invoked by `bound`, or `e` would precede it in real time. If `e` must find v and the key
    /// does not hold v now, the last write before `e` writes v, so it is one of the unplaced
    /// definite writes of v invoked by `bound` (the candidates), or an unknown write of v that is
    /// still available by `bound` (an unknown cas may end a chain: any available class counts).
    fn first_read_unwritable(&self, bound: u64) -> bool {
        let Some(v) = self.needed() else { return false };
        if self.candidates.iter().any(|&i| self.ops[i as usize].effect.written() == Some(v)) {
            return false;
        }
        let by_unknown_put = self.put_class_of_value[v as usize].is_some_and(|c| self.available(c, bound));
        let by_unknown_cas = self.cas_classes_by_new[v as usize].iter().any(|&c| self.available(c, bound));
        !(by_unknown_put || by_unknown_cas)
    }

    /// The value the op that completes first must find, when the key does not hold it now
    /// (after `window`).
    fn needed(&self) -> Option<Val> {
        let first = self.first_to_complete?;
        self.ops[first as usize].effect.read().filter(|&v| v != self.value)
    }

    fn available(&self, class: u32, bound: u64) -> bool {
        let class_index = class as usize;
        let used = self.used[class_index] as usize;
        let invoked = &self.classes[class_index].invoked;
        used < invoked.len() && invoked[used] <= bound
    }

    /// Appends to `self.moves` the ways to place op `i` next: with `chained` false, the move
    /// that places it directly (if the key's value allows it); with `chained` true, those that
    /// place it after a chain of unknown writes.
    fn generate_moves(&mut self, i: u32, bound: u64, chained: bool) {
        let s = self.value;
        // The value the op must find, and the value it leaves.
        let (target, value_after) = match self.ops[i as usize].effect {
            Effect::Put { value } => (s, value),
            Effect::Get { value } => (value, value),
            Effect::Cas { expected, new } => (expected, new),
            // A cas that found what it expected would have succeeded: it has no place.
            Effect::CasFailed { expected, found, .. } if found == expected => return,
            Effect::CasFailed { found, .. } => (found, found),
            Effect::MaybePut { .. } | Effect::MaybeCas { .. } => unreachable!("unknown ops are not definite"),
        };
        match (target == s, chained) {
            (true, false) => self.moves.push(Move { op: i, chain_start: 0, chain_len: 0, value_after }),
            (false, true) => self.chain_moves(i, target, value_after, bound),
            _ => {}
        }
    }

    fn push_chain_move(&mut self, op: u32, chain: &[u32], value_after: Val) {
        let chain_start = self.chains.len() as u32;
        self.chains.extend_from_slice(chain);
        self.moves.push(Move { op, chain_start, chain_len: chain.len() as u32, value_after });
    }

    /// Moves that place op `i` after a chain of unknown writes turning the current value into
    /// `target`; the op then leaves `value_after`.
    ///
    /// When a definite write of `target` could be placed now, chains that begin with an unknown
    /// put are left out: placing that write now and the read after it does at least as well,
    /// since wherever the write would have gone later, the same unknown chain can go instead.
    fn chain_moves(&mut self, i: u32, target: Val, value_after: Val, bound: u64) {
        // No unknown write produces `target`: no chain, found without allocating (reads that must
        // wait are common, unknown writes rare). The step is counted as `find_chains` would.
        if self.put_class_of_value[target as usize].is_none() && self.cas_classes_by_new[target as usize].is_empty() {
            self.steps += 1;
            return;
        }
        let mut chains_found: Vec<Vec<u32>> = Vec::new();
        let mut visited = vec![target];
        let mut suffix = Vec::new();
        let put_led = !self.writable_now.contains(&target);
        self.find_chains(target, bound, put_led, &mut visited, &mut suffix, &mut chains_found);
        for chain in chains_found {
            self.push_chain_move(i, &chain, value_after);
        }
    }

    /// Every simple chain of available unknown writes from the current value to `target`,
    /// searched backwards from `target` (with `put_led` false, only those that begin with a cas).
    /// `suffix` holds, reversed, the links already chosen after `target`; `visited` the values on
    /// the way, so that no value repeats.
    fn find_chains(
        &mut self,
        target: Val,
        bound: u64,
        put_led: bool,
        visited: &mut Vec<Val>,
        suffix: &mut Vec<u32>,
        out: &mut Vec<Vec<u32>>,
    ) {
        self.steps += 1;
        let finish = |first: u32, suffix: &[u32]| {
            let mut chain = Vec::with_capacity(suffix.len() + 1);
            chain.push(first);
            chain.extend(suffix.iter().rev());
            chain
        };
        if let Some(c) = self.put_class_of_value[target as usize] {
            if put_led && self.available(c, bound) {
                out.push(finish(c, suffix));
            }
        }
        for k in 0..self.cas_classes_by_new[target as usize].len() {
            let c = self.cas_classes_by_new[target as usize][k];
            if !self.available(c, bound) {
                continue;
            }
            let Effect::MaybeCas { expected, .. } = self.classes[c as usize].effect else { unreachable!() };
            if expected == self.value {
                out.push(finish(c, suffix));
            } else if !visited.contains(&expected) {
                visited.push(expected);
                suffix.push(c);
                self.find_chains(expected, bound, put_led, visited, suffix, out);
                suffix.pop();
                visited.pop();
            }
        }
    }

    fn apply(&mut self, mv: Move) {
        for k in mv.chain_start..mv.chain_start + mv.chain_len {
            let c = self.chains[k as usize] as usize;
            let bit = self.classes[c].first_bit + self.used[c] as usize;
            self.used[c] += 1;
            self.used_bits[bit / 64] |= 1 << (bit % 64);
            self.supply.count(self.classes[c].effect, -1);
        }
        let i = mv.op as usize;
        self.supply.count(self.ops[i].effect, -1);
        self.placed[i / 64] |= 1 << (i % 64);
        self.placed_count += 1;
        let (before, after) = (self.unplaced_prev[i], self.unplaced_next[i]);
        self.unplaced_next[before as usize] = after;
        self.unplaced_prev[after as usize] = before;
        self.frontier = self.unplaced_next[self.ops.len()] as usize;
        self.value = mv.value_after;
    }

    fn undo(&mut self, mv: Move, value_before: Val) {
        for k in (mv.chain_start..mv.chain_start + mv.chain_len).rev() {
            let c = self.chains[k as usize] as usize;
            self.used[c] -= 1;
            let bit = self.classes[c].first_bit + self.used[c] as usize;
            self.used_bits[bit / 64] &= !(1 << (bit % 64));
            self.supply.count(self.classes[c].effect, 1);
        }
        let i = mv.op as usize;
        self.supply.count(self.ops[i].effect, 1);
        self.placed[i / 64] &= !(1 << (i % 64));
        self.placed_count -= 1;
        // Undone in the reverse order of `apply`: the neighbours it linked are neighbours still.
        let (before, after) = (self.unplaced_prev[i], self.unplaced_next[i]);
        self.unplaced_next[before as usize] = i as u32;
        self.unplaced_prev[after as usize] = i as u32;
        self.frontier = self.frontier.min(i);
        self.value = value_before;
    }

    /// Generates the moves of the current configuration onto the stack of moves. A read that is
    /// allowed now is the only move tried (placing it now is never worse). Otherwise the direct
    /// moves, those that use no unknown write; the others wait for `chain_moves_of_top`.
    /// `bound` and `end` are what `window` just returned.
    fn expand(&mut self, bound: u64, end: usize) {
        self.furthest_window_end = self.furthest_window_end.max(end);
        let mut frame = Frame {
            value: self.value,
            moves_start: self.moves.len(),
            next: self.moves.len(),
            chains_start: self.chains.len(),
            bound,
            chained: false,
        };
        let s = self.value;
        let forced = self.candidates.iter().copied().find(|&i| self.ops[i as usize].effect.reads_unchanged(s));
        if let Some(i) = forced {
            self.moves.push(Move { op: i, chain_start: 0, chain_len: 0, value_after: s });
            frame.chained = true;
        } else {
            self.order_candidates();
            for k in 0..self.candidates.len() {
                self.generate_moves(self.candidates[k], bound, false);
            }
        }
        self.stack.push(frame);
    }

    /// Sorts `self.candidates` in the order their moves are tried: when the op that completes
    /// first must find a value the key does not hold, the writes of that value first; then by
    /// completion.
    fn order_candidates(&mut self) {
        let needed = self.needed();
        let ops = &self.ops;
        sort::sort_by_key(&mut self.candidates, |&i| {
            let op = ops[i as usize];
            (needed.is_none() || op.effect.written() != needed, op.completed)
        });
    }

    /// Once every direct move of the top frame has failed: its moves through chains of unknown
    /// writes, shortest chains first (an order found without unknown writes, or with fewer,
    /// dominates one that spends more). Returns whether there are any.
    fn chain_moves_of_top(&mut self) -> bool {
        let frame = self.stack.last_mut().expect("the stack is not empty");
        frame.chained = true;
        let (bound, first_move) = (frame.bound, self.moves.len());
        // The configuration is the one `expand` saw: the same candidates.
        self.window();
        self.order_candidates();
        let s = self.value;
        self.writable_now.clear();
        for k in 0..self.candidates.len() {
            match self.ops[self.candidates[k] as usize].effect {
                Effect::Put { value } => self.writable_now.push(value),
                Effect::Cas { expected, new } if expected == s => self.writable_now.push(new),
                _ => {}
            }
        }
        for k in 0..self.candidates.len() {
            self.generate_moves(self.candidates[k], bound, true);
        }
        sort::sort_by_key(&mut self.moves[first_move..], |mv| mv.chain_len);
        self.moves.len() > first_move
    }

    fn end(&self) -> SearchEnd {
        SearchEnd {
            answer: self.answer,
            steps: self.steps,
            deepest_frontier: self.deepest_frontier,
            furthest_window_end: self.furthest_window_end,
            furthest_starved_reader: self.furthest_starved_reader,
        }
    }

    /// After a move that left some reader without a writer: when the value just overwritten is
    /// the starved one, remembers its first reader still to place, the op the violation lies at.
    fn note_starved_reader(&mut self, value_before: Val) {
        if value_before == self.value || !self.supply.is_starving(value_before) {
            return;
        }
        let first = self.readers_at[value_before as usize].iter().map(|&p| p as usize).find(|&p| !self.is_placed(p));
        if let Some(p) = first {
            self.furthest_starved_reader = self.furthest_starved_reader.max(Some(p));
        }
    }

    /// Searches on until the answer is known (Some) or `step_limit` steps have been taken in
    /// all (None); it may be called again with a higher limit to go on where it stopped.
    fn resume(&mut self, step_limit: u64) -> Option<bool> {
        if self.answer.is_none() {
            self.answer = self.depth_first(step_limit);
        }
        self.answer
    }

    fn depth_first(&mut self, step_limit: u64) -> Option<bool> {
        if !self.started {
            self.started = true;
            if self.ops.is_empty() {
                return Some(true);
            }
            let (bound, end) = self.window();
            self.expand(bound, end);
        }
        loop {
            let Some(frame) = self.stack.last() else { return Some(false) };
            if frame.next == self.moves.len() && !frame.chained && self.chain_moves_of_top() {
                continue;
            }
            let Some(frame) = self.stack.last() else { return Some(false) };
            if frame.next == self.moves.len() {
                // Every move from here failed: back up one level.
                let frame = self.stack.pop().expect("the stack is not empty");
                self.moves.truncate(frame.moves_start);
                self.chains.truncate(frame.chains_start);
                let Some(parent) = self.stack.last() else { return Some(false) };
                let (mv, value_before) = (self.moves[parent.next - 1], parent.value);
                self.undo(mv, value_before);
                continue;
            }
            if self.steps >= step_limit {
                return None;
            }
            let mv = self.moves[frame.next];
            self.stack.last_mut().expect("the stack is not empty").next += 1;
            self.steps += 1;
            self.apply(mv);
            if self.placed_count == self.ops.len() {
                return Some(true);
            }
            let (bound, end) = self.window();
            self.deepest_frontier = self.deepest_frontier.max(self.frontier);
            self.furthest_window_end = self.furthest_window_end.max(end);
            let value_before = self.stack.last().expect("the stack is not empty").value;
            if self.supply.starves(self.value) {
                self.note_starved_reader(value_before);
                self.undo(mv, value_before);
                continue;
            }
            if self.first_read_unwritable(bound) {
                self.undo(mv, value_before);
                continue;
            }
            if !self.first_visit(end) {
                self.undo(mv, value_before);
                continue;
            }
            self.expand(bound, end);
        }
    }
}

/// One word into an Fx hash (as in rustc): fast and good enough for the memo keys.
fn fx_add(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

// ---------------------------------------------------------------------------------------------
// Explaining a violation.

/// A stretch of one key's definite operations, positions `lo..hi` in [`definite_order`], checked
/// on its own. With `lo` = 0 it starts from the beginning, when the key is absent. Otherwise:
/// - the operations before it that completed before its first one began are left out, and the
///   key's value at that instant is left open: the stretch must fail whatever the key held;
/// - those before it that were still running then are weakened (see [`Effect::weakened`]), as
///   are those after it, and unknown writes are kept, since they may take effect at any time.
///
/// Whenever a stretch fails, the whole history does: any legal order of the whole would give
/// one of the stretch, from the value the key held once the left-out operations were done.
#[derive(Clone, Copy, Debug)]
struct Window {
    lo: usize,
    hi: usize,
}

/// The operations that are shown not to admit a legal order, and where that starts.
struct Core {
    ops: Vec<KeyOp>,
    /// None: from the beginning of the run. Some(op): whatever the key held when `op` was
    /// invoked.
    from: Option<KeyOp>,
}

/// Checks stretches of operations that sometimes refute a whole key's history far more cheaply
/// than the whole search does, and always give a short story to tell.
struct Stretches<'a> {
    key_history: &'a KeyHistory,
    /// `definite_order` of the key's ops.
    order: Vec<usize>,
    /// position in `order` of each op (usize::MAX for unknown ops).
    position: Vec<usize>,
    steps_left: u64,
    steps_taken: u64,
}

/// Steps one check of a stretch may take.
const STRETCH_STEPS_MAX: u64 = 1_000_000;

impl<'a> Stretches<'a> {
    fn new(key_history: &'a KeyHistory, steps_left: u64) -> Stretches<'a> {
        let order = definite_order(&key_history.ops);
        let mut position = vec![usize::MAX; key_history.ops.len()];
        for (p, &i) in order.iter().enumerate() {
            position[i] = p;
        }
        Stretches { key_history, order, position, steps_left, steps_taken: 0 }
    }

    /// The op whose invocation a window starts at, or None for a window from the beginning.
    fn start(&self, window: Window) -> Option<KeyOp> {
        (window.lo > 0).then(|| self.key_history.ops[self.order[window.lo]])
    }

    /// The history of a window in which only the definite ops at positions where `strong` is
    /// true keep their full claims.
    fn history(&self, window: Window, strong: &[bool]) -> Vec<KeyOp> {
        let ops = &self.key_history.ops;
        let start = self.start(window).map_or(0, |op| op.invoked);
        let is_strong = |p: usize| p >= window.lo && p < window.hi && strong[p];
        // An optional op invoked after every strong op completed could only come after them all,
        // where it changes nothing: leave it out.
        let horizon = (window.lo..window.hi).filter(|&p| is_strong(p)).map(|p| ops[self.order[p]].completed).max();
        let horizon = horizon.unwrap_or(0);
        let mut kept = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let p = self.position[i];
            if p != usize::MAX && is_strong(p) {
                kept.push(*op);
            } else if op.invoked > horizon || (p < window.lo && op.completed < start) {
                // Too late to matter, or done before the window starts: summed up by the open
                // value.
            } else if p == usize::MAX {
                kept.push(*op);
            } else if let Some(effect) = op.effect.weakened() {
                kept.push(KeyOp { effect, ..*op });
            }
        }
        kept
    }

    /// Whether the window, with these ops strong, certainly has no legal order. False also when
    /// the steps run out, so a caller only ever relies on a proven failure.
    fn fails(&mut self, window: Window, strong: &[bool]) -> bool {
        let ops = self.history(window, strong);
        let value_count = self.key_history.value_count();
        let starts: Vec<Val> = if window.lo == 0 { vec![ABSENT] } else { open_values(&ops, value_count) };
        let end = search_from_each(&ops, value_count, &starts, self.steps_left.min(STRETCH_STEPS_MAX));
        self.steps_left = self.steps_left.saturating_sub(end.steps);
        self.steps_taken += end.steps;
        end.answer == Some(false)
    }
}

/// The values worth trying as the open value a window starts from: absent, each value some op
/// observes, and one that nobody names (every other value behaves like it).
fn open_values(ops: &[KeyOp], value_count: usize) -> Vec<Val> {
    let mut values = vec![ABSENT, (value_count - 1) as Val];
    for op in ops {
        match op.effect {
            Effect::Get { value } | Effect::Cas { expected: value, .. } | Effect::MaybeCas { expected: value, .. } => {
                values.push(value)
            }
            Effect::CasFailed { found, .. } => values.push(found),
            Effect::Put { .. } | Effect::MaybePut { .. } => {}
        }
    }
    sort::sort(&mut values);
    values.dedup();
    values
}

/// At most this many operations of a window are tried one by one when shrinking it.
const SHRINK_TRIES_MAX: usize = 400;

impl Stretches<'_> {
    /// Looks for a small window that fails on its own, ending where the search got stuck and
    /// doubling backwards until it reaches the beginning or `width_max`.
    fn find_refuting_window(&mut self, end: &SearchEnd, width_max: usize) -> Option<Window> {
        let count = self.order.len();
        let stuck = (end.deepest_frontier + 1).min(count);
        let hi = end.furthest_window_end.clamp(stuck, count);
        if let Some(window) = self.refuting_window_ending(stuck, hi, width_max) {
            return Some(window);
        }
        // A reader starved by the moves tried, beyond the windows: the windows ending at it.
        let reader_end = (end.furthest_starved_reader? + 1).min(count);
        if reader_end > hi {
            return self.refuting_window_ending(reader_end, reader_end, width_max);
        }
        None
    }

    /// Tries the windows that end at `hi` and start `width` ops before `anchor`, for widths
    /// doubling from 2 to `width_max` or the beginning.
    fn refuting_window_ending(&mut self, anchor: usize, hi: usize, width_max: usize) -> Option<Window> {
        let strong = vec![true; self.order.len()];
        let mut width = 2;
        loop {
            let window = Window { lo: anchor.saturating_sub(width), hi };
            if self.fails(window, &strong) {
                return Some(window);
            }
            if window.lo == 0 || self.steps_left == 0 || width >= width_max {
                return None;
            }
            width *= 2;
        }
    }

    /// Shrinks a failing window to a core and describes it.
    ///
    /// Shrinking weakens operations rather than deleting them, because deleting a write can create a
    /// violation that was not there (a read of its value would lose its explanation). A weakened
    /// read says nothing; a weakened write becomes unknown ("may have happened, any time after its
    /// invocation"). A weaker history that still fails proves the original does, and the operations
    /// left unweakened are the core. The window is first cut to its shortest failing prefix and,
    /// if it starts from an open value, to its latest failing start; then its ops are weakened
    /// in groups, halving the groups down to single ops, each group kept weakened if the window
    /// still fails.
    fn explain(&mut self, window: Window) -> Violation {
        let stretches = self;
        let key_history = stretches.key_history;
        let mut window = window;
        let mut strong: Vec<bool> = (0..stretches.order.len()).map(|p| p >= window.lo && p < window.hi).collect();
        // The shortest failing prefix of the window: the last op it needs.
        let mut lo = window.lo;
        while window.hi - lo > 1 {
            let mid = (lo + window.hi) / 2;
            let prefix = Window { lo: window.lo, hi: mid };
            if stretches.fails(prefix, &strong) {
                window = prefix;
            } else {
                lo = mid;
            }
        }
        // Then, for a window that starts from an open value, the latest start that still fails:
        // the fewer ops, the cheaper each try below.
        if window.lo > 0 {
            let mut hi = window.hi - 1;
            while hi - window.lo > 1 {
                let mid = (window.lo + hi).div_ceil(2);
                let suffix = Window { lo: mid, hi: window.hi };
                if stretches.fails(suffix, &strong) {
                    window = suffix;
                } else {
                    hi = mid;
                }
            }
        }
        // The last pass, one op at a time, leaves a core in which every op is needed: an op kept
        // then made the window linearizable when weakened, and weakening more ops since only
        // makes a history easier to order. The passes with larger groups before it save most of
        // the expensive tries (a try that still fails has to refute every order) when most ops
        // are not needed. Reads first, so that writes stay when either would do: writes and the
        // read they contradict make the clearer story.
        let mut tries: Vec<usize> = (window.lo..window.hi).collect();
        sort::sort_by_key(&mut tries, |&p| key_history.ops[stretches.order[p]].effect.written().is_some());
        tries.truncate(SHRINK_TRIES_MAX);
        let mut chunk = tries.len().div_ceil(2).max(1);
        loop {
            for group in tries.chunks(chunk) {
                let weakened: Vec<usize> = group.iter().copied().filter(|&p| strong[p]).collect();
                if weakened.is_empty() {
                    continue;
                }
                for &p in &weakened {
                    strong[p] = false;
                }
                if !stretches.fails(window, &strong) {
                    for &p in &weakened {
                        strong[p] = true;
                    }
                }
            }
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
        let mut ops: Vec<KeyOp> =
            (window.lo..window.hi).filter(|&p| strong[p]).map(|p| key_history.ops[stretches.order[p]]).collect();
        sort::sort_by_key(&mut ops, |op| (op.invoked, op.line));
        describe_violation(key_history, &Core { ops, from: stretches.start(window) })
    }
}

/// At most this many writes of a value are listed as where it could have come from.
const OTHER_SOURCES_MAX: usize = 3;

/// How many core operations are listed before "and N more".
const LISTED_OPS_MAX: usize = 12;

fn describe_violation(key_history: &KeyHistory, core: &Core) -> Violation {
    let words = Words { key_history };
    let key = &key_history.key;
    let sentence = if core.from.is_none() { words.pattern_alone(&core.ops) } else { None };
    let sentence = sentence.or_else(|| words.pattern(&core.ops));
    let told = sentence.is_some();
    let mut text = match sentence {
        Some(sentence) => format!("{sentence} The operations involved:"),
        None => match core.from {
            None => format!("No order of these operations on {key} agrees both with their timing and with a register's rules:"),
            Some(start) => format!(
                "Whatever {key} held at {} ms, when line {} began, no order of these operations agrees both with their timing and with a register's rules:",
                start.invoked_ms, start.line
            ),
        },
    };
    for op in core.ops.iter().take(LISTED_OPS_MAX) {
        text.push_str("\n  ");
        text.push_str(&words.listing(op));
    }
    if core.ops.len() > LISTED_OPS_MAX {
        text.push_str(&format!("\n  and {} more", core.ops.len() - LISTED_OPS_MAX));
    }
    if !told {
        text.push_str(&words.other_sources(&core.ops));
    }
    text.push_str(&words.failed_cas_note(&core.ops));
    let mut lines: Vec<u32> = core.ops.iter().map(|op| op.line).collect();
    sort::sort(&mut lines);
    Violation {
        key: key.clone(),
        lines,
        explanation: text,
        from_ms: core.from.map(|op| op.invoked_ms),
        from_line: core.from.map(|op| op.line),
    }
}

struct Words<'a> {
    key_history: &'a KeyHistory,
}

impl Words<'_> {
    fn key(&self) -> &str {
        &self.key_history.key
    }

    /// For a listing without a sentence: where the values the core reads could otherwise have
    /// come from (writes outside the core whose intervals reach into its time), since the
    /// contradiction is often that each of them can serve one read only.
    fn other_sources(&self, core: &[KeyOp]) -> String {
        let from = core.iter().map(|op| op.invoked).min().unwrap_or(0);
        let to = core.iter().map(|op| op.completed).max().unwrap_or(0);
        let mut read: Vec<Val> = core
            .iter()
            .filter_map(|op| op.effect.read())
            .filter(|&v| v != ABSENT && !core.iter().any(|op| op.effect.written() == Some(v)))
            .collect();
        sort::sort(&mut read);
        read.dedup();
        let mut text = String::new();
        for v in read {
            let sources: Vec<&KeyOp> = self
                .key_history
                .ops
                .iter()
                .filter(|w| w.effect.written() == Some(v) && w.invoked <= to && w.completed >= from)
                .collect();
            if sources.is_empty() || sources.len() > OTHER_SOURCES_MAX {
                continue;
            }
            text.push_str(&format!("\n{} can only have come from:", self.value(v)));
            for w in sources {
                text.push_str("\n  ");
                text.push_str(&self.listing(w));
            }
        }
        text
    }

    /// Students often take a failed cas for a write that did not happen, and nothing more: say
    /// that it is a read, naming the failed cas of the core.
    fn failed_cas_note(&self, core: &[KeyOp]) -> String {
        let failed: Vec<String> = core
            .iter()
            .filter(|op| matches!(op.effect, Effect::CasFailed { .. }))
            .map(|op| op.line.to_string())
            .collect();
        let which = match failed.as_slice() {
            [] => return String::new(),
            [one] => format!("the failed cas of line {one} is such a read"),
            [rest @ .., last] => format!("the failed cas of lines {} and {last} are such reads", rest.join(", ")),
        };
        format!(
            "\nA cas that fails still reads {}: it reports the value it found, which {} must have held at some instant while the cas ran. Here {which}.",
            self.key(),
            self.key()
        )
    }

    /// A value as the scenario writes it: `-` for absent.
    fn value(&self, v: Val) -> &str {
        self.key_history.values[v as usize].as_deref().unwrap_or("-")
    }

    /// "= alice" or "absent": what the key held.
    fn holding(&self, v: Val) -> String {
        match v {
            ABSENT => "absent".to_string(),
            v => format!("= {}", self.value(v)),
        }
    }

    /// The operation as the scenario wrote it, with its line: "cas bike42 -→alice (line 9)".
    fn name(&self, op: &KeyOp) -> String {
        format!("{} (line {})", self.form(op), op.line)
    }

    /// The operation as the scenario wrote it: "cas bike42 -→alice".
    fn form(&self, op: &KeyOp) -> String {
        let key = self.key();
        match op.effect {
            Effect::Put { value } | Effect::MaybePut { value } => format!("put {key} {}", self.value(value)),
            Effect::Get { .. } => format!("get {key}"),
            Effect::Cas { expected, new }
            | Effect::MaybeCas { expected, new }
            | Effect::CasFailed { expected, new, .. } => {
                format!("cas {key} {}→{}", self.value(expected), self.value(new))
            }
        }
    }

    /// One line of the listing: "line 9: cas bike42 -→alice, ok, 1200 ms to 1260 ms".
    fn listing(&self, op: &KeyOp) -> String {
        let interval = format!("from {} ms to {} ms", op.invoked_ms, op.completed_ms);
        let what = match op.effect {
            Effect::Get { value: ABSENT } => format!("returned nothing ({} absent), {interval}", self.key()),
            Effect::Get { value } => format!("returned {}, {interval}", self.value(value)),
            Effect::Put { .. } | Effect::Cas { .. } => format!("ok, {interval}"),
            Effect::CasFailed { found: ABSENT, .. } => format!("failed, found {} absent, {interval}", self.key()),
            Effect::CasFailed { found, .. } => format!("failed, found {}, {interval}", self.value(found)),
            Effect::MaybePut { .. } | Effect::MaybeCas { .. } => {
                format!("outcome unknown, invoked at {} ms", op.invoked_ms)
            }
        };
        format!("line {}: {}, {what}", op.line, self.form(op))
    }

    /// What an op claims to have seen, as a clause: "returned alice", "succeeded, so it found
    /// bike42 absent". None for writes that observe nothing.
    fn observed(&self, op: &KeyOp) -> Option<(Val, String)> {
        match op.effect {
            Effect::Get { value: ABSENT } => Some((ABSENT, format!("returned nothing ({} absent)", self.key()))),
            Effect::Get { value } => Some((value, format!("returned {}", self.value(value)))),
            Effect::Cas { expected, .. } => {
                Some((expected, format!("succeeded, so it found {} {}", self.key(), self.holding(expected))))
            }
            Effect::CasFailed { found, .. } => {
                Some((found, format!("failed because it found {} {}", self.key(), self.holding(found))))
            }
            _ => None,
        }
    }

    /// A specific sentence for the common shapes of violation, None for the others.
    fn pattern(&self, core: &[KeyOp]) -> Option<String> {
        match core {
            [a, b] => self.pattern_pair(a, b),
            [_, _, _] => {
                // A read of a value that was overwritten before the read began.
                let reader = core.iter().find(|op| self.observed(op).is_some() && op.effect.written().is_none())?;
                let (seen, clause) = self.observed(reader)?;
                let writers: Vec<&KeyOp> = core.iter().filter(|op| op.line != reader.line).collect();
                let (old, newer) = match (writers[0].effect.written(), writers[1].effect.written()) {
                    (Some(w0), Some(w1)) if w0 == seen && w1 != seen => (writers[0], writers[1]),
                    (Some(w0), Some(w1)) if w1 == seen && w0 != seen => (writers[1], writers[0]),
                    _ => return None,
                };
                let reader_kind = match reader.effect {
                    Effect::CasFailed { .. } => "the failed cas",
                    _ => "the get",
                };
                if old.completed < newer.invoked && newer.completed < reader.invoked {
                    Some(format!(
                        "{} {clause} after {} had completed, but {} had completed before that write began, and no other write of {} could have come in between: {reader_kind} read a value that had been overwritten before it began.",
                        &self.name(reader),
                        self.name(newer),
                        self.name(old),
                        self.value(seen)
                    ))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Two operations that contradict each other.
    fn pattern_pair(&self, a: &KeyOp, b: &KeyOp) -> Option<String> {
        let key = self.key();
        if let (Effect::Cas { expected: ea, .. }, Effect::Cas { expected: eb, .. }) = (a.effect, b.effect) {
            if ea == eb {
                let again = match ea {
                    ABSENT => format!("nothing can make {key} absent again"),
                    e => format!("no write of {} could have come in between", self.value(e)),
                };
                return Some(format!(
                    "Both {} and {} succeeded, but only one of them can find {key} {}: whichever took effect first changed it, and {again}.",
                    self.name(a),
                    self.name(b),
                    self.holding(ea)
                ));
            }
        }
        // Otherwise one completed before the other began: what it left or saw, the other
        // contradicts.
        let (first, second) = if a.completed < b.invoked {
            (a, b)
        } else if b.completed < a.invoked {
            (b, a)
        } else {
            return None;
        };
        let (before, left) = match (first.effect.written(), first.effect) {
            (Some(written), _) => (format!("{} had completed", self.name(first)), written),
            (None, Effect::Get { value }) => {
                (format!("{} had returned {}", self.name(first), self.shown(value)), value)
            }
            (None, Effect::CasFailed { found, .. }) => {
                (format!("{} had failed, finding {key} {}", self.name(first), self.holding(found)), found)
            }
            _ => return None,
        };
        let (seen, clause) = self.observed(second)?;
        if seen == left {
            return None;
        }
        let in_between = match seen {
            ABSENT => format!("nothing can make {key} absent again"),
            seen => format!("no write of {} could have taken effect in between", self.value(seen)),
        };
        // Milliseconds alone would make them overlap: say that the run ordered them.
        let same_ms = if first.completed_ms == second.invoked_ms {
            format!(
                " Both happened at {} ms, line {} completing before line {} began.",
                first.completed_ms, first.line, second.line
            )
        } else {
            String::new()
        };
        Some(format!("{} {clause} after {before}, and {in_between}.{same_ms}", self.name(second)))
    }

    /// A value in a sentence: "alice", or "nothing" for absent.
    fn shown(&self, v: Val) -> &str {
        match v {
            ABSENT => "nothing",
            v => self.value(v),
        }
    }

    /// A single operation that cannot be explained by anything.
    fn pattern_alone(&self, core: &[KeyOp]) -> Option<String> {
        let [op] = core else { return None };
        let key = self.key();
        if let Effect::CasFailed { expected, found, .. } = op.effect {
            if found == expected {
                return Some(format!(
                    "{} failed, yet it found {key} {}, which is what it expected: a cas that finds the value it expects succeeds.",
                    &self.name(op),
                    self.holding(found)
                ));
            }
        }
        let (seen, clause) = self.observed(op)?;
        if seen == ABSENT {
            return None;
        }
        let writes: Vec<&KeyOp> =
            self.key_history.ops.iter().filter(|w| w.effect.written() == Some(seen) && w.line != op.line).collect();
        if writes.is_empty() {
            return Some(format!(
                "{} {clause}, but no operation ever wrote {} to {key}.",
                &self.name(op),
                self.value(seen)
            ));
        }
        if writes.iter().all(|w| w.invoked > op.completed) {
            let names: Vec<String> = writes.iter().map(|w| self.name(w)).collect();
            return Some(format!(
                "{} {clause}, but every write of {} ({}) began only after it had completed.",
                &self.name(op),
                self.value(seen),
                names.join(", ")
            ));
        }
        Some(format!(
            "{} {clause}, but no write of {} could have taken effect before it completed.",
            &self.name(op),
            self.value(seen)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(
        line: u32,
        kind: OpKind,
        invoked_ms: u64,
        completed_ms: Option<u64>,
        outcome: Option<OpOutcome>,
        result: Option<&str>,
    ) -> Operation {
        Operation {
            line,
            key: "k".into(),
            kind,
            invoked_ms,
            invoked_seq: 0,
            completed_ms,
            completed_seq: None,
            outcome,
            result: result.map(String::from),
            turned_away: false,
        }
    }

    #[test]
    fn empty_history_is_linearizable() {
        let verdict = check(&[]);
        assert!(verdict.linearizable && !verdict.undecided && verdict.violation.is_none());
    }

    #[test]
    fn chain_of_unknown_cas_explains_a_read() {
        let cas = |line, expected: Option<&str>, new: &str, at| {
            op(
                line,
                OpKind::Cas { expected: expected.map(String::from), new: new.into() },
                at,
                None,
                Some(OpOutcome::Unknown),
                None,
            )
        };
        let history = vec![
            cas(1, None, "a", 0),
            cas(2, Some("a"), "b", 0),
            cas(3, Some("b"), "c", 0),
            op(4, OpKind::Get, 10, Some(20), Some(OpOutcome::Ok), Some("c")),
        ];
        assert!(check(&history).linearizable);
        let mut broken = history.clone();
        broken.remove(1);
        let verdict = check(&broken);
        assert!(!verdict.linearizable);
        assert_eq!(verdict.violation.unwrap().lines, vec![4]);
    }
}
