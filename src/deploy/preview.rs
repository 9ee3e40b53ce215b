//! Whether `plan` asks CloudFormation for a change set: the `--change-set` mode, the
//! deployed stack (status, parameters, tags) and fnplan's diff in, [`Decision::Make`] or
//! [`Decision::Skip`] with the reason the plan prints out.
//!
//! A change set costs four calls and a wait (most of a no-change plan's time), and on a
//! stack whose template, parameters and tags are what fnplan would send, CloudFormation
//! finds nothing either. It is skipped only then, and only while the stack is stable:
//! a stack that is changing, failed or rolled back to nothing gets a change set anyway,
//! so that CloudFormation's answer (or its refusal) is in the plan and the plan never
//! says less than CloudFormation would.

use super::StackInfo;

/// `--change-set`: when to ask CloudFormation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangeSetMode {
    /// When the diff has changes, or the stack is not stable (see [`decide`]).
    #[default]
    Auto,
    /// Whenever there is a stack to preview, even an unchanged one.
    Always,
    /// Never (`--no-change-set`): fnplan's diff alone.
    Never,
}

/// What [`decide`] looks at.
#[derive(Clone, Copy, Debug)]
pub struct Situation<'a> {
    pub mode: ChangeSetMode,
    /// The live stack (`None`: missing, or an empty one left in review).
    pub live: Option<&'a StackInfo>,
    /// The change set is kept for `apply plan.json` (`--out`).
    pub keep: bool,
    /// The spec's `renamed_from:` moves something.
    pub moves: bool,
    /// fnplan's diff found changes (resources, outputs).
    pub has_changes: bool,
    /// The template parameters fnplan passes.
    pub parameters: &'a [(String, String)],
    /// The stack tags fnplan passes.
    pub tags: &'a [(String, String)],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Make,
    /// Not made, and why (printed in the plan).
    Skip(String),
}

/// Statuses of a stack whose resources match its template and that takes updates.
const STABLE: &[&str] = &[
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
];

/// Make a change set or not; see the module docs.
pub fn decide(s: &Situation<'_>) -> Decision {
    if s.mode == ChangeSetMode::Never {
        return Decision::Skip("--no-change-set".into());
    }
    if s.moves {
        return Decision::Skip(
            "the spec moves resources (`renamed_from:`): apply makes the change set after the stack refactor".into(),
        );
    }
    if s.mode == ChangeSetMode::Always {
        return Decision::Make;
    }
    let Some(stack) = s.live else {
        // A saved plan (`--out`) keeps the change set that creates the stack.
        if s.keep {
            return Decision::Make;
        }
        return Decision::Skip(
            "the stack does not exist yet, so everything is created (`--change-set always` makes one)".into(),
        );
    };
    if s.has_changes || !STABLE.contains(&stack.status.as_str()) {
        return Decision::Make;
    }
    if inputs_changed(stack, s.parameters, s.tags) {
        return Decision::Make;
    }
    Decision::Skip(format!(
        "no changes: the template, parameters and tags are the deployed ones and the stack is {} (`--change-set always` asks CloudFormation anyway)",
        stack.status
    ))
}

/// The stack's parameters or tags differ from those fnplan passes (a change the template
/// diff cannot see).
fn inputs_changed(
    stack: &StackInfo,
    parameters: &[(String, String)],
    tags: &[(String, String)],
) -> bool {
    let deployed = |list: &[(String, String)], k: &str| {
        list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    if parameters
        .iter()
        .any(|(k, v)| deployed(&stack.parameters, k).as_ref() != Some(v))
    {
        return true;
    }
    let mut mine: Vec<&(String, String)> = tags.iter().collect();
    let mut theirs: Vec<&(String, String)> = stack
        .tags
        .iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .collect();
    mine.sort();
    theirs.sort();
    mine != theirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(status: &str) -> StackInfo {
        StackInfo {
            stack_id: "arn:stack/app-dev/1".into(),
            status: status.into(),
            parameters: vec![("ArtifactBucket".into(), "b".into())],
            tags: vec![
                ("team".into(), "a".into()),
                ("aws:cloudformation:x".into(), "y".into()),
            ],
            ..StackInfo::default()
        }
    }

    fn params() -> Vec<(String, String)> {
        vec![("ArtifactBucket".into(), "b".into())]
    }

    fn tags() -> Vec<(String, String)> {
        vec![("team".into(), "a".into())]
    }

    /// An unchanged, stable stack in `mode`.
    fn unchanged(mode: ChangeSetMode, live: Option<&StackInfo>) -> Decision {
        let (p, t) = (params(), tags());
        decide(&Situation {
            mode,
            live,
            keep: false,
            moves: false,
            has_changes: false,
            parameters: &p,
            tags: &t,
        })
    }

    fn is_skip(d: &Decision) -> bool {
        matches!(d, Decision::Skip(_))
    }

    #[test]
    fn an_unchanged_stable_stack_gets_no_change_set_and_the_reason_says_so() {
        for status in STABLE {
            let s = stack(status);
            let d = unchanged(ChangeSetMode::Auto, Some(&s));
            let Decision::Skip(why) = d else {
                panic!("{status}: made")
            };
            assert!(
                why.contains(status) && why.contains("--change-set always"),
                "{why}"
            );
        }
    }

    #[test]
    fn a_stack_that_is_not_stable_gets_one_even_without_changes() {
        for status in [
            "UPDATE_ROLLBACK_FAILED",
            "UPDATE_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "ROLLBACK_COMPLETE",
            "ROLLBACK_FAILED",
            "DELETE_FAILED",
            "IMPORT_IN_PROGRESS",
        ] {
            let s = stack(status);
            assert_eq!(
                unchanged(ChangeSetMode::Auto, Some(&s)),
                Decision::Make,
                "{status}"
            );
        }
    }

    #[test]
    fn always_forces_one_and_never_refuses_one() {
        let s = stack("UPDATE_COMPLETE");
        assert_eq!(unchanged(ChangeSetMode::Always, Some(&s)), Decision::Make);
        assert_eq!(unchanged(ChangeSetMode::Always, None), Decision::Make);
        let never = unchanged(ChangeSetMode::Never, Some(&s));
        assert_eq!(never, Decision::Skip("--no-change-set".into()));
    }

    #[test]
    fn a_missing_stack_gets_none_unless_kept_or_forced() {
        assert!(is_skip(&unchanged(ChangeSetMode::Auto, None)));
        let (p, t) = (params(), tags());
        let kept = Situation {
            mode: ChangeSetMode::Auto,
            live: None,
            keep: true,
            moves: false,
            has_changes: true,
            parameters: &p,
            tags: &t,
        };
        assert_eq!(decide(&kept), Decision::Make);
    }

    #[test]
    fn a_saved_plan_of_an_unchanged_stack_keeps_none() {
        let s = stack("UPDATE_COMPLETE");
        let (p, t) = (params(), tags());
        let sit = Situation {
            mode: ChangeSetMode::Auto,
            live: Some(&s),
            keep: true,
            moves: false,
            has_changes: false,
            parameters: &p,
            tags: &t,
        };
        assert!(is_skip(&decide(&sit)));
    }

    #[test]
    fn changes_make_one_and_moves_leave_it_to_apply() {
        let s = stack("UPDATE_COMPLETE");
        let (p, t) = (params(), tags());
        let mut sit = Situation {
            mode: ChangeSetMode::Auto,
            live: Some(&s),
            keep: false,
            moves: false,
            has_changes: true,
            parameters: &p,
            tags: &t,
        };
        assert_eq!(decide(&sit), Decision::Make);
        sit.moves = true;
        sit.mode = ChangeSetMode::Always;
        assert!(is_skip(&decide(&sit)));
    }

    #[test]
    fn a_new_parameter_value_or_tag_makes_one_though_the_template_is_the_same() {
        let s = stack("UPDATE_COMPLETE");
        let other = vec![("ArtifactBucket".to_string(), "other".to_string())];
        let t = tags();
        let mut sit = Situation {
            mode: ChangeSetMode::Auto,
            live: Some(&s),
            keep: false,
            moves: false,
            has_changes: false,
            parameters: &other,
            tags: &t,
        };
        assert_eq!(decide(&sit), Decision::Make);
        let p = params();
        let more = vec![
            ("team".to_string(), "a".to_string()),
            ("cost".to_string(), "1".to_string()),
        ];
        sit.parameters = &p;
        sit.tags = &more;
        assert_eq!(decide(&sit), Decision::Make);
        sit.tags = &[];
        assert_eq!(decide(&sit), Decision::Make);
    }
}
