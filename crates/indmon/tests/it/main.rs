//! End-to-end tests of the `indmon` binary on the bundled data, malformed inputs,
//! an interrupted ingest, synthetic data and the live sources (against a local
//! server).

mod bad_input;
mod complexity;
mod dependencies;
mod evaluate_did;
mod evaluate_preset;
mod evaluate_synth;
mod integrity;
mod interrupted;
mod invariants;
mod ledger;
mod live;
mod markets;
mod must_show;
mod outputs;
mod parity;
mod releases;
mod resources;
mod semis;
mod server;
mod support;
mod synthetic;
mod target;
mod web;
