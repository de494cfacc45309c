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
//! - `fail`: a put or get had no effect and is ignored. A failed cas changed nothing, but it saw a
//!   value other than OLD at some instant of its interval: it constrains like a read.
//! - `unknown`, or still pending: it may or may not have taken effect, at any instant after its
//!   invocation (its completion is "never"). An unknown get constrains nothing and is dropped.
//!
//! # Method
//! Keys are checked one at a time: a history is linearizable iff each key's subhistory is
//! (P-compositionality, Herlihy & Wing §3.3). Per key, the search is the one of Wing & Gong,
//! improved by Lowe and used by Porcupine: extend a linear order one operation at a time, trying
//! only operations invoked before the earliest completion among those not yet placed, and
//! remember every (placed set, register value) already explored, so that no configuration is
//! explored twice. Two refinements keep Raft histories cheap:
//! - A read (or failed cas) that is allowed now is placed at once, without trying alternatives:
//!   placing it earlier never hurts, because it changes nothing and nothing has to precede it.
//! - Unknown writes are not ordinary candidates (there can be hundreds after a partition, and
//!   trying each of them everywhere explodes). They are placed lazily, only when a read needs
//!   them: just before a read of value v the search may insert a short chain of unknown writes
//!   that turns the current value into v (an unknown put of v, or unknown cas steps). Any legal
//!   order can be rewritten into one of this shape, since an unknown write may always move later
//!   and one that nobody observes may be dropped. Unknown writes with the same effect are
//!   interchangeable, so the earliest-invoked unused one is always the one taken.
//!
//! A step budget bounds the search: a key whose search exceeds it makes the verdict `undecided`
//! instead of hanging. Realistic histories use a tiny fraction of it.
//!
//! When a key is not linearizable, the checker shrinks its subhistory to a small core that is
//! still not linearizable (see [`explain`]) and describes that core in words for students.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::history::{OpKind, Operation};
use crate::scenario::OpOutcome;

/// Search steps allowed per key before the checker gives up on that key. A step is one
/// operation placed (or one link of an unknown-write chain considered). Histories of thousands of
/// operations from the simulator need well under a million.
pub const DEFAULT_STEP_BUDGET: u64 = 20_000_000;

/// The answer of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// False exactly when a violation was found (`violation` is then `Some`).
    pub linearizable: bool,
    /// The search of at least one key ran out of its step budget, so for that key the checker
    /// could not decide; `linearizable` is then true only in the sense "no violation found".
    pub undecided: bool,
    /// None when linearizable.
    pub violation: Option<Violation>,
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
}

/// Checks the whole history with the default step budget.
pub fn check(history: &[Operation]) -> Verdict {
    check_with_budget(history, DEFAULT_STEP_BUDGET)
}

/// Checks the whole history; `step_budget` bounds the search of each key.
pub fn check_with_budget(history: &[Operation], step_budget: u64) -> Verdict {
    let mut undecided = false;
    for key_history in split_by_key(history) {
        match is_linearizable(&key_history.ops, key_history.values.len(), step_budget) {
            Some(true) => {}
            None => undecided = true,
            Some(false) => {
                let violation = explain(&key_history, step_budget);
                return Verdict { linearizable: false, undecided, violation: Some(violation) };
            }
        }
    }
    Verdict { linearizable: true, undecided, violation: None }
}

// ---------------------------------------------------------------------------------------------
// One key's subhistory, in the checker's terms.

/// A register value, interned per key. `ABSENT` is 0.
type Val = u32;
const ABSENT: Val = 0;

/// "Never completes": the completion time of unknown and pending operations.
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
    /// `fail` cas: found something other than `expected`, wrote nothing.
    CasFailed { expected: Val },
    /// `unknown` put: may have written `value` once, at any instant after its invocation.
    MaybePut { value: Val },
    /// `unknown` cas: may have taken effect once, at any instant after its invocation.
    MaybeCas { expected: Val, new: Val },
}

impl Effect {
    fn is_definite(self) -> bool {
        !matches!(self, Effect::MaybePut { .. } | Effect::MaybeCas { .. })
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct KeyOp {
    line: u32,
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
    fn intern(&mut self, index: &mut HashMap<String, Val>, value: &Option<String>) -> Val {
        let Some(text) = value else { return ABSENT };
        if let Some(&v) = index.get(text) {
            return v;
        }
        let v = self.values.len() as Val;
        self.values.push(Some(text.clone()));
        index.insert(text.clone(), v);
        v
    }
}

/// Splits the history by key, in order of each key's first appearance, translating outcomes into
/// effects and leaving out what constrains nothing (failed puts and gets, unknown gets).
fn split_by_key(history: &[Operation]) -> Vec<KeyHistory> {
    let mut slot_of_key: HashMap<&str, usize> = HashMap::new();
    let mut keys: Vec<(KeyHistory, HashMap<String, Val>)> = Vec::new();
    for op in history {
        let slot = *slot_of_key.entry(op.key.as_str()).or_insert_with(|| {
            let key_history = KeyHistory { key: op.key.clone(), values: vec![None], ops: Vec::new() };
            keys.push((key_history, HashMap::new()));
            keys.len() - 1
        });
        let (key_history, index) = &mut keys[slot];
        // An `ok` without a completion time is treated as pending, as history.rs says.
        let outcome = match (op.outcome, op.completed_ms) {
            (Some(OpOutcome::Ok), Some(_)) => OpOutcome::Ok,
            (Some(OpOutcome::Fail), _) => OpOutcome::Fail,
            _ => OpOutcome::Unknown,
        };
        let completed_ms = match outcome {
            OpOutcome::Unknown => NEVER,
            _ => op.completed_ms.unwrap_or(NEVER).max(op.invoked_ms),
        };
        let effect = match (&op.kind, outcome) {
            (OpKind::Get, OpOutcome::Ok) => Effect::Get { value: key_history.intern(index, &op.result) },
            (OpKind::Get, _) | (OpKind::Put { .. }, OpOutcome::Fail) => continue,
            (OpKind::Put { value }, outcome) => {
                let value = key_history.intern(index, &Some(value.clone()));
                if outcome == OpOutcome::Ok {
                    Effect::Put { value }
                } else {
                    Effect::MaybePut { value }
                }
            }
            (OpKind::Cas { expected, new }, outcome) => {
                let expected = key_history.intern(index, expected);
                let new = key_history.intern(index, &Some(new.clone()));
                match outcome {
                    OpOutcome::Ok => Effect::Cas { expected, new },
                    OpOutcome::Fail => Effect::CasFailed { expected },
                    // An unknown cas that would write what it expects changes nothing.
                    OpOutcome::Unknown if expected == new => continue,
                    OpOutcome::Unknown => Effect::MaybeCas { expected, new },
                }
            }
        };
        key_history.ops.push(KeyOp { line: op.line, invoked_ms: op.invoked_ms, completed_ms, effect });
    }
    keys.into_iter().map(|(key_history, _)| key_history).collect()
}

// ---------------------------------------------------------------------------------------------
// The search.

/// Some(true) linearizable, Some(false) not, None when the step budget ran out.
fn is_linearizable(ops: &[KeyOp], value_count: usize, step_budget: u64) -> Option<bool> {
    Search::new(ops, value_count).run(step_budget)
}

/// A definite operation: it must be placed, between its invocation and its completion.
#[derive(Clone, Copy, Debug)]
struct Definite {
    invoked_ms: u64,
    completed_ms: u64,
    effect: Effect,
}

/// All unknown writes with the same effect. They are interchangeable, so they are used in order
/// of invocation: `used[c]` of them are used, always the earliest.
struct UnknownClass {
    effect: Effect,
    /// Ascending.
    invoked_ms: Vec<u64>,
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

/// A node of the depth-first search: the moves generated there and the next one to try.
struct Frame {
    value: Val,
    moves_start: usize,
    next: usize,
    chains_start: usize,
}

struct Search {
    /// Sorted by invocation.
    ops: Vec<Definite>,
    classes: Vec<UnknownClass>,
    /// Unknown put classes by the value they write (at most one per value).
    put_class_of_value: Vec<Option<u32>>,
    /// Unknown cas classes by the value they write.
    cas_classes_by_new: Vec<Vec<u32>>,
    /// Unknown cas classes by the value they expect.
    cas_classes_by_expected: Vec<Vec<u32>>,

    // The current configuration.
    placed: Vec<u64>,
    /// Every op before `frontier` is placed; `frontier` itself is not.
    frontier: usize,
    placed_count: usize,
    value: Val,
    used: Vec<u32>,
    used_bits: Vec<u64>,

    steps: u64,
    seen: HashSet<Box<[u64]>, BuildHasherDefault<FxHasher>>,
    // Scratch space reused between nodes.
    candidates: Vec<u32>,
    moves: Vec<Move>,
    chains: Vec<u32>,
}

impl Search {
    fn new(key_ops: &[KeyOp], value_count: usize) -> Search {
        let mut ops: Vec<Definite> = key_ops
            .iter()
            .filter(|op| op.effect.is_definite())
            .map(|op| Definite { invoked_ms: op.invoked_ms, completed_ms: op.completed_ms, effect: op.effect })
            .collect();
        ops.sort_by_key(|op| (op.invoked_ms, op.completed_ms));

        let mut class_of_effect: HashMap<Effect, usize> = HashMap::new();
        let mut classes: Vec<UnknownClass> = Vec::new();
        // An unknown cas that would write what it expects changes nothing: leave it out.
        let changes = |effect: Effect| !matches!(effect, Effect::MaybeCas { expected, new } if expected == new);
        for op in key_ops.iter().filter(|op| !op.effect.is_definite() && changes(op.effect)) {
            let c = *class_of_effect.entry(op.effect).or_insert_with(|| {
                classes.push(UnknownClass { effect: op.effect, invoked_ms: Vec::new(), first_bit: 0 });
                classes.len() - 1
            });
            classes[c].invoked_ms.push(op.invoked_ms);
        }
        let mut put_class_of_value = vec![None; value_count];
        let mut cas_classes_by_new = vec![Vec::new(); value_count];
        let mut cas_classes_by_expected = vec![Vec::new(); value_count];
        let mut bits = 0;
        for (c, class) in classes.iter_mut().enumerate() {
            class.invoked_ms.sort_unstable();
            class.first_bit = bits;
            bits += class.invoked_ms.len();
            match class.effect {
                Effect::MaybePut { value } => put_class_of_value[value as usize] = Some(c as u32),
                Effect::MaybeCas { expected, new } => {
                    cas_classes_by_new[new as usize].push(c as u32);
                    cas_classes_by_expected[expected as usize].push(c as u32);
                }
                _ => unreachable!("only unknown writes form classes"),
            }
        }
        let op_count = ops.len();
        let class_count = classes.len();
        Search {
            ops,
            classes,
            put_class_of_value,
            cas_classes_by_new,
            cas_classes_by_expected,
            placed: vec![0; op_count.div_ceil(64) + 1],
            frontier: 0,
            placed_count: 0,
            value: ABSENT,
            used: vec![0; class_count],
            used_bits: vec![0; bits.div_ceil(64)],
            steps: 0,
            seen: HashSet::default(),
            candidates: Vec::new(),
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
        let mut end = self.frontier;
        while end < self.ops.len() && self.ops[end].invoked_ms <= bound {
            if !self.is_placed(end) {
                bound = bound.min(self.ops[end].completed_ms);
            }
            end += 1;
        }
        // `bound` only fell during the scan, so ops scanned early may lie beyond it.
        for i in self.frontier..end {
            if !self.is_placed(i) && self.ops[i].invoked_ms <= bound {
                self.candidates.push(i as u32);
            }
        }
        (bound, end)
    }

    /// The memo key of the current configuration; `end` is where the window ends (no op at or
    /// beyond it is placed).
    fn memo_key(&self, end: usize) -> Box<[u64]> {
        let first_word = self.frontier / 64;
        let last_word = if end > self.frontier { (end - 1) / 64 } else { first_word };
        let mut key = Vec::with_capacity(1 + self.used_bits.len() + last_word + 1 - first_word);
        key.push(((self.frontier as u64) << 32) | self.value as u64);
        key.extend_from_slice(&self.used_bits);
        key.extend_from_slice(&self.placed[first_word..=last_word]);
        key.into_boxed_slice()
    }

    fn available(&self, class: u32, bound: u64) -> bool {
        let class_index = class as usize;
        let used = self.used[class_index] as usize;
        let invoked = &self.classes[class_index].invoked_ms;
        used < invoked.len() && invoked[used] <= bound
    }

    /// Appends to `self.moves` every way to place op `i` next.
    fn generate_moves(&mut self, i: u32, bound: u64) {
        let s = self.value;
        let direct = |value_after| Move { op: i, chain_start: 0, chain_len: 0, value_after };
        match self.ops[i as usize].effect {
            Effect::Put { value } => self.moves.push(direct(value)),
            Effect::Get { value } => {
                if value == s {
                    self.moves.push(direct(s));
                } else {
                    self.chain_moves(i, value, value, bound);
                }
            }
            Effect::Cas { expected, new } => {
                if expected == s {
                    self.moves.push(direct(new));
                } else {
                    self.chain_moves(i, expected, new, bound);
                }
            }
            Effect::CasFailed { expected } => {
                if expected != s {
                    self.moves.push(direct(s));
                    return;
                }
                // One unknown write that moves the value away from `expected` is enough: any
                // further unknown writes can be moved after the failed cas.
                for value in 0..self.put_class_of_value.len() as Val {
                    if value == expected {
                        continue;
                    }
                    if let Some(c) = self.put_class_of_value[value as usize] {
                        self.steps += 1;
                        if self.available(c, bound) {
                            self.push_chain_move(i, &[c], value);
                        }
                    }
                }
                for k in 0..self.cas_classes_by_expected[s as usize].len() {
                    let c = self.cas_classes_by_expected[s as usize][k];
                    self.steps += 1;
                    if self.available(c, bound) {
                        let Effect::MaybeCas { new, .. } = self.classes[c as usize].effect else { unreachable!() };
                        debug_assert_ne!(new, expected, "no-op classes are left out");
                        self.push_chain_move(i, &[c], new);
                    }
                }
            }
            Effect::MaybePut { .. } | Effect::MaybeCas { .. } => unreachable!("unknown ops are not definite"),
        }
    }

    fn push_chain_move(&mut self, op: u32, chain: &[u32], value_after: Val) {
        let chain_start = self.chains.len() as u32;
        self.chains.extend_from_slice(chain);
        self.moves.push(Move { op, chain_start, chain_len: chain.len() as u32, value_after });
    }

    /// Moves that place op `i` after a chain of unknown writes turning the current value into
    /// `target`; the op then leaves `value_after`.
    fn chain_moves(&mut self, i: u32, target: Val, value_after: Val, bound: u64) {
        let mut chains_found: Vec<Vec<u32>> = Vec::new();
        let mut visited = vec![target];
        let mut suffix = Vec::new();
        self.find_chains(target, bound, &mut visited, &mut suffix, &mut chains_found);
        for chain in chains_found {
            self.push_chain_move(i, &chain, value_after);
        }
    }

    /// Every simple chain of available unknown writes from the current value to `target`,
    /// searched backwards from `target`. `suffix` holds, reversed, the links already chosen after
    /// `target`; `visited` the values on the way, so that no value repeats.
    fn find_chains(&mut self, target: Val, bound: u64, visited: &mut Vec<Val>, suffix: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        self.steps += 1;
        let finish = |first: u32, suffix: &[u32]| {
            let mut chain = Vec::with_capacity(suffix.len() + 1);
            chain.push(first);
            chain.extend(suffix.iter().rev());
            chain
        };
        if let Some(c) = self.put_class_of_value[target as usize] {
            if self.available(c, bound) {
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
                self.find_chains(expected, bound, visited, suffix, out);
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
        }
        let i = mv.op as usize;
        self.placed[i / 64] |= 1 << (i % 64);
        self.placed_count += 1;
        while self.frontier < self.ops.len() && self.is_placed(self.frontier) {
            self.frontier += 1;
        }
        self.value = mv.value_after;
    }

    fn undo(&mut self, mv: Move, value_before: Val) {
        for k in (mv.chain_start..mv.chain_start + mv.chain_len).rev() {
            let c = self.chains[k as usize] as usize;
            self.used[c] -= 1;
            let bit = self.classes[c].first_bit + self.used[c] as usize;
            self.used_bits[bit / 64] &= !(1 << (bit % 64));
        }
        let i = mv.op as usize;
        self.placed[i / 64] &= !(1 << (i % 64));
        self.placed_count -= 1;
        self.frontier = self.frontier.min(i);
        self.value = value_before;
    }

    /// Generates the moves of the current configuration onto the stack of moves. A read that is
    /// allowed now is the only move tried (placing it now is never worse).
    fn expand(&mut self, stack: &mut Vec<Frame>) {
        let (bound, _) = self.window();
        let frame = Frame { value: self.value, moves_start: self.moves.len(), next: self.moves.len(), chains_start: self.chains.len() };
        let s = self.value;
        let forced = self.candidates.iter().copied().find(|&i| match self.ops[i as usize].effect {
            Effect::Get { value } => value == s,
            Effect::CasFailed { expected } => expected != s,
            Effect::Cas { expected, new } => expected == s && new == s,
            _ => false,
        });
        if let Some(i) = forced {
            self.moves.push(Move { op: i, chain_start: 0, chain_len: 0, value_after: s });
        } else {
            let candidates = std::mem::take(&mut self.candidates);
            for &i in &candidates {
                self.generate_moves(i, bound);
            }
            self.candidates = candidates;
        }
        stack.push(frame);
    }

    fn run(mut self, step_budget: u64) -> Option<bool> {
        if self.ops.is_empty() {
            return Some(true);
        }
        let mut stack: Vec<Frame> = Vec::new();
        self.expand(&mut stack);
        loop {
            let Some(frame) = stack.last_mut() else { return Some(false) };
            if frame.next == self.moves.len() {
                // Every move from here failed: back up one level.
                let frame = stack.pop().expect("the stack is not empty");
                self.moves.truncate(frame.moves_start);
                self.chains.truncate(frame.chains_start);
                let Some(parent) = stack.last() else { return Some(false) };
                let (mv, value_before) = (self.moves[parent.next - 1], parent.value);
                self.undo(mv, value_before);
                continue;
            }
            let mv = self.moves[frame.next];
            frame.next += 1;
            self.steps += 1;
            if self.steps > step_budget {
                return None;
            }
            self.apply(mv);
            if self.placed_count == self.ops.len() {
                return Some(true);
            }
            let (_, end) = self.window();
            let key = self.memo_key(end);
            if !self.seen.insert(key) {
                let value_before = stack.last().expect("the stack is not empty").value;
                self.undo(mv, value_before);
                continue;
            }
            self.expand(&mut stack);
        }
    }
}

/// Fx hash (from rustc): fast and good enough for the memo keys, and no new dependency.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        for &byte in chunks.remainder() {
            self.add(byte as u64);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

// ---------------------------------------------------------------------------------------------
// Explaining a violation.

/// At most this many operations of the narrowed window are tried one by one when shrinking.
const SHRINK_TRIES_MAX: usize = 400;

/// Shrinks a non-linearizable key history to a core and describes it.
///
/// Shrinking weakens operations rather than deleting them, because deleting a write can create a
/// violation that was not there (a read of its value would lose its explanation). A weakened
/// read says nothing; a weakened write becomes unknown ("may have happened, any time after its
/// invocation"). A weaker history that is still not linearizable proves the original is not, and
/// the operations left unweakened are the core:
/// 1. the shortest prefix (by invocation) kept definite, everything after it weakened;
/// 2. within it, the shortest suffix kept definite;
/// 3. then each remaining op weakened in turn, if the history stays non-linearizable.
fn explain(key_history: &KeyHistory, step_budget: u64) -> Violation {
    let ops = &key_history.ops;
    let mut definite: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].effect.is_definite()).collect();
    definite.sort_by_key(|&i| (ops[i].invoked_ms, ops[i].completed_ms, ops[i].line));
    let value_count = key_history.values.len();
    // Shrinking checks small histories; a smaller budget keeps a pathological one from
    // making the explanation cost much more than the check did.
    let budget = step_budget / 4;
    let still_violated = |strong: &[bool]| {
        let weakened: Vec<KeyOp> = ops
            .iter()
            .zip(strong)
            .filter_map(|(op, &strong)| {
                if strong {
                    Some(*op)
                } else {
                    op.effect.weakened().map(|effect| KeyOp { effect, ..*op })
                }
            })
            .collect();
        is_linearizable(&weakened, value_count, budget) == Some(false)
    };
    let mut strong = vec![true; ops.len()];
    let set_range = |strong: &mut Vec<bool>, keep: std::ops::Range<usize>| {
        for (position, &i) in definite.iter().enumerate() {
            strong[i] = keep.contains(&position);
        }
    };

    // 1. Shortest prefix: definite[..end] strong is violated (known for end = all).
    let (mut lo, mut end) = (0, definite.len());
    while end - lo > 1 {
        let mid = (lo + end) / 2;
        set_range(&mut strong, 0..mid);
        if still_violated(&strong) {
            end = mid;
        } else {
            lo = mid;
        }
    }
    // 2. Shortest suffix of that prefix: definite[start..end] strong is violated (known for 0).
    let (mut start, mut hi) = (0, end);
    while hi - start > 1 {
        let mid = (start + hi) / 2;
        set_range(&mut strong, mid..end);
        if still_violated(&strong) {
            start = mid;
        } else {
            hi = mid;
        }
    }
    set_range(&mut strong, start..end);
    // 3. One pass of greedy weakening leaves a core in which every op is needed: weakening more
    // ops only makes a history easier to linearize. Reads first, so writes stay when either
    // would do: a core of writes and the read they contradict is easier to tell.
    let mut order: Vec<usize> = definite[start..end].to_vec();
    order.sort_by_key(|&i| ops[i].effect.written().is_some());
    for &i in order.iter().take(SHRINK_TRIES_MAX) {
        strong[i] = false;
        if !still_violated(&strong) {
            strong[i] = true;
        }
    }

    let mut core: Vec<KeyOp> = definite.iter().filter(|&&i| strong[i]).map(|&i| ops[i]).collect();
    core.sort_by_key(|op| (op.invoked_ms, op.line));
    let mut lines: Vec<u32> = core.iter().map(|op| op.line).collect();
    lines.sort_unstable();
    let explanation = describe_violation(key_history, &core);
    Violation { key: key_history.key.clone(), lines, explanation }
}

/// How many core operations are listed before "and N more".
const LISTED_OPS_MAX: usize = 12;

fn describe_violation(key_history: &KeyHistory, core: &[KeyOp]) -> String {
    let words = Words { key_history };
    let mut text = match words.pattern(core) {
        Some(sentence) => format!("{sentence} The operations involved:"),
        None => format!(
            "No order of these operations on {} agrees both with their timing and with a register's rules:",
            key_history.key
        ),
    };
    for op in core.iter().take(LISTED_OPS_MAX) {
        text.push_str("\n  ");
        text.push_str(&words.listing(op));
    }
    if core.len() > LISTED_OPS_MAX {
        text.push_str(&format!("\n  and {} more", core.len() - LISTED_OPS_MAX));
    }
    text
}

struct Words<'a> {
    key_history: &'a KeyHistory,
}

impl Words<'_> {
    fn key(&self) -> &str {
        &self.key_history.key
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
        let key = self.key();
        let form = match op.effect {
            Effect::Put { value } | Effect::MaybePut { value } => format!("put {key} {}", self.value(value)),
            Effect::Get { .. } => format!("get {key}"),
            Effect::Cas { expected, new } | Effect::MaybeCas { expected, new } => {
                format!("cas {key} {}→{}", self.value(expected), self.value(new))
            }
            Effect::CasFailed { expected } => format!("cas {key} {}→…", self.value(expected)),
        };
        format!("{form} (line {})", op.line)
    }

    /// One line of the listing: "line 9: cas bike42 -→alice, ok, 1200 ms to 1260 ms".
    fn listing(&self, op: &KeyOp) -> String {
        let interval = format!("from {} ms to {} ms", op.invoked_ms, op.completed_ms);
        let what = match op.effect {
            Effect::Get { value: ABSENT } => format!("returned nothing ({} absent), {interval}", self.key()),
            Effect::Get { value } => format!("returned {}, {interval}", self.value(value)),
            Effect::Put { .. } | Effect::Cas { .. } => format!("ok, {interval}"),
            Effect::CasFailed { .. } => format!("failed, {interval}"),
            Effect::MaybePut { .. } | Effect::MaybeCas { .. } => {
                format!("outcome unknown, invoked at {} ms", op.invoked_ms)
            }
        };
        let name = self.name(op);
        let form = name.rsplit_once(" (line").map_or(name.as_str(), |(form, _)| form);
        format!("line {}: {form}, {what}", op.line)
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
            _ => None,
        }
    }

    /// A specific sentence for the common shapes of violation, None for the others.
    fn pattern(&self, core: &[KeyOp]) -> Option<String> {
        let key = self.key();
        match core {
            [op] => self.pattern_alone(op),
            [a, b] => {
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
                let (write, other) = if a.effect.written().is_some() && a.completed_ms < b.invoked_ms { (a, b) } else { (b, a) };
                let written = write.effect.written()?;
                if write.completed_ms >= other.invoked_ms {
                    return None;
                }
                if let Some((seen, clause)) = self.observed(other) {
                    if seen == ABSENT {
                        return Some(format!(
                            "{} {clause}, but {} had completed before it began, and nothing can make {key} absent again.",
                            capitalized(&self.name(other)),
                            self.name(write)
                        ));
                    }
                    if seen != written {
                        return Some(format!(
                            "{} {clause}, but {} had completed before it began, and no write of {} could have taken effect after that and before {} finished.",
                            capitalized(&self.name(other)),
                            self.name(write),
                            self.value(seen),
                            self.name(other)
                        ));
                    }
                }
                if let Effect::CasFailed { expected } = other.effect {
                    if expected == written {
                        return Some(format!(
                            "{} failed, so it found {key} different from {}, but {} had completed before it began, and no other write could have changed {key} in between.",
                            capitalized(&self.name(other)),
                            self.value(expected),
                            self.name(write)
                        ));
                    }
                }
                None
            }
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
                if old.completed_ms < newer.invoked_ms && newer.completed_ms < reader.invoked_ms {
                    Some(format!(
                        "{} {clause} after {} had completed, but {} had completed before that write began, and no other write of {} could have come in between: the get read a value that had been overwritten before it began.",
                        capitalized(&self.name(reader)),
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

    /// A single operation that cannot be explained by anything.
    fn pattern_alone(&self, op: &KeyOp) -> Option<String> {
        let key = self.key();
        if let Effect::CasFailed { expected: ABSENT } = op.effect {
            return Some(format!(
                "{} failed, so it must have found {key} holding a value, but no write of {key} could have taken effect before it completed.",
                capitalized(&self.name(op))
            ));
        }
        let (seen, clause) = self.observed(op)?;
        if seen == ABSENT {
            return None;
        }
        let writes: Vec<&KeyOp> = self.key_history.ops.iter().filter(|w| w.effect.written() == Some(seen) && w.line != op.line).collect();
        if writes.is_empty() {
            return Some(format!(
                "{} {clause}, but no operation ever wrote {} to {key}.",
                capitalized(&self.name(op)),
                self.value(seen)
            ));
        }
        if writes.iter().all(|w| w.invoked_ms > op.completed_ms) {
            let names: Vec<String> = writes.iter().map(|w| self.name(w)).collect();
            return Some(format!(
                "{} {clause}, but every write of {} ({}) began only after it had completed.",
                capitalized(&self.name(op)),
                self.value(seen),
                names.join(", ")
            ));
        }
        Some(format!(
            "{} {clause}, but no write of {} could have taken effect before it completed.",
            capitalized(&self.name(op)),
            self.value(seen)
        ))
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(line: u32, kind: OpKind, invoked_ms: u64, completed_ms: Option<u64>, outcome: Option<OpOutcome>, result: Option<&str>) -> Operation {
        Operation { line, key: "k".into(), kind, invoked_ms, completed_ms, outcome, result: result.map(String::from) }
    }

    #[test]
    fn empty_history_is_linearizable() {
        let verdict = check(&[]);
        assert!(verdict.linearizable && !verdict.undecided && verdict.violation.is_none());
    }

    #[test]
    fn chain_of_unknown_cas_explains_a_read() {
        let cas = |line, expected: Option<&str>, new: &str, at| {
            op(line, OpKind::Cas { expected: expected.map(String::from), new: new.into() }, at, None, Some(OpOutcome::Unknown), None)
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
