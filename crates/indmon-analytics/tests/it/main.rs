//! Tests of the analytics against published figures and identities.

mod complexity;
mod dependencies;
mod did;
mod markets;
mod properties;
mod published;
