//! The connection phase: the server's greeting, the client's login request (or its SSL request), and the
//! authentication exchange up to the server's OK or ERR.

use super::names::caps;
use super::response::{error, ok};
use super::wire::lenenc_bytes;
use super::{Incoming, Next, Packet, Shared, Stage, TEXT_CHARS, push};
use crate::proto::contract::Cx;
use crate::proto::data::short_text;
use crate::proto::reader::Reader;
use crate::proto::{MessageKind, Protocol};

/// What MariaDB puts before its version so that replication reads a one-digit major version.
const MARIADB_PREFIX: &str = "5.5.5-";
/// Bytes of a login request that stops after its fixed part: the SSL request.
const SSL_REQUEST_LEN: usize = 32;
/// Connection attributes shown in a detail line.
const SHOWN_ATTRIBUTES: usize = 6;

/// A server packet before the commands; `false` when it is not one of the connection phase's (the capture
/// started later), for the caller to decode as an answer to a command.
pub(super) fn server(shared: &mut Shared, packet: &Incoming, cx: &mut Cx) -> bool {
    let payload = packet.payload;
    match (packet.first(), shared.stage) {
        (Some(10), _) if packet.seq == 0 => greeting(shared, payload, cx),
        (Some(0x00), Stage::Auth) => {
            let (summary, detail, kind) = ok(payload, shared.caps());
            push(cx, summary, kind, detail);
            shared.stage = Stage::Commands;
            if shared.has(caps::COMPRESS) {
                shared.compressed = true;
                let text = "compressed protocol: every packet after the login carries a compressed header; \
                            zlib-compressed payloads are named but not inflated"
                    .to_string();
                cx.push(0, Protocol::MySql, text.clone(), MessageKind::Note { text });
            }
        }
        (Some(0xff), _) => {
            let (summary, detail, code) = error(payload);
            push(cx, summary, Packet::Error { code }, detail);
            shared.stage = Stage::Commands;
        }
        (Some(0xfe), Stage::Auth) => {
            let mut r = Reader::new(payload.get(1..).unwrap_or_default());
            let plugin = short_text(r.cstr().unwrap_or_else(|_| r.rest()), TEXT_CHARS);
            shared.auth_switched = true;
            let (summary, detail) = match plugin.is_empty() {
                // A bare 0xfe: the pre-4.1 "use the old password" request.
                true => ("Auth Switch Request (old password)".to_string(), Vec::new()),
                false => (format!("Auth Switch Request ({plugin})"), vec![format!("auth plugin: {plugin}")]),
            };
            push(cx, summary, Packet::AuthSwitchRequest, detail);
        }
        (Some(0x01), Stage::Auth) => {
            let data = payload.get(1..).unwrap_or_default();
            // caching_sha2_password's one-byte answers; anything longer is a public key.
            let detail = match data {
                [3] => "fast authentication succeeded".to_string(),
                [4] => "full authentication requested".to_string(),
                _ => format!("{} bytes of plugin data", data.len()),
            };
            push(cx, "Auth More Data".to_string(), Packet::AuthMoreData, vec![detail]);
        }
        (_, Stage::Auth) => {
            let summary = format!("Response (unexpected during authentication, {} bytes)", packet.len);
            push(cx, summary, Packet::Response, Vec::new());
        }
        _ => return false,
    }
    true
}

/// HandshakeV10: `Server Greeting proto=10 version=10.11.19-MariaDB-0+deb12u1`.
fn greeting(shared: &mut Shared, payload: &[u8], cx: &mut Cx) {
    let mut r = Reader::new(payload);
    let protocol = r.u8().unwrap_or_default();
    let version = short_text(r.cstr().unwrap_or_default(), TEXT_CHARS);
    let thread = r.u32_le().unwrap_or_default();
    let _scramble_start = r.skip(8 + 1);
    let low = r.u16_le().unwrap_or_default();
    let _charset_and_status = r.skip(1 + 2);
    let high = r.u16_le().unwrap_or_default();
    let scramble_len = r.u8().unwrap_or_default();
    let _reserved = r.skip(10);
    let _scramble_rest = r.skip(usize::from(scramble_len.saturating_sub(8)).max(13));
    let plugin = short_text(r.cstr().unwrap_or_else(|_| r.rest()), TEXT_CHARS);
    let server_caps = u32::from(low) | (u32::from(high) << 16);
    shared.server_caps = Some(server_caps);
    shared.stage = Stage::Auth;
    let shown = version.strip_prefix(MARIADB_PREFIX).unwrap_or(&version);
    let summary = format!("Server Greeting proto={protocol} version={shown}");
    let mut detail = vec![format!("version: {version}"), format!("thread id: {thread}")];
    if !plugin.is_empty() {
        detail.push(format!("auth plugin: {plugin}"));
    }
    detail.push(capabilities(server_caps));
    push(cx, summary, Packet::Greeting { protocol }, detail);
}

/// The client's first packet: a login request, or the SSL request that switches both directions to TLS.
pub(super) fn login(shared: &mut Shared, packet: &Incoming, cx: &mut Cx) -> Next {
    let mut r = Reader::new(packet.payload);
    let low = u32::from(r.u16_le().unwrap_or_default());
    if low & caps::PROTOCOL_41 == 0 {
        return login_320(shared, low, &mut r, cx);
    }
    let client_caps = low | (u32::from(r.u16_le().unwrap_or_default()) << 16);
    let _max_packet_charset_filler = r.skip(4 + 1 + 23);
    shared.client_caps = Some(client_caps);
    if packet.len as usize == SSL_REQUEST_LEN && client_caps & caps::SSL != 0 {
        push(cx, "SSL Request (switch to TLS)".to_string(), Packet::SslRequest, vec![capabilities(client_caps)]);
        return Next::Tls;
    }
    shared.stage = Stage::Auth;
    let user = short_text(r.cstr().unwrap_or_default(), TEXT_CHARS);
    let auth = if client_caps & caps::PLUGIN_AUTH_LENENC_DATA != 0 {
        lenenc_bytes(&mut r).unwrap_or_default()
    } else if client_caps & caps::SECURE_CONNECTION != 0 {
        r.sub_u8().map(|mut s| s.rest()).unwrap_or_default()
    } else {
        r.cstr().unwrap_or_default()
    };
    let optional = |r: &mut Reader, flag: u32| {
        (client_caps & flag != 0).then(|| r.cstr().ok()).flatten().map(|s| short_text(s, TEXT_CHARS))
    };
    let database = optional(&mut r, caps::CONNECT_WITH_DB).filter(|d| !d.is_empty());
    let plugin = optional(&mut r, caps::PLUGIN_AUTH).filter(|p| !p.is_empty());
    let attributes = (client_caps & caps::CONNECT_ATTRS != 0).then(|| attributes(&mut r)).flatten();
    let mut summary = format!("Login Request user={user}");
    let mut detail = vec![format!("user: {user}")];
    if let Some(database) = &database {
        summary.push_str(&format!(" db={database}"));
        detail.push(format!("database: {database}"));
    }
    if let Some(plugin) = &plugin {
        detail.push(format!("auth plugin: {plugin}"));
    }
    detail.push(auth_line(auth, cx));
    detail.push(capabilities(client_caps));
    detail.extend(attributes);
    push(cx, summary, Packet::LoginRequest, detail);
    Next::Stay
}

/// HandshakeResponse320, from clients older than 4.1: capabilities, a 3-byte maximum packet size, the user.
fn login_320(shared: &mut Shared, client_caps: u32, r: &mut Reader, cx: &mut Cx) -> Next {
    let _max_packet = r.skip(3);
    let user = short_text(r.cstr().unwrap_or_default(), TEXT_CHARS);
    let auth = r.cstr().unwrap_or_else(|_| r.rest());
    shared.client_caps = Some(client_caps);
    shared.stage = Stage::Auth;
    let detail = vec![format!("user: {user}"), auth_line(auth, cx), capabilities(client_caps)];
    push(cx, format!("Login Request user={user}"), Packet::LoginRequest, detail);
    Next::Stay
}

/// A client packet of the authentication exchange after the login (an auth switch response, plugin data).
pub(super) fn auth_data(shared: &mut Shared, packet: &Incoming, cx: &mut Cx) {
    let (summary, kind) = match std::mem::take(&mut shared.auth_switched) {
        true => ("Auth Switch Response", Packet::AuthSwitchResponse),
        false => ("Auth Data", Packet::AuthData),
    };
    push(cx, summary.to_string(), kind, vec![auth_line(packet.payload, cx)]);
}

/// The auth response: a scramble, or a password in the clear with some plugins, so hidden unless redaction is off.
fn auth_line(auth: &[u8], cx: &Cx) -> String {
    let hex: String = auth.iter().map(|b| format!("{b:02x}")).collect();
    format!("auth response: {} ({} bytes)", cx.redact.secret(&hex), auth.len())
}

/// `capabilities: 0x003ba20d (CONNECT_WITH_DB, PROTOCOL_41, PLUGIN_AUTH, CONNECT_ATTRS)`.
fn capabilities(flags: u32) -> String {
    let names: Vec<&str> = caps::NAMED.iter().filter(|(bit, _)| flags & bit != 0).map(|(_, name)| *name).collect();
    format!("capabilities: {flags:#010x} ({})", names.join(", "))
}

/// `attributes: _pid=25665, _platform=x86_64, …`: the connection attributes, the first few.
fn attributes(r: &mut Reader) -> Option<String> {
    let mut all = Reader::new(lenenc_bytes(r).ok()?);
    let mut pairs = Vec::new();
    while let (Ok(name), Ok(value)) = (lenenc_bytes(&mut all), lenenc_bytes(&mut all)) {
        pairs.push(format!("{}={}", short_text(name, 40), short_text(value, 40)));
    }
    let more = pairs.len() > SHOWN_ATTRIBUTES;
    pairs.truncate(SHOWN_ATTRIBUTES);
    if more {
        pairs.push("…".to_string());
    }
    (!pairs.is_empty()).then(|| format!("attributes: {}", pairs.join(", ")))
}
