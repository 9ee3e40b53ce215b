//! Lambda runtimes: an identifier (and the day it is asked about) in, what Lambda says of
//! that runtime out: whether it exists, whether a .zip package can use it, when it is
//! deprecated and blocked, and which current runtime replaces it. The facts come from
//! the vendored `schemas/lambda/runtimes.json` (see `schemas/lambda/SOURCE.md`) through
//! the generated [`data`] table.

use super::date::Date;

mod data;
#[cfg(test)]
mod tests;

/// One runtime's row of the vendored lifecycle table (dates as `YYYY-MM-DD`).
#[derive(Debug, PartialEq, Eq)]
pub struct RuntimeFacts {
    pub name: &'static str,
    pub deprecated: Option<&'static str>,
    pub create_block: Option<&'static str>,
    pub update_block: Option<&'static str>,
    /// The runtime AWS names as its replacement (`None` for the newest of a family).
    pub successor: Option<&'static str>,
    /// Offered for container images only: no .zip package can use it.
    pub container_only: bool,
}

/// Where a runtime stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// Not deprecated on that day.
    Supported,
    /// Deprecated, but functions can still be created and updated.
    Deprecated,
    /// Lambda no longer creates functions with it (existing ones can still be updated).
    CreateBlocked,
    /// Lambda no longer creates or updates functions with it.
    UpdateBlocked,
}

fn date(s: Option<&'static str>) -> Option<Date> {
    // Every date of the table parses (a unit test checks it).
    s.and_then(Date::parse)
}

impl RuntimeFacts {
    pub fn deprecated(&self) -> Option<Date> {
        date(self.deprecated)
    }
    pub fn create_block(&self) -> Option<Date> {
        date(self.create_block)
    }
    pub fn update_block(&self) -> Option<Date> {
        date(self.update_block)
    }

    /// Where this runtime stands on `today` (a date is reached on the day itself).
    pub fn lifecycle(&self, today: Date) -> Lifecycle {
        let reached = |d: Option<Date>| d.is_some_and(|d| d <= today);
        if reached(self.update_block()) {
            Lifecycle::UpdateBlocked
        } else if reached(self.create_block()) {
            Lifecycle::CreateBlocked
        } else if reached(self.deprecated()) {
            Lifecycle::Deprecated
        } else {
            Lifecycle::Supported
        }
    }

    /// A runtime a new .zip function can use on `today` without being deprecated.
    pub fn is_current(&self, today: Date) -> bool {
        !self.container_only && self.lifecycle(today) == Lifecycle::Supported
    }

    /// The current runtime to move to: the successor, or the successor's successor when
    /// that one is deprecated too, and so on (`None` when the chain ends without one).
    pub fn current_successor(&self, today: Date) -> Option<&'static str> {
        let mut next = self.successor;
        // The chain is short; the bound only guards against a cycle in the data.
        for _ in 0..data::RUNTIMES.len() {
            let r = find(next?)?;
            if r.is_current(today) {
                return Some(r.name);
            }
            next = r.successor;
        }
        None
    }
}

/// Every runtime of the table, sorted by identifier.
pub fn all() -> &'static [RuntimeFacts] {
    data::RUNTIMES
}

/// The runtime with this identifier (exact, as Lambda compares them).
pub fn find(name: &str) -> Option<&'static RuntimeFacts> {
    data::RUNTIMES
        .binary_search_by(|r| r.name.cmp(name))
        .ok()
        .map(|i| &data::RUNTIMES[i])
}

/// The identifiers of the runtimes current on `today`, sorted.
pub fn current(today: Date) -> impl Iterator<Item = &'static str> + Clone {
    data::RUNTIMES
        .iter()
        .filter(move |r| r.is_current(today))
        .map(|r| r.name)
}
