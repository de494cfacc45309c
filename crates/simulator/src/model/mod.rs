//! The model: the types the engine, the servers, the checkers and the scenario language share.
//! Nothing here depends on any other module of the crate.
//!
//! * [`settings`] — the knobs of a run and the change of one knob (`Setting`);
//! * [`history`] — the client operations and how they ended;
//! * [`property`] — the properties a run is checked for;
//! * [`reported`] — the state a server reports (role, term, log, commit).

/// Servers are numbered 1..=9; index 0 is unused so ids index directly.
pub const MAX_NODES: usize = 9;

pub mod history;
pub mod property;
pub mod reported;
pub mod settings;

pub use history::{op_text, OpKind, OpOutcome, Operation};
pub use property::Property;
pub use reported::Reported;
pub use settings::{Protocol, Setting, Settings};
