//! The deterministic simulated cluster. SKELETON.
pub mod scenario;
pub mod history;
pub mod check;
