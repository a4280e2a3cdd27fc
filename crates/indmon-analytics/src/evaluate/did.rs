//! Staggered difference-in-differences (Callaway & Sant'Anna 2021).
