//! The deterministic simulated cluster behind `raft-sim` and the page.
//!
//! * [`scenario`] — the scenario language (parse, print);
//! * [`sim`] — virtual time, the network, timers and clients: the engine;
//! * [`servers`] — the servers the engine hosts behind one interface (Raft, naive);
//! * [`runner`] — plays a scenario on a simulation, with its expectations;
//! * [`check`] — the safety checker (Figure 3) and the linearizability checker;
//! * [`report`] — the JSON report;
//! * [`session`] — time travel: the recording, checkpoints, seek and fork (page and CLI).
//!
//! One seed and one scenario give the same run, event for event, natively and in WebAssembly:
//! one seeded generator, integer probabilities, a queue ordered by (time, sequence), and no
//! iteration over hash maps.

pub mod check;
pub mod fuzz;
pub mod history;

pub mod network;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod servers;
pub mod session;
pub mod settings;
pub mod shrink;
pub mod sim;
pub mod trace;
pub mod view;

pub use runner::Runner;
pub use sim::{Observe, Sim};
