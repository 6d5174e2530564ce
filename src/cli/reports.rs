//! The commands that read the trial and patient files and print or write from them: the
//! report (a table, or JSON and CSV streamed a chunk at a time), the check, the criteria
//! document, synthetic patients, the referral summary, and the settings file.

use super::args::{Format, Inputs};
use super::{Failed, find_patient, find_trial};
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use trialmatch::intake::workspace::Overlay;
use trialmatch::load::{PatientStream, load_trials};
use trialmatch::patient::Profile;
use trialmatch::text::sanitize;
use trialmatch::worklist::{History, Store, StoreError};

/// `report`: every patient's ranked matches as a table (as wide as `width`, else the
/// terminal, else 100 columns), JSON or CSV.
pub fn report(
    inputs: &Inputs,
    format: Format,
    width: Option<usize>,
    out: &mut impl Write,
) -> io::Result<ExitCode> {
    match format {
        Format::Json => stream_report(inputs, true, out),
        Format::Csv => stream_report(inputs, false, out),
        Format::Table => {
            let ws = inputs.load();
            let width = width.unwrap_or_else(|| {
                use std::io::IsTerminal;
                let term = std::io::stdout().is_terminal();
                match crossterm::terminal::size() {
                    Ok((w, _)) if term && w > 0 => usize::from(w),
                    _ => 100,
                }
            });
            trialmatch::report::write_table(&ws, inputs.as_of(), width, out)
        }
    }
    .map(|_| ExitCode::SUCCESS)
}

/// Patient files parsed per chunk when streaming a report.
const STREAM_CHUNK: usize = 2048;

/// `report --format json|csv` over any number of files: patients are read, evaluated and
/// written a chunk at a time, so memory does not grow with the queue.
fn stream_report(inputs: &Inputs, json: bool, out: &mut impl Write) -> io::Result<()> {
    let as_of = inputs.as_of();
    let mut ws = load_trials(&inputs.trial_source());
    let mut problems = std::mem::take(&mut ws.problems);
    let mut stream = PatientStream::new(&ws.trials, &inputs.patient_source(), as_of, &mut problems);
    // The facts entered in the app, laid over each chunk's patients as it streams by; the
    // referrals made in the app (no file) come last.
    let entries = inputs.entries().unwrap_or_else(|p| {
        problems.push(p);
        Vec::new()
    });
    let overlay = Overlay::new(&entries, as_of);
    let mut entry_problems = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut with_entries = |ps: &mut Vec<Profile>| {
        if !overlay.is_empty() {
            overlay.apply_to(ps, &mut entry_problems);
            seen.extend(ps.iter().map(|p| p.id().to_lowercase()));
        }
    };
    if json {
        let mut r = trialmatch::report::JsonReport::begin(&ws.trials, as_of, out)?;
        stream.for_each(STREAM_CHUNK, &mut problems, |mut ps| {
            with_entries(&mut ps);
            r.patients(&ps)
        })?;
        let referrals = overlay.referrals(&seen, &mut entry_problems);
        r.patients(&referrals)?;
        problems.append(&mut entry_problems);
        r.end(&problems)
    } else {
        // Each row's worklist status, when a worklist exists (read only, never created).
        let statuses: trialmatch::report::Statuses = inputs
            .db_path()
            .ok()
            .and_then(|path| Store::open_existing(&path).ok())
            .and_then(|store| store.current(None, None).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|d| ((d.patient, d.trial), d.status.label()))
            .collect();
        writeln!(out, "{}", trialmatch::report::CSV_HEADER)?;
        stream.for_each(STREAM_CHUNK, &mut problems, |mut ps| {
            with_entries(&mut ps);
            trialmatch::report::write_csv_rows(&ws.trials, &ps, as_of, &statuses, out)
        })?;
        let referrals = overlay.referrals(&seen, &mut entry_problems);
        trialmatch::report::write_csv_rows(&ws.trials, &referrals, as_of, &statuses, out)?;
        problems.append(&mut entry_problems);
        // CSV has no place for them: problems go to standard error (a failed write there is
        // an error like any other, never a panic that loses the rows above).
        let mut err = std::io::stderr().lock();
        for p in &problems {
            writeln!(err, "{}", sanitize(&p.to_string()))?;
        }
        Ok(())
    }
}

/// `check`: every problem in the trial and patient files, then the counts; exit status 1
/// when there are problems.
pub fn check(inputs: &Inputs, out: &mut impl Write) -> ExitCode {
    let ws = inputs.load();
    for p in &ws.problems {
        let _ = writeln!(out, "{}", sanitize(&p.to_string()));
    }
    let criteria: usize = ws.trials.iter().map(|t| t.criteria.len()).sum();
    let _ = writeln!(
        out,
        "{} trials ({criteria} criteria), {} patients, {} problems",
        ws.trials.len(),
        ws.patients.len(),
        ws.problems.len()
    );
    if ws.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `criteria-doc`: the criteria document generated from the trial files.
pub fn criteria_doc(inputs: &Inputs, out: &mut impl Write) -> io::Result<()> {
    let ws = inputs.load();
    write!(out, "{}", trialmatch::criteria_doc::render(&ws.trials))
}

/// `generate`: `count` synthetic patient files for `seed` written into `dir`.
pub fn generate(
    inputs: &Inputs,
    count: usize,
    seed: u64,
    dir: &Path,
    out: &mut impl Write,
) -> io::Result<()> {
    let as_of = inputs.as_of();
    let ws = load_trials(&inputs.trial_source());
    trialmatch::generate::write_dir(dir, count, seed, as_of, &ws.trials).map(|()| {
        let _ = writeln!(out, "wrote {count} patients to {}", dir.display());
    })
}

/// `config`: the settings file shown (exit status 1 when it cannot be read), or with `init`
/// created with its fields empty.
pub fn config(init: bool, out: &mut impl Write) -> io::Result<ExitCode> {
    if !init {
        return trialmatch::config::describe(out).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        });
    }
    match trialmatch::config::init() {
        Ok(path) => writeln!(
            out,
            "created {} (owner-only); fill in the fields, then `trialmatch config` shows them",
            path.display()
        )
        .map(|()| ExitCode::SUCCESS),
        Err(msg) => Ok(super::exit_status(Err(Failed(msg)), out)),
    }
}

/// `export`: the referral summary of one patient and study, to standard output or a new
/// file (`to`).
pub fn export(
    inputs: &Inputs,
    patient: &str,
    trial: &str,
    to: Option<&Path>,
    out: &mut impl Write,
) -> Result<(), Failed> {
    let as_of = inputs.as_of();
    let ws = inputs.load();
    let (index, t) = find_trial(&ws.trials, trial)?;
    let p = find_patient(&ws, patient)?;
    let patient = p.id();
    // Reading only: without a worklist at the path the summary has no history.
    let history = match Store::open_existing(&inputs.db_path()?) {
        Ok(store) => store.history(patient, Some(&t.id))?,
        Err(e @ StoreError::Missing { .. }) => {
            let _ = writeln!(std::io::stderr(), "trialmatch: note: {e}");
            History::default()
        }
        Err(e) => return Err(e.into()),
    };
    // The sender block; a settings file that cannot be read stops the export.
    let sender =
        trialmatch::config::sender().map_err(|e| Failed(format!("{e}; nothing was written")))?;
    let doc = trialmatch::export::referral_markdown_from(
        &ws.trials,
        index,
        p,
        as_of,
        &history,
        chrono::Local::now(),
        &sender,
    )
    .ok_or_else(|| Failed(format!("study '{trial}' could not be evaluated")))?;
    match to {
        None => out.write_all(doc.as_bytes())?,
        Some(path) => {
            // All or nothing: a full disk leaves no truncated summary to block a retry.
            use trialmatch::fsutil::{Durability, create_private_dir, write_new_private};
            // A folder named in --out that does not exist yet is created, owner-only.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && !dir.exists()
            {
                create_private_dir(dir)
                    .map_err(|e| Failed(format!("{}: {e}; nothing was written", dir.display())))?;
            }
            write_new_private(path, Durability::Synced, |f, _| f.write_all(doc.as_bytes()))
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Failed(format!(
                            "{}: already exists and was not replaced; choose another --out",
                            path.display()
                        ))
                    } else {
                        Failed(format!("{}: {e}; nothing was written", path.display()))
                    }
                })?;
            writeln!(out, "wrote {}", path.display())?;
        }
    }
    Ok(())
}
