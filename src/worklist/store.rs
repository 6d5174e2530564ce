//! Opening, checking, migrating and writing the worklist database. Every change is one row
//! appended in its own immediate transaction; a file that is not a healthy trialmatch database
//! is reported and left exactly as it was.

use super::schema::{APPLICATION_ID, LATEST, MIGRATIONS};
use super::{NOTE_MAX, Status};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another trialmatch holding the database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// One recorded change of a patient × study pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// Order of recording, increasing.
    pub seq: i64,
    pub patient: String,
    pub trial: String,
    #[serde(serialize_with = "status_key")]
    pub status: Status,
    pub note: String,
    pub who: String,
    pub at: DateTime<Utc>,
}

fn status_key<S: serde::Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.key())
}

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
    #[error("no data folder is known for this user; give the database with --db PATH")]
    NoDataDir,
    #[error("{0}")]
    Invalid(String),
}

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
    /// damaged, or comes from a newer trialmatch is an error and is not modified.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
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
            Ok(m) if m.len() > 0 => check_magic(&path)?,
            Ok(_) => {}
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
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| sql(&path, e))?;
        let mut store = Store {
            conn,
            path,
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

    /// Checks the file is ours and healthy, then switches on WAL and migrates.
    fn prepare(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e| sql(&path, e);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        let (app, version, objects) = self.identity()?;
        if app == APPLICATION_ID {
            if version > LATEST {
                return Err(StoreError::Newer {
                    path,
                    found: version,
                });
            }
        } else if app != 0 || version != 0 || objects != 0 {
            return Err(StoreError::Foreign {
                path,
                detail: format!(
                    "application id {app:#x}, schema version {version}, {objects} tables"
                ),
            });
        }
        let check: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(err)?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path,
                detail: check,
            });
        }
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

    /// The header's application id, the schema version and the number of schema objects.
    fn identity(&self) -> Result<(i64, i64, i64), StoreError> {
        let read = || -> rusqlite::Result<(i64, i64, i64)> {
            let app = self
                .conn
                .query_row("PRAGMA application_id", [], |r| r.get(0))?;
            let version = self
                .conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let objects = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            Ok((app, version, objects))
        };
        read().map_err(|e| sql(&self.path, e))
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

    /// Writes a consistent copy of the whole database to `dest`, a new file created
    /// owner-only (an existing file is never replaced). Safe while others are writing.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        let io = |source| StoreError::Io {
            path: dest.to_path_buf(),
            source,
        };
        match crate::fsutil::create_private_file(dest) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Invalid(format!(
                    "{}: already exists and was not replaced; choose a new file name",
                    dest.display()
                )));
            }
            Err(e) => return Err(io(e)),
        }
        let Some(to) = dest.to_str() else {
            let _ = std::fs::remove_file(dest);
            return Err(StoreError::Invalid(format!(
                "{}: the backup path must be valid UTF-8",
                dest.display()
            )));
        };
        // VACUUM INTO fills the empty file just created with a compacted copy.
        let copied = self.conn.execute("VACUUM INTO ?1", [to]);
        if let Err(e) = copied {
            let _ = std::fs::remove_file(dest);
            return Err(sql(dest, e));
        }
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sql(&self.path, e))
    }

    /// Records a change by the OS user, now.
    pub fn record(
        &mut self,
        patient: &str,
        trial: &str,
        status: Status,
        note: &str,
    ) -> Result<Decision, StoreError> {
        self.record_as(patient, trial, status, note, &super::os_user(), Utc::now())
    }

    /// Appends one decision in its own transaction and returns it as stored.
    pub fn record_as(
        &mut self,
        patient: &str,
        trial: &str,
        status: Status,
        note: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<Decision, StoreError> {
        if patient.trim().is_empty() || trial.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a decision needs a patient id and a study id".into(),
            ));
        }
        let chars = note.chars().count();
        if chars > NOTE_MAX {
            return Err(StoreError::Invalid(format!(
                "the note has {chars} characters; at most {NOTE_MAX} are kept"
            )));
        }
        let note = note.trim();
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        tx.execute(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![patient, trial, status.key(), note, who, stamp(at)],
        )
        .map_err(err)?;
        let seq = tx.last_insert_rowid();
        tx.commit().map_err(err)?;
        Ok(Decision {
            seq,
            patient: patient.to_string(),
            trial: trial.to_string(),
            status,
            note: note.to_string(),
            who: who.to_string(),
            at: parse_stamp(&stamp(at)).unwrap_or(at),
        })
    }

    /// The latest decision of every pair, by patient then study, optionally only one
    /// patient's or only those now in one status.
    pub fn current(
        &self,
        patient: Option<&str>,
        status: Option<Status>,
    ) -> Result<Vec<Decision>, StoreError> {
        self.query(
            "SELECT d.id, d.patient_id, d.trial_id, d.status, d.note, d.who, d.at
             FROM decision d
             JOIN (SELECT max(id) AS id FROM decision GROUP BY patient_id, trial_id) l
               ON d.id = l.id
             WHERE (?1 IS NULL OR d.patient_id = ?1) AND (?2 IS NULL OR d.status = ?2)
             ORDER BY d.patient_id, d.trial_id",
            params![patient, status.map(Status::key)],
        )
    }

    /// Every change of one patient (or one patient × study), oldest first.
    pub fn history(&self, patient: &str, trial: Option<&str>) -> Result<Vec<Decision>, StoreError> {
        self.query(
            "SELECT id, patient_id, trial_id, status, note, who, at FROM decision
             WHERE patient_id = ?1 AND (?2 IS NULL OR trial_id = ?2)
             ORDER BY id",
            params![patient, trial],
        )
    }

    fn query(&self, q: &str, args: impl rusqlite::Params) -> Result<Vec<Decision>, StoreError> {
        let err = |e| sql(&self.path, e);
        let mut stmt = self.conn.prepare_cached(q).map_err(err)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(err)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, patient, trial, status, note, who, at) = row.map_err(err)?;
            let bad = |what: &str, v: &str| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("decision {seq} has {what} '{v}'"),
            };
            let status = Status::parse(&status).ok_or_else(|| bad("the status", &status))?;
            let at = parse_stamp(&at).ok_or_else(|| bad("the time", &at))?;
            out.push(Decision {
                seq,
                patient,
                trial,
                status,
                note,
                who,
                at,
            });
        }
        Ok(out)
    }
}

/// Reads the first bytes: anything but SQLite's header is not ours to open.
fn check_magic(path: &Path) -> Result<(), StoreError> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match read {
        Ok(()) if &head == SQLITE_MAGIC => Ok(()),
        Ok(()) => Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(StoreError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// SQLite's own errors, with damage and foreign files told apart from the rest.
fn sql(path: &Path, e: rusqlite::Error) -> StoreError {
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

/// Times are stored as UTC RFC 3339 with milliseconds: `2026-11-22T09:30:00.000Z`.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
