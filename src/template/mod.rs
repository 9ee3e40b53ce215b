//! Rendering: a `Model` and its `AppGraph` in, a deterministic CloudFormation template out.
