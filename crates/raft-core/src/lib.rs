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
//!
//! Timers hold no protocol logic: when one fires the caller steps
//! [`Input::ElectionTimeout`] or [`Input::HeartbeatTimeout`] through the same `step`.
//!
//! A crash is modelled by dropping the node and building a new one with
//! [`Node::restart`] from the [`Durable`] state of the old one.

mod types;
mod message;
mod effect;
mod kv;
mod log;
mod quorum;
mod node;

pub use effect::{ClientReply, Effect};
pub use kv::{KvState, Session};

pub use message::{Message, MessageBody};
pub use node::{Input, Node, Progress, Role};
pub use quorum::{committed_index, majority, vote_result, VoteResult};
pub use types::*;
