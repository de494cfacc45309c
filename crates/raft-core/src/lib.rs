//! A sans-IO Raft core.
//!
//! # Contract
//! A [`Node`] never reads a clock, never performs I/O and draws no random numbers.
//! Everything reaches it through [`Node::step`] as an [`Input`] together with the current
//! simulated time in milliseconds, and everything it wants done comes back as a list of
//! [`Effect`]s that the caller must carry out **in order**:
//!
//! * `Send` — deliver a [`Message`] to another server (or drop it; Raft tolerates loss).
//! * `PersistHardState` / `PersistLog` — the node's [`Durable`] state changed. In the simulator
//!   durable state is written synchronously, so these are notifications for observers (the safety
//!   checker, the trace) rather than requests that can fail.
//! * `ResetElectionTimer` — (re)arm the election timer with a fresh duration that the *caller*
//!   draws from the configured range. Randomness stays outside the core.
//! * `SetHeartbeatTimer` — arm the heartbeat timer `heartbeat_ms` from now.
//! * `RoleChanged`, `Committed`, `Applied` — notifications.
//! * `ClientReply` — answer a client request.
//! * `Refused` — an admin input (transfer, add, remove) cannot proceed; nothing changed.
//!   Also emitted by a leader's heartbeat tick when a leadership transfer is aborted.
//!
//! Reading the node after a step: every entry reported `Applied` is still in [`Node::log`]
//! when the step returns (compaction for `snapshot_every` is deferred to the start of the next
//! step, which then begins with `PersistSnapshot`). Entries covered by an installed snapshot
//! are not reported `Applied`: the state machine jumps to the snapshot (`PersistSnapshot`,
//! then `Committed`).
//!
//! Client requests: at most one `ClientReply` per request the node holds. A leader that steps
//! down drops its waiting requests silently (they may still commit under the next leader; the
//! client times out and retries, and its session answers the retry, §6.3). `NotLeader` means
//! the request certainly did not take effect through this server.
//!
//! Timers: [`Config::election_timeout_min_ms`] must be the low end of the range the caller
//! draws election timeouts from: leases and the §4.2.3 "ignore vote requests while a leader is
//! alive" rule are measured against it. A leader keeps its election timer running (CheckQuorum);
//! a heartbeat timer firing at a non-leader is ignored.
//!
//! Timers hold no protocol logic: when one fires the caller steps
//! [`Input::ElectionTimeout`] or [`Input::HeartbeatTimeout`] through the same `step`.
//!
//! A crash is modelled by dropping the node and building a new one with
//! [`Node::restart`] from the [`Durable`] state of the old one.
//!
//! # Where things live
//! * `node.rs`: [`Node`]'s state (durable and volatile, role-specific data inside the role),
//!   [`Node::step`] with the rules common to every role and the hand-over to each role, the
//!   `become_*` role changes (which assert the move is legal), the getters and `validate`.
//! * `node/election.rs`: the election timer, Pre-Vote (§9.6) and vote campaigns, counting
//!   votes, the voter's side with the election restriction (§5.4.1), CheckQuorum (§6.2).
//! * `node/replication.rs`: client writes entering the log, heartbeats, AppendEntries and
//!   InstallSnapshot on both sides, progress, commitment (§5.3, §5.4.2), applying, compaction.
//! * `node/reads.rs`: ReadIndex (§6.4) and lease reads (§6.4.1).
//! * `node/membership.rs`: single-server membership changes (§4.1–§4.2).
//! * `node/transfer.rs`: leadership transfer (§3.10).
//! * Beside them, small modules over plain types: `role.rs` ([`Role`]), `effect.rs`
//!   ([`Effect`]), `message.rs`, `log.rs`, `quorum.rs` (vote and commit arithmetic), `kv.rs`
//!   (the state machine and client sessions), `types.rs`.

mod types;
mod message;
mod effect;
mod kv;
mod log;
mod quorum;
mod role;
mod node;
pub mod sort;
pub mod vecmap;

pub use effect::{ClientReply, Effect};
pub use kv::{KvState, Session};

pub use message::{push_decimal, Message, MessageBody};
pub use node::{Input, Node, Progress};
pub use quorum::{committed_index, is_quorum, majority, vote_result, VoteResult};
pub use role::Role;
pub use types::*;
