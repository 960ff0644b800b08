//! The shared secret replica-set members authenticate each other with (`--keyFile`): random,
//! readable by its owner only, as mongod requires, and kept when it already exists.

use std::{
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::Path,
};

use base64::Engine;
use rand::RngCore;

/// Random bytes in a key (MongoDB accepts 6 to 1024 base64 characters).
const KEY_BYTES: usize = 756;

/// Writes a new key to `path` unless one is there; sets `owner` (uid, gid) when given.
/// Returns whether a key was written.
pub fn ensure(path: &Path, owner: Option<(u32, u32)>) -> std::io::Result<bool> {
    let written = if path.exists() {
        false
    } else {
        let mut bytes = vec![0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let key = base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o400)
            .open(path)?;
        file.write_all(key.as_bytes())?;
        true
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400))?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_written_once_and_readable_by_its_owner_only() {
        let dir = std::env::temp_dir().join(format!("storefront-keyfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        let _ = std::fs::remove_file(&path);
        assert!(ensure(&path, None).unwrap());
        let key = std::fs::read_to_string(&path).unwrap();
        assert!((6..=1024).contains(&key.len()), "{} characters", key.len());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o400);
        assert!(!ensure(&path, None).unwrap(), "an existing key is kept");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), key);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
