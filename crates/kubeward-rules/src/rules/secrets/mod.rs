//! `SEC` rules: secrets and credentials.
//!
//! | code | rule | scope |
//! |---|---|---|
//! | SEC001 | `secret-in-env-var` | Secrets injected as env vars (informational) |
//! | SEC002 | `hardcoded-credential-in-env` | credentials in container `env[].value` |
//! | SEC003 | `credential-in-configmap` | credentials in ConfigMap `data`/`binaryData` |
//! | SEC004 | `private-key-in-manifest` | private keys outside Secrets |
//! | SEC005 | `committed-secret-object` | Secret manifests with real values |
//! | SEC006 | `secret-volume-world-readable` | Secret volume modes readable by others |
//! | SEC007 | `dangling-secret-reference` | pods referencing Secrets missing from their namespace |
//! | SEC008 | `credential-in-command-line` | credentials in container `command`/`args` |
//! | SEC009 | `credential-in-manifest` | credentials anywhere else (annotations, images, CRDs) |
//! | SEC010–SEC017 | `EncryptionConfiguration` | Secrets not covered, `identity` first, `aescbc`, `aesgcm`, KMS v1, weak and reused keys, invalid files |
//! | SEC018 | `apiserver-manifest-encryption-config-missing` | kube-apiserver static pod without `--encryption-provider-config` |
//!
//! Detection comes from the `kubeward-secrets` engine: one scan per object
//! (`scan::findings`), each detected credential routed to exactly one of SEC002, SEC003,
//! SEC004, SEC008, SEC009 by where it sits (Secret data belongs to SEC005). Messages say
//! where the credential is and what it looks like (`AKIA****`), never the value; source
//! frames are masked by [`redact`] for every rule.

mod apiserver_encryption_config_missing;
mod committed_secret_object;
mod credential_in_command_line;
mod credential_in_configmap;
mod credential_in_manifest;
mod dangling_secret_reference;
mod encryption;
mod encryption_aescbc_provider;
mod encryption_aesgcm_provider;
mod encryption_config_invalid;
mod encryption_identity_provider_first;
mod encryption_key_reused;
mod encryption_key_weak;
mod encryption_kms_v1_provider;
mod hardcoded_credential_in_env;
mod private_key_in_manifest;
pub mod redact;
mod scan;
mod secret_in_env_var;
mod secret_volume_world_readable;
mod secrets_not_encrypted_at_rest;

pub use apiserver_encryption_config_missing::APISERVER_ENCRYPTION_CONFIG_MISSING;
pub use committed_secret_object::COMMITTED_SECRET_OBJECT;
pub use credential_in_command_line::CREDENTIAL_IN_COMMAND_LINE;
pub use credential_in_configmap::CREDENTIAL_IN_CONFIGMAP;
pub use credential_in_manifest::CREDENTIAL_IN_MANIFEST;
pub use dangling_secret_reference::DANGLING_SECRET_REFERENCE;
pub use encryption_aescbc_provider::ENCRYPTION_AESCBC_PROVIDER;
pub use encryption_aesgcm_provider::ENCRYPTION_AESGCM_PROVIDER;
pub use encryption_config_invalid::ENCRYPTION_CONFIG_INVALID;
pub use encryption_identity_provider_first::ENCRYPTION_IDENTITY_PROVIDER_FIRST;
pub use encryption_key_reused::ENCRYPTION_KEY_REUSED;
pub use encryption_key_weak::ENCRYPTION_KEY_WEAK;
pub use encryption_kms_v1_provider::ENCRYPTION_KMS_V1_PROVIDER;
pub use hardcoded_credential_in_env::HARDCODED_CREDENTIAL_IN_ENV;
pub use private_key_in_manifest::PRIVATE_KEY_IN_MANIFEST;
pub use scan::credential_name;
pub use secret_in_env_var::SECRET_IN_ENV_VAR;
pub use secret_volume_world_readable::SECRET_VOLUME_WORLD_READABLE;
pub use secrets_not_encrypted_at_rest::SECRETS_NOT_ENCRYPTED_AT_REST;

/// Every `SEC` rule of this module.
pub static RULES: &[&crate::Rule] = &[
    &SECRET_IN_ENV_VAR,
    &HARDCODED_CREDENTIAL_IN_ENV,
    &CREDENTIAL_IN_CONFIGMAP,
    &PRIVATE_KEY_IN_MANIFEST,
    &COMMITTED_SECRET_OBJECT,
    &SECRET_VOLUME_WORLD_READABLE,
    &DANGLING_SECRET_REFERENCE,
    &CREDENTIAL_IN_COMMAND_LINE,
    &CREDENTIAL_IN_MANIFEST,
    &SECRETS_NOT_ENCRYPTED_AT_REST,
    &ENCRYPTION_IDENTITY_PROVIDER_FIRST,
    &ENCRYPTION_AESCBC_PROVIDER,
    &ENCRYPTION_AESGCM_PROVIDER,
    &ENCRYPTION_KMS_V1_PROVIDER,
    &ENCRYPTION_KEY_WEAK,
    &ENCRYPTION_KEY_REUSED,
    &ENCRYPTION_CONFIG_INVALID,
    &APISERVER_ENCRYPTION_CONFIG_MISSING,
];
