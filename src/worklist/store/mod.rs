//! The worklist database: opening it (creating it on first use), checking it is ours and
//! migrating it. Every change is one row appended in its own immediate transaction (`write`);
//! a file that is not a healthy trialmatch database is inspected read-only, reported and left
//! exactly as it was (`inspect`).

mod entries;
mod error;
mod inspect;
mod read;
mod write;

pub use entries::{FRAGMENT_MAX, NewEntry};
pub use error::StoreError;
use error::sql;
use inspect::{check_identity, identity, inspect};

use super::schema::{APPLICATION_ID, LATEST, MIGRATIONS};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another trialmatch holding the database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the worklist lives unless `--db` says otherwise: `worklist.sqlite3` in the platform
/// data folder (on Linux `$XDG_DATA_HOME/trialmatch` or `~/.local/share/trialmatch`).
pub fn default_path() -> Result<PathBuf, StoreError> {
    directories::ProjectDirs::from("", "", "trialmatch")
        .map(|d| d.data_dir().join("worklist.sqlite3"))
        .ok_or(StoreError::NoDataDir)
}

/// The open worklist.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// `PRAGMA data_version` when last asked: it changes when another connection commits.
    seen_version: i64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the worklist at `path`, creating it (and its folder) owner-only on first use and
    /// bringing an older schema up to date. A file that is not a trialmatch database, is
    /// damaged, or comes from a newer trialmatch is an error and is not modified: it is
    /// inspected read-only first (see `inspect`).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_as(path, true)
    }

    /// Opens the worklist at `path` only if it exists: for commands that read, which must
    /// never create a database (or its folders) where a mistyped path points.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        Store::open_as(path, false)
    }

    fn open_as(path: &Path, create: bool) -> Result<Store, StoreError> {
        let path = path.to_path_buf();
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        match std::fs::metadata(&path) {
            Ok(m) if !m.is_file() => {
                return Err(StoreError::Invalid(format!(
                    "{}: not a file; give the database file with --db PATH",
                    path.display()
                )));
            }
            Ok(m) if m.len() > 0 => inspect_settled(&path)?,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => {
                return Err(StoreError::Missing { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    crate::fsutil::create_private_dir(dir).map_err(io)?;
                }
                match crate::fsutil::create_private_file(&path) {
                    Ok(_) => {}
                    // Another trialmatch created it a moment ago: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io(e)),
                }
            }
            Err(e) => return Err(io(e)),
        }
        // Another trialmatch setting up the same new database (switching it to WAL) can hold
        // it locked past the busy handler's reach, or show it half set up: try again, for a
        // while, from the start.
        let start = std::time::Instant::now();
        loop {
            match Store::connect(&path) {
                Err(StoreError::Sqlite { source, .. })
                    if is_busy(&source) && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                // Inspected and found ours a moment ago, yet seen half set up: the other
                // trialmatch is still writing its first version; look again.
                Err(StoreError::Foreign { .. }) if start.elapsed() < SETTLE => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Opens `path` for writing, checks it is ours, switches on WAL and migrates.
    fn connect(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sql(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            seen_version: 0,
        };
        store.prepare()?;
        store.others_changed()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks again that the file is ours (it was inspected read-only before it was opened
    /// for writing), then switches on WAL and migrates.
    fn prepare(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e| sql(&path, e);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        check_identity(&path, identity(&self.conn).map_err(err)?)?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!(
                "{}: could not switch the database to WAL mode (it stayed in {mode})",
                path.display()
            )));
        }
        // A change the command reported as done survives a crash or power loss.
        self.conn
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(err)?;
        self.migrate()
    }

    /// Starts a write transaction, taking the write lock at once (waiting up to the busy
    /// timeout for another writer) so it never fails half-way on a lock. Returns the path
    /// too, for error messages while the transaction borrows the connection.
    fn begin(&mut self) -> Result<(rusqlite::Transaction<'_>, PathBuf), StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql(&path, e))?;
        Ok((tx, path))
    }

    /// Applies the missing migrations in one immediate transaction. Another trialmatch may
    /// have migrated meanwhile, so the version is read again inside it.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if version > LATEST {
            return Err(StoreError::Newer {
                path,
                found: version,
            });
        }
        if version == LATEST {
            return Ok(());
        }
        for m in &MIGRATIONS[version as usize..] {
            tx.execute_batch(m).map_err(err)?;
        }
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {LATEST};"
        ))
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Whether another connection (another trialmatch, a `status set`) has committed a change
    /// since the store was opened or last asked. Cheap enough to ask every tick.
    pub fn others_changed(&mut self) -> Result<bool, StoreError> {
        let v: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| sql(&self.path, e))?;
        let changed = v != self.seen_version;
        self.seen_version = v;
        Ok(changed)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sql(&self.path, e))
    }
}

/// Whether an SQLite error is another connection holding the database for the moment.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// How long [`inspect_settled`] waits for another trialmatch that is creating the database.
const SETTLE: Duration = Duration::from_secs(2);

/// [`inspect`], allowing for another trialmatch that created the database a moment ago and is
/// still setting it up (its header not yet written, its tables not yet all there, or the file
/// locked while it switches to WAL): a file that looks foreign or is locked is looked at again
/// for up to [`SETTLE`] before the answer stands. Reading never changes the file, so waiting
/// costs a foreign database nothing but the wait.
fn inspect_settled(path: &Path) -> Result<(), StoreError> {
    let start = std::time::Instant::now();
    loop {
        match inspect(path) {
            Err(StoreError::Foreign { .. } | StoreError::Sqlite { .. })
                if start.elapsed() < SETTLE =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Times are stored as UTC RFC 3339 with milliseconds: `2026-11-22T09:30:00.000Z`.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
