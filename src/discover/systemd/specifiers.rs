//! `%` specifiers (systemd.unit(7) "Specifiers") that can be known without a running manager.

use super::words::radix_digits;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpecifierContext {
    /// `%h`: the home of the user the manager runs as (the user's home for `--user` units,
    /// `/root` for system units).
    pub home: String,
    /// `%u`, when known.
    pub user: Option<String>,
    /// The full unit name, e.g. `openclaw-gateway-rescue.service` or `gw@ops.service`.
    pub unit_name: String,
}

/// Expands the specifiers clawlint can know: `%%`, `%h`, `%u` (if the user is given), `%n`,
/// `%N`, `%p`, `%P`, `%i`, `%I`, `%j`, `%J`. Any other is left as written and reported
/// (systemd would expand it, or reject the setting if it does not know it either). A `%` at
/// the very end stays a `%`, as in systemd.
///
/// OpenClaw expands only `%%` and `%h`, and treats a drop-in `EnvironmentFile=` with any other
/// specifier as "environment overridden, unknown".
///
/// A value is expanded to [`MAX_EXPANDED_BYTES`] at most (`%h` repeated a million times in a
/// 2 MB line would be 50 MB, copied with every environment that holds it); past it the rest
/// is left as written.
pub fn expand_specifiers(value: &str, ctx: &SpecifierContext) -> (String, Vec<String>) {
    let mut out = String::with_capacity(value.len());
    let mut problems = Vec::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        match specifier_value(spec, ctx) {
            Some(v) if out.len() + v.len() > MAX_EXPANDED_BYTES => {
                out.push('%');
                out.push(spec);
                out.push_str(chars.as_str());
                problems.push(format!(
                    "expanding its specifiers passes {MAX_EXPANDED_BYTES} bytes; the rest is left as written"
                ));
                break;
            }
            Some(v) => out.push_str(&v),
            None => {
                out.push('%');
                out.push(spec);
                problems.push(specifier_problem(spec));
            }
        }
    }
    (out, problems)
}

/// Whether a setting names the unit's instance (`%i`, `%I`; `%%i` is a literal `%i`): what it
/// names differs per instance of a template, so it belongs to that instance.
pub fn names_instance(value: &str) -> bool {
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '%' && matches!(chars.next(), Some('i' | 'I')) {
            return true;
        }
    }
    false
}

/// The longest value [`expand_specifiers`] makes: systemd's own longest unit file line
/// (`LONG_LINE_MAX`, 1 MiB).
pub const MAX_EXPANDED_BYTES: usize = 1 << 20;

fn specifier_problem(spec: char) -> String {
    if spec == 'u' {
        "%u (user name) is not known here; left as is".to_string()
    } else {
        format!("specifier %{spec} is not expanded by clawlint; left as is")
    }
}

fn specifier_value(spec: char, ctx: &SpecifierContext) -> Option<String> {
    let name = ctx.unit_name.as_str();
    // "name@instance.type": %N drops ".type", %p is before '@', %i between '@' and ".type".
    let without_type = name.rsplit_once('.').map_or(name, |(n, _)| n);
    let (prefix, instance) = without_type.split_once('@').unwrap_or((without_type, ""));
    let last_component = prefix.rsplit_once('-').map_or(prefix, |(_, last)| last);
    Some(match spec {
        '%' => "%".to_string(),
        'h' => ctx.home.clone(),
        'u' => ctx.user.clone()?,
        'n' => name.to_string(),
        'N' => without_type.to_string(),
        'p' => prefix.to_string(),
        'P' => unit_name_unescape(prefix),
        'i' => instance.to_string(),
        'I' => unit_name_unescape(instance),
        'j' => last_component.to_string(),
        'J' => unit_name_unescape(last_component),
        _ => return None,
    })
}

/// systemd's `unit_name_unescape()`: `-` is `/`, `\xHH` is a byte.
fn unit_name_unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 2..i + 4)
            .filter(|_| bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x'))
            .and_then(|h| radix_digits(h, 16));
        match (bytes[i], hex) {
            (_, Some(v)) => {
                out.push(v as u8);
                i += 4;
            }
            (b'-', None) => {
                out.push(b'/');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
