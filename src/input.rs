//! The one way aksguard reads a file: scanned files, module targets, parameter and variable
//! files, the configuration, the Terraform module manifest, the Bicep cache and
//! `bicepconfig.json` all come through `read_text` (the scanned files through
//! `read_shared_text`, the same read in the form the scan keeps).
//!
//! Every one of those paths can be chosen by whoever wrote the scanned files (a module
//! source, a committed symlink, a `modules.json` entry), so a read is bounded before it
//! starts: only a regular file is read (a FIFO would block forever, `/dev/zero` never ends),
//! the file is opened without blocking and checked with `fstat` on the open descriptor (no
//! race with a rename), its size is checked before a byte is read, and no more than that
//! size is read (a `/proc` file reports size 0 and then produces text: that is an error,
//! not an empty file). The text is then a UTF-8 string without its byte order mark and
//! without NUL bytes.

use std::cell::RefCell;
use std::fmt;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;

/// Infrastructure files are small; a bigger one is generated or hostile.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// Plans are read whole like every input, but they are generated and big (every attribute
/// of every resource, twice): a plan file may be up to 256 MiB, where other files stop at
/// [`MAX_FILE_BYTES`]. Only a file whose first bytes are a plan's gets it.
pub const MAX_PLAN_BYTES: usize = 256 << 20;

/// Does this text start like `terraform show -json` output (`{"format_version": ...,
/// "terraform_version": ...`)? Decided from the first bytes only: plans are big.
pub fn looks_like_plan(text: &str) -> bool {
    let head = text.get(..text.len().min(4096)).unwrap_or_else(|| {
        let mut end = 4096.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    });
    let Some(rest) = head.trim_start().strip_prefix('{') else {
        return false;
    };
    rest.trim_start().starts_with("\"format_version\"") && head.contains("\"terraform_version\"")
}

const BOM: &str = "\u{FEFF}";

/// Why a file could not be read. The message names no content of the file.
#[derive(Debug)]
pub enum ReadError {
    /// The path could not be opened or read (missing, permission denied, too long...).
    Io(std::io::Error),
    /// A FIFO, device, socket or directory.
    NotRegular(&'static str),
    TooLarge(u64),
    /// A Terraform plan larger than [`MAX_PLAN_BYTES`].
    PlanTooLarge(u64),
    /// More bytes than the file system reported (a `/proc` or `/sys` file, or a file that
    /// grew while it was read).
    SizeMismatch,
    Binary,
    /// Not UTF-8: the text with U+FFFD for the bad bytes, and the offset of the first one,
    /// so the error can point at it in the file's own text.
    NotUtf8 {
        lossy: String,
        at: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(kind) => {
                write!(
                    f,
                    "it is {kind}, not a regular file: aksguard reads only files"
                )
            }
            ReadError::TooLarge(size) => write!(
                f,
                "the file is {size} bytes, more than the {} MiB aksguard reads",
                MAX_FILE_BYTES >> 20
            ),
            ReadError::PlanTooLarge(size) => write!(
                f,
                "this Terraform plan is {size} bytes, more than the {} MiB aksguard reads of a plan",
                MAX_PLAN_BYTES >> 20
            ),
            ReadError::SizeMismatch => write!(
                f,
                "it holds more than the size the file system reports (a /proc or /sys file?): \
                 aksguard reads only regular files"
            ),
            ReadError::Binary => write!(f, "the file is binary (it contains NUL bytes)"),
            ReadError::NotUtf8 { .. } => {
                write!(f, "the file is not valid UTF-8: save it as UTF-8")
            }
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// What a file that is not a regular file is, for the message.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// The bytes of a regular file of at most `MAX_FILE_BYTES` (symlinks followed).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_bytes_up_to(path, MAX_FILE_BYTES, ReadError::TooLarge)
}

/// The text of a JSON file too large for [`read_text`] when its first bytes are a
/// Terraform plan's (`terraform show -json`): plans may be up to
/// [`MAX_PLAN_BYTES`]. Any other file is read with the usual limit.
pub fn read_plan_text(path: &Path) -> Result<String, ReadError> {
    let mut head = Vec::with_capacity(4096);
    let (file, _) = open_regular(path)?;
    file.take(4096).read_to_end(&mut head)?;
    if !looks_like_plan(&String::from_utf8_lossy(&head)) {
        return read_text(path);
    }
    text(read_bytes_up_to(
        path,
        MAX_PLAN_BYTES,
        ReadError::PlanTooLarge,
    )?)
}

/// The file at `path` opened for reading, if it is a regular file.
fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        // Opening a FIFO for reading blocks until a writer comes; with O_NONBLOCK it returns
        // at once and fstat says what it is.
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.file_type().is_file() {
        return Err(ReadError::NotRegular(kind_of(metadata.file_type())));
    }
    Ok((file, metadata))
}

fn read_bytes_up_to(
    path: &Path,
    limit: usize,
    too_large: fn(u64) -> ReadError,
) -> Result<Vec<u8>, ReadError> {
    let (file, size) = open_sized(path, limit, too_large)?;
    let mut bytes = vec![0u8; size + 1];
    let filled = fill(&file, &mut bytes, size)?;
    bytes.truncate(filled);
    Ok(bytes)
}

/// The regular file at `path` opened, and its size, refused above `limit`.
fn open_sized(
    path: &Path,
    limit: usize,
    too_large: fn(u64) -> ReadError,
) -> Result<(std::fs::File, usize), ReadError> {
    let (file, metadata) = open_regular(path)?;
    let size = metadata.len();
    if size > limit as u64 {
        return Err(too_large(size));
    }
    Ok((file, size as usize))
}

/// Reads the file of reported size `size` into `buffer` (`size + 1` bytes: room for one
/// byte more than reported, so a file that does not end where it says shows itself by
/// filling it). Returns how many bytes were read.
fn fill(file: &std::fs::File, buffer: &mut [u8], size: usize) -> Result<usize, ReadError> {
    let mut filled = 0;
    // Reading stops once the reported size has arrived: asking again only to be told the
    // file ends would be one more system call per file, and a large scan reads tens of
    // thousands of files.
    while filled < size + 1 {
        match (&*file).read(&mut buffer[filled..=size]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled == size {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    if filled > size {
        return Err(ReadError::SizeMismatch);
    }
    Ok(filled)
}

/// Files up to this size are read into a buffer the thread keeps for its next file.
const KEPT_BUFFER_BYTES: usize = 1 << 20;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A scanned file's text, as [`read_text`] reads it, in the shared form the scan keeps.
/// The bytes arrive in a buffer the thread reuses and are copied once, checked, into the
/// text's own allocation: a buffer per file would be zeroed, filled, copied and freed,
/// tens of thousands of times on a large scan.
pub fn read_shared_text(path: &Path) -> Result<Arc<str>, ReadError> {
    let (file, size) = open_sized(path, MAX_FILE_BYTES, ReadError::TooLarge)?;
    if size >= KEPT_BUFFER_BYTES {
        let mut bytes = vec![0u8; size + 1];
        let filled = fill(&file, &mut bytes, size)?;
        return checked(&bytes[..filled]).map(Arc::from);
    }
    BUFFER.with_borrow_mut(|buffer| {
        if buffer.len() < size + 1 {
            buffer.resize(size + 1, 0);
        }
        let filled = fill(&file, buffer, size)?;
        checked(&buffer[..filled]).map(Arc::from)
    })
}

/// Standard input, up to `MAX_FILE_BYTES`.
pub fn read_stdin_bytes() -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// A regular file's text: UTF-8, no NUL byte, byte order mark removed.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    text(read_bytes(path)?)
}

/// Standard input's text, checked like a file's.
pub fn read_stdin() -> Result<String, ReadError> {
    text(read_stdin_bytes()?)
}

/// Bytes read from anywhere as text: UTF-8, no NUL byte, byte order mark removed (editors on
/// Windows write one; every tool aksguard stands in for ignores it).
pub fn text(mut bytes: Vec<u8>) -> Result<String, ReadError> {
    let bom = bytes.len() - checked(&bytes)?.len();
    bytes.drain(..bom);
    // Checked above, so this keeps the bytes without copying them (a plan may be 256 MiB).
    String::from_utf8(bytes).or_else(|e| checked(e.as_bytes()).map(str::to_string))
}

/// The bytes as text, as [`text`] takes them.
fn checked(bytes: &[u8]) -> Result<&str, ReadError> {
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix(BOM).unwrap_or(text)),
        // Everything before the first bad byte is the same in the lossy text, so the error
        // can point at that byte.
        Err(e) => Err(ReadError::NotUtf8 {
            lossy: String::from_utf8_lossy(bytes).into_owned(),
            at: e.valid_up_to(),
        }),
    }
}

/// The text without a leading byte order mark.
pub fn strip_bom(text: String) -> String {
    match text.strip_prefix(BOM) {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aksguard-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A FIFO nobody writes to, `fifo.json` in `dir`: reading it would block forever.
    fn fifo(dir: &Path) -> std::path::PathBuf {
        let fifo = dir.join("fifo.json");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        fifo
    }

    #[test]
    fn a_regular_file_is_read_without_its_byte_order_mark() {
        let dir = scratch("bom");
        let path = dir.join("a.tf");
        std::fs::write(&path, "\u{FEFF}locals {}\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "locals {}\n");
        std::fs::write(&path, "locals {}\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "locals {}\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn devices_fifos_directories_and_proc_files_are_refused() {
        let dir = scratch("special");
        let fifo = fifo(&dir);
        assert!(matches!(
            read_text(&fifo),
            Err(ReadError::NotRegular("a FIFO"))
        ));
        let zero = dir.join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(
            read_text(&zero),
            Err(ReadError::NotRegular("a device"))
        ));
        assert!(matches!(
            read_text(&dir),
            Err(ReadError::NotRegular("a directory"))
        ));
        assert!(matches!(
            read_text(Path::new("/proc/self/environ")),
            Err(ReadError::SizeMismatch)
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn size_is_checked_before_reading() {
        let dir = scratch("large");
        let path = dir.join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        // Sparse: the size is all that is checked, nothing is read.
        file.set_len(MAX_FILE_BYTES as u64 + 1).unwrap();
        assert!(
            matches!(read_text(&path), Err(ReadError::TooLarge(n)) if n == MAX_FILE_BYTES as u64 + 1)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Every way a read ends, the same from `read_text` and from `read_shared_text` (whose
    /// buffer is reused from one file to the next: what a longer file left in it is never
    /// part of a shorter one).
    #[test]
    fn shared_text_is_read_and_refused_as_read_text() {
        let dir = scratch("shared");
        let long = dir.join("long.tf");
        std::fs::write(&long, "x".repeat(5000)).unwrap();
        let large = dir.join("large.tf");
        std::fs::write(&large, "y".repeat(KEPT_BUFFER_BYTES + 10)).unwrap();
        let cases: [(&str, &[u8]); 6] = [
            ("bom.tf", b"\xEF\xBB\xBFlocals {}\n"),
            ("short.tf", b"locals {}\n"),
            ("empty.tf", b""),
            ("binary.tf", b"a\0b"),
            ("latin1.tf", b"ab\xffc"),
            ("bom-only.tf", b"\xEF\xBB\xBF"),
        ];
        let same = |path: &Path| {
            let shared = read_shared_text(path).map(|t| t.to_string());
            let text = read_text(path);
            assert_eq!(
                format!("{shared:?}"),
                format!("{text:?}"),
                "{}",
                path.display()
            );
        };
        for (name, bytes) in cases {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            same(&long);
            same(&path);
        }
        same(&large);
        same(&long);
        assert_eq!(
            read_shared_text(&dir.join("short.tf")).unwrap().as_ref(),
            "locals {}\n"
        );
        let fifo = fifo(&dir);
        for special in [
            fifo.as_path(),
            dir.as_path(),
            Path::new("/proc/self/environ"),
        ] {
            same(special);
        }
        let sparse = dir.join("sparse.json");
        let file = std::fs::File::create(&sparse).unwrap();
        file.set_len(MAX_FILE_BYTES as u64 + 1).unwrap();
        assert!(matches!(
            read_shared_text(&sparse),
            Err(ReadError::TooLarge(n)) if n == MAX_FILE_BYTES as u64 + 1
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn binary_and_invalid_utf8_are_errors_at_the_first_bad_byte() {
        assert!(matches!(text(b"a\0b".to_vec()), Err(ReadError::Binary)));
        match text(b"ab\xffc".to_vec()) {
            Err(ReadError::NotUtf8 { lossy, at }) => {
                assert_eq!(at, 2);
                assert_eq!(lossy, "ab\u{FFFD}c");
            }
            other => panic!("{other:?}"),
        }
    }
}
