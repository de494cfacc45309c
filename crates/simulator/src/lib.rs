//! The deterministic simulated cluster behind `raft-sim` and the page.
//!
//! * [`model`] — the types everything shares: settings, the client history, properties, the
//!   state a server reports;
//! * [`scenario`] — the scenario language (parse, print);
//! * [`engine`] — virtual time, the network, timers and clients, and the event stream;
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
pub mod engine;
pub mod fuzz;
pub mod model;

pub mod runner;
pub mod scenario;
pub mod servers;
pub mod session;

// Where these lived before the layers had folders; kept so callers need not change.
pub use engine as sim;
pub use engine::{network, rng, trace};
pub use fuzz::shrink;
pub use model::{history, settings};
pub use runner::{report, view, Runner};
pub use engine::{Event, Observe, Sim};
