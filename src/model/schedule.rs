//! Schedule expressions: `rate(...)`/`cron(...)` text in, `Ok` or a message saying what is
//! wrong out; and how often a valid one fires, where that can be told simply.

/// Validate an EventBridge schedule expression (rules of "Schedule expressions for rules").
pub fn validate_schedule(expr: &str) -> Result<(), String> {
    let e = expr.trim();
    if let Some(body) = e.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
        return validate_rate(body);
    }
    if let Some(body) = e.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
        return validate_cron(body);
    }
    Err(format!(
        "`{e}` is not a schedule expression; write `rate(5 minutes)` or `cron(0 2 * * ? *)`"
    ))
}

fn validate_rate(body: &str) -> Result<(), String> {
    let parts: Vec<&str> = body.split_whitespace().collect();
    let [n, unit] = parts.as_slice() else {
        return Err(format!(
            "`rate({body})` needs a number and a unit, e.g. `rate(5 minutes)`"
        ));
    };
    let n: u64 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{n}` in `rate({body})` must be a positive whole number"))?;
    let (singular, plural) = match *unit {
        "minute" | "minutes" => ("minute", "minutes"),
        "hour" | "hours" => ("hour", "hours"),
        "day" | "days" => ("day", "days"),
        other => {
            return Err(format!(
                "`{other}` is not a rate unit; use minute(s), hour(s) or day(s)"
            ));
        }
    };
    if n == 1 && *unit != singular {
        return Err(format!(
            "`rate(1 {unit})` must use the singular: `rate(1 {singular})`"
        ));
    }
    if n != 1 && *unit != plural {
        return Err(format!(
            "`rate({n} {unit})` must use the plural: `rate({n} {plural})`"
        ));
    }
    Ok(())
}

/// The shortest time between two firings of a valid schedule expression, in minutes, when
/// it can be told simply: any `rate(...)`; a `cron(...)` whose minutes field is `*`, a
/// step (`*/N`, `M/N`), a range (`A-B`) or a list of minutes (the gap across the hour
/// counts when the hours field is `*`). `None` for anything else: no guess.
pub fn shortest_interval_minutes(expr: &str) -> Option<u64> {
    let e = expr.trim();
    if let Some(body) = e.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
        let (n, unit) = body.trim().split_once(' ')?;
        let n: u64 = n.parse().ok()?;
        let per = match unit.trim().trim_end_matches('s') {
            "minute" => 1,
            "hour" => 60,
            "day" => 1440,
            _ => return None,
        };
        return n.checked_mul(per);
    }
    let body = e.strip_prefix("cron(")?.strip_suffix(')')?;
    let fields: Vec<&str> = body.split_whitespace().collect();
    let (minutes, hours) = (*fields.first()?, *fields.get(1)?);
    cron_minutes_gap(minutes, hours == "*")
}

/// The shortest gap between the minutes a cron minutes field names (see
/// [`shortest_interval_minutes`]); `every_hour`: the hours field is `*`.
fn cron_minutes_gap(field: &str, every_hour: bool) -> Option<u64> {
    let num = |t: &str| t.parse::<u64>().ok().filter(|n| *n < 60);
    if field == "*" {
        return Some(1);
    }
    if let Some((start, step)) = field.split_once('/') {
        let start = if start == "*" { 0 } else { num(start)? };
        let step = step.parse::<u64>().ok().filter(|s| *s > 0)?;
        return (start.saturating_add(step) < 60).then_some(step);
    }
    if let Some((a, b)) = field.split_once('-') {
        return (num(b)? > num(a)?).then_some(1);
    }
    let mut list: Vec<u64> = field.split(',').map(num).collect::<Option<_>>()?;
    list.sort_unstable();
    list.dedup();
    let mut gaps: Vec<u64> = list.windows(2).map(|w| w[1] - w[0]).collect();
    if every_hour && list.len() > 1 {
        gaps.push(60 - list[list.len() - 1] + list[0]);
    }
    gaps.into_iter().min()
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn validate_cron(body: &str) -> Result<(), String> {
    let f: Vec<&str> = body.split_whitespace().collect();
    if f.len() != 6 {
        return Err(format!(
            "`cron({body})` has {} fields; EventBridge cron has 6: minutes hours day-of-month month day-of-week year",
            f.len()
        ));
    }
    let (dom, dow) = (f[2], f[4]);
    match (dom == "?", dow == "?") {
        (false, false) => {
            return Err(format!(
                "`cron({body})`: one of day-of-month (`{dom}`) and day-of-week (`{dow}`) must be `?`"
            ));
        }
        (true, true) => {
            return Err(format!(
                "`cron({body})`: day-of-month and day-of-week cannot both be `?`"
            ));
        }
        _ => {}
    }
    field(f[0], "minutes", 0, 59, &[], "")?;
    field(f[1], "hours", 0, 23, &[], "")?;
    if dom != "?" {
        field(dom, "day-of-month", 1, 31, &[], "LW")?;
    }
    field(f[3], "month", 1, 12, &MONTHS, "")?;
    if dow != "?" {
        field(dow, "day-of-week", 1, 7, &DAYS, "L#")?;
    }
    field(f[5], "year", 1970, 2199, &[], "")?;
    Ok(())
}

fn field(
    v: &str,
    what: &str,
    min: u32,
    max: u32,
    names: &[&str],
    extra: &str,
) -> Result<(), String> {
    let bad =
        || format!("`{v}` is not a valid {what} field (allowed {min}-{max}, `*`, `,`, `-`, `/`)");
    for item in v.split(',') {
        if item.is_empty() {
            return Err(bad());
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(s) = step
            && s.parse::<u32>().ok().filter(|s| *s > 0).is_none()
        {
            return Err(bad());
        }
        if range == "*" {
            continue;
        }
        let value = |t: &str| -> Option<u32> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(t)) {
                return Some(i as u32 + 1);
            }
            t.parse::<u32>().ok().filter(|n| (min..=max).contains(n))
        };
        // Special day forms: L, LW, 5L, 15W, 3#2.
        if !extra.is_empty() {
            let t = range;
            if t == "L" || (extra.contains('W') && t == "LW") {
                continue;
            }
            if let Some(n) = t.strip_suffix('W').filter(|_| extra.contains('W'))
                && value(n).is_some()
            {
                continue;
            }
            if let Some(n) = t.strip_suffix('L').filter(|_| extra.contains('#'))
                && value(n).is_some()
            {
                continue;
            }
            if let Some((d, nth)) = t.split_once('#').filter(|_| extra.contains('#')) {
                if value(d).is_some()
                    && nth
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=5).contains(n))
                        .is_some()
                {
                    continue;
                }
                return Err(bad());
            }
        }
        match range.split_once('-') {
            Some((a, b)) => {
                if value(a).is_none() || value(b).is_none() {
                    return Err(bad());
                }
            }
            None => {
                if value(range).is_none() {
                    return Err(bad());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rates() {
        assert!(validate_schedule("rate(5 minutes)").is_ok());
        assert!(validate_schedule("rate(1 minute)").is_ok());
        assert!(
            validate_schedule("rate(5 minute)")
                .unwrap_err()
                .contains("plural")
        );
        assert!(
            validate_schedule("rate(1 hours)")
                .unwrap_err()
                .contains("singular")
        );
        assert!(validate_schedule("rate(0 hours)").is_err());
        assert!(validate_schedule("every 5 minutes").is_err());
    }
    #[test]
    fn intervals() {
        for (expr, minutes) in [
            ("rate(1 minute)", Some(1)),
            ("rate(15 minutes)", Some(15)),
            ("rate(2 hours)", Some(120)),
            ("rate(1 day)", Some(1440)),
            ("cron(* * * * ? *)", Some(1)),
            ("cron(0/5 8-17 ? * MON-FRI *)", Some(5)),
            ("cron(*/10 * * * ? *)", Some(10)),
            ("cron(10/30 * * * ? *)", Some(30)),
            ("cron(50/30 * * * ? *)", None),
            ("cron(10-20 9 * * ? *)", Some(1)),
            ("cron(0,15,30,45 * * * ? *)", Some(15)),
            ("cron(0,50 * * * ? *)", Some(10)),
            ("cron(0,50 9 * * ? *)", Some(50)),
            ("cron(0 2 * * ? *)", None),
            ("cron(0/5,30 * * * ? *)", None),
            ("every 5 minutes", None),
        ] {
            assert_eq!(shortest_interval_minutes(expr), minutes, "{expr}");
        }
    }
    #[test]
    fn crons() {
        assert!(validate_schedule("cron(0 2 * * ? *)").is_ok());
        assert!(validate_schedule("cron(0/15 8-17 ? * MON-FRI *)").is_ok());
        assert!(validate_schedule("cron(0 10 ? * 6L 2026)").is_ok());
        assert!(validate_schedule("cron(0 10 L * ? *)").is_ok());
        assert!(validate_schedule("cron(0 10 ? * 2#1 *)").is_ok());
        assert!(
            validate_schedule("cron(0 2 * * * *)")
                .unwrap_err()
                .contains("must be `?`")
        );
        assert!(
            validate_schedule("cron(0 2 * *)")
                .unwrap_err()
                .contains("6")
        );
        assert!(validate_schedule("cron(61 2 * * ? *)").is_err());
        assert!(validate_schedule("cron(0 2 ? * FUNDAY *)").is_err());
    }
}
