//! The parsed-profile cache: reading TOML is most of the time a start takes (about 330 µs a
//! 4 KB patient file), so each patient file's parsed form is kept, keyed by the file's content
//! (a BLAKE3 hash of its bytes, never its modification time), in one owner-only file in the
//! platform cache folder. A file whose content changed misses and is parsed again; a cache
//! file that is corrupt, truncated, of another format version or of another trialmatch build
//! is ignored and written anew, never trusted. What is kept is the patient as read from its
//! file (every value with its place), before `patient::prepare`: preparation depends on the
//! screening date and is cheap, so it runs on every start and its problems are found afresh,
//! at the same lines and columns. It holds patient data, like the files it mirrors.
//!
//! Memory stays flat at any size: entries are read from the file when asked for (positioned
//! reads) and new ones are written to the next file as they are made; only the table of
//! contents is held. The file: a header (magic, format, build); the entries (each a patient in
//! MessagePack); the table of contents (per entry: content hash, offset, length, a BLAKE3 hash
//! of the entry); a footer (where the table starts, how many entries, a BLAKE3 hash of header
//! and table). A damaged entry fails its own hash and is parsed from its file instead.

use crate::patient::model::Patient;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const MAGIC: &[u8; 8] = b"TMCACHE\0";
const FORMAT: u32 = 2;
const BUILD: &str = env!("CARGO_PKG_VERSION");
/// One table-of-contents row: content hash, offset, length, entry hash.
const ROW: usize = 32 + 8 + 4 + 16;
const FOOTER: usize = 8 + 8 + 32;

type Key = [u8; 32];

/// Where an entry is in the cache file, and the hash its bytes must have.
#[derive(Clone, Copy)]
struct Entry {
    offset: u64,
    len: u32,
    sum: [u8; 16],
}

/// The next cache file, written while the files are read.
struct Next {
    tmp: PathBuf,
    out: BufWriter<File>,
    at: u64,
    rows: Vec<(Key, Entry)>,
    keys: HashSet<Key>,
}

/// The cache of one set of patient sources: read at start, written anew at the end.
pub struct ProfileCache {
    path: PathBuf,
    old: Option<(File, HashMap<Key, Entry>)>,
    next: Mutex<Option<Next>>,
    /// The old entries read this run (kept in the next file).
    used: Mutex<HashSet<Key>>,
}

/// The cache file for the patient sources named `sources` (their paths, as given), in `dir`.
pub fn file_for(dir: &Path, sources: &[PathBuf]) -> PathBuf {
    let mut h = blake3::Hasher::new();
    for s in sources {
        let s = s.canonicalize().unwrap_or_else(|_| s.clone());
        h.update(s.as_os_str().as_encoded_bytes());
        h.update(b"\0");
    }
    let name = h.finalize().to_hex();
    dir.join(format!("profiles-{}.bin", &name[..16]))
}

/// The platform cache folder of trialmatch (on Linux `$XDG_CACHE_HOME/trialmatch` or
/// `~/.cache/trialmatch`).
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trialmatch").map(|d| d.cache_dir().to_path_buf())
}

fn key(text: &str) -> Key {
    *blake3::hash(text.as_bytes()).as_bytes()
}

fn sum(bytes: &[u8]) -> [u8; 16] {
    let mut s = [0; 16];
    s.copy_from_slice(&blake3::hash(bytes).as_bytes()[..16]);
    s
}

fn header() -> Vec<u8> {
    let mut h = Vec::with_capacity(16 + BUILD.len());
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&FORMAT.to_le_bytes());
    h.extend_from_slice(&(BUILD.len() as u32).to_le_bytes());
    h.extend_from_slice(BUILD.as_bytes());
    h
}

impl ProfileCache {
    /// The cache kept at `path`, or an empty one when there is none or it cannot be trusted.
    pub fn open(path: &Path) -> ProfileCache {
        ProfileCache {
            path: path.to_path_buf(),
            old: File::open(path).ok().and_then(|mut f| {
                let index = read_index(&mut f)?;
                Some((f, index))
            }),
            next: Mutex::new(None),
            used: Mutex::new(HashSet::new()),
        }
    }

    /// How many parsed files the cache held when opened.
    pub fn len(&self) -> usize {
        self.old.as_ref().map_or(0, |(_, i)| i.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The patient of a file whose content is `text`, as parsed before; None when the cache
    /// has no entry for exactly this content, or its entry does not read back whole.
    pub fn get(&self, text: &str) -> Option<Patient> {
        let (file, index) = self.old.as_ref()?;
        let k = key(text);
        let bytes = read_entry(file, index.get(&k)?)?;
        let p = rmp_serde::from_slice(&bytes).ok()?;
        if let Ok(mut used) = self.used.lock() {
            used.insert(k);
        }
        Some(p)
    }

    /// Keeps the patient parsed from `text` for the next start (written to the next cache
    /// file at once; a write that fails only means that file is not kept).
    pub fn put(&self, text: &str, p: &Patient) {
        let Ok(bytes) = rmp_serde::to_vec(p) else {
            return;
        };
        let Ok(mut next) = self.next.lock() else {
            return;
        };
        if next.is_none() {
            *next = start_next(&self.path).ok();
        }
        if let Some(n) = next.as_mut()
            && n.add(key(text), &bytes).is_err()
        {
            *next = None;
        }
    }

    /// Replaces the cache file with the entries used or added this run (those of files no
    /// longer read are dropped), owner-only and whole: a crash leaves the old cache or the
    /// new one, never half of one. Nothing is written when nothing changed.
    pub fn save(self) -> std::io::Result<()> {
        let used = self.used.lock().map(|mut u| std::mem::take(&mut *u));
        let used = used.unwrap_or_default();
        let next = self.next.lock().map(|mut n| n.take());
        let mut next = next.unwrap_or_default();
        let old_len = self.old.as_ref().map_or(0, |(_, i)| i.len());
        if next.is_none() && used.len() == old_len {
            return Ok(());
        }
        let mut n = match next.take() {
            Some(n) => n,
            None => start_next(&self.path)?,
        };
        let tmp = n.tmp.clone();
        let done = (|| {
            if let Some((file, index)) = &self.old {
                for k in used {
                    if let Some(bytes) = index.get(&k).and_then(|e| read_entry(file, e)) {
                        n.add(k, &bytes)?;
                    }
                }
            }
            n.finish()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        done
    }
}

/// A cache dropped without being saved leaves no half-written file behind.
impl Drop for ProfileCache {
    fn drop(&mut self) {
        if let Ok(mut next) = self.next.lock()
            && let Some(n) = next.take()
        {
            drop(n.out);
            let _ = std::fs::remove_file(&n.tmp);
        }
    }
}

impl Next {
    fn add(&mut self, k: Key, bytes: &[u8]) -> std::io::Result<()> {
        if !self.keys.insert(k) {
            return Ok(());
        }
        self.out.write_all(bytes)?;
        let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
        self.rows.push((
            k,
            Entry {
                offset: self.at,
                len,
                sum: sum(bytes),
            },
        ));
        self.at += u64::from(len);
        Ok(())
    }

    /// The table of contents and the footer, then to disk.
    fn finish(mut self) -> std::io::Result<()> {
        let mut toc = Vec::with_capacity(self.rows.len() * ROW);
        for (k, e) in &self.rows {
            toc.extend_from_slice(k);
            toc.extend_from_slice(&e.offset.to_le_bytes());
            toc.extend_from_slice(&e.len.to_le_bytes());
            toc.extend_from_slice(&e.sum);
        }
        let mut h = blake3::Hasher::new();
        h.update(&header());
        h.update(&toc);
        self.out.write_all(&toc)?;
        self.out.write_all(&self.at.to_le_bytes())?;
        self.out
            .write_all(&(self.rows.len() as u64).to_le_bytes())?;
        self.out.write_all(h.finalize().as_bytes())?;
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    }
}

/// Starts the next cache file beside `path` (owner-only, in an owner-only folder).
fn start_next(path: &Path) -> std::io::Result<Next> {
    if let Some(dir) = path.parent() {
        crate::fsutil::create_private_dir(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut out = BufWriter::new(open.open(&tmp)?);
    let h = header();
    out.write_all(&h)?;
    Ok(Next {
        tmp,
        out,
        at: h.len() as u64,
        rows: Vec::new(),
        keys: HashSet::new(),
    })
}

/// The table of contents of a cache file, or None when it is not one this build wrote whole.
fn read_index(f: &mut File) -> Option<HashMap<Key, Entry>> {
    let size = f.metadata().ok()?.len();
    let h = header();
    let mut head = vec![0; h.len()];
    f.read_exact(&mut head).ok()?;
    if head != h || size < (h.len() + FOOTER) as u64 {
        return None;
    }
    let mut foot = [0u8; FOOTER];
    f.seek(SeekFrom::Start(size - FOOTER as u64)).ok()?;
    f.read_exact(&mut foot).ok()?;
    let toc_at = u64::from_le_bytes(foot[..8].try_into().ok()?);
    let n = u64::from_le_bytes(foot[8..16].try_into().ok()?);
    let toc_len = n.checked_mul(ROW as u64)?;
    if toc_at.checked_add(toc_len)? != size - FOOTER as u64 || toc_at < h.len() as u64 {
        return None;
    }
    let mut toc = vec![0; usize::try_from(toc_len).ok()?];
    f.seek(SeekFrom::Start(toc_at)).ok()?;
    f.read_exact(&mut toc).ok()?;
    let mut check = blake3::Hasher::new();
    check.update(&h);
    check.update(&toc);
    if check.finalize().as_bytes() != &foot[16..] {
        return None;
    }
    let mut index = HashMap::with_capacity(toc.len() / ROW);
    for row in toc.chunks_exact(ROW) {
        let k: Key = row[..32].try_into().ok()?;
        let e = Entry {
            offset: u64::from_le_bytes(row[32..40].try_into().ok()?),
            len: u32::from_le_bytes(row[40..44].try_into().ok()?),
            sum: row[44..60].try_into().ok()?,
        };
        if e.offset < h.len() as u64 || e.offset + u64::from(e.len) > toc_at {
            return None;
        }
        index.insert(k, e);
    }
    Some(index)
}

/// An entry's bytes, when they read back with the hash they were written with.
fn read_entry(file: &File, e: &Entry) -> Option<Vec<u8>> {
    let mut bytes = vec![0; e.len as usize];
    read_at(file, &mut bytes, e.offset).ok()?;
    (sum(&bytes) == e.sum).then_some(bytes)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}
