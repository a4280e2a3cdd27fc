//! Synthetic control (Abadie, Diamond & Hainmueller 2010, 2015) and its ridge-augmented
//! form (Ben-Michael, Feller & Rothstein 2021).
