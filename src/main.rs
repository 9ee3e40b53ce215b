//! The `fnplan` binary: arguments in, an exit code out (all work happens in the library).

use clap::Parser;

fn main() -> std::process::ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = fnplan::cli::Cli::parse();
    fnplan::run(cli).into()
}
