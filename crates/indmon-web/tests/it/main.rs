//! indmon-web in process: the router driven with `tower::ServiceExt::oneshot` on a
//! temporary store (the bundled snapshot) and a SQLite ledger.

mod api;
mod integrity;
mod ledger;
mod support;
