//! What is done with finished results: exports in `run`'s formats (CSV,
//! JSON), the comparison of two pipelines' records (A/B), and tuning the
//! quality gate from the library's history.

pub mod compare;
pub mod export;
pub mod playlist;
pub mod series;
pub mod tune;
