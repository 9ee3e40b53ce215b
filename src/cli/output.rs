//! Where command output goes: text in, stdout/stderr (or a file) out, with colour
//! decided once and broken pipes surfaced as `io::ErrorKind::BrokenPipe`.

use crate::diagnostic::{self, ColorChoice, Diagnostic, Format};
use crate::exit::ExitStatus;
use crate::pipeline::Stop;
use crate::source::SourceFile;
use std::io::Write;

pub struct Output {
    pub color: ColorChoice,
}

impl Output {
    pub fn new(color: ColorChoice) -> Self {
        Output { color }
    }

    pub fn print(&self, s: &str) -> std::io::Result<()> {
        let mut o = std::io::stdout().lock();
        o.write_all(s.as_bytes())?;
        o.flush()
    }

    /// A status line for people (stderr, so stdout stays machine-readable).
    pub fn note(&self, s: &str) {
        let _ = writeln!(std::io::stderr(), "{s}");
    }

    pub fn error(&self, s: &str) {
        self.labelled("error", "1;31", s);
    }

    pub fn warn(&self, s: &str) {
        self.labelled("warning", "1;33", s);
    }

    fn labelled(&self, label: &str, ansi: &str, s: &str) {
        if self.color.use_color_for_stderr() {
            let _ = writeln!(std::io::stderr(), "\x1b[{ansi}m{label}\x1b[0m: {s}");
        } else {
            let _ = writeln!(std::io::stderr(), "{label}: {s}");
        }
    }

    /// Ask a yes/no question on the terminal: `None` when there is no terminal to ask
    /// on, `Some(true)` only when the answer is exactly `yes`.
    pub fn confirm(&self, question: &str) -> Option<bool> {
        use std::io::{BufRead, IsTerminal};
        if !std::io::stdin().is_terminal() {
            return None;
        }
        let _ = write!(
            std::io::stderr(),
            "{question}\n  Only 'yes' will be accepted: "
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() {
            return Some(false);
        }
        Some(answer.trim() == "yes")
    }

    /// Write `s` to `path`, or print it when there is no path.
    pub fn write_to(&self, path: Option<&std::path::Path>, s: &str) -> std::io::Result<ExitStatus> {
        match path {
            Some(p) => match std::fs::write(p, s) {
                Ok(()) => Ok(ExitStatus::Success),
                Err(e) => {
                    self.error(&format!("cannot write {}: {e}", p.display()));
                    Ok(ExitStatus::Failure)
                }
            },
            None => self.print(s).map(|_| ExitStatus::Success),
        }
    }

    /// Report input diagnostics (human, on stderr) and end with exit code 2.
    pub fn input_errors(&self, file: &SourceFile, diags: &[Diagnostic]) -> ExitStatus {
        let text = diagnostic::render_human(
            file,
            diags,
            if self.color.use_color_for_stderr() {
                ColorChoice::Always
            } else {
                ColorChoice::Never
            },
        );
        let _ = write!(std::io::stderr(), "{text}");
        let errors = diags.iter().filter(|d| d.is_error()).count();
        self.error(&format!(
            "{}: {} {} in the spec; nothing was rendered",
            file.name,
            errors,
            if errors == 1 { "error" } else { "errors" }
        ));
        ExitStatus::InputError
    }

    /// Report why the pipeline stopped, in `format` (machine formats go to stdout).
    pub fn stop(&self, stop: Stop, format: Format) -> std::io::Result<ExitStatus> {
        match stop {
            Stop::Io { path, error } => {
                let hint = if error.kind() == std::io::ErrorKind::NotFound {
                    " (pass the spec's path, or run in the directory holding fnplan.yaml)"
                } else {
                    ""
                };
                self.error(&format!("cannot read {path}: {error}{hint}"));
                Ok(ExitStatus::InputError)
            }
            Stop::Input { file, diags } => match format {
                Format::Human => Ok(self.input_errors(&file, &diags)),
                _ => {
                    let text = diagnostic::render(
                        format,
                        &file,
                        &diags,
                        ColorChoice::Never,
                        &crate::lint::sarif_rules(),
                    );
                    self.print(&text)?;
                    Ok(ExitStatus::InputError)
                }
            },
        }
    }
}
