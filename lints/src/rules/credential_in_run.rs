//! ## What it does
//! Flags credentials handled in a `RUN` without a secret mount: `docker login -p`,
//! `--password`/`-p<value>` options, `curl -u user:password`, URLs with
//! `user:password@`, `npm config set …:_authToken`, `.npmrc` lines with `_authToken=`,
//! `aws configure set aws_secret_access_key`, `sshpass -p`, and secret-like variables
//! assigned in front of a command (`AWS_SECRET_ACCESS_KEY=… aws s3 cp …`). Values are
//! never shown.
//!
//! ## Why is this bad?
//! The `RUN` command line is stored in the image history and the build cache, and (with
//! max-mode provenance) in attestations; a secret expanded from a build argument is
//! recorded with the step too. CIS Docker Benchmark 4.10: do not store secrets in
//! Dockerfiles. `RUN --mount=type=secret` hands the secret to the one step that needs it
//! and nothing records it. A `RUN` that already has a `secret` or `ssh` mount is not flagged.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! ARG NPM_TOKEN
//! RUN npm config set //registry.npmjs.org/:_authToken "$NPM_TOKEN" && npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
//! ```
//!
//! ## Fix safety
//! No fix: the secret has to be passed with `docker build --secret` by whoever builds.
//!
//! ## References
//! CIS Docker Benchmark 4.10; Trivy DS-0031 (its RUN part).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::run_scripts::{has_secret_mount, run_scripts};
use crate::rules::secrets::{has_url_credentials, is_placeholder, is_secret_name};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::shell::Command;
use crate::syntax::Keyword;

/// Metadata of HF410.
pub static META: RuleMeta = RuleMeta {
    code: "HF410",
    name: "credential-in-run",
    summary: "Credentials handled in RUN without a secret mount",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.10"],
        trivy: &["DS-0031"],
        ..Sources::NONE
    },
    doc: include_str!("credential_in_run.rs"),
};

/// HF410: credentials in RUN.
#[derive(Default)]
pub struct CredentialInRun;

/// Programs whose `-p<value>` / `-p value` is a password.
const PASSWORD_P: [&str; 6] = [
    "mysql",
    "mysqladmin",
    "mysqldump",
    "mariadb",
    "sshpass",
    "docker",
];

/// Why a command handles a credential on its command line (never the value).
fn credential_use(command: &Command) -> Option<&'static str> {
    let name = command.name().unwrap_or_default();
    let args = &command.args;
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if args.iter().enumerate().any(|(i, w)| {
        let text = w.text.as_str();
        let starts = |prefix: &str| {
            text.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        if !(text.eq_ignore_ascii_case("--password")
            || starts("--password=")
            || text.eq_ignore_ascii_case("--http-password")
            || starts("--http-password="))
        {
            return false;
        }
        // `--password $(head -c32 /dev/urandom | base64)`: made up during the build.
        let generated = args
            .get(i + 1)
            .is_some_and(|v| v.raw.starts_with("$(") || v.raw.starts_with("\"$("));
        !generated || text.contains('=')
    }) {
        return Some("a password is passed on the command line");
    }
    if PASSWORD_P.contains(&name) {
        let docker_login = name != "docker" || texts.first() == Some(&"login");
        if docker_login
            && texts.iter().enumerate().any(|(i, t)| {
                (t.len() > 2 && t.starts_with("-p") && name != "docker")
                    || (*t == "-p" && texts.get(i + 1).is_some_and(|v| !v.starts_with('-')))
            })
        {
            return Some("a password is passed with `-p`");
        }
    }
    if name == "curl"
        && command
            .flag_values("-u")
            .iter()
            .chain(&command.flag_values("--user"))
            .any(|v| v.text.split_once(':').is_some_and(|(_, p)| !p.is_empty()))
    {
        return Some("`curl -u user:password` puts the password on the command line");
    }
    if texts
        .iter()
        .any(|t| has_url_credentials(t) || url_with_variable_password(t))
    {
        return Some("a URL carries a user and password");
    }
    if texts
        .iter()
        .any(|t| t.contains("_authToken") || t.contains("_auth=") || t.contains("_password="))
    {
        return Some("a registry auth token is written by the RUN");
    }
    if name == "aws"
        && texts.first() == Some(&"configure")
        && texts.iter().any(|t| {
            t.eq_ignore_ascii_case("aws_secret_access_key")
                || t.eq_ignore_ascii_case("aws_session_token")
        })
    {
        return Some("`aws configure set` writes a secret key into the image");
    }
    if command.program.is_some()
        && command
            .assignments
            .iter()
            .any(|a| is_secret_name(&a.name) && !is_dummy(&a.value.text))
        && !command.is("export")
    {
        return Some("a secret-like variable is set on the command line");
    }
    None
}

/// Values that are obviously not secrets (`fake`, `dummy`, empty, `true`).
fn is_dummy(value: &str) -> bool {
    is_placeholder(value)
        || matches!(
            value.to_ascii_lowercase().as_str(),
            "fake" | "dummy" | "test" | "example" | "placeholder" | "unused" | "none"
        )
}

/// `https://user:$TOKEN@host`: the value is expanded into the command the step records.
fn url_with_variable_password(text: &str) -> bool {
    let Some(at) = text.find("://") else {
        return false;
    };
    let rest = &text[at + 3..];
    let authority = rest.split('/').next().unwrap_or(rest);
    authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
        userinfo.contains('$') && (userinfo.contains(':') || userinfo.len() > 1)
    })
}

impl Rule for CredentialInRun {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run || has_secret_mount(at.instruction) {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                if let Some(why) = credential_use(command) {
                    out.push(
                        META.diagnostic(
                            run.span(command.program.as_ref().map_or(command.span, |p| p.span)),
                            format!("Credentials in RUN: {why}"),
                        )
                        .with_help("Pass it with `RUN --mount=type=secret,id=…` and `docker build --secret`"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags, findings};

    #[test]
    fn flags_credentials() {
        for source in [
            "RUN docker login -u me -p s3cr3t registry.x",
            "RUN mysql -uroot -ps3cr3t -e 'select 1'",
            "RUN curl -u me:s3cr3t https://x/y",
            "RUN git clone https://me:s3cr3t@github.com/x/y.git",
            "RUN git clone https://oauth2:${TOKEN}@gitlab.com/x/y.git",
            "RUN npm config set //registry.npmjs.org/:_authToken $NPM_TOKEN",
            "RUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc",
            "RUN aws configure set aws_secret_access_key $KEY",
            "RUN AWS_SECRET_ACCESS_KEY=abc aws s3 cp s3://b/x /x",
            "RUN wget --password=s3cr3t https://x/y",
            "RUN useradd --password \"$PASSWORD\" app",
        ] {
            assert_flags("HF410", &format!("FROM a:1\n{source}\n"), 1);
        }
    }

    #[test]
    fn secret_mounts_and_stdin_are_fine() {
        assert_clean(
            "HF410",
            "FROM a:1\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm config set //r/:_authToken x\n",
        );
        assert_clean(
            "HF410",
            "FROM a:1\nRUN cat /run/secrets/t | docker login -u me --password-stdin r\n",
        );
        assert_clean(
            "HF410",
            "FROM a:1\nRUN mkdir -p /a/b && ssh-keygen -P '' -f k\n",
        );
        assert_clean(
            "HF410",
            "FROM a:1\nRUN git clone https://github.com/x/y.git\n",
        );
        assert_clean(
            "HF410",
            "FROM a:1\nRUN useradd --password $(head -c32 /dev/urandom | base64) u && API_KEY=fake app version\n",
        );
    }

    #[test]
    fn values_are_redacted() {
        for d in findings("HF410", "FROM a:1\nRUN curl -u me:hunter2 https://x\n") {
            assert!(!d.message.contains("hunter2"));
        }
    }
}
