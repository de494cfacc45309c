//! The feed: the run told in plain sentences for people, one consumer of the event stream.
//! Only kept when `Observe::feed` (the page); the text is only formatted then.

use raft_core::Role;

use super::events::{Event, NetChange};
use super::{FeedEvent, Sim, FEED_MAX};
use crate::model::{op_text, OpKind, OpOutcome};

impl Sim {
    /// The feed's sentence for `e`, if it has one. `was`: the role and term the feed last told
    /// about the server of a role change.
    pub(super) fn tell(&mut self, e: &Event, was: (Role, u64)) {
        let text = match e {
            Event::RoleChanged { node, role, term } => match self.role_sentence(*node, *role, *term, was) {
                Some(t) => t,
                None => return,
            },
            Event::Committed { node, index, leader: true } => {
                format!("S{node} committed up to entry {index}: a majority stores it")
            }
            Event::ClientInvoked { op, to } => format!("A client sends {} to S{to}", op_text(&self.history[*op])),
            Event::ClientAnswered { op } => {
                let op = &self.history[*op];
                let (text, line, shown) = (op_text(op), op.line, answer_text(op));
                format!("{text} (line {line}): {shown}")
            }
            Event::NetworkChanged(c) => match c {
                NetChange::Partition(text) => format!("The network split: {text}"),
                NetChange::Cut { from, to, both } => format!("Link cut: S{from} {} S{to}", arrow(*both)),
                NetChange::Uncut { from, to, both } => format!("Link restored: S{from} {} S{to}", arrow(*both)),
                NetChange::Isolate(id) => format!("S{id} is cut off from every other server"),
                NetChange::Heal => "The network healed: every server can reach every other".to_string(),
            },
            Event::Admin { node, admin: crate::servers::Admin::AddServer { id } } => {
                format!("S{node} begins adding S{id}: it catches up as a non-voter first")
            }
            Event::ServerSaid { text, .. } => text.clone(),
            Event::Violation(v) => format!("Safety violation ({}): {}", v.property.name(), v.detail),
            Event::Error { text } => format!("Could not do that: {text}"),
            _ => return,
        };
        if self.feed.len() >= FEED_MAX {
            self.feed.pop_front();
        }
        self.feed.push_back(FeedEvent { time_ms: self.now, text });
    }

    /// Why a role changed, when it is news ("stepped down", "won the election").
    fn role_sentence(&self, id: raft_core::NodeId, role: Role, term: u64, (was, was_term): (Role, u64)) -> Option<String> {
        let r = self.server(id)?.report()?;
        Some(match role {
            Role::Leader => {
                let names: Vec<String> = r.votes().iter().map(|v| format!("S{v}")).collect();
                if names.is_empty() {
                    format!("S{id} became leader for term {term}")
                } else {
                    format!("S{id} won the election for term {term} with votes from {}", names.join(", "))
                }
            }
            Role::Candidate => format!("S{id} started an election for term {term} and votes for itself"),
            Role::PreCandidate => {
                format!("S{id} timed out and asks (Pre-Vote) whether it could win term {}", term + 1)
            }
            // A follower that only moved to a newer term is no news.
            Role::Follower if was == Role::Follower => return None,
            Role::Follower => match (was, term > was_term, r.leader_hint()) {
                (Role::Leader, true, _) => format!("S{id} stepped down as leader: it heard of term {term}"),
                (Role::Leader, false, _) if !r.voters().contains(&id) => {
                    format!("S{id} stepped down as leader of term {term}: it is no longer in the configuration")
                }
                (Role::Leader, false, _) if self.settings.core.check_quorum => format!(
                    "S{id} stepped down as leader of term {term}: it has not heard from a majority for an election timeout (CheckQuorum)"
                ),
                (Role::Leader, false, _) => format!("S{id} stepped down as leader of term {term}"),
                (_, true, _) => format!("S{id} gave up its election: it heard of term {term}"),
                (_, false, Some(l)) => format!("S{id} gave up its election: S{l} already leads term {term}"),
                (Role::PreCandidate, false, None) => {
                    format!("S{id}'s Pre-Vote failed: a majority would not vote for it now")
                }
                (_, false, None) => format!("S{id} lost the election for term {term}: a majority refused it their vote"),
            },
        })
    }
}

pub(super) fn arrow(both: bool) -> &'static str {
    if both {
        "<->"
    } else {
        "->"
    }
}

/// How an ended operation is written: `ok, v` for a read, else its outcome.
pub(super) fn answer_text(op: &crate::model::Operation) -> String {
    match (&op.kind, op.outcome) {
        (OpKind::Get, Some(OpOutcome::Ok)) => format!("ok, {}", op.result.as_deref().unwrap_or("absent")),
        (_, o) => o.map_or("pending", |o| o.name()).to_string(),
    }
}
