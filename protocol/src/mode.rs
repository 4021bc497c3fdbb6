//! How the answer reaches CloudFormation: `RESPONSE_MODE`, read once when the process starts.
//!
//! - `put` (the default; unset or empty is `put`): CloudFormation invokes the function
//!   directly, and the answer is PUT to the event's presigned ResponseURL.
//! - `return`: the CDK Provider framework (`custom-resources.Provider`) invokes the function
//!   and PUTs the answer itself, built from the invocation's result: nothing is ever PUT here,
//!   whatever ResponseURL the event carries (the framework passes the real one along "for
//!   compatibility": aws-cdk, `custom-resources/provider-framework/runtime/framework.ts`,
//!   `invokeUserFunction`). Success is the result `{"PhysicalResourceId", "Data"}`; failure is
//!   an invocation error whose message the framework turns into the FAILED reason.
//!
//! Any other value is a mistake that must not go unnoticed: every event fails with a reason
//! naming `RESPONSE_MODE` (see [`ResponseMode::Invalid`]).
//!
//! Also here: the two checks of an event's `ServiceToken` against the function's own ARN
//! that catch a mode that does not fit the way the function is invoked.

use super::resource::FailedCreateCleanup;
use super::response::{clean_reason, cut_to_bytes};

/// The environment variable that chooses the mode.
pub const RESPONSE_MODE_ENV: &str = "RESPONSE_MODE";

/// The longest invocation-error message in `return` mode, in bytes.
///
/// The framework appends `"\n\nLogs: /aws/lambda/<function name>\n"` and, as the reason, the
/// stack of the JavaScript error it throws (`reason: e.stack`), then PUTs the body without
/// cutting anything (aws-cdk `provider-framework/runtime/framework.ts` `invokeUserFunction`
/// and `cfn-response.ts` `submitResponse`/`safeHandler`); CloudFormation rejects a body over
/// 4096 bytes ("Response object is too long", see [`super::response::MAX_BODY_BYTES`]).
/// Assumption (AWS documents no budget for this): 2,500 bytes leave about 1,500 for the
/// echoed ids, the framework's log-group line and its stack frames.
pub const MAX_RETURNED_REASON_BYTES: usize = 2_500;

const ELLIPSIS: &str = "…";

/// The mode, as read from [`RESPONSE_MODE_ENV`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseMode {
    /// PUT the answer to the ResponseURL (CloudFormation invokes the function directly).
    Put,
    /// Answer by the invocation's result or error (the CDK Provider framework invokes it).
    Return,
    /// Neither: every event fails with [`ResponseMode::problem`]. The event is still answered
    /// as in `put` mode (a FAILED answer PUT to a usable ResponseURL, so that a stack that
    /// invokes the function directly does not wait an hour) *and* the invocation fails with the
    /// same reason (so that a Provider framework in front reports FAILED rather than PUTting
    /// SUCCESS built from a summary). The process keeps serving.
    Invalid(String),
}

impl ResponseMode {
    /// Who removes what a failed Create made: the function itself in `return` mode, else
    /// CloudFormation's rollback Delete.
    pub fn failed_create_cleanup(&self) -> FailedCreateCleanup {
        match self {
            ResponseMode::Return => FailedCreateCleanup::DeletedHere,
            ResponseMode::Put | ResponseMode::Invalid(_) => FailedCreateCleanup::RollbackDeletes,
        }
    }

    /// Reads a value: `put`, `return`, or unset/empty (= `put`). Anything else, even in
    /// another case, is [`ResponseMode::Invalid`]: the CDK construct writes exactly these
    /// words, and a near miss is better reported than guessed.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            None | Some("") | Some("put") => ResponseMode::Put,
            Some("return") => ResponseMode::Return,
            Some(other) => ResponseMode::Invalid(other.chars().take(64).collect()),
        }
    }

    /// The mode of this process, from [`RESPONSE_MODE_ENV`]; a value that is not Unicode is
    /// invalid too.
    pub fn from_env() -> Self {
        match std::env::var(RESPONSE_MODE_ENV) {
            Ok(value) => Self::parse(Some(&value)),
            Err(std::env::VarError::NotPresent) => ResponseMode::Put,
            Err(std::env::VarError::NotUnicode(_)) => {
                ResponseMode::Invalid("(not valid Unicode)".to_owned())
            }
        }
    }

    /// The FAILED reason every event gets when the mode is invalid.
    pub fn problem(&self) -> Option<String> {
        match self {
            ResponseMode::Invalid(value) => Some(format!(
                "the function is misconfigured: its environment variable {RESPONSE_MODE_ENV} is {value:?}, but must be \"put\" (the default: CloudFormation invokes the function directly) or \"return\" (the CDK Provider framework invokes it); nothing was done. Fix the variable and retry"
            )),
            _ => None,
        }
    }
}

/// `reason` as a `return`-mode error message: control characters cleaned as in a PUT answer,
/// at most [`MAX_RETURNED_REASON_BYTES`], cut on a character boundary and marked with `…`.
pub fn returned_reason(reason: &str) -> String {
    cap_reason(reason, MAX_RETURNED_REASON_BYTES)
}

/// `reason`, control characters cleaned, in at most `max` bytes: cut on a character boundary
/// and marked with `…` when it is longer.
pub fn cap_reason(reason: &str, max: usize) -> String {
    let clean = clean_reason(reason);
    if clean.len() <= max || max < ELLIPSIS.len() {
        return cut_to_bytes(&clean, max);
    }
    let mut cut = cut_to_bytes(&clean, max.saturating_sub(ELLIPSIS.len()));
    cut.push_str(ELLIPSIS);
    cut
}

/// A Lambda function ARN without its version or alias:
/// `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]` →
/// `arn:<partition>:lambda:<region>:<account>:function:<name>` (Lambda Developer Guide,
/// "Lambda function versions", qualified and unqualified ARNs:
/// https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html). `None` when
/// `arn` is not a Lambda function ARN (an SNS topic, say: a ServiceToken may be either,
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html).
pub fn unqualified_function_arn(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(8, ':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] if !name.is_empty() => {
            let length = parts[..7].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
            Some(&arn[..length])
        }
        _ => None,
    }
}

/// Whether the event's ServiceToken names this very function (`Some(true)`), another
/// function (`Some(false)`), or cannot tell (`None`: no token, no own ARN, or either one not
/// a Lambda function ARN). Versions and aliases are ignored on both sides.
pub fn token_names_this_function(service_token: Option<&str>, own_arn: &str) -> Option<bool> {
    let token = unqualified_function_arn(service_token?)?;
    let own = unqualified_function_arn(own_arn)?;
    Some(token == own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_the_default_and_only_two_words_are_modes() {
        assert_eq!(ResponseMode::parse(None), ResponseMode::Put);
        assert_eq!(ResponseMode::parse(Some("")), ResponseMode::Put);
        assert_eq!(ResponseMode::parse(Some("put")), ResponseMode::Put);
        assert_eq!(ResponseMode::parse(Some("return")), ResponseMode::Return);
        for wrong in ["Return", "PUT", " return", "return ", "returns", "direct"] {
            let mode = ResponseMode::parse(Some(wrong));
            assert_eq!(mode, ResponseMode::Invalid(wrong.to_owned()));
            let problem = mode.problem().unwrap();
            assert!(problem.contains("RESPONSE_MODE"), "{problem}");
            assert!(problem.contains(&format!("{wrong:?}")), "{problem}");
        }
        assert_eq!(ResponseMode::Put.problem(), None);
        assert_eq!(ResponseMode::Return.problem(), None);
    }

    #[test]
    fn an_invalid_value_is_shown_cut_short() {
        let mode = ResponseMode::parse(Some(&"x".repeat(10_000)));
        assert!(mode.problem().unwrap().len() < 500);
    }

    #[test]
    fn a_returned_reason_is_capped_on_a_char_boundary() {
        assert_eq!(returned_reason("short\nreason\u{7}"), "short reason");
        for filler in ["x", "é", "😀"] {
            let reason = returned_reason(&filler.repeat(5_000));
            assert!(reason.len() <= MAX_RETURNED_REASON_BYTES, "{filler}");
            assert!(
                reason.len() > MAX_RETURNED_REASON_BYTES - 8,
                "{filler}: {}",
                reason.len()
            );
            assert!(reason.ends_with(ELLIPSIS));
            assert!(reason
                .trim_end_matches(ELLIPSIS)
                .chars()
                .all(|c| c.to_string() == filler));
        }
        let exact = "y".repeat(MAX_RETURNED_REASON_BYTES);
        assert_eq!(returned_reason(&exact), exact);
    }

    #[test]
    fn function_arns_lose_their_version_or_alias() {
        let base = "arn:aws:lambda:eu-west-1:123456789012:function:connect-user";
        assert_eq!(unqualified_function_arn(base), Some(base));
        assert_eq!(unqualified_function_arn(&format!("{base}:7")), Some(base));
        assert_eq!(
            unqualified_function_arn(&format!("{base}:live")),
            Some(base)
        );
        assert_eq!(
            unqualified_function_arn(&format!("{base}:$LATEST")),
            Some(base)
        );
        let china = "arn:aws-cn:lambda:cn-north-1:123456789012:function:f";
        assert_eq!(unqualified_function_arn(china), Some(china));
        for not_a_function in [
            "arn:aws:sns:us-east-1:123456789012:topic",
            "arn:aws:lambda:us-east-1:123456789012:layer:l:1",
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "connect-user",
            "",
        ] {
            assert_eq!(
                unqualified_function_arn(not_a_function),
                None,
                "{not_a_function}"
            );
        }
    }

    #[test]
    fn the_service_token_is_compared_without_qualifiers() {
        let own = "arn:aws:lambda:us-east-1:123456789012:function:connect-user-resource";
        let framework =
            "arn:aws:lambda:us-east-1:123456789012:function:Stack-ProviderframeworkonEvent-AbC";
        assert_eq!(token_names_this_function(Some(own), own), Some(true));
        assert_eq!(
            token_names_this_function(Some(&format!("{own}:live")), &format!("{own}:3")),
            Some(true)
        );
        assert_eq!(token_names_this_function(Some(framework), own), Some(false));
        let other_account = own.replace("123456789012", "210987654321");
        assert_eq!(
            token_names_this_function(Some(&other_account), own),
            Some(false)
        );
        assert_eq!(token_names_this_function(None, own), None);
        assert_eq!(token_names_this_function(Some(own), ""), None);
        assert_eq!(
            token_names_this_function(Some("arn:aws:sns:us-east-1:123456789012:t"), own),
            None
        );
    }
}
