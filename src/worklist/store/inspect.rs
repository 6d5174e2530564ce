//! Finding out what a file is without changing it, before it is opened for writing: its
//! header, then a read-only connection; a file that is not a healthy trialmatch worklist is
//! reported and left exactly as it was.

use super::{BUSY_TIMEOUT, StoreError, sql};
use crate::worklist::schema::{APPLICATION_ID, LATEST};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The header's application id, the schema version and the number of schema objects.
pub(super) fn identity(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    let app = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok((app, version, objects))
}

/// Ours (any version this build knows), or empty: anything else is refused.
pub(super) fn check_identity(
    path: &Path,
    (app, version, objects): (i64, i64, i64),
) -> Result<(), StoreError> {
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
pub(super) fn inspect(path: &Path) -> Result<(), StoreError> {
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
