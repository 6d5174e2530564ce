//! `trialmatch import PATH... [--out DIR]`: FHIR R4 inputs read and mapped (`trialmatch::
//! import`), one patient file per patient written into the folder, and what happened printed:
//! the files written, the problems with the inputs (file and line or entry), and what was left
//! out across all patients (each file lists its own at its top). Exit status 1 when an input
//! had a problem or a file could not be written; the rest is imported either way.

use super::args::{ImportArgs, Inputs};
use std::io::{self, Write};
use trialmatch::import::{self, Imported, write};
use trialmatch::text::sanitize;

/// The most kinds of left-out items printed for the whole import.
const PRINTED_ITEMS: usize = 40;

/// Imports `args.paths` into `args.out`; whether there was no problem.
pub fn run(inputs: &Inputs, args: &ImportArgs, out: &mut impl Write) -> io::Result<bool> {
    let imported = import::import_paths(&args.paths, inputs.as_of());
    let written = write::write_all(&imported, &args.out);
    report(&imported, &written, &args.out, out)?;
    Ok(imported.problems.is_empty() && written.problems.is_empty())
}

/// What the import did, in words.
pub fn report(
    imported: &Imported,
    written: &write::Written,
    dir: &std::path::Path,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(
        out,
        "Read {} input file(s): {} resources, as of {}.",
        imported.files.len(),
        imported.resources,
        imported.as_of
    )?;
    writeln!(
        out,
        "Wrote {} of {} patient(s) to {}:",
        written.files.len(),
        imported.patients.len(),
        dir.display()
    )?;
    for (id, path) in &written.files {
        let Some(p) = imported.patients.iter().find(|p| &p.who.id == id) else {
            continue;
        };
        let left = p.record.summary.total();
        writeln!(
            out,
            "  {}  {}: {} facts{}",
            sanitize(&path.display().to_string()),
            sanitize(p.who.name.as_deref().unwrap_or("(no name)")),
            p.record.fact_count(),
            if left > 0 {
                format!("; {left} items not imported (listed at the top of the file)")
            } else {
                String::new()
            }
        )?;
    }
    let problems: Vec<_> = imported
        .problems
        .iter()
        .chain(written.problems.iter())
        .collect();
    if !problems.is_empty() {
        writeln!(out, "\n{} problem(s):", problems.len())?;
        for p in problems {
            writeln!(out, "  {}", sanitize(&p.to_string()))?;
        }
    }
    let mut all = import::summary::Summary::default();
    for p in &imported.patients {
        all.merge(p.record.summary.clone());
    }
    all.merge(imported.others.clone());
    if !all.is_empty() {
        writeln!(
            out,
            "\nNot imported, all inputs (count × resource, code \"display\" — why):"
        )?;
        for line in all.lines(PRINTED_ITEMS) {
            writeln!(out, "  {}", sanitize(&line))?;
        }
    }
    if !written.files.is_empty() {
        writeln!(
            out,
            "\nNext: review the files, then `trialmatch --patients {} check`.",
            dir.display()
        )?;
    }
    Ok(())
}
