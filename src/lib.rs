//! fnplan: a serverless app spec in, lint findings, a CloudFormation template, plans and deployments out.

pub mod diagnostic;
pub mod graph;
pub mod lint;
pub mod model;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod template;
