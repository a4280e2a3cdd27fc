//! Tests of the analytics against published figures and identities.

mod complexity;
mod properties;
mod published;
