//! What the page draws each frame: the report's node and history views plus what only a viewer
//! needs (timers, messages on the wire, the feed). Built natively so tests can check it.

use serde::Serialize;

use raft_core::Role;

use crate::runner::report::{self, ExpectationReport, NodeBase, OpReport};
use crate::runner::Runner;
use crate::model::Protocol;
use crate::engine::{Envelope, Flight, Server};
use raft_core::{Bug, NodeId};

/// At most this many of a log's newest entries are sent to the page each frame.
pub const LOG_TAIL: usize = 60;

#[derive(Serialize, Clone, Debug)]
pub struct View {
    pub time_ms: u64,
    pub nodes: Vec<NodeView>,
    pub messages: Vec<MessageView>,
    /// The partition as scenario text (`S1 S2 | S3 S4 S5`), empty when every server can reach
    /// every other: what `data-partition` shows.
    pub partition: String,
    /// The same groups as data, each sorted, ordered by lowest member; empty when there is one.
    pub partition_groups: Vec<Vec<String>>,
    pub cuts: Vec<CutView>,
    pub settings: SettingsView,
    pub history: Vec<OpReport>,
    pub events: Vec<EventView>,
    pub safe: bool,
    pub violations: Vec<ViolationView>,
    pub expectations: Vec<ExpectationReport>,
    pub errors: Vec<String>,
    pub trace_hash: String,
    pub leader: Option<String>,
}

#[derive(Serialize, Clone, Debug)]
pub struct NodeView {
    /// What the report says too: id, running, role, term, vote, commit index, state, voters,
    /// snapshot.
    #[serde(flatten)]
    pub base: NodeBase,
    pub leader_hint: Option<String>,
    /// In the voter set of the cluster's current configuration (as this server sees it).
    pub member: bool,
    pub timer: Option<TimerView>,
    pub log_len: u64,
    /// The newest [`LOG_TAIL`] entries.
    pub log: Vec<LogEntryView>,
    pub votes: Vec<String>,
    /// For a running candidate or pre-candidate: the votes it needs to win, by the quorum rule
    /// in force (raft-core's `majority` over its voters, `bug small-quorum` included).
    pub votes_needed: Option<usize>,
    /// `member`, `joining` (the leader is catching it up as a learner before it votes) or
    /// `removed`: as the leader sees it when there is one, else as the server sees itself.
    pub membership: &'static str,
    /// For a leader: each follower's match index, `S2:7`.
    pub progress: Vec<ProgressView>,
    /// A server that reports no Raft state (`protocol naive`, or a JavaScript node that never
    /// calls `ctx.report`): its role and term are placeholders, and the page draws it as a plain
    /// server.
    pub plain: bool,
}

#[derive(Serialize, Clone, Debug)]
pub struct ProgressView {
    pub id: String,
    pub match_index: u64,
    pub next_index: u64,
    pub learner: bool,
}

#[derive(Serialize, Clone, Debug)]
pub struct TimerView {
    pub kind: &'static str,
    pub started_ms: u64,
    pub deadline_ms: u64,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct LogEntryView {
    pub index: u64,
    pub term: u64,
    pub command: String,
    pub committed: bool,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct MessageView {
    pub id: u64,
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub response: bool,
    /// An AppendEntries that carries no entries.
    pub heartbeat: bool,
    pub summary: String,
    pub sent_ms: u64,
    pub deliver_ms: u64,
    pub dropped_ms: Option<u64>,
}

#[derive(Serialize, Clone, Debug)]
pub struct CutView {
    pub from: String,
    pub to: String,
}

#[derive(Serialize, Clone, Debug)]
pub struct SettingsView {
    pub nodes: u8,
    pub seed: u64,
    pub loss_pct: f64,
    pub duplicate_pct: f64,
    pub latency_min_ms: u64,
    pub latency_max_ms: u64,
    pub prevote: bool,
    pub check_quorum: bool,
    pub election_min_ms: u64,
    pub election_max_ms: u64,
    pub heartbeat_ms: u64,
    pub client_timeout_ms: u64,
    pub reads: &'static str,
    pub protocol: &'static str,
    pub bugs: Vec<&'static str>,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct EventView {
    pub time_ms: u64,
    pub text: String,
}

#[derive(Serialize, Clone, Debug)]
pub struct ViolationView {
    pub property: &'static str,
    pub at_ms: u64,
    pub detail: String,
}

/// A message on the wire (or just dropped), as the page draws it.
pub fn message_view(f: &Flight, runner: &Runner) -> MessageView {
    let (from, to) = f.envelope.endpoints(&runner.sim.history());
    MessageView {
        id: f.id,
        from,
        to,
        kind: f.envelope.kind(),
        response: f.envelope.is_response(),
        heartbeat: matches!(&f.envelope, Envelope::Peer(m) if m.is_heartbeat()),
        summary: f.envelope.summary(&runner.sim.history()),
        sent_ms: f.sent_ms,
        deliver_ms: f.deliver_ms,
        dropped_ms: f.dropped_ms,
    }
}

/// A server that reports no state (`protocol naive`): no role but follower, no term, no votes
/// (see report::node_base); its "log" is the writes it applied, each final the moment it was
/// applied ("committed").
fn plain_node_view(base: NodeBase, s: &Server) -> NodeView {
    NodeView {
        base,
        leader_hint: None,
        member: true,
        timer: None,
        log_len: s.host().last_applied(),
        log: s
            .host()
            .applied_tail()
            .into_iter()
            .map(|(index, term, command)| LogEntryView { index, term, command, committed: true })
            .collect(),
        votes: Vec::new(),
        votes_needed: None,
        membership: "member",
        progress: Vec::new(),
        plain: true,
    }
}

/// `NodeView::membership` of server `id` (`member`: in its own voter set, as it sees itself).
fn membership(sim: &crate::engine::Sim, id: NodeId, member: bool) -> &'static str {
    let leader = sim.leader().and_then(|l| sim.server(l));
    let voters = leader.and_then(|l| l.report()).map(|r| r.voters());
    let joining = || leader.and_then(Server::raft).is_some_and(|n| n.progress().iter().any(|p| p.id == id && p.learner));
    match voters {
        Some(v) if v.contains(&id) => "member",
        Some(_) if joining() => "joining",
        Some(_) => "removed",
        None if member => "member",
        None => "removed",
    }
}

/// The newest [`LOG_TAIL`] entries of a server that reports its Raft state, its log and its
/// commit index (an entry at or below it is committed): what a node's `log` shows. None for a
/// plain server (see `plain_node_view`).
pub fn log_tail(s: &Server) -> Option<(&[raft_core::Entry], &raft_core::Log, u64)> {
    let n = s.report()?;
    let entries = n.log().entries();
    Some((&entries[entries.len().saturating_sub(LOG_TAIL)..], n.log(), n.commit_index()))
}

/// `events`: how many of the newest feed lines to include.
pub fn view(runner: &Runner, events: usize) -> View {
    build::<true>(runner, events)
}

/// [`view`] with the `log` of every server that reports its Raft state left empty (not built):
/// the page's frame writes it from [`log_tail`] itself, formatting only the entries the page
/// does not hold yet (raft-wasm's frame.rs).
pub fn view_without_logs(runner: &Runner, events: usize) -> View {
    build::<false>(runner, events)
}

/// (One compiled copy per use: the page's module builds no log texts here at all.)
fn build<const LOG_TEXTS: bool>(runner: &Runner, events: usize) -> View {
    let sim = &runner.sim;
    let nodes = sim
        .servers()
        .iter()
        .map(|s| {
            let base = report::node_base(s, sim.max_node());
            let Some(n) = s.report() else { return plain_node_view(base, s) };
            let raft = s.raft();
            let log = n.log();
            let tail = if LOG_TEXTS { log_tail(s).map_or(&[][..], |(t, _, _)| t) } else { &[] };
            let timer = if !s.running() {
                None
            } else if n.role() == Role::Leader {
                s.timer("heartbeat").map(|(a, b)| TimerView { kind: "heartbeat", started_ms: a, deadline_ms: b })
            } else {
                s.timer("election").map(|(a, b)| TimerView { kind: "election", started_ms: a, deadline_ms: b })
            };
            let member = n.voters().contains(&s.id());
            let campaigning = s.running() && matches!(n.role(), Role::Candidate | Role::PreCandidate);
            NodeView {
                base,
                leader_hint: n.leader_hint().map(|v| format!("S{v}")),
                member,
                votes_needed: campaigning
                    .then(|| raft_core::majority(n.voters().len(), raft.is_some_and(|r| r.config().has_bug(Bug::SmallQuorum)))),
                membership: membership(sim, s.id(), member),
                timer,
                log_len: log.last_index(),
                log: tail
                    .iter()
                    .map(|e| LogEntryView {
                        index: e.index,
                        term: e.term,
                        command: report::entry_text(&e.data),
                        committed: e.index <= n.commit_index(),
                    })
                    .collect(),
                votes: n.votes().iter().map(|v| format!("S{v}")).collect(),
                progress: raft
                    .map(|r| r.progress())
                    .unwrap_or_default()
                    .iter()
                    .map(|p| ProgressView {
                        id: format!("S{}", p.id),
                        match_index: p.match_index,
                        next_index: p.next_index,
                        learner: p.learner,
                    })
                    .collect(),
                plain: false,
            }
        })
        .collect();
    let mut messages: Vec<MessageView> = sim.in_flight().map(|f| message_view(f, runner)).collect();
    messages.extend(sim.recently_dropped().map(|f| message_view(f, runner)));
    let st = &sim.settings();
    let feed_skip = sim.feed().len().saturating_sub(events);
    View {
        time_ms: sim.now(),
        nodes,
        messages,
        partition: sim.network().partition_text(&sim.server_ids()),
        partition_groups: match sim.network().groups(&sim.server_ids()) {
            groups if groups.len() > 1 => {
                groups.iter().map(|g| g.iter().map(|id| format!("S{id}")).collect()).collect()
            }
            _ => Vec::new(),
        },
        cuts: sim.network().cuts().into_iter().map(|(f, t)| CutView { from: format!("S{f}"), to: format!("S{t}") }).collect(),
        settings: SettingsView {
            nodes: st.nodes,
            seed: st.seed,
            loss_pct: st.loss_ppm as f64 / 10_000.0,
            duplicate_pct: st.duplicate_ppm as f64 / 10_000.0,
            latency_min_ms: st.latency_min_ms,
            latency_max_ms: st.latency_max_ms,
            prevote: st.core.prevote,
            check_quorum: st.core.check_quorum,
            election_min_ms: st.election_min_ms,
            election_max_ms: st.election_max_ms,
            heartbeat_ms: st.heartbeat_ms,
            client_timeout_ms: st.client_timeout_ms,
            reads: match st.core.reads {
                raft_core::ReadMode::Log => "log",
                raft_core::ReadMode::ReadIndex => "read-index",
                raft_core::ReadMode::Lease => "lease",
            },
            protocol: match st.protocol {
                Protocol::Raft => "raft",
                Protocol::Naive => "naive",
                Protocol::Js => "js",
            },
            bugs: st.core.bugs.iter().map(|b| b.name()).collect(),
        },
        history: report::history_reports(sim),
        events: sim.feed().iter().skip(feed_skip).map(|e| EventView { time_ms: e.time_ms, text: e.text.clone() }).collect(),
        safe: sim.checker().is_safe(),
        violations: sim
            .violations()
            .iter()
            .map(|v| ViolationView { property: v.property.name(), at_ms: v.at_ms, detail: v.detail.clone() })
            .collect(),
        expectations: runner
            .expectations
            .iter()
            .map(ExpectationReport::of)
            .collect(),
        errors: sim.errors().iter().map(|e| format!("{}ms: {}", e.time_ms, e.text)).collect(),
        trace_hash: sim.trace().hash_hex(),
        leader: sim.leader().map(|l| format!("S{l}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use crate::engine::Observe;

    fn feed(text: &str) -> Vec<String> {
        let s = scenario::parse(text).unwrap();
        let r = Runner::run(&s, Observe::PAGE);
        view(&r, 1000).events.into_iter().map(|e| e.text).collect()
    }

    #[test]
    fn the_feed_tells_why_a_role_changed_and_skips_followers_moving_to_a_newer_term() {
        let lines = feed("nodes 3\ntimeout S1\nrun 300ms\nisolate S1\nrun 1s\nheal\nrun 500ms\n");
        let text = lines.join("\n");
        assert!(text.contains("S1 won the election for term 1 with votes from S1, S"), "{text}");
        assert!(text.contains("S1 stepped down as leader: it heard of term"), "{text}");
        assert!(!text.contains("is a follower"), "{text}");
        // Of the three votes of term 1 only the candidate's line is there: followers that
        // moved to term 1 by voting say nothing.
        assert_eq!(lines.iter().filter(|l| l.contains("term 1") && l.starts_with("S2")).count(), 0, "{text}");
    }

    #[test]
    fn a_leader_that_steps_down_in_its_own_term_says_why() {
        let cq = feed("nodes 3\ncheck-quorum on\ntimeout S1\nrun 300ms\nisolate S1\nrun 1s\n").join("\n");
        assert!(cq.contains("S1 stepped down as leader of term 1: it has not heard from a majority"), "{cq}");
        let removed = feed("nodes 3\ntimeout S1\nrun 300ms\nremove S1\nrun 500ms\n").join("\n");
        assert!(removed.contains("S1 stepped down as leader of term 1: it is no longer in the configuration"), "{removed}");
    }

    #[test]
    fn a_candidate_that_meets_the_leader_of_its_term_says_so() {
        // S2 and S3 time out together; one wins, the other hears from it in the same term.
        let text = feed("nodes 3\ntimeout S2\ntimeout S3\nrun 300ms\n").join("\n");
        assert!(text.contains("gave up its election: S") || text.contains("lost the election for term"), "{text}");
    }

    fn at_end(text: &str) -> View {
        let s = scenario::parse(text).unwrap();
        view(&Runner::run(&s, Observe::PAGE), 0)
    }

    fn node<'a>(v: &'a View, id: &str) -> &'a NodeView {
        v.nodes.iter().find(|n| n.base.id == id).unwrap()
    }

    #[test]
    fn votes_needed_follow_the_quorum_rule_in_force() {
        let story = "nodes 5\nisolate S1\ntimeout S1\nrun 1ms\n";
        let fair = at_end(story);
        assert_eq!(node(&fair, "S1").votes_needed, Some(3));
        let small = at_end(&format!("bug small-quorum\n{story}"));
        assert_eq!(node(&small, "S1").votes_needed, Some(2));
        assert_eq!(node(&small, "S2").votes_needed, None, "a follower is not campaigning");
        let pre = at_end(&format!("prevote on\nbug small-quorum\n{story}"));
        assert_eq!(node(&pre, "S1").base.role, "pre-candidate");
        assert_eq!(node(&pre, "S1").votes_needed, Some(2));
    }

    #[test]
    fn partition_groups_heartbeats_and_membership_are_facts() {
        let v = at_end("nodes 5\npartition S1 S2 | S3\ncut S4 S5\ntimeout S1\nrun 300ms\nrun 52ms\n");
        assert_eq!(v.partition, "S1 S2 | S3 | S4 S5");
        assert_eq!(v.partition_groups, vec![vec!["S1", "S2"], vec!["S3"], vec!["S4", "S5"]]);
        assert!(at_end("nodes 3\ncut S1 S2\n").partition_groups.is_empty(), "a cut is not a group");
        for m in &v.messages {
            let empty = m.summary.contains("entries=[]");
            assert_eq!(m.heartbeat, m.kind == "AppendEntries" && empty, "{}", m.summary);
        }
        let removed = at_end("nodes 3\ntimeout S1\nrun 300ms\nremove S3\nrun 300ms\n");
        assert_eq!(node(&removed, "S1").membership, "member");
        assert_eq!(node(&removed, "S3").membership, "removed");
    }
}
