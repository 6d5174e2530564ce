//! The signals the UI acts on, and how they reach its event loop. SIGHUP (an SSH connection
//! dropping, a closed tmux pane), SIGTERM, SIGINT and SIGQUIT end the UI the way `q` does;
//! SIGTSTP suspends it and SIGCONT resumes it. The handlers only record or wake
//! (async-signal-safe); a thread of their own turns each signal into a message on the channel
//! the event loop waits on, so the loop acts at once, whatever it was waiting for.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(unix)]
use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};

/// The signals that end the UI: it restores the terminal, closes the worklist and exits with
/// 128 + the signal, as a shell expects of a program a signal ended.
#[cfg(unix)]
const ENDING: [i32; 4] = [SIGHUP, SIGTERM, SIGINT, SIGQUIT];

/// What a signal asks of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Stop (SIGHUP, SIGTERM, SIGINT, SIGQUIT; already recorded for [`received`]).
    End,
    /// Give the terminal back and stop the process until continued (SIGTSTP).
    Suspend,
    /// The process was continued (SIGCONT): set the terminal up again and redraw.
    Resume,
}

fn slot() -> &'static Arc<AtomicUsize> {
    static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    RECEIVED.get_or_init(|| Arc::new(AtomicUsize::new(0)))
}

/// Starts recording SIGHUP, SIGTERM, SIGINT and SIGQUIT instead of dying on them (safe to
/// call more than once). Recording happens in the handler itself, so [`received`] is right
/// even if nothing else runs.
pub fn install() -> std::io::Result<()> {
    #[cfg(unix)]
    for sig in ENDING {
        // The handler only stores the signal's number: async-signal-safe.
        signal_hook::flag::register_usize(sig, Arc::clone(slot()), sig as usize)?;
    }
    Ok(())
}

/// Records a hang-up as what ended the UI, unless a signal already has: the UI calls it when
/// it finds its terminal gone (end of file, an I/O error) without having been sent SIGHUP.
pub fn hung_up() {
    #[cfg(unix)]
    if let Ok(n) = usize::try_from(SIGHUP) {
        let _ = slot().compare_exchange(0, n, Ordering::SeqCst, Ordering::SeqCst);
    }
}

/// The signal that asked the UI to stop, if any.
pub fn received() -> Option<i32> {
    match slot().load(Ordering::SeqCst) {
        0 => None,
        n => i32::try_from(n).ok(),
    }
}

/// Stops the process until it is continued (SIGCONT, as `fg` sends), then returns.
pub fn stop_self() -> std::io::Result<()> {
    #[cfg(unix)]
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    Ok(())
}

/// Delivers the signals the UI acts on to a callback on a thread of its own, until dropped.
pub struct Listener {
    #[cfg(unix)]
    handle: signal_hook::iterator::Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Starts delivering signals to `deliver`, which returns false to stop listening (its
/// receiver has gone). While listening, SIGTSTP no longer stops the process by itself: the UI
/// stops itself ([`stop_self`]) once it has given the terminal back.
pub fn listen(
    mut deliver: impl FnMut(Signal) -> bool + Send + 'static,
) -> std::io::Result<Listener> {
    #[cfg(unix)]
    {
        let mut signals =
            signal_hook::iterator::Signals::new(ENDING.iter().copied().chain([SIGTSTP, SIGCONT]))?;
        let handle = signals.handle();
        let thread = std::thread::Builder::new()
            .name("trialmatch-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    let signal = match sig {
                        SIGTSTP => Signal::Suspend,
                        SIGCONT => Signal::Resume,
                        _ => Signal::End,
                    };
                    if !deliver(signal) {
                        break;
                    }
                }
            })?;
        Ok(Listener {
            handle,
            thread: Some(thread),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = &mut deliver;
        Ok(Listener { thread: None })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        #[cfg(unix)]
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
