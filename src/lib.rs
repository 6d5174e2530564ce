//! trialmatch: matches patient referrals against four CAR-NK studies for autoimmune disease.
//! The domain (trials, patients, evaluation, ranking, reports) knows nothing of the terminal.

pub mod cache;
pub mod config;
pub mod criteria_doc;
pub mod eval;
pub mod export;
pub mod fsutil;
pub mod generate;
pub mod import;
pub mod intake;
pub mod load;
pub mod missing;
pub mod patient;
pub mod problem;
pub mod rank;
pub mod report;
pub mod screening;
pub mod span;
pub mod text;
pub mod trial;
pub mod tui;
pub mod units;
pub mod vocab;
pub mod worklist;
