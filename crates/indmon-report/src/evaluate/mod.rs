//! Effect evaluations as typed results: a synthetic control ([`synth`]) and a staggered
//! difference-in-differences ([`did`]) on a panel read from a file or built from the
//! store, every figure with its sources and method version.

pub mod data;
pub mod did;
pub mod preset;
pub mod synth;
