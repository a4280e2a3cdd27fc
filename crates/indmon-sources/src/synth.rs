//! Synthetic BACI data.
