//! The `fnplan` binary: arguments in, an exit code out (all work happens in the library).

use clap::Parser;

// mimalloc instead of glibc's allocator: compiling a large app makes hundreds of thousands
// of small allocations, and glibc's malloc/free were a quarter of render's instructions.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match fnplan::cli::Cli::try_parse_from(&args) {
        Ok(cli) => fnplan::run(cli).into(),
        Err(e) => {
            // Usage errors on stderr, --help/--version on stdout.
            let _ = e.print();
            fnplan::exit::for_usage_error(e.use_stderr(), &args).into()
        }
    }
}
