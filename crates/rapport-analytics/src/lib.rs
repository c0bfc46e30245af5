//! What the data says, computed: pure functions over plain rows that storage
//! has already read (no I/O, no clock, no database). Each module takes rows as
//! slices of small structs and returns figures the screens and the API show;
//! money stays in integer minor units of one currency per call.

pub mod attribution;
pub mod clv;
pub mod cohorts;
pub mod features;
pub mod market;
pub mod personas;
pub mod purchases;
pub mod rfm;
pub mod sales;
pub mod scoring;
pub mod team;
