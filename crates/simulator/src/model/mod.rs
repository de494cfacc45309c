//! The model: the types the engine, the servers, the checkers and the scenario language share.
//! Nothing here depends on any other module of the crate.
//!
//! * [`settings`] — the knobs of a run and the change of one knob (`Setting`);
//! * [`history`] — the client operations and how they ended;
//! * [`property`] — the properties a run is checked for;
//! * [`reported`] — the state a server reports (role, term, log, commit).

pub mod history;
pub mod property;
pub mod reported;
pub mod settings;

pub use history::{OpKind, OpOutcome, Operation};
pub use property::Property;
pub use reported::Reported;
pub use settings::{Protocol, Setting, Settings};
