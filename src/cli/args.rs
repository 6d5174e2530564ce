//! The command line as clap reads it: the global inputs (trial and patient files, the
//! screening date, the worklist database) and each command with its options.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use trialmatch::intake::FactEntry;
use trialmatch::intake::workspace::overlay_entries;
use trialmatch::load::{Source, Workspace, load};
use trialmatch::problem::Problem;
use trialmatch::worklist::{self, Status, Store, StoreError};

#[derive(Parser)]
#[command(
    name = "trialmatch",
    version,
    about = "Match patient referrals against four CAR-NK studies for autoimmune disease"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub inputs: Inputs,
}

/// Import patients from HL7 FHIR R4 (Bundles, resources, Bulk Data NDJSON) into patient files
///
/// One file per patient, mapped by code; what could not be mapped is left out and listed at
/// the top of the file. Nothing is marked as checked. Reads only local files.
#[derive(clap::Args, Clone, Debug)]
pub struct ImportArgs {
    /// FHIR R4 JSON: Bundle or resource files, Bulk Data NDJSON files (one resource per line),
    /// or folders of them (their .json, .ndjson and .jsonl files)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Folder to write one patient file per patient into (created owner-only; an existing
    /// file is never replaced)
    #[arg(long, default_value = "imported")]
    pub out: PathBuf,
}

#[derive(clap::Args, Clone)]
pub struct Inputs {
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
    /// Read every patient file afresh, without the parsed-profile cache (see the README)
    #[arg(long, global = true)]
    no_cache: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Subcommand)]
pub enum StatusCommand {
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
pub enum Command {
    Import(ImportArgs),
    /// Record and review triage decisions (the worklist)
    Status {
        #[command(subcommand)]
        command: StatusCommand,
    },
    /// Enter facts for a patient without editing a file (kept in the worklist database)
    Entry {
        #[command(subcommand)]
        command: EntryCommand,
    },
    /// A patient's merged profile: the file with the entered facts laid over it
    Patient {
        #[command(subcommand)]
        command: PatientCommand,
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
    /// The screening and enrolment log, with each study's funnel: one row per patient ×
    /// study screened or decided in the period (docs/screening-log.md)
    Log {
        /// Only this study (id or short name)
        #[arg(long)]
        trial: Option<String>,
        /// First day of the period, YYYY-MM-DD (included)
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last day of the period, YYYY-MM-DD (included)
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// For a log sent outside the site: each patient by a stable pseudonym (keyed with the
        /// worklist's own secret); names, file paths, dates of birth and notes left out
        #[arg(long)]
        deidentify: bool,
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

#[derive(Subcommand)]
pub enum EntryCommand {
    /// Enter facts for a patient, in the patient-file format, e.g.
    /// `entry add P01 'cardiac = { lvef = 58 }' --source "phone, Dr Tan"`. Checked like a
    /// file first: a fact the file format would refuse is refused, and nothing is stored.
    Add {
        /// Patient id (a new id with --new)
        patient: String,
        /// The facts, as they would be written in the patient file
        facts: String,
        /// Where they came from ("phone, Dr Tan", "letter of 2026-11-28")
        #[arg(long, default_value = "")]
        source: String,
        /// A new referral with no file: the facts give at least its id
        #[arg(long)]
        new: bool,
    },
    /// List a patient's entries (or everyone's), oldest first, withdrawn ones marked
    List {
        patient: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Withdraw an entry made in error: a new row names it; the fact no longer counts
    Withdraw {
        /// The entry's number (# in `entry list`)
        seq: i64,
        /// Why, in a few words
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Subcommand)]
pub enum PatientCommand {
    /// Print the patient's merged profile (file plus entered facts) as a patient file
    Export {
        /// Patient id
        patient: String,
    },
    /// Print a patient file to fill in: every fact the studies read, grouped as a referral
    /// form, with the criteria that read each
    Template,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("'{s}' is not a date like 2026-11-22: {e}"))
}

impl Inputs {
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
    pub fn trial_source(&self) -> Source {
        match &self.trials {
            Some(d) => Source::Paths(vec![d.clone()]),
            None => Source::default_for("trials"),
        }
    }
    pub fn patient_source(&self) -> Source {
        if self.patients.is_empty() {
            Source::default_for("sample-patients")
        } else {
            Source::Paths(self.patients.clone())
        }
    }
    /// The parsed-profile cache file of these patient files (`crate::cache`), unless
    /// `--no-cache` or the built-in copies are read, or there is no cache folder.
    pub fn cache_file(&self) -> Option<PathBuf> {
        match self.patient_source() {
            Source::Paths(p) if !self.no_cache => {
                trialmatch::cache::default_dir().map(|d| trialmatch::cache::file_for(&d, &p))
            }
            _ => None,
        }
    }
    /// The worklist database file: `--db`, else the platform data folder.
    pub fn db_path(&self) -> Result<PathBuf, StoreError> {
        match &self.db {
            Some(p) => Ok(p.clone()),
            None => worklist::default_path(),
        }
    }
    /// Opens (creating on first use) the worklist database.
    pub fn worklist(&self) -> Result<Store, StoreError> {
        Store::open(&self.db_path()?)
    }
    /// The trials and patients, each patient with the facts entered in the worklist laid
    /// over its file (a worklist that cannot be read is a problem, never silently skipped).
    pub fn load(&self) -> Workspace {
        let mut ws = self.load_files();
        if let Err(p) = self.overlay_entries(&mut ws) {
            ws.problems.push(p);
        }
        ws
    }
    /// The trials and patients as their files say, without entered facts.
    pub fn load_files(&self) -> Workspace {
        load(&self.trial_source(), &self.patient_source(), self.as_of())
    }
    /// The facts entered in the worklist (none when it does not exist yet).
    pub fn entries(&self) -> Result<Vec<FactEntry>, Problem> {
        let path = match self.db_path() {
            Ok(p) if p.exists() => p,
            // No worklist (or nowhere to keep one): nothing was entered.
            _ => return Ok(Vec::new()),
        };
        Store::open_existing(&path)
            .and_then(|s| s.entries(None))
            .map_err(|e| {
                Problem::file(
                    &path.display().to_string(),
                    format!("the facts entered in the app could not be read: {e}"),
                )
            })
    }
    fn overlay_entries(&self, ws: &mut Workspace) -> Result<(), Problem> {
        let entries = self.entries()?;
        overlay_entries(ws, &entries, self.as_of());
        Ok(())
    }
}
