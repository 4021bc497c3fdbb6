//! Rules for the physical ids this layer invents itself.
//!
//! A Create that fails still has to answer with a PhysicalResourceId, and CloudFormation then
//! sends a Delete carrying that id. The id must never name a real resource (or the Delete would
//! destroy something the stack does not own), so it is a marker that no resource ever uses:
//! the protocol layer answers the Delete of a marker itself and never calls the resource.

/// Prefix of every failed-Create marker. Resource ids are never allowed to start with it.
pub const FAILED_CREATE_PREFIX: &str = "failed-create.";

/// Physical ids are at most 1 KB by the protocol.
pub const MAX_PHYSICAL_ID_BYTES: usize = 1024;

/// The marker a failed Create answers with. It is derived from the RequestId, so a redelivered
/// Create answers with the same marker, and it keeps only characters that cannot be confused
/// with a resource's own id syntax (no `:`, `/` or `|`).
pub fn failed_create_marker(request_id: &str) -> String {
    let clean: String = request_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(200)
        .collect();
    let suffix = if clean.is_empty() { "unknown" } else { &clean };
    format!("{FAILED_CREATE_PREFIX}{suffix}")
}

/// Whether `id` is a marker written by [`failed_create_marker`].
pub fn is_failed_create_marker(id: &str) -> bool {
    id.starts_with(FAILED_CREATE_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_recognised_and_stable() {
        let id = "6b2f0c2e-7d8a-4b8c-9a51-6b1f0a3f7c11";
        let marker = failed_create_marker(id);
        assert_eq!(marker, format!("failed-create.{id}"));
        assert_eq!(marker, failed_create_marker(id));
        assert!(is_failed_create_marker(&marker));
    }

    #[test]
    fn marker_never_carries_id_separators() {
        let marker = failed_create_marker("a:b/c|d e");
        assert_eq!(marker, "failed-create.abcde");
        assert!(!marker[FAILED_CREATE_PREFIX.len()..].contains(':'));
    }

    #[test]
    fn marker_of_empty_or_huge_request_id_is_bounded() {
        assert_eq!(failed_create_marker(""), "failed-create.unknown");
        let huge = "x".repeat(10_000);
        assert!(failed_create_marker(&huge).len() <= MAX_PHYSICAL_ID_BYTES);
    }

    #[test]
    fn real_ids_are_not_markers() {
        assert!(!is_failed_create_marker("instance-id:user-id"));
        assert!(!is_failed_create_marker(""));
    }
}
