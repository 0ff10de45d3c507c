//! `ovh-publiccloud-operator credentials`: OVH credentials made for the operator. With application
//! keys, requests a consumer key with exactly the operator's access rules
//! ([`ACCESS_RULES`](crate::ovh::access::ACCESS_RULES)) and prints where to validate it and the
//! Secret to create; with `--oauth2`, prints the IAM policy a service account needs.
//!
//! The application secret is not needed to request a key (the request is unsigned). It is needed
//! in the Secret, so the printed `kubectl` command reads it from `$OVH_APPLICATION_SECRET` when
//! run, rather than printing it: terminals, CI logs and pasted transcripts keep what is printed.
//! `--show-secret` prints it in the command instead. The consumer key is printed: it exists
//! nowhere else, and it is useless without the secret.

use std::fmt::Write as _;

use crate::ovh::access;

#[derive(clap::Args, Clone, Debug)]
pub struct CredentialsArgs {
    /// OVH API: ovh-eu, ovh-ca, ovh-us, or a base URL (e.g. a simulator's).
    #[arg(long, env = "OVH_ENDPOINT", default_value = "ovh-eu")]
    pub endpoint: String,
    /// Application key (create an application at https://eu.api.ovh.com/createApp/, or the
    /// ca/us equivalent).
    #[arg(long, env = "OVH_APPLICATION_KEY", required_unless_present = "oauth2")]
    pub application_key: Option<String>,
    /// Application secret: printed in the Secret command only with --show-secret; otherwise the
    /// command reads $OVH_APPLICATION_SECRET.
    #[arg(long, env = "OVH_APPLICATION_SECRET", hide_env_values = true)]
    pub application_secret: Option<String>,
    /// Where OVH sends the person after validation.
    #[arg(long)]
    pub redirection: Option<String>,
    /// Restrict the key to these IP blocks (repeatable), e.g. the cluster's egress address.
    #[arg(long = "allowed-ip", value_name = "CIDR")]
    pub allowed_ips: Vec<String>,
    /// Name of the Secret to create.
    #[arg(long, default_value = "ovh-credentials")]
    pub secret_name: String,
    /// Namespace of the Secret (kubectl's current namespace when absent).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Print the application secret in the Secret command instead of "$OVH_APPLICATION_SECRET".
    #[arg(long, requires = "application_secret")]
    pub show_secret: bool,
    /// Print the IAM policy (JSON, for POST /v2/iam/policy) of an OAuth2 service account instead.
    #[arg(long, conflicts_with_all = ["redirection", "allowed_ips", "show_secret"])]
    pub oauth2: bool,
    /// With --oauth2: the account's nichandle, e.g. xx11111-ovh.
    #[arg(long, default_value = "ACCOUNT", requires = "oauth2")]
    pub account: String,
    /// With --oauth2: the service account's clientId.
    #[arg(long, default_value = "CLIENT_ID", requires = "oauth2")]
    pub client_id: String,
}

/// What the subcommand prints: `stdout` (the instructions, or the bare policy JSON so that it can
/// be piped) and `stderr` (how to use the policy).
#[derive(Debug)]
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
}

/// Runs the subcommand: what to print, or why it failed.
pub async fn run(args: &CredentialsArgs) -> Result<Printed, String> {
    if args.oauth2 {
        let placeholders = args.account == "ACCOUNT" || args.client_id == "CLIENT_ID";
        let stderr = format!(
            "IAM policy for the operator's OAuth2 service account ({} actions). Create it with \
             POST /v2/iam/policy{}; the service account comes from POST /me/api/oauth2/client \
             (flow CLIENT_CREDENTIALS) and goes in the Secret as client_id/client_secret.\n",
            access::IAM_ACTIONS.len(),
            if placeholders {
                " after replacing ACCOUNT and CLIENT_ID (or pass --account and --client-id)"
            } else {
                ""
            }
        );
        return Ok(Printed {
            stdout: oauth2_policy(args),
            stderr,
        });
    }
    let application_key = args
        .application_key
        .as_deref()
        .ok_or("--application-key (or OVH_APPLICATION_KEY) is required")?;
    let request = access::credential_request(args.redirection.clone(), args.allowed_ips.clone());
    let answer = access::request_consumer_key(&args.endpoint, application_key, &request)
        .await
        .map_err(|e| format!("requesting a consumer key: {e}"))?;
    let secret = match (&args.application_secret, args.show_secret) {
        (Some(secret), true) => shell_quote(secret),
        _ => "\"$OVH_APPLICATION_SECRET\"".to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Requested a consumer key with the operator's {} access rules (state: {}).\n",
        access::ACCESS_RULES.len(),
        answer.state
    );
    let _ = writeln!(
        out,
        "1. Open this URL, log in with the OVH account the operator orders for, check the rules and \
         validate (choose an unlimited validity, or renew the key before it ends):\n\n   {}\n",
        answer.validation_url
    );
    let _ = writeln!(out, "2. Then create the credentials Secret:\n");
    let namespace = args
        .namespace
        .as_deref()
        .map(|ns| format!(" --namespace {}", shell_quote(ns)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "   kubectl create secret generic {}{namespace} \\",
        shell_quote(&args.secret_name)
    );
    for (key, value) in [
        ("endpoint", shell_quote(&args.endpoint)),
        ("application_key", shell_quote(application_key)),
        ("application_secret", secret.clone()),
        ("consumer_key", shell_quote(&answer.consumer_key)),
    ] {
        let end = if key == "consumer_key" { "" } else { " \\" };
        let _ = writeln!(out, "     --from-literal={key}={value}{end}");
    }
    if !args.show_secret {
        let _ = writeln!(
            out,
            "\n   (run it where OVH_APPLICATION_SECRET holds the application secret, or rerun this \
             command with --show-secret to have it printed)"
        );
    }
    Ok(Printed {
        stdout: out,
        stderr: String::new(),
    })
}

fn oauth2_policy(args: &CredentialsArgs) -> String {
    let plate = access::iam_plate(&args.endpoint);
    let policy = access::iam_policy(plate, &args.account, &args.client_id);
    serde_json::to_string_pretty(&policy).expect("JSON") + "\n"
}

/// `value` as one shell word: as it is when it is made only of safe characters, else in single
/// quotes.
fn shell_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("ovh-eu"), "ovh-eu");
        assert_eq!(
            shell_quote("http://127.0.0.1:8443/1.0"),
            "http://127.0.0.1:8443/1.0"
        );
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's$x"), r"'it'\''s$x'");
        assert_eq!(shell_quote(""), "''");
    }
}
