//! Creating what trialmatch writes: folders and files readable by their owner only, never over
//! an existing file, and all or nothing: [`write_new_private`] is the one way a file with
//! content is written, so a full disk or a crash never leaves a truncated file behind.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Creates `dir` (and parents) with mode 0700 on Unix; an existing folder is kept as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Creates a new empty file with mode 0600 on Unix; fails if it already exists. For content,
/// use [`write_new_private`].
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Whether [`write_new_private`] makes the file durable before it gets its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Synced to the disk (file, then folder): once the call returns, a power cut keeps it.
    /// For what a person relies on: referral summaries, backups.
    Synced,
    /// Left to the operating system to write back: a crash can lose it, but a failed write
    /// still leaves nothing. For bulk synthetic files (`generate`), where a sync per file
    /// would cost minutes.
    Buffered,
}

/// Creates `path` as a new owner-only (0600) file holding what `fill` writes, all or nothing.
///
/// `fill` writes into a temporary file beside `path` (same folder, so the same disk); it gets
/// the open file and the temporary file's path, for writers that open by name (SQLite's
/// `VACUUM INTO`). Only when everything was written (and, for [`Durability::Synced`], synced)
/// does the file get its name, by a hard link that never replaces an existing file: an
/// existing `path` (even a dangling symlink) gives `AlreadyExists` and is left alone. On every
/// failure — `fill`'s, a full disk, a refused name — the temporary file is removed and `path`
/// is not created. (Where the filesystem has no hard links, the name is claimed by creating it
/// empty, and the finished file is renamed over that placeholder.)
pub fn write_new_private(
    path: &Path,
    durability: Durability,
    fill: impl FnOnce(&mut File, &Path) -> io::Result<()>,
) -> io::Result<()> {
    write_new_private_with(path, durability, fill, |from, to| {
        std::fs::hard_link(from, to)
    })
}

/// [`write_new_private`] with the linking step given, so tests can take the fallback path.
fn write_new_private_with(
    path: &Path,
    durability: Durability,
    fill: impl FnOnce(&mut File, &Path) -> io::Result<()>,
    link: impl FnOnce(&Path, &Path) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ));
    }
    // Refuse early (the link below refuses again, atomically).
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(already_exists());
    }
    let (mut file, temp) = create_temp_beside(dir, path)?;
    // From here on the temporary file goes away on every path out, panics included.
    let temp = RemoveOnDrop(temp);
    fill(&mut file, &temp.0)?;
    if durability == Durability::Synced {
        file.sync_all()?;
    }
    drop(file);
    match link(&temp.0, path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
        // No hard links here (FAT, some network shares): claim the name, then move the
        // finished file over the empty placeholder — ours, so nothing else is replaced.
        Err(_) => {
            drop(create_private_file(path)?);
            if let Err(e) = std::fs::rename(&temp.0, path) {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        }
    }
    drop(temp);
    if durability == Durability::Synced {
        // The new name itself survives a power cut. The file is complete and named whatever
        // this says, so a failure here is not reported as a failed write.
        let _ = sync_dir(dir);
    }
    Ok(())
}

fn already_exists() -> io::Error {
    io::Error::new(io::ErrorKind::AlreadyExists, "already exists")
}

/// Removes the file when dropped (a no-op once it was renamed away).
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A new owner-only file in `dir` named after `target`: `.<name>.<pid>-<n>.tmp`, hidden, and
/// recognisable should a crash ever leave one.
fn create_temp_beside(dir: &Path, target: &Path) -> io::Result<(File, PathBuf)> {
    let name: String = target
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(64).collect())
        .unwrap_or_default();
    let pid = std::process::id();
    let mut last = already_exists();
    for n in 0..1000u32 {
        let mut file_name = OsString::from(".");
        file_name.push(&name);
        file_name.push(format!(".{pid}-{n}.tmp"));
        let temp = dir.join(file_name);
        match create_private_file(&temp) {
            Ok(f) => return Ok((f, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|r| {
                r.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "trialmatch-fsutil-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        let made = create_private_dir(&d);
        assert!(made.is_ok(), "{made:?}");
        d
    }

    #[test]
    fn a_failed_write_leaves_nothing_and_a_retry_works() {
        let d = temp_dir("fail");
        let target = d.join("summary.md");
        // The disk fills half-way through.
        let r = write_new_private(&target, Durability::Synced, |f, _| {
            f.write_all(b"# Referral summary\n")?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "No space left"))
        });
        assert_eq!(r.map_err(|e| e.kind()), Err(io::ErrorKind::StorageFull));
        assert_eq!(names(&d), Vec::<String>::new(), "no file, no temporary");
        let r = write_new_private(&target, Durability::Synced, |f, _| f.write_all(b"whole"));
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(std::fs::read(&target).ok().as_deref(), Some(&b"whole"[..]));
        assert_eq!(names(&d), vec!["summary.md"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_existing_file_is_never_replaced() {
        let d = temp_dir("exists");
        let target = d.join("copy.sqlite3");
        assert!(std::fs::write(&target, b"precious").is_ok());
        let r = write_new_private(&target, Durability::Buffered, |f, _| f.write_all(b"new"));
        assert_eq!(r.map_err(|e| e.kind()), Err(io::ErrorKind::AlreadyExists));
        assert_eq!(
            std::fs::read(&target).ok().as_deref(),
            Some(&b"precious"[..])
        );
        assert_eq!(names(&d), vec!["copy.sqlite3"]);
        // Created by someone else while ours was being written: the link refuses too.
        let late = d.join("late.md");
        let r = write_new_private(&late, Durability::Buffered, |f, _| {
            std::fs::write(&late, b"theirs")?;
            f.write_all(b"ours")
        });
        assert_eq!(r.map_err(|e| e.kind()), Err(io::ErrorKind::AlreadyExists));
        assert_eq!(std::fs::read(&late).ok().as_deref(), Some(&b"theirs"[..]));
        assert_eq!(names(&d), vec!["copy.sqlite3", "late.md"]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn without_hard_links_the_name_is_claimed_then_filled() {
        let d = temp_dir("nolink");
        let target = d.join("g000001.toml");
        let no_links = |_: &Path, _: &Path| -> io::Result<()> {
            Err(io::Error::new(io::ErrorKind::Unsupported, "no hard links"))
        };
        let r = write_new_private_with(
            &target,
            Durability::Synced,
            |f, _| f.write_all(b"id = 'G1'"),
            no_links,
        );
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(
            std::fs::read(&target).ok().as_deref(),
            Some(&b"id = 'G1'"[..])
        );
        assert_eq!(names(&d), vec!["g000001.toml"]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_writer_may_open_the_temporary_file_by_name() {
        let d = temp_dir("byname");
        let target = d.join("copy.bin");
        let r = write_new_private(&target, Durability::Synced, |_, temp| {
            assert_eq!(temp.parent(), Some(d.as_path()), "beside the target");
            std::fs::OpenOptions::new()
                .append(true)
                .open(temp)?
                .write_all(b"by name")
        });
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(
            std::fs::read(&target).ok().as_deref(),
            Some(&b"by name"[..])
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
