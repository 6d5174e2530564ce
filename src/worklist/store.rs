//! Opening, checking, migrating and writing the worklist database. Every change is one row
//! appended in its own immediate transaction; a file that is not a healthy trialmatch database
//! is inspected read-only, reported and left exactly as it was.

use super::schema::{APPLICATION_ID, LATEST, MIGRATIONS};
use super::{NOTE_MAX, Status};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
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

/// A decision withdrawn as entered in error (say, recorded for the wrong patient): a row of its
/// own in the history, appended like any change, naming the decision it withdraws. The
/// decision stays in the history, shown struck through, and no longer counts for the current
/// status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// This entry's place in the history (the same sequence as decisions).
    pub seq: i64,
    /// The decision withdrawn.
    pub withdraws: i64,
    pub patient: String,
    pub trial: String,
    /// The status of the decision withdrawn.
    pub status: Status,
    /// Why it was entered in error.
    pub note: String,
    pub who: String,
    pub at: DateTime<Utc>,
}

/// A patient's (or one patient × study's) history, oldest first: every decision, withdrawn
/// or not, and every withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    pub decisions: Vec<Decision>,
    pub withdrawals: Vec<Withdrawal>,
}

/// One row of a [`History`] in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A decision, with the withdrawal that took it back if there is one.
    Decision {
        decision: &'a Decision,
        withdrawn: Option<&'a Withdrawal>,
    },
    /// The withdrawal of a decision (entered in error).
    Withdrawal(&'a Withdrawal),
}

impl Entry<'_> {
    pub fn seq(&self) -> i64 {
        match self {
            Entry::Decision { decision, .. } => decision.seq,
            Entry::Withdrawal(w) => w.seq,
        }
    }
}

impl History {
    /// The withdrawal of decision `seq`, if it was withdrawn.
    pub fn withdrawal_of(&self, seq: i64) -> Option<&Withdrawal> {
        self.withdrawals.iter().find(|w| w.withdraws == seq)
    }

    /// Decisions and withdrawals together, in the order they were recorded.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out: Vec<Entry<'_>> = self
            .decisions
            .iter()
            .map(|d| Entry::Decision {
                decision: d,
                withdrawn: self.withdrawal_of(d.seq),
            })
            .chain(self.withdrawals.iter().map(Entry::Withdrawal))
            .collect();
        out.sort_by_key(Entry::seq);
        out
    }

    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty() && self.withdrawals.is_empty()
    }
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
            Ok(m) if m.len() > 0 => inspect(&path)?,
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

    /// Writes a consistent copy of the whole database to `dest`, a new file created
    /// owner-only (an existing file is never replaced), all or nothing: the copy is made and
    /// synced beside it under a temporary name and only then named `dest`
    /// ([`crate::fsutil::write_new_private`]). Safe while others are writing.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.to_str().is_none() {
            return Err(StoreError::Invalid(format!(
                "{}: the backup path must be valid UTF-8",
                dest.display()
            )));
        }
        let mut failed: Option<rusqlite::Error> = None;
        let written =
            crate::fsutil::write_new_private(dest, crate::fsutil::Durability::Synced, |_, temp| {
                let to = temp.to_str().ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not valid UTF-8")
                })?;
                // VACUUM INTO fills the empty temporary file with a compacted copy.
                self.conn
                    .execute("VACUUM INTO ?1", [to])
                    .map(|_| ())
                    .map_err(|e| {
                        let io = std::io::Error::other(e.to_string());
                        failed = Some(e);
                        io
                    })
            });
        match (written, failed) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(e)) => Err(sql(dest, e)),
            (Err(e), None) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::Invalid(format!(
                    "{}: already exists and was not replaced; choose a new file name",
                    dest.display()
                )))
            }
            (Err(source), None) => Err(StoreError::Io {
                path: dest.to_path_buf(),
                source,
            }),
        }
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
        let note = checked_note(note)?;
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

    /// Withdraws decision `seq` as entered in error, by the OS user, now.
    pub fn withdraw(&mut self, seq: i64, note: &str) -> Result<Withdrawal, StoreError> {
        self.withdraw_as(seq, note, &super::os_user(), Utc::now())
    }

    /// Appends the withdrawal of decision `seq` (entered in error) in its own transaction and
    /// returns it as stored. The decision must exist, be a decision (not a withdrawal), and
    /// not be withdrawn already; the database refuses anything else too.
    pub fn withdraw_as(
        &mut self,
        seq: i64,
        note: &str,
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<Withdrawal, StoreError> {
        let note = checked_note(note)?;
        let (tx, path) = self.begin()?;
        let err = |e| sql(&path, e);
        let row: Option<(String, String, String, Option<i64>)> = tx
            .query_row(
                "SELECT patient_id, trial_id, status, withdraws FROM decision WHERE id = ?1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(err)?;
        let (patient, trial, status) = match row {
            None => {
                return Err(StoreError::Invalid(format!(
                    "no decision #{seq} is recorded in {}; `trialmatch status history \
                     PATIENT` shows the numbers",
                    path.display()
                )));
            }
            Some((.., Some(of))) => {
                return Err(StoreError::Invalid(format!(
                    "#{seq} is itself a withdrawal (of #{of}), not a decision; to restore \
                     that decision, record its status again with `status set`"
                )));
            }
            Some((patient, trial, status, None)) => (patient, trial, status),
        };
        let by: Option<i64> = tx
            .query_row("SELECT id FROM decision WHERE withdraws = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        if let Some(by) = by {
            return Err(StoreError::Invalid(format!(
                "decision #{seq} is already withdrawn (by #{by})"
            )));
        }
        let parsed = Status::parse(&status).ok_or_else(|| StoreError::Corrupt {
            path: path.clone(),
            detail: format!("decision {seq} has the status '{status}'"),
        })?;
        tx.execute(
            "INSERT INTO decision (patient_id, trial_id, status, note, who, at, withdraws)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![patient, trial, status, note, who, stamp(at), seq],
        )
        .map_err(err)?;
        let new_seq = tx.last_insert_rowid();
        tx.commit().map_err(err)?;
        Ok(Withdrawal {
            seq: new_seq,
            withdraws: seq,
            patient,
            trial,
            status: parsed,
            note: note.to_string(),
            who: who.to_string(),
            at: parse_stamp(&stamp(at)).unwrap_or(at),
        })
    }

    /// The current decision of every pair with one, by patient then study, optionally only
    /// one patient's or only those now in one status. A pair's current decision is its latest
    /// that was not withdrawn; a pair whose decisions were all withdrawn has none.
    pub fn current(
        &self,
        patient: Option<&str>,
        status: Option<Status>,
    ) -> Result<Vec<Decision>, StoreError> {
        let rows = self.query(
            "SELECT d.id, d.patient_id, d.trial_id, d.status, d.note, d.who, d.at, d.withdraws
             FROM decision d
             JOIN (SELECT max(x.id) AS id FROM decision x
                   WHERE x.withdraws IS NULL
                     AND (?1 IS NULL OR x.patient_id = ?1)
                     AND NOT EXISTS (SELECT 1 FROM decision w WHERE w.withdraws = x.id)
                   GROUP BY x.patient_id, x.trial_id) l
               ON d.id = l.id
             WHERE (?2 IS NULL OR d.status = ?2)
             ORDER BY d.patient_id, d.trial_id",
            params![patient, status.map(Status::key)],
        )?;
        Ok(rows.decisions)
    }

    /// Every entry of one patient (or one patient × study), oldest first: the decisions,
    /// withdrawn or not, and the withdrawals.
    pub fn history(&self, patient: &str, trial: Option<&str>) -> Result<History, StoreError> {
        self.query(
            "SELECT id, patient_id, trial_id, status, note, who, at, withdraws FROM decision
             WHERE patient_id = ?1 AND (?2 IS NULL OR trial_id = ?2)
             ORDER BY id",
            params![patient, trial],
        )
    }

    fn query(&self, q: &str, args: impl rusqlite::Params) -> Result<History, StoreError> {
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
                    r.get::<_, Option<i64>>(7)?,
                ))
            })
            .map_err(err)?;
        let mut out = History::default();
        for row in rows {
            let (seq, patient, trial, status, note, who, at, withdraws) = row.map_err(err)?;
            let bad = |what: &str, v: &str| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("decision {seq} has {what} '{v}'"),
            };
            let status = Status::parse(&status).ok_or_else(|| bad("the status", &status))?;
            let at = parse_stamp(&at).ok_or_else(|| bad("the time", &at))?;
            match withdraws {
                Some(withdraws) => out.withdrawals.push(Withdrawal {
                    seq,
                    withdraws,
                    patient,
                    trial,
                    status,
                    note,
                    who,
                    at,
                }),
                None => out.decisions.push(Decision {
                    seq,
                    patient,
                    trial,
                    status,
                    note,
                    who,
                    at,
                }),
            }
        }
        Ok(out)
    }
}

/// The header's application id, the schema version and the number of schema objects.
fn identity(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    let app = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok((app, version, objects))
}

/// Ours (any version this build knows), or empty: anything else is refused.
fn check_identity(path: &Path, (app, version, objects): (i64, i64, i64)) -> Result<(), StoreError> {
    if app == APPLICATION_ID {
        if version > LATEST {
            return Err(StoreError::Newer {
                path: path.to_path_buf(),
                found: version,
            });
        }
    } else if app != 0 || version != 0 || objects != 0 {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
            detail: format!("application id {app:#x}, schema version {version}, {objects} tables"),
        });
    }
    Ok(())
}

/// Finds out what a non-empty file is without changing it, before it is opened for writing.
///
/// Opening an SQLite database for writing is not neutral: the first read of a database in WAL
/// mode replays its `-wal` log and the last connection to close checkpoints it into the file;
/// a hot `-journal` (a transaction another program left unfinished) is rolled back. That is
/// right for our own worklist and wrong for anyone else's. So the file is read through a
/// read-only connection first — `immutable` when no log or journal lies beside it (nothing is
/// created then), else read-only with the log (SQLite may create the `-shm` index beside a log
/// that has none; the database and its log are not written) — and only a healthy trialmatch
/// worklist, or an empty database, goes on to be opened for writing.
fn inspect(path: &Path) -> Result<(), StoreError> {
    let app_in_header = read_header(path)?;
    let beside = |suffix: &str| {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        PathBuf::from(p)
    };
    let journal = beside("-journal");
    let pending = beside("-wal").exists() || journal.exists();
    let checked = (|| -> rusqlite::Result<Result<(), StoreError>> {
        let conn = open_read_only(path, !pending)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if let Err(e) = check_identity(path, identity(&conn)?) {
            return Ok(Err(e));
        }
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        Ok(if check == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: check,
            })
        })
    })();
    match checked {
        Ok(verdict) => verdict,
        // Only a write could read it (a hot journal to roll back, a log to recover): for our
        // own worklist that is SQLite's ordinary recovery, done by the connection that writes.
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ReadOnly) => {
            if app_in_header == APPLICATION_ID {
                return Ok(());
            }
            let rollback = e
                .sqlite_error()
                .is_some_and(|x| x.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK);
            let detail = if rollback {
                format!(
                    "application id {app_in_header:#x}, with an unfinished transaction in {}",
                    journal.display()
                )
            } else {
                format!(
                    "application id {app_in_header:#x}; it cannot be read without writing to \
                     it ({e})"
                )
            };
            Err(StoreError::Foreign {
                path: path.to_path_buf(),
                detail,
            })
        }
        Err(e) => Err(sql(path, e)),
    }
}

/// A read-only connection; `immutable` when nothing else may be writing the file, so SQLite
/// neither locks nor creates anything beside it.
fn open_read_only(path: &Path, immutable: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    match read_only_uri(path, immutable) {
        Some(uri) => Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI),
        None => Connection::open_with_flags(path, flags),
    }
}

/// `file:` URI of `path` with `mode=ro` (and `immutable=1`), every byte but the plainest
/// percent-encoded. None where the path is not Unicode or not a Unix path.
#[cfg(unix)]
fn read_only_uri(path: &Path, immutable: bool) -> Option<String> {
    let s = path.to_str()?;
    let mut uri = String::from(if s.starts_with('/') {
        "file://"
    } else {
        "file:"
    });
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'~') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str(if immutable {
        "?mode=ro&immutable=1"
    } else {
        "?mode=ro"
    });
    Some(uri)
}

#[cfg(not(unix))]
fn read_only_uri(_path: &Path, _immutable: bool) -> Option<String> {
    None
}

/// Reads the 100-byte header: anything but SQLite's is not ours to open. Returns the
/// application id it records (the file's own copy; a log beside it may hold a newer one).
fn read_header(path: &Path) -> Result<i64, StoreError> {
    let mut head = [0u8; 100];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    match read {
        Ok(()) if head.starts_with(SQLITE_MAGIC) => {
            let id = [head[68], head[69], head[70], head[71]];
            Ok(i64::from(i32::from_be_bytes(id)))
        }
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

/// A note as stored: trimmed, and refused when longer than [`NOTE_MAX`] characters.
fn checked_note(note: &str) -> Result<&str, StoreError> {
    let chars = note.chars().count();
    if chars > NOTE_MAX {
        return Err(StoreError::Invalid(format!(
            "the note has {chars} characters; at most {NOTE_MAX} are kept"
        )));
    }
    Ok(note.trim())
}
