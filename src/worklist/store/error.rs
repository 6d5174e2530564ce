//! Why the worklist cannot be used, each reason naming the file; and SQLite's own errors
//! sorted into those reasons.

use crate::worklist::schema::LATEST;
use rusqlite::ErrorCode;
use std::path::{Path, PathBuf};

/// Why the worklist cannot be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{}: not a trialmatch worklist (not an SQLite database); it was left unchanged — \
         choose another file with --db", path.display()
    )]
    NotADatabase { path: PathBuf },
    #[error(
        "{}: an SQLite database that belongs to another program ({detail}); it was left \
         unchanged — choose another file with --db", path.display()
    )]
    Foreign { path: PathBuf, detail: String },
    #[error(
        "{}: written by a newer trialmatch (schema version {found}; this one knows up to \
         {LATEST}); it was left unchanged — use the newer trialmatch", path.display()
    )]
    Newer { path: PathBuf, found: i64 },
    #[error(
        "{}: the worklist database is damaged ({detail}); it was left unchanged — restore \
         it from a backup (see the README)", path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{}: no worklist here (no such file); nothing has been recorded at this path — check \
         --db (`trialmatch status path` shows the default)", path.display()
    )]
    Missing { path: PathBuf },
    #[error("no data folder is known for this user; give the database with --db PATH")]
    NoDataDir,
    #[error("{0}")]
    Invalid(String),
}

/// SQLite's own errors, with damage and foreign files told apart from the rest.
pub(super) fn sql(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path,
            detail: e.to_string(),
        },
        _ => StoreError::Sqlite { path, source: e },
    }
}
