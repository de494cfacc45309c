//! Checkers that watch the simulation from outside.
pub mod linearizability;
