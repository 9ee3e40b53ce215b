//! AWS service limits fnplan checks or works around, each defined once: nothing in,
//! constants out. Sources: "Understand CloudFormation quotas" (CloudFormation User
//! Guide) and "Lambda quotas" (Lambda Developer Guide); see ../shared/AWS-LIMITS.md.

/// A template sent inline as `TemplateBody`, in bytes; larger ones go through S3.
pub const INLINE_TEMPLATE_BYTES: usize = 51_200;
/// A template read from S3 (`TemplateURL`), in bytes.
pub const S3_TEMPLATE_BYTES: usize = 1_000_000;
/// Resources in one stack.
pub const STACK_RESOURCES: usize = 500;
/// Parameters of one stack.
pub const STACK_PARAMETERS: usize = 200;
/// Outputs of one stack.
pub const STACK_OUTPUTS: usize = 200;

/// Lambda's concurrency limit per account and region unless raised (Lambda quotas,
/// "Concurrent executions").
pub const ACCOUNT_CONCURRENCY: u32 = 1_000;
/// Concurrency Lambda keeps unreserved for functions without a reservation
/// (PutFunctionConcurrency: at least 100 simultaneous executions stay unreserved).
pub const UNRESERVED_CONCURRENCY: u32 = 100;
/// Layers one function may use (Lambda quotas, "Lambda layers").
pub const FUNCTION_LAYERS: usize = 5;
/// Runtimes one layer version may name (`CompatibleRuntimes`).
pub const LAYER_RUNTIMES: usize = 15;

/// Lambda's limit on a function's unzipped code, its layers included, in bytes (Lambda
/// quotas, "Deployment package (.zip file archive) size": 250 MB unzipped).
pub const LAMBDA_UNZIPPED_BYTES: u64 = 250 * 1024 * 1024;

/// The per-stack counts past CloudFormation's limits, `(what, count, limit)` with `what`
/// one of `resources`, `parameters`, `outputs`.
pub fn stack_overflows(
    resources: usize,
    parameters: usize,
    outputs: usize,
) -> Vec<(&'static str, usize, usize)> {
    [
        ("resources", resources, STACK_RESOURCES),
        ("parameters", parameters, STACK_PARAMETERS),
        ("outputs", outputs, STACK_OUTPUTS),
    ]
    .into_iter()
    .filter(|(_, n, max)| n > max)
    .collect()
}
