//! AWS SDK failures: any SDK error (CloudFormation, S3, ...) in, the failed operation with
//! the service's code and message, or the whole chain of a transport failure, out.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// A failed AWS call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// The service answered with an error.
    #[error("{operation} failed: {code}: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// No answer: connection, timeout, or a response that could not be read.
    #[error("{operation} failed: {message}")]
    Transport {
        operation: &'static str,
        message: String,
    },
}

/// Map an SDK error of `operation`.
pub fn from_sdk<E, R>(operation: &'static str, e: SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &e {
        SdkError::ServiceError(s) => {
            let inner = s.err();
            AwsError::Service {
                operation,
                code: inner.code().unwrap_or("Unknown").to_string(),
                message: inner.message().unwrap_or("").to_string(),
            }
        }
        other => {
            use std::error::Error;
            let mut message = other.to_string();
            let mut src = other.source();
            while let Some(s) = src {
                message.push_str(": ");
                message.push_str(&s.to_string());
                src = s.source();
            }
            AwsError::Transport { operation, message }
        }
    }
}
