//! Who is making a change: the operating-system user running trialmatch.

/// The login name from `USER` or `LOGNAME`; failing both, the numeric user id.
pub fn os_user() -> String {
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Ok(v) = std::env::var(var) {
            let v = v.trim();
            if !v.is_empty() {
                return v.to_string();
            }
        }
    }
    uid().map_or_else(|| "unknown user".to_string(), |u| format!("uid {u}"))
}

#[cfg(unix)]
fn uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    // The process's own /proc entry belongs to the user it runs as.
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

#[cfg(not(unix))]
fn uid() -> Option<u32> {
    None
}
