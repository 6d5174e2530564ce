//! Live reload: a coordinator who fixes a patient file in an editor in the next pane sees the
//! new verdict without a restart. The trial and patient folders (or files) the UI loaded are
//! watched (`notify`); the changes of a short pause are gathered into one [`Changed`] — an
//! editor's save is a write, or a new file renamed over the old — named as the files were
//! loaded, and [`read`] reads just those files again, as loading does (the same checks, the
//! entries made in the app laid over them), for `App::reload_patient` and
//! `App::reload_trials` to take in.

use crate::intake::workspace::Overlay;
use crate::load::{PatientStream, Source, load_trials};
use crate::problem::Problem;
use crate::tui::app::App;
use crate::worklist::Store;
use chrono::NaiveDate;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the files must be quiet before a change is taken in (an editor's save is several
/// events), and the longest a change waits while they are not.
const QUIET: Duration = Duration::from_millis(150);
const AT_MOST: Duration = Duration::from_millis(600);

/// What changed: whether any trial file did, and the patient files by the name they are (or
/// would be) loaded under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub trials: bool,
    pub patients: BTreeSet<String>,
}

/// One watched place, as the UI was given it.
#[derive(Debug, Clone)]
struct Place {
    trials: bool,
    /// The path as given (a folder, or a file), which loaded names start with.
    given: PathBuf,
    /// The folder it is in, or is, resolved.
    folder: PathBuf,
    /// For a file: its name (only it is watched in its folder).
    file: Option<std::ffi::OsString>,
}

/// The watch, running while it is kept; dropped, it stops.
pub struct Watch {
    _watcher: RecommendedWatcher,
    /// The trial files and folders, as given (the names of their problems start with these).
    pub trial_paths: Vec<String>,
}

/// Starts watching the places of `trials` and `patients` (built-in copies are not watched);
/// `send` gets each gathered change and returns false when no one listens any more.
pub fn start(
    trials: &Source,
    patients: &Source,
    send: impl Fn(Changed) -> bool + Send + 'static,
) -> notify::Result<Watch> {
    let mut places = Vec::new();
    for (src, is_trials) in [(trials, true), (patients, false)] {
        if let Source::Paths(paths) = src {
            places.extend(paths.iter().filter_map(|p| place(p, is_trials)));
        }
    }
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    let folders: BTreeSet<&PathBuf> = places.iter().map(|p| &p.folder).collect();
    for f in folders {
        watcher.watch(f, RecursiveMode::NonRecursive)?;
    }
    let trial_paths = places
        .iter()
        .filter(|p| p.trials)
        .map(|p| p.given.display().to_string())
        .collect();
    std::thread::Builder::new()
        .name("trialmatch-watch".into())
        .spawn(move || gather(&rx, &places, &send))?;
    Ok(Watch {
        _watcher: watcher,
        trial_paths,
    })
}

fn place(given: &Path, trials: bool) -> Option<Place> {
    let resolved = given.canonicalize().ok()?;
    if resolved.is_dir() {
        Some(Place {
            trials,
            given: given.to_path_buf(),
            folder: resolved,
            file: None,
        })
    } else {
        Some(Place {
            trials,
            given: given.to_path_buf(),
            folder: resolved.parent()?.to_path_buf(),
            file: resolved.file_name().map(ToOwned::to_owned),
        })
    }
}

/// Passes the events on as [`Changed`], one per pause, until the watch or the listener goes.
fn gather(
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
    places: &[Place],
    send: &impl Fn(Changed) -> bool,
) {
    while let Ok(first) = rx.recv() {
        let mut changed = Changed::default();
        note(&mut changed, places, first);
        let started = Instant::now();
        while started.elapsed() < AT_MOST {
            match rx.recv_timeout(QUIET) {
                Ok(ev) => note(&mut changed, places, ev),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        if (changed.trials || !changed.patients.is_empty()) && !send(changed) {
            return;
        }
    }
}

/// Adds what one event changed.
fn note(changed: &mut Changed, places: &[Place], ev: notify::Result<notify::Event>) {
    let Ok(ev) = ev else { return };
    if matches!(ev.kind, EventKind::Access(_)) {
        return;
    }
    for path in &ev.paths {
        if let Some((trials, name)) = loaded_name(places, path) {
            if trials {
                changed.trials = true;
            } else {
                changed.patients.insert(name);
            }
        }
    }
}

/// Whether `path` (as the watcher reports it) is a file the UI reads, and its name as loading
/// names it: the folder as given joined with the file's name, or the file as given.
fn loaded_name(places: &[Place], path: &Path) -> Option<(bool, String)> {
    let name = path.file_name()?;
    let parent = path.parent()?;
    let parent = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf());
    places.iter().find_map(|p| {
        if p.folder != parent {
            return None;
        }
        match &p.file {
            Some(f) if f == name => Some((p.trials, p.given.display().to_string())),
            Some(_) => None,
            None => {
                let toml = Path::new(name).extension().is_some_and(|e| e == "toml");
                let hidden = name.to_string_lossy().starts_with('.');
                (toml && !hidden).then(|| (p.trials, p.given.join(name).display().to_string()))
            }
        }
    })
}

/// Reads what changed again and hands it to `app`: each patient file as loading reads it,
/// with the entries made in the app (from `store`) laid over it; the trial files, when any
/// changed, all again.
pub fn read(
    app: &mut App,
    changed: &Changed,
    trials: &Source,
    trial_paths: &[String],
    as_of: NaiveDate,
    store: Option<&Store>,
) {
    if changed.trials {
        let ws = load_trials(trials);
        app.reload_trials(ws.trials, ws.problems, trial_paths);
    }
    if changed.patients.is_empty() {
        return;
    }
    let mut entry_problems = Vec::new();
    let overlay = store.and_then(|s| match s.entries(None) {
        Ok(e) => Some(Overlay::new(&e, as_of)),
        Err(e) => {
            let p = Problem::file(
                &s.path().display().to_string(),
                format!("the facts entered in the app could not be read: {e}"),
            );
            // Said once, not again with every change while the worklist stays unreadable.
            if !app.problems().contains(&p) {
                entry_problems.push(p);
            }
            None
        }
    });
    for name in &changed.patients {
        let mut problems = std::mem::take(&mut entry_problems);
        let path = PathBuf::from(name);
        let mut profiles = Vec::new();
        if path.exists() {
            let src = Source::Paths(vec![path]);
            let mut stream = PatientStream::new(app.trials(), &src, as_of, &mut problems);
            let _ = stream.for_each(1, &mut problems, |chunk| {
                profiles.extend(chunk);
                Ok(())
            });
            if let Some(o) = &overlay {
                o.apply_to(&mut profiles, &mut problems);
            }
        }
        app.reload_patient(name, profiles.pop(), problems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_named_as_loading_names_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let patients = dir.path().join("queue");
        let one = dir.path().join("one.toml");
        std::fs::create_dir(&patients).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&one, "").unwrap_or_else(|e| panic!("{e}"));
        let places: Vec<Place> = [(&patients, false), (&one, true)]
            .iter()
            .filter_map(|(p, t)| place(p, *t))
            .collect();
        let resolved = patients.canonicalize().unwrap_or_default();
        let name = |p: &Path| loaded_name(&places, p);
        assert_eq!(
            name(&resolved.join("p01.toml")),
            Some((false, patients.join("p01.toml").display().to_string()))
        );
        // Only *.toml files are read; an editor's hidden swap file is not one.
        assert_eq!(name(&resolved.join("p01.toml.swp")), None);
        assert_eq!(name(&resolved.join(".p01.toml")), None);
        // A watched file, but not its neighbours.
        let root = dir.path().canonicalize().unwrap_or_default();
        assert_eq!(
            name(&root.join("one.toml")),
            Some((true, one.display().to_string()))
        );
        assert_eq!(name(&root.join("two.toml")), None);
    }
}
