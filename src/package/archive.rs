//! Deterministic zips: a code directory in, the zip's bytes and sha256 out. The same
//! files give the same bytes whatever their timestamps, owners or creation order. Which
//! files a zip holds is [`code_files`]' listing, shared with [`super::fingerprint`].

use super::fingerprint::{CodeFile, code_files, measure_files};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Lambda's limit on a zip (direct upload; fnplan applies it to every package).
pub const MAX_ZIPPED: u64 = 50 * 1024 * 1024;
/// Lambda's limit on the unzipped code (all layers included).
pub const MAX_UNZIPPED: u64 = crate::limits::LAMBDA_UNZIPPED_BYTES;
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
    CACHE_DIR,
];
/// fnplan's own working directory beside the spec (see
/// [`super::fingerprint::default_cache_path`]); never packaged, so a code directory that
/// is the spec's directory does not package or hash fnplan's cache.
pub const CACHE_DIR: &str = ".fnplan";
/// The deflate level of every entry (fixed, so the bytes never depend on a default).
const LEVEL: i64 = 6;

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

type Cache = Mutex<HashMap<PathBuf, (u64, Arc<Package>)>>;
static CACHE: OnceLock<Cache> = OnceLock::new();

/// Zip `dir` with Lambda's limits. Within one process a directory is zipped again only
/// when its files (names, sizes, modification times, modes) changed.
pub fn package_dir(dir: &Path) -> Result<Arc<Package>, PackageError> {
    package_dir_with(dir, Limits::default())
}

/// [`package_dir`] with explicit limits.
pub fn package_dir_with(dir: &Path, limits: Limits) -> Result<Arc<Package>, PackageError> {
    let entries = code_files(dir)?;
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        limits.hash(&mut h);
        for e in &entries {
            (&e.rel, e.len, e.exec, e.mtime_ns).hash(&mut h);
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

fn zip_entries(entries: &[CodeFile], limits: Limits) -> Result<Package, PackageError> {
    let measure = measure_files(entries, limits)?;
    let unzipped = measure.unzipped;
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
            largest: measure.largest,
        });
    }
    Ok(Package {
        sha256: hex(&Sha256::digest(&bytes)),
        files: entries.len(),
        unzipped,
        bytes,
    })
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}
