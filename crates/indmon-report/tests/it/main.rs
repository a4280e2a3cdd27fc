//! The reports on a fixture store: the bundled snapshot of real data loaded into a
//! temporary data directory, and the results checked against published figures and
//! independent computations.

mod complexity;
mod dependencies;
mod markets;
mod support;
mod target;
