//! Effect evaluation: counterfactual estimators of what a policy changed.
//!
//! - [`synth`]: synthetic control (Abadie, Diamond & Hainmueller) with the nested
//!   optimisation of the donor weights and the predictor weights V, placebo tests, and
//!   the ridge-augmented synthetic control of Ben-Michael, Feller & Rothstein (2021).
//! - [`did`]: staggered difference-in-differences of Callaway & Sant'Anna (2021):
//!   group-time average treatment effects, their aggregations and analytic standard
//!   errors, as R `did` defines them.

pub mod did;
pub mod synth;
