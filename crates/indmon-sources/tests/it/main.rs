//! Integration tests of the sources: every bundled file parses to its declared
//! schema with the published figures, and malformed inputs give errors that name
//! the file, line and field.

mod bad_input;
mod bundled;
mod fuzz;
mod support;
