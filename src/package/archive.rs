//! Deterministic zips: a code directory in, the zip's bytes and sha256 out. The same
//! files give the same bytes whatever their timestamps, owners or creation order.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::UNIX_EPOCH;

/// Lambda's limit on a zip (direct upload; fnplan applies it to every package).
pub const MAX_ZIPPED: u64 = 50 * 1024 * 1024;
/// Lambda's limit on the unzipped code (all layers included).
pub const MAX_UNZIPPED: u64 = 250 * 1024 * 1024;
/// The per-directory exclude file (gitignore syntax), itself never packaged.
pub const IGNORE_FILE: &str = ".fnplanignore";
/// Patterns (gitignore syntax) never packaged unless `.fnplanignore` re-includes them
/// with `!pattern`.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    "*.pyc",
    ".DS_Store",
    ".pytest_cache",
    ".mypy_cache",
    ".venv",
    "Thumbs.db",
    IGNORE_FILE,
];
/// The deflate level of every entry (fixed, so the bytes never depend on a default).
const LEVEL: i64 = 6;
/// How many of the largest files a size error lists.
const LIST_LARGEST: usize = 5;

/// One function's code, zipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Package {
    /// sha256 of `bytes`, lowercase hex: the object name in the artifact bucket.
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// Number of files in the zip.
    pub files: usize,
    /// Sum of the files' sizes.
    pub unzipped: u64,
}

/// Size limits (Lambda's unless a test says otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    pub zipped: u64,
    pub unzipped: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            zipped: MAX_ZIPPED,
            unzipped: MAX_UNZIPPED,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{file} is not valid: {message}")]
    Ignore { file: String, message: String },
    #[error("the code is {} {what}; Lambda allows {}", mb(*size), mb(*limit))]
    TooLarge {
        /// `zipped` or `unzipped`.
        what: &'static str,
        size: u64,
        limit: u64,
        /// The largest files (relative path, bytes), largest first.
        largest: Vec<(String, u64)>,
    },
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// Megabytes (MiB) with one decimal, for messages.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// A file to package.
#[derive(Debug)]
struct Entry {
    /// Relative path with `/` separators (the zip entry name).
    rel: String,
    path: PathBuf,
    len: u64,
    exec: bool,
    /// Modification time in nanoseconds since the epoch (for the cache only).
    mtime: u128,
}

type Cache = Mutex<HashMap<PathBuf, (u64, Arc<Package>)>>;
static CACHE: OnceLock<Cache> = OnceLock::new();

/// Zip `dir` with Lambda's limits. Within one process a directory is zipped again only
/// when its files (names, sizes, modification times, modes) changed.
pub fn package_dir(dir: &Path) -> Result<Arc<Package>, PackageError> {
    package_dir_with(dir, Limits::default())
}

/// [`package_dir`] with explicit limits.
pub fn package_dir_with(dir: &Path, limits: Limits) -> Result<Arc<Package>, PackageError> {
    let meta = std::fs::metadata(dir)?;
    if !meta.is_dir() {
        return Err(
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory").into(),
        );
    }
    let entries = list(dir)?;
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        limits.hash(&mut h);
        for e in &entries {
            (&e.rel, e.len, e.exec, e.mtime).hash(&mut h);
        }
        h.finish()
    };
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let cache = CACHE.get_or_init(Cache::default);
    if let Some((fp, p)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
        && *fp == fingerprint
    {
        return Ok(Arc::clone(p));
    }
    let p = Arc::new(zip_entries(&entries, limits)?);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (fingerprint, Arc::clone(&p)));
    Ok(p)
}

fn largest(entries: &[Entry]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = entries.iter().map(|e| (e.rel.clone(), e.len)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(LIST_LARGEST);
    v
}

fn zip_entries(entries: &[Entry], limits: Limits) -> Result<Package, PackageError> {
    let unzipped: u64 = entries.iter().map(|e| e.len).sum();
    if unzipped > limits.unzipped {
        return Err(PackageError::TooLarge {
            what: "unzipped",
            size: unzipped,
            limit: limits.unzipped,
            largest: largest(entries),
        });
    }
    let capacity = usize::try_from(unzipped / 2).unwrap_or(0).min(1 << 26);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    for e in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(LEVEL))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(if e.exec { 0o755 } else { 0o644 });
        w.start_file(e.rel.as_str(), opts)?;
        let mut f = std::fs::File::open(&e.path)?;
        std::io::copy(&mut f, &mut w)?;
        w.flush()?;
    }
    let bytes = w.finish()?.into_inner();
    if bytes.len() as u64 > limits.zipped {
        return Err(PackageError::TooLarge {
            what: "zipped",
            size: bytes.len() as u64,
            limit: limits.zipped,
            largest: largest(entries),
        });
    }
    Ok(Package {
        sha256: hex(&Sha256::digest(&bytes)),
        files: entries.len(),
        unzipped,
        bytes,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The files of `dir` that are packaged, sorted by entry name.
fn list(dir: &Path) -> Result<Vec<Entry>, PackageError> {
    let matcher = ignore_matcher(dir)?;
    let mut out = Vec::new();
    walk(dir, "", &matcher, &mut out, 0)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn ignore_matcher(dir: &Path) -> Result<ignore::gitignore::Gitignore, PackageError> {
    let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
    for p in DEFAULT_EXCLUDES {
        b.add_line(None, p)
            .expect("default excludes are valid globs");
    }
    let file = dir.join(IGNORE_FILE);
    if file.is_file() {
        // Read it ourselves: the builder reports an unreadable file as a partial error.
        let text = std::fs::read_to_string(&file)?;
        for line in text.lines() {
            if let Err(e) = b.add_line(Some(file.clone()), line) {
                return Err(PackageError::Ignore {
                    file: IGNORE_FILE.into(),
                    message: e.to_string(),
                });
            }
        }
    }
    b.build().map_err(|e| PackageError::Ignore {
        file: IGNORE_FILE.into(),
        message: e.to_string(),
    })
}

#[cfg(unix)]
fn is_exec(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}
#[cfg(not(unix))]
fn is_exec(_: &std::fs::Metadata) -> bool {
    false
}

/// Collect files under `cur`; ignored directories are not entered. Symbolic links to
/// files are packaged as the file they point to; links to directories are skipped.
fn walk(
    cur: &Path,
    prefix: &str,
    matcher: &ignore::gitignore::Gitignore,
    out: &mut Vec<Entry>,
    depth: usize,
) -> Result<(), PackageError> {
    if depth > 32 {
        return Ok(());
    }
    for entry in std::fs::read_dir(cur)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let rel = format!("{prefix}{name}");
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            if !matcher.matched(&path, true).is_ignore() {
                walk(&path, &format!("{rel}/"), matcher, out, depth + 1)?;
            }
            continue;
        }
        let meta = if ft.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                _ => continue,
            }
        } else if ft.is_file() {
            entry.metadata()?
        } else {
            continue;
        };
        if matcher.matched(&path, false).is_ignore() {
            continue;
        }
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        out.push(Entry {
            rel,
            len: meta.len(),
            exec: is_exec(&meta),
            mtime,
            path,
        });
    }
    Ok(())
}
