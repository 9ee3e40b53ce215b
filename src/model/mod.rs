//! Lowering: a `RawSpec` and a stage name in, a typed [`Model`] out (defaults resolved,
//! names and references checked), with every problem collected as a diagnostic.

mod date;
pub mod env_secrets;
pub mod ids;
mod lower;
mod refs;
pub mod runtimes;
mod schedule;
mod secrets;
mod types;

pub use date::Date;
pub use lower::{LowerOptions, check_bucket_name, lower, stage_names};
pub use refs::parse_interp;
pub use schedule::{shortest_interval_minutes, validate_schedule};
pub use secrets::secret_name;
pub use types::*;
