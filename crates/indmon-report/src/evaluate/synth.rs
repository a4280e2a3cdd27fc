//! A synthetic-control evaluation as a typed result.
