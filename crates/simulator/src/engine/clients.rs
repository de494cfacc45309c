//! Clients: they stand outside the cluster (no partition or crash reaches them), send each
//! command to the server they believe leads, follow "not leader" hints, retry on timeouts, and
//! give up after a bounded time, knowing whether their command certainly did not take effect.

use raft_core::{ClientReply, ClientResult, Command, NodeId, RequestId};

use super::{Due, Envelope, Event, Sim};
use crate::model::{OpKind, OpOutcome, Operation};

/// How many tries' worth of `client-timeout` a client waits in all before it gives up.
pub const CLIENT_TRIES: u64 = 5;

#[derive(Clone, Debug)]
pub(super) struct Client {
    id: RequestId,
    command: Command,
    attempt: u32,
    target: NodeId,
    timeouts: u32,
    /// A try may have reached a leader that took the command: it timed out, or the network
    /// duplicated its request (one copy turned away proves nothing about the other).
    uncertain: bool,
    give_up_at: u64,
    done: bool,
}

impl Sim {
    /// A new client issues `command` (scenario line `line`) to `via` or the server it believes
    /// leads. Returns the operation's index in the history.
    pub fn client_command(&mut self, line: u32, command: Command, via: Option<NodeId>) -> usize {
        let index = self.history.len();
        let kind = match &command {
            Command::Put { value, .. } => OpKind::Put { value: value.clone() },
            Command::Get { .. } => OpKind::Get,
            Command::Cas { old, new, .. } => OpKind::Cas { expected: old.clone(), new: new.clone() },
        };
        self.history.push(Operation {
            line,
            key: command.key().to_string(),
            kind,
            invoked_ms: self.now,
            invoked_seq: 0,
            completed_ms: None,
            completed_seq: None,
            outcome: None,
            result: None,
            turned_away: false,
        });
        let target = match via {
            Some(x) => x,
            // No leader to find (naive), so operation k (0-based, in issue order) goes to
            // S((k mod N) + 1): round robin, the same on every replay.
            None if !self.has_leaders() => (index % self.max_node() as usize) as NodeId + 1,
            None => self.leader_guess,
        };
        self.clients.push(Client {
            id: RequestId { client: index as u64 + 1, seq: 1 },
            command,
            attempt: 0,
            target,
            timeouts: 0,
            uncertain: false,
            give_up_at: self.now + CLIENT_TRIES * self.settings.client_timeout_ms,
            done: false,
        });
        self.emit(Event::ClientInvoked { op: index, to: target });
        // The event order, for the linearizability checker: see `Operation`.
        self.history[index].invoked_seq = self.trace.events();
        self.client_send(index);
        index
    }

    fn client_send(&mut self, client: usize) {
        let c = &mut self.clients[client];
        c.attempt += 1;
        let (attempt, to, id, command) = (c.attempt, c.target, c.id, c.command.clone());
        let timeout = self.settings.client_timeout_ms;
        self.schedule(self.now + timeout, Due::ClientTimeout { client, attempt });
        if self.send(Envelope::Request { client, attempt, to, id, command }) > 1 {
            // A "not leader" answer settles only the copy it answers: the other copy may
            // reach a leader that takes the command, which then commits under the next one.
            self.clients[client].uncertain = true;
        }
    }

    fn next_server_after(&self, id: NodeId) -> NodeId {
        let n = self.max_node();
        if id >= n {
            1
        } else {
            id + 1
        }
    }

    pub(super) fn client_reply(&mut self, client: usize, attempt: u32, from: NodeId, reply: ClientReply) {
        if self.clients[client].done {
            return;
        }
        match reply {
            ClientReply::Result(result) => {
                self.leader_guess = from;
                let (outcome, value) = match result {
                    ClientResult::Done => (OpOutcome::Ok, None),
                    ClientResult::Value(v) => (OpOutcome::Ok, v),
                    ClientResult::CasFailed(v) => (OpOutcome::Fail, v),
                };
                self.complete(client, outcome, value);
            }
            ClientReply::NotLeader { hint } => {
                if attempt != self.clients[client].attempt {
                    return; // an answer to an older try; the current one is still out
                }
                match hint {
                    Some(h) if h != from => {
                        self.leader_guess = h;
                        self.clients[client].target = h;
                        self.client_retry(client);
                    }
                    _ => {
                        let next = self.next_server_after(from);
                        self.clients[client].target = next;
                        // Nobody knows a leader: wait a heartbeat before asking again.
                        let at = self.now + self.settings.heartbeat_ms;
                        self.clients[client].attempt += 1; // the timeout of this try no longer counts
                        self.schedule(at, Due::ClientRetry { client });
                    }
                }
            }
        }
    }

    pub(super) fn client_retry(&mut self, client: usize) {
        if self.clients[client].done {
            return;
        }
        if self.now >= self.clients[client].give_up_at {
            self.give_up(client);
            return;
        }
        self.client_send(client);
    }

    pub(super) fn client_timeout(&mut self, client: usize, attempt: u32) {
        let c = &mut self.clients[client];
        if c.done || c.attempt != attempt {
            return;
        }
        c.timeouts += 1;
        c.uncertain = true;
        if c.timeouts as u64 >= CLIENT_TRIES || self.now >= c.give_up_at {
            self.give_up(client);
            return;
        }
        let target = c.target;
        let next = self.next_server_after(target);
        self.clients[client].target = next;
        self.client_send(client);
    }

    /// The client stops trying. It knows the command did not take effect only if every try was
    /// turned away; otherwise it may have.
    fn give_up(&mut self, client: usize) {
        let outcome = if self.clients[client].uncertain { OpOutcome::Unknown } else { OpOutcome::Fail };
        self.history[client].turned_away = outcome == OpOutcome::Fail;
        self.complete(client, outcome, None);
    }

    fn complete(&mut self, client: usize, outcome: OpOutcome, value: Option<String>) {
        self.clients[client].done = true;
        let now = self.now;
        let op = &mut self.history[client];
        op.completed_ms = Some(now);
        op.outcome = Some(outcome);
        if matches!(op.kind, OpKind::Get) || outcome == OpOutcome::Fail {
            op.result = value;
        }
        self.emit(Event::ClientAnswered { op: client });
        self.history[client].completed_seq = Some(self.trace.events());
    }
}
