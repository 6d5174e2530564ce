//! Who is making a change: the operating-system user running trialmatch.

/// The account name of the user running trialmatch: looked up by user id in `/etc/passwd`,
/// else `USER` or `LOGNAME` (accounts from a directory service), else the numeric id.
pub fn os_user() -> String {
    let uid = uid();
    if let Some(name) = uid.and_then(passwd_name) {
        return name;
    }
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Ok(v) = std::env::var(var) {
            let v = v.trim();
            if !v.is_empty() {
                return v.to_string();
            }
        }
    }
    uid.map_or_else(|| "unknown user".to_string(), |u| format!("uid {u}"))
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

fn passwd_name(uid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    name_for(&text, uid)
}

/// The name on the `name:password:uid:...` line with this uid.
fn name_for(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?.trim();
        let id: u32 = f.nth(1)?.trim().parse().ok()?;
        (id == uid && !name.is_empty() && !name.starts_with('#')).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_are_matched_by_uid() {
        let passwd = "# comment\nroot:x:0:0:root:/root:/bin/bash\nbroken\n\
                      ana:x:1001:1001:Ana:/home/ana:/bin/sh\n";
        assert_eq!(name_for(passwd, 0).as_deref(), Some("root"));
        assert_eq!(name_for(passwd, 1001).as_deref(), Some("ana"));
        assert_eq!(name_for(passwd, 7), None);
    }

    #[test]
    fn the_current_user_has_a_name() {
        assert!(!os_user().trim().is_empty());
    }
}
