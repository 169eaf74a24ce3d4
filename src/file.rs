//! Writing a file the bot was told to write (`report --out`, `export --out`, a `--snapshot` save): *into* the
//! file the user named, never over it.
//!
//! - A symlink is followed to the real file, and the real file is replaced where it lives (a temporary file in
//!   its directory, then a rename), so the link stays a link and a reader sees the old file or the new one,
//!   never half of one.
//! - The replacement keeps the file's permissions, and its owner and group where the process may set them; a new
//!   file gets what any program creates, 0666 minus the umask.
//! - Anything that is not a regular file (a device, a FIFO, a directory, a socket) is refused before anything is
//!   written: a rename onto `/dev/null` would replace the device itself.
//!
//! The bot runs on Linux: modes, owners and file types come from `std::os::unix::fs`.

use std::fmt;
use std::fs::{FileType, Metadata, Permissions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Linux gives up after 40 links (ELOOP); so does this.
const MAX_LINKS: usize = 40;

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The path names something that is not a regular file (through its symlinks: `real`). The user's to fix.
    NotAFile {
        path: PathBuf,
        real: PathBuf,
        what: &'static str,
    },
    /// The file would go into a directory that does not exist, or into something that is not a directory.
    NoDirectory { path: PathBuf, dir: PathBuf },
    /// The path's symlinks go round in circles, or on for longer than the system would follow them.
    TooManyLinks { path: PathBuf },
    /// Reading the path or writing the file failed (permissions, a full disk, a lost mount): nothing was replaced.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl WriteError {
    /// The path itself is wrong (not a regular file, no such directory): nothing can be written there however
    /// often it is tried. The use cases make these usage errors (exit 2).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, WriteError::Io { .. })
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NotAFile { path, real, what } => {
                write!(f, "cannot write {}", path.display())?;
                if real != path {
                    write!(f, " (a symlink to {})", real.display())?;
                }
                write!(f, ": it is {what}, not a regular file; nothing was written")
            }
            WriteError::NoDirectory { path, dir } => write!(
                f,
                "cannot write {}: {} is not a directory that exists; nothing was written",
                path.display(),
                dir.display()
            ),
            WriteError::TooManyLinks { path } => write!(
                f,
                "cannot write {}: too many levels of symlinks; nothing was written",
                path.display()
            ),
            WriteError::Io { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
        }
    }
}

// No `source()`: the message already ends with the I/O error, and a chain would print it twice.
impl std::error::Error for WriteError {}

/// Where a write to `path` lands: the real file behind its symlinks, and what is there now.
struct Target {
    real: PathBuf,
    existing: Option<Metadata>,
}

impl Target {
    /// The directory that holds the real file (the temporary file goes there, so the rename stays on one file
    /// system).
    fn dir(&self) -> &Path {
        match self.real.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        }
    }
}

/// Checks that `path` can be written as a file (see the module docs) without writing anything: a command checks
/// its output before it does the work, so a wrong `--out` costs nothing.
pub fn check(path: &Path) -> Result<(), WriteError> {
    target(path).map(|_| ())
}

/// Writes `contents` into the file at `path` (see the module docs).
pub fn write(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let target = target(path)?;
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A new file: 0666, and the kernel takes the umask off, as for any program's new file. A replacement starts
    // owner-only and gets the old file's mode below: a file that others may not read must not be readable, not
    // even empty, by someone who could open it and wait for the contents.
    let mode = if target.existing.is_some() {
        0o600
    } else {
        0o666
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".portfolio-sync-")
        .suffix(".tmp")
        .permissions(Permissions::from_mode(mode))
        .tempfile_in(target.dir())
        .map_err(io)?;
    if let Some(existing) = &target.existing {
        keep_owner(tmp.as_file(), existing);
        // After the owner: a change of owner clears the set-user-id and set-group-id bits. Not subject to the umask.
        tmp.as_file()
            .set_permissions(Permissions::from_mode(existing.mode() & 0o7777))
            .map_err(io)?;
    }
    tmp.write_all(contents).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(&target.real).map_err(|e| io(e.error))?;
    // The rename is durable once the directory is: without this, a crash could bring back the old file. The new
    // one is in place either way, so a directory that cannot be synced costs nothing more than that.
    if let Err(e) = std::fs::File::open(target.dir()).and_then(|d| d.sync_all()) {
        tracing::debug!("could not sync {}: {e}", target.dir().display());
    }
    Ok(())
}

/// The file behind `path`, and a refusal when nothing should be written there.
fn target(path: &Path) -> Result<Target, WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut real = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match std::fs::symlink_metadata(&real) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A new file (or a dangling symlink's target, which writing creates): its directory must exist.
                let target = Target {
                    real,
                    existing: None,
                };
                let dir = target.dir();
                if !std::fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
                    return Err(WriteError::NoDirectory {
                        path: path.to_path_buf(),
                        dir: dir.to_path_buf(),
                    });
                }
                return Ok(target);
            }
            Err(e) => return Err(io(e)),
        };
        if meta.file_type().is_symlink() {
            // A relative link is relative to the directory that holds it; joining an absolute one replaces.
            let to = std::fs::read_link(&real).map_err(io)?;
            real = match real.parent() {
                Some(dir) => dir.join(to),
                None => to,
            };
            continue;
        }
        if !meta.is_file() {
            return Err(WriteError::NotAFile {
                path: path.to_path_buf(),
                real,
                what: what(meta.file_type()),
            });
        }
        return Ok(Target {
            real,
            existing: Some(meta),
        });
    }
    Err(WriteError::TooManyLinks {
        path: path.to_path_buf(),
    })
}

fn what(t: FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "something else"
    }
}

/// Gives the replacement the replaced file's owner and group. Root can; anyone else can only keep their own
/// owner and pick one of their groups, and then the file ends up theirs, as with any editor that saves by
/// renaming: worth a log line, not a failed write.
fn keep_owner(file: &std::fs::File, existing: &Metadata) {
    let Ok(now) = file.metadata() else { return };
    if now.uid() == existing.uid() && now.gid() == existing.gid() {
        return;
    }
    if let Err(e) = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid())) {
        tracing::debug!(
            "cannot keep owner {}:{} of the file being replaced: {e}",
            existing.uid(),
            existing.gid()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_chain_of_relative_symlinks_is_followed_to_the_real_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        let real = dir.path().join("a/b/real.txt");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, Permissions::from_mode(0o604)).unwrap();
        std::os::unix::fs::symlink("b/real.txt", dir.path().join("a/one")).unwrap();
        std::os::unix::fs::symlink("a/one", dir.path().join("two")).unwrap();

        write(&dir.path().join("two"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert!(std::fs::symlink_metadata(dir.path().join("two"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(mode(&real), 0o604);
    }

    #[test]
    fn a_dangling_symlink_creates_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("new.txt", &link).unwrap();
        write(&link, b"hello").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("new.txt")).unwrap(),
            "hello"
        );
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_symlink_loop_and_a_missing_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        let e = write(&a, b"x").unwrap_err();
        assert!(
            matches!(e, WriteError::TooManyLinks { .. }) && e.is_refusal(),
            "{e}"
        );

        let nowhere = dir.path().join("missing/file.txt");
        let e = write(&nowhere, b"x").unwrap_err();
        assert!(
            matches!(e, WriteError::NoDirectory { .. }) && e.is_refusal(),
            "{e}"
        );
        assert!(e.to_string().contains("missing"), "{e}");
    }

    #[test]
    fn a_symlink_to_a_directory_is_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out.md");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        let e = write(&link, b"x").unwrap_err();
        let text = e.to_string();
        assert!(e.is_refusal(), "{text}");
        assert!(
            text.contains(&link.display().to_string())
                && text.contains("a symlink to")
                && text.contains("it is a directory, not a regular file"),
            "{text}"
        );
    }
}
