//! Tests of the analytics against published figures and identities.

mod complexity;
mod dependencies;
mod did;
mod evaluate_synth;
mod markets;
mod properties;
mod published;
