//! The `trialmatch` commands other than the UI: the command line (`args`), the reports
//! (`reports`: report, check, criteria-doc, generate, export, config), the screening log
//! (`log`), entered facts (`entries`), the FHIR import (`import`) and the worklist
//! (`worklist`: status and its subcommands); here what they share — finding the study and the
//! patient a command names, and a failure's message and exit status.

pub mod args;
pub mod entries;
pub mod import;
pub mod log;
pub mod reports;
pub mod worklist;

use std::io::Write;
use std::process::ExitCode;
use trialmatch::load::Workspace;
use trialmatch::patient::Profile;
use trialmatch::text::sanitize;
use trialmatch::trial::Trial;
use trialmatch::worklist::StoreError;

/// A command that could not be carried out; the message says why and names the file.
pub struct Failed(pub String);

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

/// The exit status of a command that may have failed: a failure's message goes to standard
/// error, after what the command printed before it.
pub fn exit_status(result: Result<(), Failed>, out: &mut impl Write) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed(msg)) => {
            let _ = out.flush();
            eprintln!("trialmatch: {msg}");
            ExitCode::from(1)
        }
    }
}

/// The study a command names, by id or short name, ignoring case.
pub fn find_trial<'a>(trials: &'a [Trial], name: &str) -> Result<(usize, &'a Trial), Failed> {
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
            sanitize(name),
            known.join(", ")
        ))
    })
}

/// Checks a patient id against the loaded patients, so a typo is not recorded.
pub fn find_patient<'a>(ws: &'a Workspace, id: &str) -> Result<&'a Profile, Failed> {
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
                sanitize(id),
                ws.patients.len()
            ))
        })
}
