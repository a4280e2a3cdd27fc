//! Tests of the analytics against published figures and identities.

mod properties;
mod published;
