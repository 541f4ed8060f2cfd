//! Project roles (Argo CD's casbin model restricted to one project's runtime policy,
//! `ProjectPoliciesString`) and the validation of role names, groups and policy lines
//! (`types.go` `validatePolicy`, `validateRoleName`, `validateGroupName`).
//!
//! In this product a request is allowed when cluster RBAC allows it or when a project role bound
//! to one of the user's groups allows the Argo action on the object; a matching project-role
//! deny refuses it either way. [`enforce_project_roles`] gives the project-role half.

use argo_openapi::types::cd::{AppProject, ProjectRole};

use crate::glob::Glob;

/// The outcome of matching a request against a project's roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleDecision {
    /// A role bound to one of the groups allows the request (and none denies it).
    Allow { role: String },
    /// A role bound to one of the groups denies the request.
    Deny { role: String },
    /// No bound role has a matching policy line.
    NoMatch,
}

/// Resources a project role may grant (upstream's `rbac.ProjectScoped`).
pub const PROJECT_SCOPED_RESOURCES: &[&str] = &[
    "applications",
    "applicationsets",
    "logs",
    "exec",
    "clusters",
    "repositories",
];

/// Actions a project-role policy may name exactly (upstream's `validActions`).
const VALID_ACTIONS: &[&str] = &[
    "get", "create", "update", "delete", "sync", "override", "rollback", "*",
];

/// A role group as casbin reads it from the generated `g, <group>, proj:P:R` line: trimmed, and
/// unquoted when quoted (groups containing `,` must be quoted).
fn casbin_group(group: &str) -> &str {
    let g = group.trim();
    if g.len() > 1 && g.starts_with('"') && g.ends_with('"') {
        &g[1..g.len() - 1]
    } else {
        g
    }
}

fn role_is_bound(role: &ProjectRole, groups: &[String]) -> bool {
    is_bound(
        role.groups.iter().flatten().map(|g| casbin_group(g)),
        groups,
    )
}

/// Whether one of the role's groups (as casbin reads them) is one of `groups`.
fn is_bound<'r, G: AsRef<str>>(
    mut role_groups: impl Iterator<Item = &'r str>,
    groups: &[G],
) -> bool {
    role_groups.any(|rg| groups.iter().any(|g| g.as_ref() == rg))
}

/// Splits a casbin policy line into its fields, trimmed.
fn policy_fields(line: &str) -> impl Iterator<Item = &str> {
    line.split(',').map(str::trim)
}

/// Whether `sub` is `proj:<project>:<role>`, without building the string.
fn is_role_subject(sub: &str, project: &str, role: &str) -> bool {
    sub.strip_prefix("proj:")
        .and_then(|s| s.strip_prefix(project))
        .and_then(|s| s.strip_prefix(':'))
        == Some(role)
}

/// A `p, sub, res, act, obj, eft` line of role `role` of `project`, with its patterns compiled;
/// `None` when the line is malformed or for another subject (it then never applies).
#[derive(Clone, Debug)]
struct CompiledLine {
    resource: Glob,
    action: Glob,
    object: Glob,
    effect: String,
}

impl CompiledLine {
    fn new(line: &str, project: &str, role: &str) -> Option<CompiledLine> {
        let mut f = policy_fields(line);
        let (p, sub, res, act, obj, eft) = (
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
        );
        if f.next().is_some() || p != "p" || !is_role_subject(sub, project, role) {
            return None;
        }
        Some(CompiledLine {
            resource: Glob::new(res, &[]),
            action: Glob::new(act, &[]),
            object: Glob::new(obj, &[]),
            effect: eft.to_string(),
        })
    }

    /// The line's effect if it matches the request (`res`, `act`, `obj` as globs with no
    /// separators, so `*` crosses `/`).
    fn effect(&self, resource: &str, action: &str, object: &str) -> Option<&str> {
        (self.resource.is_match(resource)
            && self.action.is_match(action)
            && self.object.is_match(object))
        .then_some(self.effect.as_str())
    }
}

/// One project role with its groups read as casbin reads them and its policy lines compiled.
#[derive(Clone, Debug)]
struct CompiledRole {
    name: String,
    groups: Vec<String>,
    lines: Vec<CompiledLine>,
}

impl CompiledRole {
    fn new(role: &ProjectRole, project: &str) -> CompiledRole {
        CompiledRole {
            name: role.name.clone(),
            groups: role
                .groups
                .iter()
                .flatten()
                .map(|g| casbin_group(g).to_string())
                .collect(),
            lines: role
                .policies
                .iter()
                .flatten()
                .filter_map(|line| CompiledLine::new(line, project, &role.name))
                .collect(),
        }
    }
}

/// A project's roles compiled once: [`enforce_project_roles`] without splitting policy lines or
/// looking up a pattern per decision.
#[derive(Clone, Debug)]
pub struct CompiledRoles {
    project: String,
    roles: Vec<CompiledRole>,
}

impl CompiledRoles {
    /// Compiles the roles of `project`.
    pub fn new(project: &AppProject) -> CompiledRoles {
        let name = project.metadata.name.as_deref().unwrap_or("");
        CompiledRoles {
            project: name.to_string(),
            roles: project
                .spec
                .roles
                .iter()
                .flatten()
                .map(|r| CompiledRole::new(r, name))
                .collect(),
        }
    }

    /// [`enforce_project_roles`] on the compiled roles (`groups` as `String`s or `&str`s).
    pub fn enforce<G: AsRef<str>>(
        &self,
        groups: &[G],
        resource: &str,
        action: &str,
        object: &str,
    ) -> RoleDecision {
        if groups.is_empty() {
            return RoleDecision::NoMatch;
        }
        decide(
            &self.project,
            self.roles
                .iter()
                .filter(|r| is_bound(r.groups.iter().map(String::as_str), groups)),
            resource,
            action,
            object,
        )
    }
}

/// The decision over the roles bound to the user, in project order.
fn decide<R>(
    project_name: &str,
    bound: impl Iterator<Item = R>,
    resource: &str,
    action: &str,
    object: &str,
) -> RoleDecision
where
    R: std::borrow::Borrow<CompiledRole>,
{
    let mut allowed_by: Option<String> = None;
    for role in bound {
        let role = role.borrow();
        if allowed_by.is_none()
            && resource == "projects"
            && action == "get"
            && object == project_name
        {
            allowed_by = Some(role.name.clone());
        }
        for line in &role.lines {
            match line.effect(resource, action, object) {
                Some("deny") => {
                    return RoleDecision::Deny {
                        role: role.name.clone(),
                    };
                }
                Some("allow") if allowed_by.is_none() => allowed_by = Some(role.name.clone()),
                _ => {}
            }
        }
    }
    match allowed_by {
        Some(role) => RoleDecision::Allow { role },
        None => RoleDecision::NoMatch,
    }
}

/// Decides a request (`resource`, `action`, `object`, e.g. `applications`,
/// `update/apps/Deployment/ns/name`, `proj/app`) for a user in `groups` against the roles of
/// `project` bound to any of those groups.
///
/// Each bound role R's policy is the implicit `p, proj:P:R, projects, get, P, allow` plus its
/// `policies` (lines for another subject are ignored). A matching deny in any bound role wins;
/// else a matching allow allows; else no match. Only the bound roles are compiled (patterns
/// through the compiled-glob cache, literal patterns compared directly); callers deciding
/// against the same project many times keep a [`CompiledRoles`].
pub fn enforce_project_roles(
    project: &AppProject,
    groups: &[String],
    resource: &str,
    action: &str,
    object: &str,
) -> RoleDecision {
    if groups.is_empty() {
        return RoleDecision::NoMatch;
    }
    let project_name = project.metadata.name.as_deref().unwrap_or("");
    decide(
        project_name,
        project
            .spec
            .roles
            .iter()
            .flatten()
            .filter(|r| role_is_bound(r, groups))
            .map(|r| CompiledRole::new(r, project_name)),
        resource,
        action,
        object,
    )
}

/// Upstream's `ProjectPoliciesString`: the casbin policy a project contributes at run time.
pub fn project_policies_string(project: &AppProject) -> String {
    let p = project.metadata.name.as_deref().unwrap_or("");
    let mut lines = Vec::new();
    for role in project.spec.roles.iter().flatten() {
        lines.push(format!(
            "p, proj:{p}:{}, projects, get, {p}, allow",
            role.name
        ));
        lines.extend(role.policies.iter().flatten().cloned());
        for g in role.groups.iter().flatten() {
            lines.push(format!("g, {g}, proj:{p}:{}", role.name));
        }
    }
    lines.join("\n")
}

/// Upstream's `isValidAction`: an exact action, or one containing `action/`, `update/` or
/// `delete/` (upstream's regexps are unanchored).
pub fn is_valid_action(action: &str) -> bool {
    VALID_ACTIONS.contains(&action)
        || ["action/", "update/", "delete/"]
            .iter()
            .any(|p| action.contains(p))
}

/// Upstream's `isValidObject`: `^<project>(/[*\w-.]+)?/[*\w-.]+$` with the project quoted, `\w`
/// being ASCII word characters.
pub fn is_valid_object(project: &str, object: &str) -> bool {
    let Some(rest) = object.strip_prefix(project) else {
        return false;
    };
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*_-.".contains(&b))
    };
    let Some(rest) = rest.strip_prefix('/') else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    parts.len() <= 2 && parts.iter().all(|s| segment_ok(s))
}

/// Upstream's `validatePolicy(proj, role, policy)` with its messages.
pub fn validate_policy(project: &str, role: &str, policy: &str) -> Result<(), String> {
    let parts: Vec<&str> = policy.split(',').map(|p| p.trim_matches(' ')).collect();
    if parts.len() != 6 || parts[0] != "p" {
        return Err(format!(
            "invalid policy rule '{policy}': must be of the form: 'p, sub, res, act, obj, eft'"
        ));
    }
    let expected_subject = format!("proj:{project}:{role}");
    if parts[1] != expected_subject {
        return Err(format!(
            "invalid policy rule '{policy}': policy subject must be: '{expected_subject}', not '{}'",
            parts[1]
        ));
    }
    if !PROJECT_SCOPED_RESOURCES.contains(&parts[2]) {
        return Err(format!(
            "invalid policy rule '{policy}': project resource must be: 'applications', 'applicationsets', 'repositories', 'exec', 'logs' or 'clusters', not '{}'",
            parts[2]
        ));
    }
    if !is_valid_action(parts[3]) {
        return Err(format!(
            "invalid policy rule '{policy}': invalid action '{}'",
            parts[3]
        ));
    }
    if !is_valid_object(project, parts[4]) {
        return Err(format!(
            "invalid policy rule '{policy}': object must be of form '{project}/*', '{project}[/<NAMESPACE>]/<APPNAME>' or '{project}/<APPNAME>', not '{}'",
            parts[4]
        ));
    }
    if parts[5] != "allow" && parts[5] != "deny" {
        return Err(format!(
            "invalid policy rule '{policy}': effect must be: 'allow' or 'deny'"
        ));
    }
    Ok(())
}

/// Upstream's `validateRoleName`: `^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$`.
pub fn validate_role_name(name: &str) -> Result<(), String> {
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid role name '{name}'. Must consist of alphanumeric characters, '-' or '_', and must start and end with an alphanumeric character"
        ))
    }
}

/// Upstream's `validateGroupName`: a group with `,` must be quoted; it must not be empty, contain
/// `"`, newline, CR or tab, or start or end with white space. Messages show the trimmed,
/// unquoted name, as upstream's do.
pub fn validate_group_name(group: &str) -> Result<(), String> {
    let original: Vec<char> = group.chars().collect();
    let mut name = group.trim();
    if name.len() > 1 && name.starts_with('"') && name.ends_with('"') {
        name = &name[1..name.len() - 1];
    } else if name.contains(',') {
        return Err(format!("group '{name}' must be quoted"));
    }
    if name.is_empty() {
        return Err(format!("group '{name}' is empty"));
    }
    if name.contains(['"', '\n', '\r', '\t']) {
        return Err(format!("group '{name}' contains invalid characters"));
    }
    if original.len() > 1 && original[0].is_whitespace() {
        return Err(format!("group '{name}' contains a leading space"));
    }
    if original.len() > 1 && original[original.len() - 1].is_whitespace() {
        return Err(format!("group '{name}' contains a trailing space"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project() -> AppProject {
        serde_json::from_value(json!({
            "metadata": {"name": "my-proj"},
            "spec": {"roles": [
                {"name": "deployer", "groups": ["team-a", "\"org,dev\""], "policies": [
                    "p, proj:my-proj:deployer, applications, sync, my-proj/*, allow",
                    "p, proj:my-proj:deployer, applications, update/*, my-proj/*, allow",
                    "p, proj:my-proj:deployer, applications, delete/apps/Deployment/*, my-proj/*, deny",
                    "p, proj:other:deployer, applications, get, other/*, allow",
                    "p,proj:my-proj:deployer,applications,get,my-proj/team/*,allow"
                ]},
                {"name": "freeze", "groups": ["team-b"], "policies": [
                    "p, proj:my-proj:freeze, applications, sync, my-proj/prod-*, deny"
                ]},
                {"name": "syncer", "groups": ["team-b"], "policies": [
                    "p, proj:my-proj:syncer, applications, sync, my-proj/*, allow"
                ]}
            ]}
        }))
        .unwrap()
    }

    fn groups(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| s.to_string()).collect()
    }

    fn allow(role: &str) -> RoleDecision {
        RoleDecision::Allow { role: role.into() }
    }

    /// `enforce_project_roles`, checked against the pre-compilation implementation (kept here
    /// verbatim) and against `CompiledRoles::enforce`.
    fn enforce_all_ways(
        project: &AppProject,
        groups: &[String],
        resource: &str,
        action: &str,
        object: &str,
    ) -> RoleDecision {
        let plain = enforce_project_roles(project, groups, resource, action, object);
        assert_eq!(
            plain,
            reference_enforce(project, groups, resource, action, object),
            "reference"
        );
        let compiled = CompiledRoles::new(project);
        assert_eq!(
            plain,
            compiled.enforce(groups, resource, action, object),
            "compiled"
        );
        let strs: Vec<&str> = groups.iter().map(String::as_str).collect();
        assert_eq!(
            plain,
            compiled.enforce(&strs, resource, action, object),
            "compiled &str"
        );
        plain
    }

    fn reference_line_effect<'a>(
        line: &'a str,
        project: &str,
        role: &str,
        resource: &str,
        action: &str,
        object: &str,
    ) -> Option<&'a str> {
        use crate::glob::glob_match;
        let mut f = policy_fields(line);
        let (p, sub, res, act, obj, eft) = (
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
            f.next()?,
        );
        if f.next().is_some() || p != "p" || !is_role_subject(sub, project, role) {
            return None;
        }
        (glob_match(res, resource, &[])
            && glob_match(act, action, &[])
            && glob_match(obj, object, &[]))
        .then_some(eft)
    }

    /// `enforce_project_roles` as it was before the compiled variant.
    fn reference_enforce(
        project: &AppProject,
        groups: &[String],
        resource: &str,
        action: &str,
        object: &str,
    ) -> RoleDecision {
        if groups.is_empty() {
            return RoleDecision::NoMatch;
        }
        let project_name = project.metadata.name.as_deref().unwrap_or("");
        let mut allowed_by: Option<&str> = None;
        for role in project.spec.roles.iter().flatten() {
            let bound = role
                .groups
                .iter()
                .flatten()
                .any(|rg| groups.iter().any(|g| g == casbin_group(rg)));
            if !bound {
                continue;
            }
            if allowed_by.is_none()
                && resource == "projects"
                && action == "get"
                && object == project_name
            {
                allowed_by = Some(&role.name);
            }
            for line in role.policies.iter().flatten() {
                match reference_line_effect(
                    line,
                    project_name,
                    &role.name,
                    resource,
                    action,
                    object,
                ) {
                    Some("deny") => {
                        return RoleDecision::Deny {
                            role: role.name.clone(),
                        };
                    }
                    Some("allow") if allowed_by.is_none() => allowed_by = Some(&role.name),
                    _ => {}
                }
            }
        }
        match allowed_by {
            Some(role) => RoleDecision::Allow {
                role: role.to_string(),
            },
            None => RoleDecision::NoMatch,
        }
    }

    #[test]
    fn bound_role_allows_and_fine_grained_actions_match() {
        let p = project();
        let a = groups(&["team-a"]);
        assert_eq!(
            enforce_all_ways(&p, &a, "applications", "sync", "my-proj/guestbook"),
            allow("deployer")
        );
        assert_eq!(
            enforce_all_ways(
                &p,
                &a,
                "applications",
                "update/apps/Deployment/ns/name",
                "my-proj/guestbook"
            ),
            allow("deployer")
        );
        // `*` crosses `/` in RBAC objects.
        assert_eq!(
            enforce_all_ways(&p, &a, "applications", "sync", "my-proj/team/app"),
            allow("deployer")
        );
        assert_eq!(
            enforce_all_ways(&p, &a, "applications", "get", "my-proj/team/app"),
            allow("deployer")
        );
        assert_eq!(
            enforce_all_ways(&p, &a, "applications", "get", "my-proj/app"),
            RoleDecision::NoMatch
        );
        assert_eq!(
            enforce_all_ways(&p, &a, "applications", "create", "my-proj/app"),
            RoleDecision::NoMatch
        );
        // The implicit project read.
        assert_eq!(
            enforce_all_ways(&p, &a, "projects", "get", "my-proj"),
            allow("deployer")
        );
        assert_eq!(
            enforce_all_ways(&p, &a, "projects", "get", "other"),
            RoleDecision::NoMatch
        );
        // Lines for another subject are ignored.
        assert_eq!(
            enforce_all_ways(&p, &a, "applications", "get", "other/x"),
            RoleDecision::NoMatch
        );
        // A quoted group with a comma binds the unquoted group.
        assert_eq!(
            enforce_all_ways(
                &p,
                &groups(&["org,dev"]),
                "applications",
                "sync",
                "my-proj/x"
            ),
            allow("deployer")
        );
    }

    #[test]
    fn deny_beats_allow() {
        let p = project();
        let a = groups(&["team-a"]);
        assert_eq!(
            enforce_all_ways(
                &p,
                &a,
                "applications",
                "delete/apps/Deployment/ns/web",
                "my-proj/guestbook"
            ),
            RoleDecision::Deny {
                role: "deployer".into()
            }
        );
        // Deny in one bound role beats allow in another bound role.
        let b = groups(&["team-b"]);
        assert_eq!(
            enforce_all_ways(&p, &b, "applications", "sync", "my-proj/prod-web"),
            RoleDecision::Deny {
                role: "freeze".into()
            }
        );
        assert_eq!(
            enforce_all_ways(&p, &b, "applications", "sync", "my-proj/dev-web"),
            allow("syncer")
        );
    }

    #[test]
    fn unbound_groups_get_no_match() {
        let p = project();
        for g in [&[][..], &["team-c"][..], &["Team-A"][..], &["org"][..]] {
            assert_eq!(
                enforce_all_ways(&p, &groups(g), "applications", "sync", "my-proj/guestbook"),
                RoleDecision::NoMatch,
                "{g:?}"
            );
        }
    }

    #[test]
    fn invalid_policy_rules_upstream_table() {
        let bad = [
            (
                "g, proj:my-proj:my-role, applications, get, my-proj/*, allow",
                "must be of the form: 'p, sub, res, act, obj, eft'",
            ),
            (
                "p, not, enough, parts",
                "must be of the form: 'p, sub, res, act, obj, eft'",
            ),
            (
                "p, has, too, many, parts, to, split",
                "must be of the form: 'p, sub, res, act, obj, eft'",
            ),
            (
                "p, , applications, get, my-proj/*, allow",
                "policy subject must be: 'proj:my-proj:my-role'",
            ),
            (
                "p, proj:my-proj, applications, get, my-proj/*, allow",
                "policy subject must be: 'proj:my-proj:my-role'",
            ),
            (
                "p, proj:my-proj:, applications, get, my-proj/*, allow",
                "policy subject must be: 'proj:my-proj:my-role'",
            ),
            (
                "p, ::, applications, get, my-proj/*, allow",
                "policy subject must be: 'proj:my-proj:my-role'",
            ),
            (
                "p, proj:different-my-proj:my-role, applications, get, my-proj/*, allow",
                "policy subject must be: 'proj:my-proj:my-role'",
            ),
            (
                "p, proj:my-proj:my-role, , get, my-proj/*, allow",
                "resource must be: 'applications'",
            ),
            (
                "p, proj:my-proj:my-role, applicationz, get, my-proj/*, allow",
                "resource must be: 'applications'",
            ),
            (
                "p, proj:my-proj:my-role, projects, get, my-proj, allow",
                "resource must be: 'applications'",
            ),
            (
                "p, proj:my-proj:my-role, applications, , my-proj/*, allow",
                "invalid action",
            ),
            (
                "p, proj:my-proj:my-role, applications, foo, my-proj/*, allow",
                "invalid action",
            ),
            (
                "p, proj:my-proj:my-role, applications, get, my-proj/, allow",
                "object must be of form",
            ),
            (
                "p, proj:my-proj:my-role, applications, get, /, allow",
                "object must be of form",
            ),
            (
                "p, proj:my-proj:my-role, applications, get, different-my-proj/*, allow",
                "object must be of form",
            ),
            (
                "p, proj:my-proj:my-role, applications, get, my-proj/*, ",
                "effect must be: 'allow' or 'deny'",
            ),
            (
                "p, proj:my-proj:my-role, applications, get, my-proj/*, foo",
                "effect must be: 'allow' or 'deny'",
            ),
        ];
        for (policy, msg) in bad {
            let err = validate_policy("my-proj", "my-role", policy).unwrap_err();
            assert!(err.contains(msg), "{policy}: {err}");
            assert!(
                err.starts_with(&format!("invalid policy rule '{policy}': ")),
                "{err}"
            );
        }
        assert_eq!(
            validate_policy(
                "my-proj",
                "my-role",
                "p, proj:my-proj:x, applications, get, my-proj/*, allow"
            )
            .unwrap_err(),
            "invalid policy rule 'p, proj:my-proj:x, applications, get, my-proj/*, allow': policy subject must be: 'proj:my-proj:my-role', not 'proj:my-proj:x'"
        );
    }

    #[test]
    fn valid_policy_rules_upstream_table() {
        let good = [
            "p,proj:my-proj:my-role,applications,get,my-proj/*,allow",
            "p, proj:my-proj:my-role, applications, get, my-proj/*, allow",
            "p, proj:my-proj:my-role, applications, get, my-proj/*, deny",
            "p, proj:my-proj:my-role, applications, get, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, get, my-proj/*-foo, allow",
            "p, proj:my-proj:my-role, applications, get, my-proj/foo-*, allow",
            "p, proj:my-proj:my-role, applications, get, my-proj/*-*, allow",
            "p, proj:my-proj:my-role, applications, get, my-proj/*.*, allow",
            "p, proj:my-proj:my-role, applications, *, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, create, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, update, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, update/*, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, update/*/Pod/*, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, sync, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, delete, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, delete/*, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, delete/*/Pod/*, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, action/*, my-proj/foo, allow",
            "p, proj:my-proj:my-role, applications, action/apps/Deployment/restart, my-proj/foo, allow",
            "p, proj:my-proj:my-role, logs, get, my-proj/ns/foo, allow",
        ];
        for policy in good {
            assert_eq!(
                validate_policy("my-proj", "my-role", policy),
                Ok(()),
                "{policy}"
            );
        }
        for res in PROJECT_SCOPED_RESOURCES {
            let line = format!("p, proj:some-project:org-admin, {res}, *, some-project/*, allow");
            assert!(
                validate_policy("some-project", "org-admin", &line).is_ok(),
                "{res}"
            );
        }
    }

    #[test]
    fn project_name_is_not_a_regex() {
        assert!(
            validate_policy(
                "some.project",
                "org-admin",
                "p, proj:some.project:org-admin, applications, *, some-project/*, allow"
            )
            .is_err()
        );
        assert!(
            validate_policy(
                "some.project",
                "org-admin",
                "p, proj:some.project:org-admin, applications, *, some.project/*, allow"
            )
            .is_ok()
        );
    }

    #[test]
    fn valid_objects_and_actions() {
        for (obj, ok) in [
            ("some-project/*", true),
            ("some-project/some-application", true),
            ("some-project/*/*", true),
            ("some-project/*/some-application", true),
            ("some-project/some-namespace/*", true),
            ("some-project/some-name*/some-application", true),
            ("some-project/some-namespace/some-app*", true),
            ("some-project/some~namespace/some-application", false),
            ("some-project/some-namespace/some^application", false),
            ("some-project/a/b/c", false),
            ("some-project", false),
            ("some-projectx/app", false),
        ] {
            assert_eq!(is_valid_object("some-project", obj), ok, "{obj}");
        }
        for (action, ok) in [
            ("get", true),
            ("create", true),
            ("update", true),
            ("delete", true),
            ("sync", true),
            ("override", true),
            ("rollback", true),
            ("*", true),
            ("action/foo", true),
            ("update/bar", true),
            ("delete/baz", true),
            ("actionfoo", false),
            ("updatebar", false),
            ("deletebaz", false),
            ("random", false),
            ("", false),
            ("invoke", false),
            ("action", false),
        ] {
            assert_eq!(is_valid_action(action), ok, "{action}");
        }
    }

    #[test]
    fn group_names_upstream_table() {
        let cases = [
            ("\"", false),
            ("\"\"", false),
            ("foo", true),
            ("\"foo,bar,baz\"", true),
            ("\"foo\"", true),
            ("  \"foo\" ", false),
            ("", false),
            ("foo,bar,baz", false),
            ("\"foo,bar,baz", false),
            ("foo,bar,baz\"", false),
            ("foo,bar\",baz", false),
            ("\"foo,\"bar,baz\"", false),
            ("foo\nbar", false),
            ("\"foo\nbar\"", false),
            ("\"foo", false),
            ("foo\"", false),
            ("my:group", true),
            (" my:group", false),
            ("my:group ", false),
            ("my\tgroup", false),
        ];
        for (g, ok) in cases {
            assert_eq!(validate_group_name(g).is_ok(), ok, "{g:?}");
        }
        assert_eq!(
            validate_group_name("a,b").unwrap_err(),
            "group 'a,b' must be quoted"
        );
        assert_eq!(validate_group_name(" ").unwrap_err(), "group '' is empty");
        assert_eq!(
            validate_group_name(" x").unwrap_err(),
            "group 'x' contains a leading space"
        );
    }

    #[test]
    fn role_names() {
        assert!(validate_role_name("MY-ROLE").is_ok());
        assert!(validate_role_name("a_b-1").is_ok());
        for bad in ["", "-a", "a-", "a b", "a:b", "é"] {
            assert!(validate_role_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policies_string_matches_upstream_shape() {
        let s = project_policies_string(&project());
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(
            lines[0],
            "p, proj:my-proj:deployer, projects, get, my-proj, allow"
        );
        assert!(lines.contains(&"g, team-a, proj:my-proj:deployer"));
        assert!(lines.contains(&"g, team-b, proj:my-proj:syncer"));
    }
}
