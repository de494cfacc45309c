//! SKELETON — to be written by the linearizability work.
