//! Reading trial and patient files from folders (or the copies embedded in the binary),
//! collecting every problem with its file, line and column while the good files load.

use crate::cache::ProfileCache;
use crate::patient::{self, Patient, Profile};
use crate::problem::Problem;
use crate::problem::{key_line, line_col, toml_problem};
use crate::trial::{Trial, load_trial};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Files larger than this are rejected without being read into memory.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Everything loaded: studies, patients, and the problems found on the way.
#[derive(Debug, Default)]
pub struct Workspace {
    pub trials: Vec<Trial>,
    pub patients: Vec<Profile>,
    pub problems: Vec<Problem>,
}

/// Where to read from.
#[derive(Debug, Clone)]
pub enum Source {
    Paths(Vec<PathBuf>),
    /// The copies built into the binary.
    Embedded,
}

impl Source {
    /// `dir` when it exists, else the embedded copies.
    pub fn default_for(dir: &str) -> Source {
        if Path::new(dir).is_dir() {
            Source::Paths(vec![PathBuf::from(dir)])
        } else {
            Source::Embedded
        }
    }
}

/// Reads one file as UTF-8 text within the size limit; a problem otherwise.
pub fn read_text(path: &Path) -> Result<String, Problem> {
    let name = path.display().to_string();
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opened without blocking, then checked: a FIFO put in place of a file never hangs a read.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let f = options
        .open(path)
        .map_err(|e| Problem::file(&name, format!("cannot open: {e}")))?;
    let meta = f
        .metadata()
        .map_err(|e| Problem::file(&name, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(Problem::file(
            &name,
            "skipped: not a regular file (a pipe, socket or device); not read".into(),
        ));
    }
    let len = meta.len();
    if len > MAX_FILE_BYTES {
        return Err(Problem::file(
            &name,
            format!("file is {len} bytes, over the {MAX_FILE_BYTES}-byte limit; not read"),
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::file(&name, format!("cannot read: {e}")))?;
    text_of(&name, bytes)
}

/// Checks bytes are non-empty UTF-8 and drops a leading byte-order mark.
pub fn text_of(name: &str, bytes: Vec<u8>) -> Result<String, Problem> {
    match String::from_utf8(bytes) {
        Ok(s) => {
            let s = s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s);
            if s.trim().is_empty() {
                Err(Problem::file(name, "file is empty".into()))
            } else {
                Ok(s)
            }
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let (l, c) = line_col(&valid, at);
            Err(Problem::at(
                name,
                l,
                c,
                "file is not valid UTF-8 text".into(),
            ))
        }
    }
}

/// The `.toml` files named by `paths` (folders are listed, sorted); problems for the rest:
/// what is skipped is said (a subfolder, a name like `.TOML` or `.tml`, anything that is not a
/// regular file, such as a FIFO that would hang a read).
fn list_files(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let skip =
        |p: &Path, why: &str| Problem::file(&p.display().to_string(), format!("skipped: {why}"));
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(rd) => {
                    // The kind of each entry comes with the listing (no call per file); only
                    // a link is followed to see what it points at.
                    let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> = rd
                        .filter_map(Result::ok)
                        .map(|e| (e.path(), e.file_type().ok()))
                        .collect();
                    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                    for (f, kind) in entries {
                        let kind = match kind {
                            Some(k) if !k.is_symlink() => Ok(k),
                            _ => std::fs::metadata(&f).map(|m| m.file_type()),
                        };
                        let ext = f.extension().and_then(|x| x.to_str()).unwrap_or("");
                        let hidden = f
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with('.'));
                        if kind.as_ref().is_ok_and(|k| k.is_dir()) {
                            if !hidden {
                                problems.push(skip(&f, "a folder (folders inside are not read)"));
                            }
                        } else if ext == "toml" {
                            match kind {
                                Ok(k) if k.is_file() => files.push(f),
                                Ok(_) => problems.push(skip(&f, NOT_REGULAR)),
                                Err(e) => problems.push(skip(&f, &format!("cannot read: {e}"))),
                            }
                        } else if ext.eq_ignore_ascii_case("toml")
                            || ext.eq_ignore_ascii_case("tml")
                        {
                            problems.push(skip(&f, "only files named *.toml are read; rename it"));
                        }
                    }
                }
                Err(e) => problems.push(Problem::file(
                    &p.display().to_string(),
                    format!("cannot list folder: {e}"),
                )),
            }
        } else if p.exists() {
            match regular_file(p) {
                Ok(()) => files.push(p.clone()),
                Err(why) => problems.push(skip(p, &why)),
            }
        } else {
            problems.push(Problem::file(
                &p.display().to_string(),
                "no such file or folder".into(),
            ));
        }
    }
    files
}

const NOT_REGULAR: &str = "not a regular file (a pipe, socket or device); not read";

/// Whether `p` is a regular file (following links): a FIFO, socket or device is never opened,
/// since reading one can block for ever.
fn regular_file(p: &Path) -> Result<(), String> {
    match std::fs::metadata(p) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(NOT_REGULAR.into()),
        Err(e) => Err(format!("cannot read: {e}")),
    }
}

/// The text of a patient file already loaded, by the name it was loaded under: the file read
/// again, or the built-in copy of that name.
pub fn patient_text(name: &str) -> Result<String, Problem> {
    let built_in = name
        .strip_prefix("(built-in) ")
        .and_then(|n| embedded::PATIENTS.iter().find(|(e, _)| *e == n));
    match built_in {
        Some((_, text)) => Ok((*text).to_string()),
        None => read_text(Path::new(name)),
    }
}

/// An input to load: a file to read, or a built-in copy's name and text.
enum Input {
    File(PathBuf),
    Text(String, &'static str),
}

impl Input {
    fn read(&self) -> Result<(String, std::borrow::Cow<'static, str>), Problem> {
        match self {
            Input::File(p) => read_text(p).map(|t| (p.display().to_string(), t.into())),
            Input::Text(n, t) => Ok((n.clone(), (*t).into())),
        }
    }
}

fn inputs(
    src: &Source,
    embedded: &[(&str, &'static str)],
    problems: &mut Vec<Problem>,
) -> Vec<Input> {
    match src {
        Source::Paths(p) => list_files(p, problems)
            .into_iter()
            .map(Input::File)
            .collect(),
        Source::Embedded => embedded
            .iter()
            .map(|(n, s)| Input::Text(format!("(built-in) {n}"), s))
            .collect(),
    }
}

/// Parses one patient file's text.
pub fn parse_patient(
    file: &str,
    src: &str,
    as_of: NaiveDate,
) -> Result<(Profile, Vec<Problem>), Problem> {
    parse_patient_cached(file, src, as_of, None)
}

/// As [`parse_patient`], taking the parsed patient from `cache` when it holds this content
/// (and keeping it there when not). Preparation runs either way.
pub fn parse_patient_cached(
    file: &str,
    src: &str,
    as_of: NaiveDate,
    cache: Option<&ProfileCache>,
) -> Result<(Profile, Vec<Problem>), Problem> {
    let p: Patient = match cache.and_then(|c| c.get(src)) {
        Some(p) => p,
        None => {
            let p = toml::from_str(src).map_err(|e| toml_problem(file, src, &e))?;
            if let Some(c) = cache {
                c.put(src, &p);
            }
            p
        }
    };
    Ok(patient::prepare(file, src, p, as_of))
}

/// Loads trials and patients, checking ids across files.
pub fn load(trials: &Source, patients_src: &Source, as_of: NaiveDate) -> Workspace {
    load_with(trials, patients_src, as_of, &Progress::default())
}

/// How far a load has got, readable from another thread while it runs (the UI shows it).
#[derive(Debug, Default)]
pub struct Progress {
    /// Patient files to read; set once they are listed.
    pub total: AtomicUsize,
    /// Patient files read and parsed so far.
    pub done: AtomicUsize,
}

/// As [`load`], counting patient files into `progress` as they are parsed.
pub fn load_with(
    trials: &Source,
    patients_src: &Source,
    as_of: NaiveDate,
    progress: &Progress,
) -> Workspace {
    load_cached(trials, patients_src, as_of, progress, None)
}

/// As [`load_with`], taking parsed patient files from `cache` where it holds them.
pub fn load_cached(
    trials: &Source,
    patients_src: &Source,
    as_of: NaiveDate,
    progress: &Progress,
    cache: Option<&ProfileCache>,
) -> Workspace {
    let mut ws = load_trials(trials);
    let mut patients = Vec::new();
    let mut problems = std::mem::take(&mut ws.problems);
    let mut stream = PatientStream::new(&ws.trials, patients_src, as_of, &mut problems);
    stream.progress = Some(progress);
    stream.cache = cache;
    stream
        .for_each(usize::MAX, &mut problems, |chunk| {
            // One chunk holds every patient: take it rather than copy 100,000 profiles.
            if patients.is_empty() {
                patients = chunk;
            } else {
                patients.extend(chunk);
            }
            Ok(())
        })
        .unwrap_or_default();
    ws.problems = problems;
    ws.patients = patients;
    ws
}

/// Loads the trial files only (patients empty), checking trial ids across files.
pub fn load_trials(trials: &Source) -> Workspace {
    let mut ws = Workspace::default();
    // Ids and short names are compared without case: `status set` and attestations name a
    // study or a criterion by them, so two that differ only in case would cross.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut criteria: HashMap<String, String> = HashMap::new();
    for input in inputs(trials, embedded::TRIALS, &mut ws.problems) {
        let (name, text) = match input.read() {
            Ok(x) => x,
            Err(p) => {
                ws.problems.push(p);
                continue;
            }
        };
        let (t, probs) = load_trial(&name, &text);
        ws.problems.extend(probs);
        let Some(t) = t else { continue };
        let at = |key: &str| match key_line(&text, key) {
            Some(at) => {
                let (l, c) = line_col(&text, at);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        let problem = |key: &str, msg: String| {
            let (line, column) = at(key);
            Problem {
                file: name.clone(),
                line,
                column,
                message: msg,
            }
        };
        if let Some(other) = ids.get(&t.id.to_lowercase()) {
            ws.problems.push(problem(
                "id",
                format!(
                    "id: trial id '{}' is already used by {other} (ids are compared without case); this file is skipped",
                    t.id
                ),
            ));
            continue;
        }
        if let Some(other) = names.get(&t.short_name.to_lowercase()) {
            ws.problems.push(problem(
                "short_name",
                format!(
                    "short_name: '{}' is already used by {other} (compared without case); this file is skipped",
                    t.short_name
                ),
            ));
            continue;
        }
        for c in &t.criteria {
            if let Some(other) = criteria.get(&c.id.to_lowercase()) {
                ws.problems.push(problem(
                    "id",
                    format!(
                        "criterion {}: the same id is used in {other}; attestations would answer both",
                        c.id
                    ),
                ));
            }
        }
        // Named by the file's own name in messages (a folder's path adds nothing).
        let short = Path::new(&name)
            .file_name()
            .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
        ids.insert(t.id.to_lowercase(), short.clone());
        names.insert(t.short_name.to_lowercase(), short.clone());
        for c in &t.criteria {
            criteria
                .entry(c.id.to_lowercase())
                .or_insert_with(|| short.clone());
        }
        ws.trials.push(t);
    }
    if ws.trials.is_empty() {
        let place = match trials {
            Source::Paths(p) => p
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Source::Embedded => "(built-in)".into(),
        };
        ws.problems.push(Problem::file(
            &place,
            "no trial was loaded: there is nothing to match patients against".into(),
        ));
    }
    ws
}

/// Patient files read in file order, a chunk at a time, each chunk parsed in parallel: a
/// report over a whole hospital's export never holds more than one chunk in memory.
pub struct PatientStream<'a> {
    /// Each criterion id and the judgements its rule asks for (`None`: the criterion's only,
    /// unnamed judgement; `Some(part)`: a named part), so an attestation can be checked.
    criteria: HashMap<&'a str, Vec<Option<&'a str>>>,
    list: Vec<Input>,
    as_of: NaiveDate,
    ids: HashSet<String>,
    /// Counts files as they are parsed, when set.
    pub progress: Option<&'a Progress>,
    /// Parsed files kept from an earlier run, when set (see `crate::cache`).
    pub cache: Option<&'a ProfileCache>,
}

impl<'a> PatientStream<'a> {
    /// Lists the patient files (problems for unreadable folders go to `problems`).
    pub fn new(
        trials: &'a [Trial],
        patients: &Source,
        as_of: NaiveDate,
        problems: &mut Vec<Problem>,
    ) -> Self {
        PatientStream {
            criteria: trials
                .iter()
                .flat_map(|t| &t.criteria)
                .map(|c| (c.id.as_str(), c.rule.judgements()))
                .collect(),
            list: inputs(patients, embedded::PATIENTS, problems),
            as_of,
            ids: HashSet::new(),
            progress: None,
            cache: None,
        }
    }

    /// How many patient files there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Calls `each` with the valid patients of every `chunk` files, in file order; problems
    /// (including duplicate ids, whose later file is skipped) are added to `problems`.
    pub fn for_each(
        &mut self,
        chunk: usize,
        problems: &mut Vec<Problem>,
        mut each: impl FnMut(Vec<Profile>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if let Some(p) = self.progress {
            p.total.store(self.list.len(), Ordering::Relaxed);
        }
        let list = std::mem::take(&mut self.list);
        for files in list.chunks(chunk.max(1)) {
            let parsed: Vec<Result<(Profile, Vec<Problem>), Problem>> =
                files.par_iter().map(|input| self.parse(input)).collect();
            // Collected in place, reusing `parsed`'s buffer: a second array of whole profiles
            // beside the first would be a fifth of a large queue's memory, if only briefly.
            let ids = &mut self.ids;
            let patients: Vec<Profile> = parsed
                .into_iter()
                .filter_map(|r| match r {
                    Ok((p, probs)) => {
                        problems.extend(probs);
                        // Compared without case: "P01" and "p01" are one patient.
                        if ids.insert(p.id().to_lowercase()) {
                            Some(p)
                        } else {
                            let msg = format!(
                                "id: patient id '{}' is already used by another file (ids are compared without case); this one is skipped",
                                p.id()
                            );
                            problems.push(match p.id_pos {
                                Some((l, c)) => Problem::at(&p.file, l, c, msg),
                                None => Problem::file(&p.file, msg),
                            });
                            None
                        }
                    }
                    Err(e) => {
                        problems.push(e);
                        None
                    }
                })
                .collect();
            each(patients)?;
        }
        Ok(())
    }

    fn parse(&self, input: &Input) -> Result<(Profile, Vec<Problem>), Problem> {
        if let Some(p) = self.progress {
            p.done.fetch_add(1, Ordering::Relaxed);
        }
        let (name, text) = input.read()?;
        let (p, mut probs) = parse_patient_cached(&name, &text, self.as_of, self.cache)?;
        for a in &p.data.attestation {
            if self.criteria.is_empty() {
                break;
            }
            let id = a.criterion.get_ref().as_str();
            let message = match self.criteria.get(id) {
                None => Some(format!(
                    "attestation.criterion: no trial has a criterion '{id}'"
                )),
                Some(parts) => attestation_part_problem(id, a.part.as_deref(), parts),
            };
            if let Some(message) = message {
                let (l, c) = line_col(&text, a.criterion.span().start);
                probs.push(Problem::at(&name, l, c, message));
            }
        }
        Ok((p, probs))
    }
}

/// Why an attestation with this `part` answers none of the criterion's judgements (`parts`,
/// as `Rule::judgements` lists them), or `None` when it answers one.
fn attestation_part_problem(
    id: &str,
    part: Option<&str>,
    parts: &[Option<&str>],
) -> Option<String> {
    if parts.contains(&part) {
        return None;
    }
    let named: Vec<&str> = parts.iter().flatten().copied().collect();
    Some(match part {
        _ if parts.is_empty() => {
            format!("attestation: criterion {id} is decided by data alone; no attestation is read")
        }
        None => format!(
            "attestation.part: criterion {id} asks for named judgements ({}); say which one this answers with part = \"...\"",
            named.join(", ")
        ),
        Some(p) => {
            let hint = crate::problem::did_you_mean(p, &named);
            if named.is_empty() {
                format!(
                    "attestation.part: criterion {id} has one judgement, without parts; remove part = \"{p}\""
                )
            } else {
                format!(
                    "attestation.part: criterion {id} has no judgement '{p}'{hint}; its judgements: {}",
                    named.join(", ")
                )
            }
        }
    })
}
