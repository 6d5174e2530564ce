//! The `trialmatch` command: parses arguments (clap) and runs the chosen command (see
//! `cli`); without one, the terminal UI.

mod cli;

use clap::Parser;
use cli::args::{Cli, Command};
use cli::{exit_status, reports};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// Loading a queue is tens of thousands of small allocations per second on every core (the
/// TOML parser's tables and strings, then the profiles); jemalloc serves them faster than the
/// system allocator.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
    let inputs = &cli.inputs;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match cli.command {
        // The UI loads on a background thread behind its loading screen.
        None => trialmatch::tui::run_loading(
            inputs.trial_source(),
            inputs.patient_source(),
            inputs.as_of(),
            inputs.cache_file(),
            {
                // Opened once the terminal is known to work, beside the loading.
                let inputs = inputs.clone();
                move || inputs.worklist()
            },
        )
        // Stopped by SIGTERM/SIGHUP: the terminal is restored; exit as the shell expects.
        .map(|_| match trialmatch::tui::signals::received() {
            Some(sig) => ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)),
            None => ExitCode::SUCCESS,
        }),
        Some(Command::Report { format, width }) => reports::report(inputs, format, width, &mut out),
        Some(Command::Check) => Ok(reports::check(inputs, &mut out)),
        Some(Command::Generate {
            count,
            seed,
            out: dir,
        }) => reports::generate(inputs, count, seed, &dir, &mut out).map(|()| ExitCode::SUCCESS),
        Some(Command::Status { command }) => {
            let done = cli::worklist::status_command(inputs, command, &mut out);
            Ok(exit_status(done, &mut out))
        }
        Some(Command::Entry { command }) => {
            let done = cli::entries::entry_command(inputs, command, &mut out);
            Ok(exit_status(done, &mut out))
        }
        Some(Command::Patient { command }) => {
            let done = cli::entries::patient_command(inputs, command, &mut out);
            Ok(exit_status(done, &mut out))
        }
        Some(Command::Export {
            patient,
            trial,
            out: to,
        }) => {
            let done = reports::export(inputs, &patient, &trial, to.as_deref(), &mut out);
            Ok(exit_status(done, &mut out))
        }
        Some(Command::Log {
            trial,
            from,
            to,
            format,
            deidentify,
        }) => {
            let period = trialmatch::screening::Period { from, to };
            let how = cli::log::How {
                trial: trial.as_deref(),
                period,
                format,
                deidentify,
            };
            cli::log::log(inputs, &how, &mut out)
        }
        Some(Command::Config { init }) => reports::config(init, &mut out),
        Some(Command::Import(args)) => cli::import::run(inputs, &args, &mut out).map(|clean| {
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }),
        Some(Command::CriteriaDoc) => {
            reports::criteria_doc(inputs, &mut out).map(|()| ExitCode::SUCCESS)
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
