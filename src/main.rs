//! The `trialmatch` command: parses arguments (clap) and runs the chosen command.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use trialmatch::load::{PatientStream, Source, Workspace, load, load_trials};
use trialmatch::trial::Trial;
use trialmatch::worklist::{self, Status, Store, StoreError};

#[derive(Parser)]
#[command(
    name = "trialmatch",
    version,
    about = "Match patient referrals against four CAR-NK studies for autoimmune disease"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    inputs: Inputs,
}

#[derive(clap::Args, Clone)]
struct Inputs {
    /// Folder of trial files (default ./trials, else the built-in copies)
    #[arg(long, global = true)]
    trials: Option<PathBuf>,
    /// A patient file or folder; repeat for more (default ./sample-patients, else the
    /// built-in copies). One value each, so `--patients DIR check` still runs `check`.
    #[arg(long, global = true, action = clap::ArgAction::Append)]
    patients: Vec<PathBuf>,
    /// Screening date the rules measure from, YYYY-MM-DD (default today)
    #[arg(long, global = true, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Worklist database (default: worklist.sqlite3 in the user's data folder)
    #[arg(long, global = true)]
    db: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Subcommand)]
enum StatusCommand {
    /// Record a patient's status for one study (appended to the history)
    Set {
        /// Patient id, as in the patient file
        patient: String,
        /// Study id or short name (e.g. NCT06464679 or its short name)
        trial: String,
        /// One of: new, screening, contacted-study, referred, enrolled, declined-by-patient,
        /// not-eligible, on-hold
        status: Status,
        /// Why, in a few words
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Show the current status of every patient × study with a recorded decision
    List {
        #[arg(long)]
        patient: Option<String>,
        #[arg(long)]
        status: Option<Status>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Withdraw a decision entered in error (e.g. for the wrong patient): a new entry names
    /// it; it stays in the history, struck through, and no longer counts as the status
    Withdraw {
        /// The decision's number (# in `status history`)
        seq: i64,
        /// Why, in a few words
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Show every recorded change for a patient, oldest first
    History {
        patient: String,
        /// Only this study (id or short name)
        trial: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Print where the worklist database is
    Path,
    /// Write a consistent copy of the worklist database to a new file (safe while in use)
    Backup {
        /// The copy to create (owner-only; an existing file is never replaced)
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Record and review triage decisions (the worklist)
    Status {
        #[command(subcommand)]
        command: StatusCommand,
    },
    /// Write a Markdown referral summary for one patient and study
    Export {
        /// Patient id
        patient: String,
        /// Study id or short name
        trial: String,
        /// File to write (created owner-only; an existing file is never replaced).
        /// Default: standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print every patient's ranked matches
    Report {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Width of the table in columns (default: the terminal's width, else 100)
        #[arg(long)]
        width: Option<usize>,
    },
    /// Validate trial and patient files; exit status 1 when there are problems
    Check,
    /// Print the criteria document (docs/criteria.md) generated from the trial files
    CriteriaDoc,
    /// Show the settings file: the referral summary's sender (coordinator name, site, phone)
    ///
    /// Prints where the file is, whether it exists, its values and an example; writes nothing
    /// unless --init. TRIALMATCH_CONFIG=PATH names another file.
    Config {
        /// Create the file, with its fields empty to fill in (owner-only; an existing file is
        /// never replaced)
        #[arg(long)]
        init: bool,
    },
    /// Write synthetic patient files (deterministic for a seed) for load testing
    Generate {
        /// How many patients
        #[arg(long)]
        count: usize,
        /// Seed; the same seed writes the same files
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write into (created owner-only; existing files are never overwritten)
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("'{s}' is not a date like 2026-11-22: {e}"))
}

impl Inputs {
    fn as_of(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
    fn trial_source(&self) -> Source {
        match &self.trials {
            Some(d) => Source::Paths(vec![d.clone()]),
            None => Source::default_for("trials"),
        }
    }
    fn patient_source(&self) -> Source {
        if self.patients.is_empty() {
            Source::default_for("sample-patients")
        } else {
            Source::Paths(self.patients.clone())
        }
    }
    /// The worklist database file: `--db`, else the platform data folder.
    fn db_path(&self) -> Result<PathBuf, StoreError> {
        match &self.db {
            Some(p) => Ok(p.clone()),
            None => worklist::default_path(),
        }
    }
    /// Opens (creating on first use) the worklist database.
    fn worklist(&self) -> Result<Store, StoreError> {
        Store::open(&self.db_path()?)
    }
    fn load(&self) -> Workspace {
        load(&self.trial_source(), &self.patient_source(), self.as_of())
    }
}

/// Patient files parsed per chunk when streaming a report.
const STREAM_CHUNK: usize = 2048;

/// `report --format json|csv` over any number of files: patients are read, evaluated and
/// written a chunk at a time, so memory does not grow with the queue.
fn stream_report(inputs: &Inputs, json: bool, out: &mut impl Write) -> std::io::Result<()> {
    let as_of = inputs.as_of();
    let mut ws = load_trials(&inputs.trial_source());
    let mut problems = std::mem::take(&mut ws.problems);
    let mut stream = PatientStream::new(&ws.trials, &inputs.patient_source(), as_of, &mut problems);
    if json {
        let mut r = trialmatch::report::JsonReport::begin(&ws.trials, as_of, out)?;
        stream.for_each(STREAM_CHUNK, &mut problems, |ps| r.patients(&ps))?;
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
        stream.for_each(STREAM_CHUNK, &mut problems, |ps| {
            trialmatch::report::write_csv_rows(&ws.trials, &ps, as_of, &statuses, out)
        })?;
        // CSV has no place for them: problems go to standard error (a failed write there is
        // an error like any other, never a panic that loses the rows above).
        let mut err = std::io::stderr().lock();
        for p in &problems {
            writeln!(err, "{}", trialmatch::text::sanitize(&p.to_string()))?;
        }
        Ok(())
    }
}

/// A command that could not be carried out; the message says why and names the file.
struct Failed(String);

impl From<StoreError> for Failed {
    fn from(e: StoreError) -> Failed {
        Failed(e.to_string())
    }
}

impl From<std::io::Error> for Failed {
    fn from(e: std::io::Error) -> Failed {
        Failed(e.to_string())
    }
}

/// The study a command names, by id or short name, ignoring case.
fn find_trial<'a>(trials: &'a [Trial], name: &str) -> Result<(usize, &'a Trial), Failed> {
    let hit = trials
        .iter()
        .enumerate()
        .find(|(_, t)| t.id.eq_ignore_ascii_case(name) || t.short_name.eq_ignore_ascii_case(name));
    hit.ok_or_else(|| {
        let known: Vec<String> = trials
            .iter()
            .map(|t| format!("{} ({})", t.id, t.short_name))
            .collect();
        Failed(format!(
            "no study '{}'; the studies are: {}",
            trialmatch::text::sanitize(name),
            known.join(", ")
        ))
    })
}

/// The loaded patient's own spelling of a typed id, or why there is none (with a suggestion).
fn known_patient(inputs: &Inputs, typed: &str) -> Result<String, Failed> {
    let ws = inputs.load();
    find_patient(&ws, typed).map(|p| p.id().to_string())
}

/// Checks a patient id against the loaded patients, so a typo is not recorded.
fn find_patient<'a>(
    ws: &'a Workspace,
    id: &str,
) -> Result<&'a trialmatch::patient::Profile, Failed> {
    // Ids are one patient whatever their case (as when the files are loaded).
    let wanted = id.trim().to_lowercase();
    ws.patients
        .iter()
        .find(|p| p.id().to_lowercase() == wanted)
        .ok_or_else(|| {
            let ids: Vec<&str> = ws.patients.iter().map(|p| p.id()).collect();
            let hint = trialmatch::problem::did_you_mean(id.trim(), &ids);
            Failed(format!(
                "no patient '{}'{hint} among the {} loaded patients; check the id, or name the \
                 patient files with --patients",
                trialmatch::text::sanitize(id),
                ws.patients.len()
            ))
        })
}

fn status_command(
    inputs: &Inputs,
    command: StatusCommand,
    out: &mut impl Write,
) -> Result<(), Failed> {
    use trialmatch::worklist::print;
    match command {
        StatusCommand::Set {
            patient,
            trial,
            status,
            note,
        } => {
            let ws = inputs.load();
            let (_, t) = find_trial(&ws.trials, &trial)?;
            // Recorded under the file's own spelling of the id, whatever case was typed.
            let patient = find_patient(&ws, &patient)?.id().to_string();
            let d = inputs.worklist()?.record(&patient, &t.id, status, &note)?;
            // Printed only once the change is committed.
            writeln!(
                out,
                "#{} {} × {}: {} (by {} at {})",
                d.seq,
                trialmatch::text::sanitize(&d.patient),
                trialmatch::text::sanitize(&t.short_name),
                d.status.label(),
                trialmatch::text::sanitize(&d.who),
                d.at.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M:%S")
            )?;
        }
        StatusCommand::List {
            patient,
            status,
            format,
        } => {
            // Reading never creates a database where a mistyped --db points.
            let store = Store::open_existing(&inputs.db_path()?)?;
            let mut ds = store.current(patient.as_deref(), status)?;
            // Nothing under the id as typed: the patient's own spelling, or why there is none
            // ("no patient 'P3' (did you mean 'P03'?)" rather than "No decisions recorded").
            if let Some(typed) = patient.as_deref()
                && ds.is_empty()
            {
                let id = known_patient(inputs, typed)?;
                if id != typed {
                    ds = store.current(Some(&id), status)?;
                }
            }
            match format {
                ListFormat::Table => print::write_table(&ds, "No decisions recorded.", out)?,
                ListFormat::Json => print::write_json(&ds, out)?,
            }
        }
        StatusCommand::History {
            patient,
            trial,
            format,
        } => {
            let trial_id = match &trial {
                Some(name) => {
                    let ws = load_trials(&inputs.trial_source());
                    Some(find_trial(&ws.trials, name)?.1.id.clone())
                }
                None => None,
            };
            let store = Store::open_existing(&inputs.db_path()?)?;
            let mut h = store.history(&patient, trial_id.as_deref())?;
            if h.decisions.is_empty() {
                let id = known_patient(inputs, &patient)?;
                if id != patient {
                    h = store.history(&id, trial_id.as_deref())?;
                }
            }
            match format {
                ListFormat::Table => {
                    use std::io::IsTerminal;
                    let empty = "No decisions recorded for this patient.";
                    let strike = std::io::stdout().is_terminal();
                    print::write_history_table(&h, empty, strike, out)?
                }
                ListFormat::Json => print::write_history_json(&h, out)?,
            }
        }
        StatusCommand::Path => writeln!(out, "{}", inputs.db_path()?.display())?,
        StatusCommand::Withdraw { seq, note } => {
            let mut store = Store::open_existing(&inputs.db_path()?)?;
            let w = store.withdraw(seq, &note)?;
            let ws = load_trials(&inputs.trial_source());
            let study = ws
                .trials
                .iter()
                .find(|t| t.id == w.trial)
                .map_or(w.trial.as_str(), |t| t.short_name.as_str());
            let pair = format!(
                "{} × {}",
                trialmatch::text::sanitize(&w.patient),
                trialmatch::text::sanitize(study)
            );
            let now = store.current(Some(&w.patient), None)?;
            let now = now.iter().find(|d| d.trial == w.trial);
            // Printed only once the withdrawal is committed.
            writeln!(
                out,
                "#{} withdrew #{} ({pair}: {}) as entered in error (by {} at {})",
                w.seq,
                w.withdraws,
                w.status.label(),
                trialmatch::text::sanitize(&w.who),
                w.at.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M:%S")
            )?;
            match now {
                Some(d) => writeln!(out, "{pair} is now: {} (#{})", d.status.label(), d.seq)?,
                None => writeln!(out, "{pair} now has no status")?,
            }
        }
        StatusCommand::Backup { file } => {
            let store = Store::open_existing(&inputs.db_path()?)?;
            store.backup_to(&file)?;
            writeln!(
                out,
                "backed up {} to {}",
                store.path().display(),
                file.display()
            )?;
        }
    }
    Ok(())
}

fn export_command(
    inputs: &Inputs,
    patient: &str,
    trial: &str,
    to: Option<&std::path::Path>,
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
            trialmatch::worklist::History::default()
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

/// A panic's message may quote data it was handling; print where it happened, never what.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "trialmatch stopped on an internal error{at}. No patient data is shown here; \
             please report it with the command you ran."
        );
    }));
}

fn main() -> ExitCode {
    install_panic_hook();
    // Lets the test suite check that a panic's message (which may quote data) is not printed.
    if let Some(payload) = std::env::var_os("TRIALMATCH_PANIC_TEST") {
        panic!("{}", payload.to_string_lossy());
    }
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match cli.command {
        // The UI loads on a background thread behind its loading screen.
        None => trialmatch::tui::run_loading(
            cli.inputs.trial_source(),
            cli.inputs.patient_source(),
            cli.inputs.as_of(),
            {
                // Opened once the terminal is known to work, beside the loading.
                let inputs = cli.inputs.clone();
                move || inputs.worklist()
            },
        )
        // Stopped by SIGTERM/SIGHUP: the terminal is restored; exit as the shell expects.
        .map(|_| match trialmatch::tui::signals::received() {
            Some(sig) => ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)),
            None => ExitCode::SUCCESS,
        }),
        Some(Command::Report { format, width }) => {
            let r = match format {
                Format::Json => stream_report(&cli.inputs, true, &mut out),
                Format::Csv => stream_report(&cli.inputs, false, &mut out),
                Format::Table => {
                    let ws = cli.inputs.load();
                    let width = width.unwrap_or_else(|| {
                        use std::io::IsTerminal;
                        let term = std::io::stdout().is_terminal();
                        match crossterm::terminal::size() {
                            Ok((w, _)) if term && w > 0 => usize::from(w),
                            _ => 100,
                        }
                    });
                    trialmatch::report::write_table(&ws, cli.inputs.as_of(), width, &mut out)
                }
            };
            r.map(|_| ExitCode::SUCCESS)
        }
        Some(Command::Check) => {
            let ws = cli.inputs.load();
            for p in &ws.problems {
                let _ = writeln!(out, "{}", trialmatch::text::sanitize(&p.to_string()));
            }
            let criteria: usize = ws.trials.iter().map(|t| t.criteria.len()).sum();
            let _ = writeln!(
                out,
                "{} trials ({criteria} criteria), {} patients, {} problems",
                ws.trials.len(),
                ws.patients.len(),
                ws.problems.len()
            );
            Ok(if ws.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Some(Command::Generate {
            count,
            seed,
            out: dir,
        }) => {
            let as_of = cli.inputs.as_of();
            let ws = load_trials(&cli.inputs.trial_source());
            trialmatch::generate::write_dir(&dir, count, seed, as_of, &ws.trials).map(|()| {
                let _ = writeln!(out, "wrote {count} patients to {}", dir.display());
                ExitCode::SUCCESS
            })
        }
        Some(Command::Status { command }) => match status_command(&cli.inputs, command, &mut out) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(Failed(msg)) => {
                let _ = out.flush();
                eprintln!("trialmatch: {msg}");
                Ok(ExitCode::from(1))
            }
        },
        Some(Command::Export {
            patient,
            trial,
            out: to,
        }) => match export_command(&cli.inputs, &patient, &trial, to.as_deref(), &mut out) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(Failed(msg)) => {
                let _ = out.flush();
                eprintln!("trialmatch: {msg}");
                Ok(ExitCode::from(1))
            }
        },
        Some(Command::Config { init: false }) => trialmatch::config::describe(&mut out).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }),
        Some(Command::Config { init: true }) => match trialmatch::config::init() {
            Ok(path) => writeln!(
                out,
                "created {} (owner-only); fill in the fields, then `trialmatch config` shows them",
                path.display()
            )
            .map(|()| ExitCode::SUCCESS),
            Err(msg) => {
                let _ = out.flush();
                eprintln!("trialmatch: {msg}");
                Ok(ExitCode::from(1))
            }
        },
        Some(Command::CriteriaDoc) => {
            let ws = cli.inputs.load();
            write!(out, "{}", trialmatch::criteria_doc::render(&ws.trials))
                .map(|_| ExitCode::SUCCESS)
        }
    };
    // What can be flushed is flushed, whatever went wrong before.
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        // A reader that went away (`| head`): the conventional status of a SIGPIPE death,
        // 128 + 13, so a pipeline can tell the output was cut.
        (Err(e), _) | (_, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(141)
        }
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(std::io::stderr(), "trialmatch: {e}");
            ExitCode::from(2)
        }
    }
}
