//! The triage worklist: each patient × study decision (status, note, who, when), kept in an
//! append-only SQLite history so a coordinator knows tomorrow what was decided today, and why.

mod history;
pub mod print;
mod schema;
mod status;
mod store;
mod who;

pub use history::{Decision, Entry, History, Withdrawal};
pub use status::Status;
pub use store::{FRAGMENT_MAX, NewEntry, Store, StoreError, default_path};
pub use who::os_user;

/// Longest note accepted, in characters: a note says why, it is not a letter.
pub const NOTE_MAX: usize = 2000;
