//! The `trialmatch` command: parses arguments (clap) and runs the chosen command.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use trialmatch::load::{Source, Workspace, load};

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
    /// Patient files or folders (default ./sample-patients, else the built-in copies)
    #[arg(long, global = true, num_args = 1..)]
    patients: Vec<PathBuf>,
    /// Screening date the rules measure from, YYYY-MM-DD (default today)
    #[arg(long, global = true, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// Print every patient's ranked matches
    Report {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Width of the table in columns
        #[arg(long, default_value_t = 100)]
        width: usize,
    },
    /// Validate trial and patient files; exit status 1 when there are problems
    Check,
    /// Print the criteria document (docs/criteria.md) generated from the trial files
    CriteriaDoc,
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
    fn load(&self) -> Workspace {
        let trials = match &self.trials {
            Some(d) => Source::Paths(vec![d.clone()]),
            None => Source::default_for("trials"),
        };
        let patients = if self.patients.is_empty() {
            Source::default_for("sample-patients")
        } else {
            Source::Paths(self.patients.clone())
        };
        load(&trials, &patients, self.as_of())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match cli.command {
        None => {
            // The UI loads on a background thread behind its loading screen.
            let trials = match &cli.inputs.trials {
                Some(d) => Source::Paths(vec![d.clone()]),
                None => Source::default_for("trials"),
            };
            let patients = if cli.inputs.patients.is_empty() {
                Source::default_for("sample-patients")
            } else {
                Source::Paths(cli.inputs.patients.clone())
            };
            trialmatch::tui::run_loading(trials, patients, cli.inputs.as_of())
                .map(|_| ExitCode::SUCCESS)
        }
        Some(Command::Report { format, width }) => {
            let ws = cli.inputs.load();
            let as_of = cli.inputs.as_of();
            let r = match format {
                Format::Json => trialmatch::report::write_json(&ws, as_of, &mut out),
                Format::Table => trialmatch::report::write_table(&ws, as_of, width, &mut out),
                Format::Csv => trialmatch::report::write_csv(&ws, as_of, &mut out),
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
            let trials = match &cli.inputs.trials {
                Some(d) => Source::Paths(vec![d.clone()]),
                None => Source::default_for("trials"),
            };
            let ws = load(&trials, &Source::Paths(vec![]), as_of);
            trialmatch::generate::write_dir(&dir, count, seed, as_of, &ws.trials).map(|()| {
                let _ = writeln!(out, "wrote {count} patients to {}", dir.display());
                ExitCode::SUCCESS
            })
        }
        Some(Command::CriteriaDoc) => {
            let ws = cli.inputs.load();
            write!(out, "{}", trialmatch::criteria_doc::render(&ws.trials))
                .map(|_| ExitCode::SUCCESS)
        }
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => code,
        (Err(e), _) | (_, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("trialmatch: {e}");
            ExitCode::from(2)
        }
    }
}
