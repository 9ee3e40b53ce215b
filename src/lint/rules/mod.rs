//! The rule registry: one rule per file, listed here in code order.

use super::Rule;

mod fn101_missing_dlq;
mod fn103_missing_timeout;
mod fn105_visibility_timeout;
mod fn109_recursive_loop;

pub use fn101_missing_dlq::MissingDlq;
pub use fn103_missing_timeout::MissingTimeout;
pub use fn105_visibility_timeout::VisibilityTimeout;
pub use fn109_recursive_loop::RecursiveLoop;

/// Every rule, ordered by code.
pub static ALL: &[&dyn Rule] = &[&MissingDlq, &MissingTimeout, &VisibilityTimeout, &RecursiveLoop];
