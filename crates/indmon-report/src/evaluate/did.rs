//! A staggered difference-in-differences evaluation as a typed result.
