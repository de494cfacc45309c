//! Checkers that watch the simulation from outside the code they check.
pub mod linearizability;
pub mod safety;
