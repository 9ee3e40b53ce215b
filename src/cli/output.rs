//! Where command output goes: text in, stdout/stderr out, with colour decided once; the
//! terminal side of [`Ui`] (confirmation, progress) and how an [`OpsError`] is shown.

use crate::deploy::follow::Progress;
use crate::deploy::format;
use crate::diagnostic::{self, ColorChoice, Diagnostic, Format};
use crate::ops::{OpsError, Preview, Ui, Written};
use crate::source::SourceFile;
use std::io::{IsTerminal, Write};

pub struct Output {
    pub color: ColorChoice,
    /// `--progress` as given (`Auto` is resolved when asked).
    progress: Progress,
}

impl Output {
    pub fn new(color: ColorChoice, progress: Progress) -> Self {
        Output { color, progress }
    }

    pub fn print(&self, s: &str) -> std::io::Result<()> {
        let mut o = std::io::stdout().lock();
        o.write_all(s.as_bytes())?;
        o.flush()
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

    fn stderr_color(&self) -> ColorChoice {
        if self.color.use_color_for_stderr() {
            ColorChoice::Always
        } else {
            ColorChoice::Never
        }
    }

    /// Text for stdout, or a note that it went to a file.
    pub fn written(&self, w: &Written) -> std::io::Result<()> {
        match w {
            Written::Stdout(text) => {
                let mut o = std::io::stdout().lock();
                text.write_to(&mut o)?;
                o.flush()
            }
            Written::File(_) => Ok(()),
        }
    }

    /// Diagnostics for people, on stderr.
    fn diagnostics(&self, file: &SourceFile, diags: &[Diagnostic]) {
        let text = diagnostic::render_human(file, diags, self.stderr_color());
        let _ = write!(std::io::stderr(), "{text}");
    }

    /// Show why an operation stopped; input errors in `format` (machine formats on stdout).
    pub fn failure(&self, e: &OpsError, format: Format) -> std::io::Result<()> {
        match e {
            OpsError::Read { path, error } => {
                let hint = if error.kind() == std::io::ErrorKind::NotFound {
                    " (pass the spec's path, or run in the directory holding fnplan.yaml)"
                } else {
                    ""
                };
                self.error(&format!("cannot read {path}: {error}{hint}"));
            }
            OpsError::Input { file, diags } if format == Format::Human => {
                self.diagnostics(file, diags);
                let errors = diags.iter().filter(|d| d.is_error()).count();
                self.error(&format!(
                    "{}: {} {} in the spec; nothing was rendered",
                    file.name,
                    errors,
                    if errors == 1 { "error" } else { "errors" }
                ));
            }
            OpsError::Input { file, diags } => {
                let rules = crate::lint::sarif_rules();
                let text = diagnostic::render(format, file, diags, ColorChoice::Never, &rules);
                self.print(&text)?;
            }
            OpsError::Lint { file, errors } => {
                self.diagnostics(file, errors);
                self.error(&format!(
                    "{}: {}; fix them first (`fnplan lint` shows every finding)",
                    file.name,
                    diagnostic::summary(errors)
                ));
            }
            other => self.error(&other.to_string()),
        }
        Ok(())
    }
}

impl Ui for Output {
    fn note(&self, line: &str) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }

    fn preview(&self, what: Preview<'_>) -> std::io::Result<()> {
        match what {
            // With JSON progress, stdout is for events only.
            Preview::Plan(_) if self.progress == Progress::Json => Ok(()),
            Preview::Plan(plan) => self.print(&format::human(plan, self.progress().1)),
            Preview::Destroy(p) => self.print(&super::stack::destroy_preview(p)),
        }
    }

    /// Only the exact answer `yes` confirms.
    fn confirm(&self, question: &str) -> Option<bool> {
        use std::io::BufRead;
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

    fn progress(&self) -> (Progress, bool) {
        match self.progress {
            Progress::Auto
                if std::io::stdout().is_terminal() && std::io::stderr().is_terminal() =>
            {
                (Progress::Live, self.color.use_color_for_stdout())
            }
            Progress::Auto => (Progress::Plain, false),
            other => (other, false),
        }
    }

    fn events(&self) -> Box<dyn Write + '_> {
        Box::new(std::io::stdout())
    }
}
