//! Secret detection shared by the HF4xx rules: names (BuildKit's token rule plus known
//! names) and value shapes. Nothing here ever returns or formats a secret value.

/// Tokens BuildKit's `SecretsUsedInArgOrEnv` treats as secret (case-insensitive, delimited
/// by `_` or the ends of the name).
const SECRET_TOKENS: [&str; 10] = [
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Tokens that make a name public again (`PUBLIC_KEY`, `GPG_KEY`, `KEY_FILE`, `TOKEN_URL`).
const ALLOW_TOKENS: [&str; 13] = [
    "public",
    "file",
    "path",
    "dir",
    "version",
    "gpg",
    "pgp",
    "fingerprint",
    "id",
    "url",
    "type",
    "name",
    "length",
];

/// Secret-like names that the token rule misses.
const KNOWN_NAMES: [&str; 8] = [
    "passphrase",
    "private_key",
    "privatekey",
    "client_secret",
    "access_key",
    "secret_key",
    "connection_string",
    "htpasswd",
];

/// Whether an ENV/ARG name looks like it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(['_', '-', '.']).collect();
    if tokens.iter().any(|t| ALLOW_TOKENS.contains(t)) {
        return false;
    }
    tokens.iter().any(|t| SECRET_TOKENS.contains(t))
        || KNOWN_NAMES.iter().any(|k| lower.contains(k))
}

/// What kind of credential a text contains, by shape (never the value itself).
pub fn secret_shape(text: &str) -> Option<&'static str> {
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return Some("a PEM private key");
    }
    if let Some(kind) = token_shape(text) {
        return Some(kind);
    }
    if has_url_credentials(text) {
        return Some("a URL with a password");
    }
    None
}

fn token_shape(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let alnum_run = |from: usize| {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
    };
    for (i, &first) in bytes.iter().enumerate() {
        // Every shape below starts with one of these ASCII letters at a word boundary.
        if !matches!(first, b'A' | b'g' | b'x' | b'n' | b's')
            || (i > 0 && bytes[i - 1].is_ascii_alphanumeric())
        {
            continue;
        }
        let rest = &text[i..];
        if (rest.starts_with("AKIA") || rest.starts_with("ASIA"))
            && bytes[i + 4..]
                .iter()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                .count()
                == 16
        {
            return Some("an AWS access key");
        }
        for prefix in ["ghp_", "gho_", "ghs_", "ghu_", "ghr_"] {
            if rest.starts_with(prefix) && alnum_run(i + 4) >= 36 {
                return Some("a GitHub token");
            }
        }
        if rest.starts_with("github_pat_") && alnum_run(i + 11) >= 22 {
            return Some("a GitHub token");
        }
        if rest.starts_with("glpat-") && alnum_run(i + 6) >= 20 {
            return Some("a GitLab token");
        }
        if rest.len() > 5
            && rest.starts_with("xox")
            && matches!(bytes[i + 3], b'a' | b'b' | b'p' | b'r' | b's')
            && bytes[i + 4] == b'-'
            && alnum_run(i + 5) >= 10
        {
            return Some("a Slack token");
        }
        if rest.starts_with("npm_") && alnum_run(i + 4) >= 36 {
            return Some("an npm token");
        }
        if rest.starts_with("sk_live_") && alnum_run(i + 8) >= 20 {
            return Some("a Stripe key");
        }
    }
    None
}

/// `scheme://user:password@host` with a literal password (not `$VAR`, not empty).
pub fn has_url_credentials(text: &str) -> bool {
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let after = &rest[pos + 3..];
        let authority_end = after
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((user, password)) = userinfo.split_once(':')
            && !user.is_empty()
            && !password.is_empty()
            && !password.starts_with('$')
            && !password.starts_with('%')
            && !password.contains("${")
            && password != "x-oauth-basic"
        {
            return true;
        }
        rest = &after[authority_end..];
    }
    false
}

/// Whether an ENV/ARG value carries nothing secret: empty, or a flag-like word
/// (`true`, `0`, `changeme`). A `$VAR` reference still counts: ENV persists its value.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    v.is_empty()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "changeme" | "change_me" | "xxx" | "none" | "null" | "false" | "true" | "0" | "1"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "db_password",
            "API_KEY",
            "apikey",
            "MY_PASSPHRASE",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "GPG_KEY",
            "PUBLIC_KEY",
            "KEY_FILE",
            "TOKEN_URL",
            "MONKEY",
            "PATH",
            "KEYS_VERSION",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(
            secret_shape("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key")
        );
        assert_eq!(
            secret_shape("token ghp_0123456789abcdefghijklmnopqrstuvwxyz"),
            Some("a GitHub token")
        );
        assert_eq!(
            secret_shape("https://u:p4ss@host/x"),
            Some("a URL with a password")
        );
        assert_eq!(secret_shape("https://u:$PASS@host/x"), None);
        assert_eq!(secret_shape("https://host/x@y"), None);
        assert_eq!(
            secret_shape("-----BEGIN RSA PRIVATE KEY-----"),
            Some("a PEM private key")
        );
        assert_eq!(secret_shape("plain text"), None);
    }
}
