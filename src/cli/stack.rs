//! `fnplan destroy` and `fnplan status`: flags in, [`StackOptions`] to the operations; how
//! the deletion ended, or the stack's status, events, outputs and drift hints out.

use super::apply::{show_refusal, show_watched};
use super::{Output, SpecArgs};
use crate::deploy::client::AwsOptions;
use crate::deploy::follow::{self, Progress};
use crate::ops::stack::{self, DestroyOutcome, DestroyPreview, StackOptions, StatusOutcome};
use crate::ops::{OpsError, Outcome};

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
    /// Delete without asking (for CI).
    #[arg(long)]
    pub auto_approve: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: Progress,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub aws: AwsOptions,
    /// How many recent events to show.
    #[arg(long, default_value_t = 10)]
    pub events: usize,
}

pub fn run_destroy(a: DestroyArgs, out: &Output) -> Result<Outcome, OpsError> {
    let o = StackOptions {
        spec: a.spec.spec_ref(),
        aws: a.aws,
    };
    stack::destroy(&o, a.auto_approve, out).map(Outcome::Destroy)
}

pub fn show_destroy(d: &DestroyOutcome, out: &Output) -> std::io::Result<()> {
    match d {
        DestroyOutcome::Missing { stack } => out.print(&format!(
            "Stack {stack} does not exist; nothing to destroy.\n"
        )),
        DestroyOutcome::Destroyed { stack, watched } => show_watched(watched, stack, out),
        DestroyOutcome::Refused(r) => {
            show_refusal(r, "destroy", out);
            Ok(())
        }
    }
}

/// What `destroy` deletes and keeps, shown before it asks.
pub fn destroy_preview(p: &DestroyPreview) -> String {
    let mut s = format!("Destroying stack {} ({}):\n", p.stack, p.status);
    s.push_str(&format!(
        "\n- {} resource(s) will be deleted:\n",
        p.deleted.len()
    ));
    for (id, ty) in &p.deleted {
        s.push_str(&format!("    - {id} ({ty})\n"));
    }
    if !p.kept.is_empty() {
        s.push_str(&format!(
            "\n= {} resource(s) will be kept with their data (DeletionPolicy: Retain):\n",
            p.kept.len()
        ));
        for (id, ty) in &p.kept {
            s.push_str(&format!("    = {id} ({ty})\n"));
        }
        s.push_str("  They stay in the account after the stack is gone; delete them yourself when you no longer need the data.\n");
    }
    s
}

pub fn run_status(a: StatusArgs) -> Result<Outcome, OpsError> {
    let o = StackOptions {
        spec: a.spec.spec_ref(),
        aws: a.aws,
    };
    let s = stack::status(&o, a.events)?;
    Ok(Outcome::Status(Box::new(s)))
}

pub fn show_status(st: &StatusOutcome, out: &Output) -> std::io::Result<()> {
    let name = &st.stack;
    let Some(info) = &st.info else {
        return out.print(&format!(
            "Stack {name} does not exist. `fnplan apply` creates it.\n"
        ));
    };
    let color = out.color.use_color_for_stdout();
    let mut s = format!("Stack {name}: {}\n", info.status);
    if let Some(r) = &info.status_reason {
        s.push_str(&format!("  {r}\n"));
    }
    if let Some(t) = &info.last_updated {
        s.push_str(&format!("  last updated {t}\n"));
    }
    s.push_str(&format!("  id {}\n", info.stack_id));
    if !st.events.is_empty() {
        s.push_str(&format!(
            "\nLast {} event(s), newest last:\n",
            st.events.len()
        ));
        for e in st.events.iter().rev() {
            let line = follow::line(e, std::time::Duration::ZERO, None, color);
            let line = line.trim_start_matches([' ', '0', '.', 's']).trim_start();
            s.push_str(&format!("  {}  {line}\n", e.timestamp));
        }
        if let Some(first) = &st.first_failure {
            s.push_str(&format!(
                "\nFirst failure: {} ({}): {}\n",
                first.logical_id,
                first.status,
                first.reason.as_deref().unwrap_or("no reason given")
            ));
        }
    }
    if !info.outputs.is_empty() {
        s.push_str("\nOutputs:\n");
        for (k, v) in &info.outputs {
            s.push_str(&format!("  {k} = {v}\n"));
        }
    }
    s.push_str(if st.matches_spec {
        "\nThe deployed template matches the spec.\n"
    } else {
        "\nThe deployed template differs from the spec: `fnplan plan` shows how.\n"
    });
    s.push_str(&format!(
        "Changes made outside CloudFormation: `aws cloudformation detect-stack-drift --stack-name {name}`.\n"
    ));
    out.print(&s)
}
