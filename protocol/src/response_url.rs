//! Which ResponseURLs we are willing to PUT to, and how they appear in logs.
//!
//! The ResponseURL is a presigned S3 URL: a credential that lets its holder answer for the
//! stack. A crafted event could also point it anywhere (an internal service, the instance
//! metadata endpoint), so we only PUT over https to AWS hosts: `*.amazonaws.com` and
//! `*.amazonaws.com.cn`, plus any suffixes listed in `RESPONSE_URL_ALLOWED_HOST_SUFFIXES`
//! (comma-separated) for other partitions. Plain http to a loopback address is allowed only
//! with `ALLOW_LOOPBACK_RESPONSE_URL=true`, for tests and the local demo.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;
use thiserror::Error;

/// Environment variable that adds host suffixes (comma-separated) to the allow-list.
pub const ALLOWED_SUFFIXES_ENV: &str = "RESPONSE_URL_ALLOWED_HOST_SUFFIXES";
/// Environment variable that allows http(s) to loopback addresses when `true`.
pub const ALLOW_LOOPBACK_ENV: &str = "ALLOW_LOOPBACK_RESPONSE_URL";

const DEFAULT_SUFFIXES: [&str; 2] = ["amazonaws.com", "amazonaws.com.cn"];

/// A ResponseURL that passed the policy. Its `Display` and `Debug` never show the query string.
#[derive(Clone)]
pub struct ResponseUrl(Url);

/// Why a ResponseURL was refused. The text never contains the URL's query string.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    #[error("the ResponseURL is not a valid URL")]
    Invalid,
    #[error("the ResponseURL host {0} is not an AWS host")]
    HostNotAllowed(String),
    #[error("the ResponseURL scheme {0} is not https")]
    NotHttps(String),
}

/// The allow-list, read once from the environment.
#[derive(Debug, Clone)]
pub struct UrlPolicy {
    suffixes: Vec<String>,
    allow_loopback: bool,
}

impl UrlPolicy {
    /// The policy from `RESPONSE_URL_ALLOWED_HOST_SUFFIXES` and `ALLOW_LOOPBACK_RESPONSE_URL`.
    pub fn from_env() -> Self {
        let extra = std::env::var(ALLOWED_SUFFIXES_ENV).unwrap_or_default();
        let allow_loopback =
            std::env::var(ALLOW_LOOPBACK_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        Self::new(extra.split(','), allow_loopback)
    }

    /// The default suffixes plus `extra` ones (leading dots and blanks are ignored).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>, allow_loopback: bool) -> Self {
        let mut suffixes: Vec<String> = DEFAULT_SUFFIXES.iter().map(|s| s.to_string()).collect();
        suffixes.extend(
            extra
                .into_iter()
                .map(|s| s.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|s| !s.is_empty()),
        );
        Self {
            suffixes,
            allow_loopback,
        }
    }

    /// Checks `raw` against the policy.
    pub fn check(&self, raw: &str) -> Result<ResponseUrl, UrlError> {
        let url = Url::parse(raw.trim()).map_err(|_| UrlError::Invalid)?;
        let host = url
            .host_str()
            .ok_or(UrlError::Invalid)?
            .to_ascii_lowercase();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Invalid);
        }
        let scheme = url.scheme();
        if self.allow_loopback && is_loopback(&host) && matches!(scheme, "http" | "https") {
            return Ok(ResponseUrl(url));
        }
        let aws_host = self.suffixes.iter().any(|suffix| {
            host.len() > suffix.len()
                && host.ends_with(suffix.as_str())
                && host[..host.len() - suffix.len()].ends_with('.')
        });
        if !aws_host {
            return Err(UrlError::HostNotAllowed(host.chars().take(253).collect()));
        }
        if scheme != "https" {
            return Err(UrlError::NotHttps(scheme.chars().take(16).collect()));
        }
        Ok(ResponseUrl(url))
    }
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

impl ResponseUrl {
    /// The full URL, query string included: for the HTTP client only.
    pub(crate) fn as_url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for ResponseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.0;
        write!(f, "{}://{}", url.scheme(), url.host_str().unwrap_or(""))?;
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        write!(f, "{}", url.path())?;
        if url.query().is_some() {
            f.write_str("?<redacted>")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ResponseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S3: &str = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/x?X-Amz-Signature=SECRET&X-Amz-Credential=AK";

    #[test]
    fn aws_hosts_over_https_pass() {
        let policy = UrlPolicy::new([], false);
        assert!(policy.check(S3).is_ok());
        assert!(policy
            .check("https://b.s3.cn-north-1.amazonaws.com.cn/x?y=1")
            .is_ok());
    }

    #[test]
    fn everything_else_is_refused() {
        let policy = UrlPolicy::new([], false);
        assert!(matches!(policy.check("not a url"), Err(UrlError::Invalid)));
        assert!(matches!(
            policy.check("http://x.s3.amazonaws.com/y"),
            Err(UrlError::NotHttps(_))
        ));
        for refused in [
            "https://amazonaws.com/x",
            "https://evilamazonaws.com/x",
            "https://s3.amazonaws.com.evil.net/x",
            "https://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:9000/x",
            "https://user:pw@x.s3.amazonaws.com/x",
        ] {
            assert!(policy.check(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn loopback_needs_the_switch() {
        let policy = UrlPolicy::new([], true);
        assert!(policy.check("http://127.0.0.1:9000/x?sig=1").is_ok());
        assert!(policy.check("http://localhost:9000/x").is_ok());
        assert!(policy.check("http://[::1]:9000/x").is_ok());
        assert!(policy.check("http://10.0.0.1/x").is_err());
    }

    #[test]
    fn extra_suffixes_extend_the_list() {
        let policy = UrlPolicy::new([" .amazonaws.eu ", ""], false);
        assert!(policy.check("https://bucket.s3.amazonaws.eu/x").is_ok());
        assert!(policy.check("https://bucket.s3.example.eu/x").is_err());
    }

    #[test]
    fn display_hides_the_query() {
        let url = UrlPolicy::new([], false).check(S3).unwrap();
        let shown = format!("{url} {url:?}");
        assert!(!shown.contains("SECRET"));
        assert!(!shown.contains("X-Amz"));
        assert!(shown.contains("?<redacted>"));
    }

    #[test]
    fn refusal_reasons_hide_the_query() {
        let err = UrlPolicy::new([], false)
            .check("https://evil.example.com/x?X-Amz-Signature=SECRET")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }
}
