//! Shrinking a schedule that breaks a property into a story a student can step through.
//!
//! A fuzzer's schedule is hundreds of lines of chaos, and in a seeded simulation dropping any
//! one line moves every later random draw: each election timer and each message delay after it
//! changes, and the violation is usually gone. Plain delta debugging then stops early (a
//! Figure 8 counterexample used to keep 105 of its 306 actions). So the shrinker first takes
//! the chaos out, then cuts:
//!
//! 1. **Cut at the violation.** Every line after the instant of the first violation goes, and
//!    the `run` it happened in ends there.
//! 2. **Explicit elections.** Every election timer that fired becomes a `timeout Sx` line at its
//!    instant, and the election timeout's upper end is set so far away that no timer fires on
//!    its own ([`NEVER_MS`]). The lower end stays, and with it everything the servers derive
//!    from it (leases, the §4.2.3 rule). The run is the same run: a timer still takes one number
//!    from the generator, so every message delay is drawn as before. From then on an election
//!    happens only where a line says so, and dropping a line no longer moves the others.
//! 3. **A quiet network.** Loss and duplication go, the latency is fixed: dropping a line then
//!    no longer reshuffles the delays of the messages after it.
//! 4. **Delta debugging** over the actions to a fixpoint (chunks halving down to single lines,
//!    each size repeated while it removes something), then one pass of each simplification:
//!    drop settings that do not matter, drop servers (renumbering the others, so `nodes`
//!    goes down), drop `via`, one key for every client command, shorter `run`s, and adjacent
//!    `run`s merged into one. Then delta debugging again, until a round changes nothing or the
//!    budget of runs is spent.
//!
//! Each step is only a candidate: it is kept when the candidate still breaks the same property
//! (first, before any other) with no more lines that could not be carried out than before.
//! Every candidate is a scenario `raft-sim run` accepts. The whole process is a pure function of
//! the schedule, the property and the budget, so a seed shrinks to the same story every time,
//! on any thread, natively and in WebAssembly.

use crate::check::linearizability;
use crate::runner::Runner;
use raft_core::ReadMode;

use crate::scenario::{self, Action, Item, ItemKind, Property, Scenario, Setting, Target};
use crate::model::Settings;
use crate::engine::Observe;

/// The upper end of the election timeout in a story with explicit elections: one day, the
/// longest duration the language allows, so that no timer fires within a story (a draw below a
/// few seconds has a chance of about one in twenty thousand).
pub const NEVER_MS: u64 = 86_400_000;

/// Seeds tried for the explicit-elections candidate when the conversion drifts.
const EXPLICIT_SEED_TRIES: u64 = 10;
/// Fixed latencies tried across the range when quieting the network.
const LATENCY_GRID: u64 = 8;

/// Shrink `s`, which breaks `property`, spending at most `budget` runs.
pub fn shrink(s: &Scenario, property: Property, budget: usize) -> Scenario {
    shrink_counted(s, property, budget).0
}

/// [`shrink`], and the number of runs it spent.
pub fn shrink_counted(s: &Scenario, property: Property, budget: usize) -> (Scenario, usize) {
    let Some(errors) = outcome(s, property) else { return (s.clone(), 1) };
    let mut k = Shrinker { property, budget, runs: 1, best: s.clone(), errors };
    k.cut();
    let cut = (k.best.clone(), k.errors);
    k.story();
    let actions = |s: &Scenario| s.items.iter().filter(|it| is_action(it)).count();
    // Leases keep the timers implicit (see explicit_elections). When that leaves a long story
    // and the violation does not need the leases, the rest of the budget starts again from the
    // cut without them, so that its elections can be written out; the shorter story wins.
    let first = k.best.clone();
    if actions(&first) > 15 && !k.exhausted() {
        (k.best, k.errors) = cut.clone();
        if k.drop_leases() {
            k.story();
        }
        if actions(&first) <= actions(&k.best) {
            k.best = first;
        }
    }
    if actions(&cut.0) < actions(&k.best) {
        return (cut.0, k.runs);
    }
    (k.best, k.runs)
}

/// Whether `s` breaks `property` before any other: the number of lines it could not carry out
/// by then (`crash leader` with no leader, …), or None. A safety property is decided at its
/// first violation, where the run stops; linearizability needs the whole history.
fn outcome(s: &Scenario, property: Property) -> Option<usize> {
    if property == Property::Linearizability {
        let r = Runner::run(s, Observe::FUZZ);
        if !r.sim.violations().is_empty() {
            return None;
        }
        linearizability::check(&r.sim.history()).violation?;
        return Some(r.sim.errors().len());
    }
    let mut r = Runner::new(s, Observe::FUZZ);
    r.play_until(s, |r| !r.sim.violations().is_empty())?;
    (r.sim.violations()[0].property == property).then_some(r.sim.errors().len())
}

struct Shrinker {
    property: Property,
    budget: usize,
    runs: usize,
    best: Scenario,
    /// Lines `best` could not carry out: a candidate may not have more.
    errors: usize,
}

/// `s` with another `seed`.
fn with_seed(s: &Scenario, seed: u64) -> Scenario {
    let mut s = s.clone();
    s.seed = seed;
    for it in &mut s.items {
        if let ItemKind::Setting(Setting::Seed(x)) = &mut it.kind {
            *x = seed;
        }
    }
    s
}

fn act(a: Action) -> Item {
    Item { line: 0, kind: ItemKind::Action(a) }
}

fn is_action(it: &Item) -> bool {
    matches!(it.kind, ItemKind::Action(_))
}

impl Shrinker {
    /// From a cut schedule to a short story: explicit elections, a quiet network, then delta
    /// debugging and the simplification passes to a fixpoint or the end of the budget.
    fn story(&mut self) {
        // Explicit elections add a line per election: should the budget run out before they
        // are gone, the cut schedule is the shorter answer (shrink_counted).
        if let Some(c) = explicit_elections(&self.best, self.property) {
            // The conversion is not always exact (see explicit_elections): where the run
            // drifts, another seed gives the messages other delays, and often the story back.
            for i in 0..EXPLICIT_SEED_TRIES {
                if self.test(with_seed(&c, c.seed.wrapping_add(i))) {
                    break;
                }
            }
        }
        self.quiet_network();
        loop {
            let mut changed = self.ddmin();
            self.merge_runs();
            changed |= self.cut();
            changed |= self.settings();
            changed |= self.drop_servers();
            changed |= self.one_key();
            changed |= self.drop_via();
            changed |= self.shorten_runs();
            self.merge_runs();
            if !changed || self.exhausted() {
                break;
            }
        }
    }

    fn exhausted(&self) -> bool {
        self.runs >= self.budget
    }

    /// Keep `c` if it is a valid scenario that still breaks the property. Costs one run (none
    /// when `c` is not valid or is what we have).
    fn test(&mut self, c: Scenario) -> bool {
        if self.exhausted() {
            return false;
        }
        let c = renumber(c);
        if c == self.best || scenario::parse(&scenario::print_scenario(&c)).is_err() {
            return false;
        }
        self.runs += 1;
        match outcome(&c, self.property) {
            Some(errors) if errors <= self.errors => {
                self.best = c;
                self.errors = errors;
                true
            }
            _ => false,
        }
    }

    fn with_items(&self, items: Vec<Item>) -> Scenario {
        Scenario { items, ..self.best.clone() }
    }

    /// Stage 1: drop what comes after the first violation.
    fn cut(&mut self) -> bool {
        match cut_at_violation(&self.best, self.property) {
            Some(c) if c.items.len() < self.best.items.len() || c != self.best => self.test(c),
            _ => false,
        }
    }

    /// Stage 3: no loss, no duplication, a fixed latency. All at once first (one run), then
    /// one at a time.
    fn quiet_network(&mut self) -> bool {
        let lat = self.latency();
        let fixed = |ms: u64| -> Vec<Setting> { vec![Setting::Latency { min_ms: ms, max_ms: ms }] };
        let quiet = |items: &[Item], lat: Option<Vec<Setting>>| -> Vec<Item> {
            let mut out: Vec<Item> = items
                .iter()
                .filter(|it| !matches!(it.kind, ItemKind::Setting(Setting::Loss { .. } | Setting::Duplicate { .. })))
                .filter(|it| lat.is_none() || !matches!(it.kind, ItemKind::Setting(Setting::Latency { .. })))
                .cloned()
                .collect();
            if let Some(l) = lat {
                let at = out.iter().position(is_action).unwrap_or(out.len());
                for (k, s) in l.into_iter().enumerate() {
                    out.insert(at + k, Item { line: 0, kind: ItemKind::Setting(s) });
                }
            }
            out
        };
        let (lo, hi) = lat;
        // A fixed latency changes every delay at once: a few values across the range.
        let mut choices: Vec<u64> = vec![(lo + hi) / 2, lo, hi];
        for g in 1..LATENCY_GRID {
            choices.push(lo + (hi - lo) * g / LATENCY_GRID);
        }
        choices.dedup();
        for ms in &choices {
            let c = self.with_items(quiet(&self.best.items, Some(fixed(*ms))));
            if self.test(c) {
                return true;
            }
        }
        let c = self.with_items(quiet(&self.best.items, None));
        self.test(c)
    }

    /// The latency range in force at the first action.
    fn latency(&self) -> (u64, u64) {
        let mut s = Settings::default();
        for it in &self.best.items {
            match &it.kind {
                ItemKind::Setting(x) => {
                    s.apply(x);
                }
                ItemKind::Action(_) => break,
                ItemKind::Expect(_) => {}
            }
        }
        (s.latency_min_ms, s.latency_max_ms)
    }

    /// Delta debugging over the actions, to a fixpoint (no single action can go). Each pass
    /// walks the actions from the first; where one can go, it tries to take the next 2, 4, 8, …
    /// at once. A noisy story (random delays) seldom loses big chunks, a quiet one often does;
    /// this costs about one run per action kept and a few per stretch removed, where halving
    /// chunk sizes from the top spends twice the number of actions in runs before it tries a
    /// single one, which a small budget cannot afford.
    fn ddmin(&mut self) -> bool {
        let mut changed = self.coarse();
        loop {
            let mut progressed = false;
            let mut i = 0;
            while !self.exhausted() {
                let acts = self.actions();
                if i >= acts.len() {
                    break;
                }
                if !self.drop_actions(i, 1) {
                    i += 1;
                    continue;
                }
                progressed = true;
                // Then 2, 4, 8, … more from the same place while they can go; after a refusal
                // the walk goes on one action at a time from here.
                let mut k = 2;
                while k <= self.actions().len() - i && self.drop_actions(i, k) {
                    k *= 2;
                }
            }
            changed |= progressed;
            if !progressed || self.exhausted() {
                return changed;
            }
        }
    }

    /// The top of classic delta debugging: halves, quarters, … down to sixteenths of the
    /// actions, each size repeated while it removes something. Cheap (about 30 runs), and a big
    /// chunk that can go is worth many single actions, in a noisy story most of all.
    fn coarse(&mut self) -> bool {
        let n = self.actions().len();
        let mut changed = false;
        let mut chunk = n / 2;
        while chunk >= (n / 16).max(2) && !self.exhausted() {
            let mut progressed = false;
            let mut i = 0;
            while i < self.actions().len() && !self.exhausted() {
                if self.drop_actions(i, chunk) {
                    progressed = true;
                } else {
                    i += chunk;
                }
            }
            changed |= progressed;
            if !progressed {
                chunk /= 2;
            }
        }
        changed
    }

    /// Positions of the actions in `best.items`.
    fn actions(&self) -> Vec<usize> {
        self.best.items.iter().enumerate().filter(|(_, it)| is_action(it)).map(|(k, _)| k).collect()
    }

    /// Try dropping `count` consecutive actions from the `i`-th.
    fn drop_actions(&mut self, i: usize, count: usize) -> bool {
        let acts = self.actions();
        let end = (i + count).min(acts.len());
        if i >= end {
            return false;
        }
        let drop = &acts[i..end];
        let items = self.best.items.iter().enumerate().filter(|(k, _)| !drop.contains(k)).map(|(_, it)| it.clone()).collect();
        self.test(self.with_items(items))
    }

    /// `run A` then `run B` is the same run as `run A+B`: one line fewer, nothing to test.
    fn merge_runs(&mut self) {
        let mut merged: Vec<Item> = Vec::new();
        for it in std::mem::take(&mut self.best.items) {
            if let (ItemKind::Action(Action::Run { ms }), Some(Item { kind: ItemKind::Action(Action::Run { ms: prev }), .. })) =
                (&it.kind, merged.last_mut())
            {
                *prev += ms;
                continue;
            }
            merged.push(it);
        }
        self.best = renumber(Scenario { items: merged, ..self.best.clone() });
    }

    /// Drop each setting that does not matter (from the last one back), or make it simpler.
    /// One run: `best` without its `reads lease` lines, if the violation stays.
    fn drop_leases(&mut self) -> bool {
        let lease = |it: &Item| matches!(it.kind, ItemKind::Setting(Setting::Reads(ReadMode::Lease)));
        if self.exhausted() || !self.best.items.iter().any(lease) {
            return false;
        }
        let items = self.best.items.iter().filter(|it| !lease(it)).cloned().collect();
        self.test(self.with_items(items))
    }

    fn settings(&mut self) -> bool {
        let mut changed = false;
        let mut k = self.best.items.len();
        while k > 0 && !self.exhausted() {
            k -= 1;
            let ItemKind::Setting(s) = &self.best.items[k].kind else { continue };
            let simpler: Vec<Option<Setting>> = match s {
                Setting::Nodes(_) | Setting::Seed(_) | Setting::Bug(_) | Setting::Protocol(_) => continue,
                Setting::ElectionTimeout { max_ms, .. } if *max_ms == NEVER_MS => continue,
                Setting::Latency { min_ms, max_ms } if min_ms != max_ms => vec![
                    Some(Setting::Latency { min_ms: *min_ms, max_ms: *min_ms }),
                    Some(Setting::Latency { min_ms: *max_ms, max_ms: *max_ms }),
                ],
                // A fixed latency is simpler than the default range.
                Setting::Latency { .. } => continue,
                _ => vec![None],
            };
            for replacement in simpler {
                let mut items = self.best.items.clone();
                match replacement {
                    Some(r) => items[k].kind = ItemKind::Setting(r),
                    None => {
                        items.remove(k);
                    }
                }
                if self.test(self.with_items(items)) {
                    changed = true;
                    break;
                }
            }
        }
        changed
    }

    /// Drop each server in turn (from the highest), renumbering the ones above it.
    fn drop_servers(&mut self) -> bool {
        let mut changed = false;
        let mut x = self.best.nodes;
        while x >= 1 && !self.exhausted() {
            if let Some(c) = without_server(&self.best, x) {
                changed |= self.test(c);
            }
            x -= 1;
        }
        changed
    }

    /// Every client command on one key (the first one's).
    fn one_key(&mut self) -> bool {
        let key_of = |a: &Action| match a {
            Action::Put { key, .. } | Action::Get { key, .. } | Action::Cas { key, .. } => Some(key.clone()),
            _ => None,
        };
        let keys: Vec<String> =
            self.best.items.iter().filter_map(|it| if let ItemKind::Action(a) = &it.kind { key_of(a) } else { None }).collect();
        let Some(first) = keys.first().cloned() else { return false };
        if keys.iter().all(|k| *k == first) {
            return false;
        }
        let mut items = self.best.items.clone();
        for it in &mut items {
            if let ItemKind::Action(Action::Put { key, .. } | Action::Get { key, .. } | Action::Cas { key, .. }) = &mut it.kind {
                key.clone_from(&first);
            }
        }
        self.test(self.with_items(items))
    }

    /// A client command without `via`: it goes wherever a client would send it.
    fn drop_via(&mut self) -> bool {
        let mut changed = false;
        for k in 0..self.best.items.len() {
            if self.exhausted() {
                break;
            }
            let mut items = self.best.items.clone();
            let ItemKind::Action(Action::Put { via, .. } | Action::Get { via, .. } | Action::Cas { via, .. }) = &mut items[k].kind else {
                continue;
            };
            if via.take().is_none() {
                continue;
            }
            changed |= self.test(self.with_items(items));
        }
        changed
    }

    /// Halve each `run` for as long as the story still holds.
    fn shorten_runs(&mut self) -> bool {
        let mut changed = false;
        for k in 0..self.best.items.len() {
            loop {
                if self.exhausted() {
                    return changed;
                }
                let ItemKind::Action(Action::Run { ms }) = self.best.items[k].kind else { break };
                if ms <= 1 {
                    break;
                }
                let mut items = self.best.items.clone();
                items[k].kind = ItemKind::Action(Action::Run { ms: ms / 2 });
                if !self.test(self.with_items(items)) {
                    break;
                }
                changed = true;
            }
        }
        changed
    }
}

/// `s` up to the instant of its first violation of `property` (for linearizability: the first
/// completion after which the history is not linearizable), or None if it never breaks it.
fn cut_at_violation(s: &Scenario, property: Property) -> Option<Scenario> {
    let mut r = Runner::new(s, Observe::FUZZ);
    let stopped = if property == Property::Linearizability {
        let mut completed = 0;
        r.play_until(s, |r| {
            let done = r.sim.history().iter().filter(|o| o.outcome.is_some()).count();
            if done == completed {
                return false;
            }
            completed = done;
            linearizability::check(&r.sim.history()).violation.is_some()
        })
    } else {
        r.play_until(s, |r| !r.sim.violations().is_empty())
    }?;
    let mut items = s.items[..stopped.index].to_vec();
    match stopped.run_started {
        Some(start) => {
            if r.sim.now() > start {
                items.push(act(Action::Run { ms: r.sim.now() - start }));
            }
        }
        None => items.push(s.items[stopped.index].clone()),
    }
    Some(renumber(Scenario { items, ..s.clone() }))
}

/// Stage 2: `s` with every election timer that fired written as a `timeout` line at its
/// instant, and no timer left to fire on its own. None when there is nothing to make explicit
/// (no timer fired, or time is not in the scenario's hands: `run until leader`). Also None for
/// a stale read under leases (`property` is linearizability and the scenario reads by lease): a
/// lease trusts that no election timer fires within the minimum election timeout of a
/// heartbeat, and a `timeout` line, once shrinking has moved what was around it, can fire a timer
/// sooner than that. Such a story would blame the lease's assumption, not the bug
/// (docs/SCENARIO-NOTES.md, "Reads"). Raft's own properties do not rest on timing, so their
/// stories are free to name their elections.
pub fn explicit_elections(s: &Scenario, property: Property) -> Option<Scenario> {
    let leases = s.items.iter().any(|it| matches!(it.kind, ItemKind::Setting(Setting::Reads(ReadMode::Lease))));
    if (leases && property == Property::Linearizability)
        || s.items.iter().any(|it| matches!(it.kind, ItemKind::Action(Action::RunUntilLeader { .. })))
    {
        return None;
    }
    let r = Runner::run(s, Observe { trace_hash: false, trace_lines: true, feed: false, events: false });
    // Trace lines read `{time}ms S{id} election timeout`. A `timeout` line acts after every
    // event of its millisecond, while the timer fired before the events that follow it in the
    // trace. When other events follow it, the line goes a millisecond earlier instead, so that
    // every random draw is made in the same order (its own messages then leave a millisecond
    // early: the conversion is exact only when nothing shares the timer's millisecond).
    let lines = r.sim.trace().lines();
    let mut fired: Vec<(u64, u8)> = Vec::new();
    for (k, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_suffix(" election timeout") else { continue };
        let Some((t, who)) = rest.split_once("ms S") else { continue };
        let (Ok(t), Ok(id)) = (t.parse::<u64>(), who.parse::<u8>()) else { continue };
        let prefix = format!("{t}ms ");
        let own = format!("{t}ms S{id} ");
        let conflict = lines[k + 1..].iter().take_while(|l| l.starts_with(&prefix)).any(|l| !l.starts_with(&own) || l.ends_with("election timeout"));
        fired.push((if conflict { t.saturating_sub(1) } else { t }, id));
    }
    if fired.is_empty() {
        return None;
    }
    let never = |min_ms: u64| Item { line: 0, kind: ItemKind::Setting(Setting::ElectionTimeout { min_ms, max_ms: NEVER_MS }) };
    let mut out: Vec<Item> = Vec::new();
    let mut now = 0;
    let mut next = 0;
    let mut set_before_actions = false;
    let mut acted = false;
    for it in &s.items {
        match &it.kind {
            ItemKind::Setting(Setting::ElectionTimeout { min_ms, .. }) => {
                set_before_actions |= !acted;
                out.push(never(*min_ms));
            }
            ItemKind::Action(a) => {
                if !acted && !set_before_actions {
                    out.push(never(Settings::default().election_min_ms));
                }
                acted = true;
                let Action::Run { ms } = a else {
                    out.push(it.clone());
                    continue;
                };
                let end = now + ms;
                while next < fired.len() && fired[next].0 <= end {
                    let (t, id) = fired[next];
                    if t > now {
                        out.push(act(Action::Run { ms: t - now }));
                        now = t;
                    }
                    out.push(act(Action::Timeout(Target::Node(id))));
                    next += 1;
                }
                if end > now {
                    out.push(act(Action::Run { ms: end - now }));
                }
                now = end;
            }
            ItemKind::Expect(_) => out.push(it.clone()),
            ItemKind::Setting(_) => out.push(it.clone()),
        }
    }
    Some(renumber(Scenario { items: out, ..s.clone() }))
}

/// `s` without server `x`: the servers above it renumbered one down, `nodes` one less, lines
/// that only concern `x` dropped. None when that cannot be said of `s` (membership changes,
/// expectations, a single server).
pub fn without_server(s: &Scenario, x: u8) -> Option<Scenario> {
    if s.nodes <= 1 || x == 0 || x > s.nodes {
        return None;
    }
    let map = |id: u8| -> Option<u8> {
        match id.cmp(&x) {
            std::cmp::Ordering::Less => Some(id),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(id - 1),
        }
    };
    let target = |t: &Target| -> Option<Target> {
        match t {
            Target::Leader => Some(Target::Leader),
            Target::Node(id) => map(*id).map(Target::Node),
        }
    };
    let mut items = Vec::with_capacity(s.items.len());
    for it in &s.items {
        let kind = match &it.kind {
            ItemKind::Expect(_) => return None,
            ItemKind::Setting(Setting::Nodes(n)) => Some(ItemKind::Setting(Setting::Nodes(n - 1))),
            ItemKind::Setting(_) => Some(it.kind.clone()),
            ItemKind::Action(a) => match a {
                Action::Add(_) | Action::Remove(_) => return None,
                Action::Crash(t) => target(t).map(Action::Crash),
                Action::Restart(t) => target(t).map(Action::Restart),
                Action::Isolate(t) => target(t).map(Action::Isolate),
                Action::Timeout(t) => target(t).map(Action::Timeout),
                Action::Transfer(t) => target(t).map(Action::Transfer),
                Action::Cut { from, to, both } => match (target(from), target(to)) {
                    (Some(from), Some(to)) => Some(Action::Cut { from, to, both: *both }),
                    _ => None,
                },
                Action::Partition(groups) => {
                    let groups: Vec<Vec<u8>> =
                        groups.iter().map(|g| g.iter().filter_map(|&id| map(id)).collect::<Vec<u8>>()).filter(|g| !g.is_empty()).collect();
                    // One group of every server is no partition at all.
                    let whole = groups.len() == 1 && groups[0].len() == usize::from(s.nodes - 1);
                    Some(if groups.is_empty() || whole { Action::Heal } else { Action::Partition(groups) })
                }
                Action::Put { key, value, via } => {
                    Some(Action::Put { key: key.clone(), value: value.clone(), via: via.as_ref().and_then(target) })
                }
                Action::Get { key, via } => Some(Action::Get { key: key.clone(), via: via.as_ref().and_then(target) }),
                Action::Cas { key, old, new, via } => {
                    Some(Action::Cas { key: key.clone(), old: old.clone(), new: new.clone(), via: via.as_ref().and_then(target) })
                }
                other => Some(other.clone()),
            }
            .map(ItemKind::Action),
        };
        if let Some(kind) = kind {
            items.push(Item { line: it.line, kind });
        }
    }
    Some(renumber(Scenario { nodes: s.nodes - 1, items, ..s.clone() }))
}

/// Give items the line numbers they will have when printed: `nodes` and `seed` on lines 1 and
/// 2, then every other item one per line.
pub fn renumber(mut s: Scenario) -> Scenario {
    let mut line = 3;
    for it in s.items.iter_mut() {
        match it.kind {
            ItemKind::Setting(Setting::Nodes(_)) => it.line = 1,
            ItemKind::Setting(Setting::Seed(_)) => it.line = 2,
            _ => {
                it.line = line;
                line += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::verdict;

    fn parse(text: &str) -> Scenario {
        scenario::parse(text).unwrap()
    }

    fn actions(s: &Scenario) -> usize {
        s.items.iter().filter(|it| is_action(it)).count()
    }

    /// Two leaders of one term with bug small-quorum, buried in noise: the story comes out
    /// short, replays to the same violation, and every server it keeps is named.
    #[test]
    fn a_noisy_schedule_shrinks_to_a_short_story_with_the_same_violation() {
        let mut text = String::from("nodes 5\nseed 4\nbug small-quorum\nlatency 5ms..20ms\nloss 3%\n");
        for i in 0..30 {
            text.push_str(&format!("put k{} v{i}\nrun {}ms\n", i % 3, 20 + i * 7 % 50));
            if i == 12 {
                text.push_str("partition S1 S2 | S3 S4 S5\n");
            }
            if i % 9 == 4 {
                text.push_str("crash leader\nrun 30ms\nrestart S1\nrestart S2\nrestart S3\nrestart S4\nrestart S5\n");
            }
        }
        text.push_str("run 3s\n");
        let s = parse(&text);
        let (p, _, _) = verdict(&s).expect("the schedule breaks something");
        let (small, runs) = shrink_counted(&s, p, 2_000);
        assert!(runs <= 2_000);
        assert_eq!(verdict(&small).map(|v| v.0), Some(p), "{}", scenario::print_scenario(&small));
        assert!(actions(&small) * 4 < actions(&s), "{} of {} actions left", actions(&small), actions(&s));
        // A printed story parses back to itself.
        let printed = scenario::print_scenario(&small);
        assert_eq!(scenario::print_scenario(&parse(&printed)), printed);
        // The same input shrinks to the same story.
        assert_eq!(shrink(&s, p, 2_000), small);
    }

    #[test]
    fn elections_become_timeout_lines_at_their_instants() {
        let s = parse("nodes 3\nseed 9\nlatency 10ms\nrun 2s\n");
        let e = explicit_elections(&s, Property::ElectionSafety).expect("somebody timed out");
        let text = scenario::print_scenario(&e);
        assert!(text.contains("election-timeout 150ms..86400s\n"), "{text}");
        assert!(text.contains("timeout S"), "{text}");
        // The same election, now by name: the same leader in the same term at the end.
        let (a, b) = (Runner::run(&s, Observe::REPORT), Runner::run(&e, Observe::REPORT));
        assert_eq!(a.sim.leader(), b.sim.leader());
        assert_eq!(a.sim.leader().map(|l| a.sim.server(l).unwrap().term()), b.sim.leader().map(|l| b.sim.server(l).unwrap().term()));
        // Total time is kept.
        assert_eq!(a.sim.now(), b.sim.now());
    }

    #[test]
    fn a_stale_read_under_leases_keeps_its_timers() {
        // A forced timer can break a lease's clock assumption; a lease story never gets one.
        let lin = Property::Linearizability;
        let s = parse("nodes 3\nseed 9\nlatency 10ms\nreads lease\nrun 2s\n");
        assert!(explicit_elections(&s, lin).is_none());
        let s = parse("nodes 3\nseed 9\nlatency 10ms\nrun 1s\nreads lease\nrun 1s\n");
        assert!(explicit_elections(&s, lin).is_none());
        assert!(explicit_elections(&parse("nodes 3\nseed 9\nlatency 10ms\nreads read-index\nrun 2s\n"), lin).is_some());
        // Raft's own properties do not rest on timing: their stories may name their elections.
        assert!(explicit_elections(&s, Property::LeaderCompleteness).is_some());
    }

    #[test]
    fn dropping_a_server_renumbers_the_others() {
        let s = parse("nodes 5\ncrash S2\npartition S1 S4 | S3\ncut S5 -> S1\nput k v via S4\ntimeout S2\nrun 1s\n");
        let t = scenario::print_scenario(&without_server(&s, 2).unwrap());
        assert_eq!(t, "nodes 4\nseed 1\npartition S1 S3 | S2\ncut S4 -> S1\nput k v via S3\nrun 1s\n");
        assert!(without_server(&parse("nodes 3\nadd S4\nrun 1s\n"), 1).is_none());
        assert!(without_server(&parse("nodes 1\nrun 1s\n"), 1).is_none());
    }

    #[test]
    fn the_cut_ends_at_the_violation() {
        let s = parse("nodes 5\nbug small-quorum\nelection-timeout 3s..4s\npartition S1 S2 | S3 S4 S5\ntimeout S1\ntimeout S3\nrun 100ms\nrun 900ms\ncrash S1\nrun 5s\n");
        let c = cut_at_violation(&s, Property::ElectionSafety).unwrap();
        let text = scenario::print_scenario(&c);
        assert!(text.ends_with("timeout S3\n") || text.contains("timeout S3\nrun "), "{text}");
        assert!(!text.contains("crash S1"), "{text}");
        assert_eq!(verdict(&c).map(|v| v.0), Some(Property::ElectionSafety));
    }
}
