//! A code directory in, without zipping it: the files packaging takes ([`code_files`])
//! and their sizes against Lambda's unzipped limit ([`measure`]), both from metadata
//! alone, and a content hash of the tree ([`fingerprint`]) whose per-file hashes a
//! [`FingerprintCache`] keeps on disk, so that an unchanged file is read only once.

use super::archive::{CACHE_DIR, DEFAULT_EXCLUDES, IGNORE_FILE, Limits, PackageError, hex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many of the largest files a size error lists.
const LIST_LARGEST: usize = 5;
/// Directories deeper than this are not entered (bounds the recursion).
const MAX_DEPTH: usize = 32;
/// The cache file's format; a file of another version is read as an empty cache.
const CACHE_VERSION: u32 = 1;
/// A file modified this recently (nanoseconds) is hashed but not cached: a second write
/// within the file system's timestamp granularity could leave its size and mtime as they
/// were (git's "racily clean" files).
const RACY_NS: i64 = 2_000_000_000;
/// Files to hash totalling fewer bytes are hashed on the calling thread.
const PARALLEL_MIN_BYTES: u64 = 8 << 20;
/// At most this many hashing threads.
const MAX_THREADS: usize = 4;
/// The read buffer of one hashing thread.
const BUF_LEN: usize = 64 * 1024;
/// Prefix of the tree hash; a new format gets a new prefix.
const TREE_PREFIX: &[u8] = b"fnplan-fingerprint-v1\0";

/// One file packaging takes from a code directory (metadata only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeFile {
    /// Relative path with `/` separators: the zip entry name.
    pub rel: String,
    /// The file on disk (a symbolic link is followed when read).
    pub path: PathBuf,
    /// Size in bytes.
    pub len: u64,
    /// Whether any executable bit is set (kept in the zip as mode 0755).
    pub exec: bool,
    /// Modification time in nanoseconds since the epoch, when the platform has one.
    pub mtime_ns: Option<i64>,
}

/// The files of `dir` that packaging takes, sorted by `rel`: all but [`DEFAULT_EXCLUDES`]
/// and the patterns of `dir/.fnplanignore` (gitignore syntax). Reads directory entries,
/// metadata and `.fnplanignore`, never a code file. Ignored directories are not entered;
/// a symbolic link to a file counts as that file, a link to a directory is skipped.
pub fn code_files(dir: &Path) -> Result<Vec<CodeFile>, PackageError> {
    if !std::fs::metadata(dir)?.is_dir() {
        return Err(std::io::Error::new(ErrorKind::NotADirectory, "not a directory").into());
    }
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

/// Nanoseconds since the epoch (negative before it), saturating.
fn nanos(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

/// Collect the files under `cur` that `matcher` does not exclude.
fn walk(
    cur: &Path,
    prefix: &str,
    matcher: &ignore::gitignore::Gitignore,
    out: &mut Vec<CodeFile>,
    depth: usize,
) -> Result<(), PackageError> {
    if depth > MAX_DEPTH {
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
        out.push(CodeFile {
            rel,
            len: meta.len(),
            exec: is_exec(&meta),
            mtime_ns: meta.modified().ok().map(nanos),
            path,
        });
    }
    Ok(())
}

/// What a code directory holds, from metadata alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Measure {
    /// Number of files packaged.
    pub files: usize,
    /// Sum of their sizes: what Lambda counts as the unzipped size.
    pub unzipped: u64,
    /// The largest files (relative path, bytes), largest first, at most five.
    pub largest: Vec<(String, u64)>,
}

/// Count and size the files of `dir` that packaging takes, against Lambda's 250 MB
/// unzipped limit ([`PackageError::TooLarge`] when over). Opens no code file.
pub fn measure(dir: &Path) -> Result<Measure, PackageError> {
    measure_with(dir, Limits::default())
}

/// [`measure`] with explicit limits (only `unzipped` applies: the zipped size needs a zip).
pub fn measure_with(dir: &Path, limits: Limits) -> Result<Measure, PackageError> {
    measure_files(&code_files(dir)?, limits)
}

/// [`measure`] of a listing already made.
pub fn measure_files(files: &[CodeFile], limits: Limits) -> Result<Measure, PackageError> {
    let unzipped = files.iter().fold(0u64, |n, f| n.saturating_add(f.len));
    let largest = largest(files);
    if unzipped > limits.unzipped {
        return Err(PackageError::TooLarge {
            what: "unzipped",
            size: unzipped,
            limit: limits.unzipped,
            largest,
        });
    }
    Ok(Measure {
        files: files.len(),
        unzipped,
        largest,
    })
}

/// The largest files, largest first; equal sizes by name.
fn largest(files: &[CodeFile]) -> Vec<(String, u64)> {
    let mut v: Vec<&CodeFile> = files.iter().collect();
    v.sort_by(|a, b| b.len.cmp(&a.len).then_with(|| a.rel.cmp(&b.rel)));
    v.iter()
        .take(LIST_LARGEST)
        .map(|f| (f.rel.clone(), f.len))
        .collect()
}

/// A code tree's content hash and sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// sha256 in lowercase hex (64 characters) over each packaged file's relative path,
    /// executable bit and content sha256, in path order. Timestamps, owners, other mode
    /// bits and excluded files do not change it.
    pub sha256: String,
    pub measure: Measure,
}

/// Opens a code file for hashing: the file system, or in tests a counting stand-in.
type Open<'a> = dyn Fn(&Path) -> std::io::Result<File> + Sync + 'a;

/// The fingerprint of the files of `dir` that packaging takes, with Lambda's unzipped
/// limit checked first (from metadata, so an oversized tree is not read). A file whose
/// size and modification time match `cache` is not read; the others are read (in
/// parallel when there is much to read) and their hashes recorded in `cache`.
pub fn fingerprint(dir: &Path, cache: &mut FingerprintCache) -> Result<Fingerprint, PackageError> {
    fingerprint_with(dir, cache, Limits::default())
}

/// [`fingerprint`] with explicit limits.
pub fn fingerprint_with(
    dir: &Path,
    cache: &mut FingerprintCache,
    limits: Limits,
) -> Result<Fingerprint, PackageError> {
    fingerprint_in(dir, cache, limits, &|p: &Path| File::open(p))
}

fn fingerprint_in(
    dir: &Path,
    cache: &mut FingerprintCache,
    limits: Limits,
    open: &Open<'_>,
) -> Result<Fingerprint, PackageError> {
    let files = code_files(dir)?;
    let measure = measure_files(&files, limits)?;
    let key = dir_key(dir);
    let known = key.as_ref().and_then(|k| cache.dirs.get(k));
    let digests = content_digests(&files, known, open)?;
    cache.hashed += digests.iter().filter(|d| d.read.is_some()).count();
    if let Some(key) = key {
        cache.record(key, &files, &digests);
    }
    Ok(Fingerprint {
        sha256: tree_digest(&files, &digests),
        measure,
    })
}

/// The cache's key of a code directory: its canonical path, when that is UTF-8.
fn dir_key(dir: &Path) -> Option<String> {
    let canonical = std::fs::canonicalize(dir).ok()?;
    canonical.to_str().map(str::to_string)
}

/// One file's content sha256 (hex), and the bytes read when it was read now.
#[derive(Clone, Debug, Default)]
struct FileDigest {
    sha256: String,
    read: Option<u64>,
}

/// Each file's content hash, in `files` order: from `known` when size and mtime match,
/// else read.
fn content_digests(
    files: &[CodeFile],
    known: Option<&BTreeMap<String, Cached>>,
    open: &Open<'_>,
) -> Result<Vec<FileDigest>, PackageError> {
    let mut out = vec![FileDigest::default(); files.len()];
    let mut misses = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match known.and_then(|k| k.get(&f.rel)).filter(|c| c.matches(f)) {
            Some(c) => out[i].sha256.clone_from(&c.sha256),
            None => misses.push(i),
        }
    }
    let to_read: Vec<&CodeFile> = misses.iter().map(|&i| &files[i]).collect();
    for (i, r) in misses.into_iter().zip(hash_all(&to_read, open)) {
        let (sha256, n) = r?;
        out[i] = FileDigest {
            sha256,
            read: Some(n),
        };
    }
    Ok(out)
}

/// Hash `files` (results in the same order), on several threads when there is enough to
/// read; the largest files are handed out first so the threads finish together.
fn hash_all(files: &[&CodeFile], open: &Open<'_>) -> Vec<std::io::Result<(String, u64)>> {
    let bytes = files.iter().fold(0u64, |n, f| n.saturating_add(f.len));
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS)
        .min(files.len());
    if threads <= 1 || bytes < PARALLEL_MIN_BYTES {
        let mut buf = vec![0; BUF_LEN];
        return files
            .iter()
            .map(|f| hash_file(&f.path, open, &mut buf))
            .collect();
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[b].len.cmp(&files[a].len));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut buf = vec![0; BUF_LEN];
        let mut done = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            done.push((i, hash_file(&files[i].path, open, &mut buf)));
        }
        done
    };
    let mut out: Vec<Option<std::io::Result<(String, u64)>>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        for done in handles.into_iter().filter_map(|h| h.join().ok()) {
            for (i, r) in done {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(std::io::Error::other("a hashing thread stopped"))))
        .collect()
}

/// A file's content sha256 (hex) and length, read in `buf`-sized pieces.
fn hash_file(path: &Path, open: &Open<'_>, buf: &mut [u8]) -> std::io::Result<(String, u64)> {
    let with_path =
        |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let mut f = open(path).map_err(with_path)?;
    let mut h = Sha256::new();
    let mut n = 0u64;
    loop {
        match f.read(buf) {
            Ok(0) => break,
            Ok(k) => {
                h.update(&buf[..k]);
                n += k as u64;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(with_path(e)),
        }
    }
    Ok((hex(&h.finalize()), n))
}

/// sha256 over (path, executable bit, content hash) of every file, in `files` order.
fn tree_digest(files: &[CodeFile], digests: &[FileDigest]) -> String {
    let mut h = Sha256::new();
    h.update(TREE_PREFIX);
    for (f, d) in files.iter().zip(digests) {
        h.update((f.rel.len() as u64).to_le_bytes());
        h.update(f.rel.as_bytes());
        h.update([u8::from(f.exec)]);
        h.update(d.sha256.as_bytes());
    }
    hex(&h.finalize())
}

/// Where a spec's fingerprint cache lives: `<spec_dir>/.fnplan/cache/fingerprints.json`
/// (like terraform's `.terraform/`). The cache directory gets a `.gitignore` of its own
/// when created; users may also add `.fnplan/` to their `.gitignore`. `.fnplan` is in
/// [`DEFAULT_EXCLUDES`], so it is never packaged or hashed.
pub fn default_cache_path(spec_dir: &Path) -> PathBuf {
    spec_dir
        .join(CACHE_DIR)
        .join("cache")
        .join("fingerprints.json")
}

/// A file's content hash as cached, with the size and mtime it was read at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Cached {
    size: u64,
    mtime_ns: i64,
    sha256: String,
}

impl Cached {
    /// Whether this entry still describes `f` (and is well formed).
    fn matches(&self, f: &CodeFile) -> bool {
        self.size == f.len
            && Some(self.mtime_ns) == f.mtime_ns
            && self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }
}

/// Code directory (canonical path) -> relative path -> cached hash.
type Dirs = BTreeMap<String, BTreeMap<String, Cached>>;

/// The cache file.
#[derive(Deserialize)]
struct CacheFile {
    version: u32,
    dirs: Dirs,
}

#[derive(Serialize)]
struct CacheFileRef<'a> {
    version: u32,
    dirs: &'a Dirs,
}

/// Content hashes of files already read, keyed by code directory, relative path, size
/// and modification time. [`FingerprintCache::load`] reads it from disk and
/// [`FingerprintCache::save`] writes it back; `default()` is a cache in memory only.
#[derive(Debug, Default)]
pub struct FingerprintCache {
    /// Where `save` writes; `None` keeps the cache in memory.
    path: Option<PathBuf>,
    dirs: Dirs,
    /// Directories fingerprinted in this session: their entries are current.
    touched: BTreeSet<String>,
    /// Whether `dirs` differs from the file.
    dirty: bool,
    /// Files read (hashed) in this session.
    hashed: usize,
}

/// Distinguishes the temporary files of saves running at once in one process.
static SAVES: AtomicUsize = AtomicUsize::new(0);

impl FingerprintCache {
    /// The cache stored at `path`. A missing, unreadable or corrupt file, or one of
    /// another format version, gives an empty cache: never an error.
    pub fn load(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let dirs = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<CacheFile>(&b).ok())
            .filter(|c| c.version == CACHE_VERSION)
            .map(|c| c.dirs)
            .unwrap_or_default();
        FingerprintCache {
            path: Some(path),
            dirs,
            ..Default::default()
        }
    }

    /// How many files were read (hashed) through this cache since it was loaded.
    pub fn hashed_files(&self) -> usize {
        self.hashed
    }

    /// Write the cache back if anything changed: atomically (a temporary file renamed
    /// over it), in a stable order, without entries for files that no longer exist.
    /// Nothing is written for a cache in memory. A failed save costs only a re-read of
    /// the files next time; callers may ignore it.
    pub fn save(&mut self) -> std::io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if !self.dirty {
            return Ok(());
        }
        self.drop_missing();
        let body = serde_json::to_vec(&CacheFileRef {
            version: CACHE_VERSION,
            dirs: &self.dirs,
        })
        .map_err(std::io::Error::other)?;
        write_atomically(&path, &body)?;
        self.dirty = false;
        Ok(())
    }

    /// Replace the entries of `dir` by this listing (so deleted files drop out); files
    /// modified within [`RACY_NS`] of now, or that changed while read, are left out.
    fn record(&mut self, dir: String, files: &[CodeFile], digests: &[FileDigest]) {
        let now = nanos(SystemTime::now());
        let entries: BTreeMap<String, Cached> = files
            .iter()
            .zip(digests)
            .filter_map(|(f, d)| {
                let mtime_ns = f.mtime_ns?;
                let settled = mtime_ns < now.saturating_sub(RACY_NS);
                let whole = d.read.is_none_or(|n| n == f.len);
                (settled && whole).then(|| {
                    let c = Cached {
                        size: f.len,
                        mtime_ns,
                        sha256: d.sha256.clone(),
                    };
                    (f.rel.clone(), c)
                })
            })
            .collect();
        self.dirty |= match self.dirs.get(&dir) {
            Some(old) => *old != entries,
            None => !entries.is_empty(),
        };
        if entries.is_empty() {
            self.dirs.remove(&dir);
        } else {
            self.dirs.insert(dir.clone(), entries);
        }
        self.touched.insert(dir);
    }

    /// Drop entries of directories not fingerprinted in this session whose files are
    /// gone (those fingerprinted were replaced by their current listing).
    fn drop_missing(&mut self) {
        let touched = &self.touched;
        self.dirs.retain(|dir, files| {
            if !touched.contains(dir) {
                files.retain(|rel, _| Path::new(dir).join(rel).is_file());
            }
            !files.is_empty()
        });
    }
}

/// Write `body` to `path` through a temporary file in the same directory and a rename, so
/// a reader sees the old file or the new one, never half of one. A directory created
/// for it gets a `.gitignore` of `*` (the cache is never committed).
fn write_atomically(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(".gitignore"), "# created by fnplan\n*\n")?;
    }
    let name = path
        .file_name()
        .map_or_else(|| "cache".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SAVES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = File::create(&tmp)
        .and_then(|mut f| f.write_all(body))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Counts the files `fingerprint_in` opens (tests run as root: permissions cannot
    /// stop a read, so reads are counted instead).
    #[derive(Default)]
    struct Counter(AtomicUsize);

    impl Counter {
        fn open(&self) -> impl Fn(&Path) -> std::io::Result<File> + Sync + '_ {
            |p: &Path| {
                self.0.fetch_add(1, Ordering::SeqCst);
                File::open(p)
            }
        }
        fn take(&self) -> usize {
            self.0.swap(0, Ordering::SeqCst)
        }
    }

    /// An hour ago: older than the racy window, so hashes are cached.
    fn an_hour_ago() -> SystemTime {
        SystemTime::now() - Duration::from_secs(3600)
    }

    fn set_mtime(path: &Path, t: SystemTime) {
        File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(t))
            .expect("set mtime");
    }

    /// Write `rel` under `dir` (parents created) with an mtime an hour ago.
    fn write(dir: &Path, rel: &str, body: &[u8]) -> PathBuf {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, body).expect("write");
        set_mtime(&p, an_hour_ago());
        p
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    fn fp(dir: &Path) -> String {
        fingerprint(dir, &mut FingerprintCache::default())
            .expect("fingerprint")
            .sha256
    }

    fn fp_counted(dir: &Path, cache: &mut FingerprintCache, c: &Counter) -> String {
        fingerprint_in(dir, cache, Limits::default(), &c.open())
            .expect("fingerprint")
            .sha256
    }

    /// A small app: code, a dependency, an executable.
    fn app(dir: &Path) {
        write(dir, "app.py", b"def handler(e, c):\n    return 1\n");
        write(
            dir,
            "node_modules/left-pad/index.js",
            b"module.exports = 1;\n",
        );
        let run = write(dir, "bin/run", b"#!/bin/sh\necho hi\n");
        #[cfg(unix)]
        chmod(&run, 0o755);
    }

    #[test]
    fn a_fingerprint_is_stable_across_runs_and_creation_order() {
        let (a, b) = (
            tempfile::tempdir().expect("tmp"),
            tempfile::tempdir().expect("tmp"),
        );
        app(a.path());
        // The same files created in the opposite order, with other timestamps.
        let run = write(b.path(), "bin/run", b"#!/bin/sh\necho hi\n");
        #[cfg(unix)]
        chmod(&run, 0o755);
        write(
            b.path(),
            "node_modules/left-pad/index.js",
            b"module.exports = 1;\n",
        );
        let py = write(b.path(), "app.py", b"def handler(e, c):\n    return 1\n");
        set_mtime(&py, SystemTime::now() - Duration::from_secs(86_400 * 30));
        let first = fp(a.path());
        assert_eq!(first.len(), 64);
        assert!(
            first
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
        assert_eq!(fp(a.path()), first, "a second run");
        assert_eq!(fp(b.path()), first, "another creation order");
    }

    #[test]
    fn a_fingerprint_changes_with_content_names_and_the_executable_bit() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        let mut seen = BTreeSet::from([fp(d.path())]);
        // Same size, other content.
        write(d.path(), "app.py", b"def handler(e, c):\n    return 2\n");
        assert!(seen.insert(fp(d.path())), "content");
        std::fs::rename(d.path().join("app.py"), d.path().join("main.py")).expect("mv");
        assert!(seen.insert(fp(d.path())), "name");
        #[cfg(unix)]
        {
            chmod(&d.path().join("main.py"), 0o755);
            assert!(seen.insert(fp(d.path())), "exec bit");
        }
        write(d.path(), "empty.txt", b"");
        assert!(seen.insert(fp(d.path())), "an empty file added");
    }

    #[test]
    fn timestamps_alone_never_change_a_fingerprint() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        let mut cache = FingerprintCache::default();
        let before = fingerprint(d.path(), &mut cache).expect("fp").sha256;
        for rel in ["app.py", "bin/run", "node_modules/left-pad/index.js"] {
            set_mtime(
                &d.path().join(rel),
                SystemTime::now() - Duration::from_secs(60),
            );
        }
        assert_eq!(
            fingerprint(d.path(), &mut cache).expect("fp").sha256,
            before
        );
        assert_eq!(fp(d.path()), before, "with an empty cache");
    }

    #[test]
    fn an_unchanged_tree_is_read_once_even_across_processes() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        let path = default_cache_path(d.path());
        let c = Counter::default();
        let mut cache = FingerprintCache::load(&path);
        let cold = fp_counted(d.path(), &mut cache, &c);
        assert_eq!((c.take(), cache.hashed_files()), (3, 3));
        cache.save().expect("save");
        // A later run loads the cache from disk and opens no code file.
        let mut cache = FingerprintCache::load(&path);
        assert_eq!(fp_counted(d.path(), &mut cache, &c), cold);
        assert_eq!((c.take(), cache.hashed_files()), (0, 0));
        // The code dir is the spec dir here: the cache file beside it is not hashed.
        assert_eq!(fp(d.path()), cold);
    }

    #[test]
    fn stale_cache_entries_are_read_again() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        let c = Counter::default();
        let mut cache = FingerprintCache::default();
        let first = fp_counted(d.path(), &mut cache, &c);
        c.take();
        // Same size, new content and mtime.
        let p = write(d.path(), "app.py", b"def handler(e, c):\n    return 2\n");
        set_mtime(&p, an_hour_ago() - Duration::from_secs(60));
        let second = fp_counted(d.path(), &mut cache, &c);
        assert_eq!(c.take(), 1);
        assert_ne!(second, first);
        // Other size, the mtime the cache holds.
        let mtime = std::fs::metadata(&p)
            .and_then(|m| m.modified())
            .expect("mtime");
        std::fs::write(&p, b"def handler(e, c):\n    return 33\n").expect("write");
        set_mtime(&p, mtime);
        let third = fp_counted(d.path(), &mut cache, &c);
        assert_eq!(c.take(), 1);
        assert_ne!(third, second);
        assert_eq!(third, fp(d.path()));
    }

    #[test]
    fn a_file_modified_just_now_is_read_again_until_it_settles() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        std::fs::write(d.path().join("fresh.js"), b"1").expect("write");
        let c = Counter::default();
        let mut cache = FingerprintCache::default();
        let first = fp_counted(d.path(), &mut cache, &c);
        assert_eq!(c.take(), 4);
        assert_eq!(fp_counted(d.path(), &mut cache, &c), first);
        assert_eq!(c.take(), 1, "only the fresh file is read again");
    }

    #[test]
    fn a_corrupt_or_foreign_cache_file_is_an_empty_cache() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        let expected = fp(d.path());
        let path = default_cache_path(d.path());
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let c = Counter::default();
        let dir = dir_key(d.path()).expect("utf-8 path");
        let wrong = "0".repeat(64);
        let foreign = format!(
            r#"{{"version":2,"dirs":{{"{dir}":{{"app.py":{{"size":0,"mtime_ns":0,"sha256":"{wrong}"}}}}}}}}"#
        );
        for body in ["{not json", "", "[]", r#"{"version":1}"#, foreign.as_str()] {
            std::fs::write(&path, body).expect("write");
            let mut cache = FingerprintCache::load(&path);
            assert_eq!(fp_counted(d.path(), &mut cache, &c), expected, "{body}");
            assert_eq!(c.take(), 3, "{body}");
            cache.save().expect("save");
            // The next run trusts the rewritten file.
            assert_eq!(
                fp_counted(d.path(), &mut FingerprintCache::load(&path), &c),
                expected
            );
            assert_eq!(c.take(), 0, "{body}");
        }
        // An entry whose size and mtime match but whose hash is malformed is not used.
        let text = std::fs::read_to_string(&path).expect("read");
        let cached = &serde_json::from_str::<serde_json::Value>(&text).expect("json")["dirs"]
            [dir.as_str()]["app.py"]["sha256"];
        let cached = cached.as_str().expect("a hash");
        std::fs::write(&path, text.replace(cached, "nothex")).expect("write");
        assert_eq!(
            fp_counted(d.path(), &mut FingerprintCache::load(&path), &c),
            expected
        );
        assert_eq!(c.take(), 1);
    }

    #[test]
    fn saving_is_atomic_deterministic_and_forgets_deleted_files() {
        let (a, b) = (
            tempfile::tempdir().expect("tmp"),
            tempfile::tempdir().expect("tmp"),
        );
        app(a.path());
        app(b.path());
        let spec = tempfile::tempdir().expect("tmp");
        let path = default_cache_path(spec.path());
        let mut cache = FingerprintCache::load(&path);
        fingerprint(a.path(), &mut cache).expect("fp");
        fingerprint(b.path(), &mut cache).expect("fp");
        cache.save().expect("save");
        let first = std::fs::read(&path).expect("written");
        // Same files, another session in another order: the same bytes.
        std::fs::remove_file(&path).expect("rm");
        let mut cache = FingerprintCache::load(&path);
        fingerprint(b.path(), &mut cache).expect("fp");
        fingerprint(a.path(), &mut cache).expect("fp");
        cache.save().expect("save");
        assert_eq!(std::fs::read(&path).expect("written"), first);
        let mut names: Vec<String> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [".gitignore", "fingerprints.json"],
            "no temporary file left"
        );
        // A file deleted in a directory this session did not fingerprint is dropped when
        // another change makes the cache save.
        std::fs::remove_file(b.path().join("app.py")).expect("rm");
        let mut cache = FingerprintCache::load(&path);
        write(a.path(), "new.js", b"2");
        fingerprint(a.path(), &mut cache).expect("fp");
        cache.save().expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        let dirs = json["dirs"].as_object().expect("dirs");
        let files = |d: &tempfile::TempDir| -> Vec<String> {
            let key = dir_key(d.path()).expect("utf-8");
            dirs[&key]
                .as_object()
                .expect("files")
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(
            files(&a),
            [
                "app.py",
                "bin/run",
                "new.js",
                "node_modules/left-pad/index.js"
            ]
        );
        assert_eq!(files(&b), ["bin/run", "node_modules/left-pad/index.js"]);
    }

    #[test]
    fn an_unchanged_cache_is_not_rewritten() {
        let d = tempfile::tempdir().expect("tmp");
        app(d.path());
        let path = default_cache_path(d.path());
        let mut cache = FingerprintCache::load(&path);
        fingerprint(d.path(), &mut cache).expect("fp");
        cache.save().expect("save");
        // A later run over the same files has nothing to write.
        let mut cache = FingerprintCache::load(&path);
        fingerprint(d.path(), &mut cache).expect("fp");
        std::fs::remove_file(&path).expect("rm");
        cache.save().expect("save");
        assert!(!path.exists(), "a cache with nothing new writes nothing");
    }

    /// Bytes this thread has read so far (Linux task I/O accounting), which counts every
    /// read, whoever opens the file.
    #[cfg(target_os = "linux")]
    fn thread_rchar() -> u64 {
        let io = std::fs::read_to_string("/proc/thread-self/io").expect("/proc/thread-self/io");
        io.lines()
            .find_map(|l| l.strip_prefix("rchar: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("rchar")
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn measure_reads_no_code_file() {
        let d = tempfile::tempdir().expect("tmp");
        for i in 0..8 {
            write(
                d.path(),
                &format!("lib/f{i}.js"),
                &vec![b'a' + i; 64 * 1024],
            );
        }
        write(d.path(), IGNORE_FILE, b"*.map\n");
        write(d.path(), "lib/f.js.map", b"{}");
        let before = thread_rchar();
        let m = measure(d.path()).expect("measure");
        let read = thread_rchar() - before;
        assert_eq!((m.files, m.unzipped), (8, 8 * 64 * 1024));
        assert!(read < 16 * 1024, "measure read {read} bytes");
        // The meter works: hashing (on this thread, below the parallel threshold) reads
        // every byte.
        let before = thread_rchar();
        fp(d.path());
        assert!(thread_rchar() - before >= 8 * 64 * 1024);
    }

    #[test]
    fn too_large_is_reported_from_metadata_with_the_largest_files() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "small.js", &[b's'; 200]);
        write(d.path(), "node_modules/big.wasm", &[b'b'; 600]);
        write(d.path(), "mid.js", &[b'm'; 300]);
        let limits = Limits {
            zipped: u64::MAX,
            unzipped: 1000,
        };
        let expected = |e: PackageError| match e {
            PackageError::TooLarge {
                what,
                size,
                limit,
                largest,
            } => {
                assert_eq!((what, size, limit), ("unzipped", 1100, 1000));
                let names: Vec<(&str, u64)> =
                    largest.iter().map(|(n, s)| (n.as_str(), *s)).collect();
                assert_eq!(
                    names,
                    [
                        ("node_modules/big.wasm", 600),
                        ("mid.js", 300),
                        ("small.js", 200)
                    ]
                );
            }
            other => panic!("expected TooLarge, got {other:?}"),
        };
        expected(measure_with(d.path(), limits).expect_err("too large"));
        let c = Counter::default();
        let e = fingerprint_in(
            d.path(),
            &mut FingerprintCache::default(),
            limits,
            &c.open(),
        );
        expected(e.expect_err("too large"));
        assert_eq!(c.take(), 0, "nothing is read for an oversized tree");
        let m = measure(d.path()).expect("within Lambda's limit");
        assert_eq!((m.files, m.unzipped), (3, 1100));
        assert_eq!(m.largest[0], ("node_modules/big.wasm".to_string(), 600));
    }

    #[test]
    fn the_zip_and_the_fingerprint_cover_the_same_files() {
        let d = tempfile::tempdir().expect("tmp");
        let root = d.path();
        app(root);
        write(root, "lib/util.py", b"X = 1\n");
        write(root, ".git/HEAD", b"ref: refs/heads/main\n");
        write(root, "__pycache__/app.cpython-313.pyc", b"\0");
        write(root, "stale.pyc", b"\0");
        write(root, "keep.pyc", b"\0");
        write(root, "secrets.txt", b"hunter2\n");
        write(root, IGNORE_FILE, b"secrets.txt\n!keep.pyc\n");
        write(root, ".fnplan/cache/fingerprints.json", b"{}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("app.py", root.join("link.py")).expect("symlink");
            std::os::unix::fs::symlink("lib", root.join("linkdir")).expect("symlink");
        }
        let listed: Vec<String> = code_files(root)
            .expect("list")
            .into_iter()
            .map(|f| f.rel)
            .collect();
        let mut expected = vec![
            "app.py",
            "bin/run",
            "keep.pyc",
            "lib/util.py",
            "node_modules/left-pad/index.js",
        ];
        if cfg!(unix) {
            expected.insert(4, "link.py");
        }
        assert_eq!(listed, expected);
        let zip = crate::package::package_dir(root).expect("zip");
        let archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes.clone())).expect("zip");
        let mut zipped: Vec<String> = archive
            .file_names()
            .map(|n| n.expect("a UTF-8 name").into_owned())
            .collect();
        zipped.sort_unstable();
        assert_eq!(zipped, listed);
        let f = fingerprint(root, &mut FingerprintCache::default()).expect("fp");
        assert_eq!(
            (f.measure.files, f.measure.unzipped),
            (zip.files, zip.unzipped)
        );
        // Excluded files do not enter the fingerprint.
        write(root, ".git/HEAD", b"ref: refs/heads/other\n");
        write(root, "secrets.txt", b"changed\n");
        write(root, ".fnplan/cache/fingerprints.json", b"{\"version\":1}");
        assert_eq!(fp(root), f.sha256);
    }

    #[test]
    fn hashing_on_several_threads_gives_the_one_thread_result() {
        let d = tempfile::tempdir().expect("tmp");
        // Over PARALLEL_MIN_BYTES, so more than one thread reads (given two cores).
        for i in 0..3u8 {
            write(d.path(), &format!("big{i}.bin"), &vec![i; 3 << 20]);
        }
        for i in 0..50u8 {
            write(d.path(), &format!("m/{i}.js"), &[i; 100]);
        }
        let files = code_files(d.path()).expect("list");
        assert!(files.iter().map(|f| f.len).sum::<u64>() >= PARALLEL_MIN_BYTES);
        let mut buf = vec![0; BUF_LEN];
        let one_thread: Vec<FileDigest> = files
            .iter()
            .map(|f| {
                let (sha256, n) =
                    hash_file(&f.path, &|p: &Path| File::open(p), &mut buf).expect("hash");
                FileDigest {
                    sha256,
                    read: Some(n),
                }
            })
            .collect();
        let c = Counter::default();
        let got = fp_counted(d.path(), &mut FingerprintCache::default(), &c);
        assert_eq!(got, tree_digest(&files, &one_thread));
        assert_eq!(c.take(), files.len(), "each file read once");
    }

    #[test]
    fn a_missing_or_plain_file_code_dir_is_an_error() {
        let d = tempfile::tempdir().expect("tmp");
        let file = write(d.path(), "app.py", b"1");
        for p in [d.path().join("nope"), file] {
            assert!(
                matches!(measure(&p), Err(PackageError::Io(_))),
                "{}",
                p.display()
            );
            let r = fingerprint(&p, &mut FingerprintCache::default());
            assert!(matches!(r, Err(PackageError::Io(_))), "{}", p.display());
        }
    }

    #[test]
    fn the_default_cache_lives_in_dot_fnplan_beside_the_spec() {
        assert_eq!(
            default_cache_path(Path::new("app")),
            Path::new("app/.fnplan/cache/fingerprints.json")
        );
    }
}
