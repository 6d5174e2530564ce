//! SIGTERM and SIGHUP (an SSH connection dropping) end the UI the way `q` does: the event loop
//! notices within a tick, returns, and the terminal is restored on the way out.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

fn slot() -> &'static Arc<AtomicUsize> {
    static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    RECEIVED.get_or_init(|| Arc::new(AtomicUsize::new(0)))
}

/// Starts recording SIGTERM and SIGHUP instead of dying on them (safe to call more than once).
pub fn install() -> std::io::Result<()> {
    #[cfg(unix)]
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        // The handler only stores the signal's number: async-signal-safe.
        signal_hook::flag::register_usize(sig, Arc::clone(slot()), sig as usize)?;
    }
    Ok(())
}

/// The signal that asked the UI to stop, if any.
pub fn received() -> Option<i32> {
    match slot().load(Ordering::SeqCst) {
        0 => None,
        n => i32::try_from(n).ok(),
    }
}
